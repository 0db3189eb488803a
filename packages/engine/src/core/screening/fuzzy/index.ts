/**
 * Fuzzy screening of a name against every name (primary, aliases, weak aliases) of the published
 * sanctions lists: `buildFuzzyIndex` once per set of lists, `screenFuzzy` per name screened.
 *
 * A query reaches a small part of the index, by blocking on its tokens (no scan of every name):
 *
 * 1. Candidate tokens for each query token, from the keys the index holds for every distinct
 *    token of every name: the token and its one-letter deletions (so every token one edit away,
 *    typing errors of all kinds, SymSpell's idea), its phonetic key (transliteration variants:
 *    Muhammad, Mohamed), its first and its last four letters (a long word with two errors at
 *    one end), its consonant classes for a query word from Arabic or Hebrew script (اجور, Igor),
 *    and two tokens that the query writes as one (Abdulrahman). A long query word that none of
 *    these finds a near match for is looked up by its letter trigrams too (two errors anywhere).
 *    Two query tokens written together may be one token of the index (Hu Ssein). Each candidate
 *    token is scored against the query token with the scorer's own `tokenSimilarity`; those below
 *    `pairSimilarityMin` are dropped.
 * 2. The names holding those tokens, rarest query token first. Particles and generic words (al,
 *    trading) are in thousands of names and weigh little: retrieval reads them only in a query of
 *    nothing else ("General Trading Co"). Query
 *    tokens read after `postingsVisitedMax` postings only add to names already reached, bringing
 *    in no new ones. Each name reached gets an estimate of its score from the weight of
 *    the query it agrees with, A: the score it would have if the agreeing words were equal and
 *    paired with list words of the same weight, the query's other words unpaired and the list
 *    name's other words left out, 2A / (2A + (Q − A) + ½ (N − A)) for the weights Q and N of the
 *    query's and the name's words that retrieval reads (not particles and generic words). Names
 *    estimated below `estimateSlack` under the lowest score reported are not scored.
 * 3. The `candidatesMax` best estimates are scored in full with `compareNames`, the same per-pair
 *    scorer as `scorePair` (token similarities computed in step 1 are reused); an entry's score is
 *    that of its best name, a weak alias counting `weakAliasFactor`, then its qualifiers (type,
 *    birth date, nationality). A name whose words are all in a longer name of the same entry
 *    (HUSSEIN, Saddam in AL-TIKRITI, Saddam Hussein) speaks for a query only if the query has no
 *    name word it lacks; otherwise the longer name decides, which the extra word may contradict
 *    ("Saddam Hussein Kamel" is not "Saddam Hussein al-Tikriti"), as nomenklatura does by
 *    consolidating an entity's names.
 *
 * `screenFuzzyByScan` scores every name of the index in the same way: the reference the index is
 * tested against, and the baseline of its benchmark.
 */
import { assert } from '../../assert';
import type { SanctionsEntry, SanctionsEntryType, SanctionsList } from '../list';
import { screenedNameCharsMax, screeningListsMax } from '../screen';
import {
  boundedScore,
  compareNames,
  entryKind,
  explainComparison,
  isNameWord,
  nameToken,
  nameTokensMax,
  pairSimilarityMin,
  prepareName,
  qualifierParts,
  queryKind,
  shippedThreshold,
  surplusWeight,
  tokenSimilarity,
  weakAliasFactor,
  type FuzzyExplanationPart,
  type FuzzyQueryType,
  type NameToken,
  type PreparedName,
  type NameComparison,
  type TokenRole,
} from './score';

export {
  scorePair,
  shippedThreshold,
  nameTokensMax,
  weakAliasFactor,
  type FuzzyExplanationPart,
  type FuzzyQueryType,
  type PairOptions,
  type PairScore,
} from './score';
export { transliterateToLatin } from './transliterate';
export { phoneticKey } from './phonetic';
export { jaroWinkler } from './jaro-winkler';

export interface FuzzyQuery {
  readonly name: string;
  readonly type?: FuzzyQueryType;
  /** YYYY, YYYY-MM or YYYY-MM-DD. */
  readonly birthDate?: string;
  /** ISO 3166-1 alpha-2, compared with the entry's nationalities. */
  readonly country?: string;
}

export interface FuzzyOptions {
  /** The score at or above which a result is a match; `shippedThreshold` unless given. */
  readonly threshold?: number;
  /** Results returned, best first; `fuzzyMatchesDefault` unless given, at most `fuzzyMatchesMax`. */
  readonly limit?: number;
}

