import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../assert';
import type { SanctionsEntry } from '../list';
import { boundedScore, conflictWeight, qualifierParts, scorePair, shippedThreshold, surplusWeight, type FuzzyExplanationPart } from './score';

const total = (parts: readonly FuzzyExplanationPart[]) => parts.reduce((sum, part) => sum + part.value, 0);
const score = (a: string, b: string) => scorePair(a, b).score;

describe('scorePair', () => {
  it('is 1 for the same name in any order, case, punctuation, accents or script', () => {
    expect(score('HUSSEIN, Saddam', 'saddam hussein')).toBe(1);
    expect(score('José María NÚÑEZ', 'nunez jose maria')).toBe(1);
    expect(score('Владимир Путин', 'PUTIN, Vladimir')).toBe(1);
    expect(score('Abdulrahman Ali', 'ABDUL RAHMAN, Ali')).toBe(1);
    expect(score('al-Zarqawi', 'Alzarqawi')).toBe(1);
  });

  it('matches typing errors, spelling variants of transliteration and names in Arabic script', () => {
    const variants: [string, string][] = [
      ['Sadam Husein', 'HUSSEIN, Saddam'],
      ['Muammar Gaddafi', 'QADHAFI, Muammar'],
      ['Osama bin Laden', 'BIN LADIN, Usama'],
      ['Mohamed Atta', 'ATTA, Muhammad'],
      ['Yousef Ramzi', 'YUSUF, Ramzi'],
      ['صدام حسين', 'HUSSEIN, Saddam'],
      ['Ayman Zawahri', 'AL-ZAWAHIRI, Ayman'],
      ['Islamic Revolutionary Guard Corp', 'ISLAMIC REVOLUTIONARY GUARD CORPS'],
    ];
    for (const [a, b] of variants) expect(score(a, b), `${a} ~ ${b}`).toBeGreaterThanOrEqual(shippedThreshold);
  });

  it('does not compare honorifics, titles or company forms, and reads misspelt forms as forms', () => {
    expect(score('Dr. Ayman al-Zawahiri', 'AL-ZAWAHIRI, Ayman')).toBe(1);
    expect(scorePair('General Qassem Soleimani', 'SOLEIMANI, Qassem', { type: 'person' }).score).toBe(1);
    expect(score('Acme Trading LLC', 'ACME TRADING COMPANY LIMITED')).toBe(1);
    expect(scorePair('Sahara Compnay Ltd', 'SAHARA CO.', { type: 'company' }).score).toBe(1);
    expect(scorePair('Cecoex S.A.', 'CECOEX', { type: 'company' }).score).toBe(1);
    // Of a name of unknown kind, "Sa" may be a name's syllable: it stays, with a small weight.
    expect(score('Cecoex S.A.', 'CECOEX')).toBeGreaterThan(0.9);
    expect(score('ООО Нефтегаз', 'NEFTEGAZ LLC')).toBe(1);
  });

  it('counts a name part the other name leaves out at less than a word in its place (a middle name, not another person)', () => {
    const missingMiddle = score('Saddam Tikriti', 'AL-TIKRITI, Saddam Hussein');
    const otherGivenName = score('Qusay Hussein al-Tikriti', 'AL-TIKRITI, Saddam Hussein');
    expect(missingMiddle).toBeGreaterThanOrEqual(shippedThreshold);
    expect(otherGivenName).toBeLessThan(shippedThreshold);
    expect(score('Jorge Enrique Esquerra Esquer', 'ESQUERRA ESQUER, Dusan Enrique')).toBeLessThan(shippedThreshold);
    expect(surplusWeight).toBeLessThan(1);
    expect(conflictWeight).toBeGreaterThan(1);
  });

  it('does not match one common word alone, nor names of different numbers', () => {
    expect(score('Hassan', 'Ahmed Hassan')).toBeLessThan(shippedThreshold);
    expect(score('Bank Melli Iran', 'BANK SEPAH')).toBeLessThan(shippedThreshold);
    expect(score('ARIAN 1', 'ARIAN 2')).toBeLessThan(shippedThreshold);
    expect(scorePair('BICENTENARIO V', 'BICENTENARIO I', { type: 'vessel' }).score).toBeLessThan(shippedThreshold);
    expect(score('Kim Jong Un', 'KIM, Jong Il')).toBeLessThan(shippedThreshold);
  });

  it('explains each part; the parts add up to the score', () => {
    const { score: value, match, explanation } = scorePair('Dr Sadam Husein Majid', 'HUSSEIN, Saddam');
    expect(match).toBe(value >= shippedThreshold);
    expect(total(explanation)).toBeCloseTo(value, 12);
    expect(explanation.map((part) => part.part)).toEqual(['name token', 'name token', 'unpaired token', 'not compared']);
    expect(explanation[0]!.detail).toMatch(/"husein" ≈ "hussein": similarity 0\.\d\d \(jaro-winkler 0\.\d\d, same phonetic key HSN\)/);
    expect(explanation[2]!.detail).toMatch(/"majid" \(name word\) of the first name: a name part the other name leaves out, counted at 0.5/);
    expect(explanation[3]!.detail).toBe('honorific "dr" of the first name');
    const numbers = scorePair('STAR 1', 'STAR 2').explanation;
    expect(numbers.find((part) => part.part === 'numbers')?.detail).toBe('the names hold different numbers (1 and 2)');
  });

  it('refuses a threshold outside [0, 1]', () => {
    expect(() => scorePair('a b', 'a b', { threshold: 1.5 })).toThrow(AssertionError);
  });

  const letter = fc.constantFrom(...'abcdeghiklmnorstuyzабвгдеклмнорсу');
  const word = fc.string({ unit: letter, minLength: 2, maxLength: 8 });
  const name = fc.array(word, { minLength: 1, maxLength: 5 });

  it('is symmetric, within [0, 1], and its explanation adds up to it (property)', () => {
    fc.assert(
      fc.property(name, name, fc.constantFrom(undefined, 'person', 'company', 'vessel'), (a, b, type) => {
        const options = type === undefined ? {} : { type };
        const forward = scorePair(a.join(' '), b.join(' '), options);
        const backward = scorePair(b.join(' '), a.join(' '), options);
        expect(forward.score).toBe(backward.score);
        expect(forward.score).toBeGreaterThanOrEqual(0);
        expect(forward.score).toBeLessThanOrEqual(1);
        expect(total(forward.explanation)).toBeCloseTo(forward.score, 9);
      }),
      { numRuns: 1_500 },
    );
  });

  it('is 1 for identical names and does not depend on word order (property)', () => {
    fc.assert(
      fc.property(name, name, fc.integer({ min: 1, max: 4 }), (a, b, rotation) => {
        expect(score(a.join(' '), a.join(' '))).toBe(1);
        const rotated = a.map((_, index) => a[(index + rotation) % a.length]!);
        expect(score(rotated.join(', '), b.join(' '))).toBeCloseTo(score(a.join(' '), b.join(' ')), 12);
        expect(score([...a].reverse().join(' '), b.join(' '))).toBeCloseTo(score(a.join(' '), b.join(' ')), 12);
      }),
      { numRuns: 1_500 },
    );
  });
});

