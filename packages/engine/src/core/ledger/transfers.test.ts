import { describe, expect, it } from 'vitest';
import { idMax, idZero } from '../ids';
import { amountMax } from '../money';
import {
  AccountFlags,
  TransferFlags,
  createAccounts,
  createTransfers,
  emptySnapshot,
  isTransientTransferResult,
  type Account,
  type AccountEvent,
  type CreateTransferResult,
  type LedgerChanges,
  type LedgerSnapshot,
  type Transfer,
  type TransferEvent,
} from './index';

const USD = 840;
const EUR = 978;
const secondNs = 1_000_000_000n;
const t0 = 1_700_000_000n * secondNs;

const id = (n: number | bigint): string => n.toString(16).padStart(32, '0');

const cash = id(0xc1); // USD, no balance flag: where money comes from
const wallet = id(0xc2); // USD, debits must not exceed credits
const loan = id(0xc3); // USD, credits must not exceed debits
const overdrawn = id(0xc4); // USD, debits bounded, 500 overdraft
const creditLine = id(0xc5); // USD, credits bounded, 300 overdraft
const audited = id(0xc6); // USD, history
const eurCash = id(0xe1); // EUR, no flags
const eurWallet = id(0xe2); // EUR, debits bounded
const nobody = id(0xdead); // a well-formed id that is no account

const chartOfAccounts: AccountEvent[] = [
  { id: cash, ledger: USD, code: 10 },
  { id: wallet, ledger: USD, code: 20, flags: AccountFlags.debitsMustNotExceedCredits },
  { id: loan, ledger: USD, code: 30, flags: AccountFlags.creditsMustNotExceedDebits },
  { id: overdrawn, ledger: USD, code: 20, flags: AccountFlags.debitsMustNotExceedCredits, overdraftLimit: 500n },
  { id: creditLine, ledger: USD, code: 30, flags: AccountFlags.creditsMustNotExceedDebits, overdraftLimit: 300n },
  { id: audited, ledger: USD, code: 20, flags: AccountFlags.history },
  { id: eurCash, ledger: EUR, code: 10 },
  { id: eurWallet, ledger: EUR, code: 20, flags: AccountFlags.debitsMustNotExceedCredits },
];

/** Folds one batch's changes into the snapshot, as the storage would. */
function commit(snapshot: LedgerSnapshot, changes: LedgerChanges): LedgerSnapshot {
  const accounts = new Map(snapshot.accounts);
  for (const account of [...changes.accountsCreated, ...changes.accountsUpdated]) accounts.set(account.id, account);
  const transfers = new Map(snapshot.transfers);
  for (const transfer of [...changes.transfersCreated, ...changes.transfersUpdated]) transfers.set(transfer.id, transfer);
  const failures = new Map(snapshot.failures);
  for (const failure of changes.failures) failures.set(failure.id, failure.result);
  return { accounts, transfers, failures, lastTimestamp: changes.lastTimestamp };
}

function openBooks(events: readonly AccountEvent[] = chartOfAccounts): LedgerSnapshot {
  const outcome = createAccounts(emptySnapshot(), events, t0 - secondNs);
  expect(outcome.results).toEqual(events.map(() => 'ok'));
  return commit(emptySnapshot(), outcome.changes);
}

interface Run {
  readonly results: readonly CreateTransferResult[];
  readonly changes: LedgerChanges;
  readonly after: LedgerSnapshot;
}

function run(snapshot: LedgerSnapshot, events: readonly TransferEvent[], nowNs = t0): Run {
  const outcome = createTransfers(snapshot, events, nowNs);
  return { results: outcome.results, changes: outcome.changes, after: commit(snapshot, outcome.changes) };
}

/** Runs a batch that must succeed entirely. */
function runOk(snapshot: LedgerSnapshot, events: readonly TransferEvent[], nowNs = t0): LedgerSnapshot {
  const outcome = run(snapshot, events, nowNs);
  expect(outcome.results).toEqual(events.map(() => 'ok'));
  return outcome.after;
}

function transfer(n: number, debitAccountId: string, creditAccountId: string, amount: bigint, extra: Partial<TransferEvent> = {}): TransferEvent {
  return { id: id(n), debitAccountId, creditAccountId, amount, ledger: USD, code: 1, ...extra };
}

/** An event as an untyped client might send it: fields missing, or of the wrong shape. */
function loose(fields: Record<string, unknown>): TransferEvent {
  return fields as unknown as TransferEvent;
}

function accountOf(snapshot: LedgerSnapshot, accountId: string): Account {
  const account = snapshot.accounts.get(accountId);
  expect(account, `account ${accountId}`).toBeDefined();
  return account!;
}

function transferOf(snapshot: LedgerSnapshot, transferId: string): Transfer {
  const found = snapshot.transfers.get(transferId);
  expect(found, `transfer ${transferId}`).toBeDefined();
  return found!;
}

function balancesOf(snapshot: LedgerSnapshot, accountId: string) {
  const { debitsPending, debitsPosted, creditsPending, creditsPosted } = accountOf(snapshot, accountId);
  return { debitsPending, debitsPosted, creditsPending, creditsPosted };
}

/** A refused batch writes nothing but, for failures that depend on the books, the burned id. */
function expectNothingChanged(outcome: Run, before: LedgerSnapshot, burned: ReadonlyArray<{ id: string; result: CreateTransferResult }> = []): void {
  expect(outcome.changes.accountsCreated).toEqual([]);
  expect(outcome.changes.accountsUpdated).toEqual([]);
  expect(outcome.changes.transfersCreated).toEqual([]);
  expect(outcome.changes.transfersUpdated).toEqual([]);
  expect(outcome.changes.balances).toEqual([]);
  expect(outcome.changes.failures).toEqual(burned);
  expect(outcome.changes.lastTimestamp).toBe(before.lastTimestamp);
}

/** The books after cash has paid 1,000 into the wallet and 1,000 into the EUR wallet. */
function fundedBooks(): LedgerSnapshot {
  const books = runOk(openBooks(), [
    transfer(1, cash, wallet, 1000n),
    { ...transfer(2, eurCash, eurWallet, 1000n), ledger: EUR },
  ]);
  return books;
}