export interface FuzzyMatch {
  readonly listId: string;
  readonly entryId: string;
  readonly entryType: SanctionsEntryType;
  /** The entry's name, as the list writes it, that scored best. */
  readonly matchedName: string;
  /** In [0, 1]: the sum of the explanation's values. */
  readonly score: number;
  /** The score reached the threshold. Results down to `nearMissMargin` below it are returned too, with `match` false. */
  readonly match: boolean;
  readonly explanation: readonly FuzzyExplanationPart[];
}

/** The longest name screened, in UTF-16 code units: the same bound as exact screening. */
export const fuzzyQueryCharsMax = screenedNameCharsMax;
/** Names scored in full for one query (step 3). */
export const candidatesMax = 160;
/** Candidate index tokens kept for one query token (step 1), the most similar first. */
export const similarTokensMax = 48;
/** Postings read before further query tokens stop bringing in new names (step 2). */
export const postingsVisitedMax = 40_000;
/** Results one screening returns at most. */
export const fuzzyMatchesMax = 100;
export const fuzzyMatchesDefault = 10;
/** Results this far below the threshold are returned as near misses (match false), for the reviewer. */
export const nearMissMargin = 0.1;
/** How far below the lowest score reported (threshold less `nearMissMargin`) a name's estimate may be and still be scored. */
export const estimateSlack = 0.15;
/** Shortest token indexed by its one-letter deletions (shorter ones only as themselves). */
export const deletionTokenCharsMin = 3;

interface IndexedName {
  readonly entry: number;
  readonly name: string;
  readonly weak: boolean;
  readonly prepared: PreparedName;
  /** The text id of each of its tokens. */
  readonly ids: Int32Array;
  /** The weight of its tokens that retrieval reads (`role` name). */
  readonly retrievedWeight: number;
  /** Longer names of the same entry holding every word of this one. */
  readonly containers: readonly number[];
}

/** Least similarity of each word of a name to its word in a longer name of the entry, for the longer name to contain it. */
export const containedSimilarityMin = 0.8;

interface IndexedEntry {
  readonly listId: string;
  readonly entry: SanctionsEntry;
}

/** Per-query working arrays, one per index, cleared after each query (screening is synchronous). */
interface Scratch {
  /** Similarity of query token p to text t at p × texts + t, valid where `similarityStamp` is the query's `generation`. */
  readonly similarity: Float64Array;
  readonly similarityStamp: Uint32Array;
  generation: number;
  /** Per name. */
  readonly agreement: Float64Array;
  readonly lastToken: Int32Array;
  readonly lastValue: Float64Array;
  readonly touched: number[];
  /** Per text: trigrams shared with the query token. */
  readonly trigramCounts: Int32Array;
  readonly trigramTouched: number[];
}

/** Shortest query token looked up by its trigrams, when no other key found a text at least `nearMatchSimilarity` like it. */
export const trigramTokenCharsMin = 7;
export const nearMatchSimilarity = 0.9;
/** Trigrams in more texts than this say too little to be read. */
export const trigramPostingsMax = 1_500;
/** Share of a query token's trigrams a text must have to be compared with it. */
export const trigramShareMin = 0.3;

/**
 * The index of `buildFuzzyIndex`. Its `scratch` arrays are reused by every screening (each runs to
 * its end synchronously, so callers may share one index); everything else is fixed once built.
 */
export interface FuzzyIndex {
  readonly listIds: readonly string[];
  readonly entries: readonly IndexedEntry[];
  readonly names: readonly IndexedName[];
  /** Distinct token texts of every name; a token's id is its position here. */
  readonly texts: readonly string[];
  /** From `textKey` to the token's id. */
  readonly textIds: ReadonlyMap<string, number>;
  /** A representative token of each text, for similarities. */
  readonly textTokens: readonly NameToken[];
  /** Names holding each text. */
  readonly postings: readonly Int32Array[];
  /** A text, and each of its one-letter deletions → the texts it comes from. */
  readonly deletions: ReadonlyMap<string, readonly number[]>;
  readonly phonetics: ReadonlyMap<string, readonly number[]>;
  /** `affixKeys` of the texts of `affixTokenCharsMin` letters or more → those texts. */
  readonly affixes: ReadonlyMap<string, readonly number[]>;
  /** `soundClasses` → texts, for query words written without short vowels. */
  readonly sounds: ReadonlyMap<string, readonly number[]>;
  /** Letter trigrams (of the word between ^ and $) → texts of five letters or more. */
  readonly trigrams: ReadonlyMap<string, Int32Array>;
  readonly scratch: Scratch;
}

