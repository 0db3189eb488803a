import type { Account } from './types';

/** Posted balance from the account's own side: credit-normal accounts count credits as positive. */
export function postedBalance(account: Pick<Account, 'debitsPosted' | 'creditsPosted'>, creditNormal: boolean): bigint {
  return creditNormal ? account.creditsPosted - account.debitsPosted : account.debitsPosted - account.creditsPosted;
}

/** What the holder can still use: posted balance less amounts held by pending transfers, plus any agreed overdraft. */
export function availableBalance(
  account: Pick<Account, 'debitsPosted' | 'creditsPosted' | 'debitsPending' | 'creditsPending' | 'overdraftLimit'>,
  creditNormal: boolean,
): bigint {
  return creditNormal
    ? account.creditsPosted - account.debitsPosted - account.debitsPending + account.overdraftLimit
    : account.debitsPosted - account.creditsPosted - account.creditsPending + account.overdraftLimit;
}

/** Σdebits − Σcredits over a set of accounts (posted and pending separately); zero for a whole ledger. */
export function ledgerImbalance(accounts: Iterable<Account>): { posted: bigint; pending: bigint } {
  let posted = 0n;
  let pending = 0n;
  for (const account of accounts) {
    posted += account.debitsPosted - account.creditsPosted;
    pending += account.debitsPending - account.creditsPending;
  }
  return { posted, pending };
}
