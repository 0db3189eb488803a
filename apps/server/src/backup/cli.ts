/**
 * The backup commands of `npm run server:admin -- <command>`, and the one backup job the server's
 * schedule runs as well (`runBackup`):
 *
 *   backup [--dir DIR]              one encrypted backup now, then retention; progress on stderr
 *   backups [--dir DIR]             the backups kept, newest first, and whether each header reads
 *   backup-key [--public-only]      the backup key's id and public half (made on first use); with
 *                                   --public-only, a key file that can take backups but never restore
 *   restore --file F --database-url URL
 *                                   the whole file verified, then pg_restore into URL, an empty database
 *   restore-drill [--file F] [--admin-url URL]
 *                                   the backup (default: the newest) restored into a temporary
 *                                   database, proven against the live books, then dropped
 *
 * Every refusal is a code with what to do about it (exit 1); a usage error exits 2. What is printed
 * never includes the backup key's seed or a database password.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { AccountFlags, auditAnchorsSuppliedMax, encodeBase64url, Engine, RandomIds, systemClock, type Account, type AuditAnchor, type LedgerStore, type SealedBoxKeyPair } from '@qenex/engine';
import { PostgresStorage } from '@qenex/engine/postgres';
import { auditAnchorsFile, readAnchorLines } from '../audit-anchors';
import type { ServerConfig } from '../config';
import { readServerKeys } from '../server-keys';
import { loadBackupKey, publicKeyFile, type BackupKey, type BackupKeyRefusal } from './backup-key';
import { proveRestored, writesAfter, type AccountBalances, type Books, type DrillProof } from './drill';
import { readBackupHeader, type BackupHeader } from '@qenex/engine/node';
import type { RetentionPolicy } from '@qenex/engine/node';
import { BackupSchedule, systemTimer, type BackupScheduleEvent } from '@qenex/engine/node';
import { backupFileSuffix, backupServerDatabase, redactedUrl, restoreServerDatabase, type RestoreRefusalCode, type WalArchiving } from './server-backup';

/** Files of a backup directory looked at; retention keeps 30 by default, so this is never reached in use. */
export const backupsListedMax = 10_000;
/** Accounts and anchors read per storage round trip in the drill. */
const drillReadPageMax = 500;
/** A terminal's progress line is redrawn at most this often… */
export const progressRedrawMsMin = 100;
/** …and a log (stderr not a terminal) gets a progress line at most this often. */
export const progressLineMsMin = 2_000;
const dayMs = 24 * 60 * 60 * 1000;

/** Where a command writes: stdout for its result, stderr for progress and refusals. */
export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly out: CliStream;
  readonly err: CliStream;
}

export type BackupFailureCode = 'backup_database_unreachable' | 'backup_dump_failed' | 'backup_write_failed' | 'backup_failed';

export type BackupCliCode =
  | RestoreRefusalCode
  | BackupKeyRefusal['code']
  | BackupFailureCode
  | 'backup_key_public_only'
  | 'backup_needs_postgres'
  | 'backup_none'
  | 'restore_target_unreachable'
  | 'drill_database_not_created'
  | 'drill_failed';

/** What the operator does next, per refusal: every code has its answer (the switch is exhaustive). */
export function whatToDo(code: BackupCliCode): string {
  switch (code) {
    case 'backup_truncated':
      return 'the file was cut short (a copy or transfer that did not finish, or a full disk): copy it again from where backups are kept, or restore an older one (`backups` lists them)';
    case 'backup_corrupted':
    case 'backup_length_mismatch':
    case 'backup_hash_mismatch':
      return 'the file was changed after it was written: take another copy of it, or restore an older backup; do not use this one';
    case 'backup_wrong_key':
      return 'this backup was sealed to another backup key: set QENEX_BACKUP_KEY_FILE to the key file whose id the refusal names';
    case 'backup_unknown_format':
      return 'this is not a backup this build can read (or not a server backup, or no file at that path): check --file';
    case 'restore_target_not_empty':
      return 'restore only into a new database: CREATE DATABASE <name> TEMPLATE template0, then give its URL to --database-url';
    case 'restore_target_unreachable':
      return 'the target database could not be reached: check the URL, that it exists (CREATE DATABASE … TEMPLATE template0) and that the role may connect';
    case 'restore_failed':
      return 'pg_restore failed (its message is above); it ran in one transaction, so the target is as it was: fix the cause (a pg_restore older than the dump, rights on the target) and run restore again';
    case 'backup_key_missing':
      return 'a restore needs the backup key that sealed the backup: put its file at QENEX_BACKUP_KEY_FILE (a backup makes a new key on first use; a restore never does)';
    case 'backup_key_damaged':
      return 'restore the key file from the copy kept away from the server; without that key the backups cannot be opened';
    case 'backup_key_public_only':
      return 'this key file holds only the public half (enough for backups): run the restore where the whole key file is kept';
    case 'backup_needs_postgres':
      return 'backups are taken with pg_dump from a PostgreSQL server: set DATABASE_URL (the embedded PGlite database is for trials; stop the server and copy its data directory instead)';
    case 'backup_none':
      return 'no server backup was found in the backup directory: take one with `backup`, or name one with --file';
    case 'drill_database_not_created':
      return 'the drill restores into a temporary database: give DATABASE_URL a role with CREATEDB, or --admin-url of a server where it may create one';
    case 'drill_failed':
      return 'the restored books do not prove out (the lines above say how): keep this backup and the source as they are, and investigate before relying on either';
    case 'backup_database_unreachable':
      return 'check DATABASE_URL, that PostgreSQL is running, and that the role may connect; the next scheduled backup tries again';
    case 'backup_dump_failed':
      return 'pg_dump failed (its message says why): install the PostgreSQL client tools of the server\'s major version or newer, and check the role may read every table';
    case 'backup_write_failed':
      return 'the backup directory could not be written (full, read-only or not ours): free space or fix QENEX_BACKUP_DIR; no partial file is left as a backup';
    case 'backup_failed':
      return 'see the message; the next scheduled backup tries again';
    default: {
      const unknown: never = code;
      return unknown;
    }
  }
}

