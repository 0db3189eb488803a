import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert';
import {
  birthDatesPerEntryMax,
  countryCodeOfName,
  countryCodes,
  digitalCurrencyAddressCharsMax,
  digitalCurrencyAddressesPerEntryMax,
  encodeSanctionsList,
  isBirthDate,
  nameCharsMax,
  namesPerEntryMax,
  nationalitiesPerEntryMax,
  parseSanctionsList,
  programsPerEntryMax,
  sanctionsEntriesMax,
  sanctionsEntry,
  sanctionsEntryTypes,
  weakNamesPerEntryMax,
  type SanctionsEntry,
  type SanctionsList,
} from './list';

const entry: SanctionsEntry = { id: '7843', type: 'individual', names: ['HUSSEIN, Saddam', 'AL-TIKRITI, Saddam Hussein'], programs: ['IRAQ2'] };
const list: SanctionsList = {
  kind: 'qenex.sanctions-list',
  schema: 1,
  listId: 'ofac-sdn',
  source: 'US Treasury OFAC',
  publishedAt: '2021-07-07',
  entries: [entry, { id: '306', type: 'entity', names: ['BANCO NACIONAL DE CUBA'], programs: [] }],
};

/** The list as JSON with one change applied, as a branch would receive it. */
function variant(change: (document: Record<string, unknown> & { entries: Record<string, unknown>[] }) => void): unknown {
  const document = JSON.parse(encodeSanctionsList(list)) as Record<string, unknown> & { entries: Record<string, unknown>[] };
  change(document);
  return document;
}

function refusal(value: unknown): string {
  const result = parseSanctionsList(value);
  if (result.ok) throw new Error('accepted');
  expect(result.code).toBe('content_invalid');
  return result.message;
}

