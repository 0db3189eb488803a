/**
 * OFAC's XML lists (`sdn.xml`, and the consolidated non-SDN list `consolidated.xml`, which share
 * one schema), converted into a sanctions-list document: `<sdnList>` with `<publshInformation>`
 * (OFAC's spelling) and `<sdnEntry>` records.
 *
 * - id: uid, in plain decimal, the same number as ent_num in OFAC's legacy CSV files.
 * - names: as OFAC writes them, "lastName, firstName" for individuals (`HUSSEIN, Saddam`, the form
 *   of the CSV files), lastName alone for the rest; then each aka of category strong. Akas of
 *   category weak go to weakNames. Entries and akas are sorted by uid, as the CSV converter sorts by
 *   ent_num and alt_num, so one snapshot gives the same names from either format.
 * - programs: programList/program. type: sdnType.
 * - birthDates: dateOfBirthList/dateOfBirthItem/dateOfBirth as OFAC writes them: `1962`,
 *   `Feb 1961`, `12 Feb 1961` (and ISO dates). "circa 1962" and "1960 to 1962" are left out.
 * - nationalities: nationalityList/nationality/country and citizenshipList/citizenship/country, by
 *   `countryCodeOfName`; a country the table lacks is left out.
 * - digitalCurrencyAddresses: idList/id whose idType is `Digital Currency Address - ETH` (the code
 *   after the dash, as written) and whose idNumber is the address, in the file's order. One that is
 *   not a currency code and an address refuses the file: a wallet address is never dropped unread.
 */
import { childElement, childElements, childText, elementText, parseXml, type XmlElement } from './xml';
import {
  countryCodeOfName,
  invalid,
  isBirthDate,
  isDigitalCurrencyAddress,
  isDigitalCurrencyCode,
  parseSanctionsList,
  sanctionsEntry,
  sanctionsListKind,
  sanctionsListSchema,
  type DigitalCurrencyAddress,
  type PublishedListMeta,
  type SanctionsEntry,
  type SanctionsEntryType,
  type SanctionsList,
  type SanctionsListResult,
} from './list';

export const ofacXmlSource = 'US Treasury OFAC, sanctions list (sdnList XML)';

const uidPattern = /^[0-9]{1,15}$/;
const publishDatePattern = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ofacDatePattern = /^(?:(?:(\d{1,2}) )?([A-Za-z]{3}) )?(\d{4})$/;
const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/;
/** `Digital Currency Address - ETH`; also matches the type with its code missing, so that it is refused, not skipped. */
const digitalCurrencyIdTypePattern = /^Digital Currency Address\b(?:\s*-)?\s*(.*)$/u;

export function parseOfacXml(xml: string, meta: PublishedListMeta): SanctionsListResult<SanctionsList> {
  const document = parseXml(xml);
  if (!document.ok) return invalid(`OFAC XML: ${document.message}`);
  const root = document.root;
  if (root.name !== 'sdnList') return invalid(`OFAC XML: the root element is <${root.name}>, not <sdnList>.`);
  const publication = childElement(root, 'publshInformation');
  const publishedAt = meta.publishedAt ?? publishDate(publication === undefined ? undefined : childText(publication, 'Publish_Date'));
  if (publishedAt === undefined) return invalid('OFAC XML: no Publish_Date of the form MM/DD/YYYY in publshInformation; give publishedAt.');
  const records = childElements(root, 'sdnEntry');
  const recordCount = publication === undefined ? undefined : childText(publication, 'Record_Count');
  if (recordCount !== undefined && recordCount !== String(records.length)) {
    return invalid(`OFAC XML: Record_Count says ${recordCount.slice(0, 20)} entries, the file holds ${records.length} (is it the whole file?).`);
  }
  if (records.length === 0) return invalid('OFAC XML: the list holds no sdnEntry (is it the whole file?).');
  const entries: { readonly entry: SanctionsEntry; readonly order: number }[] = [];
  for (const [index, record] of records.entries()) {
    const entry = ofacEntry(record);
    if (typeof entry === 'string') return invalid(`OFAC XML sdnEntry ${index + 1}: ${entry}`);
    entries.push({ entry, order: Number(entry.id) });
  }
  return parseSanctionsList({
    kind: sanctionsListKind,
    schema: sanctionsListSchema,
    listId: meta.listId,
    source: meta.source ?? ofacXmlSource,
    publishedAt,
    entries: entries.sort((a, b) => a.order - b.order).map(({ entry }) => entry),
  });
}

