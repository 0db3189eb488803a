/**
 * A phonetic key for one name token: a simplified key of the Metaphone family (Lawrence Philips'
 * Metaphone, 1990, and the primary code of his Double Metaphone, 2000), not either of them
 * exactly. It keeps their main ideas (a consonant skeleton, vowels dropped except a leading one,
 * digraphs read as one sound, voiced and unvoiced pairs merged: B/P, D/T, G/K/Q/C, V/F, S/Z) and
 * leaves out their English spelling rules, which do not help here. Instead it is tuned for the
 * Latin spellings of names that reach a sanctions list through transliteration from Arabic,
 * Persian, Russian and the other scripts of `transliterate.ts`:
 *
 * - kh, ch and sh of one transliteration are h, tch and sch of another: kh is H (Khusein, Hussein),
 *   sh, sch, shch, tch and ch are X, zh, j, dj and dzh are J;
 * - y is a vowel after the first letter (Husayn, Hussein), and a leading y, like any leading vowel,
 *   is A (Yusuf, Iosif, Usuf);
 * - w is kept only as a first letter (Walid, Valid); inside a word it is a glide (Dawood, Daoud);
 * - a final h after a vowel is silent (Abdullah, Abdulla); every other h is kept (Mhmd, Mohammed);
 * - repeated codes count once (Saddam, Sadam), and the key is at most `phoneticKeyCharsMax` codes.
 *
 * A token with a character outside a-z and 0-9 (a script without a table, such as Han) has no key.
 */

export const phoneticKeyCharsMax = 8;

/** Multi-letter spellings of one sound, longest first at each position. */
const digraphs: readonly (readonly [string, string])[] = [
  ['shch', 'X'],
  ['dzh', 'J'],
  ['sch', 'X'],
  ['tch', 'X'],
  ['sh', 'X'],
  ['ch', 'X'],
  ['zh', 'J'],
  ['dj', 'J'],
  ['kh', 'H'],
  ['gh', 'K'],
  ['ph', 'F'],
  ['th', 'T'],
  ['dh', 'T'],
  ['ts', 'S'],
  ['tz', 'S'],
  ['ck', 'K'],
  ['qu', 'K'],
];

const letters: Readonly<Record<string, string>> = {
  b: 'P',
  p: 'P',
  f: 'F',
  v: 'F',
  d: 'T',
  t: 'T',
  g: 'K',
  k: 'K',
  q: 'K',
  s: 'S',
  z: 'S',
  j: 'J',
  l: 'L',
  m: 'M',
  n: 'N',
  r: 'R',
  x: 'KS',
};

const vowels = 'aeiouy';
const plainToken = /^[a-z0-9]+$/;

/** The key of a lower-case Latin token, or '' when it has none. */
export function phoneticKey(token: string): string {
  if (!plainToken.test(token)) return '';
  let key = '';
  let last = '';
  const push = (code: string): void => {
    if (code !== last) key += code;
    last = code;
  };
  for (let at = 0; at < token.length && key.length < phoneticKeyCharsMax; ) {
    const digraph = digraphs.find(([spelling]) => token.startsWith(spelling, at));
    if (digraph !== undefined) {
      push(digraph[1]);
      at += digraph[0].length;
      continue;
    }
    const letter = token[at]!;
    at += 1;
    if (vowels.includes(letter) || letter === 'w') {
      if (at === 1) push(letter === 'w' ? 'F' : 'A');
      else last = '';
      continue;
    }
    if (letter === 'h') {
      const silentFinal = at === token.length && at >= 2 && vowels.includes(token[at - 2]!);
      if (!silentFinal) push('H');
      continue;
    }
    if (letter === 'c') {
      push('eiy'.includes(token[at] ?? '') ? 'S' : 'K');
      continue;
    }
    push(letters[letter] ?? letter);
  }
  return key.slice(0, phoneticKeyCharsMax);
}
