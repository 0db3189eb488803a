import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert';
import type { SanctionsList } from './list';
import { buildScreeningIndex, screenedNameCharsMax, screeningMatchesMax, screenName } from './screen';

function listOf(listId: string, entries: SanctionsList['entries']): SanctionsList {
  return { kind: 'qenex.sanctions-list', schema: 1, listId, source: 'test', publishedAt: '2026-01-01', entries };
}

const ofac = listOf('ofac-sdn', [
  { id: '7843', type: 'individual', names: ['HUSSEIN, Saddam', 'AL-TIKRITI, Saddam Hussein'], programs: ['IRAQ2'] },
  { id: '480', type: 'entity', names: ['CECOEX, S.A.', 'CECOEX S.A.'], programs: ['CUBA'] },
  { id: '9001', type: 'vessel', names: ["O'BRIEN STAR"], programs: [] },
  { id: '9002', type: 'individual', names: ['X', 'Ы', '7 7'], programs: [] },
]);
const un = listOf('un-consolidated', [{ id: '6908', type: 'individual', names: ['Saddam HUSSEIN', 'صدام حسين'], programs: [] }]);

describe('screenName', () => {
  const index = buildScreeningIndex([ofac, un]);

  it('finds an entry by the same tokens in any order, case or punctuation, on every list', () => {
    expect(screenName(index, 'saddam hussein')).toEqual([
      { listId: 'ofac-sdn', entryId: '7843', entryType: 'individual', matchedName: 'HUSSEIN, Saddam' },
      { listId: 'un-consolidated', entryId: '6908', entryType: 'individual', matchedName: 'Saddam HUSSEIN' },
    ]);
    expect(screenName(index, 'Saddam Hussein Al-Tikriti')).toEqual([{ listId: 'ofac-sdn', entryId: '7843', entryType: 'individual', matchedName: 'AL-TIKRITI, Saddam Hussein' }]);
    expect(screenName(index, 'Ó’Brien Star')).toEqual([{ listId: 'ofac-sdn', entryId: '9001', entryType: 'vessel', matchedName: "O'BRIEN STAR" }]);
    expect(screenName(index, 'حسين صدام')).toEqual([{ listId: 'un-consolidated', entryId: '6908', entryType: 'individual', matchedName: 'صدام حسين' }]);
  });

  it('reports an entry once when two of its names share a key', () => {
    expect(screenName(index, 'Cecoex S A')).toEqual([{ listId: 'ofac-sdn', entryId: '480', entryType: 'entity', matchedName: 'CECOEX, S.A.' }]);
  });

  it('matches exact token sets only: a missing, extra or misspelt token finds nothing', () => {
    expect(screenName(index, 'Saddam')).toEqual([]);
    expect(screenName(index, 'Saddam Hussein Jr')).toEqual([]);
    expect(screenName(index, 'Sadam Hussein')).toEqual([]);
    expect(screenName(index, 'Qwzx Plorvenik Ystrabold')).toEqual([]);
  });

  it('never matches a name with fewer than two letters, on the list or screened', () => {
    expect(screenName(index, 'X')).toEqual([]);
    expect(screenName(index, 'ы')).toEqual([]);
    expect(screenName(index, '7 7')).toEqual([]);
    expect(screenName(index, '')).toEqual([]);
    expect(screenName(index, ' - ')).toEqual([]);
  });

  it('returns at most screeningMatchesMax matches, in list order', () => {
    const crowded = listOf(
      'crowded',
      Array.from({ length: screeningMatchesMax + 5 }, (_, number) => ({ id: String(number), type: 'entity' as const, names: ['ACME TRADING'], programs: [] })),
    );
    const matches = screenName(buildScreeningIndex([crowded]), 'Acme Trading');
    expect(matches).toHaveLength(screeningMatchesMax);
    expect(matches[0]?.entryId).toBe('0');
  });

  it('treats an over-long name and two lists with one id as programmer errors', () => {
    expect(() => screenName(index, 'a'.repeat(screenedNameCharsMax + 1))).toThrow(AssertionError);
    expect(() => buildScreeningIndex([ofac, ofac])).toThrow(AssertionError);
  });
});
