import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { applyAccounts, applyTransfers } from '../../app/ledger';
import type { Id128 } from '../../core/ids';
import type { Account } from '../../core/ledger';
import { migrations } from './schema';
import { PostgresStorage } from './storage';
import { defaultAdminUrl, PostgresTestDatabase } from './test-database';

const id = (n: number): Id128 => n.toString(16).padStart(32, '0') as Id128;
const USD = 840;
const nowNs = 1_700_000_000_000_000_000n;

/** What the shared contract (testing/storage-contract.ts) cannot see: migrations, locks across pools, the test database. */
describe('PostgreSQL storage', () => {
  const database = new PostgresTestDatabase();
  const opened: PostgresStorage[] = [];
  const open = async (schema: string): Promise<PostgresStorage> => {
    const storage = await PostgresStorage.open({ connectionString: await database.url(), schema });
    opened.push(storage);
    return storage;
  };
  afterAll(async () => {
    await Promise.all(opened.map((storage) => storage.close()));
    await database.drop();
  });

  it('migrates once when two processes start at once, and a restart finds nothing to do', async () => {
    const [first, second] = await Promise.all([open('race'), open('race')]);
    const third = await open('race');
    const versions = await first!.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.rows.map((row) => row.version)).toEqual(migrations.map((_, index) => index + 1));
    expect(await second!.read(({ ledger }) => ledger.lastTimestamp())).toBe(0n);
    expect(await third.read(({ ledger }) => ledger.lastTimestamp())).toBe(0n);
  });

  it('refuses a database whose schema is newer than this build', async () => {
    const storage = await open('newer');
    await storage.pool.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migrations.length + 1]);
    await expect(open('newer')).rejects.toThrow(/newer than this build/);
  });

  it('reads int8 as bigint on its own clients without changing pg for anyone else', async () => {
    const storage = await open('types');
    expect(await storage.read(({ ledger }) => ledger.lastTimestamp())).toBe(0n);
    expect(pg.types.getTypeParser(20)('42')).toBe('42');
    const plain = new pg.Client({ connectionString: await database.url() });
    await plain.connect();
    try {
      const { rows } = await plain.query<{ value: unknown }>(`SELECT 9223372036854775807::bigint AS value`);
      expect(rows[0]!.value).toBe('9223372036854775807');
    } finally {
      await plain.end();
    }
  });

  it('serialises writers of two pools on the same books, as it would two server processes', async () => {
    const [one, two] = [await open('shared'), await open('shared')];
    const [source, sink] = [id(1), id(2)];
    await one.transaction(({ ledger }) =>
      applyAccounts(ledger, [{ id: source, ledger: USD, code: 300 }, { id: sink, ledger: USD, code: 100 }], nowNs),
    );
    const payments = 20;
    const results = await Promise.all(
      Array.from({ length: payments }, (_, n) =>
        (n % 2 === 0 ? one : two).transaction(({ ledger }) =>
          applyTransfers(ledger, [{ id: id(100 + n), debitAccountId: source, creditAccountId: sink, amount: BigInt(n + 1), ledger: USD, code: 1 }], nowNs),
        ),
      ),
    );
    expect(results.flat()).toEqual(Array.from({ length: payments }, () => 'ok'));
    const [account] = await two.read(({ ledger }) => ledger.accounts([sink]));
    expect(account?.creditsPosted).toBe(BigInt((payments * (payments + 1)) / 2));
  });

  it('reads from a snapshot without waiting for a writer that holds the lock', async () => {
    const storage = await open('snapshot');
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = (): void => undefined;
    const writerHasLock = new Promise<void>((resolve) => (locked = resolve));
    const writer = storage.transaction(async ({ ledger }) => {
      await applyAccounts(ledger, [{ id: id(1), ledger: USD, code: 100 }], nowNs);
      locked();
      await held;
    });
    await writerHasLock;
    // Were reads behind the writer lock, this would wait for `release` forever.
    expect(await storage.read(({ ledger }) => ledger.accounts([id(1)]))).toEqual([]);
    release();
    await writer;
    expect(await storage.read(({ ledger }) => ledger.accounts([id(1)]))).toHaveLength(1);
  });

  it('refuses a store used after its transaction ended, and an update of a row that is not there', async () => {
    const storage = await open('misuse');
    const leaked = await storage.transaction(async (tx) => tx);
    await expect(leaked.ledger.lastTimestamp()).rejects.toThrow(/after it ended/);
    const ghost: Account = {
      id: id(9), ledger: USD, code: 100, flags: 0, debitsPending: 0n, debitsPosted: 1n, creditsPending: 0n, creditsPosted: 0n,
      overdraftLimit: 0n, userData128: null, userData64: 0n, userData32: 0, timestamp: 1n,
    };
    const update = storage.transaction(({ ledger }) =>
      ledger.apply({ accountsCreated: [], accountsUpdated: [ghost], transfersCreated: [], transfersUpdated: [], failures: [], balances: [], lastTimestamp: 1n }),
    );
    await expect(update).rejects.toThrow(/updated 0 of 1 accounts/);
    expect(await storage.read(({ ledger }) => ledger.lastTimestamp())).toBe(0n);
  });

  it('rolls back every write of a transaction when a write sent without waiting fails, even one the work never awaited', async () => {
    const storage = await open('deferred');
    const failing = storage.transaction(async ({ ledger, audit }) => {
      await applyAccounts(ledger, [{ id: id(1), ledger: USD, code: 100 }], nowNs);
      await audit.appendMany([
        { seq: 1, atMs: 1, actor: 'u', roles: [], deviceId: 'd', command: 'c', outcome: 'ok', detail: {}, prevHash: '0', hash: 'a' },
        { seq: 1, atMs: 1, actor: 'u', roles: [], deviceId: 'd', command: 'c', outcome: 'ok', detail: {}, prevHash: 'a', hash: 'b' },
      ]); // the same seq twice: the primary key refuses it when the batch's writes reach the database
      return 'the work itself finished';
    });
    await expect(failing).rejects.toThrow(/duplicate key/);
    expect(await storage.read(({ ledger }) => ledger.accounts([id(1)]))).toEqual([]);
    expect(await storage.read(({ audit }) => audit.head())).toBeUndefined();
    // The connection went back to the pool in a usable state.
    expect(await storage.transaction(({ ledger }) => applyAccounts(ledger, [{ id: id(1), ledger: USD, code: 100 }], nowNs))).toEqual(['ok']);
  });

  it('reports the write that failed, not the read after it that found the transaction aborted', async () => {
    const storage = await open('cause');
    const entry = { seq: 1, atMs: 1, actor: 'u', roles: [], deviceId: 'd', command: 'c', outcome: 'ok', detail: {}, prevHash: '0', hash: 'a' };
    const failing = storage.transaction(async ({ ledger, audit }) => {
      await audit.appendMany([entry, { ...entry, prevHash: 'a', hash: 'b' }]);
      return ledger.lastTimestamp(); // runs after the failed insert: "current transaction is aborted"
    });
    await expect(failing).rejects.toThrow(/duplicate key value violates unique constraint/);
  });

  it('plans every statement for its own parameters, never a generic plan costed on the empty tables of a new book', async () => {
    const storage = await open('plans');
    const { rows } = await storage.pool.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
    expect(rows[0]!.plan_cache_mode).toBe('force_custom_plan');
  });
});

