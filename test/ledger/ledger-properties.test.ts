/**
 * Property tests of the ledger's guarantees against real SQLite: random mixes of valid and invalid
 * transfers, holds with posts, voids and timeouts, linked chains (some left open), retries and
 * replays, across two ledgers (USD, EUR) with accounts of every flag kind, the clock moving
 * between batches. Each guarantee is its own test; the last checks every result and every row
 * against a reference model written independently here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '@qenex/engine/sqlite';
import {
  AccountFlags,
  TransferFlags,
  applyAccounts,
  applyTransfers,
  type Account,
  type AccountEvent,
  type CreateTransferResult,
  type Transfer,
  type TransferEvent,
} from '@qenex/engine/testing';

// ---------------------------------------------------------------------------------------------
// Constants and the chart of accounts
// ---------------------------------------------------------------------------------------------

const amountMax = (1n << 63n) - 1n;
const secondNs = 1_000_000_000n;
const startNs = 1_700_000_000n * secondNs;
const ledgers = [840, 978] as const; // USD, EUR
const code = 7;

const debitBound = AccountFlags.debitsMustNotExceedCredits;
const creditBound = AccountFlags.creditsMustNotExceedDebits;
/** One account of each kind per ledger: the index into this list is the account's kind. */
const accountKinds: ReadonlyArray<{ flags: number; overdraftLimit: bigint }> = [
  { flags: AccountFlags.none, overdraftLimit: 0n },
  { flags: debitBound, overdraftLimit: 0n },
  { flags: creditBound, overdraftLimit: 0n },
  { flags: debitBound, overdraftLimit: 500n },
  { flags: creditBound, overdraftLimit: 300n },
  { flags: AccountFlags.history, overdraftLimit: 0n },
  { flags: debitBound | AccountFlags.history, overdraftLimit: 200n },
  { flags: creditBound | AccountFlags.history, overdraftLimit: 0n },
];

const hex32 = (n: number | bigint, prefix = ''): string => prefix + n.toString(16).padStart(32 - prefix.length, '0');
const accountId = (ledgerIndex: number, kind: number): string => hex32(0xacc000 + ledgerIndex * 0x100 + kind);
/** Transfer ids carry letters, so an upper-cased one is malformed rather than the same id. */
const transferId = (n: number): string => hex32(n, 'fe');
const unknownAccount = hex32(0xbad0bad);

const chartOfAccounts: AccountEvent[] = ledgers.flatMap((ledger, ledgerIndex) =>
  accountKinds.map((kind, index) => ({
    id: accountId(ledgerIndex, index),
    ledger,
    code: 100 + index,
    flags: kind.flags,
    overdraftLimit: kind.overdraftLimit,
  })),
);
const allAccountIds = chartOfAccounts.map((account) => account.id);

function isU16(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff;
}

/** Only a 16-bit flag set links an event to the next. */
function isLinked(event: TransferEvent): boolean {
  const flags = event.flags ?? 0;
  return isU16(flags) && (flags & TransferFlags.linked) !== 0;
}

// ---------------------------------------------------------------------------------------------
// What a scenario is made of: specifications, turned into events by a pure function
// ---------------------------------------------------------------------------------------------

const defects = [
  'zeroAmount',
  'negativeAmount',
  'overflowAmount',
  'unknownDebit',
  'unknownCredit',
  'accountsOnTwoLedgers',
  'transferOnOtherLedger',
  'sameAccount',
  'idShort',
  'idUpperCase',
  'idNotHex',
  'idZero',
  'idMax',
  'reservedFlag',
  'reservedFlagPast32Bits',
  'exclusiveFlags',
  'timeoutNotPending',
  'closingNotPending',
  'pendingIdOnPlain',
  'codeZero',
  'debitIdMalformed',
] as const;
type Defect = (typeof defects)[number];

interface PlainSpec {
  readonly kind: 'plain';
  readonly ledgerIndex: number;
  readonly debit: number;
  readonly credit: number;
  readonly amount: bigint;
  readonly pending: boolean;
  readonly timeoutSeconds: number;
  readonly balancing: number; // bit 0 debit, bit 1 credit
  readonly closing: number; // bit 0 debit, bit 1 credit
}
interface FinishSpec {
  readonly kind: 'post' | 'void';
  readonly target: number;
  readonly amount: 'zero' | 'full' | 'half' | 'over';
  readonly namesAccounts: boolean;
}
interface RetrySpec {
  readonly kind: 'retry';
  readonly target: number;
  readonly change: 'none' | 'amount' | 'code';
}
interface BadSpec {
  readonly kind: 'bad';
  readonly defect: Defect;
  readonly base: PlainSpec;
}
type Spec = PlainSpec | FinishSpec | RetrySpec | BadSpec;

interface BatchStep {
  readonly kind: 'batch';
  readonly advanceNs: bigint;
  readonly chains: readonly (readonly Spec[])[];
  /** Leave the last chain open: its last event keeps the linked flag. */
  readonly openTail: boolean;
}
interface ReplayStep {
  readonly kind: 'replay';
  readonly advanceNs: bigint;
  readonly target: number;
}
type Step = BatchStep | ReplayStep;

const amountArbitrary = fc.oneof(
  { weight: 12, arbitrary: fc.bigInt({ min: 1n, max: 400n }) },
  { weight: 4, arbitrary: fc.bigInt({ min: 401n, max: 3000n }) },
  // Two of these overflow any 64-bit balance: the overflow refusals are reached too.
  { weight: 2, arbitrary: fc.bigInt({ min: amountMax / 2n, max: amountMax }) },
);