/** The index of every name of `lists`. */
export function buildFuzzyIndex(lists: readonly SanctionsList[]): FuzzyIndex {
  assert(lists.length <= screeningListsMax, `buildFuzzyIndex: more than ${screeningListsMax} lists`);
  const listIds = lists.map((list) => list.listId);
  assert(new Set(listIds).size === listIds.length, 'buildFuzzyIndex: two lists with one listId');
  const { entries, names } = indexNames(lists);
  const { texts, textIds, textTokens, postings } = indexTexts(names);
  const blocking = blockingKeys(texts, textTokens);
  return {
    listIds,
    entries,
    names,
    texts,
    textIds,
    textTokens,
    postings,
    ...blocking,
    scratch: {
      similarity: new Float64Array(nameTokensMax * texts.length),
      similarityStamp: new Uint32Array(nameTokensMax * texts.length),
      generation: 0,
      agreement: new Float64Array(names.length),
      lastToken: new Int32Array(names.length).fill(-1),
      lastValue: new Float64Array(names.length),
      touched: [],
      trigramCounts: new Int32Array(texts.length),
      trigramTouched: [],
    },
  };
}

/** Every entry, and every name and weak name of each, prepared; tokens are shared between names. */
function indexNames(lists: readonly SanctionsList[]): { entries: IndexedEntry[]; names: IndexedName[] } {
  const entries: IndexedEntry[] = [];
  const names: IndexedName[] = [];
  const interned = new Map<string, NameToken>();
  const intern = (text: string, role: TokenRole, abjad: boolean, roman: boolean): NameToken => {
    const key = `${role} ${abjad ? 1 : 0}${roman ? 1 : 0} ${text}`;
    let token = interned.get(key);
    if (token === undefined) interned.set(key, (token = nameToken(text, role, abjad, roman)));
    return token;
  };
  for (const list of lists) {
    for (const entry of list.entries) {
      const entryIndex = entries.push({ listId: list.listId, entry }) - 1;
      const kind = entryKind(entry.type);
      const weak = new Set(entry.weakNames ?? []);
      const first = names.length;
      for (const name of new Set([...entry.names, ...weak])) {
        const prepared = prepareName(name, kind, intern);
        if (prepared.tokens.length > 0) names.push({ entry: entryIndex, name, weak: weak.has(name), prepared, ids: new Int32Array(prepared.tokens.length), retrievedWeight: retrievedWeight(prepared), containers: [] });
      }
      linkContainers(names, first);
    }
  }
  return { entries, names };
}

/** The distinct texts of the names' tokens (filling each name's `ids`), and the names holding each. */
function indexTexts(names: readonly IndexedName[]): Pick<FuzzyIndex, 'texts' | 'textIds' | 'textTokens' | 'postings'> {
  const textIds = new Map<string, number>();
  const texts: string[] = [];
  const textTokens: NameToken[] = [];
  const postingLists: number[][] = [];
  for (const [nameIndex, name] of names.entries()) {
    for (const [position, token] of name.prepared.tokens.entries()) {
      const key = textKey(token);
      let id = textIds.get(key);
      if (id === undefined) {
        id = texts.push(token.text) - 1;
        textIds.set(key, id);
        textTokens.push({ ...token, role: 'name' });
        postingLists.push([]);
      }
      name.ids[position] = id;
      postingLists[id]!.push(nameIndex);
    }
  }
  return { texts, textIds, textTokens, postings: postingLists.map((list) => Int32Array.from(list)) };
}

