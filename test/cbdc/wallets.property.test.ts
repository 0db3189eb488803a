import fc from 'fast-check';
import {
  cbdcOwnerId,
  cbdcTransactionToJson,
  cbdcWalletOwner,
  demoUsers,
  holdingLimitOf,
  hybridKeyPair,
  signCbdcTransaction,
  tierOf,
  type Context,
} from '@qenex/engine';
import { describe, expect, it } from 'vitest';
import { balances, bankBooks, cbdcBooks, eur, ledgersBalanced, offlineLoad, settlementCtx, snapshot, type CbdcBooksUnderTest } from './support';

/**
 * Random days of a CBDC branch — the sheet changed (limits raised and lowered), wallets funded,
 * defunded, paying each other and other intermediaries, payments coming in, the central bank issuing
 * and redeeming, operations replayed — across three customers, each step through the engine. After
 * every step:
 * - the holding limit: a wallet never grows above its limit. A lowered limit sweeps nothing already
 *   held (the holding is the customer's), so the invariant is: balance ≤ max(limit now, balance before),
 *   and whatever grew ends at most at the limit;
 * - money is conserved: each customer's deposit + wallet moves by exactly the net external flow
 *   (incoming payments in, payments out; funding, defunding and the waterfalls move nothing net);
 * - the bank's float equals its CBDC position, all CBDC on the books (issuance) is float + wallets,
 *   and reserves + CBDC issued move only by reserve movements and payments across intermediaries;
 * - each ledger sums to zero (ledger.totals); a refused command, and a replayed one, change nothing.
 * Offline value is part of it: loads onto a customer's device, offline vouchers settled to another
 * wallet (change coming back as a new coin), and coins spent a second time (refused). The holding
 * limit counts the device's coins; the offline account equals the unspent coins, wallet by wallet.
 */
const { alice, bob, tess, trent } = demoUsers;

type Step =
  | { readonly kind: 'policy'; readonly standard: number; readonly reducedShare: number }
  | { readonly kind: 'fund' | 'defund' | 'receive'; readonly who: number; readonly amount: number }
  | { readonly kind: 'pay'; readonly who: number; readonly to: number | 'external'; readonly amount: number }
  | { readonly kind: 'issue' | 'redeem'; readonly amount: number }
  | { readonly kind: 'replay'; readonly pick: number }
  /** Offline amounts are a share (1–100%) of what there is: the wallet's balance for a load, the phone's coins for a payment. */
  | { readonly kind: 'load'; readonly who: number; readonly share: number }
  | { readonly kind: 'offline_pay'; readonly who: number; readonly to: number; readonly share: number }
  | { readonly kind: 'spend_again'; readonly pick: number };

