/**
 * Words of a name that say little about who is named: honorifics and titles of a person, the legal
 * form of a company and the generic words of company names, and the particles of names (al, bin,
 * van, de). Every word is given here in the form the screening compares: `normalizeName`, then
 * `transliterateToLatin` (so ООО is "ooo", Ltd. is "ltd", S.A. is "s a" until `mergeLetterRuns`
 * joins it to "sa"), with the canonical form that its variants share (limited → ltd, ibn → bin).
 *
 * What a word is depends on what the name is of: "General" is a title before a person's name and a
 * generic word in "General Trading Co"; "Sa" and "Ao" are company forms and also given names.
 * A name of unknown kind treats the short, ambiguous company forms as generic words rather than
 * dropping them.
 */

/** What the name is of, as far as its words go. */
export type NameKind = 'person' | 'organisation' | 'object' | 'unknown';

/**
 * - `name`: compared with its full weight.
 * - `particle`, `generic`: compared, with a small weight (al, bin, de; trading, group, holding).
 * - `form`, `honorific`, `title`: not compared at all (LLC, GmbH, OOO; Mr, Dr, Sheikh; General, Colonel).
 */
export type WordRole = 'name' | 'particle' | 'generic' | 'form' | 'honorific' | 'title';

export interface WordClass {
  readonly role: WordRole;
  /** The form compared: the canonical form of a listed word (limited → ltd), else the word itself. */
  readonly canonical: string;
}

/** A word table as a Map: a plain object would answer for "constructor" too. */
function table(entries: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  return new Map(Object.entries(entries));
}

/** Company legal forms, variant → canonical, with the words of their long forms in several languages. */
const companyForms = table({
  llc: 'llc', llp: 'llp', lllp: 'llp', pllc: 'llc', lp: 'lp', ltd: 'ltd', limited: 'ltd', ltda: 'ltd', limitada: 'ltd', limitee: 'ltd',
  inc: 'inc', incorporated: 'inc', corp: 'corp', corporation: 'corp', co: 'co', company: 'co', companies: 'co', cos: 'co', cia: 'co',
  compania: 'co', compagnie: 'co', cie: 'co', plc: 'plc', pty: 'pty', pte: 'pte', pvt: 'pvt',
  gmbh: 'gmbh', mbh: 'gmbh', ag: 'ag', aktiengesellschaft: 'ag', kg: 'kg', kgaa: 'kg', ohg: 'ohg', gesellschaft: 'gmbh', beschrankter: 'gmbh', haftung: 'gmbh',
  sa: 'sa', sac: 'sa', saa: 'sa', sab: 'sa', sapi: 'sa', ca: 'ca', eirl: 'eirl', sprl: 'sprl', scrl: 'sprl', sas: 'sas', sarl: 'sarl', eurl: 'sarl', snc: 'snc', spa: 'spa', srl: 'srl', sl: 'sl', slu: 'sl', sau: 'sa', sal: 'sal',
  societe: 'sa', anonyme: 'sa', sociedad: 'sa', anonima: 'sa', societa: 'sa', responsabilite: 'sarl', responsabilidad: 'srl',
  bv: 'bv', nv: 'nv', cv: 'cv', vof: 'vof', as: 'as', asa: 'as', ab: 'ab', oy: 'oy', oyj: 'oy', aps: 'aps', kft: 'kft', zrt: 'zrt', nyrt: 'nyrt',
  sro: 'sro', spol: 'sro', doo: 'doo', dd: 'dd', ad: 'ad', ead: 'ad', ood: 'ood', eood: 'ood', zoo: 'zoo',
  anonim: 'as', sirketi: 'as', sti: 'ltd', jsc: 'jsc', ojsc: 'jsc', cjsc: 'jsc', pjsc: 'jsc', ooo: 'llc', oao: 'jsc', zao: 'jsc', pao: 'jsc',
  ao: 'jsc', tov: 'llc', pat: 'jsc', prat: 'jsc', obshchestvo: 'llc', ogranichennoi: 'llc', ogranichennoy: 'llc', otvetstvennostyu: 'llc',
  aktsionernoe: 'jsc', tovarystvo: 'llc', obmezhenoyu: 'llc', vidpovidalnistyu: 'llc',
  fze: 'fze', fzco: 'fze', fzc: 'fze', fzllc: 'fze', fz: 'fze', dmcc: 'fze', wll: 'wll', spc: 'spc', saog: 'sa', saoc: 'sa', ksc: 'ksc', kscc: 'ksc',
  bsc: 'bsc', qsc: 'qsc', psc: 'psc', pjs: 'jsc', bhd: 'bhd', berhad: 'bhd', sdn: 'sdn', sendirian: 'sdn', tbk: 'tbk', pt: 'pt',
  kabushiki: 'kk', kaisha: 'kk', kk: 'kk', youxian: 'ltd', gongsi: 'co', sherkat: 'co', sherkate: 'co', shirkat: 'co', sharikat: 'co', sharika: 'co',
});

