/**
 * The sanctions-list document compliance publishes to every branch through the signed update
 * repository (`content/sanctions/<listId>.json`): one publisher's list, converted from its own
 * format (OFAC CSV, UN XML, …) into this one. The validator is strict, as for every signed
 * document: exactly the known fields, of the known types, within named limits, or refused whole.
 */
import { assert } from '../assert';
import { canonicalJson, type JsonValue } from '../canonical-json';
import { isPlainRecord } from '../crypto/shape';

export const sanctionsListKind = 'qenex.sanctions-list';
export const sanctionsListSchema = 1;

export type SanctionsEntryType = 'individual' | 'entity' | 'vessel' | 'aircraft' | 'unknown';
export const sanctionsEntryTypes: readonly SanctionsEntryType[] = ['individual', 'entity', 'vessel', 'aircraft', 'unknown'];

export interface SanctionsEntry {
  /** The publisher's own id for the entry (OFAC `ent_num`, UN `DATAID`), unique within the list. */
  readonly id: string;
  readonly type: SanctionsEntryType;
  /** The primary name first, then aliases (a.k.a., f.k.a., n.k.a.), each once. */
  readonly names: readonly string[];
  /** Sanctions programmes as the publisher names them (OFAC `SDGT`, `IFSR`), each once. */
  readonly programs: readonly string[];
  /**
   * The qualifiers below are absent when the publisher gives none (never an empty array), so an
   * entry without them encodes exactly as before they existed.
   *
   * Dates of birth the publisher records for the person, any of which may be the true one, each
   * `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (as precise as the source is, never more). Approximate dates
   * and ranges ("circa 1960", "between 1955 and 1958") are left out, not rounded to a guess.
   */
  readonly birthDates?: readonly string[];
  /** Nationalities and citizenships, ISO 3166-1 alpha-2 upper case (`IQ`; `XK` for Kosovo, as the EU writes it), each once. */
  readonly nationalities?: readonly string[];
  /**
   * Aliases the publisher marks as low quality (OFAC "weak" a.k.a., UN "Low" quality, EU
   * `strong="false"`): too common or too vague to act on alone, so a scorer down-weights them. Never
   * one of `names`.
   */
  readonly weakNames?: readonly string[];
  /**
   * Digital-currency (wallet) addresses the publisher lists for the entry (OFAC's "Digital
   * Currency Address - ETH 0x…"), each pair once, in the order the publisher gives them. The
   * currency code and the address are kept as written; `digital-address.ts` decides how an address
   * is compared.
   */
  readonly digitalCurrencyAddresses?: readonly DigitalCurrencyAddress[];
}

/** One wallet address on a list: OFAC's currency code (`XBT`, `ETH`, `USDT`…) and the address, both as the publisher writes them. */
export interface DigitalCurrencyAddress {
  readonly currency: string;
  readonly address: string;
}

export interface SanctionsList {
  readonly kind: typeof sanctionsListKind;
  readonly schema: typeof sanctionsListSchema;
  /** The last segment of the list's path, `content/sanctions/<listId>.json`. */
  readonly listId: string;
  /** Who published the list and in which format, for the reader of a screening result. */
  readonly source: string;
  /** The publisher's date: `YYYY-MM-DD`, or a UTC instant `YYYY-MM-DDTHH:MM:SS[.sss]Z`. */
  readonly publishedAt: string;
  readonly entries: readonly SanctionsEntry[];
}

/** What the admin loading a publisher's file says about it; the XML converters read the rest from the file. */
export interface PublishedListMeta {
  readonly listId: string;
  /** The publication date, when the file's own (UN dateGenerated, OFAC Publish_Date, EU generationDate) is not to be used. */
  readonly publishedAt?: string;
  /** Who published which list, when the converter's default says too little (OFAC's SDN and consolidated non-SDN lists share one XML format). */
  readonly source?: string;
}

export type SanctionsListResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: 'content_invalid'; readonly message: string };

/** Entries in one list. OFAC's SDN list has about 9,000 (README of the test vectors), the largest consolidated lists tens of thousands. */
export const sanctionsEntriesMax = 200_000;
/** Names and weak names in all entries of one list together: bounds the index a branch builds. */
export const sanctionsNamesMax = 1_000_000;
/** Names of one entry, primary and aliases. The most on OFAC's SDN list is 96. */
export const namesPerEntryMax = 256;
/**
 * One name, in UTF-16 code units. The longest on OFAC's SDN list is 158; on the UN list 344, an
 * alias of Hay'at Tahrir al-Sham that packs nine spellings into one ALIAS_NAME, kept as written.
 */
