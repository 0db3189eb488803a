/**
 * Disaster recovery figures, each against the plain tool on the same data in the same run:
 *
 * - `dr.backup`: an encrypted server backup (pg_dump in an exported snapshot, streamed through the
 *   .qxbk format) in MB/s of dump, against plain `pg_dump --format=custom` to a file.
 * - `dr.restore`: verify + decrypt + `pg_restore` into an empty database, against plain
 *   `pg_restore` of the plain dump into another empty database.
 * - `dr.backup.sqlite`: a workstation backup (SQLite online backup + encryption), against a plain
 *   copy of the database file.
 *
 * The books are 1,000 accounts and 30,000 transfers; each restored copy must have the source's
 * ledger totals, balanced, or the benchmark reports nothing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { sealedBoxKeyPair, type Storage } from '@qenex/engine';
import { defaultAdminUrl, PostgresStorage, PostgresTestDatabase } from '@qenex/engine/postgres';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { AccountFlags, applyAccounts, applyTransfers, batchEventsMax, type AccountEvent, type TransferEvent } from '@qenex/engine/testing';
import { backupWorkstation, restoreWorkstation } from '../apps/desktop/src/node/backup';
import { readBackup, writeBackup } from '@qenex/engine/node';
import { defaultRetention } from '@qenex/engine/node';
import { backupServerDatabase, restoreServerDatabase } from '../apps/server/src/backup/server-backup';
import { check, hexId, log, seededRandom, temporaryDirectory, type Benchmark, type Figure } from './support';

const accountsCount = 1_000;
const transfersCount = 30_000;
const ledgerUsd = 840;
const schema = 'books';
const bytesPerMegabyte = 1024 * 1024;

function workload(): { accounts: AccountEvent[]; transfers: TransferEvent[] } {
  const accounts = Array.from({ length: accountsCount }, (_, index): AccountEvent => ({ id: hexId(1, index), ledger: ledgerUsd, code: 1000, flags: AccountFlags.none }));
  const random = seededRandom(7);
  const transfers = Array.from({ length: transfersCount }, (_, index): TransferEvent => {
    const debit = random(accountsCount);
    const credit = (debit + 1 + random(accountsCount - 1)) % accountsCount;
    return { id: hexId(2, index + 1), debitAccountId: hexId(1, debit), creditAccountId: hexId(1, credit), amount: BigInt(1 + random(1_000)), ledger: ledgerUsd, code: 1 };
  });
  return { accounts, transfers };
}

async function fill(storage: Storage): Promise<void> {
  const { accounts, transfers } = workload();
  const nowNs = () => BigInt(Date.now()) * 1_000_000n;
  for (let start = 0; start < accounts.length; start += batchEventsMax) {
    const results = await storage.transaction((tx) => applyAccounts(tx.ledger, accounts.slice(start, start + batchEventsMax), nowNs()));
    check(results.every((result) => result === 'ok'), 'every account opens');
  }
  for (let start = 0; start < transfers.length; start += batchEventsMax) {
    const results = await storage.transaction((tx) => applyTransfers(tx.ledger, transfers.slice(start, start + batchEventsMax), nowNs()));
    check(results.every((result) => result === 'ok'), 'every transfer is accepted');
  }
}

async function totals(storage: Storage): Promise<string> {
  const ledgers = await storage.read((tx) => tx.ledger.ledgerTotals());
  check(ledgers.length > 0 && ledgers.every((ledger) => ledger.debitsPosted === ledger.creditsPosted), 'every ledger balances');
  return JSON.stringify(ledgers, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

function seconds(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}

function rate(bench: string, bytes: number, secondsTaken: number, baselineBytes: number, baselineSeconds: number, baselineName: string): Figure {
  const value = Math.round((bytes / bytesPerMegabyte / secondsTaken) * 10) / 10;
  const baseline = Math.round((baselineBytes / bytesPerMegabyte / baselineSeconds) * 10) / 10;
  return { bench, value, unit: 'MB/s', baseline, baselineName, ratio: Math.round((value / baseline) * 100) / 100, n: bytes };
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  check(result.status === 0, `${command} failed: ${result.stderr}`);
}

/** The server's books in a database of their own, and the empty databases restored into. */
class ServerFixture {
  readonly keys = sealedBoxKeyPair();
  readonly directory = temporaryDirectory('qenex-bench-dr-');
  private readonly extra: string[] = [];
  private constructor(
    readonly database: PostgresTestDatabase,
    readonly url: string,
    readonly expectedTotals: string,
  ) {}

  static async make(): Promise<ServerFixture> {
    const database = new PostgresTestDatabase();
    const url = await database.url();
    const storage = await PostgresStorage.open({ connectionString: url, schema, max: 2 });
    try {
      await fill(storage);
      await storage.pool.query('VACUUM ANALYZE');
      return new ServerFixture(database, url, await totals(storage));
    } finally {
      await storage.close();
    }
  }

