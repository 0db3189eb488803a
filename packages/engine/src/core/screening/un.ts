/**
 * The UN Security Council Consolidated List (the XML the UN publishes at
 * scsanctions.un.org), converted into a sanctions-list document:
 * `<CONSOLIDATED_LIST dateGenerated=…>` with `<INDIVIDUALS><INDIVIDUAL>` and
 * `<ENTITIES><ENTITY>`.
 *
 * - id: REFERENCE_NUMBER (`QDi.001`, the UN's permanent reference), or DATAID if it has none.
 * - names: FIRST_NAME to FOURTH_NAME joined by spaces (an entity has only FIRST_NAME), then
 *   NAME_ORIGINAL_SCRIPT (the same name as the UN writes it in Arabic, Cyrillic, Hangul…), then
 *   the aliases of quality Good, a.k.a. and f.k.a. Aliases of quality Low go to weakNames.
 * - programs: UN_LIST_TYPE (`Al-Qaida`, `DPRK`).
 * - birthDates: INDIVIDUAL_DATE_OF_BIRTH of TYPE_OF_DATE EXACT (its DATE, else its YEAR), and the
 *   DATE_OF_BIRTH the UN gives with an alias. APPROXIMATELY and BETWEEN dates are left out, as are
 *   dates only written in a NOTE ("Nov. 1973", a Hijri date).
 * - nationalities: NATIONALITY/VALUE, by `countryCodeOfName`; a country the table lacks is left out.
 */
import { attributeText, childElements, childText, parseXml, utcInstant, type XmlElement } from './xml';
import {
  countryCodeOfName,
  invalid,
  isBirthDate,
  parseSanctionsList,
  sanctionsEntry,
  sanctionsListKind,
  sanctionsListSchema,
  type PublishedListMeta,
  type SanctionsEntry,
  type SanctionsList,
  type SanctionsListResult,
} from './list';

export const unConsolidatedSource = 'UN Security Council, Consolidated List (XML)';

const nameParts = ['FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME'] as const;
/** The quality the UN gives an individual's low-quality aliases; Good, a.k.a. and f.k.a. (entities' aliases) are names in full. */
const weakQuality = 'low';

export function parseUnConsolidatedXml(xml: string, meta: PublishedListMeta): SanctionsListResult<SanctionsList> {
  const document = parseXml(xml);
  if (!document.ok) return invalid(`UN XML: ${document.message}`);
  const root = document.root;
  if (root.name !== 'CONSOLIDATED_LIST') return invalid(`UN XML: the root element is <${root.name}>, not <CONSOLIDATED_LIST>.`);
  const publishedAt = meta.publishedAt ?? utcInstant(attributeText(root, 'dateGenerated') ?? '');
  if (publishedAt === undefined) return invalid('UN XML: the root has no dateGenerated with a time zone; give publishedAt.');
  const records = [
    ...childElements(root, 'INDIVIDUALS').flatMap((group) => childElements(group, 'INDIVIDUAL')),
    ...childElements(root, 'ENTITIES').flatMap((group) => childElements(group, 'ENTITY')),
  ];
  if (records.length === 0) return invalid('UN XML: the list holds no INDIVIDUAL and no ENTITY (is it the whole file?).');
  const entries: SanctionsEntry[] = [];
  for (const [index, record] of records.entries()) {
    const entry = unEntry(record);
    if (typeof entry === 'string') return invalid(`UN XML ${record.name} ${index + 1}: ${entry}`);
    entries.push(entry);
  }
  return parseSanctionsList({ kind: sanctionsListKind, schema: sanctionsListSchema, listId: meta.listId, source: meta.source ?? unConsolidatedSource, publishedAt, entries });
}

/** One INDIVIDUAL or ENTITY as an entry, or why it is not one. */
function unEntry(record: XmlElement): SanctionsEntry | string {
  const id = childText(record, 'REFERENCE_NUMBER') ?? childText(record, 'DATAID');
  if (id === undefined) return 'no REFERENCE_NUMBER and no DATAID';
  const individual = record.name === 'INDIVIDUAL';
  const primary = nameParts.flatMap((part) => childText(record, part) ?? []).join(' ');
  if (primary === '') return `${id} has no FIRST_NAME`;
  const aliases = childElements(record, individual ? 'INDIVIDUAL_ALIAS' : 'ENTITY_ALIAS').flatMap((alias) => {
    const name = childText(alias, 'ALIAS_NAME');
    return name === undefined ? [] : [{ name, weak: childText(alias, 'QUALITY')?.toLowerCase() === weakQuality, birthDate: childText(alias, 'DATE_OF_BIRTH') }];
  });
  const program = childText(record, 'UN_LIST_TYPE');
  const originalScript = childText(record, 'NAME_ORIGINAL_SCRIPT');
  return sanctionsEntry({
    id,
    type: individual ? 'individual' : 'entity',
    names: [primary, ...(originalScript === undefined ? [] : [originalScript]), ...aliases.filter((alias) => !alias.weak).map((alias) => alias.name)],
    weakNames: aliases.filter((alias) => alias.weak).map((alias) => alias.name),
    programs: program === undefined ? [] : [program],
    birthDates: [...childElements(record, 'INDIVIDUAL_DATE_OF_BIRTH').flatMap(exactBirthDate), ...aliases.flatMap((alias) => alias.birthDate ?? [])].filter(isBirthDate),
    nationalities: childElements(record, 'NATIONALITY')
      .flatMap((nationality) => childElements(nationality, 'VALUE'))
      .flatMap((value) => countryCodeOfName(value.text) ?? []),
  });
}

/** The date or year of an INDIVIDUAL_DATE_OF_BIRTH the UN calls EXACT; nothing for APPROXIMATELY, BETWEEN or a date only in a NOTE. */
function exactBirthDate(dateOfBirth: XmlElement): string[] {
  const type = childText(dateOfBirth, 'TYPE_OF_DATE')?.toUpperCase();
  if (type !== undefined && type !== 'EXACT') return [];
  const date = childText(dateOfBirth, 'DATE') ?? childText(dateOfBirth, 'YEAR');
  return date === undefined ? [] : [date];
}
