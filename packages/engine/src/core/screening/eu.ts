/**
 * The EU's consolidated list of persons, groups and entities subject to financial sanctions (the
 * Financial Sanctions Files, FSF, XML export v1.1), converted into a sanctions-list document:
 * `<export generationDate=…>` with `<sanctionEntity logicalId=…>` records, everything in attributes.
 *
 * - id: the entity's logicalId (the EU's stable number for it; euReferenceNumber such as
 *   `EU.27.28` is a legal reference, not always given).
 * - type: subjectType code, person → individual, enterprise → entity, anything else unknown.
 * - names: each nameAlias with strong="true" (the default), by wholeName, else its firstName,
 *   middleName and lastName joined. The EU marks no alias as the primary one; the first that names
 *   its parts (firstName or lastName, the form the EU uses for the designated name) comes first,
 *   else the first in the file. Aliases with strong="false" go to weakNames; an entity with only
 *   weak aliases is screened by them as names (left out, it would not be screened at all).
 * - programs: the programme of each regulation (`IRQ`, `TAQA`).
 * - birthDates: each birthdate that is not circa="true" and is Gregorian: its birthdate, else its
 *   year, monthOfYear and dayOfMonth, as far as they go.
 * - nationalities: each citizenship's countryIso2Code, when it is a country code (`00` is the
 *   EU's "UNKNOWN").
 *
 * An entity with no name at all cannot be screened; it is left out and its id reported, for the
 * admin to see beside the change summary.
 */
import { attributeText, childElement, childElements, parseXml, utcInstant, type XmlElement } from './xml';
import {
  countryCodes,
  invalid,
  isBirthDate,
  parseSanctionsList,
  sanctionsEntry,
  sanctionsListKind,
  sanctionsListSchema,
  type PublishedListMeta,
  type SanctionsEntry,
  type SanctionsEntryType,
  type SanctionsList,
  type SanctionsListResult,
} from './list';

export const euFsfSource = 'European Union, consolidated financial sanctions list (FSF XML 1.1)';

export interface EuFsfConversion {
  readonly list: SanctionsList;
  /** logicalIds of the sanctionEntity records without any name, in file order: not in the list. */
  readonly unnamed: readonly string[];
}

const nameParts = ['firstName', 'middleName', 'lastName'] as const;

export function parseEuFsfXml(xml: string, meta: PublishedListMeta): SanctionsListResult<EuFsfConversion> {
  const document = parseXml(xml);
  if (!document.ok) return invalid(`EU XML: ${document.message}`);
  const root = document.root;
  if (root.name !== 'export') return invalid(`EU XML: the root element is <${root.name}>, not <export>.`);
  const publishedAt = meta.publishedAt ?? utcInstant(attributeText(root, 'generationDate') ?? '');
  if (publishedAt === undefined) return invalid('EU XML: the root has no generationDate with a time zone; give publishedAt.');
  const records = childElements(root, 'sanctionEntity');
  if (records.length === 0) return invalid('EU XML: the list holds no sanctionEntity (is it the whole file?).');
  const entries: SanctionsEntry[] = [];
  const unnamed: string[] = [];
  for (const [index, record] of records.entries()) {
    const entry = euEntry(record);
    if (typeof entry === 'string') return invalid(`EU XML sanctionEntity ${index + 1}: ${entry}`);
    if (entry.names.length === 0) unnamed.push(entry.id);
    else entries.push(entry);
  }
  const list = parseSanctionsList({ kind: sanctionsListKind, schema: sanctionsListSchema, listId: meta.listId, source: meta.source ?? euFsfSource, publishedAt, entries });
  return list.ok ? { ok: true, value: { list: list.value, unnamed } } : list;
}

/** One sanctionEntity as an entry (with no names when it has none), or why it is not one. */
function euEntry(record: XmlElement): SanctionsEntry | string {
  const id = attributeText(record, 'logicalId');
  if (id === undefined) return 'no logicalId';
  const aliases = childElements(record, 'nameAlias').flatMap((alias) => {
    const name = attributeText(alias, 'wholeName') ?? nameParts.flatMap((part) => attributeText(alias, part) ?? []).join(' ');
    if (name === '') return [];
    const parted = nameParts.some((part) => attributeText(alias, part) !== undefined);
    return [{ name, weak: attributeText(alias, 'strong')?.toLowerCase() === 'false', parted }];
  });
  const strong = aliases.filter((alias) => !alias.weak);
  const weak = aliases.filter((alias) => alias.weak);
  const primary = strong.find((alias) => alias.parted) ?? strong[0];
  const subjectType = childElement(record, 'subjectType');
  const names = strong.length === 0 ? weak : [...(primary === undefined ? [] : [primary]), ...strong.filter((alias) => alias !== primary)];
  return sanctionsEntry({
    id,
    type: entryType(subjectType === undefined ? undefined : attributeText(subjectType, 'code')),
    names: names.map((alias) => alias.name),
    weakNames: strong.length === 0 ? [] : weak.map((alias) => alias.name),
    programs: childElements(record, 'regulation').flatMap((regulation) => attributeText(regulation, 'programme') ?? []),
    birthDates: childElements(record, 'birthdate').flatMap(euBirthDate),
    nationalities: childElements(record, 'citizenship').flatMap((citizenship) => {
      const code = attributeText(citizenship, 'countryIso2Code')?.toUpperCase();
      return code !== undefined && countryCodes.has(code) ? [code] : [];
    }),
  });
}

function entryType(code: string | undefined): SanctionsEntryType {
  switch (code?.toLowerCase()) {
    case 'person':
      return 'individual';
    case 'enterprise':
      return 'entity';
    default:
      return 'unknown';
  }
}

/** The date of a birthdate element as exact as the EU gives it; nothing for a circa, non-Gregorian or unreadable one. */
function euBirthDate(birthdate: XmlElement): string[] {
  if (attributeText(birthdate, 'circa')?.toLowerCase() === 'true') return [];
  const calendar = attributeText(birthdate, 'calendarType');
  if (calendar !== undefined && calendar.toUpperCase() !== 'GREGORIAN') return [];
  const full = attributeText(birthdate, 'birthdate');
  if (full !== undefined) return isBirthDate(full) ? [full] : [];
  const year = attributeText(birthdate, 'year');
  if (year === undefined) return [];
  const month = attributeText(birthdate, 'monthOfYear');
  const day = attributeText(birthdate, 'dayOfMonth');
  const date = month === undefined ? year : day === undefined ? `${year}-${month.padStart(2, '0')}` : `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return isBirthDate(date) ? [date] : [];
}
