import { idProblem, type Id128 } from '../ids';
import { amountMax } from '../money';
import { codeProblem, isU16, isU32, ledgerProblem, optionalId, userData128Of, userDataProblem } from './fields';
import { isTransientTransferResult, type CreateTransferResult } from './results';
import {
  AccountFlags,
  TransferFlags,
  hasFlag,
  nanosecondsPerSecond,
  transferFlagsKnown,
  type Account,
  type Transfer,
  type TransferEvent,
} from './types';
import { runLinkedBatch, WorkingLedger, type LedgerChanges, type LedgerSnapshot } from './working';

type Failure = Exclude<CreateTransferResult, 'ok' | 'linked_event_failed' | 'linked_event_chain_open'>;
type Outcome = Failure | 'ok';

export interface CreateTransfersOutcome {
  readonly results: readonly CreateTransferResult[];
  readonly changes: LedgerChanges;
}

/**
 * Applies a batch of transfers to the books in `snapshot`, as of `nowNs`. Pure: the outcome is a
 * function of its arguments. Pending transfers whose timeout has passed are expired first.
 */
export function createTransfers(
  snapshot: LedgerSnapshot,
  events: readonly TransferEvent[],
  nowNs: bigint,
): CreateTransfersOutcome {
  const working = new WorkingLedger(snapshot, nowNs);
  expireDuePendings(working, snapshot.transfers.values());
  const results = runLinkedBatch<TransferEvent, Failure>(
    working,
    events,
    (event) => createTransfer(working, event),
    (event, result) => {
      if (isTransientTransferResult(result)) working.recordFailure(event.id as Id128, result);
    },
  );
  return { results, changes: working.changes() };
}

/**
 * Voids every loaded pending transfer whose timeout has passed, releasing its pending amounts.
 * They expire in the order of their deadlines (then of their creation), never in the order the
 * storage happened to load them, so history rows do not depend on what else the batch touched.
 */
export function expireDuePendings(working: WorkingLedger, candidates: Iterable<Transfer>): void {
  const due: Transfer[] = [];
  for (const candidate of candidates) {
    const pending = working.transfer(candidate.id);
    if (pending === undefined || pending.pendingStatus !== 'pending') continue;
    if (pending.expiresAt === 0n || pending.expiresAt > working.nowNs) continue;
    due.push(pending);
  }
  due.sort(byDeadline);
  for (const pending of due) expire(working, pending);
}

