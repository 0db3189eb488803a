/**
 * Transliteration of a normalised name (`normalizeName`: lower case, marks stripped) into Latin
 * letters, so that "Владимир Путин", "Βλαντιμίρ Πούτιν" and "Vladimir Putin" are compared letter
 * by letter. Pure tables, one Latin spelling per letter, chosen to be the spelling most often met
 * in the Latin names of the lists (OFAC, UN and EU write Arabic names as English speakers do: kh,
 * sh, dh). The fuzzy comparison and the phonetic key absorb the rest of the variation
 * (Mohammed, Muhammad, Mhmd).
 *
 * - Cyrillic: Russian, Ukrainian, Belarusian, Serbian/Macedonian and the common Central Asian
 *   letters, close to BGN/PCGN. `normalizeName` has already turned й into и and ё into е, so an и
 *   after a vowel and not before one is read as y, the й it was (Сергей → sergey, Хусейн →
 *   khuseyn).
 * - Greek: the modern pronunciation spellings (ου → ou, γγ → ng, αυ → av, ευ → ev), read as Greek
 *   writes a foreign name: μπ is b, ντ is d, γκ is g and τζ is j wherever they stand (Μπαράκ is
 *   Barak, Τζαφάρ is Jafar), and χ is kh, as the lists spell the sound it writes in Arabic and
 *   Russian names.
 * - Arabic, Persian and Urdu (common letters): the article ال at the start of a word is al; و and ي
 *   are w and y at the start of a word and the vowels u and i inside it; ع is a; ة and ى are a;
 *   hamza is silent. Short vowels are not written in Arabic script, so "محمد" is "mhmd".
 * - Hebrew (basics): consonants, with ו and י as vowels inside a word; א and ע are a at the start
 *   of a word and silent inside it.
 *
 * Other scripts (Han, Hangul, Devanagari, …) are left as they are: a table for them would need
 * more than letters (word segmentation, readings).
 */

const cyrillic: Readonly<Record<string, string>> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ж: 'zh', з: 'z', и: 'i', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh',
  щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
  // Ukrainian and Belarusian
  і: 'i', є: 'ye', ґ: 'g', ў: 'w',
  // Serbian and Macedonian
  ђ: 'dj', ј: 'j', љ: 'lj', њ: 'nj', ћ: 'c', џ: 'dz', ѕ: 'dz',
  // Kazakh, Kyrgyz, Tajik, Uzbek, Azerbaijani
  ә: 'a', ғ: 'gh', қ: 'q', ң: 'ng', ө: 'o', ү: 'u', ұ: 'u', һ: 'h', ҳ: 'h', ҷ: 'j', ҹ: 'j', ҝ: 'g', ҡ: 'q', ҙ: 'z',
};

/** Cyrillic vowels after which an и not followed by one (a й before `normalizeName`) is read as y. */
const cyrillicVowels = 'аеиоуыэюяі';

const greek: Readonly<Record<string, string>> = {
  α: 'a', β: 'v', γ: 'g', δ: 'd', ε: 'e', ζ: 'z', η: 'i', θ: 'th', ι: 'i', κ: 'k', λ: 'l', μ: 'm',
  ν: 'n', ξ: 'x', ο: 'o', π: 'p', ρ: 'r', σ: 's', ς: 's', τ: 't', υ: 'y', φ: 'f', χ: 'kh', ψ: 'ps', ω: 'o',
};

/** Greek letter pairs read as one sound. */
const greekPairs: Readonly<Record<string, string>> = {
  ου: 'ou', αι: 'ai', ει: 'ei', οι: 'oi', αυ: 'av', ευ: 'ev', ηυ: 'iv', μπ: 'b', ντ: 'd', γκ: 'g', γγ: 'ng', τζ: 'j',
};

