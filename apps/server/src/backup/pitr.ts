/**
 * Point-in-time recovery for a PostgreSQL that archives its WAL: base backups and the WAL archive,
 * encrypted in the backup format, and a restore to any moment the archive covers, proven and timed.
 *
 *   - `walArchiveSettings()` / `walArchiveCommand()`: what postgresql.conf needs, so every finished
 *     WAL file is encrypted into the archive directory by pitr-archive.ts (`archiveWalSegment`).
 *   - `baseBackup()`: `pg_basebackup --format=tar --pgdata=- --wal-method=fetch` of the whole cluster
 *     streamed into an encrypted `.qxbk` (no plaintext on disk). Fetch, because a tar on standard
 *     output cannot stream WAL beside it; the tar then holds the WAL from the backup's start to its
 *     end, so the backup alone is consistent, and the archive takes it on from there.
 *   - `restoreToPointInTime()`: the base backup verified whole, extracted into a new data directory,
 *     pg_verifybackup'd against its own manifest, started in archive recovery with a restore_command
 *     that decrypts `<archiveDir>/%f.qxwal` (pitr-restore-wal.ts) up to the target time, promoted, and
 *     the point actually reached (the last transaction replayed) reported. An archived segment that
 *     does not verify ends the WAL there, and the restore says so (`wal_segment_unreadable`) instead
 *     of calling a shorter history the one asked for.
 *
 * PostgreSQL runs as an OS account that is not root (it refuses root): `runAs` names it when this
 * process is root; that account must be able to read this repository (the scripts and
 * node_modules), the key file, and the archive. Base backups are kind 'server_base' and archived
 * WAL 'server_wal' in the backup format, and their `source` says what they hold
 * ("qenex-pitr base …", "qenex-pitr wal …"): keep base backups in a directory of their own, away
 * from the pg_dump backups that `backups` lists and `restore-drill` takes the newest of.
 */
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import type { SealedBoxKeyPair } from '@qenex/engine';
import { loadBackupKey } from './backup-key';
import { readBackup, readBackupHeader, writeBackup, type BackupHeader, type BackupProgress, type BackupRefusalCode, type WrittenBackup } from '@qenex/engine/node';
import { isWalSegmentName, readWalReport, walArchiveSuffix, type WalReportLine } from './pitr-report';
import { manifestEndLsn, parseBackupLabel, TarWatcher, type BackupLabel } from './pitr-tar';
import { backupFileSuffix, readWalArchiving, redactedUrl, toolConnection, type WalArchiving } from './server-backup';

export { archiveWalSegment, restoreWalSegment, walArchiveSuffix, type WalArchiveResult, type WalRestoreResult, type WalReportLine } from './pitr-wal';
export type { BackupLabel } from './pitr-tar';

/** Characters of a tool's standard error, or of the server log, kept in a refusal. */
const toolErrorCharsMax = 2_000;
/** The backup_label is a few hundred bytes; the manifest grows with the number of files. */
const backupLabelBytesMax = 64 * 1024;
const backupManifestBytesMax = 64 * 1024 * 1024;
/** How long a restore may replay before it is called off; a limit, not an estimate. */
export const recoveryTimeoutMsDefault = 30 * 60_000;
export const recoveryTimeoutMsMax = 7 * 24 * 3_600_000;
const recoveryPollMs = 100;
const connectTimeoutMs = 2_000;
/** The tail of the server log read after a failed recovery. */
const logTailBytesMax = 64 * 1024;
const baseSourcePrefix = 'qenex-pitr base ';
const reportFileName = 'qenex-pitr-wal.jsonl';
const logFileName = 'qenex-pitr-recovery.log';

/** The OS account PostgreSQL runs as, when this process is another (root, say). */
export interface OsAccount {
  readonly uid: number;
  readonly gid: number;
}

// ——— Archiving: what postgresql.conf needs ———

export interface WalArchiveConfig {
  readonly archiveDir: string;
  /** A backup key file; the public half is enough (`backup-key --public-only`). */
  readonly publicKeyFile: string;
}

/** The `archive_command` value: this build's node and tsx with absolute paths (PostgreSQL runs it in its data directory). */
export function walArchiveCommand(config: WalArchiveConfig): string {
  return scriptCommand('pitr-archive.ts', ['%p', '%f', config.archiveDir, config.publicKeyFile]);
}

