/**
 * ISO 7064 MOD 97-10 over the characters of a string, without building the long number: letters
 * count as two digits (A = 10 … Z = 35, as ISO 13616 converts them) and the remainder is carried
 * digit by digit, so it never exceeds 97 × 100 and stays exact in a double.
 */

/**
 * Folds characters start ≤ i < end of text into a running remainder. The caller has checked that
 * they are digits or upper-case letters.
 */
export function mod97Fold(remainder: number, text: string, start: number, end: number): number {
  let value = remainder;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    value = code <= 57 ? (value * 10 + (code - 48)) % 97 : (value * 100 + (code - 55)) % 97;
  }
  return value;
}

/**
 * The two check digits ISO 7064 MOD 97-10 gives a number whose remainder (without them) is
 * `remainder`: 98 − (remainder × 100 mod 97), always 02–98. A number whose stated digits are 00, 01
 * or 99 is refused even when its remainder works out, because no issuer computes those (ISO 13616
 * says the IBAN's check digits are 02–98; the national MOD 97-10 schemes compute them the same way).
 */
export function mod97CheckDigits(remainder: number): number {
  return 98 - ((remainder * 100) % 97);
}

/** Two digits at text[at], text[at + 1] as a number, or -1 when either is not a digit. */
export function twoDigitsAt(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  if (!(tens >= 0 && tens <= 9 && units >= 0 && units <= 9)) return -1;
  return tens * 10 + units;
}