/** The keys of step 1, each to the texts it finds. */
function blockingKeys(texts: readonly string[], textTokens: readonly NameToken[]): Pick<FuzzyIndex, 'deletions' | 'phonetics' | 'affixes' | 'sounds' | 'trigrams'> {
  const deletions = new Map<string, number[]>();
  const phonetics = new Map<string, number[]>();
  const affixes = new Map<string, number[]>();
  const sounds = new Map<string, number[]>();
  const trigrams = new Map<string, number[]>();
  for (const [id, text] of texts.entries()) {
    const token = textTokens[id]!;
    for (const key of blockingVariants(text)) addTo(deletions, key, id);
    if (token.phonetic.length >= 2) addTo(phonetics, token.phonetic, id);
    for (const key of affixKeys(token)) addTo(affixes, key, id);
    if (token.numeric) continue;
    if (token.sounds.length >= 2) addTo(sounds, token.sounds, id);
    if (text.length >= 5) for (const gram of trigramsOf(text)) addTo(trigrams, gram, id);
  }
  return { deletions, phonetics, affixes, sounds, trigrams: new Map([...trigrams].map(([gram, ids]) => [gram, Int32Array.from(ids)])) };
}

/**
 * What a token's similarity to another depends on: its text, whether it was written without short
 * vowels, whether it is a number. Texts are indexed, and similarities remembered, under this key.
 */
function textKey(token: NameToken): string {
  if (token.abjad) return `${abjadMark}${token.text}`;
  if (token.numeric && !/[0-9]/.test(token.text)) return `${romanMark}${token.text}`;
  return token.text;
}

const abjadMark = '\u0000';
const romanMark = '\u0001';

function retrievedWeight(name: PreparedName): number {
  return name.tokens.reduce((sum, token) => sum + (token.role === 'name' ? token.weight : 0), 0);
}

/** Fills `containers` of the names of one entry, `names[first..]`. */
function linkContainers(names: IndexedName[], first: number): void {
  for (let inner = first; inner < names.length; inner += 1) {
    const containers: number[] = [];
    for (let outer = first; outer < names.length; outer += 1) {
      if (outer !== inner && contains(names[outer]!.prepared, names[inner]!.prepared)) containers.push(outer);
    }
    if (containers.length > 0) names[inner] = { ...names[inner]!, containers };
  }
}

function contains(outer: PreparedName, inner: PreparedName): boolean {
  if (inner.tokens.length >= outer.tokens.length || !inner.tokens.some(isNameWord)) return false;
  const comparison = compareNames(inner, outer);
  return comparison.unpairedLeft.length === 0 && comparison.pairings.every((pairing) => pairing.similarity >= containedSimilarityMin);
}

function addTo(map: Map<string, number[]>, key: string, id: number): void {
  const ids = map.get(key);
  if (ids === undefined) map.set(key, [id]);
  else if (ids[ids.length - 1] !== id) ids.push(id);
}

/** Shortest token indexed by its first and last four letters. */
export const affixTokenCharsMin = 6;
const affixChars = 4;

function trigramsOf(text: string): string[] {
  const padded = `^${text}$`;
  const grams: string[] = [];
  for (let at = 0; at + 3 <= padded.length; at += 1) grams.push(padded.slice(at, at + 3));
  return grams;
}

function affixKeys(token: NameToken): string[] {
  if (token.numeric || token.text.length < affixTokenCharsMin) return [];
  return [`<${token.text.slice(0, affixChars)}`, `>${token.text.slice(-affixChars)}`];
}

/** The keys a text is found by in `deletions`: itself, its one-letter deletions (`deletionTokenCharsMin` letters or more), and itself without an attached article. */
function blockingVariants(text: string): string[] {
  const variants = [text];
  if (text.length >= deletionTokenCharsMin && !/[0-9]/.test(text)) {
    for (let at = 0; at < text.length; at += 1) variants.push(text.slice(0, at) + text.slice(at + 1));
    const bare = text.replace(/^(?:al|el|ul)(?=[a-z]{4})/, '');
    if (bare !== text) variants.push(bare);
  }
  return variants;
}

// ---------------------------------------------------------------------------------------------
// Screening

interface Prepared {
  readonly query: FuzzyQuery;
  readonly name: PreparedName;
  readonly threshold: number;
  readonly limit: number;
}

function prepareQuery(query: FuzzyQuery, options: FuzzyOptions, caller: string): Prepared {
  assert(query.name.length <= fuzzyQueryCharsMax, `${caller}: a name over ${fuzzyQueryCharsMax} characters`);
  const threshold = options.threshold ?? shippedThreshold;
  assert(threshold >= 0 && threshold <= 1, `${caller}: threshold outside [0, 1]`);
  const limit = options.limit ?? fuzzyMatchesDefault;
  assert(Number.isInteger(limit) && limit >= 1 && limit <= fuzzyMatchesMax, `${caller}: limit is 1 to ${fuzzyMatchesMax}`);
  return { query, name: prepareName(query.name, queryKind(query.type)), threshold, limit };
}