/** Company forms that are also a syllable of a name or an initialism (Sa, Ao, As, Co): dropped only from a name known to be a company's. */
const ambiguousForms = new Set(['co', 'sa', 'ca', 'sac', 'sab', 'ag', 'as', 'ab', 'ao', 'ad', 'dd', 'pt', 'sl', 'lp', 'kk', 'oy', 'nv', 'bv', 'cv', 'kg', 'pat', 'spa', 'sal', 'cos', 'fz']);

/** Generic words of company names, variant → canonical. */
const genericWords = table({
  trading: 'trading', trade: 'trading', traders: 'trading', trader: 'trading', tejarat: 'trading', tejarati: 'trading', tijara: 'trading', tijarat: 'trading',
  ticaret: 'trading', handels: 'trading', handel: 'trading', group: 'group', groupe: 'group', grupo: 'group', gruppa: 'group', holding: 'holding',
  holdings: 'holding', international: 'international', intl: 'international', industries: 'industry', industry: 'industry', industrial: 'industry',
  enterprise: 'enterprise', enterprises: 'enterprise', service: 'service', services: 'service', establishment: 'establishment', est: 'establishment',
  general: 'general', import: 'import', export: 'export', shipping: 'shipping', joint: 'joint', stock: 'stock', public: 'public', open: 'open',
  closed: 'closed', otkrytoe: 'open', zakrytoe: 'closed', publichnoe: 'public', liability: 'liability', partnership: 'partnership',
  and: 'and', of: 'of', the: 'the', for: 'for', und: 'and', et: 'and',
});

/** Generic words whose misspellings are recognised too (the long ones; Holding is not, Golding being a name). */
const misspellableGeneric = new Set(['trading', 'international', 'industries', 'industrial', 'enterprise', 'enterprises', 'establishment', 'shipping', 'services']);

/** Personal honorifics: dropped from a person's name and from a name of unknown kind. */
const honorifics = table({
  mr: 'mr', mister: 'mr', mrs: 'mrs', ms: 'ms', miss: 'ms', madam: 'mrs', madame: 'mrs', mme: 'mrs', mlle: 'ms', dr: 'dr', doctor: 'dr',
  prof: 'prof', professor: 'prof', sir: 'sir', dame: 'dame', herr: 'mr', frau: 'mrs', senor: 'mr', senora: 'mrs', sr: 'mr', sra: 'mrs',
  sheikh: 'sheikh', shaikh: 'sheikh', shaykh: 'sheikh', sheik: 'sheikh', cheikh: 'sheikh', sheykh: 'sheikh', shaykhah: 'sheikh',
  haji: 'haji', hajji: 'haji', hadji: 'haji', hajj: 'haji', alhaj: 'haji', alhajj: 'haji', mullah: 'mullah', mulla: 'mullah', molla: 'mullah',
  mawlawi: 'mawlawi', maulvi: 'mawlawi', moulvi: 'mawlawi', maulana: 'maulana', mawlana: 'maulana', moulana: 'maulana', qari: 'qari',
  ustad: 'ustad', ustadh: 'ustad', ustaz: 'ustad', ayatollah: 'ayatollah', hojatoleslam: 'hojatoleslam', rev: 'rev', reverend: 'rev',
  pastor: 'pastor', rabbi: 'rabbi', sri: 'sri', shri: 'sri', smt: 'smt', jr: 'jr', junior: 'jr', snr: 'sr', senior: 'sr',
});

