import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert';
import { diffSanctionsLists, sanctionsEntryFields } from './diff';
import { type SanctionsEntry, type SanctionsList } from './list';
import { parseUnConsolidatedXml } from './un';

const saddam: SanctionsEntry = { id: 'IQi.001', type: 'individual', names: ['SADDAM HUSSEIN AL-TIKRITI'], programs: ['Iraq'], birthDates: ['1937-04-28'], nationalities: ['IQ'], weakNames: ['Abu Ali'] };
const bank: SanctionsEntry = { id: 'QDe.001', type: 'entity', names: ['AL RASHID TRUST'], programs: ['Al-Qaida'] };
const wallet: SanctionsEntry = { id: 'KPe.001', type: 'entity', names: ['LAZARUS GROUP'], programs: ['DPRK3'], digitalCurrencyAddresses: [{ currency: 'ETH', address: '0x098b716b8aaf21512996dc57eb0615e2383e2f96' }] };
const houthis: SanctionsEntry = { id: 'YEe.001', type: 'entity', names: ['THE HOUTHIS'], programs: ['Yemen'] };
const list = (entries: SanctionsEntry[]): SanctionsList => ({ kind: 'qenex.sanctions-list', schema: 1, listId: 'un-consolidated', source: 'UN', publishedAt: '2026-02-27', entries });

