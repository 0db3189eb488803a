/**
 * Crash safety of the ledger on SQLite (WAL, synchronous=FULL): a worker process applies batch
 * after batch and is killed with SIGKILL at a random moment, many times over. After every kill the
 * database is reopened and must hold exactly the batches that committed: each one whole, none
 * half-done, every acknowledged one present, and books that balance and agree with the transfers
 * they hold. The next worker then resumes from the database, and running its last batch again
 * must answer `exists`, not apply it twice.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { TransferFlags, type Account, type Transfer } from '@qenex/engine/testing';
import {
  EUR,
  USD,
  accountId,
  crashAccounts,
  decodeTransferId,
  historyAccount,
  slot,
  storedSlots,
  transferId,
} from './crash-batches';

const kills = 30;
/** A kill lands this long after the worker is ready: long enough for tens of batches, short enough for the time budget. */
const killDelayMaxMs = 250;
/** Every few runs the kill lands while the worker resumes (opening, retrying), not in its main loop. */
const earlyKillEvery = 5;
const workerStartMaxMs = 60_000;

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const workerPath = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'qenex-crash-'));
const databasePath = join(directory, 'ledger.db');

interface WorkerRun {
  /** Batches the worker said were committed. */
  readonly acknowledged: number[];
  readonly resumedAt: number | undefined;
  readonly retried: boolean;
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
}

type KillPlan =
  | { readonly kind: 'after-ready'; readonly delayMs: number }
  | { readonly kind: 'while-resuming'; readonly delayMs: number }
  | { readonly kind: 'none'; readonly batches: number };

/** Runs the worker in its own process; kills it with SIGKILL as the plan says, or lets it finish. */
function runWorker(plan: KillPlan): Promise<WorkerRun> {
  const args = ['--import', 'tsx', workerPath, databasePath, ...(plan.kind === 'none' ? [String(plan.batches)] : [])];
  const child = spawn(process.execPath, args, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged: number[] = [];
  let resumedAt: number | undefined;
  let retried = false;
  let stderr = '';
  let pending = '';
  let killTimer: NodeJS.Timeout | undefined;
  const killIn = (delayMs: number): void => {
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
  };
  const startTimer = setTimeout(() => child.kill('SIGKILL'), workerStartMaxMs);
  const onLine = (line: string): void => {
    const [word, number] = line.split(' ');
    if (word === 'committed') acknowledged.push(Number(number));
    if (word === 'retried') retried = true;
    if (word === 'resuming') {
      resumedAt = Number(number);
      if (plan.kind === 'while-resuming') killIn(plan.delayMs);
    }
    if (word === 'ready') {
      clearTimeout(startTimer);
      if (plan.kind === 'after-ready') killIn(plan.delayMs);
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(startTimer);
      clearTimeout(killTimer);
      resolve({ acknowledged, resumedAt, retried, signal, code, stderr });
    });
  });
}

interface Books {
  readonly transfers: Transfer[];
  readonly accounts: Account[];
  readonly failures: Array<{ id: string; result: string }>;
  readonly totals: Array<{ ledger: number; debitsPosted: bigint; creditsPosted: bigint; debitsPending: bigint; creditsPending: bigint }>;
  readonly orphanBalanceRows: number;
  readonly historyRows: number;
}

/** Everything the database holds, read after a crash through a fresh connection (which recovers the WAL). */
async function readBooks(): Promise<Books> {
  const storage = new SqliteStorage({ path: databasePath });
  try {
    return await storage.read(async (tx) => {
      // The ledger port has no "list everything", by design; the test enumerates the tables itself.
      const ids = storage.db.prepare('SELECT id FROM transfers').pluck().all() as string[];
      const failures = storage.db.prepare('SELECT id, result FROM transfer_failures').all() as Array<{ id: string; result: string }>;
      const count = (sql: string): number => Number(storage.db.prepare(sql).pluck().get(accountId(historyAccount)));
      return {
        transfers: await tx.ledger.transfers(ids),
        accounts: await tx.ledger.accounts(crashAccounts.map((account) => account.id)),
        failures,
        totals: [...(await tx.ledger.ledgerTotals())],
        orphanBalanceRows: count(
          'SELECT count(*) FROM account_balances WHERE account_id = ? AND transfer_id NOT IN (SELECT id FROM transfers)',
        ),
        historyRows: count('SELECT count(*) FROM account_balances WHERE account_id = ?'),
      };
    });
  } finally {
    await storage.close();
  }
}

/** How many batches are present; fails unless they are batches 0 … M−1, each one whole. */
function presentBatches(books: Books): number {
  const slotsPerBatch = new Map<number, Set<number>>();
  const stored = new Set(storedSlots());
  for (const transfer of books.transfers) {
    const origin = decodeTransferId(transfer.id);
    expect(origin, `transfer ${transfer.id} belongs to no batch`).toBeDefined();
    expect(stored.has(origin!.position), `transfer ${transfer.id} is in a slot that never stores one`).toBe(true);
    const slots = slotsPerBatch.get(origin!.batch) ?? new Set<number>();
    slots.add(origin!.position);
    slotsPerBatch.set(origin!.batch, slots);
  }
  const present = slotsPerBatch.size;
  for (let batch = 0; batch < present; batch += 1) {
    expect(slotsPerBatch.get(batch)?.size ?? 0, `batch ${batch} is half there`).toBe(stored.size);
  }
  expect([...slotsPerBatch.keys()].every((batch) => batch < present), 'batches present out of order').toBe(true);
  return present;
}