/** Generational suffixes: honorifics after a person's name; in any other name they are numbers (DREAM II). */
const personSuffixes = new Set(['ii', 'iii', 'iv']);

/** Military, political and royal titles: dropped from a person's name only (General Trading Co is a company's name). */
const titles = table({
  general: 'general', gen: 'general', lieutenant: 'lieutenant', lt: 'lieutenant', colonel: 'colonel', col: 'colonel', major: 'major', maj: 'major',
  captain: 'captain', capt: 'captain', cpt: 'captain', commander: 'commander', cmdr: 'commander', admiral: 'admiral', adm: 'admiral',
  brigadier: 'brigadier', brig: 'brigadier', sergeant: 'sergeant', sgt: 'sergeant', marshal: 'marshal', president: 'president', minister: 'minister',
  governor: 'governor', senator: 'senator', ambassador: 'ambassador', king: 'king', queen: 'queen', prince: 'prince', princess: 'princess',
  excellency: 'excellency',
});

/** Titles that name no company (Col., Brigadier): dropped from a name of unknown kind too; General, Major, King are words of company names as well. */
const militaryTitles = new Set(['gen', 'lieutenant', 'lt', 'colonel', 'col', 'capt', 'cpt', 'cmdr', 'admiral', 'adm', 'brigadier', 'brig', 'sergeant', 'sgt', 'excellency']);

/** Particles of personal and company names, variant → canonical (ibn and bin are one word). */
const particles = table({
  al: 'al', el: 'al', ul: 'al', bin: 'bin', ibn: 'bin', ben: 'bin', ould: 'bin', bint: 'bint', abu: 'abu', abou: 'abu', abo: 'abu', umm: 'umm', um: 'umm',
  de: 'de', da: 'da', di: 'di', du: 'du', del: 'del', della: 'della', der: 'der', den: 'den', des: 'des', do: 'do', dos: 'dos', das: 'das',
  la: 'la', le: 'le', van: 'van', von: 'von', ter: 'ter', ten: 'ten', y: 'y', zu: 'zu',
});

/**
 * The word is a roman numeral, a number (DREAM II, BICENTENARIO V) compared as numbers are. One
 * letter (I, V, X) is read as a number only in the name of an object (a vessel, an aircraft), where
 * it cannot be an initial.
 */
export function isRomanNumeral(word: string, kind: NameKind): boolean {
  return kind !== 'person' && word !== '' && romanPattern.test(word) && (word.length > 1 || kind === 'object');
}

const romanPattern = /^(?:x{0,3})(?:ix|iv|v?i{0,3})$/;

/** Company forms and generic words long enough that a misspelling of them is still them (Compnay, Limitted), by their one-letter deletions. */
const misspellable = new Map<string, { readonly role: 'form' | 'generic'; readonly canonical: string; readonly word: string }>();
export const misspelledFormCharsMin = 6;
for (const [words, role] of [[companyForms, 'form'], [genericWords, 'generic']] as const) {
  for (const [word, canonical] of words) {
    if (word.length < misspelledFormCharsMin || (role === 'generic' && !misspellableGeneric.has(word))) continue;
    for (const variant of deletionsOf(word)) if (!misspellable.has(variant)) misspellable.set(variant, { role, canonical, word });
  }
}

