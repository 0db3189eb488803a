import { currencyByCode } from '../currencies';
import { amountMax } from '../money';

/** A rate with more significant digits than this is a typing mistake, not a quote. */
export const rateDigitsMax = 18;

export type ConvertError = 'rate_malformed' | 'rate_must_be_positive' | 'currency_unknown' | 'amount_overflows' | 'converted_amount_is_zero';

export function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder < denominator) return quotient;
  if (twiceRemainder > denominator) return quotient + 1n;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}

/** An exact rate: `numerator / denominator` units of the target per unit of the source. */
export interface Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export type DecimalError = 'rate_malformed' | 'rate_must_be_positive';

/** A positive decimal string (at most `rateDigitsMax` digits) as an exact fraction. */
export function parseRate(rate: string): { ok: true; value: Rational } | { ok: false; error: DecimalError } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(rate);
  if (match === null || match[1]!.length + (match[2]?.length ?? 0) > rateDigitsMax) return { ok: false, error: 'rate_malformed' };
  const fraction = match[2] ?? '';
  const numerator = BigInt(match[1]! + fraction);
  if (numerator === 0n) return { ok: false, error: 'rate_must_be_positive' };
  return { ok: true, value: { numerator, denominator: 10n ** BigInt(fraction.length) } };
}

/** Converts minor units at an exact rate, rounding half to even once at the end. */
export function convertAt(amountMinor: bigint, from: string, to: string, rate: Rational): { ok: true; value: bigint } | { ok: false; error: ConvertError } {
  const source = currencyByCode(from);
  const target = currencyByCode(to);
  if (source === undefined || target === undefined) return { ok: false, error: 'currency_unknown' };
  const value = roundHalfEven(amountMinor * rate.numerator * 10n ** BigInt(target.exponent), rate.denominator * 10n ** BigInt(source.exponent));
  if (value > amountMax) return { ok: false, error: 'amount_overflows' };
  if (value === 0n) return { ok: false, error: 'converted_amount_is_zero' };
  return { ok: true, value };
}

/** Margins are whole basis points of the mid; 10,000 is the whole of it. */
export const basisPointsPerUnit = 10_000n;
export const marginBasisPointsMax = 2_000;

export interface SheetRates {
  readonly base: string;
  readonly quote: string;
  readonly mid: string;
  readonly buyMarginBasisPoints: number;
  readonly sellMarginBasisPoints: number;
}

/**
 * The rate a customer gets exchanging `from` into `to` on a sheet for base/quote (either way
 * round): selling the base, the bank buys it at mid less its buy margin; buying the base, the bank
 * sells it at mid plus its sell margin, and the customer gets the inverse. Exact.
 */
export function customerRate(sheet: SheetRates, from: string, to: string): Rational | undefined {
  const mid = parseRate(sheet.mid);
  if (!mid.ok) return undefined;
  const { numerator, denominator } = mid.value;
  if (from === sheet.base && to === sheet.quote) {
    return { numerator: numerator * (basisPointsPerUnit - BigInt(sheet.buyMarginBasisPoints)), denominator: denominator * basisPointsPerUnit };
  }
  if (from === sheet.quote && to === sheet.base) {
    return { numerator: denominator * basisPointsPerUnit, denominator: numerator * (basisPointsPerUnit + BigInt(sheet.sellMarginBasisPoints)) };
  }
  return undefined;
}

/** Decimal places a rate is shown and quoted with. */
export const rateDisplayPlaces = 10;

/** A rate as a decimal string of `rateDisplayPlaces` places, rounded half to even (for showing and quoting, never for computing). */
export function rateToDecimal(rate: Rational): string {
  const scaled = roundHalfEven(rate.numerator * 10n ** BigInt(rateDisplayPlaces), rate.denominator);
  const digits = scaled.toString().padStart(rateDisplayPlaces + 1, '0');
  return `${digits.slice(0, -rateDisplayPlaces)}.${digits.slice(-rateDisplayPlaces)}`;
}

/** How far a new mid moved from the last, in basis points, rounded up (any move at all counts). */
export function moveBasisPoints(previousMid: string, nextMid: string): bigint | undefined {
  const previous = parseRate(previousMid);
  const next = parseRate(nextMid);
  if (!previous.ok || !next.ok) return undefined;
  // |next − previous| / previous, as a fraction of the two exact decimals.
  const a = next.value.numerator * previous.value.denominator;
  const b = previous.value.numerator * next.value.denominator;
  const difference = a > b ? a - b : b - a;
  const numerator = difference * basisPointsPerUnit;
  return (numerator + b - 1n) / b;
}
