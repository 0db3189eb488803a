/**
 * Backups on a schedule (QENEX_BACKUP_INTERVAL): one backup and retention every interval while the
 * server runs, never two at once (a tick that finds the last one still running is skipped and
 * reported: the interval is shorter than a backup takes), each result reported through the logger
 * function given. The first one is due an interval after the newest backup already kept, so a
 * server restarted more often than its interval still backs up.
 *
 * The job itself comes in as `run` (the admin CLI's `backup` does the same work): this file knows
 * time and turns, not pg_dump.
 */
import assert from 'node:assert/strict';

/** A minute after start at the earliest: the server is up and serving before its first dump begins. */
export const backupFirstRunDelayMsMin = 60_000;

/** What one run reports back (cli.ts's `runBackup` gives more; this is what the schedule logs). */
export type ScheduledBackupResult =
  | {
      readonly ok: true;
      readonly file: string;
      readonly fileBytes: number;
      readonly snapshotAtMs: number;
      readonly deleted: readonly string[];
      readonly pointInTimeRecovery: boolean;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

export type BackupScheduleEvent =
  | { readonly kind: 'backup_scheduled'; readonly intervalMs: number; readonly nextAtMs: number }
  | {
      readonly kind: 'backup_done';
      readonly durationMs: number;
      readonly file: string;
      readonly fileBytes: number;
      readonly snapshotAtMs: number;
      readonly deleted: readonly string[];
      readonly pointInTimeRecovery: boolean;
    }
  | { readonly kind: 'backup_failed'; readonly durationMs: number; readonly code: string; readonly message: string }
  | { readonly kind: 'backup_skipped'; readonly runningForMs: number };

/** A one-shot timer: the system's (unref'd, so it never keeps the process alive), or a test's. */
export interface ScheduleTimer {
  after(delayMs: number, fire: () => void): { cancel(): void };
}

export const systemTimer: ScheduleTimer = {
  after(delayMs, fire) {
    const handle = setTimeout(fire, delayMs);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

export interface BackupScheduleOptions {
  readonly intervalMs: number;
  readonly run: () => Promise<ScheduledBackupResult>;
  readonly report: (event: BackupScheduleEvent) => void;
  /** When the newest backup kept was taken; null when there is none (or the directory cannot be read yet). */
  readonly lastBackupAtMs: () => Promise<number | null>;
  readonly nowMs: () => number;
  readonly timer: ScheduleTimer;
}

export class BackupSchedule {
  private pending: { cancel(): void } | null = null;
  private running: { readonly startedMs: number; readonly done: Promise<void> } | null = null;
  private started = false;
  private stopped = false;

  constructor(private readonly options: BackupScheduleOptions) {
    assert(Number.isSafeInteger(options.intervalMs) && options.intervalMs > 0, 'a backup interval is a positive whole number of ms');
  }

  async start(): Promise<void> {
    assert(!this.started, 'the backup schedule was started already');
    this.started = true;
    const { intervalMs, nowMs } = this.options;
    const lastAtMs = await this.options.lastBackupAtMs().catch(() => null);
    const dueInMs = lastAtMs === null ? 0 : lastAtMs + intervalMs - nowMs();
    const delayMs = Math.min(intervalMs, Math.max(backupFirstRunDelayMsMin, dueInMs));
    if (this.stopped) return;
    this.pending = this.options.timer.after(delayMs, () => this.tick());
    this.options.report({ kind: 'backup_scheduled', intervalMs, nextAtMs: nowMs() + delayMs });
  }

  /** No new backup starts; the one running, if any, is waited for (a cut pg_dump is no backup). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending?.cancel();
    this.pending = null;
    await this.running?.done;
  }

  private tick(): void {
    if (this.stopped) return;
    this.pending = this.options.timer.after(this.options.intervalMs, () => this.tick());
    if (this.running !== null) {
      this.options.report({ kind: 'backup_skipped', runningForMs: this.options.nowMs() - this.running.startedMs });
      return;
    }
    const startedMs = this.options.nowMs();
    const done = this.runOnce(startedMs).finally(() => {
      this.running = null;
    });
    this.running = { startedMs, done };
  }

  private async runOnce(startedMs: number): Promise<void> {
    let result: ScheduledBackupResult;
    try {
      result = await this.options.run();
    } catch (error) {
      // `run` reports what it knows as values; a throw is what it did not foresee.
      result = { ok: false, code: 'backup_failed', message: error instanceof Error ? error.message : String(error) };
    }
    const durationMs = this.options.nowMs() - startedMs;
    if (result.ok) {
      const { file, fileBytes, snapshotAtMs, deleted, pointInTimeRecovery } = result;
      this.options.report({ kind: 'backup_done', durationMs, file, fileBytes, snapshotAtMs, deleted, pointInTimeRecovery });
    } else {
      this.options.report({ kind: 'backup_failed', durationMs, code: result.code, message: result.message });
    }
  }
}