export const nameCharsMax = 512;
export const programsPerEntryMax = 64;
export const programCharsMax = 64;
export const entryIdCharsMax = 64;
export const sourceCharsMax = 200;
/** Dates of birth of one entry. The UN gives one individual 17 (aliases carry their own), 9 of them distinct. */
export const birthDatesPerEntryMax = 64;
/** Birth years outside this range are a typing error in the source, not a person on a list. */
export const birthYearMin = 1800;
export const birthYearMax = 2100;
export const nationalitiesPerEntryMax = 32;
/** Weak aliases of one entry, bounded like its names. */
export const weakNamesPerEntryMax = namesPerEntryMax;
/** Wallet addresses of one entry. The most on OFAC's SDN list (2021 snapshot) is 19, ent_num 30518. */
export const digitalCurrencyAddressesPerEntryMax = 128;
/** A currency code as OFAC writes it: XBT, ETH, USDT, DASH. */
export const digitalCurrencyCodeCharsMax = 16;
/** One address. The longest on OFAC's SDN list is 64 characters; Monero integrated addresses run to 106. */
export const digitalCurrencyAddressCharsMax = 128;

const listIdPattern = /^[a-z0-9][a-z0-9-]{0,63}$/;
const entryIdPattern = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,${entryIdCharsMax - 1}}$`);
const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const instantPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?Z$/;
/**
 * Characters no published text may hold: control characters (C0, DEL, C1), lone surrogate halves
 * (not text at all), and the bidirectional embedding, override and isolate controls, which make a
 * name display in an order other than the one it is stored in, to the reviewer who signs it.
 */
// With the u flag a well-formed surrogate pair is one code point, so the surrogate range matches only a lone half.
const forbiddenCharacter = /[\p{Cc}\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u;

const listKeys = ['kind', 'schema', 'listId', 'source', 'publishedAt', 'entries'] as const;
const entryKeys = ['id', 'type', 'names', 'programs'] as const;
const optionalEntryKeys = ['birthDates', 'nationalities', 'weakNames', 'digitalCurrencyAddresses'] as const;
const digitalCurrencyAddressKeys = ['currency', 'address'] as const;
const digitalCurrencyCodePattern = new RegExp(`^[A-Za-z0-9]{1,${digitalCurrencyCodeCharsMax}}$`);
/**
 * Letters and digits, and inside an address `:` `_` `-` (a `bitcoincash:` prefix): no space, no
 * punctuation a converter failed to strip, so a listed address is a string a customer could type.
 */
const digitalCurrencyAddressPattern = new RegExp(`^[A-Za-z0-9](?:[A-Za-z0-9:_-]{0,${digitalCurrencyAddressCharsMax - 2}}[A-Za-z0-9])?$`);
const birthDatePattern = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** A sanctions list read off the wire (the value `JSON.parse` gave), checked whole. */
export function parseSanctionsList(value: unknown): SanctionsListResult<SanctionsList> {
  if (!isPlainRecord(value)) return invalid('A sanctions list is a JSON object.');
  const unknownKey = Object.keys(value).find((key) => !(listKeys as readonly string[]).includes(key));
  if (unknownKey !== undefined) return invalid(`Unknown field ${JSON.stringify(unknownKey.slice(0, 64))} in the list.`);
  const missingKey = listKeys.find((key) => !Object.prototype.hasOwnProperty.call(value, key));
  if (missingKey !== undefined) return invalid(`The list has no ${missingKey}.`);
  if (value.kind !== sanctionsListKind) return invalid(`kind is not ${JSON.stringify(sanctionsListKind)}.`);
  if (value.schema !== sanctionsListSchema) return invalid(`schema is not ${sanctionsListSchema}.`);
  if (typeof value.listId !== 'string' || !listIdPattern.test(value.listId)) return invalid('listId is 1 to 64 of a-z, 0-9 and -, starting with a letter or digit.');
  const sourceProblem = textProblem(value.source, sourceCharsMax);
  if (sourceProblem !== undefined) return invalid(`source ${sourceProblem}.`);
  if (!isPublishedAt(value.publishedAt)) return invalid('publishedAt is a real date, YYYY-MM-DD, or a UTC instant, YYYY-MM-DDTHH:MM:SS[.sss]Z.');
  if (!Array.isArray(value.entries)) return invalid('entries is an array.');
  if (value.entries.length > sanctionsEntriesMax) return invalid(`A list holds at most ${sanctionsEntriesMax} entries.`);
  const entries = parseEntries(value.entries as unknown[]);
  if (!entries.ok) return entries;
  return {
    ok: true,
    value: { kind: sanctionsListKind, schema: sanctionsListSchema, listId: value.listId, source: value.source as string, publishedAt: value.publishedAt, entries: entries.value },
  };
}

function parseEntries(values: readonly unknown[]): SanctionsListResult<SanctionsEntry[]> {
  const entries: SanctionsEntry[] = [];
  const ids = new Set<string>();
  let namesTotal = 0;
  for (const [index, value] of values.entries()) {
    const entry = parseEntry(value, `entries[${index}]`);
    if (!entry.ok) return entry;
    if (ids.has(entry.value.id)) return invalid(`entries[${index}]: the id ${entry.value.id} is already another entry's.`);
    ids.add(entry.value.id);
    namesTotal += entry.value.names.length + (entry.value.weakNames?.length ?? 0);
    if (namesTotal > sanctionsNamesMax) return invalid(`A list holds at most ${sanctionsNamesMax} names in all.`);
    entries.push(entry.value);
  }
  return { ok: true, value: entries };
}

