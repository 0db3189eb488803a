import { describe, expect, it } from 'vitest';
import { ManualTimer } from '../../testing/manual-timer';
import { backupFirstRunDelayMsMin, BackupSchedule, type BackupScheduleEvent, type ScheduledBackupResult } from './backup-schedule';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const intervalMs = 6 * hourMs;

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const done: ScheduledBackupResult = { ok: true, file: '/backups/b.qxbk', fileBytes: 4096, snapshotAtMs: 0, deleted: [], pointInTimeRecovery: false };

function deferred(): { promise: Promise<ScheduledBackupResult>; resolve: (result: ScheduledBackupResult) => void } {
  let resolve!: (result: ScheduledBackupResult) => void;
  const promise = new Promise<ScheduledBackupResult>((settled) => (resolve = settled));
  return { promise, resolve };
}

function schedule(run: () => Promise<ScheduledBackupResult>, lastBackupAtMs: number | null = null) {
  const timer = new ManualTimer();
  const events: BackupScheduleEvent[] = [];
  const backups = new BackupSchedule({ intervalMs, run, report: (event) => events.push(event), lastBackupAtMs: async () => lastBackupAtMs, nowMs: () => timer.nowMs, timer });
  const kinds = () => events.map((event) => event.kind);
  return { timer, events, backups, kinds };
}

describe('backup schedule', () => {
  it('runs a backup every interval, the first one shortly after start when none is kept', async () => {
    let runs = 0;
    const { timer, backups, kinds, events } = schedule(async () => {
      runs += 1;
      timer.nowMs += 5_000; // the backup takes 5 s of the injected clock
      return done;
    });
    await backups.start();
    expect(events[0]).toMatchObject({ kind: 'backup_scheduled', intervalMs, nextAtMs: timer.nowMs + backupFirstRunDelayMsMin });
    await timer.advance(backupFirstRunDelayMsMin - 1);
    expect(runs).toBe(0);
    await timer.advance(1);
    expect(runs).toBe(1);
    await timer.advance(intervalMs);
    await timer.advance(intervalMs);
    expect(runs).toBe(3);
    expect(kinds()).toEqual(['backup_scheduled', 'backup_done', 'backup_done', 'backup_done']);
    expect(events[1]).toMatchObject({ kind: 'backup_done', file: done.file, fileBytes: 4096, durationMs: 5_000 });
    await backups.stop();
  });

  it('makes the first backup due an interval after the newest one kept', async () => {
    const now = new ManualTimer().nowMs;
    let runs = 0;
    const { timer, backups } = schedule(async () => {
      runs += 1;
      return done;
    }, now - 2 * hourMs);
    await backups.start();
    await timer.advance(4 * hourMs - 1);
    expect(runs).toBe(0);
    await timer.advance(1);
    expect(runs).toBe(1);
    await backups.stop();

    // Overdue: soon after start, not at once.
    const overdue = schedule(async () => done, now - 30 * hourMs);
    await overdue.backups.start();
    expect(overdue.events[0]).toMatchObject({ kind: 'backup_scheduled', nextAtMs: overdue.timer.nowMs + backupFirstRunDelayMsMin });
    await overdue.backups.stop();
  });

  it('never runs two at once: a turn that finds the last backup still running is skipped and reported', async () => {
    const pending: Array<ReturnType<typeof deferred>> = [];
    const { timer, backups, kinds, events } = schedule(() => {
      const run = deferred();
      pending.push(run);
      return run.promise;
    });
    await backups.start();
    await timer.advance(backupFirstRunDelayMsMin);
    await timer.advance(intervalMs);
    await timer.advance(intervalMs);
    expect(pending).toHaveLength(1);
    expect(kinds()).toEqual(['backup_scheduled', 'backup_skipped', 'backup_skipped']);
    expect(events[2]).toMatchObject({ kind: 'backup_skipped', runningForMs: 2 * intervalMs });
    pending[0]!.resolve(done);
    await settle();
    expect(kinds().at(-1)).toBe('backup_done');
    await timer.advance(intervalMs);
    expect(pending).toHaveLength(2);
    pending[1]!.resolve(done);
    await backups.stop();
  });

  it('reports a failed backup with its code, a thrown one as backup_failed, and keeps its turns', async () => {
    const answers: Array<() => Promise<ScheduledBackupResult>> = [
      async () => ({ ok: false, code: 'backup_dump_failed', message: 'pg_dump exited with 1: server version mismatch' }),
      async () => {
        throw new Error('disk on fire');
      },
      async () => done,
    ];
    const { timer, backups, events } = schedule(() => answers.shift()!());
    await backups.start();
    await timer.advance(backupFirstRunDelayMsMin);
    await timer.advance(intervalMs);
    await timer.advance(intervalMs);
    expect(events.slice(1)).toEqual([
      { kind: 'backup_failed', durationMs: 0, code: 'backup_dump_failed', message: 'pg_dump exited with 1: server version mismatch' },
      { kind: 'backup_failed', durationMs: 0, code: 'backup_failed', message: 'disk on fire' },
      expect.objectContaining({ kind: 'backup_done' }),
    ]);
    await backups.stop();
  });

  it('stops: waits for the backup running, starts no other, leaves no timer', async () => {
    const run = deferred();
    let runs = 0;
    const { timer, backups, kinds } = schedule(() => {
      runs += 1;
      return run.promise;
    });
    await backups.start();
    await timer.advance(backupFirstRunDelayMsMin);
    let stopped = false;
    const stopping = backups.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    expect(timer.pending).toBe(0);
    run.resolve(done);
    await stopping;
    expect(kinds().at(-1)).toBe('backup_done');
    await timer.advance(10 * intervalMs);
    expect(runs).toBe(1);
  });

  it('does nothing after a stop that came before its first turn', async () => {
    let runs = 0;
    const { timer, backups } = schedule(async () => {
      runs += 1;
      return done;
    });
    await backups.start();
    await backups.stop();
    await timer.advance(10 * intervalMs);
    expect(runs).toBe(0);
    expect(timer.pending).toBe(0);
  });
});
