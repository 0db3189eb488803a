import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../assert';
import type { SanctionsList } from '../list';
import { buildFuzzyIndex, fuzzyMatchesMax, fuzzyQueryCharsMax, nearMissMargin, screenFuzzy, screenFuzzyByScan, shippedThreshold, type FuzzyMatch } from './index';

function listOf(listId: string, entries: SanctionsList['entries']): SanctionsList {
  return { kind: 'qenex.sanctions-list', schema: 1, listId, source: 'test', publishedAt: '2026-01-01', entries };
}

const ofac = listOf('ofac-sdn', [
  { id: '7843', type: 'individual', names: ['HUSSEIN, Saddam', 'AL-TIKRITI, Saddam Hussein'], programs: ['IRAQ2'], birthDates: ['1937-04-28'], nationalities: ['IQ'] },
  { id: '7844', type: 'individual', names: ['HUSSEIN, Qusay Saddam'], programs: ['IRAQ2'] },
  { id: '480', type: 'entity', names: ['CECOEX, S.A.'], programs: ['CUBA'] },
  { id: '9001', type: 'vessel', names: ['STAR 1'], programs: [] },
  { id: '9002', type: 'vessel', names: ['STAR 2'], programs: [] },
  { id: '100', type: 'individual', names: ['QADHAFI, Muammar'], programs: ['LIBYA2'], weakNames: ['Abu Minyar'] },
  { id: '200', type: 'entity', names: ['SAHARA TRADING COMPANY LIMITED', 'SAHARA TRADING CO.'], programs: [] },
]);
const un = listOf('un-consolidated', [{ id: 'IQi.001', type: 'individual', names: ['Saddam Hussein Al-Tikriti', 'صدام حسين التكريتي'], programs: [] }]);
const index = buildFuzzyIndex([ofac, un]);

const hits = (matches: readonly FuzzyMatch[]) => matches.filter((match) => match.match).map((match) => `${match.listId}/${match.entryId}`);
const total = (match: FuzzyMatch) => match.explanation.reduce((sum, part) => sum + part.value, 0);