function parseEntry(value: unknown, at: string): SanctionsListResult<SanctionsEntry> {
  if (!isPlainRecord(value)) return invalid(`${at} is not an object.`);
  const unknownKey = Object.keys(value).find((key) => !(entryKeys as readonly string[]).includes(key) && !(optionalEntryKeys as readonly string[]).includes(key));
  if (unknownKey !== undefined) return invalid(`${at}: unknown field ${JSON.stringify(unknownKey.slice(0, 64))}.`);
  const missingKey = entryKeys.find((key) => !Object.prototype.hasOwnProperty.call(value, key));
  if (missingKey !== undefined) return invalid(`${at} has no ${missingKey}.`);
  const { id, type } = value;
  if (typeof id !== 'string' || !entryIdPattern.test(id)) return invalid(`${at}: id is 1 to ${entryIdCharsMax} of A-Z, a-z, 0-9 and . _ : -, starting with a letter or digit.`);
  const named = `${at} (id ${id})`;
  if (typeof type !== 'string' || !(sanctionsEntryTypes as readonly string[]).includes(type)) return invalid(`${named}: type is one of ${sanctionsEntryTypes.join(', ')}.`);
  const names = parseTexts(value.names, { at: `${named}.names`, countMin: 1, countMax: namesPerEntryMax, charsMax: nameCharsMax });
  if (!names.ok) return names;
  const programs = parseTexts(value.programs, { at: `${named}.programs`, countMin: 0, countMax: programsPerEntryMax, charsMax: programCharsMax });
  if (!programs.ok) return programs;
  const qualifiers = parseQualifiers(value, named, names.value);
  if (!qualifiers.ok) return qualifiers;
  const addresses = Object.prototype.hasOwnProperty.call(value, 'digitalCurrencyAddresses') ? parseDigitalCurrencyAddresses(value.digitalCurrencyAddresses, `${named}.digitalCurrencyAddresses`) : undefined;
  if (addresses !== undefined && !addresses.ok) return addresses;
  return {
    ok: true,
    value: { id, type: type as SanctionsEntryType, names: names.value, programs: programs.value, ...qualifiers.value, ...(addresses === undefined ? {} : { digitalCurrencyAddresses: addresses.value }) },
  };
}

type Qualifiers = Pick<SanctionsEntry, 'birthDates' | 'nationalities' | 'weakNames'>;