function deletionsOf(word: string): string[] {
  const variants = [word];
  for (let at = 0; at < word.length; at += 1) variants.push(word.slice(0, at) + word.slice(at + 1));
  return variants;
}

/**
 * A company form or generic word one typing error away from `word` (a letter wrong, missing, extra,
 * or two swapped), with the same first letter, or `undefined`.
 */
function misspelledForm(word: string): { readonly role: 'form' | 'generic'; readonly canonical: string } | undefined {
  if (word.length < misspelledFormCharsMin - 1 || !/^[a-z]+$/.test(word)) return undefined;
  for (const variant of deletionsOf(word)) {
    const found = misspellable.get(variant);
    if (found !== undefined && found.word[0] === word[0] && oneEditApart(word, found.word)) return found;
  }
  return undefined;
}

/** The two words differ by one letter changed, added or removed, or two neighbours swapped (a shared deletion alone allows more: berhad, behazd). */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const restA = a.slice(start, endA);
  const restB = b.slice(start, endB);
  if (restA.length <= 1 && restB.length <= 1) return true;
  return restA.length === 2 && restB.length === 2 && restA[0] === restB[1] && restA[1] === restB[0];
}

/** How a word (normalised, transliterated) of a name of `kind` is compared. */
export function classifyWord(word: string, kind: NameKind): WordClass {
  const particle = particles.get(word);
  if (particle !== undefined) return { role: 'particle', canonical: particle };
  if (personSuffixes.has(word)) return kind === 'person' ? { role: 'honorific', canonical: word } : { role: 'name', canonical: word };
  if (kind !== 'organisation' && kind !== 'object') {
    const honorific = honorifics.get(word);
    if (honorific !== undefined) return { role: 'honorific', canonical: honorific };
    const title = titles.get(word);
    if (title !== undefined && (kind === 'person' || militaryTitles.has(word))) return { role: 'title', canonical: title };
  }
  if (kind === 'person') return { role: 'name', canonical: word };
  const form = companyForms.get(word);
  if (form !== undefined) return { role: kind === 'unknown' && ambiguousForms.has(word) ? 'generic' : 'form', canonical: form };
  const generic = genericWords.get(word);
  if (generic !== undefined) return { role: 'generic', canonical: generic };
  const misspelled = misspelledForm(word);
  if (misspelled !== undefined) return { role: kind === 'unknown' && misspelled.role === 'form' ? 'generic' : misspelled.role, canonical: misspelled.canonical };
  return { role: 'name', canonical: word };
}

/** The longest run of one-letter words joined (S.A.R.L. is "s a r l"). */
export const letterRunMax = 5;

/**
 * Runs of one-letter words that spell a company form joined into it ("s a" → "sa", "l l c" →
 * "llc"), in a name that is not a person's (whose initials they would be). Other one-letter words
 * stay as they are.
 */
export function mergeLetterRuns(words: readonly string[], kind: NameKind): string[] {
  if (kind === 'person') return [...words];
  const merged: string[] = [];
  for (let at = 0; at < words.length; ) {
    let joined = false;
    for (let length = Math.min(letterRunMax, words.length - at); length >= 2; length -= 1) {
      const run = words.slice(at, at + length);
      if (!run.every((word) => word.length === 1)) continue;
      const spelled = run.join('');
      if (companyForms.get(spelled) === undefined) continue;
      merged.push(spelled);
      at += length;
      joined = true;
      break;
    }
    if (!joined) {
      merged.push(words[at]!);
      at += 1;
    }
  }
  return merged;
}

/** Words a name is compared by, for a caller that lists them (the explanation's "not compared" part). */
export function roleDescription(role: WordRole): string {
  switch (role) {
    case 'name':
      return 'name word';
    case 'particle':
      return 'name particle';
    case 'generic':
      return 'generic company word';
    case 'form':
      return 'company form';
    case 'honorific':
      return 'honorific';
    case 'title':
      return 'title';
  }
}