function refuse(io: CliIo, what: string, code: BackupCliCode, message: string): number {
  io.err.write(`${what} refused: ${code}: ${message}\nwhat to do: ${whatToDo(code)}\n`);
  return 1;
}

// ---- arguments ----------------------------------------------------------------------------------

type Options = ReadonlyMap<string, string>;

/** `--name value` pairs and bare `--flag`s, each allowed once; anything else is a usage error. */
export function parseOptions(args: readonly string[], valued: readonly string[], flags: readonly string[] = []): Options | string {
  const options = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (options.has(name)) return `${arg} is given twice`;
    if (flags.includes(name)) options.set(name, 'true');
    else if (valued.includes(name)) {
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--')) return `${arg} needs a value`;
      options.set(name, value);
      index += 1;
    } else return `unknown argument ${arg}`;
  }
  return options;
}

export function usage(io: CliIo, command: string, problem: string, form: string): number {
  io.err.write(`${command}: ${problem}\nusage: npm run server:admin -- ${form}\n`);
  return 2;
}

// ---- progress -----------------------------------------------------------------------------------

/** One line redrawn in place on a terminal; plain lines, fewer of them, in a log. */
export class ProgressLine {
  private lastMs = -Infinity;

  constructor(
    private readonly stream: CliStream,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  update(text: string): void {
    const tty = this.stream.isTTY === true;
    const now = this.nowMs();
    if (now - this.lastMs < (tty ? progressRedrawMsMin : progressLineMsMin)) return;
    this.lastMs = now;
    this.stream.write(tty ? `\r${text}\x1b[K` : `${text}\n`);
  }

  finish(text: string): void {
    this.stream.write(this.stream.isTTY === true ? `\r${text}\x1b[K\n` : `${text}\n`);
  }
}

/** Elapsed time on the progress line while `work` runs (for steps that report nothing themselves). */
async function withElapsed<T>(progress: ProgressLine, label: string, work: () => Promise<T>): Promise<T> {
  const startedMs = performance.now();
  const draw = () => progress.update(`${label} ${seconds(performance.now() - startedMs)}`);
  draw();
  const ticker = setInterval(draw, progressRedrawMsMin * 5);
  try {
    return await work();
  } finally {
    clearInterval(ticker);
    progress.finish(`${label} ${seconds(performance.now() - startedMs)}`);
  }
}

// ---- the backup job -----------------------------------------------------------------------------

export interface BackupSettings {
  readonly databaseUrl: string;
  /** The books' schema (tests give each server its own); the whole database when absent. */
  readonly schema?: string | undefined;
  readonly directory: string;
  readonly recipientPublicKey: Uint8Array;
  readonly retention: RetentionPolicy;
}

export type BackupOutcome =
  | {
      readonly ok: true;
      readonly file: string;
      readonly fileBytes: number;
      /** Of the file as stored (what `sha256sum` prints for it, to check copies). */
      readonly fileSha256: string;
      readonly snapshotAtMs: number;
      readonly dumpBytes: number;
      readonly records: number;
      readonly deleted: readonly string[];
      readonly walArchiving: WalArchiving;
      readonly pointInTimeRecovery: boolean;
    }
  | { readonly ok: false; readonly code: BackupFailureCode; readonly message: string };

export function retentionOf(config: ServerConfig): RetentionPolicy {
  return { keptMax: config.backupsKeptMax, ageMaxMs: config.backupAgeMaxDays * dayMs };
}

/** One backup and retention; every failure a value with its code (the schedule logs it and goes on). */
export async function runBackup(settings: BackupSettings, onProgress?: (progress: { bytesDone: number; records: number }) => void): Promise<BackupOutcome> {
  let records = 0;
  try {
    const written = await backupServerDatabase({
      databaseUrl: settings.databaseUrl,
      schema: settings.schema,
      directory: settings.directory,
      recipientPublicKey: settings.recipientPublicKey,
      retention: settings.retention,
      // One call per record written (writeBackup reports after each).
      onProgress: ({ bytesDone }) => {
        records += 1;
        onProgress?.({ bytesDone, records });
      },
    });
    return {
      ok: true,
      file: written.path,
      fileBytes: written.fileBytes,
      fileSha256: await fileSha256(written.path),
      snapshotAtMs: written.header.createdAtMs,
      dumpBytes: written.trailer.plaintextBytes,
      records: written.trailer.chunks,
      deleted: written.deleted,
      walArchiving: written.walArchiving,
      pointInTimeRecovery: written.walArchiving.pointInTimeRecovery,
    };
  } catch (error) {
    return { ok: false, code: failureCode(error), message: error instanceof Error ? error.message : String(error) };
  }
}

const writeErrors: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EMFILE']);
const connectErrors: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** Cannot reach or enter the database: a socket error, or PostgreSQL's classes 08 (connection), 28 (authorization), 3D000 (no such database). */
function isConnectError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (connectErrors.has(code) || /^(08|28)...$/.test(code) || code === '3D000');
}