const who = fc.integer({ min: 0, max: 2 });
const amount = fc.integer({ min: 1, max: 200_000 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('policy' as const), standard: fc.integer({ min: 0, max: 400_000 }), reducedShare: fc.integer({ min: 0, max: 100 }) }),
  { arbitrary: fc.record({ kind: fc.constantFrom('fund' as const, 'defund' as const, 'receive' as const), who, amount }), weight: 2 },
  fc.record({ kind: fc.constant('pay' as const), who, to: fc.oneof(who, fc.constant('external' as const)), amount }),
  fc.record({ kind: fc.constantFrom('issue' as const, 'redeem' as const), amount: fc.integer({ min: 1, max: 2_000_000 }) }),
  fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }),
  { arbitrary: fc.record({ kind: fc.constant('load' as const), who, share: fc.integer({ min: 1, max: 100 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('offline_pay' as const), who, to: who, share: fc.integer({ min: 1, max: 100 }) }), weight: 2 },
  fc.record({ kind: fc.constant('spend_again' as const), pick: fc.nat() }),
);

/** The vouchers settled in this run, so a later step can spend their coins again. */
let spentVouchers: Array<{ readonly who: number; readonly to: number; readonly inputs: ReadonlyArray<{ txid: string; index: number; output: { value: bigint; owner: string } }> }> = [];

/** Each customer's phone: the key their offline coins belong to. */
const devices = [0, 1, 2].map((index) => hybridKeyPair(new Uint8Array(64).fill(100 + index)));

interface Coin {
  readonly txid: string;
  readonly index: number;
  readonly output: { readonly value: string; readonly currency: string; readonly owner: string };
}

/** The phone pays `amount` to a wallet from the first coins that cover it, the rest back to itself; null when its coins do not cover it. */
function voucherFrom(coins: readonly Coin[], who: number, payeeWalletId: string, amount: bigint) {
  const inputs = [];
  let covered = 0n;
  for (const coin of coins) {
    if (covered >= amount) break;
    inputs.push({ txid: coin.txid, index: coin.index, output: { value: BigInt(coin.output.value), currency: 'EUR', owner: coin.output.owner } });
    covered += BigInt(coin.output.value);
  }
  if (covered < amount) return null;
  const owner = cbdcOwnerId(devices[who]!.publicKeys);
  const outputs = [{ value: amount, currency: 'EUR', owner: cbdcWalletOwner(payeeWalletId) }, ...(covered > amount ? [{ value: covered - amount, currency: 'EUR', owner }] : [])];
  return { inputs, voucher: cbdcTransactionToJson(signCbdcTransaction({ kind: 'transfer', inputs, outputs, redeemed: 0n }, inputs.map(() => devices[who]!))) };
}

async function coinsOf(books: CbdcBooksUnderTest, index: number): Promise<Coin[]> {
  const found = await books.engine.executeAny('cbdc.offline_coins', { walletId: books.customers[index]!.walletId }, alice);
  return (found as { ok: true; value: { coins: Coin[] } }).value.coins;
}

async function offlineOf(books: CbdcBooksUnderTest, index: number): Promise<bigint> {
  return (await books.storage.read((tx) => tx.banking.get('cbdcWallet', books.customers[index]!.walletId)))!.offlineMinor ?? 0n;
}

async function offlineAccount(books: CbdcBooksUnderTest): Promise<bigint> {
  return books.storage.read(async (tx) => {
    const id = (await tx.banking.get('cbdcBooks', 'EUR'))!.offlineAccountId;
    if (id === undefined) return 0n;
    const [account] = await tx.ledger.accounts([id]);
    return account!.creditsPosted - account!.debitsPosted;
  });
}

interface Done {
  readonly name: string;
  readonly input: unknown;
  readonly ctx: Context;
}

/** A command two treasurers agree to: tess asks, trent approves; a refusal before the hold comes back as it is. */
async function twoTreasurers(books: CbdcBooksUnderTest, name: string, input: unknown) {
  const asked = await books.engine.executeAny(name, input, tess);
  const approvalId = asked.ok ? undefined : asked.details?.approvalId;
  if (typeof approvalId !== 'string') return asked;
  return books.engine.executeAny('approval.decide', { approvalId, decision: 'approve' }, trent);
}

async function limitOf(books: CbdcBooksUnderTest, index: number): Promise<bigint> {
  return books.storage.read(async (tx) => {
    const customer = (await tx.banking.get('customer', books.customers[index]!.customerId))!;
    return holdingLimitOf((await tx.banking.get('cbdcPolicy', 'EUR'))!, tierOf(customer));
  });
}

/** Runs one step; answers whether it booked, and the net external flow per customer it made. */
async function runStep(books: CbdcBooksUnderTest, done: Done[], current: Step): Promise<{ ok: boolean; replay: boolean; flow: bigint[]; external: bigint; skipped?: true }> {
  const flow = [0n, 0n, 0n];
  const id = books.ids.next();
  const wallet = (index: number) => books.customers[index]!.walletId;
  let command: Done;
  switch (current.kind) {
    case 'policy': {
      const standard = BigInt(current.standard);
      const result = await twoTreasurers(books, 'cbdc.set_policy', { currency: 'EUR', standardLimit: standard.toString(), reducedLimit: ((standard * BigInt(current.reducedShare)) / 100n).toString() });
      return { ok: result.ok, replay: false, flow, external: 0n };
    }
    case 'issue':
    case 'redeem': {
      const result = await twoTreasurers(books, `cbdc.${current.kind}`, { operationId: id, money: eur(BigInt(current.amount)) });
      return { ok: result.ok, replay: false, flow, external: 0n };
    }
    case 'replay': {
      if (done.length === 0) return { ok: false, replay: true, flow, external: 0n };
      command = done[current.pick % done.length]!;
      const result = await books.engine.executeAny(command.name, command.input, command.ctx);
      expect(result.ok).toBe(true);
      const value = (result as { value: { fresh?: boolean; operation?: { fresh: boolean }; status?: string } }).value;
      if (command.name === 'cbdc.offline_pay') expect(value.status).toBe('settled');
      else expect(value.fresh ?? value.operation?.fresh).toBe(false);
      return { ok: true, replay: true, flow, external: 0n };
    }
    case 'load': {
      // A share of the balance, or (share 100) one unit more than it: refused.
      const balance = (await balances(books, books.customers[current.who]!)).wallet;
      const amount = current.share === 100 ? balance + 1n : (balance * BigInt(current.share)) / 100n;
      if (amount === 0n) return { ok: false, replay: false, flow, external: 0n, skipped: true };
      command = { name: 'cbdc.load_offline', input: offlineLoad(devices[current.who]!, id, wallet(current.who), eur(amount)), ctx: alice };
      break;
    }
    case 'offline_pay': {
      const coins = await coinsOf(books, current.who);
      const amount = (coins.reduce((sum, coin) => sum + BigInt(coin.output.value), 0n) * BigInt(current.share)) / 100n;
      const made = current.who === current.to || amount === 0n ? null : voucherFrom(coins, current.who, wallet(current.to), amount);
      if (made === null) return { ok: false, replay: false, flow, external: 0n, skipped: true };
      command = { name: 'cbdc.offline_pay', input: { paymentId: id, payerWalletId: wallet(current.who), payeeWalletId: wallet(current.to), voucher: made.voucher }, ctx: alice };
      spentVouchers.push({ who: current.who, to: current.to, inputs: made.inputs });
      flow[current.who] = -amount;
      flow[current.to] = amount;
      break;
    }
    case 'spend_again': {
      // The same coins again, to another payee and amount: always refused (a double spend, with a case), never booked.
      const earlier = spentVouchers[current.pick % Math.max(1, spentVouchers.length)];
      if (earlier === undefined) return { ok: false, replay: false, flow, external: 0n, skipped: true };
      const coins = earlier.inputs.map((input) => ({ txid: input.txid, index: input.index, output: { value: input.output.value.toString(), currency: 'EUR', owner: input.output.owner } }));
      const to = (earlier.to + 1) % 3 === earlier.who ? (earlier.to + 2) % 3 : (earlier.to + 1) % 3;
      const again = voucherFrom(coins, earlier.who, wallet(to), 1n)!;
      const result = await books.engine.executeAny('cbdc.offline_pay', { paymentId: id, payerWalletId: wallet(earlier.who), payeeWalletId: wallet(to), voucher: again.voucher }, alice);
      expect(result).toMatchObject({ ok: false, code: 'cbdc_double_spend' });
      return { ok: false, replay: false, flow, external: 0n };
    }
    case 'fund':
    case 'defund':
      command = { name: `cbdc.${current.kind}`, input: { operationId: id, walletId: wallet(current.who), money: eur(BigInt(current.amount)) }, ctx: alice };
      break;
    case 'receive':
      command = { name: 'cbdc.receive', input: { operationId: id, walletId: wallet(current.who), money: eur(BigInt(current.amount)), payer: { name: 'Jan de Vries', kind: 'person', intermediaryBic: 'INGBNL2AXXX' } }, ctx: settlementCtx };
      flow[current.who] = BigInt(current.amount);
      break;
    case 'pay': {
      const payee = current.to === 'external' ? { intermediaryBic: 'BNPAFRPPXXX', walletReference: 'FR-1', name: 'Claire Martin' } : { walletId: wallet(current.to) };
      command = { name: 'cbdc.pay', input: { operationId: id, walletId: wallet(current.who), money: eur(BigInt(current.amount)), payee }, ctx: bob };
      flow[current.who] = -BigInt(current.amount);
      if (current.to !== 'external') flow[current.to] = (flow[current.to] ?? 0n) + BigInt(current.amount);
      break;
    }
    default: {
      const unknown: never = current;
      throw new Error(`unknown step ${JSON.stringify(unknown)}`);
    }
  }
  const result = await books.engine.executeAny(command.name, command.input, command.ctx);
  if (!result.ok) {
    if (current.kind === 'offline_pay') spentVouchers.pop();
    return { ok: false, replay: false, flow: [0n, 0n, 0n], external: 0n };
  }
  done.push(command);
  const external = current.kind === 'receive' ? BigInt(current.amount) : current.kind === 'pay' && current.to === 'external' ? -BigInt(current.amount) : 0n;
  return { ok: true, replay: false, flow, external };
}

describe('CBDC wallets under random days (property)', () => {
  it('never exceed their limit, conserve money, keep every ledger balanced; refusals and replays change nothing', async () => {
    const tally: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 24 }), async (steps) => {
        const books = await cbdcBooks();
        spentVouchers = [];
        try {
          // Each customer starts with 1,000.00 in the wallet and 500.00 of it on their phone.
          for (const [index, customer] of books.customers.entries()) {
            await books.engine.executeAny('cbdc.fund', { operationId: books.ids.next(), walletId: customer.walletId, money: eur(100_000n) }, alice);
            const loaded = await books.engine.executeAny('cbdc.load_offline', offlineLoad(devices[index]!, books.ids.next(), customer.walletId, eur(50_000n)), alice);
            expect(loaded.ok).toBe(true);
          }
          const done: Done[] = [];
          const people = await Promise.all(books.customers.map((customer) => balances(books, customer)));
          const expectedTotal = await Promise.all(people.map(async (person, index) => person.wallet + person.deposit + (await offlineOf(books, index))));
          const start = await bankBooks(books);
          let external = 0n;
          for (const current of steps) {
            const before = await snapshot(books);
            const walletsBefore = await Promise.all(books.customers.map(async (customer, index) => (await balances(books, customer)).wallet + (await offlineOf(books, index))));
            const outcome = await runStep(books, done, current);
            const key = `${current.kind}:${outcome.skipped === true ? 'skipped' : outcome.ok ? 'booked' : 'refused'}`;
            tally[key] = (tally[key] ?? 0) + 1;
            if (!outcome.ok || outcome.replay) expect(await snapshot(books)).toBe(before);
            external += outcome.external;
            for (const [index, customer] of books.customers.entries()) {
              expectedTotal[index]! += outcome.flow[index]!;
              const now = await balances(books, customer);
              const offline = await offlineOf(books, index);
              const holding = now.wallet + offline;
              const limit = await limitOf(books, index);
              const was = walletsBefore[index]!;
              expect(now.wallet).toBeGreaterThanOrEqual(0n);
              expect(holding <= (limit > was ? limit : was)).toBe(true);
              if (holding > was) expect(holding <= limit).toBe(true);
              expect(now.wallet + offline + now.deposit).toBe(expectedTotal[index]);
              const coins = await coinsOf(books, index);
              expect(coins.reduce((sum, coin) => sum + BigInt(coin.output.value), 0n)).toBe(offline);
            }
            const offlineTotal = (await Promise.all([0, 1, 2].map((index) => offlineOf(books, index)))).reduce((sum, value) => sum + value, 0n);
            expect(await offlineAccount(books)).toBe(offlineTotal);
            const own = await bankBooks(books);
            const wallets = (await Promise.all(books.customers.map((customer) => balances(books, customer)))).reduce((sum, person) => sum + person.wallet, 0n);
            expect(own.float).toBe(own.position);
            expect(own.issuance).toBe(own.float + wallets + offlineTotal);
            expect(own.reserves + own.issuance).toBe(start.reserves + start.issuance + external);
            expect((await ledgersBalanced(books)).balanced).toBe(true);
          }
        } finally {
          await books.storage.close();
        }
      }),
      { numRuns: 60 },
    );
    console.log('[cbdc property] steps', JSON.stringify(tally));
    // Not one-sided: every kind of step books, and refusals happen too (over a limit, short of funds).
    for (const kind of ['policy', 'fund', 'defund', 'receive', 'pay', 'issue', 'redeem', 'replay', 'load', 'offline_pay']) expect(tally[`${kind}:booked`] ?? 0).toBeGreaterThan(0);
    expect(tally['spend_again:refused'] ?? 0).toBeGreaterThan(0);
    expect((tally['fund:refused'] ?? 0) + (tally['defund:refused'] ?? 0) + (tally['pay:refused'] ?? 0)).toBeGreaterThan(0);
  }, 120_000);
});
