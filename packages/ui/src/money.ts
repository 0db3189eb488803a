/**
 * Money on screen: amounts travel as strings of integer minor units and are shown with
 * Intl.NumberFormat in the currency's own exponent (ISO 4217, as the browser's CLDR data gives it:
 * USD 2, JPY 0, KWD 3). Typed amounts are parsed as decimal strings, never through Number.
 */
export function exponentOf(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(currency: string, display: 'symbol' | 'code'): Intl.NumberFormat {
  const key = `${currency}:${display}`;
  let found = formatters.get(key);
  if (found === undefined) {
    found = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: display === 'code' ? 'code' : 'narrowSymbol' });
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
  const parts = formatter(currency, display).formatToParts(negative ? -whole : whole);
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
  const cleaned = text.trim().replaceAll(',', '').replaceAll(' ', '');
  if (cleaned === '') return { ok: false, error: 'Enter an amount.' };
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
