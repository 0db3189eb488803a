/**
 * The SWIFT IBAN Registry's structure notation, interpreted once per country.
 *
 * A structure is a run of `<length>!<kind>` items, e.g. `4!a6!n8!n`: `n` digits 0–9, `a` upper-case
 * letters A–Z, `c` upper-case letters and digits, `e` a space (defined by the notation, used by no
 * BBAN). `!` means "exactly this many"; an item without `!` would mean "up to", which no BBAN in the
 * registry uses, so it is refused here rather than guessed at. The structure is compiled to one
 * character class per position, so checking a BBAN is one pass over its characters with no regular
 * expression and no allocation.
 */

export type BbanCharacterKind = 'n' | 'a' | 'c' | 'e';

export interface BbanItem {
  readonly length: number;
  readonly kind: BbanCharacterKind;
}

export interface CompiledBbanStructure {
  /** The notation as written in the registry. */
  readonly notation: string;
  readonly items: readonly BbanItem[];
  /** One kind per BBAN position. */
  readonly positions: readonly BbanCharacterKind[];
  readonly length: number;
}

/** The longest structure an IBAN can carry: 34 characters less country code and check digits. */
export const bbanLengthMax = 30;

const itemPattern = /^(\d{1,2})!([nace])/;

/**
 * Parses registry notation. Malformed notation is a programmer error in the data, so it throws;
 * the registry table is compiled when the module loads and a typo fails at once, not on a payment.
 */
export function compileBbanStructure(notation: string): CompiledBbanStructure {
  const items: BbanItem[] = [];
  let rest = notation;
  while (rest.length > 0) {
    const match = itemPattern.exec(rest);
    if (match === null) throw new Error(`BBAN structure '${notation}': cannot read '${rest}'`);
    const length = Number(match[1]);
    const kind = match[2] as BbanCharacterKind;
    if (length < 1) throw new Error(`BBAN structure '${notation}': an item of length 0`);
    items.push({ length, kind });
    rest = rest.slice(match[0].length);
  }
  const positions = items.flatMap((item) => Array.from({ length: item.length }, () => item.kind));
  if (positions.length === 0 || positions.length > bbanLengthMax) {
    throw new Error(`BBAN structure '${notation}': length ${positions.length} is outside 1–${bbanLengthMax}`);
  }
  return { notation, items, positions, length: positions.length };
}

/** Whether one character code is of the kind; upper case only, as the registry writes BBANs. */
export function isOfKind(code: number, kind: BbanCharacterKind): boolean {
  const digit = code >= 48 && code <= 57;
  const letter = code >= 65 && code <= 90;
  switch (kind) {
    case 'n':
      return digit;
    case 'a':
      return letter;
    case 'c':
      return digit || letter;
    case 'e':
      return code === 32;
  }
}

export type BbanMismatch = {
  readonly position: number;
  readonly expected: BbanCharacterKind;
} | null;

/**
 * The first position (0-based, within the BBAN) whose character is not of the structure's kind, or
 * null when the BBAN fits. The caller has already checked the length.
 */
export function firstBbanMismatch(structure: CompiledBbanStructure, bban: string): BbanMismatch {
  const positions = structure.positions;
  for (let index = 0; index < positions.length; index++) {
    const kind = positions[index] as BbanCharacterKind;
    if (!isOfKind(bban.charCodeAt(index), kind)) return { position: index, expected: kind };
  }
  return null;
}

export function describeKind(kind: BbanCharacterKind): string {
  switch (kind) {
    case 'n':
      return 'a digit';
    case 'a':
      return 'an upper-case letter';
    case 'c':
      return 'an upper-case letter or a digit';
    case 'e':
      return 'a space';
  }
}