describe('bad input: each is refused with its own code and changes nothing', () => {
  const good = transfer(100, cash, wallet, 10n);
  const cases: Array<[string, TransferEvent, CreateTransferResult]> = [
    ['a zero amount', { ...good, amount: 0n }, 'amount_must_not_be_zero'],
    ['a negative amount', { ...good, amount: -1n }, 'amount_must_not_be_negative'],
    ['an amount past 2^63-1', { ...good, amount: amountMax + 1n }, 'amount_overflows'],
    ['an id one digit short', { ...good, id: id(100).slice(1) }, 'id_malformed'],
    ['an id one digit long', { ...good, id: '0' + id(100) }, 'id_malformed'],
    ['an id in upper case', { ...good, id: 'ABCDEF' + id(100).slice(6) }, 'id_malformed'],
    ['an id that is not hex', { ...good, id: 'g' + id(100).slice(1) }, 'id_malformed'],
    ['no id at all', loose({ ...good, id: undefined }), 'id_malformed'],
    ['an id that is a number', loose({ ...good, id: 100 }), 'id_malformed'],
    ['the zero id', { ...good, id: idZero }, 'id_must_not_be_zero'],
    ['the int-max id', { ...good, id: idMax }, 'id_must_not_be_int_max'],
    ['a reserved flag (bit 8)', { ...good, flags: 1 << 8 }, 'reserved_flag'],
    ['a reserved flag (bit 15)', { ...good, flags: 1 << 15 }, 'reserved_flag'],
    ['a reserved flag past 32 bits', { ...good, flags: 2 ** 32 }, 'reserved_flag'],
    ['a reserved flag past 32 bits beside a known one', { ...good, flags: 2 ** 32 + TransferFlags.pending }, 'reserved_flag'],
    ['negative flags', { ...good, flags: -1 }, 'reserved_flag'],
    ['fractional flags', { ...good, flags: 0.5 }, 'reserved_flag'],
    ['pending and post together', { ...good, flags: TransferFlags.pending | TransferFlags.postPendingTransfer }, 'flags_are_mutually_exclusive'],
    ['pending and void together', { ...good, flags: TransferFlags.pending | TransferFlags.voidPendingTransfer }, 'flags_are_mutually_exclusive'],
    ['post and void together', { ...good, flags: TransferFlags.postPendingTransfer | TransferFlags.voidPendingTransfer }, 'flags_are_mutually_exclusive'],
    ['post with balancing', { ...good, flags: TransferFlags.postPendingTransfer | TransferFlags.balancingDebit }, 'flags_are_mutually_exclusive'],
    ['void with closing', { ...good, flags: TransferFlags.voidPendingTransfer | TransferFlags.closingCredit }, 'flags_are_mutually_exclusive'],
    ['a malformed debit account id', { ...good, debitAccountId: 'cash' }, 'debit_account_id_malformed'],
    ['an upper-case debit account id', { ...good, debitAccountId: cash.toUpperCase() }, 'debit_account_id_malformed'],
    ['no debit account', loose({ ...good, debitAccountId: undefined }), 'debit_account_id_must_not_be_zero'],
    ['the zero debit account', { ...good, debitAccountId: idZero }, 'debit_account_id_must_not_be_zero'],
    ['the int-max debit account', { ...good, debitAccountId: idMax }, 'debit_account_id_must_not_be_int_max'],
    ['a malformed credit account id', { ...good, creditAccountId: wallet + '0' }, 'credit_account_id_malformed'],
    ['no credit account', loose({ ...good, creditAccountId: undefined }), 'credit_account_id_must_not_be_zero'],
    ['the zero credit account', { ...good, creditAccountId: idZero }, 'credit_account_id_must_not_be_zero'],
    ['the int-max credit account', { ...good, creditAccountId: idMax }, 'credit_account_id_must_not_be_int_max'],
    ['the same debit and credit account', { ...good, creditAccountId: cash }, 'accounts_must_be_different'],
    ['a pending id on a plain transfer', { ...good, pendingId: id(7) }, 'pending_id_must_be_zero'],
    ['a timeout on a transfer that is not pending', { ...good, timeout: 60 }, 'timeout_reserved_for_pending_transfer'],
    ['a negative timeout', { ...good, flags: TransferFlags.pending, timeout: -1 }, 'timeout_malformed'],
    ['a fractional timeout', { ...good, flags: TransferFlags.pending, timeout: 1.5 }, 'timeout_malformed'],
    ['a timeout past 32 bits', { ...good, flags: TransferFlags.pending, timeout: 2 ** 32 }, 'timeout_malformed'],
    ['a closing transfer that is not pending', { ...good, flags: TransferFlags.closingDebit }, 'closing_transfer_must_be_pending'],
    ['malformed 128-bit user data', { ...good, userData128: 'xyz' }, 'user_data_malformed'],
    ['negative 64-bit user data', { ...good, userData64: -1n }, 'user_data_malformed'],
    ['fractional 32-bit user data', { ...good, userData32: 0.5 }, 'user_data_malformed'],
    ['no ledger', loose({ ...good, ledger: undefined }), 'ledger_must_not_be_zero'],
    ['ledger zero', { ...good, ledger: 0 }, 'ledger_must_not_be_zero'],
    ['a negative ledger', { ...good, ledger: -840 }, 'ledger_malformed'],
    ['a ledger past 32 bits', { ...good, ledger: 2 ** 32 }, 'ledger_malformed'],
    ['code zero', { ...good, code: 0 }, 'code_must_not_be_zero'],
    ['a code past 16 bits', { ...good, code: 65_536 }, 'code_malformed'],
  ];

  it.each(cases)('%s', (_name, event, expected) => {
    const before = fundedBooks();
    const outcome = run(before, [event]);
    expect(outcome.results).toEqual([expected]);
    expect(isTransientTransferResult(expected)).toBe(false);
    expectNothingChanged(outcome, before);
  });

  it('a refused event leaves its id free: the corrected event with the same id succeeds', () => {
    const before = fundedBooks();
    const refused = run(before, [{ ...good, amount: 0n }]);
    expect(refused.results).toEqual(['amount_must_not_be_zero']);
    expect(run(refused.after, [good]).results).toEqual(['ok']);
  });
});

