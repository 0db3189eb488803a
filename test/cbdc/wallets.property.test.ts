import fc from 'fast-check';
import { demoUsers, holdingLimitOf, tierOf, type Context } from '@qenex/engine';
import { describe, expect, it } from 'vitest';
import { balances, bankBooks, cbdcBooks, eur, ledgersBalanced, settlementCtx, snapshot, type CbdcBooksUnderTest } from './support';

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
 */
const { alice, bob, tess, trent } = demoUsers;

type Step =
  | { readonly kind: 'policy'; readonly standard: number; readonly reducedShare: number }
  | { readonly kind: 'fund' | 'defund' | 'receive'; readonly who: number; readonly amount: number }
  | { readonly kind: 'pay'; readonly who: number; readonly to: number | 'external'; readonly amount: number }
  | { readonly kind: 'issue' | 'redeem'; readonly amount: number }
  | { readonly kind: 'replay'; readonly pick: number };

const who = fc.integer({ min: 0, max: 2 });
const amount = fc.integer({ min: 1, max: 200_000 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('policy' as const), standard: fc.integer({ min: 0, max: 400_000 }), reducedShare: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ kind: fc.constantFrom('fund' as const, 'defund' as const, 'receive' as const), who, amount }),
  fc.record({ kind: fc.constant('pay' as const), who, to: fc.oneof(who, fc.constant('external' as const)), amount }),
  fc.record({ kind: fc.constantFrom('issue' as const, 'redeem' as const), amount: fc.integer({ min: 1, max: 2_000_000 }) }),
  fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }),
);

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
async function runStep(books: CbdcBooksUnderTest, done: Done[], current: Step): Promise<{ ok: boolean; replay: boolean; flow: bigint[]; external: bigint }> {
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
      expect(result).toMatchObject({ ok: true, value: { fresh: false } });
      return { ok: true, replay: true, flow, external: 0n };
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
  if (!result.ok) return { ok: false, replay: false, flow: [0n, 0n, 0n], external: 0n };
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
        try {
          const done: Done[] = [];
          const people = await Promise.all(books.customers.map((customer) => balances(books, customer)));
          const expectedTotal = people.map((person) => person.wallet + person.deposit);
          const start = await bankBooks(books);
          let external = 0n;
          for (const current of steps) {
            const before = await snapshot(books);
            const walletsBefore = await Promise.all(books.customers.map(async (customer) => (await balances(books, customer)).wallet));
            const outcome = await runStep(books, done, current);
            const key = `${current.kind}:${outcome.ok ? 'booked' : 'refused'}`;
            tally[key] = (tally[key] ?? 0) + 1;
            if (!outcome.ok || outcome.replay) expect(await snapshot(books)).toBe(before);
            external += outcome.external;
            for (const [index, customer] of books.customers.entries()) {
              expectedTotal[index]! += outcome.flow[index]!;
              const now = await balances(books, customer);
              const limit = await limitOf(books, index);
              const was = walletsBefore[index]!;
              expect(now.wallet).toBeGreaterThanOrEqual(0n);
              expect(now.wallet <= (limit > was ? limit : was)).toBe(true);
              if (now.wallet > was) expect(now.wallet <= limit).toBe(true);
              expect(now.wallet + now.deposit).toBe(expectedTotal[index]);
            }
            const own = await bankBooks(books);
            const wallets = (await Promise.all(books.customers.map((customer) => balances(books, customer)))).reduce((sum, person) => sum + person.wallet, 0n);
            expect(own.float).toBe(own.position);
            expect(own.issuance).toBe(own.float + wallets);
            expect(own.reserves + own.issuance).toBe(start.reserves + start.issuance + external);
            expect((await ledgersBalanced(books)).balanced).toBe(true);
          }
        } finally {
          await books.storage.close();
        }
      }),
      { numRuns: 60 },
    );
    // Not one-sided: every kind of step books, and refusals happen too (over a limit, short of funds).
    for (const kind of ['policy', 'fund', 'defund', 'receive', 'pay', 'issue', 'redeem', 'replay']) expect(tally[`${kind}:booked`] ?? 0).toBeGreaterThan(0);
    expect((tally['fund:refused'] ?? 0) + (tally['defund:refused'] ?? 0) + (tally['pay:refused'] ?? 0)).toBeGreaterThan(0);
  }, 120_000);
});
