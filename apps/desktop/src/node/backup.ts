/**
 * A workstation's backups: SQLite's online backup API (the database stays open and in use; the copy
 * is one consistent state) into a private temporary file, then encrypted into the backup format and
 * the temporary copy removed. Restore verifies the whole backup, writes the database beside the
 * target, checks it (`PRAGMA integrity_check`), then renames it into place: a crash leaves either
 * the old file or the new one, never half of one.
 *
 * The backup format (the engine's node adapter, `backup-format.ts`) comes in as a parameter, the
 * `codec` (backup-schedule.ts wires the real one), so this file is tested apart from it.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/** Pages SQLite copies per backup step: small steps let the workstation keep writing meanwhile. */
export const sqliteBackupPagesPerStep = 1024;

export interface BackupProgress {
  readonly bytesDone: number;
  readonly bytesTotalEstimate: number | null;
}

export interface RecipientKeys {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export type CodecVerdict =
  | { readonly ok: true; readonly header: { readonly kind: string; readonly createdAtMs: number }; readonly trailer: { readonly plaintextBytes: number } }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** What the backup format offers (`writeBackup` and `readBackup` of format.ts). */
export interface BackupCodec {
  writeBackup(
    plaintext: AsyncIterable<Uint8Array>,
    path: string,
    options: {
      readonly recipientPublicKey: Uint8Array;
      readonly kind: 'workstation';
      readonly createdAtMs: number;
      readonly source: string;
      readonly bytesTotalEstimate?: number | null;
      readonly onProgress?: (progress: BackupProgress) => void;
    },
  ): Promise<{ readonly path: string; readonly fileBytes: number }>;
  readBackup(path: string, recipient: RecipientKeys, sink: (chunk: Buffer) => Promise<void>): Promise<CodecVerdict>;
}

/** The part of a better-sqlite3 database a backup uses (`SqliteStorage.db`). */
export interface OnlineBackupSource {
  readonly name: string;
  backup(destination: string, options?: { progress?: (info: { totalPages: number; remainingPages: number }) => number }): Promise<unknown>;
}

export interface WorkstationBackupOptions {
  readonly codec: BackupCodec;
  readonly recipientPublicKey: Uint8Array;
  /** The backup file to write (a new name: an existing file is never replaced). */
  readonly path: string;
  readonly nowMs: () => number;
  readonly onProgress?: (progress: BackupProgress & { readonly phase: 'snapshot' | 'encrypt' }) => void;
}

export interface WorkstationBackup {
  readonly path: string;
  readonly snapshotAtMs: number;
  readonly databaseBytes: number;
  readonly fileBytes: number;
}

export async function backupWorkstation(database: OnlineBackupSource, options: WorkstationBackupOptions): Promise<WorkstationBackup> {
  // A private directory (0700) for the plaintext copy, removed whatever happens.
  const scratch = await mkdtemp(join(tmpdir(), 'qenex-backup-'));
  const copy = join(scratch, 'snapshot.db');
  try {
    await database.backup(copy, {
      progress: ({ totalPages, remainingPages }) => {
        options.onProgress?.({ phase: 'snapshot', bytesDone: totalPages - remainingPages, bytesTotalEstimate: totalPages });
        return sqliteBackupPagesPerStep;
      },
    });
    // The backup's state is the source's at its last step; its finish is the point of recovery.
    const snapshotAtMs = options.nowMs();
    const databaseBytes = statSync(copy).size;
    const written = await options.codec.writeBackup(createReadStream(copy), options.path, {
      recipientPublicKey: options.recipientPublicKey,
      kind: 'workstation',
      createdAtMs: snapshotAtMs,
      source: `SQLite ${basename(database.name)}`,
      bytesTotalEstimate: databaseBytes,
      ...(options.onProgress === undefined ? {} : { onProgress: (progress: BackupProgress) => options.onProgress!({ phase: 'encrypt', ...progress }) }),
    });
    return { path: written.path, snapshotAtMs, databaseBytes, fileBytes: written.fileBytes };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export type WorkstationRestoreResult =
  | { readonly ok: true; readonly snapshotAtMs: number; readonly databaseBytes: number }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface WorkstationRestoreOptions {
  readonly codec: BackupCodec;
  readonly recipient: RecipientKeys;
  /** Replace a non-empty target database file (it must be closed: a WAL beside it is refused regardless). */
  readonly overwrite?: boolean;
}

/** Verifies the backup, then installs it as `target` atomically; refuses rather than guess. */
export async function restoreWorkstation(file: string, target: string, options: WorkstationRestoreOptions): Promise<WorkstationRestoreResult> {
  if (existsSync(`${target}-wal`) || existsSync(`${target}-shm`)) {
    return { ok: false, code: 'restore_target_open', message: `${target} has a write-ahead log beside it: close the workstation before restoring` };
  }
  if (existsSync(target) && statSync(target).size > 0 && options.overwrite !== true) {
    return { ok: false, code: 'restore_target_not_empty', message: `${target} exists and holds data: restore to a new path, or pass overwrite` };
  }
  const partial = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.restore`);
  const handle = await open(partial, 'wx', 0o600);
  let verdict: CodecVerdict;
  try {
    verdict = await options.codec.readBackup(file, options.recipient, async (chunk) => {
      await handle.write(chunk);
    });
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (!verdict.ok) return verdict;
    if (verdict.header.kind !== 'workstation') return { ok: false, code: 'backup_unknown_format', message: `this is a ${verdict.header.kind} backup, not a workstation one` };
    const integrity = checkIntegrity(partial);
    if (integrity !== 'ok') return { ok: false, code: 'restore_failed', message: `the restored database fails SQLite's integrity check: ${integrity}` };
    await rename(partial, target);
    return { ok: true, snapshotAtMs: verdict.header.createdAtMs, databaseBytes: verdict.trailer.plaintextBytes };
  } finally {
    await rm(partial, { force: true });
  }
}

function checkIntegrity(path: string): string {
  const db = new Database(path, { fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((row) => row.integrity_check).join('; ');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    db.close();
  }
}
