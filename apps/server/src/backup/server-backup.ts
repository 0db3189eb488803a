/**
 * The server database's backups: `pg_dump --format=custom` inside an exported snapshot (one
 * repeatable-read transaction: every table as of one instant, whose time is the point of recovery),
 * streamed straight into the encrypted backup format (no plaintext dump on disk); retention by age
 * and count; restore through `pg_restore` into an empty database, after the whole file verified.
 *
 * Point-in-time recovery needs WAL archiving (`archive_mode`, `archive_command`) and base backups,
 * which is the database administrator's configuration; `walArchiving` reports whether it is on, so
 * a backup says which recovery it offers (the snapshot only, when archiving is off).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { SealedBoxKeyPair } from '@qenex/engine';
import { readBackup, readBackupHeader, writeBackup, type BackupKind, type BackupProgress, type BackupRefusalCode, type WrittenBackup } from '@qenex/engine/node';
import { expiredBackups, type RetentionPolicy } from '@qenex/engine/node';

export const backupFileSuffix = '.qxbk';
/** Characters of a failed tool's standard error kept in the refusal. */
const toolErrorCharsMax = 2_000;

export interface ServerBackupOptions {
  readonly databaseUrl: string;
  /** The schema that holds the books; the whole database when absent. */
  readonly schema?: string | undefined;
  readonly directory: string;
  readonly recipientPublicKey: Uint8Array;
  readonly retention: RetentionPolicy;
  readonly onProgress?: (progress: BackupProgress) => void;
  /** `pg_dump`; a path for machines where it is not on PATH. */
  readonly pgDump?: string;
}

export interface ServerBackupResult extends WrittenBackup {
  /** Backups deleted by retention after this one was written. */
  readonly deleted: readonly string[];
  readonly walArchiving: WalArchiving;
}

export interface WalArchiving {
  readonly archiveMode: string;
  /** Whether WAL is archived, so a base backup plus the archive could recover to any moment. */
  readonly pointInTimeRecovery: boolean;
}

export type RestoreRefusalCode = BackupRefusalCode | 'restore_target_not_empty' | 'restore_failed';

export type RestoreResult =
  | { readonly ok: true; readonly snapshotAtMs: number; readonly plaintextBytes: number }
  | { readonly ok: false; readonly code: RestoreRefusalCode; readonly message: string };

export function backupFileName(kind: BackupKind, atMs: number): string {
  return `qenex-${kind}-${new Date(atMs).toISOString().replace(/[-:.]/g, '')}${backupFileSuffix}`;
}

/** Takes one backup, then applies retention to the directory. */
export async function backupServerDatabase(options: ServerBackupOptions): Promise<ServerBackupResult> {
  await mkdir(options.directory, { recursive: true, mode: 0o700 });
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const walArchiving = await readWalArchiving(client);
    const bytesTotalEstimate = await sizeEstimate(client, options.schema);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ snapshot: string; at_ms: string }>(
      `SELECT pg_export_snapshot() AS snapshot, (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS at_ms`,
    );
    const { snapshot, at_ms: atMs } = rows[0]!;
    const snapshotAtMs = Number(atMs);
    const connection = toolConnection(options.databaseUrl);
    const args = ['--format=custom', `--snapshot=${snapshot}`, connection.arg, ...(options.schema === undefined ? [] : [`--schema=${options.schema}`])];
    const dump = spawnTool(options.pgDump ?? 'pg_dump', args, connection.password);
    const path = join(options.directory, backupFileName('server', snapshotAtMs));
    let written: WrittenBackup;
    try {
      written = await writeBackup(dump.stdout(), path, {
        recipientPublicKey: options.recipientPublicKey,
        kind: 'server',
        createdAtMs: snapshotAtMs,
        source: `PostgreSQL ${redactedUrl(options.databaseUrl)}${options.schema === undefined ? '' : ` schema ${options.schema}`}`,
        bytesTotalEstimate,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    } finally {
      await client.query('COMMIT').catch(() => undefined);
    }
    const deleted = await applyRetention(options.directory, options.retention, Date.now());
    return { ...written, deleted, walArchiving };
  } finally {
    await client.end();
  }
}

/** Deletes what the policy says has expired among this directory's backups; their names. */
export async function applyRetention(directory: string, policy: RetentionPolicy, nowMs: number): Promise<string[]> {
  const names = (await readdir(directory)).filter((name) => name.endsWith(backupFileSuffix));
  const stored = [];
  for (const name of names) {
    const header = await readBackupHeader(join(directory, name)).catch(() => null);
    // A file that is not a readable backup of ours is left for a person to look at, never deleted.
    if (header !== null) stored.push({ name, createdAtMs: header.createdAtMs });
  }
  const expired = expiredBackups(stored, policy, nowMs);
  for (const backup of expired) await rm(join(directory, backup.name), { force: true });
  return expired.map((backup) => backup.name);
}