/** Burned ids: exactly one per present batch (its failing chain's event), none from absent batches. */
function checkFailures(books: Books, present: number): void {
  const expected = Array.from({ length: present }, (_, batch) => transferId(batch, slot.failingEvent)).sort();
  expect(books.failures.map((failure) => failure.id).sort()).toEqual(expected);
  expect(books.failures.every((failure) => failure.result === 'debit_account_not_found')).toBe(true);
}

/** Each pending transfer is resolved exactly when the batch after it is present. */
function checkPendings(books: Books, present: number): void {
  const byId = new Map<string, Transfer>(books.transfers.map((transfer) => [transfer.id, transfer]));
  for (let batch = 0; batch < present; batch += 1) {
    const pending = byId.get(transferId(batch, slot.pending))!;
    const resolved = batch + 1 < present ? ((batch + 1) % 2 === 0 ? 'posted' : 'voided') : 'pending';
    expect(pending.pendingStatus, `pending transfer of batch ${batch}`).toBe(resolved);
    expect(byId.get(transferId(batch, slot.pendingInChain))!.pendingStatus).toBe('posted');
  }
}

type Sums = { debitsPending: bigint; debitsPosted: bigint; creditsPending: bigint; creditsPosted: bigint };

/** Each account's balances recomputed from the transfers stored against it. */
function balancesFromTransfers(transfers: readonly Transfer[]): Map<string, Sums> {
  const sums = new Map<string, Sums>();
  const of = (id: string): Sums => {
    const existing = sums.get(id);
    if (existing !== undefined) return existing;
    const fresh = { debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n };
    sums.set(id, fresh);
    return fresh;
  };
  for (const transfer of transfers) {
    const debit = of(transfer.debitAccountId);
    const credit = of(transfer.creditAccountId);
    const holds = transfer.pendingId === null && (transfer.flags & TransferFlags.pending) !== 0;
    const posts = transfer.pendingId === null ? !holds : (transfer.flags & TransferFlags.postPendingTransfer) !== 0;
    if (holds && transfer.pendingStatus === 'pending') {
      debit.debitsPending += transfer.amount;
      credit.creditsPending += transfer.amount;
    }
    if (posts) {
      debit.debitsPosted += transfer.amount;
      credit.creditsPosted += transfer.amount;
    }
  }
  return sums;
}

function checkBalances(books: Books): void {
  for (const total of books.totals) {
    expect(total.debitsPosted, `Σdebits = Σcredits, posted, ledger ${total.ledger}`).toBe(total.creditsPosted);
    expect(total.debitsPending, `Σdebits = Σcredits, pending, ledger ${total.ledger}`).toBe(total.creditsPending);
  }
  expect(books.accounts).toHaveLength(crashAccounts.length);
  const expected = balancesFromTransfers(books.transfers);
  const zero = { debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n };
  for (const account of books.accounts) {
    const { debitsPending, debitsPosted, creditsPending, creditsPosted } = account;
    expect({ debitsPending, debitsPosted, creditsPending, creditsPosted }, `balances of ${account.id}`).toEqual(
      expected.get(account.id) ?? zero,
    );
  }
  const touchesHistory = books.transfers.filter(
    (transfer) => transfer.debitAccountId === accountId(historyAccount) || transfer.creditAccountId === accountId(historyAccount),
  );
  expect(books.historyRows, 'one balance row per change of the history account').toBe(touchesHistory.length);
  expect(books.orphanBalanceRows, 'balance rows of transfers that are not there').toBe(0);
}

/** Checks the database after a run and answers how many batches it holds. */
async function checkDatabase(run: WorkerRun, presentBefore: number): Promise<number> {
  const books = await readBooks();
  const present = presentBatches(books);
  expect(present, 'a batch that was there before the crash is gone').toBeGreaterThanOrEqual(presentBefore);
  const lastAcknowledged = Math.max(-1, ...run.acknowledged);
  expect(present, `batch ${lastAcknowledged} was acknowledged but is missing`).toBeGreaterThan(lastAcknowledged);
  checkFailures(books, present);
  checkPendings(books, present);
  checkBalances(books);
  expect(books.totals.map((total) => total.ledger), 'one set of totals per ledger').toEqual([USD, EUR]);
  return present;
}

function planFor(run: number): KillPlan {
  const delayMs = Math.floor(Math.random() * killDelayMaxMs);
  if (run % earlyKillEvery === earlyKillEvery - 1) return { kind: 'while-resuming', delayMs: Math.floor(delayMs / 25) };
  return { kind: 'after-ready', delayMs };
}

describe('ledger on SQLite under SIGKILL', () => {
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it(
    `keeps every committed batch whole and nothing else, across ${kills} kills at random moments`,
    async () => {
      let present = 0;
      let retries = 0;
      for (let run = 0; run < kills; run += 1) {
        const outcome = await runWorker(planFor(run));
        expect(outcome.stderr, 'the worker reported a problem').toBe('');
        expect(outcome.signal, `run ${run} ended by itself (code ${outcome.code})`).toBe('SIGKILL');
        if (outcome.resumedAt !== undefined) expect(outcome.resumedAt, 'the worker resumed from the database').toBe(present);
        if (outcome.retried) retries += 1;
        present = await checkDatabase(outcome, present);
      }
      // A last run that is not killed: it resumes, retries, adds a few batches and stops cleanly.
      const last = await runWorker({ kind: 'none', batches: 3 });
      expect(last.stderr).toBe('');
      expect(last.code).toBe(0);
      expect(last.retried || present === 0).toBe(true);
      expect(last.acknowledged).toEqual([present, present + 1, present + 2]);
      const final = await checkDatabase(last, present);
      expect(final).toBe(present + 3);
      expect(retries, 'some killed runs got as far as retrying their last batch').toBeGreaterThan(0);
    },
    240_000,
  );
});
