import { ScryptPasswordHasher } from '@qenex/engine/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, ManualClock, SequentialIds, demoUsers, seedDemoBank, type Storage } from '@qenex/engine';
import { PostgresTestDatabase } from '@qenex/engine/postgres';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { describeStorageContract } from '@qenex/engine/testing';

// SQLite: a new database file per test, in a directory removed at the end.
const sqliteDirectory = mkdtempSync(join(tmpdir(), 'qenex-storage-contract-'));
let sqliteFiles = 0;
const openSqlite = async (): Promise<Storage> => new SqliteStorage({ path: join(sqliteDirectory, `${(sqliteFiles += 1)}.sqlite`) });

describeStorageContract('SQLite', openSqlite, async () => rmSync(sqliteDirectory, { recursive: true, force: true }));

// PostgreSQL: a database of this run's own (DATABASE_URL, else the local server), a new schema per test.
const postgres = new PostgresTestDatabase();

describeStorageContract('PostgreSQL', () => postgres.openStorage(), () => postgres.drop());

describe('the same commands on SQLite and on PostgreSQL', () => {
  const crossDatabase = new PostgresTestDatabase();
  const crossDirectory = mkdtempSync(join(tmpdir(), 'qenex-storage-cross-'));
  afterAll(async () => {
    await crossDatabase.drop();
    rmSync(crossDirectory, { recursive: true, force: true });
  });

  /** The demo bank's morning, then everything a reader can ask of it, as one comparable value. */
  async function runDemo(storage: Storage): Promise<unknown> {
    try {
      const clock = new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0));
      const ids = new SequentialIds(clock);
      const engine = new Engine({ storage, clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }) });
      const bank = await seedDemoBank(engine, ids, { clock });
      const { olivia, carol, alice } = demoUsers;
      const accounts = [];
      for (const customer of bank.customers) {
        for (const accountId of customer.accountIds) accounts.push(await engine.execute('account.get', { accountId }, alice));
      }
      return {
        totals: await engine.execute('ledger.totals', {}, olivia),
        audit: await engine.execute('audit.verify', {}, carol),
        log: await engine.execute('audit.log', { after: 0, limit: 1000 }, carol),
        accounts,
      };
    } finally {
      await storage.close();
    }
  }

  it('gives identical books, balances and audit chain on both', async () => {
    const onSqlite = await runDemo(new SqliteStorage({ path: join(crossDirectory, 'demo.sqlite') }));
    const onPostgres = await runDemo(await crossDatabase.openStorage());
    expect(onPostgres).toEqual(onSqlite);
    expect(onSqlite).toMatchObject({ audit: { ok: true, value: { intact: true } } });
  });
});
