/**
 * The per-pair name scorer of fuzzy screening, and the qualifiers that adjust an entry's score.
 *
 * A name is prepared once: `normalizeName` (case, accents, punctuation), transliterated to Latin,
 * one-letter runs that spell a company form joined (S.A. → sa), and each word classified
 * (`stopwords.ts`): honorifics, titles and company forms are set aside, particles (al, bin) and
 * generic company words (trading, group) keep a small weight, every other word weighs its length.
 *
 * Two prepared names are compared token against token, in no order, as a set (after watchman's
 * best-pairs Jaro-Winkler and nomenklatura's name alignment, neither copied):
 *
 * 1. Each pair of tokens gets a similarity in [0, 1] (`tokenSimilarity`): 1 when equal; for other
 *    words Jaro-Winkler, lowered when the first letters or the lengths differ much, raised when
 *    the phonetic keys agree, compared also without an attached article (Alzarqawi, Zarqawi), then
 *    spread onto [0, 1] from `similarityFloor`, concavely, so that a loose resemblance earns little
 *    and a near one nearly all. A word that came from Arabic or Hebrew script, which write no short
 *    vowels (محمد is "mhmd"), is also compared by its consonants alone. An initial agrees with a
 *    word it begins. Tokens with digits agree only when equal (vessel STAR 1 is not
 *    STAR 2).
 * 2. A token equal to two tokens of the other name written together pairs with both (Abdulrahman,
 *    Abdul Rahman). Then pairs are taken greedily, best first, each token in at most one pair;
 *    pairs below `pairSimilarityMin` are not made.
 * 3. The score is the weighted share of agreement: Σ similarity × (weight of both tokens) over the
 *    weight of the paired tokens plus the weight of the unpaired ones. How much an unpaired token
 *    counts depends on the other name: when only one name has unpaired name words and at least two
 *    pairs were made, they are name parts the other name leaves out (a middle name) and count
 *    `surplusWeight`; when both names have some, each stands where the other name has a different
 *    word (Dusan Enrique for Jorge Enrique, another person of the family) and they count
 *    `conflictWeight`; otherwise in full. Both names are treated alike, so the score is symmetric.
 *    Names with different numbers lose `numbersMismatchPenalty`.
 *
 * Every part of a score is in its explanation: the values of the parts add up to the score.
 */
import { assert } from '../../assert';
import type { SanctionsEntry, SanctionsEntryType } from '../list';
import { normalizeName } from '../names';
import { jaroWinkler } from './jaro-winkler';
import { phoneticKey } from './phonetic';
import { classifyWord, isRomanNumeral, mergeLetterRuns, roleDescription, type NameKind, type WordRole } from './stopwords';
import { transliterateWord, writesNoShortVowels } from './transliterate';

/** The type of what a query names, as a teller knows it. */
export type FuzzyQueryType = 'person' | 'company' | 'vessel' | 'aircraft';

export interface FuzzyExplanationPart {
  /** What this part is: "name token", "unpaired token", "not compared", "weak alias", "type", "birth date", "nationality", "numbers", "bounds". */
  readonly part: string;
  /** What it adds to the score (negative for what it takes away); the values of one explanation add up to the score. */
  readonly value: number;
  readonly detail: string;
}

export interface PairScore {
  readonly score: number;
  readonly match: boolean;
  readonly explanation: readonly FuzzyExplanationPart[];
}

/**
 * The score at or above which a name is reported as a match. Chosen on the labelled set of
 * test/screening (real names of the lists, their variants and look-alikes) for recall first, then
 * precision; see the quality test for what it measures there and on the held-out set.
 */
export const shippedThreshold = 0.75;