describe('refusals that depend on the books: own code, nothing changed, id burned', () => {
  const cases: Array<[string, TransferEvent, CreateTransferResult]> = [
    ['an unknown debit account', transfer(100, nobody, wallet, 10n), 'debit_account_not_found'],
    ['an unknown credit account', transfer(100, cash, nobody, 10n), 'credit_account_not_found'],
    ['accounts on different ledgers', transfer(100, cash, eurWallet, 10n), 'accounts_must_have_the_same_ledger'],
    ['accounts on different ledgers, the other way', { ...transfer(100, eurCash, wallet, 10n), ledger: EUR }, 'accounts_must_have_the_same_ledger'],
    ['a transfer ledger that differs from its accounts', { ...transfer(100, cash, wallet, 10n), ledger: EUR }, 'transfer_must_have_the_same_ledger_as_accounts'],
    ['a pending id that is no transfer', { id: id(100), pendingId: id(99), amount: 0n, flags: TransferFlags.postPendingTransfer }, 'pending_transfer_not_found'],
    ['posting a transfer that was never pending', { id: id(100), pendingId: id(1), amount: 0n, flags: TransferFlags.postPendingTransfer }, 'pending_transfer_not_pending'],
    ['voiding a transfer that was never pending', { id: id(100), pendingId: id(1), amount: 0n, flags: TransferFlags.voidPendingTransfer }, 'pending_transfer_not_pending'],
    ['debiting a wallet past its credits', transfer(100, wallet, cash, 1001n), 'exceeds_credits'],
    ['crediting a loan past its debits', transfer(100, cash, loan, 1n), 'exceeds_debits'],
  ];

  it.each(cases)('%s', (_name, event, expected) => {
    const before = fundedBooks();
    const outcome = run(before, [event]);
    expect(outcome.results).toEqual([expected]);
    expect(isTransientTransferResult(expected)).toBe(true);
    expectNothingChanged(outcome, before, [{ id: event.id, result: expected }]);
  });
});

describe('post and void: shape of the event', () => {
  const pendingId = id(50);
  const post = (extra: Partial<TransferEvent>): TransferEvent => ({ id: id(51), pendingId, amount: 0n, flags: TransferFlags.postPendingTransfer, ...extra });
  const cases: Array<[string, TransferEvent, CreateTransferResult]> = [
    ['no pending id', loose({ ...post({}), pendingId: undefined }), 'pending_id_must_not_be_zero'],
    ['the zero pending id', post({ pendingId: idZero }), 'pending_id_must_not_be_zero'],
    ['a malformed pending id', post({ pendingId: 'pending' }), 'pending_id_malformed'],
    ['the int-max pending id', post({ pendingId: idMax }), 'pending_id_must_not_be_int_max'],
    ['a pending id equal to its own id', post({ pendingId: id(51) }), 'pending_id_must_be_different'],
    ['a timeout', post({ timeout: 5 }), 'timeout_reserved_for_pending_transfer'],
    ['a negative amount', post({ amount: -5n }), 'amount_must_not_be_negative'],
    ['an overflowing amount', post({ amount: amountMax + 1n }), 'amount_overflows'],
    ['a malformed debit account id', post({ debitAccountId: 'x' }), 'debit_account_id_malformed'],
    ['the same given debit and credit account', post({ debitAccountId: cash, creditAccountId: cash }), 'accounts_must_be_different'],
    ['a malformed ledger', post({ ledger: -1 }), 'ledger_malformed'],
    ['a malformed code', post({ code: 70_000 }), 'code_malformed'],
  ];

  it.each(cases)('%s', (_name, event, expected) => {
    const before = runOk(fundedBooks(), [transfer(50, wallet, cash, 100n, { flags: TransferFlags.pending })]);
    const outcome = run(before, [event]);
    expect(outcome.results).toEqual([expected]);
    expectNothingChanged(outcome, before);
  });

  it('refuses a post that names other accounts, ledger or code than the pending transfer', () => {
    const before = runOk(fundedBooks(), [transfer(50, wallet, cash, 100n, { flags: TransferFlags.pending })]);
    const mismatches: Array<[Partial<TransferEvent>, CreateTransferResult]> = [
      [{ debitAccountId: overdrawn }, 'pending_transfer_has_different_debit_account_id'],
      [{ creditAccountId: overdrawn }, 'pending_transfer_has_different_credit_account_id'],
      [{ ledger: EUR }, 'pending_transfer_has_different_ledger'],
      [{ code: 2 }, 'pending_transfer_has_different_code'],
    ];
    for (const [extra, expected] of mismatches) {
      const outcome = run(before, [post(extra)]);
      expect(outcome.results).toEqual([expected]);
      expectNothingChanged(outcome, before, [{ id: id(51), result: expected }]);
    }
    // Naming the same accounts, ledger and code is allowed.
    const named = run(before, [post({ debitAccountId: wallet, creditAccountId: cash, ledger: USD, code: 1 })]);
    expect(named.results).toEqual(['ok']);
  });
});

