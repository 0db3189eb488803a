/**
 * A labelled set for measuring fuzzy screening, built deterministically (seeded) from the real
 * sanctions lists, read in place from ../shared/vectors/sanctions (never copied here).
 *
 * Every item is a query and the listed entry it is scored against, with a label:
 *
 * - **true variant** (label true): the query is one of the entry's own names (primary or alias)
 *   changed the way names change between a list and a customer file: typing errors (one or two),
 *   words swapped round, a word left out (a middle name, a second surname, one word of a long
 *   company name), Latin spelling variants of transliteration (Mohammed/Muhammad, ou/u, kh/h,
 *   -ov/-off), the name written in Cyrillic, Greek or Arabic script, an honorific or title added
 *   (Dr, Sheikh, General), accents added, the company form changed, dropped or added (LLC ↔
 *   Limited Liability Company ↔ OOO), or two of these together.
 * - **look-alike** (label false): a query close to the entry's name that does not refer to the
 *   entry: the entry's name with one given name replaced by a different real given name from the
 *   lists, or its surname by another listed person's surname; a company's distinctive word replaced
 *   by another listed company's; or the real name of another entry of the same type that shares a
 *   word with it. A quarter of the replacement look-alikes also get a spelling variant or a typo.
 *
 * What counts as "does not refer to the entry", decided without the scorer under test:
 * - the query's tokens (`nameTokens`) are not those of any name of the entry, nor a subset or a
 *   superset of them (a name with a word left out is the same name);
 * - a replacement word is at least 3 edits (Levenshtein) from every token of every name of the
 *   entry, and does not have the consonants of any of them (so Yusuf does not replace Iosif);
 * - the other entry is a different entry of the same list (a different ent_num: OFAC lists one
 *   subject once).
 * A look-alike may be, or be close to, a genuine name of some *other* entry (the name of another
 * entry always is): it is scored against its own entry only, and a hit on that other entry is
 * not counted as a false positive (the quality test reports how many there are).
 *
 * `buildLabelledSet` draws its entries with the given seed; the held-out set is drawn with another
 * seed from the entries the main set did not use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { nameTokens, normalizeName, parseEuFsfXml, parseOfacSdnCsv, parseOfacXml, parseUnConsolidatedXml, type SanctionsEntry, type SanctionsList } from '@qenex/engine';
import { seededFraction } from '@qenex/engine/testing';

export const vectorsRoot = fileURLToPath(new URL('../../../shared/vectors/sanctions/', import.meta.url));
export const vectorFiles = ['sdn.csv.gz', 'alt.csv.gz', 'UN_consolidated.xml.gz', 'ofac_consolidated_non_sdn.xml.gz', 'eu_fsf_1_1_sample.xml.gz'] as const;

export function missingVectors(): string[] {
  return vectorFiles.filter((file) => !existsSync(vectorsRoot + file)).map((file) => vectorsRoot + file);
}

function readVector(file: string): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(gunzipSync(readFileSync(vectorsRoot + file)));
}

/**
 * Every list the vectors hold, through the engine's converters: OFAC's SDN list (sdn.csv +
 * alt.csv), the UN Consolidated List, OFAC's consolidated non-SDN list (XML) and the EU sample.
 */
export function loadSanctionsLists(): SanctionsList[] {
  const converted = [
    parseOfacSdnCsv(readVector('sdn.csv.gz'), readVector('alt.csv.gz'), { listId: 'ofac-sdn', publishedAt: '2021-07-07' }, readVector('sdn_comments.csv.gz')),
    parseUnConsolidatedXml(readVector('UN_consolidated.xml.gz'), { listId: 'un-consolidated' }),
    parseOfacXml(readVector('ofac_consolidated_non_sdn.xml.gz'), { listId: 'ofac-consolidated' }),
  ];
  const eu = parseEuFsfXml(readVector('eu_fsf_1_1_sample.xml.gz'), { listId: 'eu-fsf-sample' });
  const lists: SanctionsList[] = [];
  for (const result of converted) {
    if (!result.ok) throw new Error(result.message);
    lists.push(result.value);
  }
  if (!eu.ok) throw new Error(eu.message);
  lists.push(eu.value.list);
  return lists;
}

export type QueryType = 'person' | 'company' | 'vessel' | 'aircraft';

export interface LabelledItem {
  readonly query: { readonly name: string; readonly type?: QueryType };
  readonly listId: string;
  readonly entryId: string;
  /** The query refers to the entry. */
  readonly label: boolean;
  /** How the query was made (a transformation, or a kind of look-alike). */
  readonly kind: string;
  /** The listed name the query was made from (for a look-alike of another entry, that entry's name). */
  readonly source: string;
}

export interface LabelledSet {
  readonly items: readonly LabelledItem[];
  /** Entries used (as the entry scored against, or as the source of a look-alike): `listId/entryId`. */
  readonly usedEntries: ReadonlySet<string>;
}

export interface LabelledSetOptions {
  readonly seed: number;
  readonly positives: number;
  readonly negatives: number;
  /** Entries (`listId/entryId`) not to use. */
  readonly exclude?: ReadonlySet<string>;
  /** Share of queries that carry the type of what they name. */
  readonly typedShare?: number;
}

