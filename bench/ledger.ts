import Database from 'better-sqlite3';
import { migrations, SqliteStorage } from '@qenex/engine/sqlite';
import {
  AccountFlags,
  applyAccounts,
  applyTransfers,
  batchEventsMax,
  type AccountEvent,
  type TransferEvent,
} from '@qenex/engine/testing';
import { check, hexId, log, seededRandom, temporaryDirectory, throughput, type Benchmark, type Figure } from './support';

const ledgerUsd = 840;
const baselineName = 'raw better-sqlite3, same schema';
const accountKind = 1;
const transferKind = 2;
/** Every tenth account may not go below zero, and is funded well beyond what the workload can take from it. */
const guardedEvery = 10;
const guardedFundingMinor = 1_000_000_000_000n;
const amountMaxMinor = 1_000;

interface Workload {
  readonly accounts: readonly AccountEvent[];
  readonly funding: readonly TransferEvent[];
  readonly warmup: ReadonlyArray<readonly TransferEvent[]>;
  readonly measured: ReadonlyArray<readonly TransferEvent[]>;
}

interface Shape {
  readonly accounts: number;
  readonly batchTransfers: number;
  readonly warmupBatches: number;
  readonly measuredBatches: number;
  readonly seed: number;
}

function accountId(index: number): string {
  return hexId(accountKind, index);
}