describe('two-phase transfers', () => {
  const hold = (n: number, amount: bigint, extra: Partial<TransferEvent> = {}): TransferEvent =>
    transfer(n, wallet, cash, amount, { flags: TransferFlags.pending, ...extra });
  const postOf = (n: number, pending: number, amount = 0n): TransferEvent => ({
    id: id(n),
    pendingId: id(pending),
    amount,
    flags: TransferFlags.postPendingTransfer,
  });
  const voidOf = (n: number, pending: number, amount = 0n): TransferEvent => ({
    id: id(n),
    pendingId: id(pending),
    amount,
    flags: TransferFlags.voidPendingTransfer,
  });

  it('a pending transfer holds the amount on both sides, as pending', () => {
    const books = runOk(fundedBooks(), [hold(10, 300n)]);
    expect(balancesOf(books, wallet)).toEqual({ debitsPending: 300n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 1000n });
    expect(balancesOf(books, cash)).toMatchObject({ creditsPending: 300n, debitsPosted: 1000n });
    expect(transferOf(books, id(10))).toMatchObject({ pendingStatus: 'pending', amount: 300n, expiresAt: 0n });
  });

  it('the hold counts against what the wallet may still spend', () => {
    const books = runOk(fundedBooks(), [hold(10, 800n)]);
    expect(run(books, [transfer(11, wallet, cash, 201n)]).results).toEqual(['exceeds_credits']);
    expect(run(books, [transfer(11, wallet, cash, 200n)]).results).toEqual(['ok']);
  });

  it('posts the full amount when the post gives amount 0, or the full amount explicitly', () => {
    for (const amount of [0n, 300n]) {
      const books = runOk(runOk(fundedBooks(), [hold(10, 300n)]), [postOf(11, 10, amount)]);
      expect(balancesOf(books, wallet)).toEqual({ debitsPending: 0n, debitsPosted: 300n, creditsPending: 0n, creditsPosted: 1000n });
      expect(balancesOf(books, cash)).toEqual({ debitsPending: 0n, debitsPosted: 1000n, creditsPending: 0n, creditsPosted: 300n });
      expect(transferOf(books, id(10)).pendingStatus).toBe('posted');
      expect(transferOf(books, id(11))).toMatchObject({
        pendingId: id(10),
        debitAccountId: wallet,
        creditAccountId: cash,
        amount: 300n,
        ledger: USD,
        code: 1,
        pendingStatus: 'none',
      });
    }
  });

  it('a partial post moves the posted part and releases the whole hold', () => {
    const books = runOk(runOk(fundedBooks(), [hold(10, 300n)]), [postOf(11, 10, 120n)]);
    expect(balancesOf(books, wallet)).toEqual({ debitsPending: 0n, debitsPosted: 120n, creditsPending: 0n, creditsPosted: 1000n });
    expect(balancesOf(books, cash)).toEqual({ debitsPending: 0n, debitsPosted: 1000n, creditsPending: 0n, creditsPosted: 120n });
    expect(transferOf(books, id(11)).amount).toBe(120n);
  });

  it('refuses to post more than was held', () => {
    const before = runOk(fundedBooks(), [hold(10, 300n)]);
    const outcome = run(before, [postOf(11, 10, 301n)]);
    expect(outcome.results).toEqual(['exceeds_pending_transfer_amount']);
    expectNothingChanged(outcome, before, [{ id: id(11), result: 'exceeds_pending_transfer_amount' }]);
  });

  it('a void releases the hold and posts nothing', () => {
    const books = runOk(runOk(fundedBooks(), [hold(10, 300n)]), [voidOf(11, 10)]);
    expect(balancesOf(books, wallet)).toEqual({ debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 1000n });
    expect(balancesOf(books, cash)).toEqual({ debitsPending: 0n, debitsPosted: 1000n, creditsPending: 0n, creditsPosted: 0n });
    expect(transferOf(books, id(10)).pendingStatus).toBe('voided');
    expect(transferOf(books, id(11))).toMatchObject({ pendingId: id(10), amount: 300n });
  });

  it('a void must name the whole held amount or none', () => {
    const before = runOk(fundedBooks(), [hold(10, 300n)]);
    expect(run(before, [voidOf(11, 10, 100n)]).results).toEqual(['pending_transfer_has_different_amount']);
    expect(run(before, [voidOf(11, 10, 301n)]).results).toEqual(['exceeds_pending_transfer_amount']);
    expect(run(before, [voidOf(11, 10, 300n)]).results).toEqual(['ok']);
  });

  it('refuses to post after a void, to void after a post, and to post twice', () => {
    const voided = runOk(runOk(fundedBooks(), [hold(10, 300n)]), [voidOf(11, 10)]);
    const posted = runOk(runOk(fundedBooks(), [hold(10, 300n)]), [postOf(11, 10)]);
    const cases: Array<[LedgerSnapshot, TransferEvent, CreateTransferResult]> = [
      [voided, postOf(12, 10), 'pending_transfer_already_voided'],
      [voided, voidOf(12, 10), 'pending_transfer_already_voided'],
      [posted, voidOf(12, 10), 'pending_transfer_already_posted'],
      [posted, postOf(12, 10), 'pending_transfer_already_posted'],
    ];
    for (const [before, event, expected] of cases) {
      const outcome = run(before, [event]);
      expect(outcome.results).toEqual([expected]);
      expectNothingChanged(outcome, before, [{ id: event.id, result: expected }]);
    }
  });

  it('two posts of one hold in the same batch: the second is refused', () => {
    const before = runOk(fundedBooks(), [hold(10, 300n)]);
    const outcome = run(before, [postOf(11, 10, 100n), postOf(12, 10, 100n)]);
    expect(outcome.results).toEqual(['ok', 'pending_transfer_already_posted']);
    expect(balancesOf(outcome.after, wallet)).toMatchObject({ debitsPending: 0n, debitsPosted: 100n });
  });

  it('a hold made and posted in the same batch', () => {
    const books = runOk(fundedBooks(), [hold(10, 300n), postOf(11, 10, 50n)]);
    expect(balancesOf(books, wallet)).toMatchObject({ debitsPending: 0n, debitsPosted: 50n });
    expect(transferOf(books, id(10)).pendingStatus).toBe('posted');
  });

  it('expires a hold once its timeout has passed, releasing it, and then refuses to post it', () => {
    const held = runOk(fundedBooks(), [hold(10, 300n, { timeout: 60 })]);
    const pending = transferOf(held, id(10));
    expect(pending.expiresAt).toBe(pending.timestamp + 60n * secondNs);

    // One nanosecond before the deadline the hold still stands and may be posted.
    const early = run(held, [postOf(11, 10)], pending.expiresAt - 1n);
    expect(early.results).toEqual(['ok']);

    // At the deadline a batch expires it first, whatever else it carries.
    const expired = run(held, [], pending.expiresAt);
    expect(expired.results).toEqual([]);
    expect(transferOf(expired.after, id(10)).pendingStatus).toBe('expired');
    expect(balancesOf(expired.after, wallet)).toEqual({ debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 1000n });
    expect(balancesOf(expired.after, cash)).toMatchObject({ creditsPending: 0n, creditsPosted: 0n });

    const late = run(expired.after, [postOf(11, 10)], pending.expiresAt + 5n * secondNs);
    expect(late.results).toEqual(['pending_transfer_expired']);
    expectNothingChanged(late, expired.after, [{ id: id(11), result: 'pending_transfer_expired' }]);
    expect(run(expired.after, [voidOf(12, 10)], pending.expiresAt + 1n).results).toEqual(['pending_transfer_expired']);
  });

  it('a post arriving after the deadline finds the hold expired in the same batch', () => {
    const held = runOk(fundedBooks(), [hold(10, 300n, { timeout: 1 })]);
    const outcome = run(held, [postOf(11, 10)], t0 + 2n * secondNs);
    expect(outcome.results).toEqual(['pending_transfer_expired']);
    expect(transferOf(outcome.after, id(10)).pendingStatus).toBe('expired');
    expect(balancesOf(outcome.after, wallet)).toMatchObject({ debitsPending: 0n, debitsPosted: 0n });
  });

  it('holds expire in the order of their deadlines, whatever order the books were loaded in', () => {
    const books = runOk(openBooks(), [
      transfer(10, audited, cash, 30n, { flags: TransferFlags.pending, timeout: 2 }),
      transfer(11, audited, cash, 5n, { flags: TransferFlags.pending, timeout: 1 }),
    ]);
    const rowsOfExpiry = (snapshot: LedgerSnapshot) => run(snapshot, [], t0 + 3n * secondNs).changes.balances.map((row) => [row.transferId, row.debitsPending]);
    const expected = [
      [id(11), 30n],
      [id(10), 0n],
    ];
    expect(rowsOfExpiry(books)).toEqual(expected);
    const reversed: LedgerSnapshot = { ...books, transfers: new Map([...books.transfers].reverse()) };
    expect(rowsOfExpiry(reversed)).toEqual(expected);
  });

  it('a hold without timeout never expires', () => {
    const held = runOk(fundedBooks(), [hold(10, 300n)]);
    const outcome = run(held, [postOf(11, 10)], t0 + 10n ** 6n * secondNs);
    expect(outcome.results).toEqual(['ok']);
  });

  it('refuses a timeout that would take the expiry past 2^63-1, taking no timestamp', () => {
    const books = fundedBooks();
    const nowNs = amountMax - secondNs;
    const outcome = run(books, [hold(10, 1n, { timeout: 2 ** 32 - 1 })], nowNs);
    expect(outcome.results).toEqual(['overflows_timeout']);
    expectNothingChanged(outcome, books, [{ id: id(10), result: 'overflows_timeout' }]);
    expect(run(books, [hold(10, 1n, { timeout: 1 })], nowNs).results).toEqual(['ok']);
  });
});