// ---------------------------------------------------------------------------------------------
// Seeded choices

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seededFraction(seed);
  }
  fraction(): number {
    return this.next();
  }
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)]!;
  }
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let at = copy.length - 1; at > 0; at -= 1) {
      const other = this.int(at + 1);
      [copy[at], copy[other]] = [copy[other]!, copy[at]!];
    }
    return copy;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let at = this.next() * total;
    for (const [item, weight] of items) {
      at -= weight;
      if (at < 0) return item;
    }
    return items[items.length - 1]![0];
  }
}

// ---------------------------------------------------------------------------------------------
// Words

/** Name particles and generic company words: never the word a look-alike replaces, nor a "significant" word. */
const minorWords = new Set(
  'al el ul bin ibn ben bint abu abou umm ould de da di du del della der den des do dos das la le los las van von y e of the and for company co ltd limited llc inc corp corporation sa s a c v sac sas srl spa gmbh ag jsc ojsc pjsc cjsc ooo oao zao ao pte pvt plc bv nv doo eood ood sarl eirl cia ltda limitada compania compagnie sociedad societe anonima anonyme responsabilidad trading trade group holding holdings international industries industry industrial services service general bank enterprise enterprises establishment est import export shipping'.split(' '),
);

/** Honorifics and titles as the lists write them inside names (Haji, Mullah): not a given name, never replaced or dropped. */
const honorificWords = new Set('mr mrs ms dr doctor prof professor sheikh shaikh shaykh sheik cheikh haji hajji hadji hajj alhaj alhajj mullah mulla molla maulana mawlana mawlawi maulvi qari ustad general gen col colonel captain capt major commander president minister sir'.split(' '));

function letters(word: string): number {
  return (word.match(/\p{L}/gu) ?? []).length;
}

function isSignificant(word: string): boolean {
  const plain = normalizeName(word);
  return letters(plain) >= 3 && !plain.split(' ').every((part) => minorWords.has(part) || honorificWords.has(part));
}

/** The words that make a name itself: without particles, company forms, generic words and honorifics. */
function identityTokens(name: string): Set<string> {
  return new Set(nameTokens(name).filter((token) => !minorWords.has(token) && !honorificWords.has(token)));
}

/** "LAST, First Middle" as "First Middle LAST"; a name without a comma as it is. */
export function firstLast(name: string): string {
  const comma = name.indexOf(', ');
  return comma === -1 ? name : `${name.slice(comma + 2)} ${name.slice(0, comma)}`;
}

function splitWords(name: string): string[] {
  return name.split(/\s+/).filter((word) => word !== '');
}

/** A word written in `model`'s case: UPPER, Title or lower. */
function recase(word: string, model: string): string {
  if (model === model.toUpperCase() && model !== model.toLowerCase()) return word.toUpperCase();
  if (model[0] !== undefined && model[0] === model[0].toUpperCase() && model.slice(1) === model.slice(1).toLowerCase()) return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
  return word.toLowerCase();
}

function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

function consonantSkeleton(token: string): string {
  return token.replace(/[aeiouyhw]/g, '').replace(/(.)\1+/g, '$1');
}

function allNames(entry: SanctionsEntry): readonly string[] {
  return [...entry.names, ...(entry.weakNames ?? [])];
}

/** `word` is a different name from every token of `entry` (see the file comment). */
function differentWord(word: string, entry: SanctionsEntry): boolean {
  const tokens = nameTokens(word);
  const entryTokens = new Set(allNames(entry).flatMap((name) => nameTokens(name)));
  return tokens.every((token) => [...entryTokens].every((other) => levenshtein(token, other) >= 3 && consonantSkeleton(token) !== consonantSkeleton(other)));
}

/**
 * The query refers to `entry` by one of its names: the same identity tokens (the tokens less
 * particles, company forms, generic words and honorifics), or a subset or superset of them (see
 * the file comment).
 */
export function refersTo(query: string, entry: SanctionsEntry): boolean {
  const tokens = identityTokens(query);
  if (tokens.size === 0) return true;
  return allNames(entry).some((name) => {
    const other = identityTokens(name);
    const subset = [...tokens].every((token) => other.has(token));
    const superset = [...other].every((token) => tokens.has(token));
    return subset || superset;
  });
}

// ---------------------------------------------------------------------------------------------
// True variants

const keyboardNeighbours: Readonly<Record<string, string>> = {
  q: 'wa', w: 'qes', e: 'wrd', r: 'etf', t: 'ryg', y: 'tuh', u: 'yij', i: 'uok', o: 'ipl', p: 'ol', a: 'qsz', s: 'adwx', d: 'sfec', f: 'dgrv',
  g: 'fhtb', h: 'gjyn', j: 'hkum', k: 'jli', l: 'ko', z: 'asx', x: 'zsc', c: 'xdv', v: 'cfb', b: 'vgn', n: 'bhm', m: 'nj',
};

