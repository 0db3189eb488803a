/**
 * The OFAC XML converter on small documents written here, then on OFAC's real Consolidated
 * (non-SDN) list, which has the schema of sdn.xml, read in place from ../shared/vectors/sanctions
 * (see the README there). The real file is checked against the XML itself, read with regular
 * expressions, not with the parser under test. A missing file fails under CI; outside CI the
 * real-file tests are skipped with the reason printed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeSanctionsList, parseSanctionsList, type SanctionsList } from './list';
import { ofacBirthDate, parseOfacXml } from './ofac-xml';
import { xmlCharsMax } from './xml';

const meta = { listId: 'ofac-consolidated' };

function parsed(xml: string, options: { listId: string; publishedAt?: string; source?: string } = meta): SanctionsList {
  const result = parseOfacXml(xml, options);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function refusal(xml: string): string {
  const result = parseOfacXml(xml, meta);
  if (result.ok) throw new Error('accepted');
  expect(result.code).toBe('content_invalid');
  return result.message;
}

const document = (entries: string, count = (entries.match(/<sdnEntry>/g) ?? []).length) =>
  `<?xml version="1.0" standalone="yes"?>\n<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"><publshInformation><Publish_Date>01/08/2026</Publish_Date><Record_Count>${count}</Record_Count></publshInformation>${entries}</sdnList>`;

describe('parseOfacXml on small documents', () => {
  const individual = `<sdnEntry><uid>07843</uid><firstName>Saddam</firstName><lastName>HUSSEIN</lastName><sdnType>Individual</sdnType>
    <programList><program>IRAQ2</program><program>IRAQ2</program></programList>
    <akaList>
      <aka><uid>20</uid><type>a.k.a.</type><category>strong</category><lastName>AL-TIKRITI</lastName><firstName>Saddam Hussein</firstName></aka>
      <aka><uid>4</uid><type>a.k.a.</type><category>weak</category><lastName>ABU ALI</lastName></aka>
      <aka><uid>5</uid><type>f.k.a.</type><category>strong</category><lastName>HUSSEIN</lastName><firstName>Saddam</firstName></aka>
    </akaList>
    <nationalityList><nationality><uid>1</uid><country>Iraq</country><mainEntry>true</mainEntry></nationality><nationality><uid>2</uid><country>Atlantis</country></nationality></nationalityList>
    <citizenshipList><citizenship><uid>3</uid><country>Korea, North</country></citizenship></citizenshipList>
    <dateOfBirthList>
      <dateOfBirthItem><uid>1</uid><dateOfBirth>28 Apr 1937</dateOfBirth></dateOfBirthItem>
      <dateOfBirthItem><uid>2</uid><dateOfBirth>Feb 1938</dateOfBirth></dateOfBirthItem>
      <dateOfBirthItem><uid>3</uid><dateOfBirth>1939</dateOfBirth></dateOfBirthItem>
      <dateOfBirthItem><uid>4</uid><dateOfBirth>circa 1940</dateOfBirth></dateOfBirthItem>
      <dateOfBirthItem><uid>5</uid><dateOfBirth>1941 to 1943</dateOfBirth></dateOfBirthItem>
      <dateOfBirthItem><uid>6</uid><dateOfBirth>31 Apr 1944</dateOfBirth></dateOfBirthItem>
    </dateOfBirthList></sdnEntry>`;
  const entity = '<sdnEntry><uid>306</uid><lastName>BANCO NACIONAL DE CUBA</lastName><sdnType>Entity</sdnType><programList><program>CUBA</program></programList></sdnEntry>';
  const vessel = '<sdnEntry><uid>9001</uid><lastName>STAR</lastName><sdnType>Vessel</sdnType><programList/></sdnEntry>';
  const other = '<sdnEntry><uid>9002</uid><lastName>GHOST</lastName><sdnType>Spacecraft</sdnType><programList/></sdnEntry>';

  it('writes individuals "LAST, First", sorts entries and akas by uid, keeps weak akas apart, exact dates and mapped countries only', () => {
    expect(parsed(document(individual + other + vessel + entity))).toEqual({
      kind: 'qenex.sanctions-list',
      schema: 1,
      listId: 'ofac-consolidated',
      source: 'US Treasury OFAC, sanctions list (sdnList XML)',
      publishedAt: '2026-01-08',
      entries: [
        { id: '306', type: 'entity', names: ['BANCO NACIONAL DE CUBA'], programs: ['CUBA'] },
        {
          id: '7843',
          type: 'individual',
          names: ['HUSSEIN, Saddam', 'AL-TIKRITI, Saddam Hussein'],
          programs: ['IRAQ2'],
          birthDates: ['1937-04-28', '1938-02', '1939'],
          nationalities: ['IQ', 'KP'],
          weakNames: ['ABU ALI'],
        },
        { id: '9001', type: 'vessel', names: ['STAR'], programs: [] },
        { id: '9002', type: 'unknown', names: ['GHOST'], programs: [] },
      ],
    });
  });

  it('reads the dates of birth OFAC writes, and no approximate ones', () => {
    expect(['1962', 'Feb 1961', '12 Feb 1961', '1 jan 1961', '1961-02-12'].map(ofacBirthDate)).toEqual(['1962', '1961-02', '1961-02-12', '1961-01-01', '1961-02-12']);
    for (const text of ['circa 1962', '1960 to 1962', 'Fbr 1961', '30 Feb 1961', '1799', '61', '', undefined]) expect(ofacBirthDate(text)).toBeUndefined();
  });

  it("takes the caller's date and source over the file's; needs a date", () => {
    expect(parsed(document(entity), { listId: 'ofac-sdn', publishedAt: '2026-01-09', source: 'US Treasury OFAC, SDN list (XML)' })).toMatchObject({ publishedAt: '2026-01-09', source: 'US Treasury OFAC, SDN list (XML)' });
    expect(refusal(document(entity).replace('01/08/2026', '2026-01-08'))).toMatch(/no Publish_Date of the form MM\/DD\/YYYY/);
    expect(refusal(document(entity).replace('01/08/2026', '02/30/2026'))).toMatch(/publishedAt is a real date/);
  });

  it('refuses a file whose Record_Count is not its number of entries: it is not the whole list', () => {
    expect(refusal(document(entity, 2))).toMatch(/Record_Count says 2 entries, the file holds 1/);
    expect(refusal(document(''))).toMatch(/holds no sdnEntry/);
  });

  it('refuses another root, an entry without a uid or lastName, an aka without a lastName, a repeated uid', () => {
    expect(refusal('<CONSOLIDATED_LIST/>')).toMatch(/root element is <CONSOLIDATED_LIST>/);
    expect(refusal(document('<sdnEntry><uid>x</uid><lastName>A</lastName></sdnEntry>'))).toMatch(/sdnEntry 1: uid is not a number/);
    expect(refusal(document('<sdnEntry><uid>1</uid><firstName>A</firstName></sdnEntry>'))).toMatch(/uid 1 has no lastName/);
    expect(refusal(document('<sdnEntry><uid>1</uid><lastName>A</lastName><akaList><aka><firstName>B</firstName></aka></akaList></sdnEntry>'))).toMatch(/uid 1: an aka has no lastName/);
    expect(refusal(document(entity + entity.replace('<uid>306</uid>', '<uid>0306</uid>')))).toMatch(/the id 306 is already another entry's/);
  });

  it('reads Digital Currency Address ids as wallet addresses, code after the dash and idNumber as written, and refuses one it cannot read', () => {
    const ids = (items: string) => `<sdnEntry><uid>30518</uid><lastName>HOLDER</lastName><sdnType>Entity</sdnType><programList><program>CYBER2</program></programList><idList>${items}</idList></sdnEntry>`;
    const id = (type: string, number: string) => `<id><uid>1</uid><idType>${type}</idType><idNumber>${number}</idNumber></id>`;
    const eth = '0x7Db418b5D567A4e0E8c59Ad71BE1FcE48f3E6107';
    const list = parsed(document(ids(id('Passport', 'X 123') + id('Digital Currency Address - ETH', eth) + id('Digital Currency Address - USDT', ` ${eth} `) + id('Digital Currency Address - ETH', eth) + id('Digital Currency Address - XBT', '1AbcD'))));
    expect(list.entries[0]!.digitalCurrencyAddresses).toEqual([{ currency: 'ETH', address: eth }, { currency: 'USDT', address: eth }, { currency: 'XBT', address: '1AbcD' }]);
    expect('digitalCurrencyAddresses' in parsed(document(ids(id('Passport', 'X 123')))).entries[0]!).toBe(false);
    expect(refusal(document(ids(id('Digital Currency Address - ETH', '0xab cd'))))).toMatch(/sdnEntry 1: uid 30518: "Digital Currency Address - ETH" "0xab cd" is not a currency code and an address/);
    expect(refusal(document(ids(id('Digital Currency Address - ', eth))))).toMatch(/is not a currency code and an address/);
    expect(refusal(document(ids('<id><idType>Digital Currency Address - XBT</idType></id>')))).toMatch(/is not a currency code and an address/);
  });

  it('refuses hostile XML as content_invalid: entity expansion, deep nesting, a huge file', () => {
    expect(refusal(`<!DOCTYPE sdnList [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>${document(entity.replace('BANCO', '&b;')).replace(/^<\?xml[^>]*>\n/, '')}`)).toMatch(/^OFAC XML: .*DTD/);
    expect(refusal(document(`<sdnEntry>${'<akaList>'.repeat(40)}${'</akaList>'.repeat(40)}</sdnEntry>`))).toMatch(/nested over 32 deep/);
    expect(refusal(document(entity).padEnd(xmlCharsMax + 1, ' '))).toMatch(/over \d+ characters/);
  });
});

// ---------------------------------------------------------------------------------------------
// The real file

const vectorsRoot = fileURLToPath(new URL('../../../../../../shared/vectors/sanctions/', import.meta.url));
const file = 'ofac_consolidated_non_sdn.xml.gz';
/** SHA-256 of the uncompressed file, from the README beside it: the counts below are of this snapshot. */
const snapshotSha256 = '00d16d5f63ca0e68daadb37f636cfcd6f64e60e2c5859d520fa809ea6fbdf334';
const ci = Boolean(process.env.CI);
const missing = !existsSync(vectorsRoot + file);
if (missing && !ci) console.warn(`[vectors] NOT RUN: OFAC consolidated XML missing: ${vectorsRoot + file}`);

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
  console.log(`[vectors] OFAC consolidated (non-SDN) XML: ${list.entries.length} entries, ${list.entries.reduce((sum, entry) => sum + entry.names.length, 0)} names, ${list.entries.reduce((sum, entry) => sum + (entry.weakNames?.length ?? 0), 0)} weak names; parse ${parseMs.toFixed(0)} ms`);
  return real;
}

