import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../app/engine';
import { auditHash, chainAuditRecord, type AuditEntry, type AuditRecord } from '../../core/audit';
import { ManualClock } from '../in-process/clock';
import { SequentialIds } from '../in-process/ids';
import { SqliteStorage } from './storage';

const auditor = { actor: 'ivy', roles: ['auditor'], deviceId: 'test' };
const recordsWritten = 5;

function entry(index: number): AuditEntry {
  return { atMs: 1_700_000_000_000 + index, actor: 'alice', roles: ['teller'], deviceId: 'ws-1', command: 'cash.deposit', outcome: 'ok', detail: { index, amount: '100' } };
}

/**
 * The audit chain as SQLite stores it, tampered with straight through SQL as someone with access to
 * the database file would, and checked by the `audit.verify` command.
 */
describe('audit chain on SQLite', () => {
  let storage: SqliteStorage;
  let engine: Engine;

  beforeEach(async () => {
    storage = new SqliteStorage({ path: ':memory:' });
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0));
    engine = new Engine({ storage, clock, ids: new SequentialIds(clock) });
    for (let index = 1; index <= recordsWritten; index += 1) {
      await storage.transaction(async ({ audit }) => audit.append(chainAuditRecord(await audit.head(), entry(index))));
    }
  });
  afterEach(async () => storage.close());

  const record = async (seq: number): Promise<AuditRecord> => (await storage.read((tx) => tx.audit.page(seq - 1, 1)))[0]!;
  const verdict = async () => {
    const result = await engine.execute('audit.verify', {}, auditor);
    if (!result.ok) throw new Error(`audit.verify refused: ${result.code}`);
    return result.value;
  };

  it('finds a middle row rewritten with its hash recomputed: the next row no longer links to it', async () => {
    expect(await verdict()).toMatchObject({ intact: true, count: recordsWritten });
    const original = await record(3);
    const edited = { ...original, actor: 'mallory' };
    storage.db.prepare(`UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 3`).run('mallory', auditHash(3, original.prevHash, edited));
    expect(await verdict()).toMatchObject({ intact: false, count: 3, break: { kind: 'broken_link', seq: 4 } });
  });

  it('finds a forged row put in place of a deleted one, linked to the row before it and with a correct own hash', async () => {
    const previous = await record(2);
    const forged = chainAuditRecord(previous, { ...entry(3), actor: 'mallory', detail: { index: 3, amount: '999999' } });
    storage.db.prepare(`DELETE FROM audit_log WHERE seq = 3`).run();
    await storage.transaction(async ({ audit }) => audit.append(forged));
    expect(await record(3)).toEqual(forged);
    expect(await verdict()).toMatchObject({ intact: false, count: 3, break: { kind: 'broken_link', seq: 4 } });
  });
});