/** One typing error in `word`: a neighbouring key, a letter dropped, doubled, or two letters swapped. */
function typo(word: string, random: Random): string {
  const positions = [...word].flatMap((character, at) => (/\p{L}/u.test(character) ? [at] : []));
  if (positions.length < 4) return word;
  // Typing errors fall anywhere, the first letter less often (it is the one most often checked).
  const at = random.chance(0.1) ? positions[0]! : random.pick(positions.slice(1));
  const character = word[at]!;
  const lower = character.toLowerCase();
  const cased = (replacement: string) => (character === lower ? replacement : replacement.toUpperCase());
  switch (random.int(4)) {
    case 0: {
      const neighbours = keyboardNeighbours[lower];
      return neighbours === undefined ? word : word.slice(0, at) + cased(random.pick([...neighbours])) + word.slice(at + 1);
    }
    case 1:
      return word.slice(0, at) + word.slice(at + 1);
    case 2:
      return word.slice(0, at) + character + word.slice(at);
    default:
      return at + 1 < word.length && /\p{L}/u.test(word[at + 1]!) ? word.slice(0, at) + word[at + 1] + character + word.slice(at + 2) : word.slice(0, at) + word.slice(at + 1);
  }
}

/** Spellings of one name met in the lists and in customer files. */
const nameFamilies: readonly (readonly string[])[] = [
  ['mohammed', 'mohamed', 'muhammad', 'mohammad', 'muhammed', 'mohamad', 'mohamud'],
  ['ahmed', 'ahmad', 'ahmet'],
  ['hussein', 'husain', 'hussain', 'husayn', 'hussien', 'hossein'],
  ['hassan', 'hasan', 'hassen'],
  ['abdul', 'abdel', 'abd al', 'abdal'],
  ['osama', 'usama'],
  ['yusuf', 'yousef', 'youssef', 'yusef', 'yousuf'],
  ['abdullah', 'abdallah', 'abdulla'],
  ['omar', 'umar'],
  ['mahmoud', 'mahmud', 'mahmood'],
  ['khalid', 'khaled'],
  ['ibrahim', 'ebrahim', 'ibraheem'],
  ['mustafa', 'mostafa', 'moustafa'],
  ['said', 'saeed', 'saied'],
  ['abu', 'abou'],
  ['bin', 'ibn'],
  ['sergei', 'sergey', 'sergiy'],
  ['evgeny', 'yevgeny', 'evgeniy', 'yevgeniy'],
  ['aleksandr', 'alexander', 'aleksander', 'alexandr'],
  ['dmitri', 'dmitry', 'dmitriy'],
  ['yuri', 'yury', 'yuriy', 'iouri'],
  ['ali', 'aly'],
  ['jose', 'josé'],
  ['mohsen', 'mohsin', 'muhsin'],
  ['reza', 'riza'],
  ['qasim', 'kassem', 'qassem', 'kasim'],
  ['jafar', 'jaafar', 'jafer'],
  ['nasser', 'nasir', 'naser'],
];

/** Transliteration spelling rules (a pattern in a lower-case word, and what it becomes). */
const spellingRules: readonly (readonly [RegExp, string])[] = [
  [/ou/, 'u'], [/(?<=[^q])u/, 'ou'], [/oo/, 'u'], [/ee/, 'i'], [/(?<=[a-z])i(?=[a-z])/, 'ee'], [/(?<=[a-z])y(?=[a-z])/, 'i'], [/(?<=[aeo])i(?=[aeiou])/, 'y'],
  [/kh/, 'h'], [/^h/, 'kh'], [/q/, 'k'], [/(?<=[a-z])k/, 'q'], [/gh/, 'g'], [/dj/, 'j'], [/(?<=[a-z])j/, 'dj'], [/zh/, 'j'], [/ph/, 'f'], [/(?<=[a-z])f/, 'ph'],
  [/w/, 'v'], [/(?<=[a-z])v/, 'w'], [/mm/, 'm'], [/(?<=[aeiou])m(?=[aeiou])/, 'mm'], [/dd/, 'd'], [/(?<=[aeiou])d(?=[aeiou])/, 'dd'], [/ss/, 's'],
  [/(?<=[aeiou])s(?=[aeiou])/, 'ss'], [/ll/, 'l'], [/(?<=[aeiou])l(?=[aeiou])/, 'll'], [/tt/, 't'], [/(?<=[a-z]{2})a(?=[a-z]$)/, 'e'], [/(?<=[a-z]{2})e(?=[a-z]$)/, 'a'],
  [/(?<=[a-z])o(?=[a-z])/, 'u'], [/ov$/, 'off'], [/ev$/, 'eff'], [/iy$/, 'y'], [/ii$/, 'y'], [/(?<=[a-z]{3})y$/, 'iy'], [/ei/, 'ey'], [/ai/, 'ay'], [/ay/, 'ai'],
  [/aa/, 'a'], [/ie/, 'i'], [/dh/, 'd'], [/th/, 't'], [/(?<=[a-z])x/, 'ks'], [/ck/, 'k'], [/cz/, 'ch'], [/tch/, 'ch'], [/sch/, 'sh'],
];