export interface ServerRestoreOptions {
  readonly file: string;
  readonly recipient: SealedBoxKeyPair;
  /** An empty database (a fresh CREATE DATABASE): anything else is refused. */
  readonly targetUrl: string;
  readonly pgRestore?: string;
}

/** Verifies the whole backup, checks the target is empty, then streams it into `pg_restore`. */
export async function restoreServerDatabase(options: ServerRestoreOptions): Promise<RestoreResult> {
  const empty = await isEmptyDatabase(options.targetUrl);
  if (!empty) return { ok: false, code: 'restore_target_not_empty', message: 'the target database holds tables already: restore only into a new, empty database' };
  const target = toolConnection(options.targetUrl);
  const restore = spawnTool(options.pgRestore ?? 'pg_restore', ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', target.arg], target.password);
  const verdict = await readBackup(options.file, options.recipient, (chunk) => restore.write(chunk));
  if (!verdict.ok) {
    restore.kill();
    await restore.exited().catch(() => undefined);
    return verdict;
  }
  if (verdict.header.kind !== 'server') {
    restore.kill();
    return { ok: false, code: 'backup_unknown_format', message: `this is a ${verdict.header.kind} backup, not a server one` };
  }
  const exit = await restore.end();
  if (exit.code !== 0) return { ok: false, code: 'restore_failed', message: `pg_restore exited with ${exit.code}: ${exit.stderr}` };
  return { ok: true, snapshotAtMs: verdict.header.createdAtMs, plaintextBytes: verdict.trailer.plaintextBytes };
}

export async function readWalArchiving(client: pg.Client): Promise<WalArchiving> {
  const { rows } = await client.query<{ archive_mode: string }>('SHOW archive_mode');
  const archiveMode = rows[0]?.archive_mode ?? 'off';
  return { archiveMode, pointInTimeRecovery: archiveMode === 'on' || archiveMode === 'always' };
}

async function isEmptyDatabase(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ relations: number }>(
      `SELECT count(*)::int AS relations FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`,
    );
    return rows[0]!.relations === 0;
  } finally {
    await client.end();
  }
}

async function sizeEstimate(client: pg.Client, schema: string | undefined): Promise<number> {
  const { rows } =
    schema === undefined
      ? await client.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes')
      : await client.query<{ bytes: string }>(
          `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
          [schema],
        );
  return Number(rows[0]!.bytes);
}

/** A child process whose failures become values: its exit code and the tail of its standard error. */
function spawnTool(command: string, args: readonly string[], password: string | null) {
  // The password goes in the child's environment, never on its command line, where any local user's `ps` would read it.
  const env = password === null ? process.env : { ...process.env, PGPASSWORD: password };
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-toolErrorCharsMax);
  });
  let spawnError: Error | null = null;
  child.on('error', (error) => {
    spawnError = error;
  });
  // A tool that exits early closes its pipe; the exit code says why, not an EPIPE from the write.
  child.stdin.on('error', () => undefined);
  const exit = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code: spawnError === null ? (code ?? 1) : 127, stderr: spawnError === null ? stderr.trim() : String(spawnError) }));
  });
  return {
    /** Its standard output, failing at the end when the tool failed (so a half dump is never a backup). */
    async *stdout(): AsyncGenerator<Uint8Array> {
      child.stdin.end();
      for await (const chunk of child.stdout) yield chunk as Buffer;
      const { code, stderr: message } = await exit;
      if (code !== 0) throw new Error(`${command} exited with ${code}: ${message}`);
    },
    async write(chunk: Buffer): Promise<void> {
      if (child.exitCode !== null || spawnError !== null) return;
      if (!child.stdin.write(chunk)) await Promise.race([once(child.stdin, 'drain'), exit]);
    },
    async end(): Promise<{ code: number; stderr: string }> {
      child.stdin.end();
      return exit;
    },
    kill(): void {
      child.kill('SIGKILL');
    },
    exited: () => exit,
  };
}

/** `--dbname=` for a PostgreSQL tool with the password taken out, and the password (for PGPASSWORD). */
export function toolConnection(url: string): { readonly arg: string; readonly password: string | null } {
  try {
    const parsed = new URL(url);
    const password = parsed.password === '' ? null : decodeURIComponent(parsed.password);
    parsed.password = '';
    return { arg: `--dbname=${parsed.toString()}`, password };
  } catch {
    return { arg: `--dbname=${url}`, password: null };
  }
}

/** A database URL fit to print: its password replaced. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(database)';
  }
}
