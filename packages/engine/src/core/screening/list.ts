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

export type SanctionsListResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: 'content_invalid'; readonly message: string };

/** Entries in one list. OFAC's SDN list has about 9,000 (README of the test vectors), the largest consolidated lists tens of thousands. */
export const sanctionsEntriesMax = 200_000;
/** Names in all entries of one list together: bounds the index a branch builds. */
export const sanctionsNamesMax = 1_000_000;
/** Names of one entry, primary and aliases. The most on OFAC's SDN list is 96. */
export const namesPerEntryMax = 256;
/** One name, in UTF-16 code units. The longest on OFAC's SDN list is 158. */
export const nameCharsMax = 300;
export const programsPerEntryMax = 64;
export const programCharsMax = 64;
export const entryIdCharsMax = 64;
export const sourceCharsMax = 200;

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
    namesTotal += entry.value.names.length;
    if (namesTotal > sanctionsNamesMax) return invalid(`A list holds at most ${sanctionsNamesMax} names in all.`);
    entries.push(entry.value);
  }
  return { ok: true, value: entries };
}

function parseEntry(value: unknown, at: string): SanctionsListResult<SanctionsEntry> {
  if (!isPlainRecord(value)) return invalid(`${at} is not an object.`);
  const unknownKey = Object.keys(value).find((key) => !(entryKeys as readonly string[]).includes(key));
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
  return { ok: true, value: { id, type: type as SanctionsEntryType, names: names.value, programs: programs.value } };
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
    entries: entries.map((entry) => ({ id: entry.id, type: entry.type, names: [...entry.names], programs: [...entry.programs] })),
  };
  return canonicalJson(document);
}

/** A refusal of content (shared by the converters of this folder). */
export function invalid(message: string): { readonly ok: false; readonly code: 'content_invalid'; readonly message: string } {
  return { ok: false, code: 'content_invalid', message };
}