/** A transliteration variant of one word, or `undefined` when no rule applies. */
function spellingVariant(word: string, random: Random): string | undefined {
  const lower = word.toLowerCase();
  const family = nameFamilies.find((spellings) => spellings.includes(lower));
  if (family !== undefined && random.chance(0.7)) return recase(random.pick(family.filter((spelling) => spelling !== lower)), word);
  const applicable = spellingRules.filter(([pattern]) => pattern.test(lower));
  if (applicable.length === 0) return undefined;
  const [pattern, replacement] = random.pick(applicable);
  return recase(lower.replace(pattern, replacement), word);
}

/** Latin → Cyrillic as a Russian clerk writes a foreign name (digraphs first). */
const toCyrillic: readonly (readonly [string, string])[] = [
  ['shch', 'щ'], ['sch', 'ш'], ['sh', 'ш'], ['ch', 'ч'], ['zh', 'ж'], ['kh', 'х'], ['ts', 'ц'], ['ya', 'я'], ['yu', 'ю'], ['ye', 'е'], ['yo', 'ё'],
  ['ou', 'у'], ['oo', 'у'], ['ee', 'и'], ['th', 'т'], ['ph', 'ф'], ['dh', 'д'], ['gh', 'г'], ['aa', 'а'], ['ck', 'к'],
  ['a', 'а'], ['b', 'б'], ['c', 'к'], ['d', 'д'], ['e', 'е'], ['f', 'ф'], ['g', 'г'], ['h', 'х'], ['i', 'и'], ['j', 'дж'], ['k', 'к'], ['l', 'л'],
  ['m', 'м'], ['n', 'н'], ['o', 'о'], ['p', 'п'], ['q', 'к'], ['r', 'р'], ['s', 'с'], ['t', 'т'], ['u', 'у'], ['v', 'в'], ['w', 'в'], ['x', 'кс'],
  ['y', 'й'], ['z', 'з'],
];

const toGreek: readonly (readonly [string, string])[] = [
  ['th', 'θ'], ['ch', 'χ'], ['kh', 'χ'], ['ph', 'φ'], ['ps', 'ψ'], ['sh', 'σ'], ['ou', 'ου'], ['oo', 'ου'], ['ee', 'ι'], ['ks', 'ξ'],
  ['a', 'α'], ['b', 'μπ'], ['c', 'κ'], ['d', 'ντ'], ['e', 'ε'], ['f', 'φ'], ['g', 'γκ'], ['h', 'χ'], ['i', 'ι'], ['j', 'τζ'], ['k', 'κ'], ['l', 'λ'],
  ['m', 'μ'], ['n', 'ν'], ['o', 'ο'], ['p', 'π'], ['q', 'κ'], ['r', 'ρ'], ['s', 'σ'], ['t', 'τ'], ['u', 'ου'], ['v', 'β'], ['w', 'ου'], ['x', 'ξ'],
  ['y', 'ι'], ['z', 'ζ'],
];

/** Latin → Arabic script, consonants and long vowels (short vowels are not written). */
const toArabic: readonly (readonly [string, string])[] = [
  ['sh', 'ش'], ['kh', 'خ'], ['th', 'ث'], ['dh', 'ذ'], ['gh', 'غ'], ['ch', 'تش'], ['aa', 'ا'], ['ee', 'ي'], ['ou', 'و'], ['oo', 'و'],
  ['b', 'ب'], ['c', 'ك'], ['d', 'د'], ['f', 'ف'], ['g', 'ج'], ['h', 'ه'], ['j', 'ج'], ['k', 'ك'], ['l', 'ل'], ['m', 'م'], ['n', 'ن'], ['p', 'ب'],
  ['q', 'ق'], ['r', 'ر'], ['s', 'س'], ['t', 'ت'], ['v', 'ف'], ['w', 'و'], ['x', 'كس'], ['y', 'ي'], ['z', 'ز'], ['i', 'ي'], ['u', 'و'], ['o', 'و'],
];

function writeWith(table: readonly (readonly [string, string])[], word: string): string {
  let out = '';
  for (let at = 0; at < word.length; ) {
    const found = table.find(([latin]) => word.startsWith(latin, at));
    if (found === undefined) {
      out += word[at];
      at += 1;
    } else {
      out += found[1];
      at += found[0].length;
    }
  }
  return out;
}

function arabicWord(word: string): string {
  // A leading vowel is an alif; a final a is an alif; other a and e are short vowels, not written.
  const lower = word.toLowerCase();
  const initial = /^[aeiou]/.test(lower) ? 'ا' : '';
  const body = (initial === '' ? lower : lower.replace(/^[aeiou]/, '')).replace(/a$/, '\u0000').replace(/[ae]/g, '');
  return initial + writeWith(toArabic, body).replace('\u0000', 'ا');
}

function inScript(name: string, script: 'cyrillic' | 'greek' | 'arabic'): string {
  const words = normalizeName(name).split(' ');
  switch (script) {
    case 'cyrillic':
      return words.map((word) => writeWith(toCyrillic, word)).join(' ');
    case 'greek':
      return words.map((word) => writeWith(toGreek, word).replace(/σ$/, 'ς')).join(' ');
    case 'arabic':
      return words.map((word, at) => (word === 'al' && at + 1 < words.length ? '\u0001' : arabicWord(word))).join(' ').replace(/\u0001 /g, 'ال');
  }
}

