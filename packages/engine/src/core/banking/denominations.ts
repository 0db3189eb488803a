import type { DenominationCount } from './types';
import { amountMax } from '../money';

/**
 * Notes and coins a till counts, in minor units, largest first. A currency missing here has no
 * cash handling at the counter (it can still be held and transferred).
 */
const denominationTable: Readonly<Record<string, readonly number[]>> = {
  USD: [10000, 5000, 2000, 1000, 500, 200, 100, 50, 25, 10, 5, 1],
  EUR: [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  GBP: [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  CHF: [100000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5],
  JPY: [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1],
  CAD: [10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5],
  KWD: [20000, 10000, 5000, 1000, 500, 250, 100, 50, 20, 10, 5],
};

/** More pieces of one denomination than any till holds: a typo, not a count. */
export const piecesPerDenominationMax = 1_000_000;

export function denominationsOf(currency: string): readonly number[] | undefined {
  return denominationTable[currency];
}

export type CountError = 'currency_has_no_cash' | 'denomination_unknown' | 'count_malformed' | 'amount_overflows';

/** Totals a counted float: every key a known denomination, every count a whole number of pieces. */
export function totalOfCount(
  currency: string,
  count: DenominationCount,
): { ok: true; value: bigint } | { ok: false; error: CountError } {
  const known = denominationTable[currency];
  if (known === undefined) return { ok: false, error: 'currency_has_no_cash' };
  let total = 0n;
  for (const [denomination, pieces] of Object.entries(count)) {
    if (!/^\d+$/.test(denomination) || !known.includes(Number(denomination))) return { ok: false, error: 'denomination_unknown' };
    if (!Number.isInteger(pieces) || pieces < 0 || pieces > piecesPerDenominationMax) return { ok: false, error: 'count_malformed' };
    total += BigInt(denomination) * BigInt(pieces);
  }
  if (total > amountMax) return { ok: false, error: 'amount_overflows' };
  return { ok: true, value: total };
}