describe('balance flags and overdraft limits', () => {
  it('a wallet may spend exactly its credits and not one unit more', () => {
    const books = fundedBooks();
    expect(run(books, [transfer(10, wallet, cash, 1000n)]).results).toEqual(['ok']);
    expect(run(books, [transfer(10, wallet, cash, 1001n)]).results).toEqual(['exceeds_credits']);
  });

  it('an overdraft limit lets a debit-bounded account go that far below zero, and no further', () => {
    const books = openBooks();
    const spent = runOk(books, [transfer(10, overdrawn, cash, 400n)]);
    expect(run(spent, [transfer(11, overdrawn, cash, 101n)]).results).toEqual(['exceeds_credits']);
    const limit = runOk(spent, [transfer(11, overdrawn, cash, 100n)]);
    expect(balancesOf(limit, overdrawn)).toMatchObject({ debitsPosted: 500n, creditsPosted: 0n });
    // Credits widen the room again.
    const repaid = runOk(limit, [transfer(12, cash, overdrawn, 50n)]);
    expect(run(repaid, [transfer(13, overdrawn, cash, 51n)]).results).toEqual(['exceeds_credits']);
    expect(run(repaid, [transfer(13, overdrawn, cash, 50n)]).results).toEqual(['ok']);
  });

  it('pending debits count against the overdraft limit', () => {
    const books = runOk(openBooks(), [transfer(10, overdrawn, cash, 450n, { flags: TransferFlags.pending })]);
    expect(run(books, [transfer(11, overdrawn, cash, 51n)]).results).toEqual(['exceeds_credits']);
    expect(run(books, [transfer(11, overdrawn, cash, 50n)]).results).toEqual(['ok']);
  });

  it('a credit-bounded account takes credits up to its debits plus its overdraft limit', () => {
    const books = openBooks();
    expect(run(books, [transfer(10, cash, creditLine, 301n)]).results).toEqual(['exceeds_debits']);
    const used = runOk(books, [transfer(10, cash, creditLine, 300n)]);
    expect(run(used, [transfer(11, cash, creditLine, 1n)]).results).toEqual(['exceeds_debits']);
    const lent = runOk(used, [transfer(11, creditLine, cash, 40n)]);
    expect(run(lent, [transfer(12, cash, creditLine, 41n)]).results).toEqual(['exceeds_debits']);
    expect(run(lent, [transfer(12, cash, creditLine, 40n)]).results).toEqual(['ok']);
  });

  it('the bound applies to its own side only: a wallet may take any credit, a loan any debit', () => {
    const books = openBooks();
    expect(run(books, [transfer(10, cash, wallet, amountMax)]).results).toEqual(['ok']);
    expect(run(books, [transfer(10, loan, cash, amountMax)]).results).toEqual(['ok']);
  });
});

describe('balancing transfers', () => {
  it('a balancing debit moves at most what the debit account has, posted or held', () => {
    const books = runOk(fundedBooks(), [transfer(10, wallet, cash, 100n, { flags: TransferFlags.pending })]);
    const swept = runOk(books, [transfer(11, wallet, audited, 5000n, { flags: TransferFlags.balancingDebit })]);
    expect(transferOf(swept, id(11)).amount).toBe(900n);
    expect(balancesOf(swept, wallet)).toMatchObject({ debitsPosted: 900n, debitsPending: 100n, creditsPosted: 1000n });
    expect(balancesOf(swept, audited)).toMatchObject({ creditsPosted: 900n });
  });

  it('a balancing debit smaller than the balance moves just the amount asked', () => {
    const swept = runOk(fundedBooks(), [transfer(11, wallet, audited, 250n, { flags: TransferFlags.balancingDebit })]);
    expect(transferOf(swept, id(11)).amount).toBe(250n);
  });

  it('a balancing debit from an empty account moves nothing', () => {
    const swept = runOk(openBooks(), [transfer(11, wallet, audited, 250n, { flags: TransferFlags.balancingDebit })]);
    expect(transferOf(swept, id(11)).amount).toBe(0n);
    expect(balancesOf(swept, wallet)).toEqual({ debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n });
  });

  it('a balancing debit may use the debit account overdraft, which is part of what it has', () => {
    const swept = runOk(openBooks(), [transfer(11, overdrawn, cash, 5000n, { flags: TransferFlags.balancingDebit })]);
    expect(transferOf(swept, id(11)).amount).toBe(500n);
  });

  it("a balancing debit ignores an overdraft that bounds the account's credits, not its debits", () => {
    // creditLine's overdraft lets credits pass debits by 300; it gives nothing to debit.
    const funded = runOk(openBooks(), [transfer(10, cash, audited, 1n), transfer(11, audited, creditLine, 1n)]);
    expect(balancesOf(funded, creditLine)).toMatchObject({ creditsPosted: 1n, debitsPosted: 0n });
    const swept = runOk(funded, [transfer(12, creditLine, cash, 500n, { flags: TransferFlags.balancingDebit })]);
    expect(transferOf(swept, id(12)).amount).toBe(1n);
  });

  it('a balancing credit moves at most what the credit account lacks', () => {
    const books = runOk(openBooks(), [transfer(10, loan, cash, 700n)]);
    const repaid = runOk(books, [transfer(11, cash, loan, 5000n, { flags: TransferFlags.balancingCredit })]);
    expect(transferOf(repaid, id(11)).amount).toBe(700n);
    expect(balancesOf(repaid, loan)).toMatchObject({ debitsPosted: 700n, creditsPosted: 700n });
  });

  it('a balancing transfer is still refused when the other side cannot take the amount', () => {
    const books = fundedBooks();
    const outcome = run(books, [transfer(11, wallet, loan, 5000n, { flags: TransferFlags.balancingDebit })]);
    expect(outcome.results).toEqual(['exceeds_debits']);
    expectNothingChanged(outcome, books, [{ id: id(11), result: 'exceeds_debits' }]);
  });

  it('a retry of a balancing transfer is recognised though the stored amount is smaller', () => {
    const event = transfer(11, wallet, audited, 5000n, { flags: TransferFlags.balancingDebit });
    const swept = runOk(fundedBooks(), [event]);
    expect(run(swept, [event]).results).toEqual(['exists']);
  });
});

