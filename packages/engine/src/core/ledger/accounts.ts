import { idProblem, type Id128 } from '../ids';
import { amountMax } from '../money';
import { codeProblem, isU16, ledgerProblem, userData128Of, userDataProblem } from './fields';
import type { CreateAccountResult } from './results';
import { AccountFlags, accountFlagsKnown, hasFlag, type Account, type AccountEvent } from './types';
import { runLinkedBatch, WorkingLedger, type LedgerChanges, type LedgerSnapshot } from './working';

type Failure = Exclude<CreateAccountResult, 'ok' | 'linked_event_failed' | 'linked_event_chain_open'>;

export interface CreateAccountsOutcome {
  readonly results: readonly CreateAccountResult[];
  readonly changes: LedgerChanges;
}

/** Opens ledger accounts; pure, with the same linked-chain rules as transfers. */
export function createAccounts(
  snapshot: LedgerSnapshot,
  events: readonly AccountEvent[],
  nowNs: bigint,
): CreateAccountsOutcome {
  const working = new WorkingLedger(snapshot, nowNs);
  const results = runLinkedBatch<AccountEvent, Failure>(
    working,
    events,
    (event) => createAccount(working, event),
    () => undefined,
  );
  return { results, changes: working.changes() };
}

function createAccount(working: WorkingLedger, event: AccountEvent): Failure | 'ok' {
  const idIssue = idProblem(event.id);
  if (idIssue === 'malformed') return 'id_malformed';
  if (idIssue === 'zero') return 'id_must_not_be_zero';
  if (idIssue === 'int_max') return 'id_must_not_be_int_max';
  const flags = event.flags ?? 0;
  // `closed` is reached through a closing transfer, never set at creation.
  const creatable = accountFlagsKnown & ~AccountFlags.closed;
  // A range check first: bitwise operators see only the low 32 bits, so 2**32 would pass as 0.
  if (!isU16(flags) || (flags & ~creatable) !== 0) return 'reserved_flag';
  const existing = working.account(event.id);
  if (existing !== undefined) return compareExisting(existing, event, flags);
  const shapeIssue = shapeProblem(event, flags);
  if (shapeIssue !== undefined) return shapeIssue;
  working.putAccount(
    {
      id: event.id as Id128,
      ledger: event.ledger,
      code: event.code,
      flags,
      debitsPending: 0n,
      debitsPosted: 0n,
      creditsPending: 0n,
      creditsPosted: 0n,
      overdraftLimit: event.overdraftLimit ?? 0n,
      userData128: userData128Of(event.userData128),
      userData64: event.userData64 ?? 0n,
      userData32: event.userData32 ?? 0,
      timestamp: working.nextTimestamp(),
    },
    true,
  );
  return 'ok';
}

function shapeProblem(event: AccountEvent, flags: number): Failure | undefined {
  const debitBound = hasFlag(flags, AccountFlags.debitsMustNotExceedCredits);
  const creditBound = hasFlag(flags, AccountFlags.creditsMustNotExceedDebits);
  if (debitBound && creditBound) return 'flags_are_mutually_exclusive';
  const limit = event.overdraftLimit ?? 0n;
  if (typeof limit !== 'bigint' || limit < 0n) return 'overdraft_limit_must_not_be_negative';
  if (limit > amountMax) return 'overdraft_limit_overflows';
  if (limit !== 0n && !debitBound && !creditBound) return 'overdraft_limit_requires_balance_flag';
  if (userDataProblem(event)) return 'user_data_malformed';
  const ledger = ledgerProblem(event.ledger);
  if (ledger !== undefined) return ledger === 'zero' ? 'ledger_must_not_be_zero' : 'ledger_malformed';
  const code = codeProblem(event.code);
  if (code !== undefined) return code === 'zero' ? 'code_must_not_be_zero' : 'code_malformed';
  return undefined;
}

function compareExisting(existing: Account, event: AccountEvent, flags: number): Failure {
  // A closed account still answers `exists` to the event that opened it.
  if ((existing.flags & ~AccountFlags.closed) !== flags) return 'exists_with_different_flags';
  if (existing.overdraftLimit !== (event.overdraftLimit ?? 0n)) return 'exists_with_different_overdraft_limit';
  if (existing.userData128 !== userData128Of(event.userData128)) return 'exists_with_different_user_data_128';
  if (existing.userData64 !== (event.userData64 ?? 0n)) return 'exists_with_different_user_data_64';
  if (existing.userData32 !== (event.userData32 ?? 0)) return 'exists_with_different_user_data_32';
  if (existing.ledger !== event.ledger) return 'exists_with_different_ledger';
  if (existing.code !== event.code) return 'exists_with_different_code';
  return 'exists';
}