const personHonorifics = ['Mr', 'Mr.', 'Dr.', 'Dr', 'Sheikh', 'Shaykh', 'Haji', 'Mullah', 'Maulana', 'General', 'Gen.', 'Col.', 'Colonel', 'Prof.', 'Mrs', 'Ms', 'Captain'];

const accented: Readonly<Record<string, string>> = { a: 'áàâäã', e: 'éèêë', i: 'íïî', o: 'óöôõ', u: 'úüû', c: 'ç', n: 'ñ', s: 'şš', z: 'ž', g: 'ğ', y: 'ý' };

function addAccents(name: string, random: Random): string {
  const characters = [...name];
  const positions = characters.flatMap((character, at) => (accented[character.toLowerCase()] !== undefined ? [at] : []));
  if (positions.length === 0) return name;
  for (let count = 1 + random.int(3); count > 0; count -= 1) {
    const at = random.pick(positions);
    const character = characters[at]!;
    const choices = accented[character.toLowerCase()];
    if (choices === undefined) continue; // accented already
    const replacement = random.pick([...choices]);
    characters[at] = character === character.toLowerCase() ? replacement : replacement.toUpperCase();
  }
  return characters.join('');
}

/** Company forms by family: a form can become another of its family, be dropped, or (less often) become another family's. */
const formFamilies: readonly (readonly string[])[] = [
  ['LTD', 'LTD.', 'LIMITED', 'Limited', 'Ltd'],
  ['LLC', 'L.L.C.', 'Limited Liability Company', 'OOO', 'ООО'],
  ['JSC', 'OJSC', 'PJSC', 'Joint Stock Company', 'OAO', 'AO', 'ZAO', 'CJSC', 'ОАО'],
  ['CO', 'CO.', 'COMPANY', 'Company', 'Co.'],
  ['CORP', 'CORP.', 'CORPORATION', 'Corporation'],
  ['INC', 'INC.', 'Incorporated', 'Inc.'],
  ['S.A.', 'SA', 'S.A', 'Sociedad Anonima', 'S.A.S.', 'S.A.C.'],
  ['GMBH', 'GmbH', 'G.m.b.H.'],
  ['PLC', 'P.L.C.', 'Public Limited Company'],
];
const formSpellings = new Map(formFamilies.flatMap((family, index) => family.map((spelling) => [normalizeName(spelling).replaceAll(' ', ''), index] as const)));

function formFamilyOf(word: string): number | undefined {
  return formSpellings.get(normalizeName(word).replaceAll(' ', ''));
}

function changeCompanyForm(name: string, random: Random): string {
  const words = splitWords(name.replace(/,/g, ' ').replace(/\bDE C\.V\.$/i, '').trim());
  const at = words.findIndex((word, index) => index > 0 && formFamilyOf(word) !== undefined);
  if (at === -1) return `${words.join(' ')} ${random.pick(random.pick(formFamilies))}`;
  const family = formFamilyOf(words[at]!)!;
  const choice = random.fraction();
  if (choice < 0.35) return words.filter((_, index) => index !== at).join(' ');
  const pool = choice < 0.85 ? formFamilies[family]! : random.pick(formFamilies);
  words[at] = random.pick(pool.filter((spelling) => spelling !== words[at]));
  return words.join(' ');
}

type Transformation = 'typo' | 'typo2' | 'missing' | 'spelling' | 'script' | 'honorific' | 'accents' | 'form' | 'order' | 'combined';

const transformationWeights: Readonly<Record<SanctionsEntry['type'], readonly (readonly [Transformation, number])[]>> = {
  individual: [['typo', 20], ['typo2', 8], ['missing', 10], ['spelling', 18], ['script', 12], ['honorific', 9], ['accents', 5], ['order', 3], ['combined', 15]],
  entity: [['typo', 22], ['typo2', 8], ['missing', 10], ['spelling', 10], ['script', 6], ['accents', 5], ['form', 22], ['order', 2], ['combined', 15]],
  vessel: [['typo', 50], ['typo2', 10], ['spelling', 20], ['order', 5], ['accents', 15]],
  aircraft: [],
  unknown: [['typo', 50], ['spelling', 30], ['accents', 20]],
};