/** Arabic-script letters that read the same wherever they stand. */
const arabic: Readonly<Record<string, string>> = {
  ا: 'a', ب: 'b', ت: 't', ث: 'th', ج: 'j', ح: 'h', خ: 'kh', د: 'd', ذ: 'dh', ر: 'r', ز: 'z', س: 's',
  ش: 'sh', ص: 's', ض: 'd', ط: 't', ظ: 'z', ع: 'a', غ: 'gh', ف: 'f', ق: 'q', ك: 'k', ل: 'l', م: 'm',
  ن: 'n', ه: 'h', ة: 'a', ى: 'a', ء: '', ٱ: 'a',
  // Persian
  پ: 'p', چ: 'ch', ژ: 'zh', گ: 'g', ک: 'k', ۀ: 'e', ە: 'e',
  // Urdu
  ٹ: 't', ڈ: 'd', ڑ: 'r', ں: 'n', ہ: 'h', ھ: 'h', ے: 'e', ۓ: 'e',
};
/** و and ي (and the Persian ی): a consonant at the start of a word, a long vowel inside it. */
const arabicGlides: Readonly<Record<string, { readonly initial: string; readonly inside: string }>> = {
  و: { initial: 'w', inside: 'u' },
  ي: { initial: 'y', inside: 'i' },
  ی: { initial: 'y', inside: 'i' },
};
const arabicArticle = 'ال';

const hebrew: Readonly<Record<string, string>> = {
  ב: 'b', ג: 'g', ד: 'd', ה: 'h', ז: 'z', ח: 'kh', ט: 't', כ: 'k', ך: 'kh', ל: 'l', מ: 'm', ם: 'm',
  נ: 'n', ן: 'n', ס: 's', פ: 'p', ף: 'f', צ: 'ts', ץ: 'ts', ק: 'k', ר: 'r', ש: 'sh', ת: 't',
};
/** Hebrew letters read one way at the start of a word and another inside it. */
const hebrewPositional: Readonly<Record<string, { readonly initial: string; readonly inside: string }>> = {
  א: { initial: 'a', inside: '' },
  ע: { initial: 'a', inside: '' },
  ו: { initial: 'v', inside: 'o' },
  י: { initial: 'y', inside: 'i' },
};

/** Arabic-Indic and Persian digits as ASCII digits (NFKD leaves them as they are). */
function digit(character: string): string | undefined {
  const code = character.charCodeAt(0);
  if (code >= 0x0660 && code <= 0x0669) return String(code - 0x0660);
  if (code >= 0x06f0 && code <= 0x06f9) return String(code - 0x06f0);
  return undefined;
}

const abjadLetter = /[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f]/;

/** The word is in Arabic or Hebrew script, which write no short vowels: its Latin form lacks them. */
export function writesNoShortVowels(word: string): boolean {
  return abjadLetter.test(word);
}

/** One word (no spaces) of a normalised name, in Latin letters. */
export function transliterateWord(word: string): string {
  if (/^[a-z0-9]*$/.test(word)) return word;
  const article = word.startsWith(arabicArticle) && word.length > arabicArticle.length + 1;
  // The word proper starts after the article: الوليد is al + walid, not al + ulid.
  const start = article ? arabicArticle.length : 0;
  let out = article ? 'al' : '';
  let at = start;
  while (at < word.length) {
    const character = word[at]!;
    const initial = at === start;
    const pair = greekPairs[word.slice(at, at + 2)];
    if (pair !== undefined) {
      out += pair;
      at += 2;
      continue;
    }
    at += 1;
    if (character === 'и' && at > 1 && cyrillicVowels.includes(word[at - 2]!) && (at === word.length || !cyrillicVowels.includes(word[at]!))) {
      out += 'y';
      continue;
    }
    const glide = arabicGlides[character] ?? hebrewPositional[character];
    if (glide !== undefined) {
      out += initial ? glide.initial : glide.inside;
      continue;
    }
    out += cyrillic[character] ?? greek[character] ?? arabic[character] ?? hebrew[character] ?? digit(character) ?? character;
  }
  return out;
}

/** A normalised name (words separated by single spaces) with every word in Latin letters where a table covers it. */
export function transliterateToLatin(normalized: string): string {
  if (/^[a-z0-9 ]*$/.test(normalized)) return normalized;
  return normalized
    .split(' ')
    .map(transliterateWord)
    .filter((word) => word !== '')
    .join(' ');
}
