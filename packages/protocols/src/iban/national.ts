/**
 * National check digits inside the BBAN, for the countries whose scheme is public and unambiguous.
 * Each check receives a BBAN that already fits the country's registry structure (length and kinds),
 * so it may read digits by position without re-checking them.
 *
 * Implemented (source of the rule in each comment): BE, FR and MC, ES, IT and SM, NO, FI, PT, EE,
 * SI, ME, RS, MK, BA, PL, CZ and SK, HU, HR, IS.
 * Not implemented, though their BBANs carry check digits: DE, AT, NL, GB, CH, LI, DK and the rest
 * whose check differs by bank (published only as per-bank method tables), and AL, TN, TL, XK, MR,
 * DJ, BI, ST, SO, GR, CY, LU, SE, LT, LV, BG, RO and others whose scheme we could not source from a
 * primary document. A BBAN of those countries passes the national step unchecked.
 */

import { mod97CheckDigits, mod97Fold, twoDigitsAt } from './mod97';

type NationalCheck = (bban: string) => boolean;

function allDigits(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

function digitAt(text: string, index: number): number {
  return text.charCodeAt(index) - 48;
}

/** Σ weights[i] × digit(start + i). */
function weightedSum(text: string, start: number, weights: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < weights.length; index++) {
    sum += (weights[index] as number) * digitAt(text, start + index);
  }
  return sum;
}

/** Check digits at `at` are the MOD 97-10 digits of text[start, at). */
function mod97TrailingDigits(text: string, start: number, at: number): boolean {
  return twoDigitsAt(text, at) === mod97CheckDigits(mod97Fold(0, text, start, at));
}

/** Belgium: the last two digits are the first ten mod 97, with 97 for remainder 0 (NBB). */
const belgium: NationalCheck = (bban) => {
  const remainder = mod97Fold(0, bban, 0, 10);
  return twoDigitsAt(bban, 10) === (remainder === 0 ? 97 : remainder);
};

/** RIB letter values (Banque de France): A–I and J–R are 1–9, S–Z are 2–9. */
const ribLetterValues = '12345678912345678923456789';

function ribValue(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    const digit = code <= 57 ? code - 48 : Number(ribLetterValues[code - 65]);
    value = value * 10 + digit;
  }
  return value;
}

/**
 * France and Monaco: clé RIB = 97 − ((89 × banque + 15 × guichet + 3 × compte) mod 97), 01–97.
 * The account (11 characters, letters mapped) is below 10^11, so the products stay exact.
 */
const ribKey: NationalCheck = (bban) => {
  const bank = ribValue(bban, 0, 5);
  const branch = ribValue(bban, 5, 10);
  const account = ribValue(bban, 10, 21);
  return twoDigitsAt(bban, 21) === 97 - ((89 * bank + 15 * branch + 3 * account) % 97);
};

/**
 * Spain's control-digit weights (the CCC's dígitos de control). The bank+branch digit is computed over
 * "00" + entidad + oficina, so its first two weights fall on zeros and are skipped.
 */
const spainWeights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
const spainBankBranchWeights = spainWeights.slice(2);

function spainDigit(sum: number): number {
  const digit = 11 - (sum % 11);
  return digit === 11 ? 0 : digit === 10 ? 1 : digit;
}

/** Spain: DC1 over "00" + entidad + oficina, DC2 over the ten-digit account. */
const spain: NationalCheck = (bban) => {
  const first = weightedSum(bban, 0, spainBankBranchWeights);
  const second = weightedSum(bban, 10, spainWeights);
  return digitAt(bban, 8) === spainDigit(first) && digitAt(bban, 9) === spainDigit(second);
};

/** Italy's CIN values for characters in odd positions (1st, 3rd, …): A/0 … Z. */
const cinOddValues = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/**
 * Italy and San Marino: the CIN letter over ABI + CAB + conto (22 characters). Odd positions map
 * through the table above, even positions count digits 0–9 and letters A=0 … Z=25; the sum mod 26
 * is the letter.
 */
const cin: NationalCheck = (bban) => {
  let sum = 0;
  for (let index = 1; index < 23; index++) {
    const code = bban.charCodeAt(index);
    const ordinal = code <= 57 ? code - 48 : code - 65;
    const oddPosition = (index - 1) % 2 === 0;
    sum += oddPosition ? (cinOddValues[ordinal] as number) : ordinal;
  }
  return bban.charCodeAt(0) - 65 === sum % 26;
};

