import fc from 'fast-check';
import {
  Engine,
  ManualClock,
  SequentialIds,
  WorkstationSync,
  limitRuleId,
  standInPolicyVersionId,
  type Context,
  type Id128,
  type Outcome,
  type SyncTransport,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { describe, expect, it } from 'vitest';
import { cheapPasswords, deviceCtx, serverKeys, world, type World } from '../sync/simulation';

/**
 * Offline and online decide alike. For random teller limits, random stand-in policies and random
 * sequences of a teller's commands (deposits, payouts, transfers, with pushes and pulls between),
 * the same commands are made twice: offline at a workstation, pushed later in signed batches to
 * one server; and online, sent one by one to another. Then:
 * - every command the counter let through is accepted by the server (it decides them again, with
 *   its own tallies and its own copy of the policy, and agrees);
 * - each command gets the same decision (accepted, held, refused with the same code) both ways,
 *   except the payouts the stand-in policy held at the counter (offline authority is bounded, by
 *   design): those are exactly the ones an independent count of the day's offline payouts says
 *   break a stand-in bound, and online they are not made;
 * - and the two servers' books are the same, account by account.
 */
type Kind = 'cash.deposit' | 'cash.withdraw' | 'transfer.internal';
type Step =
  | { readonly kind: Kind; readonly from: number; readonly to: number; readonly amount: bigint; readonly waitMs: number }
  | { readonly kind: 'push' }
  | { readonly kind: 'pull' };

const commandArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom<Kind>('cash.deposit', 'cash.withdraw', 'cash.withdraw', 'transfer.internal'),
  from: fc.nat(5),
  to: fc.nat(5),
  amount: fc.bigInt({ min: 1n, max: 800_000n }),
  waitMs: fc.integer({ min: 0, max: 2 * 3600 * 1000 }),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof({ arbitrary: commandArb, weight: 6 }, { arbitrary: fc.constant<Step>({ kind: 'push' }), weight: 1 }, { arbitrary: fc.constant<Step>({ kind: 'pull' }), weight: 1 });
const limitArb = fc.record({ perTransaction: fc.bigInt({ min: 0n, max: 1_000_000n }), dayFactor: fc.integer({ min: 1, max: 6 }) });
const standInArb = fc.record({ perTransaction: fc.bigInt({ min: 0n, max: 600_000n }), perCustomerPerDay: fc.bigInt({ min: 0n, max: 1_200_000n }), perTellerPerDay: fc.bigInt({ min: 0n, max: 2_000_000n }) });

const alice: Context = { actor: 'alice', roles: ['teller'], deviceId: 'ws-0' };
const startMs = Date.UTC(2026, 11, 1, 8);

type Decision = 'accepted' | 'held' | `refused:${string}`;
function decisionOf(outcome: Outcome<unknown, string>): Decision {
  if (outcome.ok) return 'accepted';
  return outcome.code === 'approval_required' ? 'held' : `refused:${outcome.code}`;
}

/** The limits and the stand-in policy of a case, written into a server's books (what the bank set). */
interface CaseLimit {
  readonly perTransaction: bigint;
  readonly dayFactor: number;
}

async function setPolicy(storage: SqliteStorage, w: World, limits: { cash: CaseLimit; transfer: CaseLimit }, standIn: { perTransaction: bigint; perCustomerPerDay: bigint; perTellerPerDay: bigint }): Promise<void> {
  await storage.transaction(async (tx) => {
    for (const kind of ['cash', 'transfer'] as const) {
      const limit = limits[kind];
      const holder = { user: 'alice' };
      await tx.banking.put('limitRule', { id: limitRuleId(holder, kind, 'USD'), holder, kind, currency: 'USD', perTransactionMinor: limit.perTransaction, perDayMinor: limit.perTransaction * BigInt(limit.dayFactor) });
    }
    const current = (await tx.banking.get('standInPolicy', `${w.bank.branchId}:USD`))!;
    const policy = { ...current, perTransactionMinor: standIn.perTransaction, perCustomerPerDayMinor: standIn.perCustomerPerDay, perTellerPerDayMinor: standIn.perTellerPerDay, issuedAtMs: startMs - 1000, expiresAtMs: startMs + 30 * 86_400_000, version: current.version + 1 };
    await tx.banking.put('standInPolicy', policy);
    await tx.banking.put('standInPolicy', { ...policy, id: standInPolicyVersionId(w.bank.branchId, 'USD', policy.version) });
  });
}

function transport(engine: () => Engine): SyncTransport {
  const relay = async (name: string, message: unknown) => {
    const result = await engine().executeAny(name, { message }, deviceCtx);
    return result.ok ? ({ ok: true, body: result.value } as const) : ({ ok: false, code: result.code, message: result.message } as const);
  };
  return { push: (message) => relay('sync.push', message), pull: (message) => relay('sync.pull', message) };
}

/** Every account's balances, as comparable text. */
function books(storage: SqliteStorage): string {
  const rows = storage.db.prepare('SELECT id, debits_posted, credits_posted, debits_pending, credits_pending FROM accounts ORDER BY id').all();
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

describe('offline through a signed batch decides as online does', () => {
  it('gives the same decisions and the same books, for random limits, stand-in policies and teller days', async () => {
    const w = await world(1);
    const accounts = w.bank.customers.flatMap((customer) => customer.accountIds);
    await fc.assert(
      fc.asyncProperty(fc.record({ cash: limitArb, transfer: limitArb }), standInArb, fc.array(stepArb, { minLength: 4, maxLength: 18 }), async (limits, standIn, steps) => {
        const clock = new ManualClock(startMs);
        const ids = new SequentialIds(clock, 7);
        const offlineServer = new SqliteStorage({ path: ':memory:', image: w.serverImage });
        const onlineServer = new SqliteStorage({ path: ':memory:', image: w.serverImage });
        const station = new SqliteStorage({ path: ':memory:', image: w.stationImages[0]! });
        try {
          await setPolicy(offlineServer, w, limits, standIn);
          await setPolicy(onlineServer, w, limits, standIn);
          const server = new Engine({ storage: offlineServer, clock, ids, serverKeys: serverKeys(), passwords: cheapPasswords });
          const online = new Engine({ storage: onlineServer, clock, ids, serverKeys: serverKeys(), passwords: cheapPasswords });
          const counter = new Engine({ storage: station, clock, ids, ...WorkstationSync.engineOptions() });
          const sync = new WorkstationSync({ engine: counter, storage: station, mirror: station.mirror, clock, transport: transport(() => server) });
          expect(await sync.pull()).toBe('pulled'); // the workstation learns the limits and the policy
          const made: Array<{ name: Kind; input: Record<string, unknown>; atMs: number; counter: Decision; basis: unknown; amount: bigint; customer: Id128 }> = [];
          for (const step of steps) {
            if (step.kind === 'push') expect(['answered', 'nothing_to_send']).toContain(await sync.push());
            else if (step.kind === 'pull') expect(await sync.pull()).toBe('pulled');
            else {
              clock.advance(step.waitMs);
              const money = { amount: step.amount.toString(), currency: 'USD' };
              const from = accounts[step.from]!;
              const input =
                step.kind === 'transfer.internal'
                  ? { transferId: ids.next(), fromAccountId: from, toAccountId: accounts[step.to]!, money }
                  : { transferId: ids.next(), sessionId: w.sessionIds[0]!, accountId: from, money };
              const outcome = await counter.executeAny(step.kind, input, alice);
              const customer = w.bank.customers.find((entry) => entry.accountIds.includes(from))!.id;
              made.push({ name: step.kind, input, atMs: clock.nowMs(), counter: decisionOf(outcome), basis: outcome.ok ? null : outcome.details?.basis, amount: step.amount, customer });
            }
          }
          expect(await sync.sync()).toBe('synced');

          // The server agreed with every command the counter let through.
          const outbox = await station.read((tx) => tx.banking.list('outboxEntry', '', 10_000));
          expect(outbox.map((entry) => entry.status)).toEqual(made.filter((entry) => entry.counter === 'accepted').map(() => 'accepted'));

          // The payouts held for the stand-in policy are exactly those an independent count says break it.
          const paid = { teller: new Map<string, bigint>(), customer: new Map<string, bigint>() };
          for (const entry of made) {
            if (entry.name !== 'cash.withdraw') continue;
            const day = new Date(entry.atMs).toISOString().slice(0, 10);
            const teller = paid.teller.get(day) ?? 0n;
            const customer = paid.customer.get(`${day}:${entry.customer}`) ?? 0n;
            const breaks = entry.amount > standIn.perTransaction || customer + entry.amount > standIn.perCustomerPerDay || teller + entry.amount > standIn.perTellerPerDay;
            if (entry.basis === 'stand_in') expect(breaks).toBe(true);
            if (entry.counter === 'accepted') {
              expect(breaks).toBe(false);
              paid.teller.set(day, teller + entry.amount);
              paid.customer.set(`${day}:${entry.customer}`, customer + entry.amount);
            }
          }

          // Online, the same commands (but those) get the same decisions, and the books end the same.
          for (const entry of made) {
            if (entry.basis === 'stand_in') continue;
            clock.set(entry.atMs);
            const outcome = await online.executeAny(entry.name, entry.input, { ...alice, deviceId: 'api' });
            expect({ command: entry.name, amount: entry.amount, decision: decisionOf(outcome) }).toEqual({ command: entry.name, amount: entry.amount, decision: entry.counter });
          }
          expect(books(offlineServer)).toBe(books(onlineServer));
        } finally {
          await station.close();
          await offlineServer.close();
          await onlineServer.close();
        }
      }),
      { numRuns: 30 },
    );
  });
});