/** `name` changed by `transformation`, or `undefined` when it does not apply to this name. */
function transform(name: string, entry: SanctionsEntry, transformation: Transformation, random: Random, surname: ReadonlySet<string>): string | undefined {
  const words = splitWords(name);
  const long = words.flatMap((word, at) => (letters(word) >= 5 ? [at] : []));
  switch (transformation) {
    case 'typo': {
      if (long.length === 0) return undefined;
      const at = random.pick(long);
      words[at] = typo(words[at]!, random);
      return words.join(' ');
    }
    case 'typo2': {
      if (long.length === 0) return undefined;
      const first = random.pick(long);
      const second = long.length > 1 && random.chance(0.6) ? random.pick(long.filter((at) => at !== first)) : first;
      if (second === first && letters(words[first]!) < 8) return undefined;
      words[first] = typo(words[first]!, random);
      words[second] = typo(words[second]!, random);
      return words.join(' ');
    }
    case 'missing': {
      // A person's given or middle name is left out, never the surname; a company's word, never its first.
      const significant = words.flatMap((word, at) => (isSignificant(word) ? [at] : []));
      if (significant.length < 3) return undefined;
      const droppable = entry.type === 'individual' ? significant.filter((at) => !surname.has(words[at]!.toLowerCase())) : significant.slice(1);
      if (droppable.length === 0) return undefined;
      const drop = random.pick(droppable);
      return words.filter((_, at) => at !== drop).join(' ');
    }
    case 'spelling': {
      const candidates = words.flatMap((word, at) => (letters(word) >= 3 && /^[\p{L}'-]+$/u.test(word) ? [at] : []));
      if (candidates.length === 0) return undefined;
      const count = candidates.length > 1 && random.chance(0.35) ? 2 : 1;
      let changed = 0;
      for (const at of random.shuffled(candidates).slice(0, count)) {
        const variant = spellingVariant(words[at]!, random);
        if (variant !== undefined && variant.toLowerCase() !== words[at]!.toLowerCase()) {
          words[at] = variant;
          changed += 1;
        }
      }
      return changed === 0 ? undefined : words.join(' ');
    }
    case 'script':
      if (!/^[A-Za-z ,.'-]+$/.test(name)) return undefined;
      return inScript(name, random.weighted([['cyrillic', 5], ['arabic', 3], ['greek', 2]] as const));
    case 'honorific':
      return `${random.pick(personHonorifics)} ${name}`;
    case 'accents': {
      const accentedName = addAccents(name, random);
      return accentedName === name ? undefined : accentedName;
    }
    case 'form':
      return changeCompanyForm(name, random);
    case 'order':
      if (words.length < 2) return undefined;
      return random.chance(0.5) ? [...words].reverse().join(' ') : [...words.slice(1), words[0]!].join(' ');
    case 'combined': {
      const options = (transformationWeights[entry.type] ?? []).filter(([kind]) => kind !== 'combined' && kind !== 'typo2' && kind !== 'script');
      const first = random.weighted(options);
      const second = random.weighted(options.filter(([kind]) => kind !== first));
      const once = transform(name, entry, first, random, surname);
      return once === undefined ? undefined : transform(once, entry, second, random, surname);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The set

interface Listed {
  readonly listId: string;
  readonly entry: SanctionsEntry;
  readonly key: string;
}

function queryType(type: SanctionsEntry['type']): QueryType | undefined {
  switch (type) {
    case 'individual':
      return 'person';
    case 'entity':
      return 'company';
    case 'vessel':
      return 'vessel';
    case 'aircraft':
      return 'aircraft';
    case 'unknown':
      return undefined;
  }
}

/** How a teller writes a listed name: OFAC's "LAST, First" usually as "First Last", in some case. */
function asTyped(name: string, entry: SanctionsEntry, random: Random): string {
  const ordered = entry.type === 'individual' && random.chance(0.7) ? firstLast(name) : name;
  const style = random.fraction();
  if (style < 0.35) return ordered.toLowerCase();
  if (style < 0.6) return ordered.replace(/\p{L}+/gu, (word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase());
  return ordered;
}

function usableName(name: string): boolean {
  const normalized = normalizeName(name);
  return letters(normalized) >= 4 && !/^[a-z]{1,3} ?[0-9-]+/.test(normalized);
}

interface Pools {
  /** In how many entries' names each token is. */
  readonly frequency: ReadonlyMap<string, number>;
  readonly givenNames: readonly string[];
  readonly surnames: readonly string[];
  readonly companyWords: readonly string[];
  readonly byToken: ReadonlyMap<string, readonly Listed[]>;
}

function pools(listed: readonly Listed[]): Pools {
  const givenCounts = new Map<string, number>();
  const surnames: string[] = [];
  const companyWords = new Map<string, number>();
  const byToken = new Map<string, Listed[]>();
  const frequency = new Map<string, number>();
  for (const item of listed) {
    const primary = item.entry.names[0]!;
    if (item.entry.type === 'individual' && primary.includes(', ')) {
      const [surname, given] = [primary.slice(0, primary.indexOf(', ')), primary.slice(primary.indexOf(', ') + 2)];
      surnames.push(surname);
      for (const word of splitWords(given)) if (isSignificant(word) && /^[\p{L}'-]+$/u.test(word)) givenCounts.set(word, (givenCounts.get(word) ?? 0) + 1);
    }
    if (item.entry.type === 'entity') {
      for (const word of splitWords(primary.replace(/[,.]/g, ' '))) if (isSignificant(word) && letters(word) >= 4 && /^[\p{L}'-]+$/u.test(word)) companyWords.set(word, (companyWords.get(word) ?? 0) + 1);
    }
    for (const token of new Set(item.entry.names.flatMap((name) => nameTokens(name)))) frequency.set(token, (frequency.get(token) ?? 0) + 1);
    for (const name of item.entry.names) {
      for (const token of new Set(nameTokens(name))) {
        if (token.length < 3 || minorWords.has(token)) continue;
        const entries = byToken.get(token) ?? [];
        if (entries[entries.length - 1] !== item) entries.push(item);
        byToken.set(token, entries);
      }
    }
  }
  return {
    frequency,
    givenNames: [...givenCounts].filter(([, count]) => count >= 2).map(([word]) => word).sort(),
    surnames: [...new Set(surnames)].sort(),
    companyWords: [...companyWords].filter(([, count]) => count <= 3).map(([word]) => word).sort(),
    byToken,
  };
}

type LookAlike = 'given-name' | 'surname' | 'company-word' | 'other-entry';

const lookAlikeWeights: Readonly<Record<SanctionsEntry['type'], readonly (readonly [LookAlike, number])[]>> = {
  individual: [['given-name', 35], ['surname', 25], ['other-entry', 40]],
  entity: [['company-word', 55], ['other-entry', 45]],
  vessel: [['other-entry', 100]],
  aircraft: [],
  unknown: [['other-entry', 100]],
};

interface Made {
  readonly name: string;
  readonly kind: string;
  readonly source: string;
  readonly other?: Listed;
}

/** A look-alike of `item` of the given kind, or `undefined` when none can be made for it. */
function lookAlike(item: Listed, kind: LookAlike, pool: Pools, random: Random): Made | undefined {
  const { entry } = item;
  const primary = entry.names[0]!;
  switch (kind) {
    case 'given-name': {
      if (!primary.includes(', ')) return undefined;
      const surname = primary.slice(0, primary.indexOf(', '));
      const given = splitWords(primary.slice(primary.indexOf(', ') + 2));
      const replaceable = given.flatMap((word, at) => (isSignificant(word) ? [at] : []));
      if (replaceable.length === 0) return undefined;
      const at = random.pick(replaceable);
      const replacement = random.pick(pool.givenNames);
      if (!differentWord(replacement, entry)) return undefined;
      given[at] = recase(replacement, given[at]!);
      return { name: `${given.join(' ')} ${surname}`, kind, source: primary };
    }
    case 'surname': {
      if (!primary.includes(', ')) return undefined;
      const replacement = random.pick(pool.surnames);
      if (!differentWord(replacement, entry)) return undefined;
      return { name: `${primary.slice(primary.indexOf(', ') + 2)} ${replacement}`, kind, source: primary };
    }
    case 'company-word': {
      // In a name of at most four significant words (where one word is a real share of the name),
      // its most distinctive word (the rarest in the lists, then the longest) is replaced.
      const words = splitWords(primary);
      const significant = words.filter(isSignificant);
      const distinctive = words.flatMap((word, at) => (isSignificant(word) && letters(word) >= 4 ? [at] : []));
      if (distinctive.length === 0 || significant.length > 4) return undefined;
      const rarity = (at: number) => Math.min(...nameTokens(words[at]!).map((token) => pool.frequency.get(token) ?? 0));
      const at = distinctive.reduce((best, index) => (rarity(index) < rarity(best) || (rarity(index) === rarity(best) && letters(words[index]!) > letters(words[best]!)) ? index : best), distinctive[0]!);
      const replacement = random.pick(pool.companyWords);
      if (!differentWord(replacement, entry)) return undefined;
      words[at] = recase(replacement, words[at]!);
      return { name: words.join(' '), kind, source: primary };
    }
    case 'other-entry': {
      const name = random.pick(entry.names);
      const tokens = nameTokens(name).filter((token) => token.length >= 3 && !minorWords.has(token));
      if (tokens.length === 0) return undefined;
      const sharing = pool.byToken.get(random.pick(tokens)) ?? [];
      const others = sharing.filter((other) => other !== item && other.entry.type === entry.type && other.listId === item.listId);
      if (others.length === 0) return undefined;
      // The closest of a few, by character trigrams: a hard look-alike, chosen without the scorer.
      let best: { name: string; other: Listed; closeness: number } | undefined;
      for (let tries = 0; tries < 6; tries += 1) {
        const other = random.pick(others);
        const otherName = random.pick(other.entry.names);
        const closeness = trigramJaccard(name, otherName);
        if (best === undefined || closeness > best.closeness) best = { name: otherName, other, closeness };
      }
      return best === undefined ? undefined : { name: best.name, kind, source: best.name, other: best.other };
    }
  }
}

function trigramJaccard(a: string, b: string): number {
  const grams = (text: string) => {
    const padded = ` ${nameTokens(text).sort().join(' ')} `;
    return new Set(Array.from({ length: Math.max(0, padded.length - 2) }, (_, at) => padded.slice(at, at + 3)));
  };
  const [x, y] = [grams(a), grams(b)];
  const shared = [...x].filter((gram) => y.has(gram)).length;
  return shared / (x.size + y.size - shared || 1);
}

/** The labelled set (see the file comment): `positives` true variants and `negatives` look-alikes. */
export function buildLabelledSet(lists: readonly SanctionsList[], options: LabelledSetOptions): LabelledSet {
  const random = new Random(options.seed);
  const exclude = options.exclude ?? new Set<string>();
  const typedShare = options.typedShare ?? 0.5;
  const listed: Listed[] = lists.flatMap((list) => list.entries.map((entry) => ({ listId: list.listId, entry, key: `${list.listId}/${entry.id}` })));
  const pool = pools(listed);
  const eligible = listed.filter((item) => !exclude.has(item.key) && item.entry.type !== 'aircraft' && item.entry.names.some(usableName));
  const items: LabelledItem[] = [];
  const used = new Set<string>();
  const seen = new Set<string>();
  const add = (item: Listed, made: { name: string; kind: string; source: string }, label: boolean): boolean => {
    const name = made.name.replace(/\s+/g, ' ').trim();
    const pairKey = `${item.key} ${normalizeName(name)}`;
    if (letters(normalizeName(name)) < 3 || seen.has(pairKey)) return false;
    seen.add(pairKey);
    const type = queryType(item.entry.type);
    const typed = type !== undefined && random.chance(typedShare);
    items.push({ query: typed ? { name, type } : { name }, listId: item.listId, entryId: item.entry.id, label, kind: made.kind, source: made.source });
    used.add(item.key);
    return true;
  };
  for (let positives = 0, tries = 0; positives < options.positives; tries += 1) {
    if (tries > options.positives * 50) throw new Error('labelled set: too few true variants can be made');
    const item = random.pick(eligible);
    const names = item.entry.names.filter(usableName);
    const source = names.length > 1 && random.chance(0.4) ? random.pick(names.slice(1)) : names[0]!;
    const weights = transformationWeights[item.entry.type];
    if (weights.length === 0) continue;
    const transformation = random.weighted(weights);
    const typed = asTyped(source, item.entry, random);
    const surname = new Set(item.entry.type === 'individual' && source.includes(', ') ? splitWords(source.slice(0, source.indexOf(', '))).map((word) => word.toLowerCase()) : []);
    const name = transform(typed, item.entry, transformation, random, surname);
    if (name === undefined) continue;
    // Accents and word order are gone after normalisation: those variants differ from the typed name as written.
    const unchanged = transformation === 'accents' || transformation === 'order' ? name === typed : normalizeName(name) === normalizeName(typed);
    if (unchanged) continue;
    if (add(item, { name, kind: transformation, source }, true)) positives += 1;
  }
  for (let negatives = 0, tries = 0; negatives < options.negatives; tries += 1) {
    if (tries > options.negatives * 50) throw new Error('labelled set: too few look-alikes can be made');
    const item = random.pick(eligible);
    const weights = lookAlikeWeights[item.entry.type];
    if (weights.length === 0) continue;
    const made = lookAlike(item, random.weighted(weights), pool, random);
    if (made === undefined || (made.other !== undefined && exclude.has(made.other.key))) continue;
    let name = made.other === undefined ? made.name : asTyped(made.name, made.other.entry, random);
    let kind = made.kind;
    if (made.other === undefined) {
      name = asTyped(name, item.entry, random);
      if (random.chance(0.25)) {
        const twisted = transform(name, item.entry, random.chance(0.5) ? 'typo' : 'spelling', random, new Set());
        if (twisted !== undefined) {
          name = twisted;
          kind = `${kind}+variant`;
        }
      }
    }
    if (refersTo(name, item.entry)) continue;
    if (add(item, { name, kind, source: made.source }, false)) {
      negatives += 1;
      if (made.other !== undefined) used.add(made.other.key);
    }
  }
  return { items, usedEntries: used };
}

// ---------------------------------------------------------------------------------------------
// Measuring

export interface Quality {
  readonly recall: number;
  readonly precision: number;
  readonly f1: number;
  readonly truePositives: number;
  readonly falseNegatives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  /** Items and correct predictions by kind of item. */
  readonly byKind: ReadonlyMap<string, { readonly items: number; readonly correct: number }>;
}

/**
 * Recall, precision and F1 of `predicts` (the query is a match of the entry) on `items`: a true
 * variant predicted is a true positive, a look-alike predicted a false positive.
 */
export function measure(items: readonly LabelledItem[], predicts: (item: LabelledItem) => boolean): Quality {
  let truePositives = 0;
  let falseNegatives = 0;
  let falsePositives = 0;
  let trueNegatives = 0;
  const byKind = new Map<string, { items: number; correct: number }>();
  for (const item of items) {
    const predicted = predicts(item);
    if (item.label) predicted ? (truePositives += 1) : (falseNegatives += 1);
    else predicted ? (falsePositives += 1) : (trueNegatives += 1);
    const kind = byKind.get(item.kind) ?? { items: 0, correct: 0 };
    kind.items += 1;
    if (predicted === item.label) kind.correct += 1;
    byKind.set(item.kind, kind);
  }
  const recall = truePositives / Math.max(1, truePositives + falseNegatives);
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const f1 = recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision);
  return { recall, precision, f1, truePositives, falseNegatives, falsePositives, trueNegatives, byKind };
}

export function describeQuality(name: string, quality: Quality): string {
  const kinds = [...quality.byKind].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, { items, correct }]) => `${kind} ${correct}/${items}`);
  return `${name}: recall ${quality.recall.toFixed(3)} precision ${quality.precision.toFixed(3)} f1 ${quality.f1.toFixed(3)} (tp ${quality.truePositives}, fn ${quality.falseNegatives}, fp ${quality.falsePositives}, tn ${quality.trueNegatives}); ${kinds.join(', ')}`;
}
