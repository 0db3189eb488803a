/**
 * The EU FSF converter on small documents written here, then on the EU sample in
 * ../shared/vectors/sanctions (four entities cut verbatim out of the real v1.1 export, and one
 * synthetic entity without names; see the README there), read in place and checked against the
 * XML itself. A missing file fails under CI; outside CI the real-file tests are skipped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseEuFsfXml, type EuFsfConversion } from './eu';
import { encodeSanctionsList, parseSanctionsList } from './list';
import { xmlCharsMax } from './xml';

const meta = { listId: 'eu-fsf' };

function converted(xml: string, options: { listId: string; publishedAt?: string } = meta): EuFsfConversion {
  const result = parseEuFsfXml(xml, options);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function refusal(xml: string): string {
  const result = parseEuFsfXml(xml, meta);
  if (result.ok) throw new Error('accepted');
  expect(result.code).toBe('content_invalid');
  return result.message;
}

const document = (entities: string) => `<?xml version="1.0" encoding="UTF-8"?><export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-08-05T16:47:04.449+02:00" globalFileId="1">${entities}</export>`;
const alias = (attributes: string) => `<nameAlias function="" title="" ${attributes}><regulationSummary numberTitle="x"/></nameAlias>`;

describe('parseEuFsfXml on small documents', () => {
  const person = `<sanctionEntity euReferenceNumber="EU.1.1" logicalId="101">
    <regulation programme="IRQ" logicalId="1"/><regulation programme="TERR" logicalId="2"/><regulation programme="IRQ" logicalId="3"/>
    <subjectType code="person" classificationCode="P"/>
    ${alias('firstName="" middleName="" lastName="" wholeName="Abou Ali" nameLanguage="FR" strong="true"')}
    ${alias('wholeName="Abu" strong="false"')}
    ${alias('firstName="Saddam" lastName="Hussein Al-Tikriti" wholeName="Saddam Hussein Al-Tikriti" strong="true"')}
    ${alias('firstName="Saddam" middleName="H." lastName="Tikriti" wholeName=""')}
    ${alias('wholeName="" strong="true"')}
    <citizenship countryIso2Code="IQ"/><citizenship countryIso2Code="00" countryDescription="UNKNOWN"/><citizenship countryIso2Code="iq"/>
    <birthdate circa="false" calendarType="GREGORIAN" birthdate="1937-04-28" year="1937"/>
    <birthdate circa="false" calendarType="GREGORIAN" birthdate="" monthOfYear="5" year="1938"/>
    <birthdate circa="false" year="1939"/>
    <birthdate circa="true" year="1940"/>
    <birthdate circa="false" calendarType="ISLAMIC" year="1360"/>
    <birthdate circa="false" yearRangeFrom="1941" yearRangeTo="1943"/>
  </sanctionEntity>`;
  const weakOnly = `<sanctionEntity logicalId="102"><subjectType code="enterprise"/>${alias('wholeName="Front" strong="false"')}</sanctionEntity>`;
  const nameless = '<sanctionEntity logicalId="103"><subjectType code="person"/></sanctionEntity>';
  const vessel = `<sanctionEntity logicalId="104"><subjectType code="vessel"/>${alias('wholeName="STAR" strong="true"')}</sanctionEntity>`;

  it('reads names, weak names, programmes, exact dates and citizenships; the alias naming its parts first', () => {
    expect(converted(document(person + weakOnly + nameless + vessel))).toEqual({
      unnamed: ['103'],
      list: {
        kind: 'qenex.sanctions-list',
        schema: 1,
        listId: 'eu-fsf',
        source: 'European Union, consolidated financial sanctions list (FSF XML 1.1)',
        publishedAt: '2026-08-05T14:47:04.449Z',
        entries: [
          {
            id: '101',
            type: 'individual',
            names: ['Saddam Hussein Al-Tikriti', 'Abou Ali', 'Saddam H. Tikriti'],
            programs: ['IRQ', 'TERR'],
            birthDates: ['1937-04-28', '1938-05', '1939'],
            nationalities: ['IQ'],
            weakNames: ['Abu'],
          },
          // Only weak aliases: screened by them as names rather than not at all.
          { id: '102', type: 'entity', names: ['Front'], programs: [] },
          { id: '104', type: 'unknown', names: ['STAR'], programs: [] },
        ],
      },
    });
  });

  it('takes publishedAt from the caller over generationDate, and needs one or the other', () => {
    expect(converted(document(person), { listId: 'eu', publishedAt: '2026-08-06' }).list.publishedAt).toBe('2026-08-06');
    expect(refusal(document(person).replace(' generationDate="2026-08-05T16:47:04.449+02:00"', ''))).toMatch(/no generationDate/);
  });

  it('refuses another root, an empty export, an entity without logicalId, a repeated logicalId', () => {
    expect(refusal('<sdnList/>')).toMatch(/root element is <sdnList>/);
    expect(refusal(document(''))).toMatch(/holds no sanctionEntity/);
    expect(refusal(document(`<sanctionEntity>${alias('wholeName="X"')}</sanctionEntity>`))).toMatch(/sanctionEntity 1: no logicalId/);
    expect(refusal(document(person + person))).toMatch(/the id 101 is already another entry's/);
  });

  it('refuses hostile XML as content_invalid: entity expansion, an undeclared entity, deep nesting, a huge file', () => {
    expect(refusal(`<!DOCTYPE export [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>${document(person.replace('Abou Ali', '&b;')).replace(/^<\?xml[^>]*>/, '')}`)).toMatch(/^EU XML: .*DTD/);
    expect(refusal(document(person.replace('Abou Ali', '&b;')))).toMatch(/&b; is not one of XML's five/);
    expect(refusal(document(`${'<remark>'.repeat(40)}${'</remark>'.repeat(40)}`))).toMatch(/nested over 32 deep/);
    expect(refusal(document(person).padEnd(xmlCharsMax + 1, ' '))).toMatch(/over \d+ characters/);
  });
});

// ---------------------------------------------------------------------------------------------
// The sample from the real export

const vectorsRoot = fileURLToPath(new URL('../../../../../../shared/vectors/sanctions/', import.meta.url));
const file = 'eu_fsf_1_1_sample.xml.gz';
const snapshotSha256 = '778d56b7038174213c21fd07929d3c3443c489a29b35569a17bb9629821e437e';
const ci = Boolean(process.env.CI);
const missing = !existsSync(vectorsRoot + file);
if (missing && !ci) console.warn(`[vectors] NOT RUN: EU FSF sample missing: ${vectorsRoot + file}`);

function sampleXml(): string {
  if (missing) throw new Error(`vector file missing under CI: ${vectorsRoot + file} (shared/ must sit beside the repository)`);
  const bytes = gunzipSync(readFileSync(vectorsRoot + file));
  expect(createHash('sha256').update(bytes).digest('hex'), `${file} is not the snapshot the README describes`).toBe(snapshotSha256);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

describe.skipIf(missing && !ci)('parseEuFsfXml on the EU sample', () => {
  it('has the 4 named entities and drops the synthetic one without names, counting it', () => {
    const xml = sampleXml();
    const started = performance.now();
    const { list, unnamed } = converted(xml);
    console.log(`[vectors] EU FSF sample: ${list.entries.length} entries, ${unnamed.length} without names; parse ${(performance.now() - started).toFixed(1)} ms`);
    expect([...xml.matchAll(/<sanctionEntity /g)]).toHaveLength(5);
    expect(list.entries.map((entry) => entry.id)).toEqual(['13', '191', '980', '330']);
    expect(unnamed).toEqual(['999999']);
    // Every one of the file's 23 wholeNames is a name: none is weak, none repeats within its entity.
    const wholeNames = [...xml.matchAll(/wholeName="([^"]*)"/g)].map((match) => match[1]);
    expect(wholeNames).toHaveLength(23);
    expect(list.entries.flatMap((entry) => entry.names).sort()).toEqual([...wholeNames].sort());
    expect(list.entries.every((entry) => entry.weakNames === undefined)).toBe(true);
    expect(list.publishedAt).toBe('2026-08-05T14:47:04.449Z');
  });

  it('reads each entity field by field as the file writes it', () => {
    const { list } = converted(sampleXml());
    expect(list.entries).toEqual([
      // logicalId 13: birthdate 1937-04-28, citizenship IQ, regulation programme IRQ; the alias with firstName and lastName first.
      { id: '13', type: 'individual', names: ['Saddam Hussein Al-Tikriti', 'Abu Ali', 'Abou Ali'], programs: ['IRQ'], birthDates: ['1937-04-28'], nationalities: ['IQ'] },
      // logicalId 191: seven aliases, the one with parts ("Khalid Sheikh MOHAMMED") first; two birthdates; no citizenship.
      {
        id: '191',
        type: 'individual',
        names: ['Khalid Sheikh MOHAMMED', 'Bin Khalid Fahd Bin Adballah', 'Wadood Khalid Adbul', 'Henin Ashraf Refaat Nabith', 'Bin Khalid Fahd Bin Abdallah', 'Wadood Khalid Abdul', 'Ali Salem'],
        programs: ['TERR'],
        birthDates: ['1965-04-14', '1964-03-01'],
      },
      { id: '980', type: 'entity', names: ['Global Relief Foundation (GRF)'], programs: ['TAQA'] },
      {
        id: '330',
        type: 'entity',
        names: [
          'Al-Rasheed Trust',
          'Al Rasheed Trust',
          'Al-Rashid Trust',
          'Организация за подпомагане на Ulema, Пакистан',
          'Aid Organisation of the Ulema, Pakistan',
          'Al Madina Trust',
          'Al Amin Trust',
          'Al Ameen Trust',
          'Al-Madina Trust',
          'Al Rashid Trust',
          'Al-Ameen Trust',
          'Al Amin Welfare Trust',
        ],
        programs: ['TAQA'],
      },
    ]);
  });

  it('round-trips through encode and parse unchanged, byte for byte', () => {
    const { list } = converted(sampleXml());
    const bytes = encodeSanctionsList(list);
    expect(parseSanctionsList(JSON.parse(bytes))).toEqual({ ok: true, value: list });
    expect(encodeSanctionsList(list)).toBe(bytes);
  });
});