/** Tokens of one name compared; the rest of a longer name is left out (the longest listed names have about 20 words). */
export const nameTokensMax = 24;
/** Weight of a particle or generic company word, per letter (a name word weighs 1 per letter). */
export const minorWordWeight = 0.3;
/** Least weight of a token with a digit: a number decides between vessels named alike. */
export const numericWeightMin = 4;
/** Weight of unpaired name parts that only one name has (a middle name the other leaves out). */
export const surplusWeight = 0.5;
/** Weight of unpaired name words when both names have some: a word of one name in place of a different word of the other (Jorge Enrique, Dusan Enrique). */
export const conflictWeight = 1.5;
/** Pairs less similar than this are not made: the tokens stay unpaired. */
export const pairSimilarityMin = 0.5;
/** Jaro-Winkler at or below this gives similarity 0; above it, the similarity rises to 1 as 1 − ((1 − jw) / (1 − floor))^`spreadExponent`. */
export const similarityFloor = 0.6;
export const spreadExponent = 1.2;
/** Similarity of an initial to a word it begins (J, John): below the shipped threshold, so that initials alone (E. S. Co.) match no name. */
export const initialSimilarity = 0.6;
/** Jaro-Winkler is multiplied by this when the first letters differ (it forgives a first-letter change too easily). */
export const firstLetterFactor = 0.92;
/** Words whose lengths are in a smaller ratio than this lose `lengthPenalty` of Jaro-Winkler per unit of ratio below it. */
export const lengthRatioMin = 0.8;
export const lengthPenalty = 0.6;
/** When two words' phonetic keys agree, Jaro-Winkler closes this share of its distance to 1 (Muhammad, Mohammed). */
export const phoneticBoost = 0.5;
/** Shortest phonetic key that counts as agreeing. */
export const phoneticKeyCharsMin = 2;
/** A word compared without its attached article (Alzarqawi ~ Zarqawi) loses this much. */
export const articleFactor = 0.96;
/** Jaro-Winkler given to a word without short vowels whose consonants are another word's (mhmd, mohammed). */
export const abjadEqualSimilarity = 0.95;
/** Score multiplier for a name of a weak (low-quality) alias. */
export const weakAliasFactor = 0.85;
/** Score taken away when both names have numbers and they differ. */
export const numbersMismatchPenalty = 0.2;

export type TokenRole = 'name' | 'particle' | 'generic';

export interface NameToken {
  /** The form compared (canonical for particles and generic words). */
  readonly text: string;
  readonly role: TokenRole;
  readonly weight: number;
  readonly phonetic: string;
  readonly numeric: boolean;
  /** Transliterated from a script that writes no short vowels (Arabic, Hebrew). */
  readonly abjad: boolean;
  /** The text without an attached article (alzarqawi → zarqawi), or the text, and its phonetic key. */
  readonly bare: string;
  readonly barePhonetic: string;
  /** The consonants (first letter kept) and `soundClasses` of the text, for comparing with a word written without short vowels. */
  readonly consonants: string;
  readonly sounds: string;
}

export interface IgnoredWord {
  readonly word: string;
  readonly role: WordRole;
}

export interface PreparedName {
  readonly tokens: readonly NameToken[];
  readonly ignored: readonly IgnoredWord[];
  readonly totalWeight: number;
}

const hasDigit = /[0-9]/;

/** A name ready to compare, for names of `kind`. */
export function prepareName(name: string, kind: NameKind, makeToken: TokenMaker = nameToken): PreparedName {
  const written = normalizeName(name).split(' ').filter((word) => word !== '');
  const abjad = new Set<string>();
  const latin = written.flatMap((word) => {
    const transliterated = transliterateWord(word);
    if (writesNoShortVowels(word)) abjad.add(transliterated);
    return transliterated === '' ? [] : [transliterated];
  });
  const words = mergeLetterRuns(latin, kind).slice(0, nameTokensMax);
  const kept = new Map<string, NameToken>();
  const ignored: IgnoredWord[] = [];
  for (const word of words) {
    if (isRomanNumeral(word, kind)) {
      if (!kept.has(word)) kept.set(word, makeToken(word, 'name', false, true));
      continue;
    }
    const { role, canonical } = classifyWord(word, kind);
    if (role === 'form' || role === 'honorific' || role === 'title') {
      if (!ignored.some((item) => item.word === word)) ignored.push({ word, role });
      continue;
    }
    if (!kept.has(canonical)) kept.set(canonical, makeToken(canonical, role, abjad.has(word), false));
  }
  // A name of nothing but honorifics or company forms ("Company Limited") is compared by those words.
  if (kept.size === 0) {
    for (const { word } of ignored) if (!kept.has(word)) kept.set(word, makeToken(word, 'name', abjad.has(word), false));
    ignored.length = 0;
  }
  const tokens = [...kept.values()];
  return { tokens, ignored, totalWeight: tokens.reduce((sum, token) => sum + token.weight, 0) };
}

export type TokenMaker = (text: string, role: TokenRole, abjad: boolean, roman: boolean) => NameToken;