describe('closing transfers', () => {
  const closeWallet = (n: number, extra: Partial<TransferEvent> = {}): TransferEvent =>
    transfer(n, wallet, cash, 1n, { flags: TransferFlags.pending | TransferFlags.closingDebit, ...extra });

  it('a pending closing debit closes the debit account to every new transfer', () => {
    const closed = runOk(fundedBooks(), [closeWallet(10)]);
    expect(accountOf(closed, wallet).flags & AccountFlags.closed).toBe(AccountFlags.closed);
    expect(run(closed, [transfer(11, wallet, cash, 1n)]).results).toEqual(['debit_account_already_closed']);
    expect(run(closed, [transfer(11, cash, wallet, 1n)]).results).toEqual(['credit_account_already_closed']);
    expect(run(closed, [closeWallet(11)]).results).toEqual(['debit_account_already_closed']);
  });

  it('a pending closing credit closes the credit account', () => {
    const closed = runOk(fundedBooks(), [transfer(10, cash, audited, 1n, { flags: TransferFlags.pending | TransferFlags.closingCredit })]);
    expect(accountOf(closed, audited).flags & AccountFlags.closed).toBe(AccountFlags.closed);
    expect(accountOf(closed, cash).flags & AccountFlags.closed).toBe(0);
    expect(run(closed, [transfer(11, cash, audited, 1n)]).results).toEqual(['credit_account_already_closed']);
  });

  it('voiding the closing transfer reopens the account', () => {
    const closed = runOk(fundedBooks(), [closeWallet(10)]);
    const reopened = runOk(closed, [{ id: id(11), pendingId: id(10), amount: 0n, flags: TransferFlags.voidPendingTransfer }]);
    expect(accountOf(reopened, wallet).flags & AccountFlags.closed).toBe(0);
    expect(run(reopened, [transfer(12, wallet, cash, 1n)]).results).toEqual(['ok']);
  });

  it('posting the closing transfer keeps the account closed', () => {
    const closed = runOk(fundedBooks(), [closeWallet(10)]);
    const posted = runOk(closed, [{ id: id(11), pendingId: id(10), amount: 0n, flags: TransferFlags.postPendingTransfer }]);
    expect(accountOf(posted, wallet).flags & AccountFlags.closed).toBe(AccountFlags.closed);
    expect(balancesOf(posted, wallet)).toMatchObject({ debitsPosted: 1n, debitsPending: 0n });
    expect(run(posted, [transfer(12, cash, wallet, 1n)]).results).toEqual(['credit_account_already_closed']);
  });

  it('expiry of the closing transfer reopens the account', () => {
    const closed = runOk(fundedBooks(), [closeWallet(10, { timeout: 1 })]);
    const outcome = run(closed, [transfer(12, wallet, cash, 1n)], t0 + 2n * secondNs);
    expect(outcome.results).toEqual(['ok']);
    expect(accountOf(outcome.after, wallet).flags & AccountFlags.closed).toBe(0);
  });

  it('a closed account still answers exists to the event that opened it', () => {
    const closed = runOk(fundedBooks(), [closeWallet(10)]);
    const reopen = createAccounts(closed, [chartOfAccounts[1]!], t0);
    expect(reopen.results).toEqual(['exists']);
  });
});