  async emptyDatabase(): Promise<string> {
    const name = `${this.database.name}_r${this.extra.length}`;
    await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
    this.extra.push(name);
    const url = new URL(this.url);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async restoredTotals(url: string): Promise<string> {
    const storage = await PostgresStorage.open({ connectionString: url, schema, max: 1 });
    try {
      return await totals(storage);
    } finally {
      await storage.close();
    }
  }

  async dispose(): Promise<void> {
    await admin(async (client) => {
      for (const name of this.extra) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    await this.database.drop();
    this.directory.dispose();
  }
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? defaultAdminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function serverBackup(fixture: ServerFixture): Promise<{ file: string; plainDump: string; figure: Figure }> {
  const plainDump = join(fixture.directory.path, 'plain.dump');
  let startMs = performance.now();
  run('pg_dump', ['--format=custom', `--schema=${schema}`, `--dbname=${fixture.url}`, `--file=${plainDump}`]);
  const plainSeconds = seconds(startMs);
  startMs = performance.now();
  const backup = await backupServerDatabase({ databaseUrl: fixture.url, schema, directory: join(fixture.directory.path, 'backups'), recipientPublicKey: fixture.keys.publicKey, retention: defaultRetention });
  const backupSeconds = seconds(startMs);
  const figure = rate('dr.backup', backup.trailer.plaintextBytes, backupSeconds, statSync(plainDump).size, plainSeconds, 'plain pg_dump --format=custom to a file, same data');
  return { file: backup.path, plainDump, figure };
}

async function measureBackup(): Promise<Figure> {
  const fixture = await ServerFixture.make();
  try {
    const { file, figure } = await serverBackup(fixture);
    const target = await fixture.emptyDatabase();
    const restored = await restoreServerDatabase({ file, recipient: fixture.keys, targetUrl: target });
    check(restored.ok, `the backup restores: ${restored.ok ? '' : restored.message}`);
    check((await fixture.restoredTotals(target)) === fixture.expectedTotals, 'the restored ledger totals equal the source');
    return figure;
  } finally {
    await fixture.dispose();
  }
}

async function measureRestore(): Promise<Figure> {
  const fixture = await ServerFixture.make();
  try {
    const { file, plainDump } = await serverBackup(fixture);
    const plainTarget = await fixture.emptyDatabase();
    let startMs = performance.now();
    run('pg_restore', ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', `--dbname=${plainTarget}`, plainDump]);
    const plainSeconds = seconds(startMs);
    const target = await fixture.emptyDatabase();
    startMs = performance.now();
    const restored = await restoreServerDatabase({ file, recipient: fixture.keys, targetUrl: target });
    const restoreSeconds = seconds(startMs);
    check(restored.ok, `the backup restores: ${restored.ok ? '' : restored.message}`);
    check((await fixture.restoredTotals(target)) === fixture.expectedTotals, 'the restored ledger totals equal the source');
    check((await fixture.restoredTotals(plainTarget)) === fixture.expectedTotals, 'the plain restore has the source totals');
    log(`dr.restore: ${restored.plaintextBytes} bytes of dump in ${restoreSeconds.toFixed(2)} s (recovery time of ${transfersCount} transfers' books)`);
    return rate('dr.restore', restored.plaintextBytes, restoreSeconds, statSync(plainDump).size, plainSeconds, 'plain pg_restore of a plain dump of the same data');
  } finally {
    await fixture.dispose();
  }
}

async function measureSqliteBackup(): Promise<Figure> {
  const directory = temporaryDirectory('qenex-bench-dr-sqlite-');
  const keys = sealedBoxKeyPair();
  const codec = { writeBackup, readBackup };
  const sourcePath = join(directory.path, 'workstation.db');
  const storage = new SqliteStorage({ path: sourcePath });
  try {
    await fill(storage);
    const expected = await totals(storage);
    storage.db.pragma('wal_checkpoint(TRUNCATE)');
    let startMs = performance.now();
    copyFileSync(sourcePath, join(directory.path, 'copy.db'));
    const copySeconds = seconds(startMs);
    startMs = performance.now();
    const backup = await backupWorkstation(storage.db, { codec, recipientPublicKey: keys.publicKey, path: join(directory.path, 'workstation.qxbk'), nowMs: Date.now });
    const backupSeconds = seconds(startMs);
    const target = join(directory.path, 'restored.db');
    const restored = await restoreWorkstation(backup.path, target, { codec, recipient: keys });
    check(restored.ok, `the workstation backup restores: ${restored.ok ? '' : restored.message}`);
    const reopened = new SqliteStorage({ path: target });
    try {
      check((await totals(reopened)) === expected, 'the restored workstation totals equal the source');
    } finally {
      await reopened.close();
    }
    return rate('dr.backup.sqlite', backup.databaseBytes, backupSeconds, statSync(sourcePath).size, copySeconds, 'plain copy of the database file');
  } finally {
    await storage.close();
    directory.dispose();
  }
}

export const drBenchmarks: readonly Benchmark[] = [
  { name: 'dr.backup.sqlite', run: measureSqliteBackup },
  { name: 'dr.backup', run: measureBackup },
  { name: 'dr.restore', run: measureRestore },
];