const plainArbitrary: fc.Arbitrary<PlainSpec> = fc.record({
  kind: fc.constant('plain' as const),
  ledgerIndex: fc.nat({ max: 1 }),
  debit: fc.nat({ max: accountKinds.length - 1 }),
  credit: fc.nat({ max: accountKinds.length - 1 }),
  amount: amountArbitrary,
  pending: fc.boolean(),
  timeoutSeconds: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }) }),
  balancing: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }) }),
  closing: fc.oneof({ weight: 20, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
});

/** Huge amounts between the two unbounded accounts of a ledger: two of them overflow 64 bits. */
const hugeArbitrary: fc.Arbitrary<PlainSpec> = fc.record({
  kind: fc.constant('plain' as const),
  ledgerIndex: fc.nat({ max: 1 }),
  debit: fc.constantFrom(0, 5),
  credit: fc.constantFrom(0, 5),
  amount: fc.bigInt({ min: amountMax / 2n, max: amountMax }),
  pending: fc.boolean(),
  timeoutSeconds: fc.constant(0),
  balancing: fc.constant(0),
  closing: fc.constant(0),
});

const specArbitrary: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 12, arbitrary: plainArbitrary },
  { weight: 1, arbitrary: hugeArbitrary },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom('post' as const, 'void' as const),
      target: fc.nat({ max: 1000 }),
      amount: fc.constantFrom('zero' as const, 'full' as const, 'half' as const, 'over' as const),
      namesAccounts: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('retry' as const),
      target: fc.nat({ max: 1000 }),
      change: fc.constantFrom('none' as const, 'amount' as const, 'code' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('bad' as const), defect: fc.constantFrom(...defects), base: plainArbitrary }),
  },
);

const advanceArbitrary = fc.constantFrom(0n, 1n, secondNs / 2n, secondNs, 2n * secondNs, 3n * secondNs, 5n * secondNs);

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      advanceNs: advanceArbitrary,
      chains: fc.array(
        fc.oneof({ weight: 3, arbitrary: fc.array(specArbitrary, { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(specArbitrary, { minLength: 2, maxLength: 4 }) }),
        { minLength: 1, maxLength: 6 },
      ),
      openTail: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), advanceNs: advanceArbitrary, target: fc.nat({ max: 100 }) }) },
);

const scenarioArbitrary = fc.array(stepArbitrary, { minLength: 1, maxLength: 10 });

/** One batch as sent to the ledger; a replay step resends an earlier batch's very events. */
interface Materialized {
  readonly kind: 'batch' | 'replay';
  readonly advanceNs: bigint;
  readonly events: readonly TransferEvent[];
}

