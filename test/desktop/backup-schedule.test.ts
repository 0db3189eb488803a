/**
 * A workstation's scheduled backups on its real SQLite books: the first one a minute after start,
 * then one every interval, each sealed to the bank's backup key and restorable only with its secret
 * half, older ones deleted by retention; an interval outside the named bounds is refused.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedBoxKeyPair } from '@qenex/engine';
import type { BackupScheduleEvent } from '@qenex/engine/node';
import { ManualTimer } from '@qenex/engine/testing';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { restoreWorkstation } from '../../apps/desktop/src/node/backup';
import { backupCodec, workstationBackupSchedule, workstationBackupIntervalMsMin } from '../../apps/desktop/src/node/backup-schedule';
import { drillServerKeys, seedBooks } from '../dr/books';

const hourMs = 60 * 60_000;

let dir: string;
let storage: SqliteStorage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qenex-ws-backups-'));
  storage = new SqliteStorage({ path: join(dir, 'books.sqlite') });
  await seedBooks(storage, drillServerKeys());
}, 60_000);

afterAll(async () => {
  await storage?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a workstation backs itself up', () => {
  it('on schedule, sealed to the bank key, with retention', async () => {
    const bankKey = sealedBoxKeyPair();
    const timer = new ManualTimer();
    const events: BackupScheduleEvent[] = [];
    const directory = join(dir, 'backups');
    const schedule = workstationBackupSchedule({ database: storage.db, directory, config: { recipientPublicKey: bankKey.publicKey, intervalMs: 6 * hourMs, retention: { keptMax: 2, ageMaxMs: 30 * 24 * hourMs } }, nowMs: () => timer.nowMs, report: (event) => events.push(event), timer });
    await schedule.start();
    // Each turn's backup finishes (a real SQLite copy and encryption) before the clock moves on.
    for (let turn = 0; turn < 3; turn += 1) {
      const before = events.length;
      await timer.advance(turn === 0 ? 60_000 : 6 * hourMs, async () => {
        for (let waited = 0; waited < 400 && events.slice(before).every((event) => event.kind !== 'backup_done' && event.kind !== 'backup_failed'); waited += 1) await new Promise((done) => setTimeout(done, 25));
      });
    }
    await schedule.stop();
    const done = events.filter((event) => event.kind === 'backup_done');
    expect(events.filter((event) => event.kind === 'backup_failed')).toEqual([]);
    expect(done).toHaveLength(3);
    // Retention kept the two newest.
    const kept = (await readdir(directory)).filter((name) => name.endsWith('.qxbk')).sort();
    expect(kept).toHaveLength(2);
    expect(done[2]!.kind === 'backup_done' && done[2]!.deleted).toHaveLength(1);
    // The newest restores with the bank's key, and with no other.
    const newest = join(directory, kept[kept.length - 1]!);
    expect(await restoreWorkstation(newest, join(dir, 'wrong.sqlite'), { codec: backupCodec, recipient: sealedBoxKeyPair() })).toMatchObject({ ok: false, code: 'backup_wrong_key' });
    expect(await restoreWorkstation(newest, join(dir, 'restored.sqlite'), { codec: backupCodec, recipient: bankKey })).toMatchObject({ ok: true });
    const restored = new SqliteStorage({ path: join(dir, 'restored.sqlite') });
    try {
      const customers = await restored.read((tx) => tx.banking.list('customer', '', 100));
      expect(customers.length).toBe(await storage.read(async (tx) => (await tx.banking.list('customer', '', 100)).length));
    } finally {
      await restored.close();
    }
  }, 120_000);

  it('refuses an interval outside its bounds', () => {
    const config = (intervalMs: number) => ({ database: storage.db, directory: join(dir, 'x'), config: { recipientPublicKey: sealedBoxKeyPair().publicKey, intervalMs }, nowMs: () => 0, report: () => undefined });
    expect(() => workstationBackupSchedule(config(workstationBackupIntervalMsMin - 1))).toThrow(/15 minutes to 7 days/);
    expect(() => workstationBackupSchedule(config(8 * 24 * hourMs))).toThrow(/15 minutes to 7 days/);
  });
});
