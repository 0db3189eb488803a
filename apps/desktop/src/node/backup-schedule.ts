/**
 * A workstation backs itself up on a schedule: SQLite's online backup of its books (the teller
 * keeps working), encrypted to the bank's backup key (only its public half is on the workstation,
 * so a stolen workstation's backups stay sealed), into `<dataDir>/backups`, with retention by count
 * and age; the same schedule the server runs (never two at once, each result reported).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BackupSchedule,
  defaultRetention,
  expiredBackups,
  readBackup,
  readBackupHeader,
  systemTimer,
  writeBackup,
  type BackupScheduleEvent,
  type RetentionPolicy,
  type ScheduleTimer,
  type ScheduledBackupResult,
} from '@qenex/engine/node';
import { backupWorkstation, type BackupCodec, type OnlineBackupSource } from './backup';

/** Workstation backups no closer than this (each is a whole copy of the books), nor further apart than a week. */
export const workstationBackupIntervalMsMin = 15 * 60_000;
export const workstationBackupIntervalMsMax = 7 * 24 * 60 * 60_000;
const backupSuffix = '.qxbk';

export interface WorkstationBackupsConfig {
  /** The bank's backup key, public half (X-Wing): what every backup is sealed to. */
  readonly recipientPublicKey: Uint8Array;
  readonly intervalMs: number;
  readonly retention?: RetentionPolicy;
}

/** The backup format, from the engine's node adapter, in the shape backup.ts takes it. */
export const backupCodec: BackupCodec = { writeBackup, readBackup };

/** The workstation's backups kept in `directory`, with the time each header names (unreadable ones are left out, and never deleted). */
async function keptBackups(directory: string): Promise<{ name: string; createdAtMs: number }[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith(backupSuffix));
  } catch {
    return [];
  }
  const kept: { name: string; createdAtMs: number }[] = [];
  for (const name of names) {
    const header = await readBackupHeader(join(directory, name)).catch(() => null);
    if (header?.kind === 'workstation') kept.push({ name, createdAtMs: header.createdAtMs });
  }
  return kept;
}

export function workstationBackupSchedule(deps: {
  readonly database: OnlineBackupSource;
  readonly directory: string;
  readonly config: WorkstationBackupsConfig;
  readonly nowMs: () => number;
  readonly report: (event: BackupScheduleEvent) => void;
  readonly timer?: ScheduleTimer;
}): BackupSchedule {
  const { intervalMs } = deps.config;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < workstationBackupIntervalMsMin || intervalMs > workstationBackupIntervalMsMax) {
    throw new Error(`a workstation backs up every ${workstationBackupIntervalMsMin / 60_000} minutes to 7 days, not every ${intervalMs} ms`);
  }
  const retention = deps.config.retention ?? defaultRetention;
  const run = async (): Promise<ScheduledBackupResult> => {
    const nowMs = deps.nowMs();
    const path = join(deps.directory, `workstation-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}${backupSuffix}`);
    try {
      // Only the workstation's own account reads its backups (sealed as they are).
      await mkdir(deps.directory, { recursive: true, mode: 0o700 });
      const written = await backupWorkstation(deps.database, { codec: backupCodec, recipientPublicKey: deps.config.recipientPublicKey, path, nowMs: deps.nowMs });
      const expired = expiredBackups(await keptBackups(deps.directory), retention, deps.nowMs());
      for (const backup of expired) await rm(join(deps.directory, backup.name), { force: true });
      return { ok: true, file: written.path, fileBytes: written.fileBytes, snapshotAtMs: written.snapshotAtMs, deleted: expired.map((backup) => backup.name), pointInTimeRecovery: false };
    } catch (error) {
      return { ok: false, code: 'backup_write_failed', message: error instanceof Error ? error.message : String(error) };
    }
  };
  const lastBackupAtMs = async () => {
    const kept = await keptBackups(deps.directory);
    return kept.length === 0 ? null : Math.max(...kept.map((backup) => backup.createdAtMs));
  };
  return new BackupSchedule({ intervalMs, run, report: deps.report, lastBackupAtMs, nowMs: deps.nowMs, timer: deps.timer ?? systemTimer });
}
