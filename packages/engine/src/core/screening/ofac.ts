/**
 * OFAC's legacy CSV files of the SDN list, converted into a sanctions-list document. Both files
 * have no header row; `-0-` (OFAC writes `-0- `) marks an empty field.
 *
 * - `sdn.csv`: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT,
 *   Vess_flag, Vess_owner, Remarks. SDN_Type empty means an entity; several programmes share one
 *   field as `SDGT] [IFSR`.
 * - `alt.csv`: ent_num, alt_num, alt_type (aka, fka, nka), alt_name, alt_remarks.
 * - `sdn_comments.csv`: ent_num, the rest of a Remarks field OFAC cut at 1,000 characters. The
 *   cut falls anywhere, inside a word or an address ("…Digital Currency Addres" + "s - ETH 0x…"),
 *   so the rest is joined on with nothing between.
 *
 * What screening needs is kept: id, type, names, programmes, and the wallet addresses OFAC writes
 * in Remarks as `Digital Currency Address - XBT 12QtD5…;` (with or without `alt.`), currency code
 * and address as written. Without sdn_comments.csv a cut Remarks field (one that does not end in
 * `.`, as every whole one does) has its last, cut segment left unread, so that no half address is
 * published; the addresses that were in the rest are then missing. Names stay as OFAC
 * writes them (`HUSSEIN, Saddam`); the screening key makes word order irrelevant. Aliases that OFAC
 * mentions only in Remarks ("a.k.a. 'BNC'") are not read: the alt file is the structured source.
 */
import { parseCsv } from './csv';
import { invalid, isDigitalCurrencyAddress, isDigitalCurrencyCode, parseSanctionsList, sanctionsEntriesMax, sanctionsListKind, sanctionsListSchema, sanctionsNamesMax, type DigitalCurrencyAddress, type SanctionsEntry, type SanctionsEntryType, type SanctionsList, type SanctionsListResult } from './list';

export interface OfacListMeta {
  readonly listId: string;
  /** OFAC's publication date of the files (the CSV files carry none). */
  readonly publishedAt: string;
}

export const ofacSdnSource = 'US Treasury OFAC, Specially Designated Nationals list (legacy CSV)';
export const ofacSdnFields = 12;
export const ofacAltFields = 5;
export const ofacCommentsFields = 2;
/** The longest field the files may hold: Remarks runs to about a thousand characters before OFAC moves the rest to sdn_comments.csv. */
export const ofacFieldCharsMax = 4_096;

/** ent_num and alt_num: whole numbers, read as numbers so that `0306` and `306` are one entry. */
const numberPattern = /^[0-9]{1,15}$/;
const nullMarker = '-0-';
const programSeparator = '] [';
const remarksSeparator = ';';
/** `Digital Currency Address - ETH 0x…` up to the next `;` (or the end); the address group is trimmed and stripped of a final `.` by the reader. */
const digitalCurrencyAddressPattern = /Digital Currency Address - ([^\s;]+)\s+([^;]*)/gu;

/**
 * The SDN list from `sdn.csv` and, when given, its aliases from `alt.csv`. Entries come sorted by
 * ent_num and aliases by alt_num, so the document depends on the files' content, not their row
 * order. An alias or a remarks continuation of an ent_num the main file lacks is refused: the files
 * are not one snapshot. `commentsCsv` is `sdn_comments.csv`, the rest of Remarks cut short; pass
 * it, or the wallet addresses in that rest are missing from the list.
 */
export function parseOfacSdnCsv(sdnCsv: string, altCsv: string | undefined, meta: OfacListMeta, commentsCsv?: string): SanctionsListResult<SanctionsList> {
  const main = parseCsv(sdnCsv, { fieldsPerRecord: ofacSdnFields, recordsMax: sanctionsEntriesMax, fieldCharsMax: ofacFieldCharsMax });
  if (!main.ok) return invalid(`sdn.csv: ${main.message}`);
  const remarks = new Map<string, string | undefined>();
  const entries = new Map<string, { readonly entry: SanctionsEntry; readonly order: number }>();
  for (const [index, record] of main.records.entries()) {
    const entry = sdnEntry(record);
    if (typeof entry === 'string') return invalid(`sdn.csv record ${index + 1}: ${entry}`);
    if (entries.has(entry.id)) return invalid(`sdn.csv record ${index + 1}: ent_num ${entry.id} appears twice`);
    entries.set(entry.id, { entry, order: Number(entry.id) });
    remarks.set(entry.id, ofacValue(record[ofacSdnFields - 1] ?? ''));
  }
  const aliases = altCsv === undefined ? new Map<string, string[]>() : readAliases(altCsv, entries);
  if (typeof aliases === 'string') return invalid(aliases);
  const continuations = commentsCsv === undefined ? new Map<string, string>() : readContinuations(commentsCsv, entries);
  if (typeof continuations === 'string') return invalid(continuations);
  const addresses = new Map<string, DigitalCurrencyAddress[]>();
  for (const [id, text] of remarks) {
    const read = remarksAddresses(wholeRemarks(text, continuations.get(id)));
    if (typeof read === 'string') return invalid(`sdn.csv ent_num ${id}: ${read}`);
    if (read.length > 0) addresses.set(id, read);
  }
  const sorted = [...entries.values()]
    .sort((a, b) => a.order - b.order)
    .map(({ entry }) => {
      const found = addresses.get(entry.id);
      return { entry: found === undefined ? entry : { ...entry, digitalCurrencyAddresses: found } };
    });
  return parseSanctionsList({
    kind: sanctionsListKind,
    schema: sanctionsListSchema,
    listId: meta.listId,
    source: ofacSdnSource,
    publishedAt: meta.publishedAt,
    entries: sorted.map(({ entry }) => ({ ...entry, names: distinct([...entry.names, ...(aliases.get(entry.id) ?? [])]) })),
  });
}

