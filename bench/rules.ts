/**
 * What transaction monitoring adds to a payment: `transfer.internal` between customers of a bank
 * of 1,000 customers, decided by the live default rule pack (history read, every rule, decisions
 * and cases kept, history written), against the same transfers on an identical bank with no
 * scenario published. Both engines take turns in rounds (the order alternating) so both meet the
 * same disk; the figure is the difference of the two p99 latencies, with each beside it.
 *
 * - `rules.overhead`: the central server's path, on PostgreSQL (where a payment is decided for good).
 * - `rules.overhead.workstation`: a branch workstation's provisional path, on SQLite (a real file,
 *   WAL, synchronous FULL), where SQLite's automatic WAL checkpoint runs inside whichever commit
 *   crosses its threshold: the extra pages monitoring writes make those commits come more often.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Engine, ManualClock, SequentialIds, demoUsers, mustWithApproval, seedDemoBank, type Context, type Storage } from '@qenex/engine';
import { PostgresStorage, PostgresTestDatabase } from '@qenex/engine/postgres';
import { ScryptPasswordHasher } from '@qenex/engine/node';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { check, log, seededRandom, temporaryDirectory, type Benchmark, type Figure } from './support';

const customersCount = 1_000;
const transfers = 4_000;
/** Transfers each engine makes before the other takes its turn: short turns, so both meet the same disk. */
const round = 50;
/** Between two transfers: 4,000 of them span three days, a customer's two or three a day. */
const spacingMs = 65_000;

interface Runner {
  readonly storage: Storage;
  readonly engine: Engine;
  readonly clock: ManualClock;
  readonly ids: SequentialIds;
  readonly latenciesMs: number[];
}

function runner(storage: Storage, startMs: number): Runner {
  const clock = new ManualClock(startMs);
  const ids = new SequentialIds(clock, 21);
  return { storage, clock, ids, latenciesMs: [], engine: new Engine({ storage, clock, ids }) };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const seedStartMs = Date.UTC(2026, 11, 1, 8);

/** The bank: the demo's, with 1,000 customers of 1,000.00 each, and alice allowed the day's volume. The same ids every time. */
async function seedBank(storage: Storage): Promise<{ accountIds: string[]; startMs: number }> {
  const clock = new ManualClock(seedStartMs);
  const ids = new SequentialIds(clock, 0);
  const engine = new Engine({ storage, clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }) });
  const bank = await seedDemoBank(engine, ids, { clock });
  const { alice, bob, olivia, adam } = demoUsers;
  for (const kind of ['cash', 'transfer'] as const) {
    await mustWithApproval(engine, 'limit.set', { holder: { user: 'alice' }, kind, currency: 'USD', perTransaction: '1000000', perDay: '10000000000' }, olivia, adam);
  }
  const must = async (name: string, input: unknown, as: Context) => {
    const result = await engine.executeAny(name, input, as);
    check(result.ok, `${name}: ${JSON.stringify(result)}`);
  };
  const accountIds: string[] = [];
  for (let index = 0; index < customersCount; index += 1) {
    const customerId = ids.next();
    await must('customer.create', { customerId, branchId: bank.branchId, fullName: `Bench Customer ${index}`, dateOfBirth: '1985-01-01', nationalId: `BENCH-${index}`, address: '1 Bench Road', phone: '+1 415 555 0100' }, alice);
    await must('customer.review_kyc', { customerId, kycStatus: 'verified', riskRating: 'low' }, bob);
    const accountId = ids.next();
    await must('account.open', { accountId, customerId, productId: 'CURRENT-USD' }, alice);
    await must('cash.deposit', { transferId: ids.next(), sessionId: bank.sessionId, accountId, money: { amount: '100000', currency: 'USD' } }, alice);
    accountIds.push(accountId);
  }
  return { accountIds, startMs: clock.nowMs() + 3_600_000 };
}

async function transferRound(run: Runner, from: number, pairs: readonly (readonly [string, string])[]): Promise<void> {
  for (let index = from; index < from + round; index += 1) {
    const [fromAccountId, toAccountId] = pairs[index]!;
    run.clock.set(run.clock.nowMs() + spacingMs);
    const started = performance.now();
    const result = await run.engine.execute('transfer.internal', { transferId: run.ids.next(), fromAccountId, toAccountId, money: { amount: String(500 + (index % 97)), currency: 'USD' } }, demoUsers.alice);
    run.latenciesMs.push(performance.now() - started);
    check(result.ok, `transfer ${index}: ${JSON.stringify(result)}`);
  }
}

const historyRows = async (storage: Storage) => (await storage.read((tx) => tx.banking.list('monitoredTransaction', '', customersCount + transfers * 2 + 10))).length;