/** postgresql.conf lines that turn archiving on into `archiveDir` (a restart is needed for archive_mode). */
export function walArchiveSettings(config: WalArchiveConfig & { readonly archiveTimeoutS?: number }): string[] {
  const timeoutS = config.archiveTimeoutS ?? 60;
  if (!Number.isSafeInteger(timeoutS) || timeoutS < 1 || timeoutS > 86_400) throw new Error('archive_timeout is 1 s to a day');
  return ["wal_level = 'replica'", "archive_mode = 'on'", `archive_command = ${confString(walArchiveCommand(config))}`, `archive_timeout = '${timeoutS}s'`];
}

function scriptCommand(script: string, args: readonly string[]): string {
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const scriptPath = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const words = [process.execPath, '--import', tsxLoader, scriptPath].map(shellWord);
  // %p and %f are PostgreSQL's (a relative path and a WAL file name); every other % must be doubled.
  return [...words, ...args.map((arg) => (arg === '%p' || arg === '%f' ? arg : shellWord(arg)))].join(' ');
}

function shellWord(word: string): string {
  if (/[\n\r\0]/.test(word)) throw new Error(`a path in a PostgreSQL command cannot hold a line break: ${JSON.stringify(word)}`);
  const escaped = word.replace(/%/g, '%%');
  return /^[A-Za-z0-9_./:=+@,-]+$/.test(escaped) ? escaped : `'${escaped.replace(/'/g, `'\\''`)}'`;
}

/** A postgresql.conf string: quotes doubled, backslashes escaped. */
function confString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

// ——— Base backups ———

export interface BaseBackupOptions {
  /** A role with REPLICATION (or a superuser); its password goes to pg_basebackup in PGPASSWORD. */
  readonly databaseUrl: string;
  /** Where the file is written: a directory for base backups only (see the file comment). */
  readonly directory: string;
  readonly recipientPublicKey: Uint8Array;
  readonly pgBasebackup?: string;
  readonly onProgress?: (progress: BackupProgress) => void;
}

export interface BaseBackupResult extends WrittenBackup {
  /** From the backup's own backup_label: where recovery from it starts. */
  readonly label: BackupLabel;
  /** From its backup_manifest: the WAL position it is consistent at; a restore reaches no earlier moment. */
  readonly endLsn: string | null;
  /** Whether the server archives WAL: without it this backup restores to its own end only. */
  readonly walArchiving: WalArchiving;
  readonly durationMs: number;
}

export function baseBackupFileName(atMs: number): string {
  return `qenex-base-${new Date(atMs).toISOString().replace(/[-:.]/g, '')}${backupFileSuffix}`;
}

/**
 * One base backup of the whole cluster. Throws on failure, as `backupServerDatabase` does
 * ("pg_basebackup exited with …", a connection error, a write error); nothing is left that looks
 * like a finished backup (writeBackup's `.partial` discipline).
 */
export async function baseBackup(options: BaseBackupOptions): Promise<BaseBackupResult> {
  const startedMs = performance.now();
  await mkdir(options.directory, { recursive: true, mode: 0o700 });
  const { walArchiving, bytesTotalEstimate } = await describeCluster(options.databaseUrl);
  const createdAtMs = Date.now();
  const connection = toolConnection(options.databaseUrl);
  const args = [connection.arg, '--pgdata=-', '--format=tar', '--wal-method=fetch', '--checkpoint=fast', '--no-password', `--label=qenex base ${new Date(createdAtMs).toISOString()}`];
  const tool = spawnTool(options.pgBasebackup ?? 'pg_basebackup', args, { env: { ...process.env, ...(connection.password === null ? {} : { PGPASSWORD: connection.password }) } });
  const watcher = new TarWatcher({ wanted: new Map([['backup_label', backupLabelBytesMax], ['backup_manifest', backupManifestBytesMax]]) });
  async function* watched(): AsyncGenerator<Uint8Array> {
    for await (const chunk of tool.stdout()) {
      watcher.push(chunk);
      yield chunk;
    }
  }
  const written = await writeBackup(watched(), join(options.directory, baseBackupFileName(createdAtMs)), {
    recipientPublicKey: options.recipientPublicKey,
    kind: 'server_base',
    createdAtMs,
    source: `${baseSourcePrefix}${JSON.stringify({ server: redactedUrl(options.databaseUrl).slice(0, 300) })}`,
    bytesTotalEstimate,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const labelBytes = watcher.captured.get('backup_label');
  const label = labelBytes === undefined ? undefined : parseBackupLabel(labelBytes.toString('utf8'));
  if (label === undefined) {
    await rm(written.path, { force: true });
    throw new Error('pg_basebackup wrote no backup_label: its output is not a base backup this build understands');
  }
  const manifest = watcher.captured.get('backup_manifest');
  const endLsn = manifest === undefined ? null : (manifestEndLsn(manifest) ?? null);
  return { ...written, label, endLsn, walArchiving, durationMs: Math.round(performance.now() - startedMs) };
}

async function describeCluster(databaseUrl: string): Promise<{ walArchiving: WalArchiving; bytesTotalEstimate: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const walArchiving = await readWalArchiving(client);
    const { rows } = await client.query<{ bytes: string }>('SELECT coalesce(sum(pg_database_size(oid)), 0)::text AS bytes FROM pg_database');
    return { walArchiving, bytesTotalEstimate: Number(rows[0]!.bytes) };
  } finally {
    await client.end();
  }
}

/** Whether a backup's header says it is a base backup (and not a pg_dump one or archived WAL). */
export function isBaseBackup(header: BackupHeader): boolean {
  return header.kind === 'server_base' && header.source.startsWith(baseSourcePrefix);
}

// ——— Restore to a point in time ———

export interface PointInTimeRestoreOptions {
  readonly baseFile: string;
  readonly archiveDir: string;
  /**
   * The backup key file with its secret half. A file, not a key in memory: PostgreSQL's
   * restore_command (another process, run by PostgreSQL) opens it for every segment.
   */
  readonly keyFile: string;
  /** ISO 8601 with its offset ("2026-12-01T17:30:00.123456Z"), or 'latest': the end of the archive. */
  readonly targetTime: string;
  /** A new data directory (created, mode 0700) or an empty one; its parent must exist. */
  readonly dataDir: string;
  /** The restored server listens on 127.0.0.1 at this port. */
  readonly port: number;
  /** A role of the restored cluster to watch recovery with (a superuser, or one with pg_monitor). */
  readonly user: string;
  readonly password?: string;
  readonly database?: string;
  readonly runAs?: OsAccount;
  /** The directory of pg_ctl and pg_verifybackup; default `pg_config --bindir`, else PATH. */
  readonly pgBin?: string;
  /** unix_socket_directories for the restored server; the source's setting when absent. */
  readonly socketDir?: string;
  readonly recoveryTimeoutMs?: number;
}

export type PointInTimeRestoreCode =
  | BackupRefusalCode
  | 'backup_key_missing'
  | 'backup_key_damaged'
  | 'backup_key_public_only'
  | 'pitr_options_invalid'
  | 'restore_target_not_empty'
  | 'pitr_data_dir_unusable'
  | 'pitr_extract_failed'
  | 'pitr_base_inconsistent'
  | 'pitr_start_failed'
  | 'pitr_recovery_timeout'
  | 'pitr_watch_failed'
  | 'pitr_target_not_reached'
  | 'wal_segment_unreadable'
  | 'wal_archive_gap';

export interface RecoveryPhasesMs {
  /** Reading and authenticating the whole base backup. */
  readonly verifyMs: number;
  /** Decrypting it into the data directory (a second authenticated pass) and pg_verifybackup. */
  readonly extractMs: number;
  /** Starting PostgreSQL, replaying the archive to the target, promotion. */
  readonly replayMs: number;
}

export interface PointInTimeRestored {
  readonly ok: true;
  /** From the call to a promoted server accepting writes. */
  readonly recoveryMs: number;
  readonly phasesMs: RecoveryPhasesMs;
  readonly targetTime: string;
  /** The point of recovery: the commit time of the last transaction replayed (null when none was). */
  readonly pointOfRecovery: string | null;
  readonly pointOfRecoveryAtMs: number | null;
  readonly segmentsRestored: number;
  /** Archived files the restore_command refused that recovery did not need (past the target). */
  readonly segmentsRefused: readonly WalReportLine[];
  readonly label: BackupLabel;
  readonly dataDir: string;
  readonly port: number;
  readonly logFile: string;
}

export interface PointInTimeRefused {
  readonly ok: false;
  readonly code: PointInTimeRestoreCode;
  readonly message: string;
  /** How far replay got before it stopped (the server's log), when it started at all. */
  readonly pointReached?: string | null;
  readonly segmentsRefused?: readonly WalReportLine[];
  readonly logFile?: string;
}

export type PointInTimeRestoreResult = PointInTimeRestored | PointInTimeRefused;

/**
 * Restores `baseFile` into `dataDir` and replays the archive to `targetTime`. On success the
 * restored server is running (promoted, not archiving: turn archiving on, into a new directory,
 * once it is the primary) and `stopCluster` stops it. On a refusal before start nothing is left in
 * `dataDir`; once PostgreSQL has run, the server is stopped and the directory kept for a person
 * to read its log.
 */
export async function restoreToPointInTime(options: PointInTimeRestoreOptions): Promise<PointInTimeRestoreResult> {
  const startedMs = performance.now();
  const invalid = invalidOptions(options);
  if (invalid !== null) return refuse('pitr_options_invalid', invalid);
  const key = loadBackupKey(options.keyFile, { create: false });
  if (!key.ok) return key;
  if (key.key.keyPair === null) return refuse('backup_key_public_only', `${key.key.path} holds the public key only: a restore needs the whole key`);
  const header = await readBackupHeader(options.baseFile).catch(() => null);
  if (header !== null && !isBaseBackup(header)) return refuse('backup_unknown_format', `${options.baseFile} is not a base backup (${header.source.slice(0, 80)}): restore a pg_dump backup with restoreServerDatabase`);
  const prepared = await prepareDataDir(options.dataDir, options.runAs);
  if (!prepared.ok) return prepared;
  const pgBin = options.pgBin ?? (await postgresBinDir());
  const extracted = await extractBase(options, key.key.keyPair, pgBin);
  if (!extracted.ok) {
    await prepared.undo();
    return extracted;
  }
  const extractedMs = performance.now();
  const logFile = await configureRecovery(options, extracted.label);
  const replayed = await replay(options, pgBin, logFile, extracted.label);
  if (!replayed.ok) return replayed;
  const doneMs = performance.now();
  return {
    ok: true,
    recoveryMs: Math.round(doneMs - startedMs),
    phasesMs: { verifyMs: Math.round(extracted.verifiedMs - startedMs), extractMs: Math.round(extractedMs - extracted.verifiedMs), replayMs: Math.round(doneMs - extractedMs) },
    targetTime: options.targetTime,
    pointOfRecovery: replayed.pointOfRecovery,
    pointOfRecoveryAtMs: replayed.pointOfRecovery === null ? null : Date.parse(replayed.pointOfRecovery),
    segmentsRestored: replayed.report.filter((line) => line.event === 'restored').length,
    segmentsRefused: refusedFiles(replayed.report),
    label: extracted.label,
    dataDir: options.dataDir,
    port: options.port,
    logFile,
  };
}

/** Stops a cluster this module started (`immediate` for a drill's copy; `fast` to keep it clean). */
export async function stopCluster(dataDir: string, options: { readonly runAs?: OsAccount; readonly pgBin?: string; readonly mode?: 'fast' | 'immediate' } = {}): Promise<void> {
  const pgBin = options.pgBin ?? (await postgresBinDir());
  const run = await runTool(pgTool(pgBin, 'pg_ctl'), ['--pgdata', dataDir, '--mode', options.mode ?? 'fast', '--wait', 'stop'], { runAs: options.runAs, env: serverEnvironment() });
  if (run.code !== 0 && (await clusterRunning(dataDir, pgBin, options.runAs))) throw new Error(`pg_ctl stop exited with ${run.code}: ${run.stderr}`);
}

/** `pg_config --bindir`, or undefined (the tools are then looked for on PATH). */
export async function postgresBinDir(): Promise<string | undefined> {
  const run = await runTool('pg_config', ['--bindir'], {});
  const dir = run.stdout.trim();
  return run.code === 0 && dir !== '' ? dir : undefined;
}

function invalidOptions(options: PointInTimeRestoreOptions): string | null {
  if (options.targetTime !== 'latest') {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(options.targetTime);
    if (!iso || Number.isNaN(Date.parse(options.targetTime))) return `targetTime ${JSON.stringify(options.targetTime)} is neither ISO 8601 with an offset nor 'latest'`;
  }
  if (!Number.isSafeInteger(options.port) || options.port < 1 || options.port > 65_535) return `port ${options.port} is not a TCP port`;
  const timeoutMs = options.recoveryTimeoutMs ?? recoveryTimeoutMsDefault;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1_000 || timeoutMs > recoveryTimeoutMsMax) return `recoveryTimeoutMs is 1 s to ${recoveryTimeoutMsMax} ms`;
  if (process.getuid?.() === 0 && options.runAs === undefined) return 'PostgreSQL does not run as root: give runAs, the account it runs as';
  return null;
}

type Prepared = { readonly ok: true; readonly undo: () => Promise<void> } | PointInTimeRefused;

async function prepareDataDir(dataDir: string, runAs: OsAccount | undefined): Promise<Prepared> {
  let entries: string[] | null;
  try {
    entries = await readdir(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return refuse('pitr_data_dir_unusable', `${dataDir} cannot be read: ${errorText(error)}`);
    entries = null;
  }
  if (entries !== null && entries.length > 0) return refuse('restore_target_not_empty', `${dataDir} is not empty: restore only into a new or empty directory`);
  try {
    if (entries === null) await mkdir(dataDir, { mode: 0o700 });
    await chmod(dataDir, 0o700);
    if (runAs !== undefined) await chown(dataDir, runAs.uid, runAs.gid);
  } catch (error) {
    return refuse('pitr_data_dir_unusable', `${dataDir} cannot be made a data directory: ${errorText(error)}`);
  }
  const created = entries === null;
  const undo = async () => {
    if (created) await rm(dataDir, { recursive: true, force: true });
    else for (const entry of await readdir(dataDir)) await rm(join(dataDir, entry), { recursive: true, force: true });
  };
  return { ok: true, undo };
}

type Extracted = { readonly ok: true; readonly label: BackupLabel; readonly verifiedMs: number } | PointInTimeRefused;

/** readBackup verifies the whole file before the first byte reaches tar; pg_verifybackup then checks the files against the manifest. */
async function extractBase(options: PointInTimeRestoreOptions, recipient: SealedBoxKeyPair, pgBin: string | undefined): Promise<Extracted> {
  const tar = spawnTool('tar', ['--extract', '--file=-', `--directory=${options.dataDir}`, '--no-same-owner'], { runAs: options.runAs, env: serverEnvironment() });
  const watcher = new TarWatcher({ wanted: new Map([['backup_label', backupLabelBytesMax]]) });
  let verifiedMs = 0;
  const verdict = await readBackup(options.baseFile, recipient, async (chunk) => {
    if (verifiedMs === 0) verifiedMs = performance.now();
    watcher.push(chunk);
    await tar.write(chunk);
  });
  if (!verdict.ok) {
    tar.kill();
    await tar.exited();
    return verdict;
  }
  const exit = await tar.end();
  if (exit.code !== 0) return refuse('pitr_extract_failed', `tar exited with ${exit.code}: ${exit.stderr}`);
  const labelBytes = watcher.captured.get('backup_label');
  const label = labelBytes === undefined ? undefined : parseBackupLabel(labelBytes.toString('utf8'));
  if (label === undefined) return refuse('pitr_base_inconsistent', `${options.baseFile} verifies but holds no backup_label: it is not a base backup`);
  const check = await runTool(pgTool(pgBin, 'pg_verifybackup'), ['--quiet', options.dataDir], { runAs: options.runAs, env: serverEnvironment() });
  if (check.code !== 0) return refuse('pitr_base_inconsistent', `pg_verifybackup finds the extracted backup inconsistent with its manifest: ${check.stderr || check.stdout}`);
  return { ok: true, label, verifiedMs };
}

/**
 * recovery.signal and the recovery settings, appended to postgresql.auto.conf so they win over the
 * source's; the log file's path. A base backup of a cluster that was itself restored carries that
 * restore's settings, report and log: every recovery target is set again (the resets first, since
 * PostgreSQL applies them in order and an empty one unsets whichever target is set), and the old
 * report, log and signal files are removed.
 */
async function configureRecovery(options: PointInTimeRestoreOptions, label: BackupLabel): Promise<string> {
  const logDir = join(options.dataDir, 'log');
  await mkdir(logDir, { recursive: true, mode: 0o700 });
  const reportFile = join(logDir, reportFileName);
  const logFile = join(logDir, logFileName);
  for (const stale of [reportFile, logFile, join(options.dataDir, 'standby.signal')]) await rm(stale, { force: true });
  const restoreCommand = scriptCommand('pitr-restore-wal.ts', ['%f', '%p', options.archiveDir, options.keyFile, reportFile]);
  const target = options.targetTime === 'latest' ? '' : postgresTimestamp(options.targetTime);
  const settings = [
    '',
    `# Point-in-time restore by QENEX (${new Date().toISOString()}): base backup from ${label.startTime}, timeline ${label.startTimeline}, to ${options.targetTime}.`,
    '# The restored server does not archive: it must not write into the archive it was restored from.',
    `restore_command = ${confString(restoreCommand)}`,
    "recovery_target = ''",
    "recovery_target_lsn = ''",
    "recovery_target_name = ''",
    "recovery_target_xid = ''",
    `recovery_target_time = ${confString(target)}`,
    "recovery_target_inclusive = 'on'",
    "recovery_target_action = 'promote'",
    "recovery_target_timeline = 'current'",
    "archive_mode = 'off'",
    `port = ${options.port}`,
    "listen_addresses = '127.0.0.1'",
    ...(options.socketDir === undefined ? [] : [`unix_socket_directories = ${confString(options.socketDir)}`]),
    '',
  ];
  const autoConf = join(options.dataDir, 'postgresql.auto.conf');
  const handle = await open(autoConf, 'a', 0o600);
  try {
    await handle.write(settings.join('\n'));
  } finally {
    await handle.close();
  }
  const signal = join(options.dataDir, 'recovery.signal');
  await writeFile(signal, '', { mode: 0o600 });
  if (options.runAs !== undefined) {
    for (const path of [logDir, autoConf, signal]) await chown(path, options.runAs.uid, options.runAs.gid);
  }
  return logFile;
}