/** One record of sdn.csv as an entry (its primary name only), or why it is not one. */
function sdnEntry(record: readonly string[]): SanctionsEntry | string {
  const [entNumField, sdnName, sdnType, program] = record.map(ofacValue);
  const entNum = ofacNumber(entNumField);
  if (entNum === undefined) return 'ent_num is not a number';
  if (sdnName === undefined) return `ent_num ${entNum} has no SDN_Name`;
  const programs = program === undefined ? [] : distinct(program.split(programSeparator).map((part) => part.trim()));
  return { id: entNum, type: entryType(sdnType), names: [sdnName], programs };
}

/** Aliases by ent_num, each list sorted by alt_num, or why the file is refused. */
function readAliases(altCsv: string, entries: ReadonlyMap<string, unknown>): Map<string, string[]> | string {
  const alt = parseCsv(altCsv, { fieldsPerRecord: ofacAltFields, recordsMax: sanctionsNamesMax, fieldCharsMax: ofacFieldCharsMax });
  if (!alt.ok) return `alt.csv: ${alt.message}`;
  const byEntry = new Map<string, { readonly altNum: number; readonly name: string }[]>();
  for (const [index, record] of alt.records.entries()) {
    const [entNumField, altNumField, , altName] = record.map(ofacValue);
    const [entNum, altNum] = [ofacNumber(entNumField), ofacNumber(altNumField)];
    const at = `alt.csv record ${index + 1}`;
    if (entNum === undefined || altNum === undefined) return `${at}: ent_num or alt_num is not a number`;
    if (!entries.has(entNum)) return `${at}: ent_num ${entNum} is not in sdn.csv`;
    if (altName === undefined) return `${at}: alt_name is empty`;
    const list = byEntry.get(entNum) ?? [];
    list.push({ altNum: Number(altNum), name: altName });
    byEntry.set(entNum, list);
  }
  return new Map([...byEntry].map(([entNum, list]) => [entNum, list.sort((a, b) => a.altNum - b.altNum).map((item) => item.name)]));
}

/** The continuation of Remarks by ent_num (rows of one ent_num joined in file order), or why the file is refused. */
function readContinuations(commentsCsv: string, entries: ReadonlyMap<string, unknown>): Map<string, string> | string {
  const comments = parseCsv(commentsCsv, { fieldsPerRecord: ofacCommentsFields, recordsMax: sanctionsEntriesMax, fieldCharsMax: ofacFieldCharsMax });
  if (!comments.ok) return `sdn_comments.csv: ${comments.message}`;
  const byEntry = new Map<string, string>();
  for (const [index, [entNumField, text]] of comments.records.entries()) {
    const entNum = ofacNumber(ofacValue(entNumField ?? ''));
    const at = `sdn_comments.csv record ${index + 1}`;
    if (entNum === undefined) return `${at}: ent_num is not a number`;
    if (!entries.has(entNum)) return `${at}: ent_num ${entNum} is not in sdn.csv`;
    // Not trimmed: a space at either end may be a space of the cut text.
    byEntry.set(entNum, (byEntry.get(entNum) ?? '') + (text ?? ''));
  }
  return byEntry;
}

/**
 * Remarks whole: with its continuation joined on as is; without one, a field that does not end in
 * `.` was cut (every whole Remarks on the SDN list ends in `.`), so its last segment is left out.
 */
function wholeRemarks(text: string | undefined, continuation: string | undefined): string {
  if (text === undefined) return (continuation ?? '').trim();
  if (continuation !== undefined) return `${text}${continuation}`.trim();
  return text.endsWith('.') ? text : text.slice(0, text.lastIndexOf(remarksSeparator) + 1);
}

/** The wallet addresses Remarks lists, each pair once, in the order written; or why one is not an address. */
function remarksAddresses(remarks: string): DigitalCurrencyAddress[] | string {
  const found = new Map<string, DigitalCurrencyAddress>();
  for (const match of remarks.matchAll(digitalCurrencyAddressPattern)) {
    const currency = match[1] ?? '';
    const address = (match[2] ?? '').trim().replace(/\.$/u, '');
    if (!isDigitalCurrencyCode(currency) || !isDigitalCurrencyAddress(address)) return `${JSON.stringify(match[0].slice(0, 120))} is not a currency code and an address`;
    found.set(`${currency} ${address}`, { currency, address });
  }
  return [...found.values()];
}

function entryType(sdnType: string | undefined): SanctionsEntryType {
  const type = sdnType?.toLowerCase();
  switch (type) {
    case undefined:
      return 'entity';
    case 'individual':
    case 'vessel':
    case 'aircraft':
      return type;
    default:
      // A type OFAC adds later: the entry is still screened by name, and shows as of unknown type.
      return 'unknown';
  }
}

/** A number field in its plain decimal form (`0306` → `306`), or `undefined`. */
function ofacNumber(value: string | undefined): string | undefined {
  return value !== undefined && numberPattern.test(value) ? String(Number(value)) : undefined;
}

/** A field's value, trimmed; `undefined` for OFAC's `-0-` and for an empty field. */
function ofacValue(field: string): string | undefined {
  const value = field.trim();
  return value === '' || value === nullMarker ? undefined : value;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
