import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameKey, normalizeName } from './names';

describe('normalizeName', () => {
  it('lowercases, strips accents and turns punctuation and hyphens into single spaces', () => {
    expect(normalizeName('  José  MARÍA-Ñúñez,  Jr. ')).toBe('jose maria nunez jr');
    expect(normalizeName('ANGLO-CARIBBEAN CO., LTD.')).toBe('anglo caribbean co ltd');
    expect(normalizeName('Zoë\tBjörk\u00a0Ångström')).toBe('zoe bjork angstrom');
  });

  it("removes an apostrophe inside a word and separates at one outside it, whatever the apostrophe", () => {
    expect(normalizeName("O'Brien")).toBe('obrien');
    expect(normalizeName('O’Brien')).toBe('obrien');
    expect(normalizeName('Oʻzbekiston')).toBe('ozbekiston');
    expect(normalizeName('O´Brien')).toBe('obrien');
    expect(normalizeName("a.k.a. 'BNC'")).toBe('a k a bnc');
  });

  it('keeps letters of every script: Arabic, Cyrillic, Greek, Han', () => {
    expect(normalizeName('صدام حسين')).toBe('صدام حسين');
    expect(normalizeName('ВЛАДИМИР Путин')).toBe('владимир путин');
    expect(normalizeName('Й')).toBe('и');
    expect(normalizeName('ΟΔΥΣΣΕΥΣ')).toBe('οδυσσευσ');
    expect(normalizeName('金正恩')).toBe('金正恩');
  });

  it('drops Arabic harakat and tatweel, soft hyphens and zero-width joiners without splitting the word', () => {
    expect(normalizeName('مُحَمَّد')).toBe('محمد');
    expect(normalizeName('محـــمد')).toBe('محمد');
    expect(normalizeName('Hus\u00adsein')).toBe('hussein');
    expect(normalizeName('Hus\u200dsein')).toBe('hussein');
  });

  it('folds compatibility forms and sharp s', () => {
    expect(normalizeName('ＡＢＣ')).toBe('abc');
    expect(normalizeName('ﬁnance')).toBe('finance');
    expect(normalizeName('STRAẞE Straße')).toBe('strasse strasse');
  });

  it('gives the empty string for a name of only punctuation', () => {
    expect(normalizeName(" - ., '")).toBe('');
  });

  it('is idempotent (property, any Unicode)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), (graphemes, binary) => {
        for (const text of [graphemes, binary]) {
          const once = normalizeName(text);
          expect(normalizeName(once)).toBe(once);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('nameKey', () => {
  it('is the sorted token set: "HUSSEIN, Saddam" and "Saddam Hussein" share it', () => {
    expect(nameKey('HUSSEIN, Saddam')).toBe('hussein saddam');
    expect(nameKey('Saddam Hussein')).toBe('hussein saddam');
    expect(nameKey('bank bank of of')).toBe('bank of');
    expect(nameKey('')).toBe('');
  });

  const word = fc.stringMatching(/^[a-z\u0430-\u044f\u0627-\u064a]{1,8}$/);
  const accents = ['\u0301', '\u0300', '\u0308', '\u0327', ''];

  it('does not change when tokens are reordered, recased, accented or punctuated differently (property)', () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 6 }),
        fc.infiniteStream(fc.tuple(fc.boolean(), fc.constantFrom(...accents), fc.constantFrom(' ', ', ', '-', '  ', ' . '))),
        fc.integer({ min: 0, max: 1_000 }),
        (words, styles, seed) => {
          const rotated = words.map((_, index) => words[(index + seed) % words.length]!);
          const styled = rotated.map((token) => {
            const [upper, accent, separator] = styles.next().value as [boolean, string, string];
            const cased = upper ? token.toUpperCase() : token;
            return `${cased.slice(0, 1)}${accent}${cased.slice(1)}${separator}`;
          });
          expect(nameKey(styled.join(''))).toBe(nameKey(words.join(' ')));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