describe('qualifierParts', () => {
  const entry: SanctionsEntry = { id: '1', type: 'individual', names: ['X Y'], programs: [], birthDates: ['1937-04-28', '1939'], nationalities: ['IQ'] };

  it('raises the score a little for a birth date or nationality that agrees', () => {
    expect(qualifierParts({ birthDate: '1937-04-28' }, entry)).toEqual([{ part: 'birth date', value: 0.05, detail: 'born 1937-04-28, as the entry' }]);
    expect(qualifierParts({ birthDate: '1939-06' }, entry)[0]).toMatchObject({ part: 'birth date', value: 0.02 });
    expect(qualifierParts({ birthDate: '1937' }, entry)[0]).toMatchObject({ value: 0.02 });
    expect(qualifierParts({ country: 'iq' }, entry)).toEqual([{ part: 'nationality', value: 0.03, detail: 'IQ is a nationality of the entry' }]);
  });

  it('lowers it for a birth year, a birth day, a nationality or a type that contradicts the entry', () => {
    expect(qualifierParts({ birthDate: '1950-01-01' }, entry)).toEqual([{ part: 'birth date', value: -0.2, detail: 'born 1950-01-01: no birth date of the entry (1937-04-28, 1939) has that year' }]);
    expect(qualifierParts({ birthDate: '1937-05-28' }, entry)[0]).toMatchObject({ value: -0.1 });
    expect(qualifierParts({ country: 'US' }, entry)[0]).toMatchObject({ part: 'nationality', value: -0.1 });
    expect(qualifierParts({ type: 'vessel' }, entry)).toEqual([{ part: 'type', value: -0.3, detail: 'the query is a vessel, the entry an individual' }]);
    expect(qualifierParts({ type: 'person' }, entry)).toEqual([]);
  });

  it('says nothing of what either side does not know', () => {
    const bare: SanctionsEntry = { id: '2', type: 'unknown', names: ['X'], programs: [] };
    expect(qualifierParts({ type: 'vessel', birthDate: '1950', country: 'US' }, bare)).toEqual([]);
    expect(qualifierParts({}, entry)).toEqual([]);
  });

  it('refuses a birth date or country that is not in the documented form', () => {
    expect(() => qualifierParts({ birthDate: '28/04/1937' }, entry)).toThrow(AssertionError);
    expect(() => qualifierParts({ country: 'Iraq' }, entry)).toThrow(AssertionError);
  });
});

describe('boundedScore', () => {
  it('keeps the sum within [0, 1] with a part saying what was cut, so the parts still add up', () => {
    const parts: FuzzyExplanationPart[] = [
      { part: 'name token', value: 0.98, detail: '' },
      { part: 'birth date', value: 0.05, detail: '' },
    ];
    expect(boundedScore(parts)).toBe(1);
    expect(parts.at(-1)?.part).toBe('bounds');
    expect(total(parts)).toBeCloseTo(1, 12);
  });
});