/** Norway: MOD 11 with weights 5,4,3,2,7,6,5,4,3,2; remainder 1 has no valid digit. */
const norway: NationalCheck = (bban) => {
  const remainder = weightedSum(bban, 0, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11;
  const digit = remainder === 0 ? 0 : 11 - remainder;
  return digit !== 10 && digitAt(bban, 10) === digit;
};

/** Finland: the 14-digit machine-form account number ends in a Luhn digit (Finance Finland). */
const finland: NationalCheck = (bban) => {
  let sum = 0;
  for (let index = 0; index < 14; index++) {
    const digit = digitAt(bban, 13 - index);
    const doubled = index % 2 === 1 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return sum % 10 === 0;
};

/** ISO 7064 MOD 97-10 over the whole BBAN, check digits last: PT (NIB), SI, ME, RS, BA. */
const mod97Whole: NationalCheck = (bban) => mod97TrailingDigits(bban, 0, bban.length - 2);

/**
 * North Macedonia: MOD 97-10 like its neighbours. The registry allows letters in the account part,
 * but the national rule is defined over digits only, so a BBAN with letters is left unchecked
 * rather than checked by a conversion nobody specified.
 */
const macedonia: NationalCheck = (bban) => !allDigits(bban) || mod97Whole(bban);

/** Estonia: 7-3-1 weights from the right over the account number without its bank code (Eesti Pank). */
const estonia: NationalCheck = (bban) => {
  const remainder = weightedSum(bban, 2, [7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7]) % 10;
  return digitAt(bban, 15) === (10 - remainder) % 10;
};

/** Poland: the eight-digit sort code's last digit, weights 3,9,7,1,3,9,7 (NBP). */
const poland: NationalCheck = (bban) => {
  const remainder = weightedSum(bban, 0, [3, 9, 7, 1, 3, 9, 7]) % 10;
  return digitAt(bban, 7) === (10 - remainder) % 10;
};

/**
 * Czechia and Slovakia: prefix (6 digits) and account (10 digits) each have a weighted sum
 * divisible by 11 (the Czech National Bank's account-number rule, which Slovakia shares). The bank
 * code (4 digits) is not checked.
 */
const czechSlovak: NationalCheck = (bban) =>
  weightedSum(bban, 4, [10, 5, 8, 4, 2, 1]) % 11 === 0 &&
  weightedSum(bban, 10, [6, 3, 7, 9, 10, 5, 8, 4, 2, 1]) % 11 === 0;

const hungaryWeights = [9, 7, 3, 1, 9, 7, 3, 1, 9, 7, 3, 1, 9, 7, 3, 1];
const hungaryBlockWeights = hungaryWeights.slice(0, 8);

/**
 * Hungary (MNB): the 8-digit bank+branch block and the 16-digit account each have a 9-7-3-1
 * weighted sum divisible by 10. A 16-digit account written as 8 digits + 00000000 satisfies the
 * same sum, since the zeros add nothing and its check digit sits where the weight is 1.
 */
const hungary: NationalCheck = (bban) =>
  weightedSum(bban, 0, hungaryBlockWeights) % 10 === 0 && weightedSum(bban, 8, hungaryWeights) % 10 === 0;

/** ISO 7064 MOD 11,10: the check digit for text[start, end). */
function mod1110Digit(text: string, start: number, end: number): number {
  let product = 10;
  for (let index = start; index < end; index++) {
    const sum = (product + digitAt(text, index)) % 10;
    product = ((sum === 0 ? 10 : sum) * 2) % 11;
  }
  return (11 - product) % 10;
}

/** Croatia (HNB): bank code and account each end in an ISO 7064 MOD 11,10 digit. */
const croatia: NationalCheck = (bban) =>
  digitAt(bban, 6) === mod1110Digit(bban, 0, 6) && digitAt(bban, 16) === mod1110Digit(bban, 7, 16);

/**
 * Iceland: the BBAN ends with the holder's kennitala, whose ninth digit is MOD 11 over the first
 * eight with weights 3,2,7,6,5,4,3,2 (Þjóðskrá); remainder 1 has no valid digit.
 */
const iceland: NationalCheck = (bban) => {
  const remainder = weightedSum(bban, 12, [3, 2, 7, 6, 5, 4, 3, 2]) % 11;
  const digit = remainder === 0 ? 0 : 11 - remainder;
  return digit !== 10 && digitAt(bban, 20) === digit;
};

const nationalChecks: ReadonlyMap<string, NationalCheck> = new Map([
  ['BE', belgium],
  ['FR', ribKey],
  ['MC', ribKey],
  ['ES', spain],
  ['IT', cin],
  ['SM', cin],
  ['NO', norway],
  ['FI', finland],
  ['PT', mod97Whole],
  ['SI', mod97Whole],
  ['ME', mod97Whole],
  ['RS', mod97Whole],
  ['BA', mod97Whole],
  ['MK', macedonia],
  ['EE', estonia],
  ['PL', poland],
  ['CZ', czechSlovak],
  ['SK', czechSlovak],
  ['HU', hungary],
  ['HR', croatia],
  ['IS', iceland],
]);

/** The countries whose national check digits validateIban verifies. */
export const nationalCheckCountries: readonly string[] = [...nationalChecks.keys()];

/**
 * The national check for a BBAN that fits its country's structure: true or false where a check is
 * implemented, undefined where none is.
 */
export function nationalCheck(country: string, bban: string): boolean | undefined {
  const check = nationalChecks.get(country);
  return check === undefined ? undefined : check(bban);
}