/** The same transfers on the bank with rules and on the bank without, taking turns; then the invariants and the figure. */
async function measure(bench: string, unit: string, withRules: Runner, without: Runner, accountIds: readonly string[], seeded: number): Promise<Figure> {
  const random = seededRandom(7);
  const pairs = Array.from({ length: transfers }, () => {
    const a = random(accountIds.length);
    const b = (a + 1 + random(accountIds.length - 1)) % accountIds.length;
    return [accountIds[a]!, accountIds[b]!] as const;
  });
  for (let from = 0, turn = 0; from < transfers; from += round, turn += 1) {
    const order = turn % 2 === 0 ? [without, withRules] : [withRules, without];
    for (const run of order) await transferRound(run, from, pairs);
  }
  check((await historyRows(withRules.storage)) === seeded + transfers * 2, "every transfer's two legs joined the history");
  check((await historyRows(without.storage)) === seeded, 'the bank without a scenario kept no history of its own');
  for (const run of [withRules, without]) {
    const totals = await run.storage.read((tx) => tx.ledger.ledgerTotals());
    check(totals.every((total) => total.debitsPosted === total.creditsPosted), 'every ledger sums to zero');
  }
  const cases = await withRules.storage.read((tx) => tx.banking.list('complianceCase', '', 10_000));
  log(`${bench}: ${cases.length} cases opened by ${transfers} transfers`);
  const p99With = percentile(withRules.latenciesMs, 99);
  const p99Without = percentile(without.latenciesMs, 99);
  const round2 = (ms: number) => Math.round(ms * 100) / 100;
  return {
    bench,
    value: round2(p99With - p99Without),
    unit,
    baseline: round2(p99Without),
    baselineName: 'p99 of the same transfers with no scenario published',
    ratio: round2(p99Without / p99With),
    n: transfers,
    extra: { p99_with_ms: round2(p99With), p99_without_ms: round2(p99Without), p50_with_ms: round2(percentile(withRules.latenciesMs, 50)), p50_without_ms: round2(percentile(without.latenciesMs, 50)), p90_with_ms: round2(percentile(withRules.latenciesMs, 90)), p90_without_ms: round2(percentile(without.latenciesMs, 90)), p999_with_ms: round2(percentile(withRules.latenciesMs, 99.9)), p999_without_ms: round2(percentile(without.latenciesMs, 99.9)) },
  };
}

async function serverOverhead(): Promise<Figure> {
  const database = new PostgresTestDatabase();
  try {
    const url = await database.url();
    const open = (schema: string) => PostgresStorage.open({ connectionString: url, schema, max: 2 });
    const rulesStorage = await open('rules');
    const noneStorage = await open('none');
    const { accountIds, startMs } = await seedBank(rulesStorage);
    await seedBank(noneStorage);
    // The bank without monitoring: no scenario in force, so no rule runs and no history is kept.
    await noneStorage.pool.query(`DELETE FROM none.entities WHERE kind IN ('monitoringConfig', 'monitoringState')`);
    for (const schema of ['rules', 'none']) await rulesStorage.pool.query(`VACUUM ANALYZE ${schema}.entities, ${schema}.entity_keys`);
    const seeded = await historyRows(noneStorage);
    const figure = await measure('rules.overhead', 'ms added to the p99 of transfer.internal on the server (PostgreSQL)', runner(rulesStorage, startMs), runner(noneStorage, startMs), accountIds, seeded);
    await rulesStorage.close();
    await noneStorage.close();
    return figure;
  } finally {
    await database.drop();
  }
}

async function workstationOverhead(): Promise<Figure> {
  const directory = temporaryDirectory('qenex-bench-rules-');
  try {
    const bankPath = join(directory.path, 'bank.db');
    const seedStorage = new SqliteStorage({ path: bankPath });
    const { accountIds, startMs } = await seedBank(seedStorage);
    await seedStorage.close();
    copyFileSync(bankPath, join(directory.path, 'rules.db'));
    copyFileSync(bankPath, join(directory.path, 'none.db'));
    const none = new Database(join(directory.path, 'none.db'));
    none.prepare(`DELETE FROM entities WHERE kind IN ('monitoringConfig', 'monitoringState')`).run();
    none.close();
    const rulesStorage = new SqliteStorage({ path: join(directory.path, 'rules.db') });
    const noneStorage = new SqliteStorage({ path: join(directory.path, 'none.db') });
    const seeded = await historyRows(noneStorage);
    const figure = await measure('rules.overhead.workstation', 'ms added to the p99 of transfer.internal on a workstation (SQLite)', runner(rulesStorage, startMs), runner(noneStorage, startMs), accountIds, seeded);
    await rulesStorage.close();
    await noneStorage.close();
    return figure;
  } finally {
    directory.dispose();
  }
}

export const rulesBenchmarks: readonly Benchmark[] = [
  { name: 'rules.overhead', run: serverOverhead },
  { name: 'rules.overhead.workstation', run: workstationOverhead },
];