/** Accounts, funding for the guarded ones, then uniform random pairs in fixed-size batches. */
function makeWorkload(shape: Shape): Workload {
  const random = seededRandom(shape.seed);
  const accounts: AccountEvent[] = [];
  const funding: TransferEvent[] = [];
  let transferNumber = 1;
  const transfer = (debit: number, credit: number, amount: bigint): TransferEvent => ({
    id: hexId(transferKind, transferNumber++),
    debitAccountId: accountId(debit),
    creditAccountId: accountId(credit),
    amount,
    ledger: ledgerUsd,
    code: 1,
  });
  for (let index = 0; index < shape.accounts; index += 1) {
    const guarded = index % guardedEvery === 1;
    accounts.push({
      id: accountId(index),
      ledger: ledgerUsd,
      // Integration accounts, outside the banking chart (codes 100-999 move only through banking commands).
      code: guarded ? 2000 : 1000,
      flags: guarded ? AccountFlags.debitsMustNotExceedCredits : AccountFlags.none,
    });
    if (guarded) funding.push(transfer(0, index, guardedFundingMinor));
  }
  const batch = (): TransferEvent[] => {
    const events: TransferEvent[] = [];
    for (let count = 0; count < shape.batchTransfers; count += 1) {
      const debit = random(shape.accounts);
      const credit = (debit + 1 + random(shape.accounts - 1)) % shape.accounts;
      events.push(transfer(debit, credit, BigInt(1 + random(amountMaxMinor))));
    }
    return events;
  };
  const warmup = Array.from({ length: shape.warmupBatches }, batch);
  const measured = Array.from({ length: shape.measuredBatches }, batch);
  return { accounts, funding, warmup, measured };
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** The engine's path: one durable transaction per batch through applyTransfers. */
class EngineLedger {
  readonly storage: SqliteStorage;

  constructor(path: string) {
    this.storage = new SqliteStorage({ path });
  }

  async setup(workload: Workload): Promise<void> {
    for (const part of chunks(workload.accounts, batchEventsMax)) {
      const results = await this.storage.transaction((tx) => applyAccounts(tx.ledger, part, nowNs()));
      check(results.every((result) => result === 'ok'), 'every account opens');
    }
    for (const part of chunks(workload.funding, batchEventsMax)) await this.batch(part);
  }

  async batch(events: readonly TransferEvent[]): Promise<void> {
    const results = await this.storage.transaction((tx) => applyTransfers(tx.ledger, events, nowNs()));
    check(results.every((result) => result === 'ok'), 'every transfer of the workload is accepted');
  }

  async books(): Promise<Books> {
    const totals = await this.storage.read((tx) => tx.ledger.ledgerTotals());
    return { totals, ...tableFacts(this.storage.db) };
  }

  close(): Promise<void> {
    return this.storage.close();
  }
}

/** The baseline: the same tables written directly, one insert and two updates per transfer. */
class RawLedger {
  private readonly db: Database.Database;
  private readonly insertTransfer: Database.Statement;
  private readonly debit: Database.Statement;
  private readonly credit: Database.Statement;
  private readonly runBatch: Database.Transaction<(events: readonly TransferEvent[]) => void>;
  private timestamp = 0n;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.defaultSafeIntegers(true);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    for (const [index, migration] of migrations.entries()) {
      this.db.transaction(() => {
        this.db.exec(migration);
        this.db.pragma(`user_version = ${index + 1}`);
      })();
    }
    this.insertTransfer = this.db.prepare(
      `INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, pending_id, user_data_128, user_data_64,
         user_data_32, timeout, ledger, code, flags, timestamp, pending_status, expires_at)
       VALUES (?, ?, ?, ?, NULL, NULL, 0, 0, 0, ?, ?, 0, ?, 0, 0)`,
    );
    this.debit = this.db.prepare(`UPDATE accounts SET debits_posted = debits_posted + ? WHERE id = ?`);
    this.credit = this.db.prepare(`UPDATE accounts SET credits_posted = credits_posted + ? WHERE id = ?`);
    this.runBatch = this.db.transaction((events: readonly TransferEvent[]) => {
      for (const event of events) {
        this.timestamp += 1n;
        this.insertTransfer.run(event.id, event.debitAccountId, event.creditAccountId, event.amount, event.ledger, event.code, this.timestamp);
        this.debit.run(event.amount, event.debitAccountId);
        this.credit.run(event.amount, event.creditAccountId);
      }
    });
  }

  setup(workload: Workload): void {
    const insert = this.db.prepare(
      `INSERT INTO accounts (id, ledger, code, flags, debits_pending, debits_posted, credits_pending, credits_posted,
         overdraft_limit, user_data_128, user_data_64, user_data_32, timestamp) VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0, NULL, 0, 0, ?)`,
    );
    this.db.transaction(() => {
      for (const account of workload.accounts) {
        this.timestamp += 1n;
        insert.run(account.id, account.ledger, account.code, account.flags ?? 0, this.timestamp);
      }
    }).immediate();
    this.batch(workload.funding);
  }

  batch(events: readonly TransferEvent[]): void {
    this.runBatch.immediate(events);
  }

  books(): Books {
    const totals = new Map<number, { debitsPosted: bigint; creditsPosted: bigint; debitsPending: bigint; creditsPending: bigint }>();
    const rows = this.db
      .prepare(`SELECT ledger, sum(debits_posted) d, sum(credits_posted) c, sum(debits_pending) dp, sum(credits_pending) cp FROM accounts GROUP BY ledger`)
      .all() as Array<{ ledger: bigint; d: bigint; c: bigint; dp: bigint; cp: bigint }>;
    for (const row of rows) {
      totals.set(Number(row.ledger), { debitsPosted: row.d, creditsPosted: row.c, debitsPending: row.dp, creditsPending: row.cp });
    }
    return { totals: [...totals.entries()].map(([ledger, sum]) => ({ ledger, ...sum })), ...tableFacts(this.db) };
  }

  close(): void {
    this.db.close();
  }
}

interface Books {
  readonly totals: ReadonlyArray<{
    readonly ledger: number;
    readonly debitsPosted: bigint;
    readonly creditsPosted: bigint;
    readonly debitsPending: bigint;
    readonly creditsPending: bigint;
  }>;
  readonly transfers: number;
  readonly amountMinor: bigint;
  /** Accounts whose stored balance differs from the sum of the transfers stored against them. */
  readonly accountsOff: number;
}

function tableFacts(db: Database.Database): Omit<Books, 'totals'> {
  const facts = db
    .prepare(
      `SELECT (SELECT count(*) FROM transfers) AS transfers,
              (SELECT coalesce(sum(amount), 0) FROM transfers) AS amount,
              (SELECT count(*) FROM accounts a
                WHERE a.debits_posted != (SELECT coalesce(sum(amount), 0) FROM transfers t WHERE t.debit_account_id = a.id)
                   OR a.credits_posted != (SELECT coalesce(sum(amount), 0) FROM transfers t WHERE t.credit_account_id = a.id)
                   OR a.debits_pending != 0 OR a.credits_pending != 0) AS off`,
    )
    .safeIntegers(true)
    .get() as { transfers: bigint; amount: bigint; off: bigint };
  return { transfers: Number(facts.transfers), amountMinor: facts.amount, accountsOff: Number(facts.off) };
}