function failureCode(error: unknown): BackupFailureCode {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && writeErrors.has(code)) return 'backup_write_failed';
  if (isConnectError(error)) return 'backup_database_unreachable';
  // server-backup.ts's tool wrapper: "pg_dump exited with <code>: <its stderr>".
  if (error instanceof Error && /^pg_dump exited with /.test(error.message)) return 'backup_dump_failed';
  return 'backup_failed';
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// ---- the server's schedule ----------------------------------------------------------------------

export type ServerBackupEvent = BackupScheduleEvent | { readonly kind: 'backup_key_created'; readonly file: string; readonly keyId: string };

/**
 * The schedule the server runs (QENEX_BACKUP_INTERVAL): `runBackup` every interval into the backup
 * directory. The key is loaded (made on first use) when this is called, so a bad key file stops the
 * start-up rather than the first backup hours later; nothing is reported before `start`.
 */
export function serverBackupSchedule(
  config: ServerConfig,
  options: { readonly schema?: string | undefined; readonly report: (event: ServerBackupEvent) => void },
): { start(): Promise<void>; stop(): Promise<void> } | null {
  const { backupIntervalMs: intervalMs, databaseUrl } = config;
  if (intervalMs === null || databaseUrl === null) return null;
  const loaded = loadBackupKey(config.backupKeyFile, { create: true });
  if (!loaded.ok) throw new Error(`${loaded.message}: ${whatToDo(loaded.code)}`);
  const { key } = loaded;
  const directory = resolve(config.backupDir);
  const settings: BackupSettings = { databaseUrl, schema: options.schema, directory, recipientPublicKey: key.publicKey, retention: retentionOf(config) };
  const schedule = new BackupSchedule({
    intervalMs,
    run: () => runBackup(settings),
    report: options.report,
    lastBackupAtMs: () => newestBackupAtMs(directory),
    nowMs: Date.now,
    timer: systemTimer,
  });
  return {
    async start() {
      if (key.created) options.report({ kind: 'backup_key_created', file: key.path, keyId: key.keyId });
      await schedule.start();
    },
    stop: () => schedule.stop(),
  };
}