/** Turns specifications into events: deterministic, independent of what the books answer. */
function materialize(steps: readonly Step[]): Materialized[] {
  let next = 1;
  const fresh = (): string => transferId(next++);
  const pendings: TransferEvent[] = [];
  const sent: TransferEvent[] = [];
  const batches: TransferEvent[][] = [];
  const out: Materialized[] = [];

  const plain = (spec: PlainSpec): TransferEvent => {
    let flags = 0;
    if (spec.pending) flags |= TransferFlags.pending;
    if (spec.balancing & 1) flags |= TransferFlags.balancingDebit;
    if (spec.balancing & 2) flags |= TransferFlags.balancingCredit;
    if (spec.pending && spec.closing & 1) flags |= TransferFlags.closingDebit;
    if (spec.pending && spec.closing & 2) flags |= TransferFlags.closingCredit;
    const event: TransferEvent = {
      id: fresh(),
      debitAccountId: accountId(spec.ledgerIndex, spec.debit),
      // The same kind on both sides would be one account: shift the credit to the next kind.
      creditAccountId: accountId(spec.ledgerIndex, spec.credit === spec.debit ? (spec.credit + 1) % accountKinds.length : spec.credit),
      amount: spec.amount,
      ledger: ledgers[spec.ledgerIndex]!,
      code,
      flags,
      ...(spec.pending && spec.timeoutSeconds > 0 ? { timeout: spec.timeoutSeconds } : {}),
    };
    if (spec.pending) pendings.push(event);
    return event;
  };

  const finish = (spec: FinishSpec): TransferEvent => {
    const target = pendings.length === 0 ? undefined : pendings[spec.target % pendings.length]!;
    const held = target?.amount ?? 1n;
    const amount = { zero: 0n, full: held, half: held / 2n, over: held + 1n }[spec.amount];
    return {
      id: fresh(),
      pendingId: target?.id ?? transferId(1_000_000 + next),
      amount,
      flags: spec.kind === 'post' ? TransferFlags.postPendingTransfer : TransferFlags.voidPendingTransfer,
      ...(spec.namesAccounts && target !== undefined
        ? { debitAccountId: target.debitAccountId!, creditAccountId: target.creditAccountId!, ledger: target.ledger!, code: target.code! }
        : {}),
    };
  };

  const retry = (spec: RetrySpec): TransferEvent | undefined => {
    if (sent.length === 0) return undefined;
    const original = sent[spec.target % sent.length]!;
    const flags = original.flags ?? 0;
    // Resent alone, not as part of its chain.
    const unlinked = isU16(flags) ? { ...original, flags: flags & ~TransferFlags.linked } : original;
    if (spec.change === 'amount') return { ...unlinked, amount: unlinked.amount + 1n };
    if (spec.change === 'code') return { ...unlinked, code: (unlinked.code ?? 0) + 1 };
    return unlinked;
  };

  const bad = (spec: BadSpec): TransferEvent => {
    const base = plain({ ...spec.base, pending: false, closing: 0 });
    const otherLedger = 1 - spec.base.ledgerIndex;
    switch (spec.defect) {
      case 'zeroAmount':
        return { ...base, amount: 0n };
      case 'negativeAmount':
        return { ...base, amount: -base.amount };
      case 'overflowAmount':
        return { ...base, amount: amountMax + base.amount };
      case 'unknownDebit':
        return { ...base, debitAccountId: unknownAccount };
      case 'unknownCredit':
        return { ...base, creditAccountId: unknownAccount };
      case 'accountsOnTwoLedgers':
        return { ...base, creditAccountId: accountId(otherLedger, spec.base.credit) };
      case 'transferOnOtherLedger':
        return { ...base, ledger: ledgers[otherLedger]! };
      case 'sameAccount':
        return { ...base, creditAccountId: base.debitAccountId! };
      case 'idShort':
        return { ...base, id: base.id.slice(1) };
      case 'idUpperCase':
        return { ...base, id: base.id.toUpperCase() };
      case 'idNotHex':
        return { ...base, id: 'z' + base.id.slice(1) };
      case 'idZero':
        return { ...base, id: '0'.repeat(32) };
      case 'idMax':
        return { ...base, id: 'f'.repeat(32) };
      case 'reservedFlag':
        return { ...base, flags: 1 << 9 };
      case 'reservedFlagPast32Bits':
        return { ...base, flags: 2 ** 32 };
      case 'exclusiveFlags':
        return { ...base, flags: TransferFlags.pending | TransferFlags.voidPendingTransfer };
      case 'timeoutNotPending':
        return { ...base, timeout: 3 };
      case 'closingNotPending':
        return { ...base, flags: TransferFlags.closingCredit };
      case 'pendingIdOnPlain':
        return { ...base, pendingId: transferId(1) };
      case 'codeZero':
        return { ...base, code: 0 };
      case 'debitIdMalformed':
        return { ...base, debitAccountId: base.debitAccountId!.slice(2) };
    }
  };

  const eventOf = (spec: Spec): TransferEvent | undefined => {
    switch (spec.kind) {
      case 'plain':
        return plain(spec);
      case 'post':
      case 'void':
        return finish(spec);
      case 'retry':
        return retry(spec);
      case 'bad':
        return bad(spec);
    }
  };

  for (const step of steps) {
    if (step.kind === 'replay') {
      out.push({ kind: 'replay', advanceNs: step.advanceNs, events: batches.length === 0 ? [] : batches[step.target % batches.length]! });
      continue;
    }
    const events: TransferEvent[] = [];
    for (const chain of step.chains) {
      const members = chain.map(eventOf).filter((event): event is TransferEvent => event !== undefined);
      members.forEach((event, index) => {
        const flags = event.flags ?? 0;
        const link = index < members.length - 1 && isU16(flags);
        const linkedEvent = link ? { ...event, flags: flags | TransferFlags.linked } : event;
        events.push(linkedEvent);
        sent.push(linkedEvent);
      });
    }
    const last = events.at(-1);
    if (step.openTail && last !== undefined && isU16(last.flags ?? 0)) {
      events[events.length - 1] = { ...last, flags: (last.flags ?? 0) | TransferFlags.linked };
    }
    batches.push(events);
    out.push({ kind: 'batch', advanceNs: step.advanceNs, events });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading the books out of SQLite
// ---------------------------------------------------------------------------------------------

interface Books {
  readonly accounts: Account[];
  readonly transfers: Transfer[];
  readonly transferRows: number;
  readonly failures: Array<{ id: string; result: string }>;
  readonly balanceRows: unknown[];
  readonly lastTimestamp: bigint;
}

function wellFormedIds(events: readonly TransferEvent[]): string[] {
  return [...new Set(events.map((event) => event.id).filter((id) => typeof id === 'string' && /^[0-9a-f]{32}$/.test(id)))].sort();
}

async function readBooks(storage: SqliteStorage, transferIds: readonly string[]): Promise<Books> {
  return storage.read(async (tx) => {
    const accounts = (await tx.ledger.accounts(allAccountIds)).sort((a, b) => a.id.localeCompare(b.id));
    const transfers = (await tx.ledger.transfers(transferIds)).sort((a, b) => a.id.localeCompare(b.id));
    const transferRows = Number(storage.db.prepare('SELECT count(*) FROM transfers').pluck().get());
    const failures = storage.db.prepare('SELECT id, result FROM transfer_failures ORDER BY id').all() as Array<{ id: string; result: string }>;
    const balanceRows = storage.db.prepare('SELECT * FROM account_balances ORDER BY account_id, timestamp').all();
    return { accounts, transfers, transferRows, failures, balanceRows, lastTimestamp: await tx.ledger.lastTimestamp() };
  });
}

async function openStorage(): Promise<SqliteStorage> {
  const storage = new SqliteStorage({ path: ':memory:' });
  const results = await storage.transaction((tx) => applyAccounts(tx.ledger, chartOfAccounts, startNs - 60n * secondNs));
  expect(results).toEqual(chartOfAccounts.map(() => 'ok'));
  return storage;
}

const runBatch = (storage: SqliteStorage, events: readonly TransferEvent[], nowNs: bigint): Promise<CreateTransferResult[]> =>
  storage.transaction((tx) => applyTransfers(tx.ledger, events, nowNs));

/** Chains as the ledger forms them: [first, last] index pairs, the last maybe still linked (open). */
function chainsOf(events: readonly TransferEvent[]): Array<[number, number]> {
  const chains: Array<[number, number]> = [];
  let start = 0;
  for (let index = 0; index < events.length; index += 1) {
    if (!isLinked(events[index]!) || index === events.length - 1) {
      chains.push([start, index]);
      start = index + 1;
    }
  }
  return chains;
}

// ---------------------------------------------------------------------------------------------
// The scenario runner: one SQLite database, optional observers per property
// ---------------------------------------------------------------------------------------------

interface StepContext {
  readonly storage: SqliteStorage;
  readonly step: Materialized;
  readonly nowNs: bigint;
  readonly results: readonly CreateTransferResult[];
  readonly before: Books;
  readonly after: Books;
  readonly transferIds: readonly string[];
}

interface Observer {
  start?(): Promise<void>;
  afterStep(context: StepContext): Promise<void> | void;
  stop?(): Promise<void>;
}

async function runScenario(steps: readonly Step[], observer: Observer): Promise<void> {
  const batches = materialize(steps);
  const transferIds = wellFormedIds(batches.flatMap((batch) => batch.events));
  const storage = await openStorage();
  const perform = async (step: Materialized, nowNs: bigint): Promise<void> => {
    const before = await readBooks(storage, transferIds);
    const results = await runBatch(storage, step.events, nowNs);
    expect(results).toHaveLength(step.events.length);
    const after = await readBooks(storage, transferIds);
    await observer.afterStep({ storage, step, nowNs, results, before, after, transferIds });
  };
  let nowNs = startNs;
  try {
    await observer.start?.();
    for (const step of batches) {
      nowNs += step.advanceNs;
      // Before a replay the clock's expiries happen in a batch of their own, so that what is
      // compared across the replay is the replay alone.
      if (step.kind === 'replay') await perform({ kind: 'batch', advanceNs: 0n, events: [] }, nowNs);
      await perform(step, nowNs);
    }
  } finally {
    await observer.stop?.();
    await storage.close();
  }
}

/** Runs enough scenarios to find a broken guarantee, within the time a test file may take. */
function check(observer: () => Observer, numRuns: number): Promise<void> {
  return fc.assert(
    fc.asyncProperty(scenarioArbitrary, async (steps) => runScenario(steps, observer())),
    { numRuns },
  );
}

const bookDependentResults = new Set<CreateTransferResult>([
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_ledger',
  'transfer_must_have_the_same_ledger_as_accounts',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_has_different_debit_account_id',
  'pending_transfer_has_different_credit_account_id',
  'pending_transfer_has_different_ledger',
  'pending_transfer_has_different_code',
  'exceeds_pending_transfer_amount',
  'pending_transfer_has_different_amount',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'debit_account_already_closed',
  'credit_account_already_closed',
  'overflows_debits_pending',
  'overflows_credits_pending',
  'overflows_debits_posted',
  'overflows_credits_posted',
  'overflows_debits',
  'overflows_credits',
  'overflows_timeout',
  'exceeds_credits',
  'exceeds_debits',
]);

// ---------------------------------------------------------------------------------------------
// The reference model: the posting rules restated plainly, with no code shared with the engine
// ---------------------------------------------------------------------------------------------

interface ModelAccount {
  readonly id: string;
  readonly ledger: number;
  readonly bound: 'debits' | 'credits' | 'none';
  readonly overdraftLimit: bigint;
  closed: boolean;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

const zeroId = '0'.repeat(32);
const isGivenId = (value: string | undefined): value is string => value !== undefined && value !== zeroId;

function idIssue(value: unknown): 'malformed' | 'must_not_be_zero' | 'must_not_be_int_max' | undefined {
  if (typeof value !== 'string' || !/^[0-9a-f]{32}$/.test(value)) return 'malformed';
  if (value === zeroId) return 'must_not_be_zero';
  if (value === 'f'.repeat(32)) return 'must_not_be_int_max';
  return undefined;
}

const isU32 = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2 ** 32 - 1;

class LedgerModel {
  accounts = new Map<string, ModelAccount>();
  transfers = new Map<string, Transfer>();
  failed = new Map<string, CreateTransferResult>();
  lastTimestamp: bigint;
  /** How often the rarer rules were exercised, so the test can show it reached them. */
  readonly exercised = { expired: 0, clamped: 0, closed: 0, reopened: 0 };
  private nowNs = 0n;

  constructor(lastTimestamp: bigint) {
    this.lastTimestamp = lastTimestamp;
    for (const account of chartOfAccounts) {
      const flags = account.flags ?? 0;
      this.accounts.set(account.id, {
        id: account.id,
        ledger: account.ledger,
        bound: flags & debitBound ? 'debits' : flags & creditBound ? 'credits' : 'none',
        overdraftLimit: account.overdraftLimit ?? 0n,
        closed: false,
        debitsPending: 0n,
        debitsPosted: 0n,
        creditsPending: 0n,
        creditsPosted: 0n,
      });
    }
  }

  apply(events: readonly TransferEvent[], nowNs: bigint): CreateTransferResult[] {
    this.nowNs = nowNs;
    this.expire();
    const results: CreateTransferResult[] = [];
    for (const [first, last] of chainsOf(events)) {
      const chain = events.slice(first, last + 1);
      if (isLinked(chain.at(-1)!)) {
        results.push(...chain.map((): CreateTransferResult => 'linked_event_failed'));
        results[results.length - 1] = 'linked_event_chain_open';
        continue;
      }
      const saved = this.save();
      const chainResults: CreateTransferResult[] = chain.map(() => 'ok');
      for (let offset = 0; offset < chain.length; offset += 1) {
        const event = chain[offset]!;
        const result = this.one(event);
        if (result === 'ok') continue;
        this.restore(saved);
        if (bookDependentResults.has(result) && !this.failed.has(event.id)) this.failed.set(event.id, result);
        chainResults.fill('linked_event_failed');
        chainResults[offset] = result;
        break;
      }
      results.push(...chainResults);
    }
    return results;
  }

  private takeTimestamp(): bigint {
    this.lastTimestamp = this.lastTimestamp + 1n > this.nowNs ? this.lastTimestamp + 1n : this.nowNs;
    return this.lastTimestamp;
  }

  private expire(): void {
    for (const held of [...this.transfers.values()]) {
      if (held.pendingStatus !== 'pending' || held.expiresAt === 0n || held.expiresAt > this.nowNs) continue;
      this.takeTimestamp();
      const debit = this.accounts.get(held.debitAccountId)!;
      const credit = this.accounts.get(held.creditAccountId)!;
      debit.debitsPending -= held.amount;
      credit.creditsPending -= held.amount;
      if (held.flags & TransferFlags.closingDebit) debit.closed = false;
      if (held.flags & TransferFlags.closingCredit) credit.closed = false;
      this.transfers.set(held.id, { ...held, pendingStatus: 'expired' });
      this.exercised.expired += 1;
      if (held.flags & (TransferFlags.closingDebit | TransferFlags.closingCredit)) this.exercised.reopened += 1;
    }
  }

  private save() {
    return {
      accounts: [...this.accounts.values()].map((account) => ({ ...account })),
      transfers: new Map(this.transfers),
      lastTimestamp: this.lastTimestamp,
    };
  }

  private restore(saved: ReturnType<LedgerModel['save']>): void {
    this.accounts = new Map(saved.accounts.map((account) => [account.id, { ...account }]));
    this.transfers = saved.transfers;
    this.lastTimestamp = saved.lastTimestamp;
  }

  private one(event: TransferEvent): CreateTransferResult {
    const idProblem = idIssue(event.id);
    if (idProblem !== undefined) return `id_${idProblem}`;
    const flags = event.flags ?? 0;
    if (!isU16(flags) || flags > 0xff) return 'reserved_flag';
    const existing = this.transfers.get(event.id);
    if (existing !== undefined) return this.compare(existing, event, flags);
    if (this.failed.has(event.id)) return 'id_already_failed';
    const has = (flag: number): boolean => (flags & flag) !== 0;
    const modes = [TransferFlags.pending, TransferFlags.postPendingTransfer, TransferFlags.voidPendingTransfer].filter(has).length;
    const finishing = has(TransferFlags.postPendingTransfer) || has(TransferFlags.voidPendingTransfer);
    const shaping = TransferFlags.balancingDebit | TransferFlags.balancingCredit | TransferFlags.closingDebit | TransferFlags.closingCredit;
    if (modes > 1 || (finishing && has(shaping))) return 'flags_are_mutually_exclusive';
    return finishing ? this.finish(event, flags) : this.plain(event, flags);
  }

  private compare(existing: Transfer, event: TransferEvent, flags: number): CreateTransferResult {
    const inherited = existing.pendingId !== null;
    const matches = (given: unknown, stored: unknown, absent: unknown): boolean =>
      given === undefined || given === absent ? inherited || stored === absent : given === stored;
    if (existing.flags !== flags) return 'exists_with_different_flags';
    if (existing.pendingId !== (isGivenId(event.pendingId) ? event.pendingId : null)) return 'exists_with_different_pending_id';
    if (existing.timeout !== (event.timeout ?? 0)) return 'exists_with_different_timeout';
    if (!matches(isGivenId(event.debitAccountId) ? event.debitAccountId : undefined, existing.debitAccountId, null)) {
      return 'exists_with_different_debit_account_id';
    }
    if (!matches(isGivenId(event.creditAccountId) ? event.creditAccountId : undefined, existing.creditAccountId, null)) {
      return 'exists_with_different_credit_account_id';
    }
    const balancing = (flags & (TransferFlags.balancingDebit | TransferFlags.balancingCredit)) !== 0;
    const amountMatches = balancing ? event.amount >= existing.amount : (inherited && event.amount === 0n) || event.amount === existing.amount;
    if (!amountMatches) return 'exists_with_different_amount';
    if (!matches(event.ledger, existing.ledger, 0)) return 'exists_with_different_ledger';
    if (!matches(event.code, existing.code, 0)) return 'exists_with_different_code';
    return 'exists';
  }

  private plain(event: TransferEvent, flags: number): CreateTransferResult {
    const has = (flag: number): boolean => (flags & flag) !== 0;
    const pending = has(TransferFlags.pending);
    const debitProblem = event.debitAccountId === undefined ? 'must_not_be_zero' : idIssue(event.debitAccountId);
    if (debitProblem !== undefined) return `debit_account_id_${debitProblem}`;
    const creditProblem = event.creditAccountId === undefined ? 'must_not_be_zero' : idIssue(event.creditAccountId);
    if (creditProblem !== undefined) return `credit_account_id_${creditProblem}`;
    if (event.debitAccountId === event.creditAccountId) return 'accounts_must_be_different';
    if (isGivenId(event.pendingId)) return 'pending_id_must_be_zero';
    const timeout = event.timeout ?? 0;
    if (timeout !== 0 && !pending) return 'timeout_reserved_for_pending_transfer';
    if (timeout !== 0 && !isU32(timeout)) return 'timeout_malformed';
    if (has(TransferFlags.closingDebit | TransferFlags.closingCredit) && !pending) return 'closing_transfer_must_be_pending';
    if (event.amount < 0n) return 'amount_must_not_be_negative';
    if (event.amount === 0n) return 'amount_must_not_be_zero';
    if (event.amount > amountMax) return 'amount_overflows';
    if ((event.ledger ?? 0) === 0) return 'ledger_must_not_be_zero';
    if (!isU32(event.ledger)) return 'ledger_malformed';
    if ((event.code ?? 0) === 0) return 'code_must_not_be_zero';
    if (!isU16(event.code)) return 'code_malformed';
    const debit = this.accounts.get(event.debitAccountId!);
    if (debit === undefined) return 'debit_account_not_found';
    const credit = this.accounts.get(event.creditAccountId!);
    if (credit === undefined) return 'credit_account_not_found';
    if (debit.ledger !== credit.ledger) return 'accounts_must_have_the_same_ledger';
    if (event.ledger !== debit.ledger) return 'transfer_must_have_the_same_ledger_as_accounts';
    if (debit.closed) return 'debit_account_already_closed';
    if (credit.closed) return 'credit_account_already_closed';

    // What each side could still take before breaking its bound (with its own overdraft).
    const debitCanTake = debit.creditsPosted + (debit.bound === 'debits' ? debit.overdraftLimit : 0n) - debit.debitsPosted - debit.debitsPending;
    const creditCanTake = credit.debitsPosted + (credit.bound === 'credits' ? credit.overdraftLimit : 0n) - credit.creditsPosted - credit.creditsPending;
    let amount = event.amount;
    if (has(TransferFlags.balancingDebit)) amount = clamp(amount, debitCanTake);
    if (has(TransferFlags.balancingCredit)) amount = clamp(amount, creditCanTake);
    const clamped = amount !== event.amount;

    if (pending && debit.debitsPending + amount > amountMax) return 'overflows_debits_pending';
    if (pending && credit.creditsPending + amount > amountMax) return 'overflows_credits_pending';
    if (!pending && debit.debitsPosted + amount > amountMax) return 'overflows_debits_posted';
    if (!pending && credit.creditsPosted + amount > amountMax) return 'overflows_credits_posted';
    if (debit.debitsPending + debit.debitsPosted + amount > amountMax) return 'overflows_debits';
    if (credit.creditsPending + credit.creditsPosted + amount > amountMax) return 'overflows_credits';
    if (debit.bound === 'debits' && debit.debitsPending + debit.debitsPosted + amount > debit.creditsPosted + debit.overdraftLimit) {
      return 'exceeds_credits';
    }
    if (credit.bound === 'credits' && credit.creditsPending + credit.creditsPosted + amount > credit.debitsPosted + credit.overdraftLimit) {
      return 'exceeds_debits';
    }

    const timestamp = this.takeTimestamp();
    if (pending) {
      debit.debitsPending += amount;
      credit.creditsPending += amount;
    } else {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
    }
    if (has(TransferFlags.closingDebit)) debit.closed = true;
    if (has(TransferFlags.closingCredit)) credit.closed = true;
    if (clamped) this.exercised.clamped += 1;
    if (has(TransferFlags.closingDebit | TransferFlags.closingCredit)) this.exercised.closed += 1;
    this.transfers.set(event.id, {
      id: event.id as Transfer['id'],
      debitAccountId: debit.id as Transfer['id'],
      creditAccountId: credit.id as Transfer['id'],
      amount,
      pendingId: null,
      userData128: null,
      userData64: 0n,
      userData32: 0,
      timeout,
      ledger: debit.ledger,
      code: event.code!,
      flags,
      timestamp,
      pendingStatus: pending ? 'pending' : 'none',
      expiresAt: timeout === 0 ? 0n : timestamp + BigInt(timeout) * secondNs,
    });
    return 'ok';
  }

  private finish(event: TransferEvent, flags: number): CreateTransferResult {
    const posting = (flags & TransferFlags.postPendingTransfer) !== 0;
    if (isGivenId(event.debitAccountId)) {
      const problem = idIssue(event.debitAccountId);
      if (problem !== undefined) return `debit_account_id_${problem}`;
    }
    if (isGivenId(event.creditAccountId)) {
      const problem = idIssue(event.creditAccountId);
      if (problem !== undefined) return `credit_account_id_${problem}`;
    }
    if (isGivenId(event.debitAccountId) && event.debitAccountId === event.creditAccountId) return 'accounts_must_be_different';
    if (event.pendingId !== undefined && idIssue(event.pendingId) === 'malformed') return 'pending_id_malformed';
    if (!isGivenId(event.pendingId)) return 'pending_id_must_not_be_zero';
    if (idIssue(event.pendingId) === 'must_not_be_int_max') return 'pending_id_must_not_be_int_max';
    if (event.pendingId === event.id) return 'pending_id_must_be_different';
    if ((event.timeout ?? 0) !== 0) return 'timeout_reserved_for_pending_transfer';
    if (event.amount < 0n) return 'amount_must_not_be_negative';
    if (event.amount > amountMax) return 'amount_overflows';
    if ((event.ledger ?? 0) !== 0 && !isU32(event.ledger)) return 'ledger_malformed';
    if ((event.code ?? 0) !== 0 && !isU16(event.code)) return 'code_malformed';

    const held = this.transfers.get(event.pendingId);
    if (held === undefined) return 'pending_transfer_not_found';
    if ((held.flags & TransferFlags.pending) === 0) return 'pending_transfer_not_pending';
    if (isGivenId(event.debitAccountId) && event.debitAccountId !== held.debitAccountId) return 'pending_transfer_has_different_debit_account_id';
    if (isGivenId(event.creditAccountId) && event.creditAccountId !== held.creditAccountId) return 'pending_transfer_has_different_credit_account_id';
    if ((event.ledger ?? 0) !== 0 && event.ledger !== held.ledger) return 'pending_transfer_has_different_ledger';
    if ((event.code ?? 0) !== 0 && event.code !== held.code) return 'pending_transfer_has_different_code';
    const amount = posting && event.amount !== 0n ? event.amount : held.amount;
    if (event.amount > held.amount) return 'exceeds_pending_transfer_amount';
    if (!posting && event.amount !== 0n && event.amount !== held.amount) return 'pending_transfer_has_different_amount';
    if (held.pendingStatus === 'posted') return 'pending_transfer_already_posted';
    if (held.pendingStatus === 'voided') return 'pending_transfer_already_voided';
    if (held.pendingStatus === 'expired') return 'pending_transfer_expired';
    if (held.expiresAt !== 0n && held.expiresAt <= this.nowNs) return 'pending_transfer_expired';

    const debit = this.accounts.get(held.debitAccountId)!;
    const credit = this.accounts.get(held.creditAccountId)!;
    if (posting) {
      if (debit.closed && (held.flags & TransferFlags.closingDebit) === 0) return 'debit_account_already_closed';
      if (credit.closed && (held.flags & TransferFlags.closingCredit) === 0) return 'credit_account_already_closed';
      if (debit.debitsPosted + amount > amountMax) return 'overflows_debits_posted';
      if (credit.creditsPosted + amount > amountMax) return 'overflows_credits_posted';
    }

    const timestamp = this.takeTimestamp();
    debit.debitsPending -= held.amount;
    credit.creditsPending -= held.amount;
    if (posting) {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
    } else {
      if (held.flags & TransferFlags.closingDebit) debit.closed = false;
      if (held.flags & TransferFlags.closingCredit) credit.closed = false;
      if (held.flags & (TransferFlags.closingDebit | TransferFlags.closingCredit)) this.exercised.reopened += 1;
    }
    this.transfers.set(held.id, { ...held, pendingStatus: posting ? 'posted' : 'voided' });
    this.transfers.set(event.id, {
      ...held,
      id: event.id as Transfer['id'],
      amount,
      pendingId: held.id,
      timeout: 0,
      flags,
      timestamp,
      pendingStatus: 'none',
      expiresAt: 0n,
    });
    return 'ok';
  }
}

function clamp(requested: bigint, available: bigint): bigint {
  const smaller = requested < available ? requested : available;
  return smaller < 0n ? 0n : smaller;
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

/** Scenarios per property: the whole file stays well under a minute on two cores. */
const numRuns = 200;

describe('ledger properties on SQLite', () => {
  it('(a) in every ledger Σdebits = Σcredits, posted and pending, after every batch', async () => {
    await check(
      () => ({
        async afterStep({ storage }) {
          const totals = await storage.read((tx) => tx.ledger.ledgerTotals());
          expect(totals.map((total) => total.ledger)).toEqual([...ledgers]);
          for (const total of totals) {
            expect(total.debitsPosted, `posted, ledger ${total.ledger}`).toBe(total.creditsPosted);
            expect(total.debitsPending, `pending, ledger ${total.ledger}`).toBe(total.creditsPending);
          }
        },
      }),
      numRuns,
    );
  });

  it('(b) no bounded account ever passes its bound plus its overdraft limit', async () => {
    let bounded = 0;
    await check(
      () => ({
        afterStep({ after }) {
          const broken: string[] = [];
          for (const account of after.accounts) {
            const { debitsPending, debitsPosted, creditsPending, creditsPosted, overdraftLimit } = account;
            for (const balance of [debitsPending, debitsPosted, creditsPending, creditsPosted]) {
              if (balance < 0n || balance > amountMax) broken.push(`${account.id}: balance ${balance} out of range`);
            }
            if (account.flags & debitBound) {
              if (debitsPending + debitsPosted > creditsPosted + overdraftLimit) broken.push(`${account.id}: debits pass credits + ${overdraftLimit}`);
              if (debitsPending + debitsPosted > 0n) bounded += 1;
            }
            if (account.flags & creditBound) {
              if (creditsPending + creditsPosted > debitsPosted + overdraftLimit) broken.push(`${account.id}: credits pass debits + ${overdraftLimit}`);
              if (creditsPending + creditsPosted > 0n) bounded += 1;
            }
          }
          expect(broken).toEqual([]);
        },
      }),
      numRuns,
    );
    // The scenarios do use the bounded accounts (a property that holds vacuously proves nothing).
    expect(bounded).toBeGreaterThan(0);
  });

  it('(c) a refused event changes nothing: the same batches without their refused events give the same books', async () => {
    await check(() => {
      let shadow: SqliteStorage;
      return {
        async start() {
          shadow = await openStorage();
        },
        async stop() {
          await shadow?.close();
        },
        async afterStep({ step, nowNs, results, after, transferIds }) {
          const accepted = step.events.filter((_event, index) => results[index] === 'ok');
          const shadowResults = await runBatch(shadow, accepted, nowNs);
          expect(shadowResults).toEqual(accepted.map(() => 'ok'));
          const shadowBooks = await readBooks(shadow, transferIds);
          expect(shadowBooks.accounts).toEqual(after.accounts);
          expect(shadowBooks.transfers).toEqual(after.transfers);
          expect(shadowBooks.transferRows).toBe(after.transferRows);
          expect(shadowBooks.balanceRows).toEqual(after.balanceRows);
          expect(shadowBooks.lastTimestamp).toBe(after.lastTimestamp);
          // Refused ids are never stored as transfers.
          const stored = new Set(after.transfers.map((transfer) => transfer.id));
          for (const failure of after.failures) expect(stored.has(failure.id as Transfer['id']), failure.id).toBe(false);
        },
      };
    }, numRuns);
  });

  it('(d) replaying an earlier batch changes no balance and no transfer, and accepts nothing', async () => {
    let replays = 0;
    await check(
      () => ({
        afterStep({ step, results, before, after }) {
          if (step.kind !== 'replay' || step.events.length === 0) return;
          replays += 1;
          expect(results).not.toContain('ok');
          expect(after.accounts).toEqual(before.accounts);
          expect(after.transfers).toEqual(before.transfers);
          expect(after.transferRows).toBe(before.transferRows);
          expect(after.balanceRows).toEqual(before.balanceRows);
          expect(after.lastTimestamp).toBe(before.lastTimestamp);
          // An event sent alone whose id is stored answers `exists` (or names what differs).
          const stored = new Set(before.transfers.map((transfer) => transfer.id as string));
          for (const [first, last] of chainsOf(step.events)) {
            const event = step.events[first]!;
            if (first === last && !isLinked(event) && stored.has(event.id)) expect(results[first], event.id).toMatch(/^exists/);
          }
          // The only rows a replay may add are ids it burns: a chain member that had never been
          // reached before can now fail on the books. Nothing already failed changes its result.
          const previous = new Map(before.failures.map((failure) => [failure.id, failure.result]));
          for (const failure of after.failures) {
            if (previous.has(failure.id)) {
              expect(failure.result).toBe(previous.get(failure.id));
              continue;
            }
            const burnedBy = step.events.filter((event, index) => event.id === failure.id && results[index] === failure.result);
            expect(burnedBy.length, failure.id).toBeGreaterThan(0);
          }
        },
      }),
      numRuns,
    );
    expect(replays).toBeGreaterThan(0);
  });

  it('(e) a linked chain is all or nothing', async () => {
    let chainsSeen = 0;
    await check(
      () => ({
        afterStep({ step, results, before, after }) {
          const storedBefore = new Set(before.transfers.map((transfer) => transfer.id as string));
          const storedAfter = new Map(after.transfers.map((transfer) => [transfer.id as string, transfer]));
          const createdHere = new Set(step.events.filter((_event, index) => results[index] === 'ok').map((event) => event.id));
          for (const [first, last] of chainsOf(step.events)) {
            if (first === last && !isLinked(step.events[first]!)) continue;
            chainsSeen += 1;
            const members = step.events.slice(first, last + 1);
            const outcomes = results.slice(first, last + 1);
            if (outcomes.every((result) => result === 'ok')) {
              for (const member of members) {
                const stored = storedAfter.get(member.id);
                expect(stored, member.id).toBeDefined();
                expect(stored!.flags).toBe(member.flags);
              }
              continue;
            }
            expect(outcomes, 'a chain is never partly accepted').not.toContain('ok');
            expect(outcomes.filter((result) => result !== 'linked_event_failed')).toHaveLength(1);
            // No member of a refused chain is stored by it (an accepted event elsewhere in the
            // batch may carry the same id, and a member may be a retry of a stored transfer).
            members.forEach((member, offset) => {
              const id = member.id;
              if (storedBefore.has(id)) return;
              const elsewhere = step.events.some((other, index) => other.id === id && results[index] === 'ok' && (index < first || index > last));
              if (!elsewhere) expect(storedAfter.has(id), `member ${offset} of a refused chain`).toBe(false);
            });
          }
          for (const id of createdHere) expect(storedAfter.has(id)).toBe(true);
        },
      }),
      numRuns,
    );
    expect(chainsSeen).toBeGreaterThan(0);
  });

  it('every result, balance and transfer equals that of a reference model of the posting rules', async () => {
    const seen = new Map<CreateTransferResult, number>();
    const exercised = { expired: 0, clamped: 0, closed: 0, reopened: 0 };
    await check(() => {
      let model: LedgerModel | undefined;
      return {
        stop: async () => {
          for (const key of Object.keys(exercised) as Array<keyof typeof exercised>) exercised[key] += model?.exercised[key] ?? 0;
        },
        afterStep({ step, nowNs, results, before, after }) {
          model ??= new LedgerModel(before.lastTimestamp);
          const expected = model.apply(step.events, nowNs);
          expect(results).toEqual(expected);
          for (const result of results) seen.set(result, (seen.get(result) ?? 0) + 1);
          for (const account of after.accounts) {
            const modelled = model.accounts.get(account.id)!;
            expect(
              {
                id: account.id,
                debitsPending: account.debitsPending,
                debitsPosted: account.debitsPosted,
                creditsPending: account.creditsPending,
                creditsPosted: account.creditsPosted,
                closed: (account.flags & AccountFlags.closed) !== 0,
              },
              account.id,
            ).toEqual({
              id: modelled.id,
              debitsPending: modelled.debitsPending,
              debitsPosted: modelled.debitsPosted,
              creditsPending: modelled.creditsPending,
              creditsPosted: modelled.creditsPosted,
              closed: modelled.closed,
            });
          }
          const modelTransfers = [...model.transfers.values()].sort((a, b) => a.id.localeCompare(b.id));
          expect(after.transfers).toEqual(modelTransfers);
          expect(after.transferRows).toBe(modelTransfers.length);
          expect(new Map(after.failures.map((failure) => [failure.id, failure.result]))).toEqual(model.failed);
          expect(after.lastTimestamp).toBe(model.lastTimestamp);
          // A history account's last balance row is its balance now.
          for (const account of after.accounts.filter((candidate) => candidate.flags & AccountFlags.history)) {
            const rows = (after.balanceRows as Array<Record<string, unknown>>).filter((row) => row.account_id === account.id);
            const last = rows.at(-1);
            if (last === undefined) continue;
            expect([last.debits_pending, last.debits_posted, last.credits_pending, last.credits_posted]).toEqual([
              account.debitsPending,
              account.debitsPosted,
              account.creditsPending,
              account.creditsPosted,
            ]);
          }
        },
      };
    }, numRuns * 2);
    // The scenarios reach the interesting outcomes, not just the easy ones.
    const reached: CreateTransferResult[] = [
      'ok',
      'exists',
      'exists_with_different_amount',
      'id_already_failed',
      'linked_event_failed',
      'linked_event_chain_open',
      'exceeds_credits',
      'exceeds_debits',
      'pending_transfer_expired',
      'pending_transfer_already_posted',
      'pending_transfer_already_voided',
      'debit_account_already_closed',
    ];
    for (const result of reached) expect(seen.get(result) ?? 0, result).toBeGreaterThan(0);
    expect([...seen.keys()].filter((result) => result.startsWith('overflows_')).length, 'some overflow refused').toBeGreaterThan(0);
    for (const [rule, count] of Object.entries(exercised)) expect(count, rule).toBeGreaterThan(0);
  });
});