type Replayed = { readonly ok: true; readonly pointOfRecovery: string | null; readonly report: readonly WalReportLine[] } | PointInTimeRefused;

async function replay(options: PointInTimeRestoreOptions, pgBin: string | undefined, logFile: string, label: BackupLabel): Promise<Replayed> {
  const deadlineMs = Date.now() + (options.recoveryTimeoutMs ?? recoveryTimeoutMsDefault);
  const timeoutS = String(Math.max(1, Math.ceil((deadlineMs - Date.now()) / 1000)));
  const start = await runTool(pgTool(pgBin, 'pg_ctl'), ['--pgdata', options.dataDir, '--log', logFile, '--wait', '--timeout', timeoutS, 'start'], { runAs: options.runAs, env: serverEnvironment() });
  const state: RecoveryState =
    start.code === 0 ? await waitForPromotion(options, pgBin, deadlineMs) : (await clusterRunning(options.dataDir, pgBin, options.runAs)) ? { kind: 'timeout' } : { kind: 'exited' };
  const report = await readWalReport(join(options.dataDir, 'log', reportFileName));
  if (state.kind === 'promoted') {
    const refusal = options.targetTime === 'latest' ? await latestRefusal(options, label, report, state.lastReplayedSegment) : null;
    if (refusal === null) return { ok: true, pointOfRecovery: state.pointOfRecovery, report };
    await stopCluster(options.dataDir, { ...optionalRunAs(options.runAs), ...optionalPgBin(pgBin), mode: 'immediate' });
    return { ...refusal, logFile };
  }
  if (await clusterRunning(options.dataDir, pgBin, options.runAs)) await stopCluster(options.dataDir, { ...optionalRunAs(options.runAs), ...optionalPgBin(pgBin), mode: 'immediate' });
  const log = await readTail(logFile);
  const pointReached = [...log.matchAll(/last completed transaction was at log time (.+)$/gm)].at(-1)?.[1]?.trim() ?? null;
  const refused = refusedFiles(report);
  const target = options.targetTime === 'latest' ? 'the end of the archive' : options.targetTime;
  const reached = pointReached === null ? 'no transaction was replayed' : `the last transaction replayed was committed at ${pointReached}`;
  const common = { pointReached, segmentsRefused: refused, logFile };
  if (state.kind === 'unwatchable') return { ok: false, code: 'pitr_watch_failed', message: `recovery cannot be watched as ${options.user} (${state.message}): give a role of the restored cluster and its password; the server was stopped`, ...common };
  if (state.kind === 'timeout') return { ok: false, code: 'pitr_recovery_timeout', message: `recovery did not finish within ${options.recoveryTimeoutMs ?? recoveryTimeoutMsDefault} ms; the server was stopped`, ...common };
  if (refused.length > 0) {
    const first = refused[0]!;
    return { ok: false, code: 'wal_segment_unreadable', message: `recovery stopped at ${first.file}: its archived copy does not verify (${first.code ?? 'refused'}: ${first.message ?? ''}). The target ${target} was NOT reached: ${reached}. The restored server was stopped; ${options.dataDir} is not a restore.`, ...common };
  }
  const gap = await archiveGap(options.archiveDir, label, report);
  if (gap !== null) return { ok: false, code: 'wal_archive_gap', message: `${gap} The target ${target} was NOT reached: ${reached}.`, ...common };
  if (/recovery ended before configured recovery target was reached/.test(log)) {
    return { ok: false, code: 'pitr_target_not_reached', message: `the archive ends before ${target}: ${reached}. Archive the WAL up to the target (pg_switch_wal() on the source) or choose an earlier time.`, ...common };
  }
  return { ok: false, code: 'pitr_start_failed', message: `PostgreSQL stopped before recovery finished (${start.stderr.trim() || 'no message'}); its log ends: ${log.slice(-toolErrorCharsMax)}`, ...common };
}

