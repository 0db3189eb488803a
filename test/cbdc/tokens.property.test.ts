/**
 * No output is ever spent twice. Random sequences of batches — valid payments (some chained inside
 * their batch), redemptions, double spends (of outputs already spent, and twice inside one batch),
 * replays of settled transactions, forged signatures and unbalanced sums — settle against a model
 * of the unspent set: every answer is the model's, the set always equals the model's, the value in
 * it is what was minted less what was redeemed, and every settled transaction balances.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { inputHash, type CbdcTransaction, type Engine, type Storage } from '@qenex/engine';
import { PostgresTestDatabase } from '@qenex/engine/postgres';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { UnspentModel, coinsOf, mintTx, settlerCtx, spendTx, tokenEngine, toJson, treasurer, usd, type Coin } from './token-support';

type Action =
  | { readonly kind: 'pay'; readonly pick: number; readonly to: number; readonly split: number }
  | { readonly kind: 'redeem'; readonly pick: number }
  | { readonly kind: 'double'; readonly pick: number }
  | { readonly kind: 'replay'; readonly pick: number }
  | { readonly kind: 'forge'; readonly pick: number; readonly signer: number }
  | { readonly kind: 'unbalanced'; readonly pick: number };

const pick = fc.nat(1_000);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('pay' as const), pick, to: fc.nat(3), split: fc.nat(100) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redeem' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('double' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forge' as const), pick, signer: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unbalanced' as const), pick }) },
);
const scenario = fc.record({
  mints: fc.array(fc.record({ holder: fc.nat(3), value: fc.bigInt(1n, 1_000_000n) }), { minLength: 1, maxLength: 3 }),
  batches: fc.array(fc.array(action, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
});

/** The test's picture of the coins: what it believes unspent (spending a coin moves it to `spentCoins`). */
interface Wallets {
  coins: Coin[];
  spentCoins: Coin[];
  settledTxs: CbdcTransaction[];
}

/** Turns an action into a transaction and what the answer must be (for valid ones the model decides). */
function materialise(action: Action, wallets: Wallets): { tx: CbdcTransaction; expected: string | 'model' } | undefined {
  const take = (list: readonly Coin[]) => (list.length === 0 ? undefined : list[action.pick % list.length]);
  switch (action.kind) {
    case 'pay': {
      const coin = take(wallets.coins);
      if (coin === undefined) return undefined;
      const value = coin.input.output.value;
      const first = value === 1n ? 1n : 1n + ((value - 1n) * BigInt(action.split)) / 100n;
      const outputs = first === value ? [usd(value, action.to)] : [usd(first, action.to), usd(value - first, coin.holder)];
      const tx = spendTx([coin], outputs);
      wallets.coins = wallets.coins.filter((other) => other !== coin);
      wallets.spentCoins.push(coin);
      wallets.coins.push(...coinsOf(tx, outputs.length === 1 ? [action.to] : [action.to, coin.holder]));
      return { tx, expected: 'model' };
    }
    case 'redeem': {
      const coin = take(wallets.coins);
      if (coin === undefined) return undefined;
      wallets.coins = wallets.coins.filter((other) => other !== coin);
      wallets.spentCoins.push(coin);
      return { tx: spendTx([coin], [], coin.input.output.value), expected: 'model' };
    }
    case 'double': {
      const coin = take(wallets.spentCoins);
      return coin === undefined ? undefined : { tx: spendTx([coin], [usd(coin.input.output.value, (coin.holder + 1) % 4)]), expected: 'model' };
    }
    case 'replay': {
      const tx = wallets.settledTxs.length === 0 ? undefined : wallets.settledTxs[action.pick % wallets.settledTxs.length];
      return tx === undefined ? undefined : { tx, expected: 'already_settled' };
    }
    case 'forge': {
      const coin = take(wallets.coins);
      if (coin === undefined) return undefined;
      const signer = action.signer === coin.holder ? (coin.holder + 1) % 4 : action.signer;
      return { tx: spendTx([coin], [usd(coin.input.output.value, signer)], 0n, signer), expected: 'signature_invalid' };
    }
    case 'unbalanced': {
      const coin = take(wallets.coins);
      return coin === undefined ? undefined : { tx: spendTx([coin], [usd(coin.input.output.value + 1n, 0)]), expected: 'sums_do_not_balance' };
    }
  }
}

