/**
 * CBDC token settlement (OpenCBDC's model) through the engine on SQLite: transactions settled per
 * second with every signature verified, against the ledger's own rate (ledger.create_transfers
 * through the engine) on the same store in the same run. Transactions are signed before timing:
 * signing is the wallet's cost, verifying is settlement's. p99_ms is the latency of one settle
 * batch (batchTransactions transactions).
 */
import { join } from 'node:path';
import { SqliteStorage } from '@qenex/engine/sqlite';
import type { CbdcTransaction, Engine } from '@qenex/engine';
import { UnspentModel, coinsOf, mintTx, settlerCtx, spendTx, tokenEngine, toJson, treasurer, usd, type Coin } from '../test/cbdc/token-support';
import { check, hexId, log, temporaryDirectory, type Benchmark, type Figure } from './support';

const batchTransactions = 64;
const measuredBatches = 24;
const mints = 8;
const outputsPerMint = 16;
const ledgerBatchTransfers = 64;
const ledgerBatches = 200;
const operator = { actor: 'bench-ledger', roles: ['ledger_operator'], deviceId: 'bench' };

/** Mints, then batches of payments each spending one coin into two (the payee's and the change). */
function presign(): { mintTxs: CbdcTransaction[]; batches: CbdcTransaction[][] } {
  const mintTxs: CbdcTransaction[] = [];
  let coins: Coin[] = [];
  for (let index = 0; index < mints; index += 1) {
    const holders = Array.from({ length: outputsPerMint }, (_, output) => output % 4);
    const mint = mintTx(index + 1, holders.map((holder) => usd(1_000_000n, holder)));
    mintTxs.push(mint);
    coins.push(...coinsOf(mint, holders));
  }
  const batches: CbdcTransaction[][] = [];
  for (let batch = 0; batch < measuredBatches; batch += 1) {
    const txs: CbdcTransaction[] = [];
    for (let slot = 0; slot < batchTransactions; slot += 1) {
      const coin = coins.shift()!;
      const value = coin.input.output.value;
      const to = (coin.holder + 1) % 4;
      const tx = spendTx([coin], [usd(value / 2n, to), usd(value - value / 2n, coin.holder)]);
      txs.push(tx);
      coins.push(...coinsOf(tx, [to, coin.holder]));
    }
    batches.push(txs);
  }
  return { mintTxs, batches };
}

async function ledgerRate(engine: Engine): Promise<number> {
  const debit = hexId(1, 1);
  const credit = hexId(1, 2);
  const opened = await engine.executeAny('ledger.create_accounts', { accounts: [{ id: debit, ledger: 840, code: 1 }, { id: credit, ledger: 840, code: 1 }] }, operator);
  check(opened.ok, 'ledger accounts opened');
  let number = 1;
  const batch = () => Array.from({ length: ledgerBatchTransfers }, () => ({ id: hexId(2, number++), debitAccountId: debit, creditAccountId: credit, amount: '1', ledger: 840, code: 1 }));
  for (let warm = 0; warm < 10; warm += 1) await engine.executeAny('ledger.create_transfers', { transfers: batch() }, operator);
  const prepared = Array.from({ length: ledgerBatches }, batch);
  const started = performance.now();
  for (const transfers of prepared) {
    const result = await engine.executeAny('ledger.create_transfers', { transfers }, operator);
    check(result.ok && (result.value as { failed: number }).failed === 0, 'every ledger transfer accepted');
  }
  const seconds = (performance.now() - started) / 1000;
  const totals = await engine.executeAny('ledger.totals', {}, operator);
  check(totals.ok && (totals.value as Array<{ balanced: boolean }>).every((total) => total.balanced), 'the ledger balances');
  return (ledgerBatches * ledgerBatchTransfers) / seconds;
}

async function run(): Promise<Figure> {
  const directory = temporaryDirectory('qenex-bench-cbdc-');
  const storage = new SqliteStorage({ path: join(directory.path, 'cbdc.sqlite') });
  try {
    const engine = await tokenEngine(storage);
    const model = new UnspentModel();
    log(`cbdc: signing ${mints + measuredBatches * batchTransactions} transactions before timing`);
    const { mintTxs, batches } = presign();
    for (const mint of mintTxs) {
      check((await engine.executeAny('cbdc.mint', { transaction: toJson(mint) }, treasurer)).ok, 'mint settled');
      model.apply(mint);
    }
    const wire = batches.map((txs) => txs.map(toJson));
    const latenciesMs: number[] = [];
    const started = performance.now();
    for (const [index, transactions] of wire.entries()) {
      const before = performance.now();
      const answer = await engine.executeAny('cbdc.settle', { transactions }, settlerCtx);
      latenciesMs.push(performance.now() - before);
      check(answer.ok && (answer.value as { settled: number }).settled === transactions.length, `batch ${index} settled whole`);
    }
    const seconds = (performance.now() - started) / 1000;
    for (const txs of batches) for (const tx of txs) check(model.apply(tx) === 'settled', 'the model agrees');
    const hashes = [...model.unspent.keys()];
    const [count, unspent] = await storage.read(async ({ utxo }) => [await utxo.count(), (await utxo.unspent(hashes)).length] as const);
    check(count === hashes.length && unspent === hashes.length, 'the unspent set is the model');
    check(model.total() === model.minted - model.redeemed, 'value in the set = minted − redeemed');
    const baseline = Math.round(await ledgerRate(engine));
    const settled = measuredBatches * batchTransactions;
    const value = Math.round(settled / seconds);
    const sorted = [...latenciesMs].sort((a, b) => a - b);
    const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
    return {
      bench: 'cbdc.settle',
      value,
      unit: 'tx/s',
      baseline,
      baselineName: `ledger.create_transfers through the engine, same SQLite file, ${ledgerBatchTransfers}-transfer batches (transfers/s)`,
      ratio: Math.round((value / baseline) * 1000) / 1000,
      n: settled,
      extra: { p99_ms: Math.round(p99 * 10) / 10, batch_transactions: batchTransactions },
    };
  } finally {
    await storage.close();
    directory.dispose();
  }
}

export const cbdcBenchmarks: readonly Benchmark[] = [{ name: 'cbdc.settle', run }];
