/**
 * `npm run server:admin -- base-backup | wal-archive-settings | restore-pitr`: point-in-time recovery
 * for a PostgreSQL that archives its WAL (pitr.ts). A base backup and the WAL archive together
 * restore the books as of any moment after the base backup, up to the last archived WAL file.
 */
import { resolve } from 'node:path';
import type { ServerConfig } from '../config';
import { backupKeyForBackups, iso, parseOptions, seconds, table, usage, type CliIo } from './cli';
import { baseBackup, restoreToPointInTime, walArchiveSettings } from './pitr';

/** Base backups go in a directory of their own, beside (not among) the pg_dump backups. */
export function baseBackupDir(config: ServerConfig): string {
  return resolve(config.backupDir, 'base');
}

export async function baseBackupCommand(config: ServerConfig, args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(args, ['dir']);
  if (typeof options === 'string') return usage(io, 'base-backup', options, 'base-backup [--dir DIR]');
  if (config.databaseUrl === null) return failed(io, 'base-backup', 'backup_needs_postgres', 'DATABASE_URL is not set: the embedded PGlite database has no WAL to archive');
  const key = backupKeyForBackups(config, io);
  if (typeof key === 'number') return key;
  try {
    const result = await baseBackup({ databaseUrl: config.databaseUrl, directory: options.get('dir') ?? baseBackupDir(config), recipientPublicKey: key.publicKey, onProgress: ({ bytesDone }) => io.err.write(`base-backup: ${bytesDone} bytes\r`) });
    io.err.write('\n');
    io.out.write(
      table([
        ['base backup', result.path],
        ['started at', `${result.label.startTime} (WAL file ${result.label.startWalFile}, LSN ${result.label.startLsn})`],
        ['consistent at', result.endLsn ?? 'unknown'],
        ['WAL archiving', result.walArchiving.pointInTimeRecovery ? `on (archive_mode ${result.walArchiving.archiveMode}): restore-pitr reaches any moment archived after this` : 'OFF: this restores to its own end only; see wal-archive-settings'],
        ['took', seconds(result.durationMs)],
      ]),
    );
    return 0;
  } catch (error) {
    return failed(io, 'base-backup', 'backup_failed', error instanceof Error ? error.message : String(error));
  }
}

export function walArchiveSettingsCommand(config: ServerConfig, args: readonly string[], io: CliIo): number {
  const options = parseOptions(args, ['archive']);
  if (typeof options === 'string') return usage(io, 'wal-archive-settings', options, 'wal-archive-settings --archive DIR');
  const archiveDir = options.get('archive');
  if (archiveDir === undefined) return usage(io, 'wal-archive-settings', '--archive is required', 'wal-archive-settings --archive DIR');
  io.out.write(`# postgresql.conf (restart PostgreSQL for archive_mode); the key file needs only its public half\n${walArchiveSettings({ archiveDir: resolve(archiveDir), publicKeyFile: resolve(config.backupKeyFile) }).join('\n')}\n`);
  return 0;
}

const restoreForm = 'restore-pitr --file BASE --archive DIR --target-time ISO|latest --data-dir NEW_DIR --port PORT --user ROLE [--run-as UID:GID]';

export async function restorePitrCommand(config: ServerConfig, args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(args, ['file', 'archive', 'target-time', 'data-dir', 'port', 'user', 'run-as']);
  if (typeof options === 'string') return usage(io, 'restore-pitr', options, restoreForm);
  const [file, archiveDir, targetTime, dataDir, port, user] = ['file', 'archive', 'target-time', 'data-dir', 'port', 'user'].map((name) => options.get(name));
  if (file === undefined || archiveDir === undefined || targetTime === undefined || dataDir === undefined || port === undefined || user === undefined) return usage(io, 'restore-pitr', 'every option but --run-as is required', restoreForm);
  const runAs = options.get('run-as');
  const account = runAs === undefined ? undefined : /^(\d+):(\d+)$/.exec(runAs);
  if (account === null) return usage(io, 'restore-pitr', '--run-as is UID:GID (the account PostgreSQL runs as)', restoreForm);
  const result = await restoreToPointInTime({
    baseFile: resolve(file),
    archiveDir: resolve(archiveDir),
    keyFile: resolve(config.backupKeyFile),
    targetTime,
    dataDir: resolve(dataDir),
    port: Number(port),
    user,
    ...(process.env.PGPASSWORD === undefined ? {} : { password: process.env.PGPASSWORD }),
    ...(account === undefined ? {} : { runAs: { uid: Number(account[1]), gid: Number(account[2]) } }),
  });
  if (!result.ok) return failed(io, 'restore-pitr', result.code, result.message);
  io.out.write(
    table([
      ['restored into', `${resolve(dataDir)} (running on 127.0.0.1:${port}; stop it with pg_ctl stop -D ${resolve(dataDir)})`],
      ['point of recovery', result.pointOfRecovery === null ? 'no transaction replayed after the base backup' : `${result.pointOfRecovery} (the last transaction replayed)`],
      ['recovery time', `${seconds(result.recoveryMs)} at ${iso(Date.now())}`],
    ]),
  );
  return 0;
}

function failed(io: CliIo, what: string, code: string, message: string): number {
  io.err.write(`${what} refused: ${code}: ${message}\n`);
  return 1;
}