type RecoveryState =
  | { readonly kind: 'promoted'; readonly pointOfRecovery: string | null; readonly lastReplayedSegment: string | null }
  | { readonly kind: 'exited' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'unwatchable'; readonly message: string };

/** Connection refusals that waiting does not cure: authentication (28…), no such database (3D000). */
function refusedForGood(error: unknown): string | null {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('28') || code === '3D000') ? `${code} ${(error as Error).message}` : null;
}

/** Polls the started server until recovery ends (promoted), it exits, or the deadline passes. */
async function waitForPromotion(options: PointInTimeRestoreOptions, pgBin: string | undefined, deadlineMs: number): Promise<RecoveryState> {
  while (Date.now() < deadlineMs) {
    const client = new pg.Client({ host: '127.0.0.1', port: options.port, user: options.user, password: options.password, database: options.database ?? 'postgres', connectionTimeoutMillis: connectTimeoutMs });
    client.on('error', () => undefined);
    try {
      await client.connect();
      while (Date.now() < deadlineMs) {
        const { rows } = await client.query<{ recovering: boolean; replayed: string | null; segment: string | null }>(
          `SELECT pg_is_in_recovery() AS recovering,
                  to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS replayed,
                  CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_walfile_name(pg_last_wal_replay_lsn()) END AS segment`,
        );
        const row = rows[0]!;
        if (!row.recovering) return { kind: 'promoted', pointOfRecovery: row.replayed, lastReplayedSegment: row.segment };
        await delay(recoveryPollMs);
      }
    } catch (error) {
      const forGood = refusedForGood(error);
      if (forGood !== null) return { kind: 'unwatchable', message: forGood };
      // The server went away (recovery ended short and it shut down) or is between states: look.
      if (!(await clusterRunning(options.dataDir, pgBin, options.runAs))) return { kind: 'exited' };
      await delay(recoveryPollMs);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { kind: 'timeout' };
}

/**
 * With no target time, recovery ends wherever the WAL it gets ends: a refused segment, or one
 * missing while later ones are archived, would promote a shorter history without a word.
 */
async function latestRefusal(options: PointInTimeRestoreOptions, label: BackupLabel, report: readonly WalReportLine[], lastReplayedSegment: string | null): Promise<PointInTimeRefused | null> {
  const refused = refusedFiles(report);
  if (refused.length > 0) {
    const first = refused[0]!;
    return { ok: false, code: 'wal_segment_unreadable', message: `recovery stopped at ${first.file}: its archived copy does not verify (${first.code ?? 'refused'}); the end of the archive was NOT reached. The restored server was stopped.`, segmentsRefused: refused };
  }
  const later = lastReplayedSegment === null ? [] : (await archivedSegments(options.archiveDir, label.startTimeline)).filter((name) => name.slice(8) > lastReplayedSegment.slice(8));
  if (later.length === 0) return null;
  return {
    ok: false,
    code: 'wal_archive_gap',
    message: `recovery ended in segment ${lastReplayedSegment!.slice(8)}, but the archive holds later ones (${later[0]}…): a segment between is missing, and the end of the archive was NOT reached. The restored server was stopped.`,
  };
}

async function archiveGap(archiveDir: string, label: BackupLabel, report: readonly WalReportLine[]): Promise<string | null> {
  const timeline = timelineHex(label.startTimeline);
  const missing = report.filter((line) => line.event === 'missing' && isWalSegmentName(line.file) && line.file.startsWith(timeline)).map((line) => line.file);
  const archived = await archivedSegments(archiveDir, label.startTimeline);
  for (const name of missing) {
    const later = archived.find((other) => other > name);
    if (later !== undefined) return `the archive lacks ${name} but holds later segments (${later}…): WAL between was lost, so nothing after ${name} can be replayed.`;
  }
  return null;
}

async function archivedSegments(archiveDir: string, timeline: number): Promise<string[]> {
  const prefix = timelineHex(timeline);
  const names = await readdir(archiveDir).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith(walArchiveSuffix))
    .map((name) => name.slice(0, -walArchiveSuffix.length))
    .filter((name) => isWalSegmentName(name) && name.startsWith(prefix))
    .sort();
}

/**
 * The target as PostgreSQL reads it when it loads its configuration at start, before time zone
 * abbreviations are loaded: a numeric offset, never "Z" ("2026-12-01 17:30:00.123456+00:00").
 */
function postgresTimestamp(iso: string): string {
  return iso.replace('T', ' ').replace(/Z$/, '+00:00');
}

/** The files the restore_command refused, each once (PostgreSQL asks again for a file it could not have). */
function refusedFiles(report: readonly WalReportLine[]): WalReportLine[] {
  const seen = new Set<string>();
  return report.filter((line) => line.event === 'refused' && !seen.has(line.file) && seen.add(line.file) !== undefined);
}

function timelineHex(timeline: number): string {
  return timeline.toString(16).toUpperCase().padStart(8, '0');
}

async function clusterRunning(dataDir: string, pgBin: string | undefined, runAs: OsAccount | undefined): Promise<boolean> {
  // pg_ctl status: 0 running, 3 not running, 4 no data directory.
  const run = await runTool(pgTool(pgBin, 'pg_ctl'), ['--pgdata', dataDir, 'status'], { runAs, env: serverEnvironment() });
  return run.code === 0;
}

async function readTail(path: string): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, logTailBytesMax);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

