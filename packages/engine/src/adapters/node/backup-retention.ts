/** Which backups to delete: pure, so the rule is tested without files. */

/** Backups kept at most (the newest ones). */
export const backupsKeptMaxDefault = 30;
/** Backups older than this are deleted (35 days: a month of dailies and a margin). */
export const backupAgeMaxMsDefault = 35 * 24 * 60 * 60 * 1000;

export interface RetentionPolicy {
  readonly keptMax: number;
  readonly ageMaxMs: number;
}

export const defaultRetention: RetentionPolicy = { keptMax: backupsKeptMaxDefault, ageMaxMs: backupAgeMaxMsDefault };

export interface StoredBackup {
  readonly name: string;
  readonly createdAtMs: number;
}

/**
 * The backups to delete: those beyond the `keptMax` newest and those older than `ageMaxMs`, but
 * never the newest one (a bank that stopped backing up for a month still has its last backup).
 */
export function expiredBackups(backups: readonly StoredBackup[], policy: RetentionPolicy, nowMs: number): StoredBackup[] {
  if (!Number.isSafeInteger(policy.keptMax) || policy.keptMax < 1) throw new Error('retention keeps at least one backup');
  const newestFirst = [...backups].sort((left, right) => right.createdAtMs - left.createdAtMs || right.name.localeCompare(left.name));
  return newestFirst.filter((backup, index) => index > 0 && (index >= policy.keptMax || nowMs - backup.createdAtMs > policy.ageMaxMs));
}
