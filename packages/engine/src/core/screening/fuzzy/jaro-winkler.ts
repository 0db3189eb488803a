/**
 * Jaro and Jaro-Winkler similarity of two tokens (W. E. Winkler, "String Comparator Metrics and
 * Enhanced Decision Rules in the Fellegi-Sunter Model of Record Linkage", 1990), by UTF-16 code
 * unit: screening compares tokens that `normalizeName` and the transliteration already reduced to
 * lower-case Latin letters and digits, where a code unit is a letter.
 *
 * The pair is put in one order (the smaller string first) before comparing, so the result does not
 * depend on which side is the query: the classic greedy matching of Jaro is not quite symmetric.
 */

/** Winkler's scaling factor for the common prefix. */
export const jaroWinklerPrefixScale = 0.1;
/** Winkler's longest common prefix rewarded. */
export const jaroWinklerPrefixMax = 4;
/** Winkler's boost threshold: the prefix bonus is only given to pairs already this similar. */
export const jaroWinklerBoostThreshold = 0.7;
/** Tokens longer than this are compared on their first this many code units (a name token is far shorter; it bounds the work). */
export const jaroTokenCharsMax = 64;

// Match flags, reused by every call (screening is synchronous; no call sees another's flags).
const scratchA = new Uint8Array(jaroTokenCharsMax);
const scratchB = new Uint8Array(jaroTokenCharsMax);

/** Jaro similarity in [0, 1]: 1 for identical strings, 0 when no character matches within the window. */
export function jaro(left: string, right: string): number {
  if (left === right) return 1;
  const [a, b] = ordered(left.slice(0, jaroTokenCharsMax), right.slice(0, jaroTokenCharsMax));
  if (a === b) return 1;
  const lengthA = a.length;
  const lengthB = b.length;
  if (lengthA === 0 || lengthB === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(lengthA, lengthB) / 2) - 1);
  const matchedA = scratchA.fill(0, 0, lengthA);
  const matchedB = scratchB.fill(0, 0, lengthB);
  let matches = 0;
  for (let i = 0; i < lengthA; i += 1) {
    const code = a.charCodeAt(i);
    const high = Math.min(lengthB - 1, i + window);
    for (let j = Math.max(0, i - window); j <= high; j += 1) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === code) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches += 1;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < lengthA; i += 1) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k += 1;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions += 1;
    k += 1;
  }
  const transpositions = halfTranspositions / 2;
  return (matches / lengthA + matches / lengthB + (matches - transpositions) / matches) / 3;
}

/** Jaro-Winkler similarity in [0, 1]: Jaro, raised for a common prefix of up to four characters. */
export function jaroWinkler(left: string, right: string): number {
  const similarity = jaro(left, right);
  if (similarity < jaroWinklerBoostThreshold) return similarity;
  const prefix = commonPrefixLength(left, right, jaroWinklerPrefixMax);
  return similarity + prefix * jaroWinklerPrefixScale * (1 - similarity);
}

export function commonPrefixLength(a: string, b: string, max: number): number {
  const limit = Math.min(max, a.length, b.length);
  let length = 0;
  while (length < limit && a.charCodeAt(length) === b.charCodeAt(length)) length += 1;
  return length;
}

function ordered(a: string, b: string): [string, string] {
  return a.length < b.length || (a.length === b.length && a <= b) ? [a, b] : [b, a];
}