/** The entries whose names are like the query's, best first (see the file comment). */
export function screenFuzzy(index: FuzzyIndex, query: FuzzyQuery, options: FuzzyOptions = {}): FuzzyMatch[] {
  const prepared = prepareQuery(query, options, 'screenFuzzy');
  if (prepared.name.tokens.length === 0) return [];
  const { candidates, memo } = retrieve(index, prepared.name, prepared.threshold - nearMissMargin - estimateSlack);
  return rank(index, prepared, candidates, memo);
}

/** `screenFuzzy` by scoring every name of the index: the reference for tests and benchmarks. */
export function screenFuzzyByScan(index: FuzzyIndex, query: FuzzyQuery, options: FuzzyOptions = {}): FuzzyMatch[] {
  const prepared = prepareQuery(query, options, 'screenFuzzyByScan');
  if (prepared.name.tokens.length === 0) return [];
  // The same memo of token similarities as `screenFuzzy`: the scan differs only in scoring every name.
  return rank(index, prepared, index.names.map((_, nameIndex) => nameIndex), memoFor(index, prepared.name));
}

interface Retrieval {
  readonly candidates: readonly number[];
  /** The similarity of query token `position` to text `id`, computed once per query. */
  readonly memo: Memo;
}

/** Steps 1 and 2: the names worth scoring, and a similarity that remembers what step 1 computed. */
function retrieve(index: FuzzyIndex, name: PreparedName, estimateMin: number): Retrieval {
  const memo = memoFor(index, name);
  // Particles and generic words (al, trading) are in thousands of names and weigh little: they are read only in a name of nothing else.
  const readsAll = !name.tokens.some((token) => token.role === 'name');
  const perToken = name.tokens.flatMap((token, position) => {
    if (token.role !== 'name' && !readsAll) return [];
    const similar = similarTexts(index, token, position, name.tokens, memo);
    const postings = similar.reduce((sum, [id]) => sum + index.postings[id]!.length, 0);
    return [{ token, position, similar, postings }];
  });
  addJoined(index, name, perToken);
  perToken.sort((x, y) => x.postings - y.postings);
  const { agreement, lastToken, lastValue, touched } = index.scratch;
  let visited = 0;
  for (const { token, position, similar } of perToken) {
    const bringsNew = visited < postingsVisitedMax;
    for (const [id, value] of similar) {
      const contribution = value * token.weight;
      const postings = index.postings[id]!;
      visited += postings.length;
      for (const nameIndex of postings) {
        if (lastToken[nameIndex] === position) {
          if (contribution > lastValue[nameIndex]!) {
            agreement[nameIndex]! += contribution - lastValue[nameIndex]!;
            lastValue[nameIndex] = contribution;
          }
          continue;
        }
        if (lastToken[nameIndex] === -1) {
          if (!bringsNew) continue;
          touched.push(nameIndex);
        }
        lastToken[nameIndex] = position;
        lastValue[nameIndex] = contribution;
        agreement[nameIndex]! += contribution;
      }
    }
  }
  const estimates: { nameIndex: number; estimate: number }[] = [];
  const queryWeight = readsAll ? name.totalWeight : retrievedWeight(name);
  for (const nameIndex of touched) {
    const agreed = agreement[nameIndex]!;
    const listed = index.names[nameIndex]!;
    const rest = Math.max(0, (readsAll ? listed.prepared.totalWeight : listed.retrievedWeight) - agreed);
    const estimate = (2 * agreed) / (2 * agreed + Math.max(0, queryWeight - agreed) + surplusWeight * rest);
    if (estimate >= estimateMin) estimates.push({ nameIndex, estimate });
    agreement[nameIndex] = 0;
    lastToken[nameIndex] = -1;
    lastValue[nameIndex] = 0;
  }
  touched.length = 0;
  if (estimates.length > candidatesMax) estimates.sort((x, y) => y.estimate - x.estimate || x.nameIndex - y.nameIndex);
  return { candidates: estimates.slice(0, candidatesMax).map((item) => item.nameIndex), memo };
}