describe('diffSanctionsLists', () => {
  it('finds nothing between a list and itself, or an equal copy in another order of entries', () => {
    expect(diffSanctionsLists(list([saddam, bank]), list([bank, { ...saddam, names: [...saddam.names] }]))).toEqual({ added: [], removed: [], amended: [] });
  });

  it('reports every entry as added when no version is installed', () => {
    expect(diffSanctionsLists(null, list([saddam, bank]))).toEqual({ added: ['IQi.001', 'QDe.001'], removed: [], amended: [] });
  });

  it('reports entries added and removed by id, each in its own list order', () => {
    expect(diffSanctionsLists(list([saddam, bank]), list([houthis, saddam]))).toEqual({ added: ['YEe.001'], removed: ['QDe.001'], amended: [] });
  });

  it('reports an amended entry with exactly the fields that changed, qualifiers appearing or disappearing included', () => {
    const { birthDates: _birthDates, ...withoutBirthDates } = saddam;
    const after = list([{ ...withoutBirthDates, names: [...saddam.names, 'SADDAM HUSSEIN'], nationalities: ['IQ', 'SY'] }, { ...bank, type: 'unknown', weakNames: ['AL RASHEED'] }, houthis]);
    expect(diffSanctionsLists(list([saddam, bank, houthis]), after)).toEqual({
      added: [],
      removed: [],
      amended: [
        { id: 'IQi.001', fields: ['names', 'birthDates', 'nationalities'] },
        { id: 'QDe.001', fields: ['type', 'weakNames'] },
      ],
    });
  });

  it('counts a reordered alias list as an amendment of names: the primary name and the signed bytes change', () => {
    const two = { ...bank, names: ['AL RASHID TRUST', 'AL RASHEED TRUST'] };
    expect(diffSanctionsLists(list([two]), list([{ ...two, names: ['AL RASHEED TRUST', 'AL RASHID TRUST'] }])).amended).toEqual([{ id: 'QDe.001', fields: ['names'] }]);
  });

  it('compares every field of an entry', () => {
    expect([...sanctionsEntryFields].sort()).toEqual([...new Set([...Object.keys(saddam), ...Object.keys(wallet)])].filter((key) => key !== 'id').sort());
  });

  it('names a wallet address added to an entry as an amendment of its addresses', () => {
    const more = { ...wallet, digitalCurrencyAddresses: [...wallet.digitalCurrencyAddresses!, { currency: 'XBT', address: '12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h' }] };
    expect(diffSanctionsLists(list([wallet]), list([more])).amended).toEqual([{ id: 'KPe.001', fields: ['digitalCurrencyAddresses'] }]);
    expect(diffSanctionsLists(list([wallet]), list([{ ...wallet, digitalCurrencyAddresses: [{ currency: 'ETH', address: '0x098b716b8aaf21512996dc57eb0615e2383e2f96' }] }])).amended).toEqual([]);
  });

  it('refuses to compare two different lists (a programmer error)', () => {
    expect(() => diffSanctionsLists(list([saddam]), { ...list([saddam]), listId: 'ofac-sdn' })).toThrow(AssertionError);
  });

  it('partitions the ids: added, removed, amended and unchanged account for every id exactly once (property)', () => {
    const entry = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), type: fc.constantFrom('individual' as const, 'entity' as const), names: fc.constantFrom(['X'], ['Y'], ['X', 'Y']), programs: fc.constantFrom([], ['P']) });
    const entries = fc.uniqueArray(entry, { maxLength: 6, selector: (item) => item.id });
    fc.assert(
      fc.property(entries, entries, (before, after) => {
        const diff = diffSanctionsLists(list(before), list(after));
        const beforeIds = new Set<string>(before.map((item) => item.id));
        const afterIds = new Set<string>(after.map((item) => item.id));
        expect(new Set(diff.added)).toEqual(new Set([...afterIds].filter((id) => !beforeIds.has(id))));
        expect(new Set(diff.removed)).toEqual(new Set([...beforeIds].filter((id) => !afterIds.has(id))));
        for (const { id } of diff.amended) expect(beforeIds.has(id) && afterIds.has(id)).toBe(true);
        const unchanged = after.filter((item) => beforeIds.has(item.id) && !diff.amended.some((amended) => amended.id === item.id));
        for (const item of unchanged) expect(before.find((old) => old.id === item.id)).toEqual(item);
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Two versions of the real UN list: the file as published, and the file edited as the UN would edit it.

const vectorsRoot = fileURLToPath(new URL('../../../../../../shared/vectors/sanctions/', import.meta.url));
const file = 'UN_consolidated.xml.gz';
const ci = Boolean(process.env.CI);
const missing = !existsSync(vectorsRoot + file);

function unList(xml: string): SanctionsList {
  const result = parseUnConsolidatedXml(xml, { listId: 'un-consolidated' });
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

describe.skipIf(missing && !ci)('diffSanctionsLists between two versions of the real UN list', () => {
  it('shows an entry removed, one added and one amended, and nothing else among the 1,003', () => {
    const xml = gunzipSync(readFileSync(vectorsRoot + file)).toString('utf8');
    const before = unList(xml);
    // The UN delists CDi.001 (the file's first INDIVIDUAL), lists a new individual, and gives YEi.012 a new Good alias and a new date of birth.
    const first = /<INDIVIDUAL>\s*<DATAID>6907993<\/DATAID>[\s\S]*?<\/INDIVIDUAL>\s*/.exec(xml)![0];
    const added = '<INDIVIDUAL><DATAID>9999999</DATAID><FIRST_NAME>NEW</FIRST_NAME><SECOND_NAME>PERSON</SECOND_NAME><UN_LIST_TYPE>Yemen</UN_LIST_TYPE><REFERENCE_NUMBER>YEi.013</REFERENCE_NUMBER></INDIVIDUAL>';
    const last = /<INDIVIDUAL>\s*<DATAID>6908883<\/DATAID>[\s\S]*?<\/INDIVIDUAL>/.exec(xml)![0];
    expect(last).toContain('<REFERENCE_NUMBER>YEi.012</REFERENCE_NUMBER>');
    const amended = last
      .replace('</INDIVIDUAL_ADDRESS>', '</INDIVIDUAL_ADDRESS><INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Ahmad Hamzi</ALIAS_NAME></INDIVIDUAL_ALIAS>')
      .replace('<YEAR>1985</YEAR>', '<DATE>1985-06-01</DATE>');
    const edited = xml.replace(first, '').replace(last, amended).replace('</INDIVIDUALS>', `${added}</INDIVIDUALS>`);
    const after = unList(edited);
    expect(after.entries).toHaveLength(1_003);
    expect(diffSanctionsLists(before, after)).toEqual({ added: ['YEi.013'], removed: ['CDi.001'], amended: [{ id: 'YEi.012', fields: ['names', 'birthDates'] }] });
    expect(diffSanctionsLists(before, unList(xml))).toEqual({ added: [], removed: [], amended: [] });
  });
});