function byDeadline(a: Transfer, b: Transfer): number {
  if (a.expiresAt !== b.expiresAt) return a.expiresAt < b.expiresAt ? -1 : 1;
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function expire(working: WorkingLedger, pending: Transfer): void {
  const timestamp = working.nextTimestamp();
  const debit = working.account(pending.debitAccountId)!;
  const releasedDebit = reopenIf(
    { ...debit, debitsPending: debit.debitsPending - pending.amount },
    hasFlag(pending.flags, TransferFlags.closingDebit),
  );
  working.putAccount(releasedDebit);
  const credit = working.account(pending.creditAccountId)!;
  const releasedCredit = reopenIf(
    { ...credit, creditsPending: credit.creditsPending - pending.amount },
    hasFlag(pending.flags, TransferFlags.closingCredit),
  );
  working.putAccount(releasedCredit);
  working.putTransfer({ ...pending, pendingStatus: 'expired' });
  working.recordBalance(releasedDebit, pending.id, timestamp);
  working.recordBalance(releasedCredit, pending.id, timestamp);
}

function reopenIf(account: Account, reopen: boolean): Account {
  return reopen ? { ...account, flags: account.flags & ~AccountFlags.closed } : account;
}

function createTransfer(working: WorkingLedger, event: TransferEvent): Outcome {
  const idIssue = idProblem(event.id);
  if (idIssue !== undefined) return `id_${idIssue === 'malformed' ? 'malformed' : idIssue === 'zero' ? 'must_not_be_zero' : 'must_not_be_int_max'}`;
  const flags = event.flags ?? 0;
  // Flags are 16 bits: bitwise operators see only the low 32 bits of a number, so a range check
  // first keeps 2**32 (which `& ~known` reads as 0) from passing as "no flags".
  if (!isU16(flags) || (flags & ~transferFlagsKnown) !== 0) return 'reserved_flag';
  const existing = working.transfer(event.id);
  if (existing !== undefined) return compareExisting(existing, event, flags);
  if (working.failure(event.id) !== undefined) return 'id_already_failed';
  if (flagsConflict(flags)) return 'flags_are_mutually_exclusive';
  const isPostOrVoid = hasFlag(flags, TransferFlags.postPendingTransfer | TransferFlags.voidPendingTransfer);
  return isPostOrVoid ? postOrVoid(working, event, flags) : createSingle(working, event, flags);
}

function flagsConflict(flags: number): boolean {
  const pending = hasFlag(flags, TransferFlags.pending);
  const post = hasFlag(flags, TransferFlags.postPendingTransfer);
  const voiding = hasFlag(flags, TransferFlags.voidPendingTransfer);
  if (Number(pending) + Number(post) + Number(voiding) > 1) return true;
  const shaping =
    TransferFlags.balancingDebit | TransferFlags.balancingCredit | TransferFlags.closingDebit | TransferFlags.closingCredit;
  return (post || voiding) && hasFlag(flags, shaping);
}

function accountIdIssue(side: 'debit' | 'credit', value: string | undefined): Failure | undefined {
  const problem = idProblem(value);
  if (problem === undefined) return undefined;
  if (problem === 'malformed' && value === undefined) return `${side}_account_id_must_not_be_zero`;
  return `${side}_account_id_${problem === 'malformed' ? 'malformed' : problem === 'zero' ? 'must_not_be_zero' : 'must_not_be_int_max'}`;
}

function amountIssue(amount: unknown, zeroAllowed: boolean): Failure | undefined {
  if (typeof amount !== 'bigint') return 'amount_must_not_be_zero';
  if (amount < 0n) return 'amount_must_not_be_negative';
  if (amount === 0n && !zeroAllowed) return 'amount_must_not_be_zero';
  if (amount > amountMax) return 'amount_overflows';
  return undefined;
}

function ledgerAndCodeIssue(event: TransferEvent, zeroAllowed: boolean): Failure | undefined {
  if (userDataProblem(event)) return 'user_data_malformed';
  const ledger = ledgerProblem(event.ledger ?? 0);
  if (ledger === 'zero' && !zeroAllowed) return 'ledger_must_not_be_zero';
  if (ledger === 'malformed') return 'ledger_malformed';
  const code = codeProblem(event.code ?? 0);
  if (code === 'zero' && !zeroAllowed) return 'code_must_not_be_zero';
  if (code === 'malformed') return 'code_malformed';
  return undefined;
}

function createSingle(working: WorkingLedger, event: TransferEvent, flags: number): Outcome {
  const shapeIssue =
    accountIdIssue('debit', event.debitAccountId) ??
    accountIdIssue('credit', event.creditAccountId) ??
    (event.debitAccountId === event.creditAccountId ? 'accounts_must_be_different' : undefined) ??
    (optionalId(event.pendingId) !== null ? 'pending_id_must_be_zero' : undefined) ??
    timeoutIssue(event.timeout, hasFlag(flags, TransferFlags.pending)) ??
    (hasFlag(flags, TransferFlags.closingDebit | TransferFlags.closingCredit) && !hasFlag(flags, TransferFlags.pending)
      ? 'closing_transfer_must_be_pending'
      : undefined) ??
    // A closing transfer may carry no amount: it exists to close the account (TigerBeetle's way).
    amountIssue(event.amount, hasFlag(flags, TransferFlags.closingDebit | TransferFlags.closingCredit)) ??
    ledgerAndCodeIssue(event, false);
  if (shapeIssue !== undefined) return shapeIssue;

  const debit = working.account(event.debitAccountId!);
  if (debit === undefined) return 'debit_account_not_found';
  const credit = working.account(event.creditAccountId!);
  if (credit === undefined) return 'credit_account_not_found';
  if (debit.ledger !== credit.ledger) return 'accounts_must_have_the_same_ledger';
  if (event.ledger !== debit.ledger) return 'transfer_must_have_the_same_ledger_as_accounts';
  if (hasFlag(debit.flags, AccountFlags.closed)) return 'debit_account_already_closed';
  if (hasFlag(credit.flags, AccountFlags.closed)) return 'credit_account_already_closed';

  const amount = balancedAmount(debit, credit, event.amount, flags);
  const pending = hasFlag(flags, TransferFlags.pending);
  const timeout = event.timeout ?? 0;
  // The expiry is computed from the timestamp this transfer will get, but the timestamp is taken
  // only once every check has passed: a refused transfer leaves the clock of the books alone.
  const expiresAt = timeout === 0 ? 0n : working.peekTimestamp() + BigInt(timeout) * nanosecondsPerSecond;
  const balanceIssue =
    overflowIssue(debit, credit, amount, pending) ??
    (expiresAt > amountMax ? 'overflows_timeout' : undefined) ??
    limitIssue(debit, credit, amount);
  if (balanceIssue !== undefined) return balanceIssue;
  const timestamp = working.nextTimestamp();

  const debitAfter: Account = pending
    ? { ...debit, debitsPending: debit.debitsPending + amount }
    : { ...debit, debitsPosted: debit.debitsPosted + amount };
  working.putAccount(closeIf(debitAfter, hasFlag(flags, TransferFlags.closingDebit)));
  const creditNow = working.account(credit.id)!;
  const creditAfter: Account = pending
    ? { ...creditNow, creditsPending: creditNow.creditsPending + amount }
    : { ...creditNow, creditsPosted: creditNow.creditsPosted + amount };
  working.putAccount(closeIf(creditAfter, hasFlag(flags, TransferFlags.closingCredit)));
  working.putTransfer(
    {
      id: event.id as Id128,
      debitAccountId: debit.id,
      creditAccountId: credit.id,
      amount,
      pendingId: null,
      userData128: userData128Of(event.userData128),
      userData64: event.userData64 ?? 0n,
      userData32: event.userData32 ?? 0,
      timeout,
      ledger: debit.ledger,
      code: event.code!,
      flags,
      timestamp,
      pendingStatus: pending ? 'pending' : 'none',
      expiresAt,
    },
    true,
  );
  working.recordBalance(working.account(debit.id)!, event.id as Id128, timestamp);
  working.recordBalance(working.account(credit.id)!, event.id as Id128, timestamp);
  return 'ok';
}

function closeIf(account: Account, close: boolean): Account {
  return close ? { ...account, flags: account.flags | AccountFlags.closed } : account;
}

function timeoutIssue(timeout: number | undefined, pending: boolean): Failure | undefined {
  if (timeout === undefined || timeout === 0) return undefined;
  if (!pending) return 'timeout_reserved_for_pending_transfer';
  return isU32(timeout) ? undefined : 'timeout_malformed';
}

/**
 * What the debit side may still take: its credits less everything debited, plus the agreed
 * overdraft only when the overdraft belongs to this side (the account bounds its debits).
 */
function debitRoom(account: Account): bigint {
  const overdraft = hasFlag(account.flags, AccountFlags.debitsMustNotExceedCredits) ? account.overdraftLimit : 0n;
  return account.creditsPosted + overdraft - account.debitsPosted - account.debitsPending;
}

/** The mirror of debitRoom: the overdraft counts only when the account bounds its credits. */
function creditRoom(account: Account): bigint {
  const overdraft = hasFlag(account.flags, AccountFlags.creditsMustNotExceedDebits) ? account.overdraftLimit : 0n;
  return account.debitsPosted + overdraft - account.creditsPosted - account.creditsPending;
}

/** Balancing transfers move at most what the account has available; never a negative amount. */
function balancedAmount(debit: Account, credit: Account, requested: bigint, flags: number): bigint {
  let amount = requested;
  if (hasFlag(flags, TransferFlags.balancingDebit)) amount = minZero(amount, debitRoom(debit));
  if (hasFlag(flags, TransferFlags.balancingCredit)) amount = minZero(amount, creditRoom(credit));
  return amount;
}

function minZero(a: bigint, b: bigint): bigint {
  const smaller = a < b ? a : b;
  return smaller < 0n ? 0n : smaller;
}

function overflowIssue(debit: Account, credit: Account, amount: bigint, pending: boolean): Failure | undefined {
  if (pending && debit.debitsPending + amount > amountMax) return 'overflows_debits_pending';
  if (pending && credit.creditsPending + amount > amountMax) return 'overflows_credits_pending';
  if (!pending && debit.debitsPosted + amount > amountMax) return 'overflows_debits_posted';
  if (!pending && credit.creditsPosted + amount > amountMax) return 'overflows_credits_posted';
  if (debit.debitsPending + debit.debitsPosted + amount > amountMax) return 'overflows_debits';
  if (credit.creditsPending + credit.creditsPosted + amount > amountMax) return 'overflows_credits';
  return undefined;
}

function limitIssue(debit: Account, credit: Account, amount: bigint): Failure | undefined {
  if (hasFlag(debit.flags, AccountFlags.debitsMustNotExceedCredits) && amount > debitRoom(debit)) {
    return 'exceeds_credits';
  }
  if (hasFlag(credit.flags, AccountFlags.creditsMustNotExceedDebits) && amount > creditRoom(credit)) {
    return 'exceeds_debits';
  }
  return undefined;
}

function postOrVoid(working: WorkingLedger, event: TransferEvent, flags: number): Outcome {
  const posting = hasFlag(flags, TransferFlags.postPendingTransfer);
  const pendingIdIssue = idProblem(event.pendingId);
  const shapeIssue =
    optionalAccountIdIssue('debit', event.debitAccountId) ??
    optionalAccountIdIssue('credit', event.creditAccountId) ??
    (optionalId(event.debitAccountId) !== null && event.debitAccountId === event.creditAccountId
      ? 'accounts_must_be_different'
      : undefined) ??
    (pendingIdIssue === 'malformed' && event.pendingId !== undefined ? 'pending_id_malformed' : undefined) ??
    (pendingIdIssue === 'zero' || event.pendingId === undefined ? 'pending_id_must_not_be_zero' : undefined) ??
    (pendingIdIssue === 'int_max' ? 'pending_id_must_not_be_int_max' : undefined) ??
    (event.pendingId === event.id ? 'pending_id_must_be_different' : undefined) ??
    ((event.timeout ?? 0) !== 0 ? 'timeout_reserved_for_pending_transfer' : undefined) ??
    amountIssue(event.amount, true) ??
    ledgerAndCodeIssue(event, true);
  if (shapeIssue !== undefined) return shapeIssue;

  const pending = working.transfer(event.pendingId!);
  if (pending === undefined) return 'pending_transfer_not_found';
  const mismatch = pendingMismatch(pending, event);
  if (mismatch !== undefined) return mismatch;
  const amount = posting ? (event.amount === 0n ? pending.amount : event.amount) : pending.amount;
  if (amount > pending.amount || (!posting && event.amount > pending.amount)) return 'exceeds_pending_transfer_amount';
  if (!posting && event.amount !== 0n && event.amount !== pending.amount) return 'pending_transfer_has_different_amount';
  const statusIssue = pendingStatusIssue(pending, working.nowNs);
  if (statusIssue !== undefined) return statusIssue;

  const debit = working.account(pending.debitAccountId)!;
  const credit = working.account(pending.creditAccountId)!;
  if (posting) {
    const closedIssue = closedForPosting(debit, credit, pending);
    if (closedIssue !== undefined) return closedIssue;
    if (debit.debitsPosted + amount > amountMax) return 'overflows_debits_posted';
    if (credit.creditsPosted + amount > amountMax) return 'overflows_credits_posted';
  }
  applyPostOrVoid(working, event, flags, pending, amount, posting);
  return 'ok';
}

function optionalAccountIdIssue(side: 'debit' | 'credit', value: string | undefined): Failure | undefined {
  if (optionalId(value) === null && (value === undefined || idProblem(value) === 'zero')) return undefined;
  return accountIdIssue(side, value);
}

function pendingMismatch(pending: Transfer, event: TransferEvent): Failure | undefined {
  if (pending.pendingStatus === 'none') return 'pending_transfer_not_pending';
  const debit = optionalId(event.debitAccountId);
  if (debit !== null && debit !== pending.debitAccountId) return 'pending_transfer_has_different_debit_account_id';
  const credit = optionalId(event.creditAccountId);
  if (credit !== null && credit !== pending.creditAccountId) return 'pending_transfer_has_different_credit_account_id';
  if ((event.ledger ?? 0) !== 0 && event.ledger !== pending.ledger) return 'pending_transfer_has_different_ledger';
  if ((event.code ?? 0) !== 0 && event.code !== pending.code) return 'pending_transfer_has_different_code';
  return undefined;
}

function pendingStatusIssue(pending: Transfer, nowNs: bigint): Failure | undefined {
  switch (pending.pendingStatus) {
    case 'posted':
      return 'pending_transfer_already_posted';
    case 'voided':
      return 'pending_transfer_already_voided';
    case 'expired':
      return 'pending_transfer_expired';
    case 'pending':
      return pending.expiresAt !== 0n && pending.expiresAt <= nowNs ? 'pending_transfer_expired' : undefined;
    case 'none':
      return 'pending_transfer_not_pending';
  }
}

/** A closing pending transfer may be posted (the account stays closed); others may not touch a closed account. */
function closedForPosting(debit: Account, credit: Account, pending: Transfer): Failure | undefined {
  const debitClosedByThis = hasFlag(pending.flags, TransferFlags.closingDebit);
  const creditClosedByThis = hasFlag(pending.flags, TransferFlags.closingCredit);
  if (hasFlag(debit.flags, AccountFlags.closed) && !debitClosedByThis) return 'debit_account_already_closed';
  if (hasFlag(credit.flags, AccountFlags.closed) && !creditClosedByThis) return 'credit_account_already_closed';
  return undefined;
}

function applyPostOrVoid(
  working: WorkingLedger,
  event: TransferEvent,
  flags: number,
  pending: Transfer,
  amount: bigint,
  posting: boolean,
): void {
  const timestamp = working.nextTimestamp();
  const debit = working.account(pending.debitAccountId)!;
  const debitAfter: Account = {
    ...debit,
    debitsPending: debit.debitsPending - pending.amount,
    debitsPosted: posting ? debit.debitsPosted + amount : debit.debitsPosted,
  };
  working.putAccount(reopenIf(debitAfter, !posting && hasFlag(pending.flags, TransferFlags.closingDebit)));
  const credit = working.account(pending.creditAccountId)!;
  const creditAfter: Account = {
    ...credit,
    creditsPending: credit.creditsPending - pending.amount,
    creditsPosted: posting ? credit.creditsPosted + amount : credit.creditsPosted,
  };
  working.putAccount(reopenIf(creditAfter, !posting && hasFlag(pending.flags, TransferFlags.closingCredit)));
  working.putTransfer({ ...pending, pendingStatus: posting ? 'posted' : 'voided' });
  working.putTransfer(
    {
      id: event.id as Id128,
      debitAccountId: pending.debitAccountId,
      creditAccountId: pending.creditAccountId,
      amount,
      pendingId: pending.id,
      userData128: userData128Of(event.userData128) ?? pending.userData128,
      userData64: event.userData64 ?? pending.userData64,
      userData32: event.userData32 ?? pending.userData32,
      timeout: 0,
      ledger: pending.ledger,
      code: pending.code,
      flags,
      timestamp,
      pendingStatus: 'none',
      expiresAt: 0n,
    },
    true,
  );
  working.recordBalance(working.account(pending.debitAccountId)!, event.id as Id128, timestamp);
  working.recordBalance(working.account(pending.creditAccountId)!, event.id as Id128, timestamp);
}

/**
 * A retried event matches what was stored: the same id with different content is refused.
 * Post and void events may leave accounts, ledger, code and user data out (they inherit them
 * from the pending transfer), so for those an absent field matches whatever was inherited.
 */
function compareExisting(existing: Transfer, event: TransferEvent, flags: number): Failure {
  const derived = existing.pendingId !== null;
  const same = <T>(given: T | undefined, stored: T, absent: T): boolean =>
    given === undefined || given === absent ? derived || stored === absent : stored === given;
  if (existing.flags !== flags) return 'exists_with_different_flags';
  if (existing.pendingId !== optionalId(event.pendingId)) return 'exists_with_different_pending_id';
  if (existing.timeout !== (event.timeout ?? 0)) return 'exists_with_different_timeout';
  if (!same<string | null>(optionalId(event.debitAccountId), existing.debitAccountId, null)) {
    return 'exists_with_different_debit_account_id';
  }
  if (!same<string | null>(optionalId(event.creditAccountId), existing.creditAccountId, null)) {
    return 'exists_with_different_credit_account_id';
  }
  if (!amountMatches(existing, event.amount, flags)) return 'exists_with_different_amount';
  if (!same<string | null>(userData128Of(event.userData128), existing.userData128, null)) {
    return 'exists_with_different_user_data_128';
  }
  if (!same(event.userData64, existing.userData64, 0n)) return 'exists_with_different_user_data_64';
  if (!same(event.userData32, existing.userData32, 0)) return 'exists_with_different_user_data_32';
  if (!same(event.ledger, existing.ledger, 0)) return 'exists_with_different_ledger';
  if (!same(event.code, existing.code, 0)) return 'exists_with_different_code';
  return 'exists';
}

function amountMatches(existing: Transfer, requested: bigint, flags: number): boolean {
  if (hasFlag(flags, TransferFlags.balancingDebit | TransferFlags.balancingCredit)) return requested >= existing.amount;
  if (hasFlag(flags, TransferFlags.postPendingTransfer | TransferFlags.voidPendingTransfer) && requested === 0n) return true;
  return existing.amount === requested;
}

export { WorkingLedger };
