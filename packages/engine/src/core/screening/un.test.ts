/**
 * The UN converter on small documents written here for each rule and hostile input, then on the
 * UN's real Consolidated List, read in place from ../shared/vectors/sanctions (never copied into
 * the repository; see the README there). The real file is checked against the XML itself, read
 * with regular expressions, not with the parser under test. A missing file fails under CI;
 * outside CI the real-file tests are skipped with the reason printed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { countryCodeOfName, encodeSanctionsList, parseSanctionsList, type SanctionsList } from './list';
import { buildScreeningIndex, screenName } from './screen';
import { parseUnConsolidatedXml } from './un';
import { xmlCharsMax } from './xml';

const meta = { listId: 'un-consolidated' };

function parsed(xml: string, options: { listId: string; publishedAt?: string } = meta): SanctionsList {
  const result = parseUnConsolidatedXml(xml, options);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function refusal(xml: string): string {
  const result = parseUnConsolidatedXml(xml, meta);
  if (result.ok) throw new Error('accepted');
  expect(result.code).toBe('content_invalid');
  return result.message;
}

const document = (individuals: string, entities = '') =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z"><INDIVIDUALS>${individuals}</INDIVIDUALS><ENTITIES>${entities}</ENTITIES></CONSOLIDATED_LIST>`;

describe('parseUnConsolidatedXml on small documents', () => {
  const individual = `<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>ABU</FIRST_NAME><SECOND_NAME> BAKR </SECOND_NAME><THIRD_NAME/><FOURTH_NAME>AL-BAGHDADI</FOURTH_NAME>
    <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.299 </REFERENCE_NUMBER><NAME_ORIGINAL_SCRIPT>أبو بكر</NAME_ORIGINAL_SCRIPT>
    <NATIONALITY><VALUE>Iraq</VALUE><VALUE>former Soviet Union</VALUE><VALUE>Iran (Islamic Republic of)</VALUE></NATIONALITY>
    <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Ibrahim Awwad Ibrahim  al-Badri</ALIAS_NAME><DATE_OF_BIRTH>1971-07-28</DATE_OF_BIRTH></INDIVIDUAL_ALIAS>
    <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Du'a</ALIAS_NAME></INDIVIDUAL_ALIAS>
    <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>ABU BAKR AL-BAGHDADI</ALIAS_NAME></INDIVIDUAL_ALIAS>
    <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
    <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1971-07-28</DATE></INDIVIDUAL_DATE_OF_BIRTH>
    <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1970</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
    <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1969</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
    <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
    <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>Nov. 1973</NOTE></INDIVIDUAL_DATE_OF_BIRTH>
    <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1971-02-30</DATE></INDIVIDUAL_DATE_OF_BIRTH>
  </INDIVIDUAL>`;
  const entity = `<ENTITY><DATAID>2</DATAID><FIRST_NAME>AL-KAWTHAR MONEY EXCHANGE &amp; CO</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER/>
    <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Al Kawthar Co.</ALIAS_NAME></ENTITY_ALIAS><ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>Kawthar Hawala</ALIAS_NAME></ENTITY_ALIAS></ENTITY>`;

  it('joins the name parts, keeps the original script and Good aliases as names, Low aliases as weak names, exact dates and mapped nationalities only', () => {
    expect(parsed(document(individual, entity))).toEqual({
      kind: 'qenex.sanctions-list',
      schema: 1,
      listId: 'un-consolidated',
      source: 'UN Security Council, Consolidated List (XML)',
      publishedAt: '2026-02-27T00:00:09.554Z',
      entries: [
        {
          id: 'QDi.299',
          type: 'individual',
          names: ['ABU BAKR AL-BAGHDADI', 'أبو بكر', 'Ibrahim Awwad Ibrahim al-Badri'],
          programs: ['Al-Qaida'],
          birthDates: ['1971-07-28', '1970'],
          nationalities: ['IQ', 'IR'],
          weakNames: ["Abu Du'a"],
        },
        { id: '2', type: 'entity', names: ['AL-KAWTHAR MONEY EXCHANGE & CO', 'Al Kawthar Co.', 'Kawthar Hawala'], programs: ['Al-Qaida'] },
      ],
    });
  });

  it('takes publishedAt from the caller over dateGenerated, and needs one or the other', () => {
    expect(parsed(document(individual), { listId: 'un', publishedAt: '2026-03-01' }).publishedAt).toBe('2026-03-01');
    const undated = document(individual).replace(' dateGenerated="2026-02-27T00:00:09.554Z"', '');
    expect(refusal(undated)).toMatch(/no dateGenerated/);
    expect(parsed(undated, { listId: 'un', publishedAt: '2026-03-01' }).entries).toHaveLength(1);
    expect(refusal(document(individual).replace('09.554Z', '09.554'))).toMatch(/no dateGenerated with a time zone/);
  });

  it('refuses another root, an empty list, an entry without a name or an id, and two entries with one id', () => {
    expect(refusal('<sdnList/>')).toMatch(/root element is <sdnList>/);
    expect(refusal(document(''))).toMatch(/holds no INDIVIDUAL and no ENTITY/);
    expect(refusal(document('<INDIVIDUAL><DATAID>5</DATAID><FIRST_NAME> </FIRST_NAME></INDIVIDUAL>'))).toMatch(/INDIVIDUAL 1: 5 has no FIRST_NAME/);
    expect(refusal(document('<INDIVIDUAL><FIRST_NAME>X</FIRST_NAME></INDIVIDUAL>'))).toMatch(/no REFERENCE_NUMBER and no DATAID/);
    expect(refusal(document(individual + individual))).toMatch(/the id QDi.299 is already another entry's/);
  });

  it('refuses hostile XML as content_invalid: entity expansion, an external entity, deep nesting, a huge file', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE CONSOLIDATED_LIST [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${document(individual.replace('ABU', '&c;')).replace(/^<\?xml[^>]*>/, '')}`;
    expect(refusal(laughs)).toMatch(/^UN XML: .*DTD/);
    expect(refusal(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${document(individual.replace('ABU', '&e;'))}`)).toMatch(/DTD/);
    expect(refusal(document(individual.replace('ABU', '&e;')))).toMatch(/&e; is not one of XML's five/);
    expect(refusal(document(`${'<INDIVIDUAL>'.repeat(50_000)}${'</INDIVIDUAL>'.repeat(50_000)}`))).toMatch(/nested over 32 deep/);
    expect(refusal(document(individual).padEnd(xmlCharsMax + 1, ' '))).toMatch(/over \d+ characters/);
    expect(refusal(document(individual).split('</INDIVIDUALS>')[0]!)).toMatch(/ends inside <INDIVIDUALS>/);
  });
});

// ---------------------------------------------------------------------------------------------
// The real file

const vectorsRoot = fileURLToPath(new URL('../../../../../../shared/vectors/sanctions/', import.meta.url));
const file = 'UN_consolidated.xml.gz';
/** SHA-256 of the uncompressed file, from the README beside it: the counts below are of this snapshot. */
const snapshotSha256 = '66b392a4090868d2d39161e8d748efd39138377b0e6e60b7921aa67a4f99c8bf';
const ci = Boolean(process.env.CI);
const missing = !existsSync(vectorsRoot + file);
if (missing && !ci) console.warn(`[vectors] NOT RUN: UN Consolidated List missing: ${vectorsRoot + file}`);

