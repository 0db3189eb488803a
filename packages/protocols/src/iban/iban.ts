/**
 * IBAN validation (ISO 13616) against the SWIFT IBAN Registry.
 *
 * What is accepted, exactly:
 * - the electronic form: upper-case letters A–Z and digits 0–9, nothing else; or
 * - the same characters with single spaces (U+0020) between them: the print form groups by four
 *   ("DE89 3704 0044 0532 0130 00"), and any other grouping is accepted too, since the registry's own
 *   print examples for BI, LY, SV and VA group differently.
 * Refused: lower-case letters (`lower_case`: ISO 13616 writes IBANs in capitals; a caller that wants
 * to be lenient upper-cases first, knowingly), leading, trailing or doubled spaces, tabs, hyphens,
 * non-breaking spaces and every other character (`characters`).
 *
 * Checks, in this order, each with its own error: characters; length 5–34; a registry country;
 * the country's IBAN length; two digits for check digits; the BBAN structure; ISO 7064 MOD 97-10
 * with check digits 02–98; the national check digits where implemented (see national.ts). A result
 * whose error is `national_check` has passed every IBAN-level check: it is structurally valid.
 */

import { describeKind, firstBbanMismatch } from './bban-format';
import { mod97Fold, mod97CheckDigits, twoDigitsAt } from './mod97';
import { nationalCheck } from './national';
import { ibanCountry, type IbanCountry } from './registry';

export type IbanErrorCode =
  | 'characters'
  | 'lower_case'
  | 'iban_too_short'
  | 'iban_too_long'
  | 'country_unknown'
  | 'check_digits_format'
  | 'length_wrong'
  | 'bban_format'
  | 'checksum'
  | 'national_check';

export interface Iban {
  /** ISO 3166-1 alpha-2 prefix. */
  readonly country: string;
  readonly checkDigits: string;
  readonly bban: string;
  readonly bankCode?: string;
  readonly branchCode?: string;
  /** The BBAN after the bank and branch identifiers (the registry does not delimit the account). */
  readonly accountNumber?: string;
  /** Whether national check digits were verified ('passed') or the country has none implemented. */
  readonly nationalCheck: 'passed' | 'not_implemented';
  /** No spaces: what goes on the wire (MT :59:, ISO 20022 <IBAN>). */
  readonly electronic: string;
  /** Groups of four separated by one space, for people. */
  readonly print: string;
}

export type IbanResult =
  | { readonly ok: true; readonly iban: Iban }
  | {
      readonly ok: false;
      readonly error: IbanErrorCode;
      readonly message: string;
    };

/** ISO 13616: at most 34 characters. */
export const ibanLengthMax = 34;
/** Country code, two check digits and at least one BBAN character. */
export const ibanLengthMin = 5;
/** The longest text worth reading: 34 characters with a space between each. */
export const ibanTextLengthMax = ibanLengthMax * 2 - 1;
/** Characters per group in the print form. */
export const ibanPrintGroupLength = 4;

function refuse(error: IbanErrorCode, message: string): IbanResult {
  return { ok: false, error, message };
}

type Electronic =
  { readonly ok: true; readonly electronic: string } | { readonly ok: false; readonly result: IbanResult };

/** The electronic form of the accepted input, or why the input is not accepted. */
function toElectronic(text: string): Electronic {
  if (text.length > ibanTextLengthMax) {
    return {
      ok: false,
      result: refuse('iban_too_long', `an IBAN has at most ${ibanLengthMax} characters`),
    };
  }
  let spaces = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90)) continue;
    if (code === 32 && index > 0 && index < text.length - 1 && text.charCodeAt(index - 1) !== 32) {
      spaces++;
      continue;
    }
    const lower = code >= 97 && code <= 122;
    const what = lower
      ? `lower-case '${text[index]}' at position ${index + 1}: IBANs are written in capitals`
      : code === 32
        ? `a space at position ${index + 1}: only single spaces between characters are accepted`
        : `character ${JSON.stringify(text[index])} at position ${index + 1}: only A–Z, 0–9 and single spaces`;
    return {
      ok: false,
      result: refuse(lower ? 'lower_case' : 'characters', what),
    };
  }
  return {
    ok: true,
    electronic: spaces === 0 ? text : text.replaceAll(' ', ''),
  };
}

/** Groups of four, one space between: the print form. */
export function ibanPrintForm(electronic: string): string {
  const groups: string[] = [];
  for (let start = 0; start < electronic.length; start += ibanPrintGroupLength) {
    groups.push(electronic.slice(start, start + ibanPrintGroupLength));
  }
  return groups.join(' ');
}

