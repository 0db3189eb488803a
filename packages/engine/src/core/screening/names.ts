/**
 * Name normalisation for screening: the same person written in different cases, with or without
 * accents, punctuation or word order, comes to the same key. Every script is kept: an Arabic or
 * Cyrillic name stays in its letters (transliteration between scripts is the compliance engine's
 * work, not this one's).
 */

/**
 * Apostrophe-like characters: ASCII ', grave and acute accents, the curly quotes, the modifier
 * letters ʼ ʻ ʹ (ʻ and ʼ are letters to Unicode, which would otherwise keep them inside tokens).
 * They are replaced before NFKD (which would turn ´ into a space and a combining mark) and again
 * after it (which turns ŉ into ʼn).
 */
const apostrophes = /['`´‘’‛′ʹʻʼʽˈ]/gu;
const apostrophe = "'";
/** An apostrophe between two letters or digits joins them (O'Brien → obrien); anywhere else it separates. */
const apostropheInWord = /(?<=[\p{L}\p{N}])'(?=[\p{L}\p{N}])/gu;
/** Combining marks (accents, Arabic harakat), format characters (soft hyphen, zero-width joiners) and the Arabic tatweel, which only stretches a word: dropped without a trace. */
const invisible = /[\p{M}\p{Cf}\u0640]/gu;
/**
 * Latin letters NFKD leaves whole (a stroke or a ligature is not a combining mark), folded to the
 * letters they are written as where the keyboard lacks them: Søren is Soren, Łukasz Lukasz, Æron Aeron.
 */
const latinFolds: Readonly<Record<string, string>> = { ø: 'o', ł: 'l', đ: 'd', ð: 'd', æ: 'ae', œ: 'oe', þ: 'th', ħ: 'h', ı: 'i', ŧ: 't', ŀ: 'l', ƒ: 'f', ɨ: 'i', ʉ: 'u', ĸ: 'q' };
const latinFoldable = new RegExp(`[${Object.keys(latinFolds).join('')}]`, 'gu');

/** Anything that is not a letter or a digit separates tokens: punctuation, hyphens, symbols, spaces of every kind. */
const separators = /[^\p{L}\p{N}]+/gu;
const letter = /\p{L}/gu;

/**
 * A name in the form screening compares: NFKD, combining marks stripped, lower case (ß as ss,
 * stroke and ligature letters folded (ø as o, æ as ae),
 * final ς as σ, so that the same word has one spelling wherever it stands), apostrophes inside a
 * word removed, every other non-letter non-digit a single space, trimmed. Idempotent.
 */
export function normalizeName(name: string): string {
  const decomposed = name.replace(apostrophes, apostrophe).normalize('NFKD').toLowerCase().normalize('NFKD');
  return decomposed
    .replace(invisible, '')
    .replace(apostrophes, apostrophe)
    .replace(/ß/gu, 'ss')
    .replace(latinFoldable, (found) => latinFolds[found]!)
    .replace(/ς/gu, 'σ')
    .replace(apostropheInWord, '')
    .replace(separators, ' ')
    .trim();
}

/** The tokens of a name after normalising, each once. */
export function nameTokens(name: string): string[] {
  return tokensOfNormalized(normalizeName(name));
}

/**
 * The token set of a name, sorted by code unit and joined by one space: "HUSSEIN, Saddam" and
 * "Saddam Hussein" share the key "hussein saddam". Repeated tokens count once.
 */
export function nameKey(name: string): string {
  return keyOfNormalized(normalizeName(name));
}

/** `nameKey` of a name `normalizeName` already gave, for a caller that needs both. */
export function keyOfNormalized(normalized: string): string {
  return tokensOfNormalized(normalized).sort(compareCodeUnits).join(' ');
}

function tokensOfNormalized(normalized: string): string[] {
  return normalized === '' ? [] : [...new Set(normalized.split(' '))];
}

/** How many letters (of any script) a normalised name holds; digits and spaces do not count. */
export function letterCount(normalized: string): number {
  return normalized.match(letter)?.length ?? 0;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