describe('PostgreSQL test database', () => {
  const adminUrl = process.env.DATABASE_URL ?? defaultAdminUrl;

  it('creates a database of its own and drops it', async () => {
    const database = new PostgresTestDatabase({ adminUrl });
    expect(database.name).toMatch(new RegExp(`^qenex_test_${process.pid}_[0-9a-f]{8}$`));
    const storage = await database.openStorage();
    expect(await storage.read(({ ledger }) => ledger.lastTimestamp())).toBe(0n);
    await database.drop();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database.name]);
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
  });

  it('fails, saying how to start PostgreSQL, when the server cannot be reached', async () => {
    const nowhere = 'postgres://root:secret@127.0.0.1:1/test';
    const local = new PostgresTestDatabase({ adminUrl: nowhere, ci: false });
    await expect(local.openStorage()).rejects.toThrow(/PostgreSQL is not reachable at postgres:\/\/root:\*\*\*@127\.0\.0\.1:1\/test/);
    await expect(local.openStorage()).rejects.toThrow(/pg_ctlcluster --skip-systemctl-redirect/);
    const ci = new PostgresTestDatabase({ adminUrl: nowhere, ci: true });
    await expect(ci.url()).rejects.toThrow(/CI is set/);
    await local.drop();
    await ci.drop();
  });
});