/** A non-empty array of distinct { currency, address } pairs, exactly those two keys, each of its form. */
function parseDigitalCurrencyAddresses(value: unknown, at: string): SanctionsListResult<DigitalCurrencyAddress[]> {
  if (!Array.isArray(value)) return invalid(`${at} is an array.`);
  if (value.length < 1 || value.length > digitalCurrencyAddressesPerEntryMax) return invalid(`${at} holds 1 to ${digitalCurrencyAddressesPerEntryMax} items.`);
  const addresses: DigitalCurrencyAddress[] = [];
  const seen = new Set<string>();
  for (const [index, item] of (value as unknown[]).entries()) {
    const itemAt = `${at}[${index}]`;
    if (!isPlainRecord(item)) return invalid(`${itemAt} is not an object.`);
    const keys = Object.keys(item);
    if (keys.length !== digitalCurrencyAddressKeys.length || !digitalCurrencyAddressKeys.every((key) => keys.includes(key))) return invalid(`${itemAt} has exactly the fields currency and address.`);
    const { currency, address } = item;
    if (typeof currency !== 'string' || !digitalCurrencyCodePattern.test(currency)) return invalid(`${itemAt}.currency is 1 to ${digitalCurrencyCodeCharsMax} letters and digits.`);
    if (typeof address !== 'string' || !digitalCurrencyAddressPattern.test(address)) {
      return invalid(`${itemAt}.address is 1 to ${digitalCurrencyAddressCharsMax} letters and digits (and : _ - inside).`);
    }
    const pair = `${currency} ${address}`;
    if (seen.has(pair)) return invalid(`${itemAt} repeats an earlier item.`);
    seen.add(pair);
    addresses.push({ currency, address });
  }
  return { ok: true, value: addresses };
}

/** Whether `address` has the form a list may hold (the converters check what they read against it). */
export function isDigitalCurrencyAddress(address: string): boolean {
  return digitalCurrencyAddressPattern.test(address);
}

/** Whether `currency` has the form of a currency code a list may hold. */
export function isDigitalCurrencyCode(currency: string): boolean {
  return digitalCurrencyCodePattern.test(currency);
}

/** The optional fields of an entry: each absent, or a non-empty array of distinct valid items. */
function parseQualifiers(value: { readonly [key: string]: unknown }, named: string, names: readonly string[]): SanctionsListResult<Qualifiers> {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(value, key);
  const qualifiers: { -readonly [key in keyof Qualifiers]: string[] } = {};
  if (has('birthDates')) {
    const birthDates = parseTexts(value.birthDates, { at: `${named}.birthDates`, countMin: 1, countMax: birthDatesPerEntryMax, charsMax: 10 });
    if (!birthDates.ok) return birthDates;
    const bad = birthDates.value.findIndex((date) => !isBirthDate(date));
    if (bad !== -1) return invalid(`${named}.birthDates[${bad}] is not a real date YYYY, YYYY-MM or YYYY-MM-DD, years ${birthYearMin} to ${birthYearMax}.`);
    qualifiers.birthDates = birthDates.value;
  }
  if (has('nationalities')) {
    const nationalities = parseTexts(value.nationalities, { at: `${named}.nationalities`, countMin: 1, countMax: nationalitiesPerEntryMax, charsMax: 2 });
    if (!nationalities.ok) return nationalities;
    const bad = nationalities.value.findIndex((code) => !countryCodes.has(code));
    if (bad !== -1) return invalid(`${named}.nationalities[${bad}] is not an ISO 3166-1 alpha-2 country code.`);
    qualifiers.nationalities = nationalities.value;
  }
  if (has('weakNames')) {
    const weakNames = parseTexts(value.weakNames, { at: `${named}.weakNames`, countMin: 1, countMax: weakNamesPerEntryMax, charsMax: nameCharsMax });
    if (!weakNames.ok) return weakNames;
    const strongNames = new Set(names);
    const strong = weakNames.value.findIndex((name) => strongNames.has(name));
    if (strong !== -1) return invalid(`${named}.weakNames[${strong}] is also one of the entry's names.`);
    qualifiers.weakNames = weakNames.value;
  }
  return { ok: true, value: qualifiers };
}

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a real month and day, the year from `birthYearMin` to `birthYearMax`. */
export function isBirthDate(value: string): boolean {
  const parts = birthDatePattern.exec(value);
  if (parts === null) return false;
  const year = Number(parts[1]);
  if (year < birthYearMin || year > birthYearMax) return false;
  return isRealInstant(`${parts[1]}-${parts[2] ?? '01'}-${parts[3] ?? '01'}T00:00:00.000Z`);
}

interface TextsRule {
  readonly at: string;
  readonly countMin: number;
  readonly countMax: number;
  readonly charsMax: number;
}