describe('retries: exists, exists_with_different_*, id_already_failed', () => {
  const original = transfer(10, wallet, cash, 100n, { flags: TransferFlags.pending, timeout: 60, userData128: id(77), userData64: 5n, userData32: 6 });

  it('the same event again is exists and changes nothing', () => {
    const books = runOk(fundedBooks(), [original]);
    const outcome = run(books, [original], t0 + secondNs);
    expect(outcome.results).toEqual(['exists']);
    expectNothingChanged(outcome, books);
  });

  it('the same id with any field changed names the first field that differs', () => {
    const books = runOk(fundedBooks(), [original]);
    const cases: Array<[TransferEvent, CreateTransferResult]> = [
      [{ ...original, flags: TransferFlags.pending | TransferFlags.balancingDebit }, 'exists_with_different_flags'],
      [{ ...original, flags: TransferFlags.none, timeout: 0 }, 'exists_with_different_flags'],
      [{ ...original, pendingId: id(9) }, 'exists_with_different_pending_id'],
      [{ ...original, timeout: 61 }, 'exists_with_different_timeout'],
      [{ ...original, debitAccountId: overdrawn }, 'exists_with_different_debit_account_id'],
      [{ ...original, creditAccountId: audited }, 'exists_with_different_credit_account_id'],
      [{ ...original, amount: 101n }, 'exists_with_different_amount'],
      [{ ...original, userData128: id(78) }, 'exists_with_different_user_data_128'],
      [{ ...original, userData64: 7n }, 'exists_with_different_user_data_64'],
      [{ ...original, userData32: 8 }, 'exists_with_different_user_data_32'],
      [{ ...original, ledger: EUR }, 'exists_with_different_ledger'],
      [{ ...original, code: 2 }, 'exists_with_different_code'],
      // A retry is compared before it is validated: a zero amount is a difference, not bad input.
      [{ ...original, amount: 0n }, 'exists_with_different_amount'],
    ];
    for (const [event, expected] of cases) {
      const outcome = run(books, [event]);
      expect(outcome.results, expected).toEqual([expected]);
      expectNothingChanged(outcome, books);
    }
  });

  it('a post retried without the fields it inherited is exists', () => {
    const post: TransferEvent = { id: id(11), pendingId: id(10), amount: 0n, flags: TransferFlags.postPendingTransfer };
    const books = runOk(runOk(fundedBooks(), [original]), [post]);
    expect(run(books, [post]).results).toEqual(['exists']);
    expect(run(books, [{ ...post, amount: 100n, ledger: USD, code: 1, debitAccountId: wallet }]).results).toEqual(['exists']);
    expect(run(books, [{ ...post, amount: 99n }]).results).toEqual(['exists_with_different_amount']);
    expect(run(books, [{ ...post, pendingId: id(12) }]).results).toEqual(['exists_with_different_pending_id']);
  });

  it('an id that failed on the state of the books stays failed, even once it would succeed', () => {
    const books = openBooks();
    const spend = transfer(10, wallet, cash, 100n);
    const refused = run(books, [spend]);
    expect(refused.results).toEqual(['exceeds_credits']);
    expect(refused.after.failures.get(id(10))).toBe('exceeds_credits');

    const funded = runOk(refused.after, [transfer(11, cash, wallet, 1000n)]);
    const retried = run(funded, [spend]);
    expect(retried.results).toEqual(['id_already_failed']);
    expectNothingChanged(retried, funded);
    expect(run(funded, [{ ...spend, id: id(12) }]).results).toEqual(['ok']);
  });

  it('an id that failed earlier in the same batch is failed for the rest of the batch, and burned once', () => {
    const books = openBooks();
    const spend = transfer(10, wallet, cash, 100n);
    const outcome = run(books, [spend, transfer(11, cash, wallet, 1000n), spend, spend]);
    expect(outcome.results).toEqual(['exceeds_credits', 'ok', 'id_already_failed', 'id_already_failed']);
    expect(outcome.changes.failures).toEqual([{ id: id(10), result: 'exceeds_credits' }]);
    expect(outcome.changes.transfersCreated.map((created) => created.id)).toEqual([id(11)]);
    expect(balancesOf(outcome.after, wallet)).toMatchObject({ debitsPosted: 0n, creditsPosted: 1000n });
  });

  it('an id that succeeded earlier in the same batch is exists', () => {
    const event = transfer(10, cash, wallet, 100n);
    const outcome = run(openBooks(), [event, event]);
    expect(outcome.results).toEqual(['ok', 'exists']);
    expect(balancesOf(outcome.after, wallet).creditsPosted).toBe(100n);
  });
});

describe('linked chains', () => {
  const linked = (event: TransferEvent): TransferEvent => ({ ...event, flags: (event.flags ?? 0) | TransferFlags.linked });

  it('a chain that succeeds applies every event', () => {
    const books = runOk(openBooks(), [
      linked(transfer(10, cash, wallet, 100n)),
      linked(transfer(11, wallet, audited, 100n)),
      transfer(12, audited, cash, 40n),
    ]);
    expect(balancesOf(books, wallet)).toMatchObject({ debitsPosted: 100n, creditsPosted: 100n });
    expect(balancesOf(books, audited)).toMatchObject({ debitsPosted: 40n, creditsPosted: 100n });
  });

  it('one failing event fails the whole chain and changes nothing; only its id is burned', () => {
    const books = openBooks();
    const outcome = run(books, [
      linked(transfer(10, cash, wallet, 100n)),
      linked(transfer(11, wallet, audited, 100n, { flags: TransferFlags.pending })),
      linked({ id: id(12), pendingId: id(11), amount: 0n, flags: TransferFlags.postPendingTransfer }),
      transfer(13, wallet, cash, 1n),
    ]);
    expect(outcome.results).toEqual(['linked_event_failed', 'linked_event_failed', 'linked_event_failed', 'exceeds_credits']);
    expectNothingChanged(outcome, books, [{ id: id(13), result: 'exceeds_credits' }]);
    // The linked_event_failed ids are not burned: the chain may be sent again once it can succeed.
    expect(run(outcome.after, [transfer(10, cash, wallet, 100n)]).results).toEqual(['ok']);
  });

  it('a chain failing on bad input fails as one, burning nothing', () => {
    const books = openBooks();
    const outcome = run(books, [linked(transfer(10, cash, wallet, 100n)), transfer(11, cash, wallet, 0n)]);
    expect(outcome.results).toEqual(['linked_event_failed', 'amount_must_not_be_zero']);
    expectNothingChanged(outcome, books);
  });

  it('a failed chain does not touch the events around it', () => {
    const outcome = run(openBooks(), [
      transfer(9, cash, wallet, 5n),
      linked(transfer(10, cash, wallet, 100n)),
      transfer(11, wallet, cash, 1000n),
      transfer(12, cash, wallet, 7n),
    ]);
    expect(outcome.results).toEqual(['ok', 'linked_event_failed', 'exceeds_credits', 'ok']);
    expect(balancesOf(outcome.after, wallet)).toMatchObject({ creditsPosted: 12n, debitsPosted: 0n });
    expect(outcome.changes.transfersCreated.map((created) => created.id)).toEqual([id(9), id(12)]);
  });

  it('a failed chain restores an account it closed and a hold it posted', () => {
    const books = runOk(fundedBooks(), [transfer(10, wallet, cash, 100n, { flags: TransferFlags.pending })]);
    const outcome = run(books, [
      linked({ id: id(11), pendingId: id(10), amount: 0n, flags: TransferFlags.postPendingTransfer }),
      linked(transfer(12, wallet, cash, 1n, { flags: TransferFlags.pending | TransferFlags.closingDebit })),
      transfer(13, cash, wallet, 0n),
    ]);
    expect(outcome.results).toEqual(['linked_event_failed', 'linked_event_failed', 'amount_must_not_be_zero']);
    expectNothingChanged(outcome, books);
    expect(transferOf(outcome.after, id(10)).pendingStatus).toBe('pending');
    expect(accountOf(outcome.after, wallet).flags & AccountFlags.closed).toBe(0);
  });

  it('a chain left open at the end of the batch fails with linked_event_chain_open', () => {
    const books = openBooks();
    const outcome = run(books, [
      transfer(9, cash, wallet, 5n),
      linked(transfer(10, cash, wallet, 100n)),
      linked(transfer(11, cash, wallet, 100n)),
    ]);
    expect(outcome.results).toEqual(['ok', 'linked_event_failed', 'linked_event_chain_open']);
    expect(outcome.changes.transfersCreated.map((created) => created.id)).toEqual([id(9)]);
    expect(outcome.changes.failures).toEqual([]);

    const alone = run(books, [linked(transfer(10, cash, wallet, 100n))]);
    expect(alone.results).toEqual(['linked_event_chain_open']);
    expectNothingChanged(alone, books);
  });

  it('a 16-bit flag set with a reserved bit still links: the chain fails on the reserved flag', () => {
    const books = openBooks();
    const allBits = 0xffff;
    const middle = run(books, [{ ...transfer(10, cash, wallet, 1n), flags: allBits }, transfer(11, cash, wallet, 1n)]);
    expect(middle.results).toEqual(['reserved_flag', 'linked_event_failed']);
    expectNothingChanged(middle, books);
    expect(run(books, [{ ...transfer(10, cash, wallet, 1n), flags: allBits }]).results).toEqual(['linked_event_chain_open']);
  });

  it('flags that are no 16-bit value link nothing: the event fails alone', () => {
    for (const flags of [-1, 2 ** 32 + TransferFlags.linked, 1.5]) {
      const outcome = run(openBooks(), [{ ...transfer(10, cash, wallet, 1n), flags }, transfer(11, cash, wallet, 1n)]);
      expect(outcome.results, String(flags)).toEqual(['reserved_flag', 'ok']);
    }
  });

  it('an exists inside a chain fails the chain', () => {
    const books = runOk(openBooks(), [transfer(10, cash, wallet, 100n)]);
    const outcome = run(books, [linked(transfer(11, cash, wallet, 1n)), transfer(10, cash, wallet, 100n)]);
    expect(outcome.results).toEqual(['linked_event_failed', 'exists']);
    expectNothingChanged(outcome, books);
  });
});