/** One sdnEntry as an entry, or why it is not one. */
function ofacEntry(record: XmlElement): SanctionsEntry | string {
  const id = uid(record);
  if (id === undefined) return 'uid is not a number';
  const name = ofacName(record);
  if (name === undefined) return `uid ${id} has no lastName`;
  const akas: { readonly name: string; readonly weak: boolean; readonly order: number }[] = [];
  for (const aka of listItems(record, 'akaList', 'aka')) {
    const akaName = ofacName(aka);
    if (akaName === undefined) return `uid ${id}: an aka has no lastName`;
    const akaUid = uid(aka);
    akas.push({ name: akaName, weak: childText(aka, 'category')?.toLowerCase() === 'weak', order: akaUid === undefined ? Number.MAX_SAFE_INTEGER : Number(akaUid) });
  }
  // Array.prototype.sort is stable: akas without a uid keep their order, after the numbered ones.
  akas.sort((a, b) => a.order - b.order);
  const countries = [...listItems(record, 'nationalityList', 'nationality'), ...listItems(record, 'citizenshipList', 'citizenship')];
  const addresses = digitalCurrencyAddresses(record);
  if (typeof addresses === 'string') return `uid ${id}: ${addresses}`;
  return sanctionsEntry({
    id,
    type: entryType(childText(record, 'sdnType')),
    names: [name, ...akas.filter((aka) => !aka.weak).map((aka) => aka.name)],
    weakNames: akas.filter((aka) => aka.weak).map((aka) => aka.name),
    programs: listItems(record, 'programList', 'program').flatMap((program) => elementText(program) ?? []),
    birthDates: listItems(record, 'dateOfBirthList', 'dateOfBirthItem').flatMap((item) => ofacBirthDate(childText(item, 'dateOfBirth')) ?? []),
    nationalities: countries.flatMap((country) => countryCodeOfName(childText(country, 'country') ?? '') ?? []),
    digitalCurrencyAddresses: addresses,
  });
}

/** The wallet addresses of idList, or why one is not an address. */
function digitalCurrencyAddresses(record: XmlElement): DigitalCurrencyAddress[] | string {
  const addresses: DigitalCurrencyAddress[] = [];
  for (const item of listItems(record, 'idList', 'id')) {
    const idType = childText(item, 'idType') ?? '';
    const typed = digitalCurrencyIdTypePattern.exec(idType);
    if (typed === null) continue;
    const currency = typed[1] ?? '';
    const address = childText(item, 'idNumber') ?? '';
    if (!isDigitalCurrencyCode(currency) || !isDigitalCurrencyAddress(address)) return `${JSON.stringify(idType.slice(0, 60))} ${JSON.stringify(address.slice(0, 140))} is not a currency code and an address`;
    addresses.push({ currency, address });
  }
  return addresses;
}

/** "lastName, firstName" when OFAC gives a first name, else lastName; `undefined` without a lastName. */
function ofacName(element: XmlElement): string | undefined {
  const lastName = childText(element, 'lastName');
  const firstName = childText(element, 'firstName');
  if (lastName === undefined) return undefined;
  return firstName === undefined ? lastName : `${lastName}, ${firstName}`;
}

/** The `item` children of every `list` child of `record` (`akaList` → `aka`). */
function listItems(record: XmlElement, list: string, item: string): XmlElement[] {
  return childElements(record, list).flatMap((element) => childElements(element, item));
}

function uid(element: XmlElement): string | undefined {
  const value = childText(element, 'uid');
  return value !== undefined && uidPattern.test(value) ? String(Number(value)) : undefined;
}

function entryType(sdnType: string | undefined): SanctionsEntryType {
  const type = sdnType?.toLowerCase();
  switch (type) {
    case 'individual':
    case 'entity':
    case 'vessel':
    case 'aircraft':
      return type;
    default:
      // No sdnType, or one OFAC adds later: the entry is still screened by name, and shows as of unknown type.
      return 'unknown';
  }
}

/** OFAC's Publish_Date, MM/DD/YYYY, as YYYY-MM-DD; `undefined` when absent or malformed (the list validator checks it is a real date). */
function publishDate(text: string | undefined): string | undefined {
  const parts = text === undefined ? null : publishDatePattern.exec(text);
  return parts === null ? undefined : `${parts[3]}-${parts[1]}-${parts[2]}`;
}

/** `1962`, `Feb 1961`, `12 Feb 1961` or `1961-02-12` as `YYYY[-MM[-DD]]`; `undefined` for anything else ("circa 1962", "1960 to 1962"). */
export function ofacBirthDate(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (isoDatePattern.test(text)) return isBirthDate(text) ? text : undefined;
  const parts = ofacDatePattern.exec(text);
  if (parts === null) return undefined;
  const [, day, monthName, year] = parts;
  if (monthName === undefined) return isBirthDate(year!) ? year : undefined;
  const month = months.indexOf(monthName.toLowerCase()) + 1;
  if (month === 0) return undefined;
  const date = `${year}-${String(month).padStart(2, '0')}${day === undefined ? '' : `-${day.padStart(2, '0')}`}`;
  return isBirthDate(date) ? date : undefined;
}