describe('parseSanctionsList and encodeSanctionsList', () => {
  it('accepts what encode produces and gives back the same list, and the same bytes again', () => {
    const bytes = encodeSanctionsList(list);
    const parsed = parseSanctionsList(JSON.parse(bytes));
    expect(parsed).toEqual({ ok: true, value: list });
    expect(encodeSanctionsList(parsed.ok ? parsed.value : list)).toBe(bytes);
  });

  it('writes canonical JSON: sorted keys, no white space, whatever order the fields were set in', () => {
    const reordered = { entries: list.entries.map((item) => ({ programs: item.programs, names: item.names, type: item.type, id: item.id })), publishedAt: list.publishedAt, source: list.source, listId: list.listId, schema: 1, kind: list.kind } as SanctionsList;
    const bytes = encodeSanctionsList(list);
    expect(encodeSanctionsList(reordered)).toBe(bytes);
    expect(bytes.startsWith('{"entries":[{"id":"7843","names":["HUSSEIN, Saddam",')).toBe(true);
    expect(bytes).not.toMatch(/\s"|":\s|,\s"/);
  });

  it('accepts a UTC instant as publishedAt, with or without milliseconds', () => {
    for (const publishedAt of ['2026-02-27T00:00:09Z', '2026-02-27T00:00:09.554Z', '2024-02-29']) {
      expect(parseSanctionsList({ ...list, publishedAt }).ok).toBe(true);
    }
  });

  it('refuses an unknown field, at the top or in an entry', () => {
    expect(refusal(variant((document) => (document.signedBy = 'me')))).toMatch(/Unknown field "signedBy"/);
    expect(refusal(variant((document) => (document.entries[1]!.remarks = 'x')))).toMatch(/entries\[1\]: unknown field "remarks"/);
    expect(refusal(JSON.parse(encodeSanctionsList(list).replace('{"entries"', '{"__proto__":{},"entries"')))).toMatch(/Unknown field "__proto__"/);
  });

  it('refuses a missing field', () => {
    expect(refusal(variant((document) => delete document.source))).toMatch(/no source/);
    expect(refusal(variant((document) => delete document.entries[0]!.programs))).toMatch(/entries\[0\] has no programs/);
  });

  it('refuses another kind or schema', () => {
    expect(refusal({ ...list, kind: 'qenex.stand-in-policy' })).toMatch(/kind/);
    expect(refusal({ ...list, schema: 2 })).toMatch(/schema/);
    expect(refusal({ ...list, schema: '1' })).toMatch(/schema/);
  });

  it('refuses wrong types', () => {
    expect(refusal(null)).toMatch(/JSON object/);
    expect(refusal([list])).toMatch(/JSON object/);
    expect(refusal(new Map(Object.entries(list)))).toMatch(/JSON object/);
    expect(refusal({ ...list, entries: {} })).toMatch(/entries is an array/);
    expect(refusal(variant((document) => (document.entries[0]!.names = 'HUSSEIN')))).toMatch(/names is an array/);
    expect(refusal(variant((document) => (document.entries[0]!.names = [7843])))).toMatch(/names\[0\] is not a string/);
    expect(refusal(variant((document) => (document.entries[0]!.id = 7843)))).toMatch(/id is/);
    expect(refusal(variant((document) => (document.entries[0]!.type = 'person')))).toMatch(/type is one of/);
    expect(refusal(variant((document) => ((document.entries as unknown[])[1] = 'BANCO')))).toMatch(/entries\[1\] is not an object/);
  });

  it('refuses control characters, lone surrogates and bidirectional overrides in any text', () => {
    for (const bad of ['A\u0000B', 'A\nB', 'A\tB', 'A\u007fB', 'A\u009fB', 'A\u202eB', 'A\u2067B', 'A\ud800B', 'A\udc00B']) {
      expect(refusal(variant((document) => (document.entries[0]!.names = [bad])))).toMatch(/control character/);
    }
    expect(refusal({ ...list, source: 'OFAC\r\n' })).toMatch(/source/);
    expect(refusal(variant((document) => (document.entries[0]!.programs = ['SDGT\u0007'])))).toMatch(/programs\[0\] holds a control character/);
    expect(parseSanctionsList(variant((document) => (document.entries[0]!.names = ['محمد\u200cرضا', '😀 Emoji Ltd']))).ok).toBe(true);
  });

  it('refuses empty or untrimmed text', () => {
    expect(refusal(variant((document) => (document.entries[0]!.names = [''])))).toMatch(new RegExp(`1 to ${nameCharsMax} characters`));
    expect(refusal(variant((document) => (document.entries[0]!.names = [' HUSSEIN'])))).toMatch(/white space/);
    expect(refusal(variant((document) => (document.entries[0]!.names = [])))).toMatch(/names holds 1 to/);
  });

  it('refuses what is over its limit: name length, names, programmes, entries', () => {
    expect(parseSanctionsList(variant((document) => (document.entries[0]!.names = ['x'.repeat(nameCharsMax)]))).ok).toBe(true);
    expect(refusal(variant((document) => (document.entries[0]!.names = ['x'.repeat(nameCharsMax + 1)])))).toMatch(new RegExp(`names\\[0\\] is 1 to ${nameCharsMax} characters`));
    const many = (count: number) => Array.from({ length: count }, (_, index) => `NAME ${index}`);
    expect(parseSanctionsList(variant((document) => (document.entries[0]!.names = many(namesPerEntryMax)))).ok).toBe(true);
    expect(refusal(variant((document) => (document.entries[0]!.names = many(namesPerEntryMax + 1))))).toMatch(/names holds 1 to 256/);
    expect(refusal(variant((document) => (document.entries[0]!.programs = many(programsPerEntryMax + 1))))).toMatch(/programs holds 0 to 64/);
    expect(refusal({ ...list, entries: new Array(sanctionsEntriesMax + 1).fill(entry) })).toMatch(/at most 200000 entries/);
  });

  it('refuses a duplicate entry id, and a name or programme repeated in one entry', () => {
    expect(refusal({ ...list, entries: [entry, { ...entry, names: ['SOMEONE ELSE'] }] })).toMatch(/entries\[1\]: the id 7843 is already another entry's/);
    expect(refusal(variant((document) => (document.entries[0]!.names = ['A B', 'A B'])))).toMatch(/names\[1\] repeats/);
    expect(refusal(variant((document) => (document.entries[0]!.programs = ['SDGT', 'SDGT'])))).toMatch(/programs\[1\] repeats/);
  });

  it('refuses a malformed listId, entry id or publishedAt', () => {
    for (const listId of ['', 'OFAC', '-ofac', 'ofac_sdn', 'ofac/sdn', 'x'.repeat(65)]) expect(refusal({ ...list, listId })).toMatch(/listId/);
    expect(refusal(variant((document) => (document.entries[0]!.id = '../7843')))).toMatch(/id is/);
    for (const publishedAt of ['2021-02-29', '2021-13-01', '2021-07-07T25:00:00Z', '2021-07-07T12:00:00+02:00', '2021-07-07 12:00:00Z', '07/07/2021', '']) {
      expect(refusal({ ...list, publishedAt })).toMatch(/publishedAt/);
    }
  });

  it('will not encode a list the validator refuses (a programmer error)', () => {
    expect(() => encodeSanctionsList({ ...list, listId: 'Bad Id' })).toThrow(AssertionError);
  });

  it('round-trips any valid list through encode and parse, byte for byte (property)', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((value) => value.trim() === value && parseSanctionsList({ ...list, source: value }).ok);
    const entryArbitrary = fc.record({
      id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,10}$/),
      type: fc.constantFrom(...sanctionsEntryTypes),
      names: fc.uniqueArray(text, { minLength: 1, maxLength: 5 }),
      programs: fc.uniqueArray(text, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(entryArbitrary, { maxLength: 8, selector: (item) => item.id }), text, (entries, source) => {
        const generated: SanctionsList = { ...list, source, entries };
        const bytes = encodeSanctionsList(generated);
        const parsed = parseSanctionsList(JSON.parse(bytes));
        expect(parsed).toEqual({ ok: true, value: generated });
        expect(encodeSanctionsList(generated)).toBe(bytes);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the optional qualifiers: birthDates, nationalities, weakNames', () => {
  const qualified: SanctionsEntry = { ...entry, birthDates: ['1937-04-28', '1937'], nationalities: ['IQ'], weakNames: ['Abu Ali'] };
  const withQualifiers: SanctionsList = { ...list, entries: [qualified, list.entries[1]!] };

  it('leaves the bytes of an entry without qualifiers exactly as they were', () => {
    const plain: SanctionsList = { ...list, entries: [{ id: '306', type: 'entity', names: ['BANCO NACIONAL DE CUBA'], programs: ['CUBA'] }] };
    expect(encodeSanctionsList(plain)).toBe(
      '{"entries":[{"id":"306","names":["BANCO NACIONAL DE CUBA"],"programs":["CUBA"],"type":"entity"}],"kind":"qenex.sanctions-list","listId":"ofac-sdn","publishedAt":"2021-07-07","schema":1,"source":"US Treasury OFAC"}',
    );
  });

  it('encodes qualifiers in canonical key order and reads them back unchanged', () => {
    const bytes = encodeSanctionsList(withQualifiers);
    expect(bytes.startsWith('{"entries":[{"birthDates":["1937-04-28","1937"],"id":"7843","names":["HUSSEIN, Saddam","AL-TIKRITI, Saddam Hussein"],"nationalities":["IQ"],"programs":["IRAQ2"],"type":"individual","weakNames":["Abu Ali"]},')).toBe(true);
    const parsed = parseSanctionsList(JSON.parse(bytes));
    expect(parsed).toEqual({ ok: true, value: withQualifiers });
    expect(parsed.ok && 'birthDates' in parsed.value.entries[1]!).toBe(false);
  });

  const qualifiedVariant = (change: (entry: Record<string, unknown>) => void) => {
    const document = JSON.parse(encodeSanctionsList(withQualifiers)) as { entries: Record<string, unknown>[] };
    change(document.entries[0]!);
    return document;
  };

  it('refuses an empty qualifier: unknown is written by leaving the field out', () => {
    for (const field of ['birthDates', 'nationalities', 'weakNames']) expect(refusal(qualifiedVariant((item) => (item[field] = [])))).toMatch(new RegExp(`${field} holds 1 to`));
    expect(refusal(qualifiedVariant((item) => (item.birthDates = '1937')))).toMatch(/birthDates is an array/);
  });

  it('accepts dates of birth as precise as the source is, and refuses anything else', () => {
    for (const date of ['1937', '1937-04', '1937-04-28', '2000-02-29', '1800', '2100-12-31']) expect(isBirthDate(date)).toBe(true);
    for (const date of ['37', '1937-4', '1937-04-31', '1937-13', '2001-02-29', '1799', '2101', '1937/04/28', 'circa 1937', ' 1937', '1937-00']) expect(isBirthDate(date)).toBe(false);
    expect(refusal(qualifiedVariant((item) => (item.birthDates = ['1937-04-31'])))).toMatch(/birthDates\[0\] is not a real date/);
    expect(refusal(qualifiedVariant((item) => (item.birthDates = [1937])))).toMatch(/birthDates\[0\] is not a string/);
    expect(refusal(qualifiedVariant((item) => (item.birthDates = ['1937', '1937'])))).toMatch(/birthDates\[1\] repeats/);
  });

  it('accepts only ISO 3166-1 alpha-2 codes in upper case as nationalities', () => {
    expect(countryCodes.size).toBe(250);
    for (const code of ['iq', 'Iq', 'XX', '00', 'IRQ', 'SU', 'UK', 'EU']) expect(refusal(qualifiedVariant((item) => (item.nationalities = [code])))).toMatch(/nationalities\[0\]/);
    expect(parseSanctionsList(qualifiedVariant((item) => (item.nationalities = ['XK', 'PS', 'GB']))).ok).toBe(true);
  });

  it('maps the country names the UN and OFAC write, and nothing it would have to guess', () => {
    expect(countryCodeOfName("Democratic People's Republic of Korea")).toBe('KP');
    expect(countryCodeOfName('Korea, North')).toBe('KP');
    expect(countryCodeOfName('  iran (Islamic   Republic of) ')).toBe('IR');
    expect(countryCodeOfName('Türkiye')).toBe('TR');
    expect(countryCodeOfName('Palestinian')).toBe('PS');
    for (const name of ['former Soviet Union', 'na', 'undetermined', 'Region: Crimea', 'Netherlands Antilles', 'Korea', '']) expect(countryCodeOfName(name)).toBeUndefined();
  });

  it('refuses a weak name that is also a strong one, or repeated', () => {
    expect(refusal(qualifiedVariant((item) => (item.weakNames = ['HUSSEIN, Saddam'])))).toMatch(/weakNames\[0\] is also one of the entry's names/);
    expect(refusal(qualifiedVariant((item) => (item.weakNames = ['Abu Ali', 'Abu Ali'])))).toMatch(/weakNames\[1\] repeats/);
    expect(refusal(qualifiedVariant((item) => (item.weakNames = ['Abu\u202eAli'])))).toMatch(/weakNames\[0\] holds a control character/);
  });

  it('refuses qualifiers over their limits', () => {
    const years = (count: number) => Array.from({ length: count }, (_, index) => String(1900 + index));
    expect(parseSanctionsList(qualifiedVariant((item) => (item.birthDates = years(birthDatesPerEntryMax)))).ok).toBe(true);
    expect(refusal(qualifiedVariant((item) => (item.birthDates = years(birthDatesPerEntryMax + 1))))).toMatch(new RegExp(`birthDates holds 1 to ${birthDatesPerEntryMax}`));
    expect(refusal(qualifiedVariant((item) => (item.nationalities = [...countryCodes].slice(0, nationalitiesPerEntryMax + 1))))).toMatch(new RegExp(`nationalities holds 1 to ${nationalitiesPerEntryMax}`));
    const many = Array.from({ length: weakNamesPerEntryMax + 1 }, (_, index) => `WEAK ${index}`);
    expect(refusal(qualifiedVariant((item) => (item.weakNames = many)))).toMatch(new RegExp(`weakNames holds 1 to ${weakNamesPerEntryMax}`));
  });

  it('builds entries for converters: each text once, weak names not repeating strong ones, empty qualifiers left out', () => {
    expect(sanctionsEntry({ id: '1', type: 'individual', names: ['A B', 'A B', 'C'], programs: ['X', 'X'], weakNames: ['C', 'D', 'D'], birthDates: [], nationalities: ['IQ', 'IQ'] })).toEqual({
      id: '1',
      type: 'individual',
      names: ['A B', 'C'],
      programs: ['X'],
      nationalities: ['IQ'],
      weakNames: ['D'],
    });
    const bare = sanctionsEntry({ id: '2', type: 'entity', names: ['E'], programs: [], weakNames: ['E'] });
    expect(Object.keys(bare)).toEqual(['id', 'type', 'names', 'programs']);
  });

  it('round-trips any valid list with qualifiers through encode and parse, byte for byte (property)', () => {
    const name = fc.stringMatching(/^[A-Z][A-Z ]{0,10}[A-Z]$/);
    const birthDate = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2010-12-31T00:00:00Z'), noInvalidDate: true }).chain((date) => fc.constantFrom(date.toISOString().slice(0, 4), date.toISOString().slice(0, 7), date.toISOString().slice(0, 10)));
    const entryArbitrary = fc
      .record(
        {
          id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,10}$/),
          type: fc.constantFrom(...sanctionsEntryTypes),
          names: fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
          programs: fc.uniqueArray(name, { maxLength: 2 }),
          birthDates: fc.uniqueArray(birthDate, { minLength: 1, maxLength: 3 }),
          nationalities: fc.uniqueArray(fc.constantFrom(...countryCodes), { minLength: 1, maxLength: 3 }),
          weakNames: fc.uniqueArray(name.map((value) => value.toLowerCase()), { minLength: 1, maxLength: 3 }),
        },
        { requiredKeys: ['id', 'type', 'names', 'programs'] },
      )
      .map((item) => item as SanctionsEntry);
    fc.assert(
      fc.property(fc.uniqueArray(entryArbitrary, { maxLength: 8, selector: (item) => item.id }), (entries) => {
        const generated: SanctionsList = { ...list, entries };
        const bytes = encodeSanctionsList(generated);
        expect(parseSanctionsList(JSON.parse(bytes))).toEqual({ ok: true, value: generated });
      }),
      { numRuns: 300 },
    );
  });
});

describe('the optional digitalCurrencyAddresses', () => {
  const eth = { currency: 'ETH', address: '0x7Db418b5D567A4e0E8c59Ad71BE1FcE48f3E6107' };
  const xbt = { currency: 'XBT', address: '18Ke1QWE9nQfXuhJijHggZuPJ5ZYxapoBK' };
  const withAddresses: SanctionsList = { ...list, entries: [{ ...entry, digitalCurrencyAddresses: [eth, xbt] }, list.entries[1]!] };
  const addressVariant = (change: (entry: Record<string, unknown>) => void) => {
    const document = JSON.parse(encodeSanctionsList(withAddresses)) as { entries: Record<string, unknown>[] };
    change(document.entries[0]!);
    return document;
  };

  it('leaves the bytes of an entry without addresses exactly as they were, and gives it back without the key', () => {
    const plain: SanctionsList = { ...list, entries: [{ id: '306', type: 'entity', names: ['BANCO NACIONAL DE CUBA'], programs: ['CUBA'] }] };
    const bytes = encodeSanctionsList(plain);
    expect(bytes).toBe(
      '{"entries":[{"id":"306","names":["BANCO NACIONAL DE CUBA"],"programs":["CUBA"],"type":"entity"}],"kind":"qenex.sanctions-list","listId":"ofac-sdn","publishedAt":"2021-07-07","schema":1,"source":"US Treasury OFAC"}',
    );
    const back = parseSanctionsList(JSON.parse(bytes));
    expect(back).toEqual({ ok: true, value: plain });
    expect(back.ok && 'digitalCurrencyAddresses' in back.value.entries[0]!).toBe(false);
    expect(encodeSanctionsList(back.ok ? back.value : plain)).toBe(bytes);
  });

  it('encodes addresses in canonical key order, in the order given and as written, and reads them back unchanged', () => {
    const bytes = encodeSanctionsList(withAddresses);
    expect(bytes.startsWith(`{"entries":[{"digitalCurrencyAddresses":[{"address":"${eth.address}","currency":"ETH"},{"address":"${xbt.address}","currency":"XBT"}],"id":"7843",`)).toBe(true);
    expect(parseSanctionsList(JSON.parse(bytes))).toEqual({ ok: true, value: withAddresses });
  });

  it('refuses an empty array, a repeated pair, too many, other fields, and a currency or address of the wrong form', () => {
    expect(refusal(addressVariant((item) => (item.digitalCurrencyAddresses = [])))).toMatch(/digitalCurrencyAddresses holds 1 to/);
    expect(refusal(addressVariant((item) => (item.digitalCurrencyAddresses = [eth, eth])))).toMatch(/digitalCurrencyAddresses\[1\] repeats/);
    const many = Array.from({ length: digitalCurrencyAddressesPerEntryMax + 1 }, (_, index) => ({ currency: 'XBT', address: `1abc${index}` }));
    expect(refusal(addressVariant((item) => (item.digitalCurrencyAddresses = many)))).toMatch(/holds 1 to 128 items/);
    expect(refusal(addressVariant((item) => (item.digitalCurrencyAddresses = [{ ...eth, network: 'ARB' }])))).toMatch(/exactly the fields currency and address/);
    expect(refusal(addressVariant((item) => (item.digitalCurrencyAddresses = [{ address: eth.address }])))).toMatch(/exactly the fields currency and address/);
    for (const currency of ['', 'E TH', 'ETH;', 'X'.repeat(17), 7]) expect(refusal(addressVariant((item) => (item.digitalCurrencyAddresses = [{ ...eth, currency }])))).toMatch(/currency is 1 to 16/);
    for (const address of ['', ' 0xabc', '0xabc.', '0xa b', '0xabc;', 'a'.repeat(digitalCurrencyAddressCharsMax + 1), '\u202e0xabc', 12]) {
      expect(refusal(addressVariant((item) => (item.digitalCurrencyAddresses = [{ ...eth, address }])))).toMatch(/address is 1 to 128/);
    }
    // The same address under two currencies is two pairs (OFAC files 0xd882cfc2… under ETH and ETC).
    expect(parseSanctionsList(addressVariant((item) => (item.digitalCurrencyAddresses = [eth, { ...eth, currency: 'ETC' }]))).ok).toBe(true);
    expect(parseSanctionsList(addressVariant((item) => (item.digitalCurrencyAddresses = [{ currency: 'BCH', address: 'bitcoincash:qq1234' }]))).ok).toBe(true);
  });

  it('builds entries for converters with each pair once and no empty array', () => {
    expect(sanctionsEntry({ id: '1', type: 'entity', names: ['A CO'], programs: [], digitalCurrencyAddresses: [] })).toEqual({ id: '1', type: 'entity', names: ['A CO'], programs: [] });
    expect(sanctionsEntry({ id: '1', type: 'entity', names: ['A CO'], programs: [], digitalCurrencyAddresses: [eth, xbt, { ...eth }] }).digitalCurrencyAddresses).toEqual([eth, xbt]);
  });
});