// ——— Child processes ———

function pgTool(pgBin: string | undefined, name: string): string {
  return pgBin === undefined ? name : join(pgBin, name);
}

/** PostgreSQL and its commands get a plain environment: none of this process's (NODE_OPTIONS, a test runner's, secrets). */
function serverEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...(process.env.TZ === undefined ? {} : { TZ: process.env.TZ }) };
}

interface ToolOptions {
  readonly runAs?: OsAccount | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

async function runTool(command: string, args: readonly string[], options: ToolOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  const tool = spawnTool(command, args, options);
  let stdout = '';
  for await (const chunk of tool.output()) stdout = (stdout + Buffer.from(chunk).toString('utf8')).slice(-toolErrorCharsMax);
  const exit = await tool.exited();
  return { code: exit.code, stdout, stderr: exit.stderr };
}

/**
 * A child process whose failures become values (as server-backup.ts's, which it does not export):
 * its exit code and the tail of its standard error; run as `runAs` when given.
 */
function spawnTool(command: string, args: readonly string[], options: ToolOptions) {
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.runAs === undefined ? {} : { uid: options.runAs.uid, gid: options.runAs.gid }),
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-toolErrorCharsMax);
  });
  let spawnError: Error | null = null;
  child.on('error', (error) => {
    spawnError = error;
  });
  child.stdin.on('error', () => undefined);
  const exit = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code: spawnError === null ? (code ?? 1) : 127, stderr: spawnError === null ? stderr.trim() : String(spawnError) }));
  });
  return {
    /** Standard output, failing at its end when the tool failed (a half backup is never a backup). */
    async *stdout(): AsyncGenerator<Uint8Array> {
      child.stdin.end();
      for await (const chunk of child.stdout) yield chunk as Buffer;
      const { code, stderr: message } = await exit;
      if (code !== 0) throw new Error(`${command} exited with ${code}: ${message}`);
    },
    /** Standard output, whatever the exit. */
    async *output(): AsyncGenerator<Uint8Array> {
      child.stdin.end();
      for await (const chunk of child.stdout) yield chunk as Buffer;
    },
    async write(chunk: Buffer): Promise<void> {
      if (child.exitCode !== null || spawnError !== null) return;
      if (!child.stdin.write(chunk)) await Promise.race([new Promise((resolve) => child.stdin.once('drain', resolve)), exit]);
    },
    async end(): Promise<{ code: number; stderr: string }> {
      child.stdin.end();
      child.stdout.resume();
      return exit;
    },
    kill(): void {
      child.kill('SIGKILL');
    },
    exited: () => exit,
  };
}

function optionalRunAs(runAs: OsAccount | undefined): { runAs?: OsAccount } {
  return runAs === undefined ? {} : { runAs };
}

function optionalPgBin(pgBin: string | undefined): { pgBin?: string } {
  return pgBin === undefined ? {} : { pgBin };
}

function refuse(code: PointInTimeRestoreCode, message: string): PointInTimeRefused {
  return { ok: false, code, message };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}