/** A token of `text`; `roman` for a roman numeral, a number though it has no digit. */
export function nameToken(text: string, role: TokenRole, abjad = false, roman = false): NameToken {
  const numeric = roman || hasDigit.test(text);
  const weight = numeric ? Math.max(numericWeightMin, text.length) : role === 'name' ? text.length : text.length * minorWordWeight;
  const phonetic = numeric ? '' : phoneticKey(text);
  const bare = numeric ? text : withoutArticle(text);
  return {
    text,
    role,
    weight,
    phonetic,
    numeric,
    abjad: abjad && !numeric,
    bare,
    barePhonetic: bare === text ? phonetic : phoneticKey(bare),
    consonants: numeric ? '' : consonants(text),
    sounds: numeric ? '' : soundClasses(text),
  };
}

/** How alike two tokens are, in [0, 1] (see the file comment, step 1). Symmetric. */
export function tokenSimilarity(a: NameToken, b: NameToken): number {
  if (a.text === b.text) return 1;
  if (a.numeric || b.numeric) return 0;
  if (a.text.length === 1 || b.text.length === 1) return initialAgrees(a.text, b.text) ? initialSimilarity : 0;
  let similarity = wordSimilarity(a.text, b.text, a.phonetic, b.phonetic);
  if (a.bare !== a.text || b.bare !== b.text) {
    const bare = a.bare === b.bare ? 1 : wordSimilarity(a.bare, b.bare, a.barePhonetic, b.barePhonetic);
    similarity = Math.max(similarity, bare * articleFactor);
  }
  if (a.abjad || b.abjad) similarity = Math.max(similarity, consonantSimilarity(a, b));
  return spread(similarity);
}

/**
 * Similarity of two words by their consonants, for a word written without its short vowels: the
 * letters themselves (first letter kept), and their sound classes (the phonetic key, with J and K
 * one class: Arabic writes g as ج), whichever agrees better.
 */
function consonantSimilarity(a: NameToken, b: NameToken): number {
  return Math.max(classSimilarity(a.consonants, b.consonants), classSimilarity(a.sounds, b.sounds));
}

function classSimilarity(x: string, y: string): number {
  if (x.length < 2 || y.length < 2) return 0;
  return x === y ? abjadEqualSimilarity : wordSimilarity(x, y, '', '') * abjadEqualSimilarity;
}

function consonants(word: string): string {
  return (word[0]! + word.slice(1).replace(/[aeiouyw]/g, '')).replace(/(.)\1+/g, '$1');
}

/** The phonetic key with J and K one class and repeats once: what Arabic script keeps of a word's consonants. */
export function soundClasses(word: string): string {
  return phoneticKey(word).replace(/J/g, 'K').replace(/(.)\1+/g, '$1');
}

/** Jaro-Winkler of two words with the adjustments of step 1, before spreading. */
function wordSimilarity(a: string, b: string, phoneticA: string, phoneticB: string): number {
  let similarity = jaroWinkler(a, b);
  if (a.charCodeAt(0) !== b.charCodeAt(0)) similarity *= firstLetterFactor;
  // Jaro-Winkler forgives a difference in length too easily (Sepanirr, Sepah).
  const lengthRatio = Math.min(a.length, b.length) / Math.max(a.length, b.length);
  if (lengthRatio < lengthRatioMin) similarity *= 1 - (lengthRatioMin - lengthRatio) * lengthPenalty;
  const samePhoneticKey = phoneticA === phoneticB && phoneticA.length >= phoneticKeyCharsMin;
  if (samePhoneticKey && Math.min(a.length, b.length) >= 3) similarity += (1 - similarity) * phoneticBoost;
  return similarity;
}

function spread(similarity: number): number {
  if (similarity >= 1) return 1;
  if (similarity <= similarityFloor) return 0;
  return 1 - ((1 - similarity) / (1 - similarityFloor)) ** spreadExponent;
}

function initialAgrees(a: string, b: string): boolean {
  return a.length === 1 ? b.startsWith(a) : a.startsWith(b);
}

const attachedArticle = /^(?:al|el|ul)(?=[a-z]{3})/;

function withoutArticle(word: string): string {
  return word.replace(attachedArticle, '');
}