/** A log line for each event: its level and words (the event's fields go beside them). */
export function describeBackupEvent(event: ServerBackupEvent): { readonly level: 'info' | 'warn' | 'error'; readonly message: string } {
  switch (event.kind) {
    case 'backup_key_created':
      return { level: 'warn', message: `a new backup key was made in ${event.file}: keep a copy of it away from this server, or no backup can be restored` };
    case 'backup_scheduled':
      return { level: 'info', message: `backups every ${interval(event.intervalMs)}; the next at ${iso(event.nextAtMs)}` };
    case 'backup_done':
      return { level: 'info', message: `backup written: ${event.file}, ${formatBytes(event.fileBytes)} in ${seconds(event.durationMs)}${event.deleted.length === 0 ? '' : `; ${event.deleted.length} expired backup(s) deleted`}` };
    case 'backup_failed':
      return { level: 'error', message: `backup failed (${event.code}) after ${seconds(event.durationMs)}: ${event.message}` };
    case 'backup_skipped':
      return { level: 'warn', message: `backup skipped: the previous one has run for ${seconds(event.runningForMs)} (QENEX_BACKUP_INTERVAL shorter than a backup takes?)` };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

// ---- the backup directory -----------------------------------------------------------------------

export interface ListedBackup {
  readonly name: string;
  readonly path: string;
  readonly fileBytes: number;
  readonly modifiedAtMs: number;
  /** Null when the header does not read: not a backup of ours, or cut inside its header. */
  readonly header: BackupHeader | null;
  /** A `.partial` file: a backup being written now, or one a crash abandoned. */
  readonly partial: boolean;
}

/** The directory's backups (and unfinished ones), newest first; a missing directory has none. */
export async function listBackups(directory: string): Promise<{ backups: ListedBackup[]; notListed: number }> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith(backupFileSuffix) || name.endsWith(`${backupFileSuffix}.partial`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { backups: [], notListed: 0 };
    throw error;
  }
  const listed = names.sort().reverse().slice(0, backupsListedMax);
  const backups: ListedBackup[] = [];
  for (const name of listed) {
    const path = join(directory, name);
    const info = await stat(path).catch(() => null);
    if (info === null || !info.isFile()) continue;
    const header = await readBackupHeader(path).catch(() => null);
    backups.push({ name, path, fileBytes: info.size, modifiedAtMs: info.mtimeMs, header, partial: name.endsWith('.partial') });
  }
  const atMs = (backup: ListedBackup) => backup.header?.createdAtMs ?? backup.modifiedAtMs;
  backups.sort((left, right) => atMs(right) - atMs(left) || right.name.localeCompare(left.name));
  return { backups, notListed: names.length - listed.length };
}

/** When the newest finished server backup was taken; null when there is none (the schedule's first turn). */
export async function newestBackupAtMs(directory: string): Promise<number | null> {
  const { backups } = await listBackups(directory);
  return backups.find((backup) => !backup.partial && backup.header?.kind === 'server')?.header?.createdAtMs ?? null;
}

// ---- commands -----------------------------------------------------------------------------------

/** The key for taking backups: made on first use, and said so (with where its copy must go). */
export function backupKeyForBackups(config: ServerConfig, io: CliIo): BackupKey | number {
  const loaded = loadBackupKey(config.backupKeyFile, { create: true });
  if (!loaded.ok) return refuse(io, 'backup', loaded.code, loaded.message);
  if (loaded.key.created) {
    io.err.write(
      `a new backup key was made in ${loaded.key.path} (key id ${loaded.key.keyId}).\n` +
        'Keep a copy of that file away from this server: without it no backup can be restored.\n',
    );
  }
  return loaded.key;
}

/** The key for a restore: the whole pair, from an existing file only. */
function backupKeyForRestore(config: ServerConfig, io: CliIo, what: string): SealedBoxKeyPair | number {
  const loaded = loadBackupKey(config.backupKeyFile, { create: false });
  if (!loaded.ok) return refuse(io, what, loaded.code, loaded.message);
  if (loaded.key.keyPair === null) return refuse(io, what, 'backup_key_public_only', `${loaded.key.path} holds the public key only`);
  return loaded.key.keyPair;
}

export async function backupCommand(config: ServerConfig, args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(args, ['dir']);
  if (typeof options === 'string') return usage(io, 'backup', options, 'backup [--dir DIR]');
  if (config.databaseUrl === null) return refuse(io, 'backup', 'backup_needs_postgres', 'DATABASE_URL is not set');
  const key = backupKeyForBackups(config, io);
  if (typeof key === 'number') return key;
  const directory = resolve(options.get('dir') ?? config.backupDir);
  const progress = new ProgressLine(io.err);
  const startedMs = performance.now();
  const line = (bytesDone: number, records: number) => `backup: ${formatBytes(bytesDone)} dumped and encrypted, ${records} record(s), ${seconds(performance.now() - startedMs)}`;
  progress.update(line(0, 0));
  const outcome = await runBackup({ databaseUrl: config.databaseUrl, directory, recipientPublicKey: key.publicKey, retention: retentionOf(config) }, ({ bytesDone, records }) =>
    progress.update(line(bytesDone, records)),
  );
  if (!outcome.ok) {
    progress.finish(`backup: failed after ${seconds(performance.now() - startedMs)}`);
    return refuse(io, 'backup', outcome.code, outcome.message);
  }
  progress.finish(line(outcome.dumpBytes, outcome.records));
  const retention = retentionOf(config);
  io.out.write(
    table([
      ['backup', outcome.file],
      ['size', `${outcome.fileBytes.toLocaleString('en-US')} bytes (${formatBytes(outcome.fileBytes)}); a dump of ${formatBytes(outcome.dumpBytes)} in ${outcome.records} record(s)`],
      ['SHA-256', `${outcome.fileSha256} (of the file, as sha256sum prints it)`],
      ['point of recovery', `${iso(outcome.snapshotAtMs)} (the snapshot: writes after it are not in this backup)`],
      ['WAL archiving', describeWal(outcome.walArchiving)],
      ['key', `${key.keyId} (${key.path})`],
      ['retention', `the newest ${retention.keptMax} kept, none older than ${config.backupAgeMaxDays} days; deleted: ${outcome.deleted.length === 0 ? 'none' : outcome.deleted.join(', ')}`],
    ]),
  );
  return 0;
}

export async function backupsCommand(config: ServerConfig, args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(args, ['dir']);
  if (typeof options === 'string') return usage(io, 'backups', options, 'backups [--dir DIR]');
  const directory = resolve(options.get('dir') ?? config.backupDir);
  const { backups, notListed } = await listBackups(directory);
  // Only to say which key opens each: a listing never makes a key.
  const loaded = loadBackupKey(config.backupKeyFile, { create: false });
  const keyId = loaded.ok ? loaded.key.keyId : null;
  if (backups.length === 0) {
    io.out.write(`no backups in ${directory}\n`);
    return 0;
  }
  const rows = backups.map((backup) => {
    const header = backup.header;
    const state = backup.partial ? 'unfinished (being written, or abandoned by a crash)' : header === null ? 'HEADER DOES NOT READ: not a backup of ours, or cut short' : 'header reads';
    const key = header === null ? '' : keyId === null ? `key ${header.recipientKeyId.slice(0, 16)}…` : header.recipientKeyId === keyId ? 'this key' : `ANOTHER KEY ${header.recipientKeyId.slice(0, 16)}…`;
    return [header === null ? `${iso(backup.modifiedAtMs)} (file time)` : iso(header.createdAtMs), formatBytes(backup.fileBytes), header?.kind ?? '?', state, key, backup.name];
  });
  io.out.write(`backups in ${directory}, newest first (a header that reads is not a verified backup: restore-drill verifies one)\n`);
  io.out.write(columns([['point of recovery', 'size', 'kind', 'state', 'key', 'file'], ...rows]));
  if (notListed > 0) io.out.write(`(${notListed} more not listed: over ${backupsListedMax} files)\n`);
  return 0;
}

export async function backupKeyCommand(config: ServerConfig, args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(args, [], ['public-only']);
  if (typeof options === 'string') return usage(io, 'backup-key', options, 'backup-key [--public-only]');
  const key = backupKeyForBackups(config, io);
  if (typeof key === 'number') return key;
  if (options.has('public-only')) {
    io.out.write(publicKeyFile(key));
    return 0;
  }
  io.out.write(
    table([
      ['key file', `${key.path} (${key.keyPair === null ? 'public half only: backups, no restores' : 'the whole key: keep a copy away from this server'})`],
      ['key id', `${key.keyId} (SHA-256 of the public key; each backup's header names it)`],
      ['public key', encodeBase64url(key.publicKey)],
    ]),
  );
  return 0;
}

export async function restoreCommand(config: ServerConfig, args: readonly string[], io: CliIo): Promise<number> {
  const form = 'restore --file FILE --database-url postgres://…/<new empty database>';
  const options = parseOptions(args, ['file', 'database-url']);
  if (typeof options === 'string') return usage(io, 'restore', options, form);
  const file = options.get('file');
  const targetUrl = options.get('database-url');
  if (file === undefined || targetUrl === undefined) return usage(io, 'restore', 'both --file and --database-url are needed', form);
  if (!/^postgres(ql)?:\/\//.test(targetUrl)) return usage(io, 'restore', '--database-url must be a postgres:// URL', form);
  const key = backupKeyForRestore(config, io, 'restore');
  if (typeof key === 'number') return key;
  const progress = new ProgressLine(io.err);
  const startedMs = performance.now();
  const size = await stat(file).then((info) => formatBytes(info.size), () => 'missing');
  const result = await withElapsed(progress, `restore: verifying the whole backup (${size}), then pg_restore into ${redactedUrl(targetUrl)}…`, () =>
    restoreOrRefuse(file, key, targetUrl),
  );
  const recoveryMs = Math.round(performance.now() - startedMs);
  if (!result.ok) {
    refuse(io, 'restore', result.code, result.message);
    io.err.write(`nothing was restored into ${redactedUrl(targetUrl)}\n`);
    return 1;
  }
  io.out.write(
    table([
      ['restored', `${resolve(file)} into ${redactedUrl(targetUrl)}`],
      ['point of recovery', iso(result.snapshotAtMs)],
      ['dump', formatBytes(result.plaintextBytes)],
      ['recovery time', `${recoveryMs} ms (the whole file verified, then pg_restore)`],
      ['next', 'with DATABASE_URL set to it: `audit-verify` and `totals`, then start the server on it'],
    ]),
  );
  return 0;
}

export async function restoreDrillCommand(config: ServerConfig, args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(args, ['file', 'admin-url', 'dir']);
  if (typeof options === 'string') return usage(io, 'restore-drill', options, 'restore-drill [--file FILE] [--dir DIR] [--admin-url URL]');
  const sourceUrl = config.databaseUrl;
  if (sourceUrl === null) return refuse(io, 'restore drill', 'backup_needs_postgres', 'DATABASE_URL is not set: the drill compares with the books it names');
  const key = backupKeyForRestore(config, io, 'restore drill');
  if (typeof key === 'number') return key;
  let file = options.get('file');
  if (file === undefined) {
    const directory = resolve(options.get('dir') ?? config.backupDir);
    const newest = (await listBackups(directory)).backups.find((backup) => !backup.partial && backup.header?.kind === 'server');
    if (newest === undefined) return refuse(io, 'restore drill', 'backup_none', `no finished server backup in ${directory}`);
    file = newest.path;
  }
  const progress = new ProgressLine(io.err);
  const adminUrl = options.get('admin-url') ?? sourceUrl;
  const target = await createDrillDatabase(adminUrl).catch((error: unknown) => error as Error);
  if (target instanceof Error) return refuse(io, 'restore drill', 'drill_database_not_created', target.message);
  try {
    return await drill({ config, sourceUrl, file, key, targetUrl: target.url, progress, io });
  } finally {
    const dropped = await dropDrillDatabase(adminUrl, target.name).then(() => null, (error: unknown) => error as Error);
    if (dropped !== null) io.err.write(`restore drill: the temporary database ${target.name} could not be dropped (${dropped.message}): drop it by hand\n`);
  }
}

type Restored = { readonly ok: true; readonly snapshotAtMs: number; readonly plaintextBytes: number } | { readonly ok: false; readonly code: BackupCliCode; readonly message: string };

/** restoreServerDatabase, with a target it cannot reach (it throws then) as a refusal too. */
async function restoreOrRefuse(file: string, recipient: SealedBoxKeyPair, targetUrl: string): Promise<Restored> {
  try {
    return await restoreServerDatabase({ file, recipient, targetUrl });
  } catch (error) {
    return { ok: false, code: isConnectError(error) ? 'restore_target_unreachable' : 'restore_failed', message: error instanceof Error ? error.message : String(error) };
  }
}

// ---- the drill ----------------------------------------------------------------------------------

interface DrillRun {
  readonly config: ServerConfig;
  readonly sourceUrl: string;
  readonly file: string;
  readonly key: SealedBoxKeyPair;
  readonly targetUrl: string;
  readonly progress: ProgressLine;
  readonly io: CliIo;
}

async function drill(run: DrillRun): Promise<number> {
  const { io, progress } = run;
  const startedMs = performance.now();
  const restore = await withElapsed(progress, `restore drill: verifying ${run.file}, then pg_restore into a temporary database…`, () =>
    restoreOrRefuse(run.file, run.key, run.targetUrl),
  );
  if (!restore.ok) {
    refuse(io, 'restore drill', restore.code, restore.message);
    io.err.write('restore drill FAILED: the backup could not be restored\n');
    return 1;
  }
  const restored = await PostgresStorage.open({ connectionString: run.targetUrl, max: 1, idleTimeoutMillis: 0 });
  const restoredMs = performance.now();
  const source = await PostgresStorage.open({ connectionString: run.sourceUrl, max: 1, idleTimeoutMillis: 0 });
  try {
    progress.finish('restore drill: proving the restored books against the source at the point of recovery…');
    const serverKeys = readServerKeys(run.config.serverKeysFile);
    const atRecovery = await booksAtRecoveryPoint(source, restored);
    const anchors = await keptAnchors(source, auditAnchorsFile(run.config.dataDir), atRecovery.books.auditSeq);
    const engine = new Engine({ storage: restored, clock: systemClock, ids: new RandomIds(systemClock), ...(serverKeys === null ? {} : { serverKeys }) });
    let proof: DrillProof;
    try {
      proof = await proveRestored(atRecovery.books, engine, restored, anchors, atRecovery.accountIds);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const hint = serverKeys === null ? ` (no server key file at ${run.config.serverKeysFile}: the anchors' signatures cannot be checked without it)` : '';
      return refuse(io, 'restore drill', 'drill_failed', `${reason}${hint}`);
    }
    const provedMs = performance.now();
    const lost = await writesAfter(source, proof.audit.count);
    io.out.write(
      drillReport({
        file: run.file,
        snapshotAtMs: restore.snapshotAtMs,
        restoreMs: restoredMs - startedMs,
        proofMs: provedMs - restoredMs,
        proof,
        notCompared: atRecovery.notCompared.length,
        anchorsGiven: anchors.length,
        ...lost,
      }),
    );
    if (!proof.ok) io.err.write(`restore drill FAILED\nwhat to do: ${whatToDo('drill_failed')}\n`);
    return proof.ok ? 0 : 1;
  } finally {
    await source.close();
    await restored.close();
  }
}

interface DrillReport {
  readonly file: string;
  readonly snapshotAtMs: number;
  readonly restoreMs: number;
  readonly proofMs: number;
  readonly proof: DrillProof;
  readonly notCompared: number;
  readonly anchorsGiven: number;
  readonly writesLost: number;
  readonly lastWriteAtMs: number;
}

function drillReport(report: DrillReport): string {
  const { proof } = report;
  const balances =
    proof.accountMismatchCount === 0
      ? `${proof.accountsCompared} accounts, every one equal to the source's at the point of recovery`
      : `${proof.accountMismatchCount} of ${proof.accountsCompared} accounts DIFFER: ${proof.accountMismatches.join('; ')}`;
  const notCompared = report.notCompared === 0 ? '' : ` (${report.notCompared} account(s) without balance history that moved since were not compared)`;
  const audit = proof.audit;
  const vouched = proof.anchoredSeq === null ? (report.anchorsGiven === 0 ? 'no signed anchor covers it' : 'NO kept anchor agrees with it') : `vouched for by the signed anchor of record ${proof.anchoredSeq}`;
  const chain = audit.intact ? `intact: ${audit.count} records, head ${audit.hash.slice(0, 16)}…; ${vouched}` : `BROKEN: ${JSON.stringify(audit.break)}`;
  const lostAfterMs = Math.max(0, report.lastWriteAtMs - report.snapshotAtMs);
  const lost = report.writesLost === 0 ? 'nothing: the source has made no write since the point of recovery' : `${report.writesLost} write(s) since the point of recovery (audit records: every command, accepted or refused), the last at ${iso(report.lastWriteAtMs)}, ${seconds(lostAfterMs)} after it`;
  return table([
    ['restore drill', resolve(report.file)],
    ['point of recovery', `${iso(report.snapshotAtMs)} (the backup's snapshot)`],
    ['recovery time', `${Math.round(report.restoreMs + report.proofMs)} ms (${Math.round(report.restoreMs)} ms to verify, restore and open; ${Math.round(report.proofMs)} ms to prove the books)`],
    ['balances', `${balances}${notCompared}`],
    ['ledgers', `${proof.ledgers}, ${proof.ledgersBalanced ? 'every one balanced (debits = credits)' : 'NOT ALL BALANCED'}; totals ${proof.totalsEqual ? 'equal to' : 'DIFFER FROM'} the source's`],
    ['audit chain', chain],
    ['data lost', lost],
    ['result', proof.ok ? 'PASSED' : `FAILED: ${proof.failures.join('; ')}`],
  ]);
}

interface RecoveryPointBooks {
  /** The source's books as they were at the restored books' last ledger timestamp. */
  readonly books: Books;
  /** Accounts the proof reads: the source's of that moment and whatever else the restored copy holds. */
  readonly accountIds: readonly string[];
  /** Accounts without balance history that moved since: their balance then is not known. */
  readonly notCompared: readonly string[];
}

/**
 * What the restored copy must equal: the live source as of the point of recovery. The ledger has
 * one clock, so the restored copy's last ledger timestamp names that moment exactly. An account
 * with balance history (every account of the banking chart) has its balance row at that moment; one
 * without is compared only when no transfer touched it since. The audit head must be the source's
 * record of the same seq: the restored history is the source's, not another.
 */
async function booksAtRecoveryPoint(source: PostgresStorage, restored: PostgresStorage): Promise<RecoveryPointBooks> {
  const { lastTimestamp, head } = await restored.read(async (tx) => ({ lastTimestamp: await tx.ledger.lastTimestamp(), head: await tx.audit.head() }));
  const accounts: AccountBalances[] = [];
  const notCompared: string[] = [];
  const sourceIds = await accountIdsOf(source);
  for (let start = 0; start < sourceIds.length; start += drillReadPageMax) {
    const page = sourceIds.slice(start, start + drillReadPageMax);
    await source.read(async (tx) => {
      for (const account of await tx.ledger.accounts(page)) {
        if (account.timestamp > lastTimestamp) continue;
        const balances = await balancesAt(tx.ledger, account, lastTimestamp);
        if (balances === null) notCompared.push(account.id);
        else accounts.push(balances);
      }
    });
  }
  // Not compared, but still in the restored ledgers' totals: counted as restored there.
  const uncompared: Account[] = [];
  for (let start = 0; start < notCompared.length; start += drillReadPageMax) {
    uncompared.push(...(await restored.read((tx) => tx.ledger.accounts(notCompared.slice(start, start + drillReadPageMax)))));
  }
  const auditSeq = head?.seq ?? 0;
  const auditHash =
    auditSeq === 0
      ? ''
      : await source.read(async (tx) => {
          const [record] = await tx.audit.page(auditSeq - 1, 1);
          return record?.seq === auditSeq ? record.hash : `(the source has no record ${auditSeq})`;
        });
  const skipped = new Set(notCompared);
  const accountIds = [...new Set([...accounts.map((account) => account.id), ...(await accountIdsOf(restored)).filter((id) => !skipped.has(id))])];
  return { books: { accounts, totals: totalsOf([...accounts, ...uncompared]), auditSeq, auditHash }, accountIds, notCompared };
}

async function balancesAt(ledger: LedgerStore, account: Account, timestamp: bigint): Promise<AccountBalances | null> {
  const zero = { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
  if ((account.flags & AccountFlags.history) !== 0) {
    const row = (await ledger.balanceAt(account.id, timestamp)) ?? zero;
    return { id: account.id, ledger: account.ledger, debitsPosted: row.debitsPosted, creditsPosted: row.creditsPosted, debitsPending: row.debitsPending, creditsPending: row.creditsPending };
  }
  if ((await ledger.accountTransfers(account.id, timestamp, 1)).length > 0) return null;
  return { id: account.id, ledger: account.ledger, debitsPosted: account.debitsPosted, creditsPosted: account.creditsPosted, debitsPending: account.debitsPending, creditsPending: account.creditsPending };
}

/** Per ledger, in ledger order, as `ledger.totals` answers (balanced: debits equal credits, posted and pending). */
function totalsOf(accounts: ReadonlyArray<Pick<AccountBalances, 'ledger' | 'debitsPosted' | 'creditsPosted' | 'debitsPending' | 'creditsPending'>>): Books['totals'] {
  const sums = new Map<number, { debitsPosted: bigint; creditsPosted: bigint; debitsPending: bigint; creditsPending: bigint }>();
  for (const account of accounts) {
    const sum = sums.get(account.ledger) ?? { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
    sums.set(account.ledger, {
      debitsPosted: sum.debitsPosted + account.debitsPosted,
      creditsPosted: sum.creditsPosted + account.creditsPosted,
      debitsPending: sum.debitsPending + account.debitsPending,
      creditsPending: sum.creditsPending + account.creditsPending,
    });
  }
  return [...sums.entries()]
    .sort(([left], [right]) => left - right)
    .map(([ledger, sum]) => ({ ledger, debitsPosted: sum.debitsPosted, creditsPosted: sum.creditsPosted, balanced: sum.debitsPosted === sum.creditsPosted && sum.debitsPending === sum.creditsPending }));
}

async function accountIdsOf(storage: PostgresStorage): Promise<string[]> {
  const { rows } = await storage.pool.query<{ id: string }>('SELECT id FROM accounts ORDER BY id');
  return rows.map((row) => row.id);
}

/**
 * The signed anchors kept apart from the backup that cover the restored chain (seq at most its
 * head): the source database's and the anchors file's, the newest `auditAnchorsSuppliedMax` of them.
 * A newer anchor would only say the restored chain ends early, which a restore from a backup does.
 */
async function keptAnchors(source: PostgresStorage, file: string, uptoSeq: number): Promise<AuditAnchor[]> {
  const kept = new Map<string, AuditAnchor>();
  const keep = (anchor: AuditAnchor) => {
    if (anchor.seq <= uptoSeq) kept.set(JSON.stringify(anchor), anchor);
  };
  let after = '';
  for (let more = true; more; ) {
    const page = await source.read((tx) => tx.banking.list('auditAnchor', after, drillReadPageMax));
    for (const { id: _id, ...anchor } of page) keep(anchor);
    more = page.length === drillReadPageMax && page.at(-1)!.seq <= uptoSeq;
    after = page.at(-1)?.id ?? after;
  }
  // The file's lines are whatever it holds; audit.verify checks each one it is given.
  const { anchors: lines } = await readAnchorLines(file, auditAnchorsSuppliedMax);
  for (const line of lines) {
    const seq = (line as { seq?: unknown } | null)?.seq;
    if (typeof seq === 'number') keep(line as AuditAnchor);
  }
  return [...kept.values()].sort((left, right) => left.seq - right.seq).slice(-auditAnchorsSuppliedMax);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database beside the source (qenex_drill_<time>_<random>), for the drill alone. */
async function createDrillDatabase(adminUrl: string): Promise<{ name: string; url: string }> {
  const name = `qenex_drill_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

async function dropDrillDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

// ---- formatting ---------------------------------------------------------------------------------

function describeWal(wal: WalArchiving): string {
  return wal.pointInTimeRecovery
    ? `on (archive_mode=${wal.archiveMode}): point-in-time recovery is possible from the database's base backups and WAL archive, which the database administrator keeps`
    : `off (archive_mode=${wal.archiveMode}): no point-in-time recovery; a restore returns the books to the point of recovery`;
}

export function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join('');
}

function columns(rows: ReadonlyArray<readonly string[]>): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}\n`).join('');
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** 21600000 → 6h: as QENEX_BACKUP_INTERVAL is written. */
function interval(ms: number): string {
  const units: ReadonlyArray<readonly [string, number]> = [['d', dayMs], ['h', 60 * 60 * 1000], ['m', 60 * 1000]];
  const [unit, unitMs] = units.find(([, size]) => ms % size === 0) ?? ['ms', 1];
  return `${ms / unitMs}${unit}`;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