let real: { readonly xml: string; readonly list: SanctionsList } | undefined;

function realFile(): { readonly xml: string; readonly list: SanctionsList } {
  if (missing) throw new Error(`vector file missing under CI: ${vectorsRoot + file} (shared/ must sit beside the repository)`);
  if (real !== undefined) return real;
  const bytes = gunzipSync(readFileSync(vectorsRoot + file));
  expect(createHash('sha256').update(bytes).digest('hex'), `${file} is not the snapshot the README describes`).toBe(snapshotSha256);
  const xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const started = performance.now();
  const list = parsed(xml);
  const parseMs = performance.now() - started;
  real = { xml, list };
  console.log(`[vectors] UN Consolidated List: ${list.entries.length} entries, ${list.entries.reduce((sum, entry) => sum + entry.names.length, 0)} names, ${list.entries.reduce((sum, entry) => sum + (entry.weakNames?.length ?? 0), 0)} weak names; parse ${parseMs.toFixed(0)} ms`);
  return real;
}

// The XML read without the parser: records, and the text of simple elements, entities resolved and white space collapsed.
const predefined: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const plain = (text: string) => text.replace(/&(lt|gt|amp|quot|apos);/g, (_, name: string) => predefined[name]!).replace(/\s+/gu, ' ').trim();
const blocks = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1]!);
const texts = (block: string, tag: string) => [...block.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((match) => plain(match[1]!)).filter((text) => text !== '');
const first = (block: string, tag: string) => texts(block, tag)[0];

describe.skipIf(missing && !ci)('parseUnConsolidatedXml on the real Consolidated List', () => {
  it('has one entry per INDIVIDUAL and ENTITY, in file order, with the README counts by list', () => {
    const { xml, list } = realFile();
    const individuals = blocks(xml, 'INDIVIDUAL');
    const entities = blocks(xml, 'ENTITY');
    expect([individuals.length, entities.length]).toEqual([730, 273]);
    expect(list.entries.filter((entry) => entry.type === 'individual')).toHaveLength(730);
    expect(list.entries.filter((entry) => entry.type === 'entity')).toHaveLength(273);
    expect(list.entries.map((entry) => entry.id)).toEqual([...individuals, ...entities].map((block) => first(block, 'REFERENCE_NUMBER')));
    const byList = new Map<string, number>();
    for (const entry of list.entries) byList.set(entry.programs[0]!, (byList.get(entry.programs[0]!) ?? 0) + 1);
    expect(Object.fromEntries(byList)).toEqual({ 'Al-Qaida': 341, DPRK: 155, Taliban: 140, Iran: 121, Iraq: 75, DRC: 53, Libya: 30, Somalia: 24, CAR: 15, Haiti: 11, Yemen: 11, GB: 10, Sudan: 9, SouthSudan: 8 });
    expect(list.publishedAt).toBe('2026-02-27T00:00:09.554Z');
  });

  it('reads the first and last individual, the first and last entity and two others field by field as the file writes them', () => {
    const { list } = realFile();
    const byId = new Map(list.entries.map((entry) => [entry.id, entry]));
    // First INDIVIDUAL: ERIC / BADEGE, DRC, EXACT YEAR 1971, NATIONALITY Democratic Republic of the Congo, one empty alias.
    expect(list.entries[0]).toEqual({ id: 'CDi.001', type: 'individual', names: ['ERIC BADEGE'], programs: ['DRC'], birthDates: ['1971'], nationalities: ['CD'] });
    // Last INDIVIDUAL: four Low aliases, a NAME_ORIGINAL_SCRIPT, EXACT YEAR 1985.
    expect(list.entries[729]).toEqual({
      id: 'YEi.012',
      type: 'individual',
      names: ['AHMAD AL-HAMZI', 'أحمد الحمزي'],
      programs: ['Yemen'],
      birthDates: ['1985'],
      nationalities: ['YE'],
      weakNames: ["Ahmad 'Ali al-Hamzi", "Ahmad 'Ali Ahsan al-Hamzi", 'Ahmed Ali al-Hamzi', 'Muti al-Hamzi'],
    });
    // An alias with its own DATE_OF_BIRTH ("New AKA: Jang Hyon U with date of birth 22 February 1958").
    expect(byId.get('KPi.016')).toEqual({ id: 'KPi.016', type: 'individual', names: ['JANG BOM SU', 'Jang Pom Su', 'Jang Hyon U'], programs: ['DPRK'], birthDates: ['1957-04-15', '1958-02-22'], nationalities: ['KP'] });
    expect(byId.get('IQi.001')).toEqual({ id: 'IQi.001', type: 'individual', names: ['SADDAM HUSSEIN AL-TIKRITI', 'صدام حسين التكريتي'], programs: ['Iraq'], birthDates: ['1937-04-28'], nationalities: ['IQ'], weakNames: ['Abu Ali'] });
    expect(list.entries[730]).toEqual({ id: 'CDe.001', type: 'entity', names: ['ADF', 'Allied Democratic Forces', 'Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda', 'ADF/NALU', 'NALU'], programs: ['DRC'] });
    expect(list.entries[1002]).toEqual({ id: 'YEe.001', type: 'entity', names: ['THE HOUTHIS', 'ANSARALLAH', 'ANSAR ALLAH', 'PARTISANS OF GOD', 'SUPPORTERS OF GOD'], programs: ['Yemen'] });
  });

  it('attaches every alias: Low as a weak name, every other quality as a name', () => {
    const { xml, list } = realFile();
    const records = [...blocks(xml, 'INDIVIDUAL'), ...blocks(xml, 'ENTITY')];
    const problems: string[] = [];
    let low = 0;
    records.forEach((block, index) => {
      const entry = list.entries[index]!;
      for (const alias of [...blocks(block, 'INDIVIDUAL_ALIAS'), ...blocks(block, 'ENTITY_ALIAS')]) {
        const name = first(alias, 'ALIAS_NAME');
        if (name === undefined) continue;
        const isLow = first(alias, 'QUALITY') === 'Low';
        low += isLow ? 1 : 0;
        const found = isLow ? (entry.weakNames ?? []).includes(name) || entry.names.includes(name) : entry.names.includes(name);
        if (!found) problems.push(`${entry.id}: ${name}`);
      }
    });
    expect(problems).toEqual([]);
    expect(low).toBe(615);
    expect(list.entries.reduce((sum, entry) => sum + (entry.weakNames?.length ?? 0), 0)).toBe(615);
    expect(list.entries.filter((entry) => entry.weakNames !== undefined)).toHaveLength(229);
  });

  it('has the dates of birth the file gives as EXACT and those given with aliases, and no others', () => {
    const { xml, list } = realFile();
    const individuals = blocks(xml, 'INDIVIDUAL');
    const problems: string[] = [];
    individuals.forEach((block, index) => {
      const exact = blocks(block, 'INDIVIDUAL_DATE_OF_BIRTH').flatMap((date) => (first(date, 'TYPE_OF_DATE') === 'EXACT' ? [first(date, 'DATE') ?? first(date, 'YEAR')].filter((value) => value !== undefined) : []));
      const ofAliases = blocks(block, 'INDIVIDUAL_ALIAS').flatMap((alias) => texts(alias, 'DATE_OF_BIRTH'));
      const expected = [...new Set([...exact, ...ofAliases])];
      const entry = list.entries[index]!;
      if (JSON.stringify(entry.birthDates ?? []) !== JSON.stringify(expected)) problems.push(`${entry.id}: ${JSON.stringify(entry.birthDates)} where ${JSON.stringify(expected)}`);
    });
    expect(problems).toEqual([]);
    expect(list.entries.filter((entry) => entry.birthDates !== undefined)).toHaveLength(561);
    expect(list.entries.slice(730).every((entry) => entry.birthDates === undefined)).toBe(true);
  });

  it('maps every nationality the file names but "former Soviet Union" and "na"', () => {
    const { xml, list } = realFile();
    const values = blocks(xml, 'NATIONALITY').flatMap((block) => texts(block, 'VALUE'));
    expect(values).toHaveLength(652);
    expect([...new Set(values.filter((value) => countryCodeOfName(value) === undefined))]).toEqual(['former Soviet Union', 'na']);
    expect(list.entries.filter((entry) => entry.nationalities !== undefined)).toHaveLength(624);
    // One code per mapped value: no entry names one country twice.
    expect(list.entries.reduce((sum, entry) => sum + (entry.nationalities?.length ?? 0), 0)).toBe(values.filter((value) => countryCodeOfName(value) !== undefined).length);
  });

  it('round-trips through encode and parse unchanged, byte for byte', () => {
    const { list } = realFile();
    const bytes = encodeSanctionsList(list);
    expect(parseSanctionsList(JSON.parse(bytes))).toEqual({ ok: true, value: list });
    expect(encodeSanctionsList(list)).toBe(bytes);
  });

  it('screens: each entry is found by each of its names', () => {
    const { list } = realFile();
    const index = buildScreeningIndex([list]);
    const misses = list.entries.flatMap((entry) => entry.names.filter((name) => !screenName(index, name).some((match) => match.entryId === entry.id)).map((name) => `${entry.id}: ${name}`));
    // The known gap of the two-letter rule (as on OFAC's list): names of one letter and digits.
    expect(misses).toEqual(['CDe.006: M23', 'HTe.002: G-9']);
    expect(screenName(index, 'Saddam Hussein al-Tikriti').map((match) => match.entryId)).toEqual(['IQi.001']);
  });
});
