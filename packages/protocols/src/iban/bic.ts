/**
 * BIC validation (ISO 9362:2022).
 *
 * Structure 4!c2!a2!c[3!c]: the business party prefix (4 letters or digits: ISO 9362:2014 and 2022
 * allow digits there, although every BIC issued before them has letters), the ISO 3166-1 country
 * code (2 letters, one that exists, plus XK for Kosovo, which SWIFT uses though ISO has not assigned
 * it), the party suffix or location code (2 letters or digits) and, optionally, a branch
 * identifier (3 letters or digits, XXX for the head office).
 *
 * Location code: a second character 0 marks a test-and-training BIC, 1 a passive participant (not
 * connected to SWIFT; reached through another). The branch identifier XXX means the head office, so
 * ABNANL2A and ABNANL2AXXX name the same party.
 *
 * Accepted: exactly 8 or 11 upper-case letters and digits, no spaces. Lower case is refused with its
 * own error (`lower_case`) so that a screen can offer to correct it; BICs are written in capitals.
 */

export type BicErrorCode = 'length_wrong' | 'characters' | 'lower_case' | 'bic_format' | 'country_unknown';

export interface Bic {
  /** Business party prefix (institution code), 4 characters. */
  readonly institution: string;
  readonly country: string;
  /** Location code (party suffix), 2 characters. */
  readonly location: string;
  /** Branch identifier, absent in an 8-character BIC. */
  readonly branch?: string;
  /** The first 8 characters: the party's BIC8. */
  readonly bic8: string;
  /** The 11-character form, XXX added to a BIC8. */
  readonly bic11: string;
  /** Location code's second character is 0. */
  readonly isTest: boolean;
  /** Location code's second character is 1. */
  readonly isPassive: boolean;
  /** No branch identifier, or XXX. */
  readonly isHeadOffice: boolean;
}

export type BicResult =
  | { readonly ok: true; readonly bic: Bic }
  | {
      readonly ok: false;
      readonly error: BicErrorCode;
      readonly message: string;
    };

export const bicLengthShort = 8;
export const bicLengthLong = 11;
export const bicHeadOfficeBranch = 'XXX';

/** ISO 3166-1 alpha-2, every assigned code (Debian iso-codes 4.15), and XK. */
const countryCodes: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE ' +
    'BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD ' +
    'CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM ' +
    'DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF ' +
    'GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ' +
    'ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN ' +
    'KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME ' +
    'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
    'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM ' +
    'PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI ' +
    'SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK ' +
    'TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI ' +
    'VN VU WF WS YE YT ZA ZM ZW ' +
    'XK'
  ).split(' '),
);

export function isBicCountry(code: string): boolean {
  return countryCodes.has(code);
}

function refuse(error: BicErrorCode, message: string): BicResult {
  return { ok: false, error, message };
}

/** First position whose character is not an upper-case letter or digit, with its error. */
function characterProblem(text: string): BicResult | null {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90)) continue;
    const lower = code >= 97 && code <= 122;
    return refuse(
      lower ? 'lower_case' : 'characters',
      lower
        ? `lower-case '${text[index]}' at position ${index + 1}: BICs are written in capitals`
        : `character ${JSON.stringify(text[index])} at position ${index + 1}: only A–Z and 0–9`,
    );
  }
  return null;
}

function isLetters(text: string, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code < 65 || code > 90) return false;
  }
  return true;
}

export function validateBic(text: string): BicResult {
  if (text.length !== bicLengthShort && text.length !== bicLengthLong) {
    return refuse('length_wrong', `a BIC has ${bicLengthShort} or ${bicLengthLong} characters, not ${text.length}`);
  }
  const problem = characterProblem(text);
  if (problem !== null) return problem;
  if (!isLetters(text, 4, 6)) return refuse('bic_format', 'characters 5 and 6 (the country code) must be letters');
  const country = text.slice(4, 6);
  if (!countryCodes.has(country)) return refuse('country_unknown', `'${country}' is not an ISO 3166 country code`);
  const location = text.slice(6, 8);
  const branch = text.length === bicLengthLong ? text.slice(8) : undefined;
  const bic8 = text.slice(0, 8);
  return {
    ok: true,
    bic: {
      institution: text.slice(0, 4),
      country,
      location,
      ...(branch === undefined ? {} : { branch }),
      bic8,
      bic11: bic8 + (branch ?? bicHeadOfficeBranch),
      isTest: location[1] === '0',
      isPassive: location[1] === '1',
      isHeadOffice: branch === undefined || branch === bicHeadOfficeBranch,
    },
  };
}

export function isBic(text: string): boolean {
  return validateBic(text).ok;
}