/** Why two tokens are as alike as `tokenSimilarity` says, in words. */
export function describeSimilarity(a: NameToken, b: NameToken): string {
  if (a.text === b.text) return 'equal';
  if (a.numeric || b.numeric) return 'numbers differ';
  if (a.text.length === 1 || b.text.length === 1) return initialAgrees(a.text, b.text) ? 'initial' : 'different initial';
  const jw = jaroWinkler(a.text, b.text);
  const notes = [`jaro-winkler ${jw.toFixed(2)}`];
  if (a.phonetic !== '' && a.phonetic === b.phonetic) notes.push(`same phonetic key ${a.phonetic}`);
  if (withoutArticle(a.text) !== a.text || withoutArticle(b.text) !== b.text) notes.push('compared also without the article');
  if (a.abjad || b.abjad) notes.push('compared also by consonants (written without short vowels)');
  return notes.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Comparing two names

/** The similarity of token `i` of the left name and token `j` of the right name (`tokenSimilarity`, or a memo of it). */
export type Similarity = (i: number, j: number) => number;

interface Pairing {
  /** Tokens of the first name in this pairing (one, or two written apart that the second name writes together). */
  readonly left: readonly number[];
  readonly right: readonly number[];
  readonly similarity: number;
}

export interface NameComparison {
  readonly score: number;
  readonly pairings: readonly Pairing[];
  readonly unpairedLeft: readonly number[];
  readonly unpairedRight: readonly number[];
  readonly leftFactor: number;
  readonly rightFactor: number;
  readonly denominator: number;
  readonly numbersDiffer: boolean;
}

/** Compares two prepared names (see the file comment, steps 2 and 3). Symmetric in its two names. */
export function compareNames(left: PreparedName, right: PreparedName, similarity?: Similarity): NameComparison {
  const a = left.tokens;
  const b = right.tokens;
  const between = similarity ?? ((i: number, j: number) => tokenSimilarity(a[i]!, b[j]!));
  if (a.length === 0 || b.length === 0) return { score: 0, pairings: [], unpairedLeft: a.map((_, i) => i), unpairedRight: b.map((_, j) => j), leftFactor: 1, rightFactor: 1, denominator: 0, numbersDiffer: false };
  const candidates: Candidate[] = [];
  for (let i = 0; i < a.length; i += 1) {
    for (let j = 0; j < b.length; j += 1) {
      const value = between(i, j);
      if (value >= pairSimilarityMin) candidates.push(candidate([i], [j], value, a[i]!.text, b[j]!.text));
    }
  }
  for (const compound of compounds(a, b)) candidates.push(candidate([compound.whole], compound.parts, 1, a[compound.whole]!.text, ''));
  for (const compound of compounds(b, a)) candidates.push(candidate(compound.parts, [compound.whole], 1, b[compound.whole]!.text, ''));
  if (candidates.length > 1) candidates.sort(byStrength);
  const usedLeft = new Uint8Array(a.length);
  const usedRight = new Uint8Array(b.length);
  const pairings: Pairing[] = [];
  for (const candidate of candidates) {
    if (candidate.left.some((i) => usedLeft[i] === 1) || candidate.right.some((j) => usedRight[j] === 1)) continue;
    for (const i of candidate.left) usedLeft[i] = 1;
    for (const j of candidate.right) usedRight[j] = 1;
    pairings.push({ left: candidate.left, right: candidate.right, similarity: candidate.similarity });
  }
  const unpairedLeft: number[] = [];
  for (let i = 0; i < a.length; i += 1) if (usedLeft[i] === 0) unpairedLeft.push(i);
  const unpairedRight: number[] = [];
  for (let j = 0; j < b.length; j += 1) if (usedRight[j] === 0) unpairedRight.push(j);
  const leftHasNames = unpairedLeft.some((i) => isNameWord(a[i]!));
  const rightHasNames = unpairedRight.some((j) => isNameWord(b[j]!));
  const conflict = leftHasNames && rightHasNames ? conflictWeight : 1;
  const leftFactor = !rightHasNames && pairings.length >= 2 ? surplusWeight : conflict;
  const rightFactor = !leftHasNames && pairings.length >= 2 ? surplusWeight : conflict;
  let agreement = 0;
  let denominator = 0;
  for (const pairing of pairings) {
    const weight = pairWeight(pairing, a, b);
    agreement += pairing.similarity * weight;
    denominator += weight;
  }
  denominator += leftFactor * sumWeights(unpairedLeft, a) + rightFactor * sumWeights(unpairedRight, b);
  const numbersDiffer = numbersOf(a) !== '' && numbersOf(b) !== '' && numbersOf(a) !== numbersOf(b);
  const score = Math.max(0, agreement / denominator - (numbersDiffer ? numbersMismatchPenalty : 0));
  return { score, pairings, unpairedLeft, unpairedRight, leftFactor, rightFactor, denominator, numbersDiffer };
}

interface Candidate extends Pairing {
  readonly size: number;
  /** The pair's texts in code-unit order: ties are broken by them, so the order is the same whichever name is first. */
  readonly low: string;
  readonly high: string;
}

function candidate(left: number[], right: number[], similarity: number, x: string, y: string): Candidate {
  return { left, right, similarity, size: left.length + right.length, low: x < y ? x : y, high: x < y ? y : x };
}

/** Best first; among equals, single pairs before compounds, then by the texts. */
function byStrength(x: Candidate, y: Candidate): number {
  return y.similarity - x.similarity || x.size - y.size || compareText(x.low, y.low) || compareText(x.high, y.high);
}

function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A word that makes the name what it is: not a particle, generic word or initial. */
export function isNameWord(token: NameToken): boolean {
  return token.role === 'name' && token.text.length > 1;
}

function pairWeight(pairing: Pairing, a: readonly NameToken[], b: readonly NameToken[]): number {
  return sumWeights(pairing.left, a) + sumWeights(pairing.right, b);
}

function sumWeights(indexes: readonly number[], tokens: readonly NameToken[]): number {
  let sum = 0;
  for (const index of indexes) sum += tokens[index]!.weight;
  return sum;
}

/** The numbers of a name (its tokens with digits), sorted and joined: two names' numbers agree when these are equal. */
function numbersOf(tokens: readonly NameToken[]): string {
  let numbers = '';
  for (const token of tokens) if (token.numeric) numbers += numbers === '' ? token.text : ` ${token.text}`;
  return numbers === '' ? '' : numbers.split(' ').sort().join(' ');
}

/** Tokens of `wholes` (4 letters or more) equal to two different tokens of `parts` written together. */
function compounds(wholes: readonly NameToken[], parts: readonly NameToken[]): { whole: number; parts: number[] }[] {
  if (parts.length < 2) return [];
  let found: { whole: number; parts: number[] }[] | undefined;
  for (let whole = 0; whole < wholes.length; whole += 1) {
    const text = wholes[whole]!.text;
    if (text.length < 4) continue;
    // The shortest first part wins, so the pairing does not depend on the order of `parts`.
    let best: number[] | undefined;
    for (let first = 0; first < parts.length; first += 1) {
      const head = parts[first]!.text;
      if (head.length < 2 || head.length > text.length - 2 || (best !== undefined && head.length >= parts[best[0]!]!.text.length) || !text.startsWith(head)) continue;
      for (let second = 0; second < parts.length; second += 1) {
        const tail = parts[second]!.text;
        if (second !== first && head.length + tail.length === text.length && text.endsWith(tail)) {
          best = [first, second];
          break;
        }
      }
    }
    if (best !== undefined && !parts.some((token) => token.text === text)) (found ??= []).push({ whole, parts: best });
  }
  return found ?? [];
}

// ---------------------------------------------------------------------------------------------
// Explanations

export interface SideLabels {
  readonly left: string;
  readonly right: string;
}

/** The parts of a name score, which add up to it: one per pairing, one per unpaired token, the ignored words, the numbers. */
export function explainComparison(left: PreparedName, right: PreparedName, comparison: NameComparison, labels: SideLabels): FuzzyExplanationPart[] {
  const parts: FuzzyExplanationPart[] = [];
  const { denominator } = comparison;
  for (const pairing of comparison.pairings) {
    const leftText = pairing.left.map((i) => quoted(left.tokens[i]!.text)).join(' + ');
    const rightText = pairing.right.map((j) => quoted(right.tokens[j]!.text)).join(' + ');
    const weight = pairWeight(pairing, left.tokens, right.tokens);
    const how = pairing.left.length + pairing.right.length > 2 ? 'written together' : describeSimilarity(left.tokens[pairing.left[0]!]!, right.tokens[pairing.right[0]!]!);
    const sign = pairing.similarity === 1 ? '=' : '≈';
    parts.push({ part: 'name token', value: (pairing.similarity * weight) / denominator, detail: `${leftText} ${sign} ${rightText}: similarity ${pairing.similarity.toFixed(2)} (${how}), weight ${weight.toFixed(1)} of ${denominator.toFixed(1)}` });
  }
  const unpaired = (indexes: readonly number[], tokens: readonly NameToken[], factor: number, label: string, other: PreparedName) => {
    for (const index of indexes) {
      const token = tokens[index]!;
      const nearest = other.tokens.reduce((best, candidate) => Math.max(best, tokenSimilarity(token, candidate)), 0);
      const unlike = nearest > 0 ? `its nearest token is only ${nearest.toFixed(2)} alike` : 'nothing like it in the other name';
      const why = factor < 1 ? `a name part the other name leaves out, counted at ${factor}` : factor > 1 ? `${unlike}, and the other name has a word of its own in its place, counted at ${factor}` : unlike;
      parts.push({ part: 'unpaired token', value: 0, detail: `${quoted(token.text)} (${token.role === 'name' ? 'name word' : roleDescription(token.role)}) of the ${label}: ${why}; weight ${(token.weight * factor).toFixed(1)} of ${denominator.toFixed(1)}` });
    }
  };
  unpaired(comparison.unpairedLeft, left.tokens, comparison.leftFactor, labels.left, right);
  unpaired(comparison.unpairedRight, right.tokens, comparison.rightFactor, labels.right, left);
  for (const [name, label] of [[left, labels.left], [right, labels.right]] as const) {
    for (const word of name.ignored) parts.push({ part: 'not compared', value: 0, detail: `${roleDescription(word.role)} ${quoted(word.word)} of the ${label}` });
  }
  if (comparison.numbersDiffer) {
    const raw = comparison.pairings.reduce((sum, pairing) => sum + pairing.similarity * pairWeight(pairing, left.tokens, right.tokens), 0) / denominator;
    parts.push({ part: 'numbers', value: comparison.score - raw, detail: `the names hold different numbers (${numbersOf(left.tokens)} and ${numbersOf(right.tokens)})` });
  }
  if (comparison.pairings.length === 0) parts.push({ part: 'name token', value: 0, detail: 'no token of one name is like a token of the other' });
  return parts;
}

function quoted(text: string): string {
  return `"${text}"`;
}

// ---------------------------------------------------------------------------------------------
// Pairs and qualifiers

export interface PairOptions {
  /** The score at or above which the pair is a match; `shippedThreshold` unless given. */
  readonly threshold?: number;
  /** What both names are of, when known: decides which words are honorifics, titles or company forms. */
  readonly type?: FuzzyQueryType;
}

/** The kind of name a query of `type` is. */
export function queryKind(type: FuzzyQueryType | undefined): NameKind {
  switch (type) {
    case undefined:
      return 'unknown';
    case 'person':
      return 'person';
    case 'company':
      return 'organisation';
    case 'vessel':
    case 'aircraft':
      return 'object';
  }
}

/** The kind of name an entry of `type` has. */
export function entryKind(type: SanctionsEntryType): NameKind {
  switch (type) {
    case 'individual':
      return 'person';
    case 'entity':
      return 'organisation';
    case 'vessel':
    case 'aircraft':
      return 'object';
    case 'unknown':
      return 'unknown';
  }
}

/** Two names scored by the scorer screening uses, with the explanation of every part. Symmetric in `a` and `b`. */
export function scorePair(a: string, b: string, options: PairOptions = {}): PairScore {
  const threshold = options.threshold ?? shippedThreshold;
  assert(threshold >= 0 && threshold <= 1, 'scorePair: threshold outside [0, 1]');
  const kind = queryKind(options.type);
  const left = prepareName(a, kind);
  const right = prepareName(b, kind);
  const comparison = compareNames(left, right);
  return { score: comparison.score, match: comparison.score >= threshold, explanation: explainComparison(left, right, comparison, { left: 'first name', right: 'second name' }) };
}

export interface QualifierQuery {
  readonly type?: FuzzyQueryType;
  readonly birthDate?: string;
  readonly country?: string;
}

/** Score taken away when the query's type contradicts the entry's (a person against a vessel). */
export const typeMismatchPenalty = 0.3;
/** Score taken away when no birth date of the entry has the query's year. */
export const birthYearMismatchPenalty = 0.2;
/** Score taken away when a birth date of the entry has the query's year but none agrees on month and day. */
export const birthDateMismatchPenalty = 0.1;
/** Score added when a birth date agrees to the day. */
export const birthDateMatchBonus = 0.05;
/** Score added when a birth date agrees as far as both are known, but not to the day. */
export const birthYearMatchBonus = 0.02;
/** Score taken away when the entry has nationalities and the query's country is not one of them. */
export const nationalityMismatchPenalty = 0.1;
/** Score added when the query's country is a nationality of the entry. */
export const nationalityMatchBonus = 0.03;

const datePattern = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const countryPattern = /^[A-Za-z]{2}$/;

const typeAgrees: Readonly<Record<FuzzyQueryType, SanctionsEntryType>> = { person: 'individual', company: 'entity', vessel: 'vessel', aircraft: 'aircraft' };

/** The qualifier parts of an entry's score: type, birth date, nationality (each only when both sides know it). */
export function qualifierParts(query: QualifierQuery, entry: SanctionsEntry): FuzzyExplanationPart[] {
  const parts: FuzzyExplanationPart[] = [];
  if (query.type !== undefined && entry.type !== 'unknown' && typeAgrees[query.type] !== entry.type) {
    parts.push({ part: 'type', value: -typeMismatchPenalty, detail: `the query is a ${query.type}, the entry a${entry.type === 'individual' || entry.type === 'entity' || entry.type === 'aircraft' ? 'n' : ''} ${entry.type}` });
  }
  const birthDates = entry.birthDates ?? [];
  if (query.birthDate !== undefined && birthDates.length > 0) parts.push(birthDatePart(query.birthDate, birthDates));
  const nationalities = entry.nationalities ?? [];
  if (query.country !== undefined && nationalities.length > 0) {
    assert(countryPattern.test(query.country), 'screenFuzzy: country is not an ISO 3166 alpha-2 code');
    const country = query.country.toUpperCase();
    const agrees = nationalities.some((nationality) => nationality.toUpperCase() === country);
    parts.push(
      agrees
        ? { part: 'nationality', value: nationalityMatchBonus, detail: `${country} is a nationality of the entry` }
        : { part: 'nationality', value: -nationalityMismatchPenalty, detail: `${country} is not a nationality of the entry (${nationalities.join(', ')})` },
    );
  }
  return parts;
}

interface PartialDate {
  readonly year: string;
  readonly month: string | undefined;
  readonly day: string | undefined;
}

function partialDate(text: string): PartialDate | undefined {
  const found = datePattern.exec(text);
  return found === null ? undefined : { year: found[1]!, month: found[2], day: found[3] };
}

function birthDatePart(queryDate: string, entryDates: readonly string[]): FuzzyExplanationPart {
  const query = partialDate(queryDate);
  assert(query !== undefined, 'screenFuzzy: birthDate is not YYYY, YYYY-MM or YYYY-MM-DD');
  const dates = entryDates.flatMap((text) => partialDate(text) ?? []);
  const agreeing = dates.filter((date) => date.year === query.year && agreesWhereKnown(date.month, query.month) && agreesWhereKnown(date.day, query.day));
  if (agreeing.some((date) => date.day !== undefined && query.day !== undefined)) return { part: 'birth date', value: birthDateMatchBonus, detail: `born ${queryDate}, as the entry` };
  if (agreeing.length > 0) return { part: 'birth date', value: birthYearMatchBonus, detail: `born ${queryDate}, which agrees with the entry's ${agreeing.map(format).join(', ')} as far as both go` };
  const listed = entryDates.join(', ');
  if (dates.some((date) => date.year === query.year)) return { part: 'birth date', value: -birthDateMismatchPenalty, detail: `born ${queryDate}: the entry's birth dates (${listed}) have the year but not the day` };
  return { part: 'birth date', value: -birthYearMismatchPenalty, detail: `born ${queryDate}: no birth date of the entry (${listed}) has that year` };
}

function agreesWhereKnown(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

function format(date: PartialDate): string {
  return [date.year, date.month, date.day].filter((part) => part !== undefined).join('-');
}

/** The parts' sum within [0, 1], with a "bounds" part for what the bounds cut off, so that the parts still add up. */
export function boundedScore(parts: FuzzyExplanationPart[]): number {
  const sum = parts.reduce((total, part) => total + part.value, 0);
  const bounded = Math.min(1, Math.max(0, sum));
  if (bounded !== sum) parts.push({ part: 'bounds', value: bounded - sum, detail: `a score is within 0 and 1 (the parts add up to ${sum.toFixed(3)})` });
  return bounded;
}