/** A memo of `tokenSimilarity` between the query's tokens and the index's texts, for one query. */
function memoFor(index: FuzzyIndex, name: PreparedName): Memo {
  const { scratch } = index;
  scratch.generation = scratch.generation === 0xffffffff ? 1 : scratch.generation + 1;
  if (scratch.generation === 1) scratch.similarityStamp.fill(0);
  const generation = scratch.generation;
  const texts = index.texts.length;
  return {
    similarity: (position, id) => {
      const slot = position * texts + id;
      if (scratch.similarityStamp[slot] === generation) return scratch.similarity[slot]!;
      const value = tokenSimilarity(name.tokens[position]!, index.textTokens[id]!);
      scratch.similarity[slot] = value;
      scratch.similarityStamp[slot] = generation;
      return value;
    },
    known: (position, id) => scratch.similarityStamp[position * texts + id] === generation,
  };
}

/** Step 1 for one query token: index texts like it, with their similarity, best first. */
function similarTexts(index: FuzzyIndex, token: NameToken, position: number, queryTokens: readonly NameToken[], memo: Memo): [number, number][] {
  const found: [number, number][] = [];
  // Each text once: the memo knows which it has seen for this query token.
  const consider = (id: number) => {
    if (memo.known(position, id)) return;
    const value = memo.similarity(position, id);
    if (value >= pairSimilarityMin) found.push([id, value]);
  };
  const considerAll = (ids: readonly number[] | Int32Array | undefined) => {
    if (ids !== undefined) for (const id of ids) consider(id);
  };
  for (const mark of ['', abjadMark, romanMark]) {
    const exact = index.textIds.get(`${mark}${token.text}`);
    if (exact !== undefined) consider(exact);
  }
  if (!token.numeric && token.text.length >= 2) {
    for (const key of blockingVariants(token.text)) considerAll(index.deletions.get(key));
    if (token.text.length >= 3 && token.phonetic.length >= 2) considerAll(index.phonetics.get(token.phonetic));
    for (const key of affixKeys(token)) considerAll(index.affixes.get(key));
    if (token.abjad) considerAll(index.sounds.get(token.sounds));
  }
  if (token.text.length >= trigramTokenCharsMin && !token.numeric && !found.some(([, value]) => value >= nearMatchSimilarity)) considerAll(sharingTrigrams(index, token.text));
  for (const [id, share] of splitInTwo(index, token, queryTokens)) found.push([id, share]);
  found.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  return found.slice(0, similarTokensMax);
}

/**
 * Index texts that two query tokens are, written together in either order (Hu Ssein: hussein; Sa
 * Hara: sahara), added to the candidates of those of the two that retrieval reads, with their share
 * of the text.
 */
function addJoined(index: FuzzyIndex, name: PreparedName, perToken: readonly { readonly position: number; readonly similar: [number, number][]; postings: number }[]): void {
  const read = new Map(perToken.map((item) => [item.position, item]));
  for (const [first, a] of name.tokens.entries()) {
    for (const [second, b] of name.tokens.entries()) {
      if (first === second || a.numeric || b.numeric || (!read.has(first) && !read.has(second))) continue;
      const joined = a.text + b.text;
      const id = index.textIds.get(joined) ?? index.textIds.get(abjadMark + joined);
      if (id === undefined) continue;
      for (const [position, token] of [[first, a], [second, b]] as const) {
        const item = read.get(position);
        if (item === undefined) continue;
        item.similar.push([id, token.text.length / joined.length]);
        item.postings += index.postings[id]!.length;
      }
    }
  }
}

/** Texts sharing at least `trigramShareMin` of the trigrams of `text`. */
function sharingTrigrams(index: FuzzyIndex, text: string): number[] {
  const { trigramCounts, trigramTouched } = index.scratch;
  const grams = trigramsOf(text);
  for (const gram of grams) {
    const ids = index.trigrams.get(gram);
    if (ids === undefined || ids.length > trigramPostingsMax) continue;
    for (const id of ids) {
      if (trigramCounts[id] === 0) trigramTouched.push(id);
      trigramCounts[id]! += 1;
    }
  }
  const need = Math.max(2, Math.ceil(grams.length * trigramShareMin));
  const sharing: number[] = [];
  for (const id of trigramTouched) {
    if (trigramCounts[id]! >= need) sharing.push(id);
    trigramCounts[id] = 0;
  }
  trigramTouched.length = 0;
  return sharing;
}