/** An array of distinct texts, each passing `textProblem`. */
function parseTexts(value: unknown, rule: TextsRule): SanctionsListResult<string[]> {
  if (!Array.isArray(value)) return invalid(`${rule.at} is an array.`);
  if (value.length < rule.countMin || value.length > rule.countMax) return invalid(`${rule.at} holds ${rule.countMin} to ${rule.countMax} items.`);
  const seen = new Set<string>();
  for (const [index, item] of (value as unknown[]).entries()) {
    const problem = textProblem(item, rule.charsMax);
    if (problem !== undefined) return invalid(`${rule.at}[${index}] ${problem}.`);
    if (seen.has(item as string)) return invalid(`${rule.at}[${index}] repeats an earlier item.`);
    seen.add(item as string);
  }
  return { ok: true, value: [...seen] };
}

/** Why `value` is not a publishable text (a string, 1 to `charsMax` code units, trimmed, no forbidden character), or `undefined`. */
function textProblem(value: unknown, charsMax: number): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  if (value.length === 0 || value.length > charsMax) return `is 1 to ${charsMax} characters`;
  if (value.trim() !== value) return 'begins or ends with white space';
  if (forbiddenCharacter.test(value)) return 'holds a control character, a lone surrogate or a bidirectional override';
  return undefined;
}

function isPublishedAt(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (datePattern.test(value)) return isRealInstant(`${value}T00:00:00.000Z`);
  const instant = instantPattern.exec(value);
  return instant !== null && isRealInstant(`${instant[1]}.${(instant[2] ?? '').padEnd(3, '0')}Z`);
}

/** `iso` (exactly YYYY-MM-DDTHH:MM:SS.sssZ) names a real moment: no 31 April, no 25 o'clock. */
function isRealInstant(iso: string): boolean {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && new Date(ms).toISOString() === iso;
}

/**
 * The bytes that are signed and published: canonical JSON (RFC 8785) of exactly the document's
 * fields, so the same list is the same file, byte for byte. Entries, names and programmes keep
 * their order (a list's order is part of its content; the OFAC converter sorts by `ent_num`).
 * Encoding a list the validator would refuse is a programmer error.
 */
export function encodeSanctionsList(list: SanctionsList): string {
  const checked = parseSanctionsList(list);
  assert(checked.ok, `encodeSanctionsList: ${checked.ok ? '' : checked.message}`);
  const { kind, schema, listId, source, publishedAt, entries } = checked.value;
  const document: JsonValue = {
    kind,
    schema,
    listId,
    source,
    publishedAt,
    entries: entries.map(encodeEntry),
  };
  return canonicalJson(document);
}

/** An entry's fields as JSON; a qualifier the entry lacks has no key at all. */
function encodeEntry(entry: SanctionsEntry): JsonValue {
  const { id, type, names, programs, birthDates, nationalities, weakNames, digitalCurrencyAddresses } = entry;
  return {
    id,
    type,
    names: [...names],
    programs: [...programs],
    ...(birthDates === undefined ? {} : { birthDates: [...birthDates] }),
    ...(nationalities === undefined ? {} : { nationalities: [...nationalities] }),
    ...(weakNames === undefined ? {} : { weakNames: [...weakNames] }),
    ...(digitalCurrencyAddresses === undefined ? {} : { digitalCurrencyAddresses: digitalCurrencyAddresses.map(({ currency, address }) => ({ currency, address })) }),
  };
}

/** What a converter read for one entry, before the rules of the document are applied. */
export interface SanctionsEntryParts {
  readonly id: string;
  readonly type: SanctionsEntryType;
  readonly names: readonly string[];
  readonly programs: readonly string[];
  readonly birthDates?: readonly string[];
  readonly nationalities?: readonly string[];
  readonly weakNames?: readonly string[];
  readonly digitalCurrencyAddresses?: readonly DigitalCurrencyAddress[];
}

/**
 * An entry as the document holds it, from what a converter read (shared by the converters of this
 * folder): each text once, in the order read; a weak alias that is also a strong name only as the
 * strong one; a qualifier with nothing in it left out, so that "unknown" has one form.
 */