describe('screenFuzzy', () => {
  it('finds an entry by a misspelt, reordered, transliterated or titled name, on every list, best first', () => {
    // Qusay Saddam Hussein has every word of the query: a hit to review too, below the two Saddam Husseins.
    expect(hits(screenFuzzy(index, { name: 'Sadam Husein' }))).toEqual(['ofac-sdn/7843', 'ofac-sdn/7844', 'un-consolidated/IQi.001']);
    expect(hits(screenFuzzy(index, { name: 'Tikriti, Saddam' }))).toEqual(['ofac-sdn/7843', 'un-consolidated/IQi.001']);
    expect(hits(screenFuzzy(index, { name: 'صدام حسين' }))).toEqual(['ofac-sdn/7843', 'ofac-sdn/7844', 'un-consolidated/IQi.001']);
    expect(hits(screenFuzzy(index, { name: 'Colonel Muammar Gaddafi', type: 'person' }))).toEqual(['ofac-sdn/100']);
    expect(hits(screenFuzzy(index, { name: 'Sahara Trading L.L.C.', type: 'company' }))).toEqual(['ofac-sdn/200']);
    const [best] = screenFuzzy(index, { name: 'Sadam Husein' });
    expect(best).toMatchObject({ listId: 'ofac-sdn', entryId: '7843', entryType: 'individual', matchedName: 'HUSSEIN, Saddam', match: true });
  });

  it('gives every result an explanation whose parts add up to its score, in [0, 1]', () => {
    for (const name of ['Sadam Husein', 'Abu Minyar', 'STAR 3', 'Qusay Hussein', 'Cecoex SA']) {
      for (const match of screenFuzzy(index, { name, birthDate: '1937', country: 'IQ', type: 'person' }, { limit: fuzzyMatchesMax })) {
        expect(total(match)).toBeCloseTo(match.score, 9);
        expect(match.score).toBeGreaterThanOrEqual(0);
        expect(match.score).toBeLessThanOrEqual(1);
        expect(match.match).toBe(match.score >= shippedThreshold);
      }
    }
  });

  it('tells apart another person of the family and a vessel of another number', () => {
    expect(hits(screenFuzzy(index, { name: 'Qusay Saddam Hussein' }))).toEqual(['ofac-sdn/7844']);
    expect(hits(screenFuzzy(index, { name: 'Star 1', type: 'vessel' }))).toEqual(['ofac-sdn/9001']);
  });

  it('lowers the score for a contradicting type, birth year or nationality, and raises it a little for agreeing ones', () => {
    const score = (query: Parameters<typeof screenFuzzy>[1]) => screenFuzzy(index, query, { limit: fuzzyMatchesMax }).find((match) => match.entryId === '7843')?.score ?? 0;
    const plain = score({ name: 'Sadam Husein' });
    expect(score({ name: 'Sadam Husein', type: 'vessel' })).toBeCloseTo(plain - 0.3, 9);
    expect(score({ name: 'Sadam Husein', birthDate: '1960' })).toBeCloseTo(plain - 0.2, 9);
    expect(score({ name: 'Sadam Husein', country: 'FR' })).toBeCloseTo(plain - 0.1, 9);
    expect(score({ name: 'Sadam Husein', birthDate: '1937-04-28', country: 'IQ' })).toBeCloseTo(Math.min(1, plain + 0.08), 9);
    const contradicted = screenFuzzy(index, { name: 'Sadam Husein', type: 'vessel', birthDate: '1960' }, { limit: fuzzyMatchesMax }).find((match) => match.entryId === '7843');
    expect(contradicted?.match ?? false).toBe(false);
  });

  it('counts a weak alias at less than a name, and says so', () => {
    const [match] = screenFuzzy(index, { name: 'Abu Minyar' });
    expect(match).toMatchObject({ entryId: '100', matchedName: 'Abu Minyar' });
    expect(match!.score).toBeCloseTo(0.85, 9);
    expect(match!.explanation.find((part) => part.part === 'weak alias')).toMatchObject({ value: expect.closeTo(-0.15, 9) as unknown });
  });

  it('returns near misses below the threshold as no match, and nothing further below', () => {
    const results = screenFuzzy(index, { name: 'Sadam Husein' }, { threshold: 0.95, limit: fuzzyMatchesMax });
    expect(results.map((result) => result.match)).toEqual([true, false]);
    for (const result of results) {
      expect(result.score).toBeGreaterThanOrEqual(0.95 - nearMissMargin);
      expect(result.match).toBe(result.score >= 0.95);
    }
    expect(screenFuzzy(index, { name: 'Sadam Husein' }, { threshold: 1, limit: fuzzyMatchesMax }).map((result) => result.match)).toEqual([false]);
  });

  it('finds a company named by generic words only', () => {
    const generic = buildFuzzyIndex([listOf('local', [{ id: '1', type: 'entity', names: ['GENERAL TRADING GROUP'], programs: [] }])]);
    expect(hits(screenFuzzy(generic, { name: 'General Trading Group LLC' }))).toEqual(['local/1']);
  });

  it('returns at most `limit` results, and nothing for a name with no letters or digits', () => {
    expect(screenFuzzy(index, { name: 'Saddam' }, { threshold: 0, limit: 2 })).toHaveLength(2);
    expect(screenFuzzy(index, { name: ' - ., ' })).toEqual([]);
  });

  it('refuses a query over the named limits and options outside them', () => {
    expect(() => screenFuzzy(index, { name: 'a'.repeat(fuzzyQueryCharsMax + 1) })).toThrow(AssertionError);
    expect(() => screenFuzzy(index, { name: 'x' }, { limit: fuzzyMatchesMax + 1 })).toThrow(AssertionError);
    expect(() => screenFuzzy(index, { name: 'x' }, { limit: 0 })).toThrow(AssertionError);
    expect(() => screenFuzzy(index, { name: 'x' }, { threshold: -0.1 })).toThrow(AssertionError);
    expect(() => buildFuzzyIndex([ofac, ofac])).toThrow(AssertionError);
  });

  it('finds every match that scoring every name finds, with the same score and explanation (property: the index against the scan)', () => {
    const names = [...ofac.entries, ...un.entries].flatMap((entry) => [...entry.names, ...(entry.weakNames ?? [])]);
    // A listed name with one letter removed, added or changed (anywhere, spaces too).
    const edited = fc.tuple(fc.constantFrom(...names), fc.nat(), fc.constantFrom('', 'x', 'a', 'h', ' ')).map(([name, at, letter]) => {
      const cut = at % (name.length + 1);
      return name.slice(0, cut) + letter + name.slice(cut + (letter === '' ? 1 : 0));
    });
    fc.assert(
      fc.property(edited, fc.constantFrom(undefined, 'person', 'company', 'vessel'), (name, type) => {
        const query = type === undefined ? { name } : { name, type };
        const found = screenFuzzy(index, query, { limit: fuzzyMatchesMax });
        for (const match of screenFuzzyByScan(index, query, { limit: fuzzyMatchesMax }).filter((result) => result.match)) expect(found).toContainEqual(match);
      }),
      { numRuns: 500 },
    );
  });
});
