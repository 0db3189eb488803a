/**
 * Money on screen: amounts travel as strings of integer minor units and are shown with
 * Intl.NumberFormat in the currency's own exponent. The exponents are the engine's ISO 4217 table
 * (the one the books are kept in), handed to the screens at sign-in (`SessionInfo.currencies`):
 * the browser's own currency data differs from ISO 4217 for a dozen and a half currencies (HUF,
 * IDR, IQD…), and a screen that used it would type and show amounts a hundred or a thousand times
 * off. Typed amounts are parsed as decimal strings, never through Number.
 */
export type CurrencyExponents = Readonly<Record<string, number>>;

/** The bank's table once someone has signed in; until then only what the sign-in screen needs (nothing). */
let exponents: CurrencyExponents = {};

export function setCurrencyExponents(table: CurrencyExponents): void {
  exponents = table;
}

export function exponentOf(currency: string): number {
  const exponent = exponents[currency];
  if (exponent === undefined) throw new RangeError(`${currency} is not a currency the bank keeps (ISO 4217)`);
  return exponent;
}

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(currency: string, exponent: number, display: 'symbol' | 'code'): Intl.NumberFormat {
  const key = `${currency}:${exponent}:${display}`;
  let found = formatters.get(key);
  if (found === undefined) {
    found = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: display === 'code' ? 'code' : 'symbol', minimumFractionDigits: exponent, maximumFractionDigits: exponent });
    formatters.set(key, found);
  }
  return found;
}

/** Exact: the integer part is formatted as a bigint, the fraction is the minor units' own digits. */
export function formatMoney(minor: string | bigint, currency: string, display: 'symbol' | 'code' = 'symbol'): string {
  const value = typeof minor === 'bigint' ? minor : BigInt(minor);
  const exponent = exponentOf(currency);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const scale = 10n ** BigInt(exponent);
  const whole = magnitude / scale;
  const fraction = (magnitude % scale).toString().padStart(exponent, '0');
  const parts = formatter(currency, exponent, display).formatToParts(negative ? -whole : whole);
  let out = '';
  for (const part of parts) {
    if (part.type === 'fraction') out += fraction;
    else if (part.type === 'decimal' && exponent === 0) continue;
    else out += part.value;
  }
  if (exponent > 0 && !parts.some((part) => part.type === 'fraction')) out += `.${fraction}`;
  // -0 for amounts under one unit: the sign comes from the minor units, not the whole part.
  if (negative && whole === 0n && !out.includes('-')) out = `-${out}`;
  return out;
}

/** The largest amount the books hold: a signed 64-bit count of minor units. */
export const amountMinorMax = 2n ** 63n - 1n;

export type ParsedAmount = { readonly ok: true; readonly minor: string } | { readonly ok: false; readonly error: string };

/** "1,234.50" in USD → "123450". Rejects more decimals than the currency has, signs, exponents and anything else. */
export function parseAmount(text: string, currency: string): ParsedAmount {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'Enter an amount.' };
  // Commas only as thousands separators in their places ("1,234.50"); "12,50" is not read as 1,250.
  if (trimmed.includes(',') && !/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(trimmed)) return { ok: false, error: 'Type the amount with a point for the decimals, e.g. 12.50 (commas only between thousands).' };
  const cleaned = trimmed.replaceAll(',', '');
  const match = /^(\d{1,19})(?:\.(\d*))?$/.exec(cleaned);
  if (match === null) return { ok: false, error: `Type an amount like 125.50 (digits, one decimal point).` };
  const exponent = exponentOf(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return { ok: false, error: exponent === 0 ? `${currency} has no minor units.` : `${currency} has ${exponent} decimal places.` };
  const minor = BigInt(match[1]!) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor <= 0n) return { ok: false, error: 'The amount must be more than zero.' };
  if (minor > amountMinorMax) return { ok: false, error: 'The amount is larger than any the bank can hold.' };
  return { ok: true, minor: minor.toString() };
}

/** Minor units back to the text a person types (no grouping), for editing a draft. */
export function minorToInput(minor: string, currency: string): string {
  const exponent = exponentOf(currency);
  if (exponent === 0) return minor;
  const padded = minor.padStart(exponent + 1, '0');
  return `${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}