/** Texts of the index that the query token is two of, written together (Abdulrahman: abdul, rahman), each with its share of the token. */
function splitInTwo(index: FuzzyIndex, token: NameToken, queryTokens: readonly NameToken[]): [number, number][] {
  const text = token.text;
  if (text.length < 4 || token.numeric) return [];
  const mark = token.abjad ? abjadMark : '';
  for (let cut = 2; cut <= text.length - 2; cut += 1) {
    const first = index.textIds.get(mark + text.slice(0, cut)) ?? index.textIds.get(text.slice(0, cut));
    const second = index.textIds.get(mark + text.slice(cut)) ?? index.textIds.get(text.slice(cut));
    if (first !== undefined && second !== undefined && !queryTokens.some((other) => other.text === text.slice(0, cut) || other.text === text.slice(cut))) {
      return [
        [first, cut / text.length],
        [second, (text.length - cut) / text.length],
      ];
    }
  }
  return [];
}

interface Scored {
  readonly nameIndex: number;
  readonly nameScore: number;
}

/** Step 3: full scores of the candidates, best name per entry, qualifiers, threshold, order, limit, explanations. */
/** `tokenSimilarity` between the query's tokens (by position) and the index's texts (by id), each computed once per query. */
interface Memo {
  readonly similarity: (position: number, id: number) => number;
  readonly known: (position: number, id: number) => boolean;
}

function rank(index: FuzzyIndex, prepared: Prepared, candidates: readonly number[], memo: Memo): FuzzyMatch[] {
  const compare = (nameIndex: number) => {
    const { prepared: listed, ids } = index.names[nameIndex]!;
    return compareNames(prepared.name, listed, (i, j) => memo.similarity(i, ids[j]!));
  };
  const bestPerEntry = new Map<number, Scored>();
  const containerScores = new Map<number, number>();
  const keep = (nameIndex: number, raw: number) => {
    const indexed = index.names[nameIndex]!;
    const nameScore = indexed.weak ? raw * weakAliasFactor : raw;
    const best = bestPerEntry.get(indexed.entry);
    if (best === undefined || nameScore > best.nameScore || (nameScore === best.nameScore && nameIndex < best.nameIndex)) bestPerEntry.set(indexed.entry, { nameIndex, nameScore });
  };
  for (const nameIndex of candidates) {
    const indexed = index.names[nameIndex]!;
    const comparison = compare(nameIndex);
    const queryHasMore = comparison.unpairedLeft.some((position) => isNameWord(prepared.name.tokens[position]!));
    if (indexed.containers.length === 0 || !queryHasMore) {
      keep(nameIndex, comparison.score);
      continue;
    }
    for (const container of indexed.containers) {
      let score = containerScores.get(container);
      if (score === undefined) containerScores.set(container, (score = compare(container).score));
      keep(container, score);
    }
  }
  const floor = prepared.threshold - nearMissMargin;
  const results: { entry: number; scored: Scored; qualifiers: FuzzyExplanationPart[]; score: number }[] = [];
  for (const [entry, scored] of bestPerEntry) {
    // Qualifiers add at most a few hundredths: a name this far below the floor cannot reach it.
    if (scored.nameScore < floor - 0.1) continue;
    const qualifiers = qualifierParts(prepared.query, index.entries[entry]!.entry);
    const score = Math.min(1, Math.max(0, qualifiers.reduce((sum, part) => sum + part.value, scored.nameScore)));
    if (score >= floor) results.push({ entry, scored, qualifiers, score });
  }
  results.sort((x, y) => y.score - x.score || x.entry - y.entry);
  return results.slice(0, prepared.limit).map(({ entry, scored, qualifiers }) => explainMatch(index, prepared, entry, scored, qualifiers, compare(scored.nameIndex)));
}

function explainMatch(index: FuzzyIndex, prepared: Prepared, entry: number, scored: Scored, qualifiers: FuzzyExplanationPart[], comparison: NameComparison): FuzzyMatch {
  const indexed = index.names[scored.nameIndex]!;
  const { listId, entry: listed } = index.entries[entry]!;
  const parts = explainComparison(prepared.name, indexed.prepared, comparison, { left: 'query', right: 'list name' });
  if (indexed.weak) parts.push({ part: 'weak alias', value: comparison.score * (weakAliasFactor - 1), detail: `"${indexed.name}" is a weak alias of the entry, counted at ${weakAliasFactor}` });
  parts.push(...qualifiers);
  const score = boundedScore(parts);
  return { listId, entryId: listed.id, entryType: listed.type, matchedName: indexed.name, score, match: score >= prepared.threshold, explanation: parts };
}