/** Σdebits = Σcredits per ledger, every transfer of the workload present once, balances = Σ stored transfers. */
function checkBooks(who: string, books: Books, workload: Workload): void {
  const events = [workload.funding, ...workload.warmup, ...workload.measured].flat();
  const amountMinor = events.reduce((sum, event) => sum + event.amount, 0n);
  check(books.totals.length === 1, `${who}: one ledger`);
  for (const total of books.totals) {
    check(total.debitsPosted === total.creditsPosted, `${who}: Σdebits = Σcredits (posted) in ledger ${total.ledger}`);
    check(total.debitsPending === total.creditsPending, `${who}: Σdebits = Σcredits (pending) in ledger ${total.ledger}`);
    check(total.debitsPosted === amountMinor, `${who}: Σdebits = Σ transfer amounts in ledger ${total.ledger}`);
  }
  check(books.transfers === events.length, `${who}: ${books.transfers} transfers stored, ${events.length} made`);
  check(books.amountMinor === amountMinor, `${who}: stored amounts add up`);
  check(books.accountsOff === 0, `${who}: ${books.accountsOff} account balances differ from their transfers`);
}

interface Timing {
  engineMs: number;
  rawMs: number;
}

/**
 * Runs engine and baseline in alternating order, batch by batch, so drift on a shared machine
 * (other jobs, page cache, CPU frequency) falls on both sides alike.
 */
async function interleave(
  batches: ReadonlyArray<readonly TransferEvent[]>,
  engine: EngineLedger,
  raw: RawLedger,
): Promise<Timing> {
  const timing: Timing = { engineMs: 0, rawMs: 0 };
  const runEngine = async (events: readonly TransferEvent[]): Promise<void> => {
    const start = performance.now();
    await engine.batch(events);
    timing.engineMs += performance.now() - start;
  };
  const runRaw = (events: readonly TransferEvent[]): void => {
    const start = performance.now();
    raw.batch(events);
    timing.rawMs += performance.now() - start;
  };
  for (const [index, events] of batches.entries()) {
    if (index % 2 === 0) {
      await runEngine(events);
      runRaw(events);
    } else {
      runRaw(events);
      await runEngine(events);
    }
  }
  return timing;
}

async function measure(name: string, unit: string, shape: Shape): Promise<Figure> {
  const directory = temporaryDirectory('qenex-bench-');
  const engine = new EngineLedger(`${directory.path}/engine.db`);
  const raw = new RawLedger(`${directory.path}/raw.db`);
  try {
    const workload = makeWorkload(shape);
    await engine.setup(workload);
    raw.setup(workload);
    await interleave(workload.warmup, engine, raw);
    const timing = await interleave(workload.measured, engine, raw);
    const n = shape.measuredBatches * shape.batchTransfers;
    log(`${name}: engine ${timing.engineMs.toFixed(0)} ms, raw ${timing.rawMs.toFixed(0)} ms for ${n} transfers`);
    checkBooks('engine', await engine.books(), workload);
    checkBooks('raw', raw.books(), workload);
    return throughput(name, unit, n, timing.engineMs / 1000, n, timing.rawMs / 1000, baselineName);
  } finally {
    await engine.close();
    raw.close();
    directory.dispose();
  }
}

export const ledgerBenchmarks: readonly Benchmark[] = [
  {
    name: 'ledger.sqlite.batch',
    run: () =>
      measure('ledger.sqlite.batch', 'transfers/s', {
        accounts: 10_000,
        batchTransfers: 8_000,
        warmupBatches: 4,
        measuredBatches: 50,
        seed: 1,
      }),
  },
  {
    name: 'ledger.sqlite.single',
    run: () =>
      measure('ledger.sqlite.single', 'commits/s', {
        accounts: 1_000,
        batchTransfers: 1,
        warmupBatches: 500,
        measuredBatches: 5_000,
        seed: 2,
      }),
  },
];