describe('overflow of the 64-bit balances', () => {
  const nearMax = amountMax - 10n;
  const fullBooks = (): LedgerSnapshot => runOk(openBooks(), [transfer(10, cash, audited, nearMax)]);

  it('refuses a transfer that would take posted debits or credits past 2^63-1', () => {
    const books = fullBooks();
    const cases: Array<[TransferEvent, CreateTransferResult]> = [
      [transfer(11, cash, wallet, 11n), 'overflows_debits_posted'],
      [transfer(11, loan, audited, 11n), 'overflows_credits_posted'],
      [transfer(11, cash, wallet, 11n, { flags: TransferFlags.pending }), 'overflows_debits'],
      [transfer(11, loan, audited, 11n, { flags: TransferFlags.pending }), 'overflows_credits'],
    ];
    for (const [event, expected] of cases) {
      const outcome = run(books, [event]);
      expect(outcome.results).toEqual([expected]);
      expectNothingChanged(outcome, books, [{ id: event.id, result: expected }]);
    }
    expect(run(books, [transfer(11, cash, wallet, 10n)]).results).toEqual(['ok']);
  });

  it('refuses a hold that would take pending debits or credits past 2^63-1', () => {
    const books = runOk(openBooks(), [transfer(10, loan, cash, nearMax, { flags: TransferFlags.pending })]);
    const debits = run(books, [transfer(11, loan, audited, 11n, { flags: TransferFlags.pending })]);
    expect(debits.results).toEqual(['overflows_debits_pending']);
    const credits = run(books, [transfer(11, audited, cash, 11n, { flags: TransferFlags.pending })]);
    expect(credits.results).toEqual(['overflows_credits_pending']);
  });
});

describe('timestamps and history', () => {
  it('gives every change a strictly increasing timestamp, never behind the clock, and none to a refusal', () => {
    const books = openBooks();
    const outcome = run(books, [
      transfer(10, cash, wallet, 1n),
      transfer(11, wallet, cash, 100n),
      transfer(12, cash, wallet, 1n),
    ]);
    const [first, second] = outcome.changes.transfersCreated;
    expect(first!.timestamp).toBe(t0);
    expect(second!.timestamp).toBe(t0 + 1n);
    expect(outcome.changes.lastTimestamp).toBe(t0 + 1n);
    // A clock that went backwards does not make timestamps go backwards.
    const later = run(outcome.after, [transfer(13, cash, wallet, 1n)], t0 - secondNs);
    expect(later.changes.transfersCreated[0]!.timestamp).toBe(t0 + 2n);
  });

  it('records a balance row after each change of an account with the history flag only', () => {
    const outcome = run(openBooks(), [
      transfer(10, cash, audited, 70n),
      transfer(11, audited, cash, 20n, { flags: TransferFlags.pending }),
      transfer(12, cash, wallet, 1n),
    ]);
    expect(outcome.changes.balances).toEqual([
      { accountId: audited, transferId: id(10), timestamp: t0, debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 70n },
      { accountId: audited, transferId: id(11), timestamp: t0 + 1n, debitsPending: 20n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 70n },
    ]);
  });
});

describe('accounts', () => {
  it('refuses reserved and out-of-range account flags', () => {
    for (const flags of [1 << 4, 1 << 8, AccountFlags.closed, 2 ** 32, 2 ** 32 + AccountFlags.history, -1, 0.5]) {
      const outcome = createAccounts(emptySnapshot(), [{ id: id(1), ledger: USD, code: 1, flags }], t0);
      expect(outcome.results, String(flags)).toEqual(['reserved_flag']);
      expect(outcome.changes.accountsCreated).toEqual([]);
    }
  });

  it('refuses both balance flags at once and an overdraft without a balance flag', () => {
    const both = AccountFlags.debitsMustNotExceedCredits | AccountFlags.creditsMustNotExceedDebits;
    expect(createAccounts(emptySnapshot(), [{ id: id(1), ledger: USD, code: 1, flags: both }], t0).results).toEqual(['flags_are_mutually_exclusive']);
    expect(createAccounts(emptySnapshot(), [{ id: id(1), ledger: USD, code: 1, overdraftLimit: 5n }], t0).results).toEqual([
      'overdraft_limit_requires_balance_flag',
    ]);
    expect(
      createAccounts(emptySnapshot(), [{ id: id(1), ledger: USD, code: 1, flags: AccountFlags.debitsMustNotExceedCredits, overdraftLimit: -5n }], t0).results,
    ).toEqual(['overdraft_limit_must_not_be_negative']);
  });
});
