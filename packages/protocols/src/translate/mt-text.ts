/**
 * MX text made writable in MT, as the CBPR+ MX to MT translation does it: a character outside the
 * SWIFT X set (the extended FIN-X set's ! # & @ … and the like) is written as `.`, and so is a
 * first character that would end an MT field or be read as something else (`:` or `-` opening a
 * line, `/` opening a name or an account, which MT reads as a party identifier). An IBAN MT's
 * pattern refuses (lower case, too short) is carried as a plain account number. Each change is
 * a note on the path it changed.
 */
import { charsetX } from '../swift-mt/format';
import { Notes } from '../swift-mt/text';

/** The replacement the translation writes for a character MT cannot carry. */
export const replacementCharacter = '.';
/** Model nesting is shallow; deeper is not a payment model and is left as it is. */
const modelDepthMax = 10;

// charsetX is written as the inside of a character class (A-Z ranges, the hyphen escaped).
const outsideX = new RegExp(`[^${charsetX}]`, 'g');
const mtIbanPattern = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** Keys whose text MT reads as a party identifier when it starts with `/`. */
const slashSensitiveKeys = new Set(['name', 'other']);

function writableText(text: string, key: string): string {
  let written = text.replace(outsideX, replacementCharacter);
  if (written.startsWith(':') || written.startsWith('-') || (slashSensitiveKeys.has(key) && written.startsWith('/'))) written = replacementCharacter + written.slice(1);
  return written;
}

function isIbanOnly(value: object): value is { readonly iban: string } {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'iban' && typeof (value as { iban?: unknown }).iban === 'string';
}

function walk(value: unknown, key: string, path: string, notes: Notes, depth: number): unknown {
  if (typeof value === 'string') {
    const written = writableText(value, key);
    if (written !== value) notes.add(path, 'restructured', `characters MT cannot carry here written as ${replacementCharacter} (SWIFT X set; no : or - opening a line, no / opening a name or account)`);
    return written;
  }
  if (typeof value !== 'object' || value === null || depth >= modelDepthMax) return value;
  if (Array.isArray(value)) return value.map((item: unknown, index) => walk(item, key, `${path}[${index}]`, notes, depth + 1));
  if (isIbanOnly(value) && !mtIbanPattern.test(value.iban)) {
    notes.add(`${path}.iban`, 'restructured', 'not an IBAN as MT writes one (upper case, 15 to 34 characters): carried as an account number');
    return { other: writableText(value.iban, 'other') };
  }
  return Object.fromEntries(Object.entries(value).map(([inner, item]) => [inner, walk(item, inner, path === '' ? inner : `${path}.${inner}`, notes, depth + 1)]));
}

/** The model with every text writable in MT; `notes` gets a note for each text changed. */
export function writableInMt<T>(model: T, notes: Notes): T {
  return walk(model, '', '', notes, 0) as T;
}
