/**
 * The formats of the block 4 fields of MT103, MT202 (COV), MT940 and MT950, in the standard's
 * notation (see format.ts), and the small conversions every field shares: amounts with a decimal
 * comma, YYMMDD dates, BICs.
 */
import { currencyByCode, formatDecimal, parseDecimal } from '@qenex/engine';
import type { TextField } from './fin';

/** Party identifier of option A/B/D fields: `/1!a` (D or C) with an optional `/34x`, or `/34x`. */
const partyIdentifier = '(/1!a[/34x]|/34x)';
const bic = '4!a2!a2!c[3!c]';
const optionA = `[${partyIdentifier}\n]${bic}`;
const optionB = `(${partyIdentifier}[\n35x]|35x)`;
const optionD = `[${partyIdentifier}\n]4*35x`;
const balance = '1!a6!n3!a15d';
/** 50F and 59F: numbered lines `1!n/33x`, at most four. */
const numberedLines = '4*(1!n/33x)';

export const fieldFormats: Readonly<Record<string, string>> = {
  '13C': '/8c/4!n1!x4!n',
  '20': '16x',
  '21': '16x',
  '23B': '4!c',
  '23E': '4!c[/30x]',
  '25': '35x',
  '25P': `35x\n${bic}`,
  '26T': '3!c',
  '28C': '5n[/5n]',
  '32A': '6!n3!a15d',
  '33B': '3!a15d',
  '36': '12d',
  '50A': `[/34x\n]${bic}`,
  '50F': `(/34x|4!a/2!a/27x)\n${numberedLines}`,
  '50K': '[/34x\n]4*35x',
  '51A': optionA,
  '52A': optionA,
  '52D': optionD,
  '53A': optionA,
  '53B': optionB,
  '53D': optionD,
  '54A': optionA,
  '54B': optionB,
  '54D': optionD,
  '55A': optionA,
  '55B': optionB,
  '55D': optionD,
  '56A': optionA,
  '56C': '/34x',
  '56D': optionD,
  '57A': optionA,
  '57B': optionB,
  '57C': '/34x',
  '57D': optionD,
  '58A': optionA,
  '58D': optionD,
  '59': '[/34x\n]4*35x',
  '59A': `[/34x\n]${bic}`,
  '59F': `[/34x\n]${numberedLines}`,
  '60F': balance,
  '60M': balance,
  '61': '6!n[4!n]<RC|RD|C|D>[1!a]15d1!a3!c16x[//16x][\n34x]',
  '62F': balance,
  '62M': balance,
  '64': balance,
  '65': balance,
  '70': '4*35x',
  '71A': '3!a',
  '71F': '3!a15d',
  '71G': '3!a15d',
  '72': '6*35x',
  '77B': '3*35x',
  '86': '6*65x',
};

export const bicPattern = /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
export const uetrPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** `32A`'s number and letter: `32`, `A`; `59`, ``. */
export function splitTag(tag: string): { readonly number: string; readonly letter: string } {
  return { number: tag.slice(0, 2), letter: tag.slice(2) };
}

export function fieldsWithNumber(fields: readonly TextField[], number: string): readonly TextField[] {
  return fields.filter((field) => field.tag.startsWith(number) && field.tag.length <= 3 && splitTag(field.tag).number === number);
}

export function firstField(fields: readonly TextField[], tag: string): TextField | undefined {
  return fields.find((field) => field.tag === tag);
}

/** The one field of a number (`56` finds 56A, 56C or 56D). */
export function fieldOption(fields: readonly TextField[], number: string): TextField | undefined {
  return fieldsWithNumber(fields, number)[0];
}

/** SWIFT's `15d` amount text ("1234,5") as minor units, by string arithmetic. */
export function amountFromSwift(text: string, currency: string): { readonly ok: true; readonly amountMinor: bigint } | { readonly ok: false; readonly error: string } {
  if (!/^\d+,\d*$/.test(text)) return { ok: false, error: 'amount_malformed' };
  const [whole = '', fraction = ''] = text.split(',');
  const parsed = parseDecimal(fraction === '' ? whole : `${whole}.${fraction}`, currency);
  return parsed.ok ? { ok: true, amountMinor: parsed.value } : { ok: false, error: parsed.error };
}

/** Minor units as SWIFT writes them: a decimal comma always, the currency's decimals in full ("1234,50", JPY "100,"). */
export function amountToSwift(amountMinor: bigint, currency: string): string {
  const [whole = '', fraction = ''] = formatDecimal(amountMinor, currency).split('.');
  return `${whole},${fraction}`;
}

export function knownCurrency(code: string): boolean {
  return currencyByCode(code) !== undefined;
}

/** YY below this pivot is 20YY, at or above it 19YY (SWIFT dates carry two digits of the year). */
const centuryPivot = 80;

/** `YYMMDD` as ISO `YYYY-MM-DD`, or undefined when it is not a calendar date. */
export function dateFromSwift(text: string): string | undefined {
  if (!/^\d{6}$/.test(text)) return undefined;
  const year = Number(text.slice(0, 2));
  const iso = `${year < centuryPivot ? 20 : 19}${text.slice(0, 2)}-${text.slice(2, 4)}-${text.slice(4, 6)}`;
  return isCalendarDate(iso) ? iso : undefined;
}

/** ISO `YYYY-MM-DD` as `YYMMDD`, or undefined outside the years two digits can carry. */
export function dateToSwift(iso: string): string | undefined {
  if (!isCalendarDate(iso)) return undefined;
  const year = Number(iso.slice(0, 4));
  if (year < 1900 + centuryPivot || year >= 2000 + centuryPivot) return undefined;
  return iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
}

export function isCalendarDate(iso: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match === null) return false;
  const [, year = '', month = '', day = ''] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

/** The country of a BIC (its 5th and 6th characters). */
export function countryOfBic(code: string): string {
  return code.slice(4, 6);
}
