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

/** What was already paid out offline today (counter time, UTC day), by this teller and to this customer. */
export interface OfflinePayoutsToday {
  readonly tellerMinor: bigint;
  readonly customerMinor: bigint;
}

export interface OfflinePayout {
  readonly amountMinor: bigint;
  /** When it happened at the counter. */
  readonly atMs: number;
}

export type StandInRefusal = 'policy_missing' | 'policy_expired' | 'exceeds_stand_in_limit';
export type StandInLimit = 'per_transaction' | 'per_customer_per_day' | 'per_teller_per_day';

export type StandInDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: StandInRefusal; readonly limit: StandInLimit | null; readonly message: string };

const dayMs = 24 * 60 * 60 * 1000;

/** The business day of a moment, YYYY-MM-DD in UTC: tallies and stand-in limits count per day. */
export function businessDay(atMs: number): string {
  return new Date(Math.floor(atMs / dayMs) * dayMs).toISOString().slice(0, 10);
}

/**
 * Whether a payout fits the stand-in policy in force when it happened, given what was already
 * paid out offline that day. The workstation checks it at the counter with its own tallies; the
 * server checks it again on replay with its own, so a copied key cannot widen the bounds.
 */
export function checkStandIn(policy: StandInPolicy | undefined, today: OfflinePayoutsToday, candidate: OfflinePayout, currency: string): StandInDecision {
  if (policy === undefined || policy.currency !== currency || candidate.atMs < policy.issuedAtMs) {
    return { ok: false, code: 'policy_missing', limit: null, message: `No stand-in policy for ${currency}: offline payouts need one from the server.` };
  }
  if (candidate.atMs >= policy.expiresAtMs) {
    return { ok: false, code: 'policy_expired', limit: null, message: 'The stand-in policy has expired; payouts wait until the server is reachable.' };
  }
  if (candidate.amountMinor > policy.perTransactionMinor) return over('per_transaction', 'This payout is over the offline limit for one transaction.');
  if (today.customerMinor + candidate.amountMinor > policy.perCustomerPerDayMinor) {
    return over('per_customer_per_day', "This payout would take the customer over today's offline limit.");
  }
  if (today.tellerMinor + candidate.amountMinor > policy.perTellerPerDayMinor) {
    return over('per_teller_per_day', "This payout would take you over today's offline limit.");
  }
  return { ok: true };
}

function over(limit: StandInLimit, message: string): StandInDecision {
  return { ok: false, code: 'exceeds_stand_in_limit', limit, message: `${message} A head teller can approve it, or wait until the branch is back online.` };
}