async function checkSet(storage: Storage, model: UnspentModel): Promise<void> {
  const modelHashes = [...model.unspent.keys()];
  const spent = [...model.spent];
  await storage.read(async ({ utxo }) => {
    expect(await utxo.count()).toBe(modelHashes.length);
    expect((await utxo.unspent(modelHashes)).length).toBe(modelHashes.length);
    expect(await utxo.unspent(spent)).toEqual([]);
  });
  expect(model.total()).toBe(model.minted - model.redeemed);
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function runScenario(engine: Engine, storage: Storage, input: Scenario, nonceBase: number): Promise<void> {
  const model = new UnspentModel();
  const wallets: Wallets = { coins: [], spentCoins: [], settledTxs: [] };
  for (const [index, mint] of input.mints.entries()) {
    const tx = mintTx(nonceBase + index, [usd(mint.value, mint.holder)]);
    const result = await engine.executeAny('cbdc.mint', { transaction: toJson(tx) }, treasurer);
    expect(result.ok).toBe(true);
    expect(model.apply(tx)).toBe('settled');
    wallets.coins.push(...coinsOf(tx, [mint.holder]));
    wallets.settledTxs.push(tx);
  }
  for (const actions of input.batches) {
    const made = actions.map((one) => materialise(one, wallets)).filter((item) => item !== undefined);
    if (made.length === 0) continue;
    const expected = made.map(({ tx, expected }) => (expected === 'model' ? model.apply(tx) : expected));
    const answer = await engine.executeAny('cbdc.settle', { transactions: made.map(({ tx }) => toJson(tx)) }, settlerCtx);
    expect(answer.ok).toBe(true);
    const results = (answer as { value: { results: Array<{ result: string }> } }).value.results;
    expect(results.map((result) => result.result)).toEqual(expected);
    made.forEach(({ tx }, index) => {
      if (expected[index] !== 'settled') return;
      wallets.settledTxs.push(tx);
      const sum = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);
      expect(sum(tx.inputs.map((input) => input.output.value))).toBe(sum(tx.outputs.map((output) => output.value)) + tx.redeemed);
    });
    // A coin the test believed unspent may have lost to a double spend that won: trust the model.
    wallets.coins = wallets.coins.filter((coin) => model.unspent.has(inputHash(coin.input)));
    await checkSet(storage, model);
  }
}

const directory = mkdtempSync(join(tmpdir(), 'qenex-cbdc-tokens-'));
const postgres = new PostgresTestDatabase();
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  await postgres.drop();
});

describe('CBDC token settlement: no output is spent twice', () => {
  let runs = 0;
  it('on SQLite, across random batches of payments, double spends, replays, forgeries and unbalanced sums', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        runs += 1;
        const storage = new SqliteStorage({ path: join(directory, `${runs}.sqlite`) });
        try {
          await runScenario(await tokenEngine(storage), storage, input, runs * 100);
        } finally {
          await storage.close();
        }
      }),
      { numRuns: 50, seed: 20261202 },
    );
  }, 120_000);

  it('on PostgreSQL, the same', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        runs += 1;
        const storage = await postgres.openStorage();
        try {
          await runScenario(await tokenEngine(storage), storage, input, runs * 100);
        } finally {
          await storage.close();
        }
      }),
      { numRuns: 15, seed: 20261203 },
    );
  }, 120_000);

  it('within one batch, two spends of one output: the first settles, the second is refused input_spent_or_unknown', async () => {
    const storage = new SqliteStorage({ path: join(directory, 'conflict.sqlite') });
    try {
      const engine = await tokenEngine(storage);
      const mint = mintTx(1, [usd(500n, 0)]);
      expect((await engine.executeAny('cbdc.mint', { transaction: toJson(mint) }, treasurer)).ok).toBe(true);
      const [coin] = coinsOf(mint, [0]);
      const toOne = spendTx([coin!], [usd(500n, 1)]);
      const toTwo = spendTx([coin!], [usd(500n, 2)]);
      const chained = spendTx(coinsOf(toOne, [1]), [usd(500n, 3)]);
      const answer = await engine.executeAny('cbdc.settle', { transactions: [toJson(toOne), toJson(toTwo), toJson(chained), toJson(toOne), { kind: 'transfer' }] }, settlerCtx);
      expect(answer).toMatchObject({ ok: true, value: { settled: 2 } });
      const results = (answer as { value: { results: Array<{ result: string }> } }).value.results.map((result) => result.result);
      expect(results).toEqual(['settled', 'input_spent_or_unknown', 'settled', 'already_settled', 'malformed']);
      // The chained output is the only unspent one: toOne's output was created and spent inside the batch.
      expect(await storage.read(({ utxo }) => utxo.count())).toBe(1);
      // A second mint of the same transaction is a replay.
      expect(await engine.executeAny('cbdc.mint', { transaction: toJson(mint) }, treasurer)).toMatchObject({ ok: false, code: 'already_settled' });
    } finally {
      await storage.close();
    }
  });
});
