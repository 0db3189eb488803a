import { assert } from '../assert';
import type { KycStatus, RiskRating } from '../banking/types';
import { currencyByCode } from '../currencies';
import type { CbdcPolicy, CbdcTier } from './types';

/**
 * The rules of a retail CBDC wallet, pure: which tier a customer is in, what that tier may hold, and
 * how an amount splits between the wallet and its linked deposit account — the waterfall (what an
 * incoming payment brings above the holding limit goes to the deposit account) and the reverse
 * waterfall (what a payment needs beyond the wallet's balance comes from it). All bigint minor units.
 */

/** CBDC ledgers sit this far above the currency's ISO numeric code (the fiat ledger): EUR 978 → 1,000,978. */
export const cbdcLedgerOffset = 1_000_000;

/** The CBDC ledger of a currency: separate from the fiat one, so each sums to zero on its own. */
export function cbdcLedgerOf(currency: string): number {
  const found = currencyByCode(currency);
  assert(found !== undefined, `cbdcLedgerOf: ${currency} is no ISO 4217 currency`);
  return found.numeric + cbdcLedgerOffset;
}

/** The fiat ledger of a currency (its ISO numeric code, as everywhere in the books). */
export function fiatLedgerOf(currency: string): number {
  const found = currencyByCode(currency);
  assert(found !== undefined, `fiatLedgerOf: ${currency} is no ISO 4217 currency`);
  return found.numeric;
}

/**
 * A customer's tier: verified with low or medium risk holds the standard amount; verified with high
 * risk a reduced one (enhanced due diligence, less exposure); anyone not verified holds none.
 */
export function tierOf(customer: { readonly kycStatus: KycStatus; readonly riskRating: RiskRating }): CbdcTier {
  switch (customer.kycStatus) {
    case 'verified':
      switch (customer.riskRating) {
        case 'low':
        case 'medium':
          return 'standard';
        case 'high':
          return 'reduced';
        default:
          return unknownValue(customer.riskRating);
      }
    case 'pending':
    case 'rejected':
      return 'none';
    default:
      return unknownValue(customer.kycStatus);
  }
}

/** The holding limit of a tier under the published sheet; zero for `none`. */
export function holdingLimitOf(policy: Pick<CbdcPolicy, 'standardLimitMinor' | 'reducedLimitMinor'>, tier: CbdcTier): bigint {
  switch (tier) {
    case 'standard':
      return policy.standardLimitMinor;
    case 'reduced':
      return policy.reducedLimitMinor;
    case 'none':
      return 0n;
    default:
      return unknownValue(tier);
  }
}

export type PolicyProblem = 'reduced_limit_above_standard' | 'limit_negative';

/** A sheet makes sense: no negative limit, and the reduced tier never holds more than the standard one. */
export function policyProblem(policy: Pick<CbdcPolicy, 'standardLimitMinor' | 'reducedLimitMinor'>): PolicyProblem | null {
  if (policy.standardLimitMinor < 0n || policy.reducedLimitMinor < 0n) return 'limit_negative';
  if (policy.reducedLimitMinor > policy.standardLimitMinor) return 'reduced_limit_above_standard';
  return null;
}

export interface IncomingSplit {
  readonly toWallet: bigint;
  readonly toLinked: bigint;
}

/**
 * The waterfall: an incoming amount fills the wallet up to its limit and the rest goes to the
 * linked deposit account. A wallet already above its limit (the limit was lowered) takes nothing:
 * a lowered limit blocks further incoming money and sweeps nothing retroactively.
 */
export function splitIncoming(balance: bigint, limit: bigint, amount: bigint): IncomingSplit {
  assert(balance >= 0n && limit >= 0n && amount >= 0n, 'splitIncoming: balances, limits and amounts are never negative');
  const room = limit > balance ? limit - balance : 0n;
  const toWallet = amount < room ? amount : room;
  return { toWallet, toLinked: amount - toWallet };
}

export type PaymentSplit = { readonly ok: true; readonly fromWallet: bigint; readonly fromLinked: bigint } | { readonly ok: false; readonly code: 'insufficient_funds'; readonly shortMinor: bigint };

/**
 * The reverse waterfall: a payment is taken from the wallet first and what it lacks from the linked
 * deposit account (up to what that account has available, overdraft included); beyond both, refused.
 */
export function splitPayment(balance: bigint, linkedAvailable: bigint, amount: bigint): PaymentSplit {
  assert(balance >= 0n && amount >= 0n, 'splitPayment: balances and amounts are never negative');
  const fromWallet = amount < balance ? amount : balance;
  const fromLinked = amount - fromWallet;
  const available = linkedAvailable > 0n ? linkedAvailable : 0n;
  if (fromLinked > available) return { ok: false, code: 'insufficient_funds', shortMinor: fromLinked - available };
  return { ok: true, fromWallet, fromLinked };
}

/** Funding to the limit: what may go in without taking the wallet above its limit. */
export function fundingRoom(balance: bigint, limit: bigint): bigint {
  return limit > balance ? limit - balance : 0n;
}

function unknownValue(value: never): never {
  throw new Error(`unknown value ${String(value)}`);
}
