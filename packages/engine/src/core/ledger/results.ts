/**
 * Result codes, in the order they are checked: when an event breaks several rules, the first
 * one listed is the one reported, so a result is a function of the event and the state alone.
 */
export const createTransferResults = [
  'ok',
  'linked_event_failed',
  'linked_event_chain_open',
  'id_malformed',
  'id_must_not_be_zero',
  'id_must_not_be_int_max',
  'reserved_flag',
  'exists_with_different_flags',
  'exists_with_different_pending_id',
  'exists_with_different_timeout',
  'exists_with_different_debit_account_id',
  'exists_with_different_credit_account_id',
  'exists_with_different_amount',
  'exists_with_different_user_data_128',
  'exists_with_different_user_data_64',
  'exists_with_different_user_data_32',
  'exists_with_different_ledger',
  'exists_with_different_code',
  'exists',
  'id_already_failed',
  'flags_are_mutually_exclusive',
  'debit_account_id_malformed',
  'debit_account_id_must_not_be_zero',
  'debit_account_id_must_not_be_int_max',
  'credit_account_id_malformed',
  'credit_account_id_must_not_be_zero',
  'credit_account_id_must_not_be_int_max',
  'accounts_must_be_different',
  'pending_id_must_be_zero',
  'pending_id_malformed',
  'pending_id_must_not_be_zero',
  'pending_id_must_not_be_int_max',
  'pending_id_must_be_different',
  'timeout_reserved_for_pending_transfer',
  'timeout_malformed',
  'closing_transfer_must_be_pending',
  'amount_must_not_be_negative',
  'amount_must_not_be_zero',
  'amount_overflows',
  'user_data_malformed',
  'ledger_must_not_be_zero',
  'ledger_malformed',
  'code_must_not_be_zero',
  'code_malformed',
  // From here on the result depends on the books, not on the event alone: the id is
  // remembered as failed, so a retry with the same id cannot succeed later by accident.
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
] as const;

export type CreateTransferResult = (typeof createTransferResults)[number];

const firstTransient = createTransferResults.indexOf('debit_account_not_found');
const transferOrder = new Map<string, number>(createTransferResults.map((code, index) => [code, index]));

/** A failure that depends on the state of the books: its id is burned. */
export function isTransientTransferResult(code: CreateTransferResult): boolean {
  return (transferOrder.get(code) ?? 0) >= firstTransient;
}

export const createAccountResults = [
  'ok',
  'linked_event_failed',
  'linked_event_chain_open',
  'id_malformed',
  'id_must_not_be_zero',
  'id_must_not_be_int_max',
  'reserved_flag',
  'exists_with_different_flags',
  'exists_with_different_overdraft_limit',
  'exists_with_different_user_data_128',
  'exists_with_different_user_data_64',
  'exists_with_different_user_data_32',
  'exists_with_different_ledger',
  'exists_with_different_code',
  'exists',
  'flags_are_mutually_exclusive',
  'overdraft_limit_must_not_be_negative',
  'overdraft_limit_overflows',
  'overdraft_limit_requires_balance_flag',
  'user_data_malformed',
  'ledger_must_not_be_zero',
  'ledger_malformed',
  'code_must_not_be_zero',
  'code_malformed',
] as const;

export type CreateAccountResult = (typeof createAccountResults)[number];

export interface EventResult<R extends string> {
  readonly index: number;
  readonly result: R;
}
