/**
 * Stand-in limits: how much a branch may pay out while it cannot reach the server, issued by the
 * server as signed policy. Over a limit, the workstation refuses (or holds for approval).
 */
export interface StandInPolicy {
  readonly branchId: string;
  readonly currency: string;
  readonly perTransactionMinor: bigint;
  readonly perCustomerPerDayMinor: bigint;
  readonly perTellerPerDayMinor: bigint;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  readonly version: number;
}

/** A payout made offline and not yet confirmed by the server. */
export interface OfflinePayout {
  readonly customerId: string;
  readonly tellerId: string;
  readonly amountMinor: bigint;
  readonly atMs: number;
}

export type StandInRefusal = 'policy_missing' | 'policy_expired' | 'exceeds_stand_in_limit';

export type StandInDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: StandInRefusal; readonly limit: 'per_transaction' | 'per_customer_per_day' | 'per_teller_per_day' | null; readonly message: string };

const dayMs = 24 * 60 * 60 * 1000;

function sameUtcDay(a: number, b: number): boolean {
  return Math.floor(a / dayMs) === Math.floor(b / dayMs);
}

export function checkStandIn(
  policy: StandInPolicy | undefined,
  unconfirmed: readonly OfflinePayout[],
  candidate: OfflinePayout,
  currency: string,
): StandInDecision {
  if (policy === undefined || policy.currency !== currency) {
    return { ok: false, code: 'policy_missing', limit: null, message: `No stand-in policy for ${currency}: offline payouts need one from the server.` };
  }
  if (candidate.atMs >= policy.expiresAtMs) {
    return { ok: false, code: 'policy_expired', limit: null, message: 'The stand-in policy has expired; payouts wait until the server is reachable.' };
  }
  if (candidate.amountMinor > policy.perTransactionMinor) {
    return over('per_transaction', 'This payout is over the offline limit for one transaction.');
  }
  const today = unconfirmed.filter((payout) => sameUtcDay(payout.atMs, candidate.atMs));
  const customerTotal = today.filter((p) => p.customerId === candidate.customerId).reduce((sum, p) => sum + p.amountMinor, 0n);
  if (customerTotal + candidate.amountMinor > policy.perCustomerPerDayMinor) {
    return over('per_customer_per_day', "This payout would take the customer over today's offline limit.");
  }
  const tellerTotal = today.filter((p) => p.tellerId === candidate.tellerId).reduce((sum, p) => sum + p.amountMinor, 0n);
  if (tellerTotal + candidate.amountMinor > policy.perTellerPerDayMinor) {
    return over('per_teller_per_day', "This payout would take you over today's offline limit.");
  }
  return { ok: true };
}

function over(limit: 'per_transaction' | 'per_customer_per_day' | 'per_teller_per_day', message: string): StandInDecision {
  return { ok: false, code: 'exceeds_stand_in_limit', limit, message: `${message} A head teller can approve it, or wait until the branch is back online.` };
}