export function sanctionsEntry(parts: SanctionsEntryParts): SanctionsEntry {
  const names = distinct(parts.names);
  const strongNames = new Set(names);
  const weakNames = distinct(parts.weakNames ?? []).filter((name) => !strongNames.has(name));
  const birthDates = distinct(parts.birthDates ?? []);
  const nationalities = distinct(parts.nationalities ?? []);
  const digitalCurrencyAddresses = distinctAddresses(parts.digitalCurrencyAddresses ?? []);
  return {
    id: parts.id,
    type: parts.type,
    names,
    programs: distinct(parts.programs),
    ...(birthDates.length === 0 ? {} : { birthDates }),
    ...(nationalities.length === 0 ? {} : { nationalities }),
    ...(weakNames.length === 0 ? {} : { weakNames }),
    ...(digitalCurrencyAddresses.length === 0 ? {} : { digitalCurrencyAddresses }),
  };
}

/** Each { currency, address } pair once, in the order read. */
function distinctAddresses(addresses: readonly DigitalCurrencyAddress[]): DigitalCurrencyAddress[] {
  const byPair = new Map<string, DigitalCurrencyAddress>();
  for (const { currency, address } of addresses) {
    const pair = `${currency} ${address}`;
    if (!byPair.has(pair)) byPair.set(pair, { currency, address });
  }
  return [...byPair.values()];
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** A refusal of content (shared by the converters of this folder). */
export function invalid(message: string): { readonly ok: false; readonly code: 'content_invalid'; readonly message: string } {
  return { ok: false, code: 'content_invalid', message };
}

/**
 * ISO 3166-1 alpha-2, the 249 officially assigned codes, and `XK` (Kosovo), a user-assigned code
 * the EU, the UN's agencies and OFAC's data all use. Withdrawn codes (`AN`, `CS`, `SU`, `YU`) are
 * not nationalities a list may hold today.
 */
export const countryCodes: ReadonlySet<string> = new Set(
  [
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ',
    'BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ',
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ',
    'DE DJ DK DM DO DZ',
    'EC EE EG EH ER ES ET',
    'FI FJ FK FM FO FR',
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY',
    'HK HM HN HR HT HU',
    'ID IE IL IM IN IO IQ IR IS IT',
    'JE JM JO JP',
    'KE KG KH KI KM KN KP KR KW KY KZ',
    'LA LB LC LI LK LR LS LT LU LV LY',
    'MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ',
    'NA NC NE NF NG NI NL NO NP NR NU NZ',
    'OM',
    'PA PE PF PG PH PK PL PM PN PR PS PT PW PY',
    'QA',
    'RE RO RS RU RW',
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ',
    'TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ',
    'UA UG UM US UY UZ',
    'VA VC VE VG VI VN VU',
    'WF WS',
    'XK',
    'YE YT',
    'ZA ZM ZW',
  ]
    .join(' ')
    .split(' '),
);

/**
 * Country names as the UN Consolidated List and OFAC's files write them (the UN's official short
 * names; OFAC's own: "Korea, North", "Burma", "Palestinian"), each to its code. A name not here is
 * not guessed at: the converter leaves that nationality out and the entry is screened without it.
 * Gathered from the names the published files use (UN NATIONALITY and COUNTRY values, OFAC
 * nationality, citizenship and address countries); "former Soviet Union", "undetermined", OFAC's
 * "Region: …" and the dissolved Netherlands Antilles have no code and are deliberately absent.
 */
const countryCodesByName: ReadonlyMap<string, string> = new Map(
  Object.entries({
    afghanistan: 'AF', albania: 'AL', algeria: 'DZ', angola: 'AO', argentina: 'AR', armenia: 'AM', aruba: 'AW', australia: 'AU', austria: 'AT', azerbaijan: 'AZ',
    'bahamas, the': 'BS', bahamas: 'BS', bahrain: 'BH', bangladesh: 'BD', barbados: 'BB', belarus: 'BY', belgium: 'BE', belize: 'BZ', benin: 'BJ', bolivia: 'BO',
    'bosnia and herzegovina': 'BA', brazil: 'BR', 'british virgin islands': 'VG', 'virgin islands, british': 'VG', brunei: 'BN', 'brunei darussalam': 'BN', bulgaria: 'BG',
    'burkina faso': 'BF', burma: 'MM', myanmar: 'MM', burundi: 'BI', cambodia: 'KH', canada: 'CA', 'cayman islands': 'KY', 'central african republic': 'CF', chad: 'TD',
    chile: 'CL', china: 'CN', colombia: 'CO', comoros: 'KM', 'congo, democratic republic of the': 'CD', 'democratic republic of the congo': 'CD',
    'congo, republic of the': 'CG', congo: 'CG', 'costa rica': 'CR', 'cote d ivoire': 'CI', "cote d'ivoire": 'CI', "côte d'ivoire": 'CI', croatia: 'HR', cuba: 'CU',
    cyprus: 'CY', 'czech republic': 'CZ', czechia: 'CZ', denmark: 'DK', dominica: 'DM', 'dominican republic': 'DO', ecuador: 'EC', egypt: 'EG', 'el salvador': 'SV',
    'equatorial guinea': 'GQ', eritrea: 'ER', ethiopia: 'ET', finland: 'FI', france: 'FR', gabon: 'GA', 'the gambia': 'GM', gambia: 'GM', georgia: 'GE', germany: 'DE',
    ghana: 'GH', gibraltar: 'GI', greece: 'GR', guatemala: 'GT', 'guinea-bissau': 'GW', guyana: 'GY', haiti: 'HT', honduras: 'HN', 'hong kong': 'HK',
    'china, hong kong special administrative region': 'HK', india: 'IN', indonesia: 'ID', iran: 'IR', 'iran (islamic republic of)': 'IR', iraq: 'IQ', ireland: 'IE',
    israel: 'IL', italy: 'IT', jamaica: 'JM', japan: 'JP', jersey: 'JE', jordan: 'JO', kazakhstan: 'KZ', kenya: 'KE', 'korea, north': 'KP',
    "democratic people's republic of korea": 'KP', 'korea, south': 'KR', 'republic of korea': 'KR', kosovo: 'XK', kuwait: 'KW', kyrgyzstan: 'KG', laos: 'LA',
    "lao people's democratic republic": 'LA', latvia: 'LV', lebanon: 'LB', liberia: 'LR', libya: 'LY', liechtenstein: 'LI', luxembourg: 'LU', macau: 'MO', macao: 'MO',
    malaysia: 'MY', maldives: 'MV', mali: 'ML', malta: 'MT', 'marshall islands': 'MH', mauritania: 'MR', mexico: 'MX', moldova: 'MD', 'republic of moldova': 'MD',
    mongolia: 'MN', montenegro: 'ME', morocco: 'MA', mozambique: 'MZ', namibia: 'NA', netherlands: 'NL', 'new zealand': 'NZ', nicaragua: 'NI', niger: 'NE', nigeria: 'NG',
    norway: 'NO', oman: 'OM', pakistan: 'PK', palau: 'PW', palestinian: 'PS', 'state of palestine': 'PS', panama: 'PA', paraguay: 'PY', peru: 'PE', philippines: 'PH',
    poland: 'PL', qatar: 'QA', romania: 'RO', russia: 'RU', 'russian federation': 'RU', rwanda: 'RW', 'saint kitts and nevis': 'KN', 'saint vincent and the grenadines': 'VC',
    samoa: 'WS', 'saudi arabia': 'SA', senegal: 'SN', serbia: 'RS', seychelles: 'SC', 'sierra leone': 'SL', singapore: 'SG', slovakia: 'SK', slovenia: 'SI', somalia: 'SO',
    'south africa': 'ZA', 'south sudan': 'SS', spain: 'ES', 'sri lanka': 'LK', sudan: 'SD', sweden: 'SE', switzerland: 'CH', syria: 'SY', 'syrian arab republic': 'SY',
    taiwan: 'TW', tajikistan: 'TJ', tanzania: 'TZ', 'united republic of tanzania': 'TZ', thailand: 'TH', 'trinidad and tobago': 'TT', tunisia: 'TN', turkey: 'TR',
    türkiye: 'TR', turkmenistan: 'TM', uganda: 'UG', ukraine: 'UA', 'united arab emirates': 'AE', 'united kingdom': 'GB',
    'united kingdom of great britain and northern ireland': 'GB', 'united states': 'US', 'united states of america': 'US', uruguay: 'UY', uzbekistan: 'UZ',
    vanuatu: 'VU', venezuela: 'VE', 'venezuela (bolivarian republic of)': 'VE', vietnam: 'VN', 'viet nam': 'VN', yemen: 'YE', zimbabwe: 'ZW',
  }),
);

/** The ISO code of a country named as the UN or OFAC name it (case and spacing aside), or `undefined` for a name the table lacks. */
export function countryCodeOfName(name: string): string | undefined {
  return countryCodesByName.get(name.trim().replace(/\s+/gu, ' ').toLowerCase());
}
