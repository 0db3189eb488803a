/**
 * Token amounts on the books. A chain counts an ERC-20 in its smallest unit (10^-18 of a token for
 * most), and a uint256 holds far more than a 64-bit ledger amount. The bank books each token at a
 * scale of its own choosing, fixed when the asset is registered, so the most it will ever hold fits
 * 64 bits; what a chain amount has below that scale (its remainder) is tracked beside the ledger
 * amount, per holder, and never dropped: the chain's balance is always units × 10^(decimals − scale)
 * plus the remainders.
 */

/** The largest amount a ledger account holds (the ledger's amounts are 64-bit). */
export const ledgerUnitsMax = (1n << 63n) - 1n;
/** ERC-20 decimals the bank will book (the standard's uint8 allows 255; no real token uses more than 36). */
export const tokenDecimalsMax = 36;

export type ScaleChoice = { readonly ok: true; readonly scale: number } | { readonly ok: false; readonly code: 'holding_too_large' | 'decimals_out_of_range' };

/**
 * The finest scale (at most the token's own decimals) at which `maxHoldingTokens` whole tokens
 * still fit a ledger account: 18 decimals and a billion tokens give 9.
 */
export function chooseScale(decimals: number, maxHoldingTokens: bigint): ScaleChoice {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > tokenDecimalsMax) return { ok: false, code: 'decimals_out_of_range' };
  if (maxHoldingTokens <= 0n || maxHoldingTokens > ledgerUnitsMax) return { ok: false, code: 'holding_too_large' };
  let scale = decimals;
  while (scale >= 0 && maxHoldingTokens * 10n ** BigInt(scale) > ledgerUnitsMax) scale -= 1;
  return scale < 0 ? { ok: false, code: 'holding_too_large' } : { ok: true, scale };
}

/** Chain units per ledger unit. */
export function unitFactor(decimals: number, scale: number): bigint {
  return 10n ** BigInt(decimals - scale);
}

export interface SplitAmount {
  /** Whole ledger units. */
  readonly units: bigint;
  /** What is left below the ledger's scale, in chain units (0 ≤ remainder < factor). */
  readonly remainder: bigint;
}

/** A chain amount as ledger units and a remainder: `units × factor + remainder` is the amount exactly. */
export function splitChainAmount(chainAmount: bigint, factor: bigint): SplitAmount {
  if (chainAmount < 0n || factor <= 0n) throw new Error('a chain amount is non-negative and the factor positive');
  return { units: chainAmount / factor, remainder: chainAmount % factor };
}

/**
 * Adds a remainder to a holder's running one: whole ledger units it adds up to are carried into
 * the ledger (`carry`), the rest stays (`remainder` < factor).
 */
export function addRemainder(held: bigint, more: bigint, factor: bigint): { readonly carry: bigint; readonly remainder: bigint } {
  const total = held + more;
  return { carry: total / factor, remainder: total % factor };
}

/** Ledger units as a chain amount. */
export function chainAmountOf(units: bigint, factor: bigint): bigint {
  return units * factor;
}

/** `10.5` tokens at `decimals` as chain units, by string arithmetic; null when it is not a plain decimal or has more digits than the token. */
export function parseTokenAmount(text: string, decimals: number): bigint | null {
  const match = /^(\d{1,78})(?:\.(\d{1,78}))?$/.exec(text);
  if (match === null) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return null;
  return BigInt(match[1]!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** Chain units as a decimal string of tokens, without trailing zeros. */
export function formatTokenAmount(chainAmount: bigint, decimals: number): string {
  const base = 10n ** BigInt(decimals);
  const whole = chainAmount / base;
  const fraction = (chainAmount % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}
