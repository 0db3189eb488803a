import { currencyByCode, type Currency } from './currencies';

/** Amounts and balances are stored as signed 64-bit integers: this is the largest one. */
export const amountMax = (1n << 63n) - 1n;

export interface Money {
  readonly amountMinor: bigint;
  readonly currency: string;
}

/** Money as it travels: the amount a string of integer minor units. */
export interface WireMoney {
  readonly amount: string;
  readonly currency: string;
}

export type MoneyError =
  | 'currency_unknown'
  | 'amount_malformed'
  | 'amount_too_precise'
  | 'amount_must_not_be_zero'
  | 'amount_must_not_be_negative'
  | 'amount_overflows';

export type Parsed<T, E extends string> = { ok: true; value: T } | { ok: false; error: E };

const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;
const minorPattern = /^(-?)(\d+)$/;
/** No amount is written this long, even padded with zeros: longer text is refused unread. */
const amountTextLengthMax = 256;
/** 2^63 − 1 has 19 digits: more significant digits than this cannot fit, whatever they are. */
const amountDigitsMax = 19;

export function currencyOf(code: string): Parsed<Currency, 'currency_unknown'> {
  const currency = currencyByCode(code);
  return currency === undefined ? { ok: false, error: 'currency_unknown' } : { ok: true, value: currency };
}

/**
 * Parses a decimal amount ("1234.5", "-0.07") into minor units of the currency, by string
 * arithmetic only: a value with more fraction digits than the currency has is refused, never rounded.
 */
export function parseDecimal(text: string, currencyCode: string): Parsed<bigint, MoneyError> {
  const currency = currencyByCode(currencyCode);
  if (currency === undefined) return { ok: false, error: 'currency_unknown' };
  if (text.length > amountTextLengthMax) return { ok: false, error: 'amount_malformed' };
  const match = decimalPattern.exec(text);
  if (match === null) return { ok: false, error: 'amount_malformed' };
  const [, sign, whole = '', fractionRaw = ''] = match;
  // Zeros that carry no value (leading, or trailing after the point) neither overflow nor add precision.
  const fraction = fractionRaw.replace(/0+$/, '');
  if (fraction.length > currency.exponent) return { ok: false, error: 'amount_too_precise' };
  const digits = (whole + fraction.padEnd(currency.exponent, '0')).replace(/^0+(?=\d)/, '');
  return signedWithinRange(sign === '-', digits);
}

/** The value of a sign and a digit string without leading zeros, refused beyond ±(2^63 − 1). */
function signedWithinRange(negative: boolean, digits: string): Parsed<bigint, 'amount_overflows'> {
  if (digits.length > amountDigitsMax) return { ok: false, error: 'amount_overflows' };
  const magnitude = BigInt(digits);
  if (magnitude > amountMax) return { ok: false, error: 'amount_overflows' };
  return { ok: true, value: negative ? -magnitude : magnitude };
}

/** Parses integer minor units as they travel on the wire ("123456"). */
export function parseMinor(text: string): Parsed<bigint, 'amount_malformed' | 'amount_overflows'> {
  if (text.length > amountTextLengthMax) return { ok: false, error: 'amount_malformed' };
  const match = minorPattern.exec(text);
  if (match === null) return { ok: false, error: 'amount_malformed' };
  const [, sign, digits = ''] = match;
  return signedWithinRange(sign === '-', digits.replace(/^0+(?=\d)/, ''));
}

/** A strictly positive amount that fits the storage range, from a decimal string. */
export function parsePositiveDecimal(text: string, currencyCode: string): Parsed<bigint, MoneyError> {
  const parsed = parseDecimal(text, currencyCode);
  if (!parsed.ok) return parsed;
  return checkPositive(parsed.value);
}

export function checkPositive(amountMinor: bigint): Parsed<bigint, MoneyError> {
  if (amountMinor === 0n) return { ok: false, error: 'amount_must_not_be_zero' };
  if (amountMinor < 0n) return { ok: false, error: 'amount_must_not_be_negative' };
  if (amountMinor > amountMax) return { ok: false, error: 'amount_overflows' };
  return { ok: true, value: amountMinor };
}

/** Formats minor units as a plain decimal string in the currency's scale: 123456n USD → "1234.56". */
export function formatDecimal(amountMinor: bigint, currencyCode: string): string {
  const currency = currencyByCode(currencyCode);
  if (currency === undefined) throw new RangeError(`unknown currency ${currencyCode}`);
  return decimalOfUnits(amountMinor, currency.exponent);
}

/** Minor units with `exponent` digits after the point, as a plain decimal string: (123456n, 2) → "1234.56". */
export function decimalOfUnits(amountMinor: bigint, exponent: number): string {
  const negative = amountMinor < 0n;
  const digits = (negative ? -amountMinor : amountMinor).toString();
  if (exponent === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, -exponent);
  const fraction = padded.slice(-exponent);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Formats for people: thousands separators and the currency code ("1,234.56 USD"). */
export function formatMoney(amountMinor: bigint, currencyCode: string): string {
  return groupedWithCode(formatDecimal(amountMinor, currencyCode), currencyCode);
}

/** As formatMoney, for a unit that is not an ISO currency (a token at its book scale): "1,234.500000000 QXTA". */
export function formatUnits(amountMinor: bigint, exponent: number, code: string): string {
  return groupedWithCode(decimalOfUnits(amountMinor, exponent), code);
}

function groupedWithCode(plain: string, code: string): string {
  const negative = plain.startsWith('-');
  const [whole = '', fraction] = (negative ? plain.slice(1) : plain).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : '.' + fraction} ${code}`;
}

export function toWire(money: Money): WireMoney {
  return { amount: money.amountMinor.toString(), currency: money.currency };
}

/** Sum that refuses to leave the storage range instead of wrapping. */
export function addChecked(a: bigint, b: bigint): bigint | undefined {
  const sum = a + b;
  return sum > amountMax || sum < -amountMax - 1n ? undefined : sum;
}