/** The IBAN-level checks after the country is known; null when all pass. */
function checkAgainstRegistry(electronic: string, entry: IbanCountry): IbanResult | null {
  if (electronic.length !== entry.length) {
    return refuse(
      'length_wrong',
      `an IBAN of ${entry.name} (${entry.country}) has ${entry.length} characters, not ${electronic.length}`,
    );
  }
  if (twoDigitsAt(electronic, 2) < 0) {
    return refuse('check_digits_format', 'the check digits (characters 3 and 4) must be two digits');
  }
  const bban = electronic.slice(4);
  const mismatch = firstBbanMismatch(entry.structure, bban);
  if (mismatch !== null) {
    const where = `character ${mismatch.position + 5} of the IBAN (BBAN position ${mismatch.position + 1})`;
    return refuse(
      'bban_format',
      `${where} must be ${describeKind(mismatch.expected)}: ${entry.country} BBANs are ${entry.bban}`,
    );
  }
  // ISO 13616: the BBAN, then the country code, then "00", folded through MOD 97-10.
  const remainder = mod97Fold(mod97Fold(0, bban, 0, bban.length), electronic, 0, 2);
  if (twoDigitsAt(electronic, 2) !== mod97CheckDigits(remainder)) {
    return refuse(
      'checksum',
      'the check digits do not match (ISO 7064 MOD 97-10): a character is wrong or two are swapped',
    );
  }
  return null;
}

function slicePosition(bban: string, range: readonly [number, number] | null | undefined): string | undefined {
  return range ? bban.slice(range[0] - 1, range[1]) : undefined;
}

function describe(electronic: string, entry: IbanCountry, national: boolean | undefined): Iban {
  const bban = electronic.slice(4);
  const bankCode = slicePosition(bban, entry.bank);
  const branchCode = slicePosition(bban, entry.branch);
  const accountStart = Math.max(entry.bank?.[1] ?? 0, entry.branch?.[1] ?? 0);
  const accountNumber = accountStart < bban.length ? bban.slice(accountStart) : undefined;
  return {
    country: entry.country,
    checkDigits: electronic.slice(2, 4),
    bban,
    ...(bankCode === undefined ? {} : { bankCode }),
    ...(branchCode === undefined ? {} : { branchCode }),
    ...(accountNumber === undefined ? {} : { accountNumber }),
    nationalCheck: national === undefined ? 'not_implemented' : 'passed',
    electronic,
    print: ibanPrintForm(electronic),
  };
}

/** Validates an IBAN in electronic or print form; never throws for any string. */
export function validateIban(text: string): IbanResult {
  const normalized = toElectronic(text);
  if (!normalized.ok) return normalized.result;
  const electronic = normalized.electronic;
  if (electronic.length < ibanLengthMin) {
    return refuse(
      'iban_too_short',
      `an IBAN has at least ${ibanLengthMin} characters (country, check digits, account)`,
    );
  }
  if (electronic.length > ibanLengthMax) {
    return refuse('iban_too_long', `an IBAN has at most ${ibanLengthMax} characters, not ${electronic.length}`);
  }
  const country = electronic.slice(0, 2);
  const entry = ibanCountry(country);
  if (entry === undefined) {
    return refuse('country_unknown', `'${country}' is not a country of the SWIFT IBAN Registry`);
  }
  const refusal = checkAgainstRegistry(electronic, entry);
  if (refusal !== null) return refusal;
  const national = nationalCheck(country, electronic.slice(4));
  if (national === false) {
    return refuse(
      'national_check',
      `the national check digits inside the ${entry.country} account number do not match`,
    );
  }
  return { ok: true, iban: describe(electronic, entry, national) };
}

export function isIban(text: string): boolean {
  return validateIban(text).ok;
}

/**
 * The ISO 13616 check digits for a country code and a BBAN of upper-case letters and digits (the
 * caller's to ensure; anything else is a programmer error): what an IBAN is composed with.
 */
export function ibanCheckDigits(country: string, bban: string): string {
  if (!/^[A-Z]{2}$/.test(country) || !/^[A-Z0-9]{1,30}$/.test(bban)) {
    throw new Error(`ibanCheckDigits: '${country}' '${bban}' is not a country code and BBAN`);
  }
  const remainder = mod97Fold(mod97Fold(0, bban, 0, bban.length), country, 0, 2);
  return String(mod97CheckDigits(remainder)).padStart(2, '0');
}
