import type { Id128 } from '../../core/ids';
import { AccountFlags, hasFlag, type Account, type CreateTransferResult, type TransferEvent } from '../../core/ledger';
import { availableBalance, postedBalance } from '../../core/ledger';
import { applyTransfers } from '../ledger';
import { ok, refuse, type CommandEnv, type Outcome } from '../command';

/** What a teller or customer sees when the ledger refuses: the ledger's own codes, named for people. */
const messages: Partial<Record<CreateTransferResult, string>> = {
  exceeds_credits: 'Insufficient funds: the account does not have enough available balance.',
  exceeds_debits: 'Not enough cash: the till or vault holds less than this amount. Ask for a vault transfer.',
  debit_account_already_closed: 'The account to be debited is closed.',
  credit_account_already_closed: 'The account to be credited is closed.',
  accounts_must_have_the_same_ledger: 'The accounts are in different currencies.',
  transfer_must_have_the_same_ledger_as_accounts: 'The amount is in a different currency from the accounts.',
  debit_account_not_found: 'The account to be debited does not exist.',
  credit_account_not_found: 'The account to be credited does not exist.',
  accounts_must_be_different: 'An account cannot pay itself.',
  id_already_failed: 'This transaction id was already refused once; start a new transaction.',
};

export type PostingRefusal =
  | 'insufficient_funds'
  | 'insufficient_cash'
  | 'account_closed'
  | 'transaction_id_reused'
  | Exclude<CreateTransferResult, 'ok' | 'exists' | 'exceeds_credits' | 'exceeds_debits'>;

export interface Posted {
  /** False when the transaction was already posted by an earlier call with the same ids. */
  readonly fresh: boolean;
}

/**
 * Posts ledger transfers for a banking command inside its transaction. A retry with the same ids
 * finds them posted and succeeds without moving money again (`fresh: false`).
 */
export async function post(env: CommandEnv, events: readonly TransferEvent[]): Promise<Outcome<Posted, PostingRefusal>> {
  const existing = await env.tx.ledger.transfers(events.map((event) => event.id));
  if (existing.length > 0) {
    // A retry: the same transaction (same accounts, amount, currency, purpose) is already posted.
    // When it happened (user data 64) may differ between a retry and the first attempt.
    const byId = new Map<string, (typeof existing)[number]>(existing.map((transfer) => [transfer.id, transfer]));
    const same = events.every((event) => {
      const found = byId.get(event.id);
      return found !== undefined && found.debitAccountId === event.debitAccountId && found.creditAccountId === event.creditAccountId &&
        found.amount === event.amount && found.ledger === event.ledger && found.code === event.code;
    });
    if (same) return ok({ fresh: false });
    return refuse('transaction_id_reused', 'This transaction id was already used for a different transaction; start a new transaction.');
  }
  const results = await applyTransfers(env.tx.ledger, events, env.nowNs);
  if (results.every((result) => result === 'ok')) return ok({ fresh: true });
  const failure = results.find((result) => result !== 'ok' && result !== 'exists' && result !== 'linked_event_failed') ?? results[0]!;
  return refuse(refusalCode(failure), messages[failure] ?? `The ledger refused the transaction: ${failure}.`);
}

function refusalCode(result: CreateTransferResult): PostingRefusal {
  switch (result) {
    case 'exceeds_credits':
      return 'insufficient_funds';
    case 'exceeds_debits':
      return 'insufficient_cash';
    case 'debit_account_already_closed':
    case 'credit_account_already_closed':
      return 'account_closed';
    case 'ok':
    case 'exists':
      return 'transaction_id_reused';
    default:
      return result.startsWith('exists_with_different') ? 'transaction_id_reused' : (result as PostingRefusal);
  }
}

export interface Balances {
  readonly posted: string;
  readonly available: string;
  readonly pending: string;
}

/** Balances of a ledger account as the wire carries them: strings of minor units. */
export function balancesOf(account: Account): Balances {
  const creditNormal = hasFlag(account.flags, AccountFlags.debitsMustNotExceedCredits);
  return {
    posted: postedBalance(account, creditNormal).toString(),
    available: availableBalance(account, creditNormal).toString(),
    pending: (creditNormal ? account.debitsPending : account.creditsPending).toString(),
  };
}

export async function ledgerAccount(env: CommandEnv, id: Id128): Promise<Account | undefined> {
  const [account] = await env.tx.ledger.accounts([id]);
  return account;
}