// The XML read without the parser under test.
const predefined: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const plain = (text: string) => text.replace(/&(lt|gt|amp|quot|apos);/g, (_, name: string) => predefined[name]!).replace(/\s+/gu, ' ').trim();
const blocks = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1]!);
const first = (block: string, tag: string) => {
  const found = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(block);
  return found === null ? undefined : plain(found[1]!);
};
const ofacName = (block: string) => [first(block, 'lastName'), first(block, 'firstName')].filter((part) => part !== undefined).join(', ');

describe.skipIf(missing && !ci)('parseOfacXml on the real consolidated (non-SDN) list', () => {
  it('has Record_Count entries, with the README counts of types and programmes', () => {
    const { xml, list } = realFile();
    const records = blocks(xml, 'sdnEntry');
    expect(first(xml, 'Record_Count')).toBe('442');
    expect(records).toHaveLength(442);
    expect(list.entries).toHaveLength(442);
    expect(list.publishedAt).toBe('2026-01-08');
    const types = new Map<string, number>();
    for (const entry of list.entries) types.set(entry.type, (types.get(entry.type) ?? 0) + 1);
    expect(Object.fromEntries(types)).toEqual({ entity: 363, individual: 79 });
    const programs = new Map<string, number>();
    for (const program of list.entries.flatMap((entry) => entry.programs)) programs.set(program, (programs.get(program) ?? 0) + 1);
    expect(programs.size).toBe(11);
    expect([...programs].sort((a, b) => b[1] - a[1]).slice(0, 4)).toEqual([['UKRAINE-EO13662', 286], ['RUSSIA-EO14024', 93], ['NS-PLC', 78], ['CMIC-EO13959', 68]]);
    expect(list.entries.map((entry) => entry.id)).toEqual(records.map((record) => first(record, 'uid')));
  });

  it('reads the first and last entry and the first entity field by field as the file writes them', () => {
    const { list } = realFile();
    // The file's first sdnEntry: uid 9639, two strong akas, dateOfBirth 1962.
    expect(list.entries[0]).toEqual({ id: '9639', type: 'individual', names: ['HANIYA, Ismail Abdul Salah', 'HANIYA, Ismail', 'HANIYYA, Ismaeel'], programs: ['NS-PLC'], birthDates: ['1962'] });
    // Its last: a weak aka "Sweet Micky", dateOfBirth "12 Feb 1961", nationality Haiti.
    expect(list.entries[441]).toEqual({
      id: '50476',
      type: 'individual',
      names: ['MARTELLY, Michel Joseph', 'MARTELLY, Michael'],
      programs: ['ILLICIT-DRUGS-EO14059'],
      birthDates: ['1961-02-12'],
      nationalities: ['HT'],
      weakNames: ['Sweet Micky'],
    });
    expect(list.entries.find((entry) => entry.type === 'entity')).toEqual({ id: '15268', type: 'entity', names: ['BANK OF KUNLUN CO LTD', 'KARAMAY URBAN CREDIT COOPERATIVES', 'KARAMAY CITY COMMERCIAL BANK CO LTD.'], programs: ['561-Related'] });
    expect(list.entries.find((entry) => entry.id === '9647')?.nationalities).toEqual(['PS']);
  });

  it('attaches all 1,144 akas: strong ones as names, weak ones as weak names', () => {
    const { xml, list } = realFile();
    const records = blocks(xml, 'sdnEntry');
    const problems: string[] = [];
    let [strong, weak] = [0, 0];
    records.forEach((record, index) => {
      const entry = list.entries[index]!;
      if (entry.names[0] !== ofacName(record.replace(/<akaList>[\s\S]*<\/akaList>/, ''))) problems.push(`${entry.id}: primary ${entry.names[0]}`);
      for (const aka of blocks(record, 'aka')) {
        const isWeak = first(aka, 'category') === 'weak';
        [strong, weak] = isWeak ? [strong, weak + 1] : [strong + 1, weak];
        const name = ofacName(aka);
        if (!(isWeak ? (entry.weakNames ?? []).includes(name) || entry.names.includes(name) : entry.names.includes(name))) problems.push(`${entry.id}: aka ${name}`);
      }
    });
    expect(problems).toEqual([]);
    expect([strong, weak]).toEqual([1_072, 72]);
    expect(list.entries.reduce((sum, entry) => sum + (entry.weakNames?.length ?? 0), 0)).toBe(72);
    // 442 primary names and 1,072 strong akas, one of which is its entry's primary name again, and counts once.
    expect(list.entries.reduce((sum, entry) => sum + entry.names.length, 0)).toBe(442 + 1_072 - 1);
    expect(list.entries.find((entry) => entry.id === '18282')?.names).toEqual(['OJSC NOVOKUYBYSHEV REFINERY', 'NOVOKUIBYSHEVSK REFINERY']);
  });

  it('has a date of birth for every entry with a dateOfBirthList, and both nationalities', () => {
    const { xml, list } = realFile();
    const records = blocks(xml, 'sdnEntry');
    const dated = records.flatMap((record, index) => (record.includes('<dateOfBirthList>') ? [list.entries[index]!] : []));
    expect(dated).toHaveLength(74);
    expect(dated.every((entry) => entry.birthDates?.length === 1)).toBe(true);
    expect(list.entries.filter((entry) => entry.birthDates !== undefined)).toHaveLength(74);
    expect(list.entries.flatMap((entry) => (entry.nationalities === undefined ? [] : [[entry.id, ...entry.nationalities]]))).toEqual([['9647', 'PS'], ['50476', 'HT']]);
  });

  it('has no wallet address: the consolidated non-SDN list of this snapshot lists none', () => {
    const { xml, list } = realFile();
    expect(xml.match(/Digital Currency/g)).toBeNull();
    expect(list.entries.filter((entry) => entry.digitalCurrencyAddresses !== undefined)).toEqual([]);
  });

  it('round-trips through encode and parse unchanged, byte for byte', () => {
    const { list } = realFile();
    const bytes = encodeSanctionsList(list);
    expect(parseSanctionsList(JSON.parse(bytes))).toEqual({ ok: true, value: list });
    expect(encodeSanctionsList(list)).toBe(bytes);
  });

  it('refuses the real file cut short: its Record_Count no longer holds', () => {
    const { xml } = realFile();
    const cut = xml.slice(0, xml.lastIndexOf('<sdnEntry>')) + '</sdnList>\n';
    const result = parseOfacXml(cut, meta);
    expect(result).toMatchObject({ ok: false, code: 'content_invalid' });
    expect(result.ok ? '' : result.message).toMatch(/Record_Count says 442 entries, the file holds 441/);
  });
});
