/**
 * The process the crash test kills: `node --import tsx crash-worker.ts DB [BATCHES]`.
 *
 * Opens the database, opens the accounts (once: later runs get `exists`), finds how many batches
 * the database holds, runs the last of them again (it must change nothing), then applies batch
 * after batch, printing `committed k` only once batch k's transaction has resolved. Runs until
 * killed, or for BATCHES batches when given. Any surprise goes to stderr with exit code 3.
 *
 * Lines on stdout: `resuming M` (M batches found), `retried K`, `ready M`, `committed K`.
 */
import { SqliteStorage } from '@qenex/engine/sqlite';
import { applyAccounts, applyTransfers, type CreateTransferResult } from '@qenex/engine/testing';
import { crashAccounts, crashBatch, firstResults, retryResults, slot, transferId } from './crash-batches';

const [path, batchesArgument] = process.argv.slice(2);
if (path === undefined) fail('usage: crash-worker.ts DB [BATCHES]');
const batchesToRun = batchesArgument === undefined ? Number.POSITIVE_INFINITY : Number(batchesArgument);

function fail(message: string): never {
  process.stderr.write(`crash-worker: ${message}\n`);
  process.exit(3);
}

function say(line: string): void {
  // stdout on a pipe is synchronous on POSIX: the line has left this process when write returns.
  process.stdout.write(`${line}\n`);
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function expectResults(what: string, actual: readonly CreateTransferResult[], expected: readonly CreateTransferResult[]): void {
  const differences = expected.flatMap((result, index) =>
    actual[index] === result ? [] : [`#${index}: ${String(actual[index])}, expected ${result}`],
  );
  if (actual.length !== expected.length || differences.length > 0) fail(`${what}: ${differences.join('; ')}`);
}

/** Batches are applied in order and each is all or nothing, so the present ones are 0 … M−1: search for M. */
async function committedBatches(storage: SqliteStorage): Promise<number> {
  return storage.read(async (tx) => {
    const present = async (batch: number): Promise<boolean> =>
      (await tx.ledger.transfers([transferId(batch, slot.plain)])).length === 1;
    if (!(await present(0))) return 0;
    let low = 0;
    let high = 1;
    while (await present(high)) {
      low = high;
      high *= 2;
    }
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await present(middle)) low = middle;
      else high = middle;
    }
    return low + 1;
  });
}

async function openAccounts(storage: SqliteStorage): Promise<void> {
  const results = await storage.transaction((tx) => applyAccounts(tx.ledger, crashAccounts, nowNs()));
  const allOk = results.every((result) => result === 'ok');
  const allExist = results.every((result) => result === 'exists');
  if (!allOk && !allExist) fail(`accounts half opened: ${results.join(', ')}`);
}

/** Runs the last committed batch again: every event must be recognised, and the books must not move. */
async function retryLast(storage: SqliteStorage, batch: number): Promise<void> {
  const before = await storage.read((tx) => tx.ledger.ledgerTotals());
  const results = await storage.transaction((tx) => applyTransfers(tx.ledger, crashBatch(batch), nowNs()));
  expectResults(`retry of batch ${batch}`, results, retryResults());
  const after = await storage.read((tx) => tx.ledger.ledgerTotals());
  const show = (value: unknown): string => JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${item}` : item));
  if (show(before) !== show(after)) fail(`retry of batch ${batch} moved the books: ${show(before)} → ${show(after)}`);
}

async function main(databasePath: string): Promise<void> {
  const storage = new SqliteStorage({ path: databasePath });
  await openAccounts(storage);
  const committed = await committedBatches(storage);
  say(`resuming ${committed}`);
  if (committed > 0) {
    await retryLast(storage, committed - 1);
    say(`retried ${committed - 1}`);
  }
  say(`ready ${committed}`);
  const expected = firstResults();
  for (let batch = committed; batch < committed + batchesToRun; batch += 1) {
    const results = await storage.transaction((tx) => applyTransfers(tx.ledger, crashBatch(batch), nowNs()));
    expectResults(`batch ${batch}`, results, expected);
    say(`committed ${batch}`);
  }
  await storage.close();
}

await main(path);
