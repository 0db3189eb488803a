import { currencyByCode } from '../currencies';
import { amountMax } from '../money';

/** A rate with more significant digits than this is a typing mistake, not a quote. */
export const rateDigitsMax = 18;

export type ConvertError = 'rate_malformed' | 'rate_must_be_positive' | 'currency_unknown' | 'amount_overflows' | 'converted_amount_is_zero';

/**
 * Converts minor units of one currency into another at a decimal rate (units of `to` per unit of
 * `from`), exactly, rounding half to even once at the end (banker's rounding: no drift either way).
 */
export function convert(
  amountMinor: bigint,
  from: string,
  to: string,
  rate: string,
): { ok: true; value: bigint } | { ok: false; error: ConvertError } {
  const source = currencyByCode(from);
  const target = currencyByCode(to);
  if (source === undefined || target === undefined) return { ok: false, error: 'currency_unknown' };
  const match = /^(\d+)(?:\.(\d+))?$/.exec(rate);
  if (match === null || match[1]!.length + (match[2]?.length ?? 0) > rateDigitsMax) return { ok: false, error: 'rate_malformed' };
  const fraction = match[2] ?? '';
  const rateNumerator = BigInt(match[1]! + fraction);
  if (rateNumerator === 0n) return { ok: false, error: 'rate_must_be_positive' };
  const numerator = amountMinor * rateNumerator * 10n ** BigInt(target.exponent);
  const denominator = 10n ** BigInt(fraction.length + source.exponent);
  const value = roundHalfEven(numerator, denominator);
  if (value > amountMax) return { ok: false, error: 'amount_overflows' };
  if (value === 0n) return { ok: false, error: 'converted_amount_is_zero' };
  return { ok: true, value };
}

export function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder < denominator) return quotient;
  if (twiceRemainder > denominator) return quotient + 1n;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}
