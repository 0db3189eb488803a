/**
 * The record codec: a model object spread over XML elements. Each entry names a model key and
 * the path of elements (in schema order) where its value lives, so a flat model field can sit
 * deep in the XML (`instructionId` at `PmtId/InstrId`) and consecutive entries under one parent
 * share that parent element when written. Reading walks the same paths and reports any element
 * the record does not know. An element the schema defines but the model does not carry is listed
 * in the record's `skipped` paths: reading leaves it out with a 'dropped' note naming its XML
 * path (a schema-valid message is never refused for it); any other element is an issue
 * (`xml.element_not_supported`), so what is truly unknown is still refused, never silently dropped.
 * Whether the message is schema-valid at all (order, facets) is the XSD validator's call (../node).
 */
import { childSite, dropped, flag, type Codec, type Report, type Site } from './codec';
import { escapeXml, type XmlElement } from './xml';

interface FieldEntry {
  readonly kind: 'field';
  readonly key: string;
  /** Set when the entry carries one property of the object at `key` (an agent's account beside the agent). */
  readonly subKey?: string;
  readonly path: readonly string[];
  readonly codec: Codec<unknown>;
  readonly optional: boolean;
  /** Written only when this holds (two homes for one key, e.g. OrgId/Othr or PrvtId/Othr). */
  readonly when?: (record: never) => boolean;
  /** A required model value that is absent from the XML when it equals this (references of an entry: {}). */
  readonly absent?: { readonly value: unknown; readonly is: (value: never) => boolean };
}

interface FixedEntry {
  readonly kind: 'fixed';
  readonly path: readonly string[];
  readonly text: string;
  readonly rule: string;
}

/** An element whose text follows from other fields (NbOfTxs of a pain.001, LastPgInd of a statement). */
interface DerivedEntry {
  readonly kind: 'derived';
  readonly path: readonly string[];
  readonly value: (record: never) => string | undefined;
  readonly rule: string;
}

export type Entry = FieldEntry | FixedEntry | DerivedEntry;

type Present<T> = Exclude<T, undefined>;

/** The entry makers for a record of `T`, typed so a key's codec matches its model type. */
export interface Fields<T> {
  req<K extends keyof T & string>(key: K, path: string, codec: Codec<Present<T[K]>>, when?: (record: T) => boolean): Entry;
  opt<K extends keyof T & string>(key: K, path: string, codec: Codec<Present<T[K]>>, when?: (record: T) => boolean): Entry;
  part<K extends keyof T & string, S extends keyof Present<T[K]> & string>(key: K, subKey: S, path: string, codec: Codec<Present<Present<T[K]>[S]>>): Entry;
  /** A constant element (NbOfTxs 1): written always, and on reading it must hold exactly this text. */
  fixed(path: string, text: string, rule: string): Entry;
  /** An element computed from the record; on reading it must agree with what the rest implies. */
  derived(path: string, value: (record: T) => string | undefined, rule: string): Entry;
  /** A required key written only when not `isAbsent`, read as `absentValue` when the element is missing. */
  reqOr<K extends keyof T & string>(key: K, path: string, codec: Codec<Present<T[K]>>, absentValue: Present<T[K]>, isAbsent: (value: Present<T[K]>) => boolean): Entry;
}

/** A rule over the whole record; `key` names the field it blames (the record itself when absent). */
export type RecordRule<T> = (value: T) => readonly { readonly key?: string; readonly rule: string; readonly message: string }[];

function fields<T>(): Fields<T> {
  const split = (path: string) => path.split('/');
  return {
    req: (key, path, codec, when) => ({ kind: 'field', key, path: split(path), codec: codec as Codec<unknown>, optional: false, ...(when === undefined ? {} : { when: when as (record: never) => boolean }) }),
    opt: (key, path, codec, when) => ({ kind: 'field', key, path: split(path), codec: codec as Codec<unknown>, optional: true, ...(when === undefined ? {} : { when: when as (record: never) => boolean }) }),
    part: (key, subKey, path, codec) => ({ kind: 'field', key, subKey, path: split(path), codec: codec as Codec<unknown>, optional: true }),
    fixed: (path, text, rule) => ({ kind: 'fixed', path: split(path), text, rule }),
    derived: (path, value, rule) => ({ kind: 'derived', path: split(path), value: value as (record: never) => string | undefined, rule }),
    reqOr: (key, path, codec, absentValue, isAbsent) => ({
      kind: 'field',
      key,
      path: split(path),
      codec: codec as Codec<unknown>,
      optional: false,
      absent: { value: absentValue, is: isAbsent as (value: never) => boolean },
    }),
  };
}

type Loose = Readonly<Record<string, unknown>>;

function valueOf(record: Loose, entry: FieldEntry): unknown {
  const value = record[entry.key];
  if (entry.subKey === undefined) return value;
  return typeof value === 'object' && value !== null ? (value as Loose)[entry.subKey] : undefined;
}

function applies(record: Loose, entry: FieldEntry): boolean {
  return entry.when === undefined || (entry.when as (record: Loose) => boolean)(record);
}

function siteOf(site: Site, entry: Entry): Site {
  if (entry.kind !== 'field') return { model: site.model, xml: `${site.xml}/${entry.path.join('/')}` };
  return childSite(site, entry.subKey === undefined ? entry.key : `${entry.key}.${entry.subKey}`, entry.path.join('/'));
}

interface Piece {
  readonly path: readonly string[];
  readonly xml: string;
}

/** Wraps consecutive pieces that share a parent element in one copy of it. */
function nest(pieces: readonly Piece[], depth: number): string {
  let out = '';
  let index = 0;
  while (index < pieces.length) {
    const piece = pieces[index];
    if (piece === undefined) break;
    if (piece.path.length === depth + 1) {
      out += piece.xml;
      index += 1;
      continue;
    }
    const parent = piece.path[depth];
    let end = index;
    while (end < pieces.length && (pieces[end]?.path.length ?? 0) > depth + 1 && pieces[end]?.path[depth] === parent) end += 1;
    out += `<${parent}>${nest(pieces.slice(index, end), depth + 1)}</${parent}>`;
    index = end;
  }
  return out;
}

function writeRecord(entries: readonly Entry[], record: Loose, tag: string): string {
  const pieces: Piece[] = [];
  for (const entry of entries) {
    const last = entry.path[entry.path.length - 1] ?? '';
    if (entry.kind !== 'field') {
      const text = entry.kind === 'fixed' ? entry.text : (entry.value as (record: Loose) => string | undefined)(record);
      if (text !== undefined) pieces.push({ path: entry.path, xml: `<${last}>${escapeXml(text)}</${last}>` });
      continue;
    }
    const value = valueOf(record, entry);
    if (value === undefined || !applies(record, entry)) continue;
    if (entry.absent !== undefined && (entry.absent.is as (value: unknown) => boolean)(value)) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    pieces.push({ path: entry.path, xml: entry.codec.write(value, last) });
  }
  return `<${tag}>${nest(pieces, 0)}</${tag}>`;
}

function checkRecord<T>(entries: readonly Entry[], rules: readonly RecordRule<T>[], record: Loose, site: Site, report: Report): void {
  const missing = new Set<string>();
  for (const entry of entries) {
    if (entry.kind !== 'field' || !applies(record, entry)) continue;
    const value = valueOf(record, entry);
    if (value === undefined) {
      if (!entry.optional && !missing.has(entry.key)) flag(report, siteOf(site, entry), 'schema.required', 'is required');
      missing.add(entry.key);
      continue;
    }
    entry.codec.check(value, siteOf(site, entry), report);
  }
  for (const rule of rules) {
    for (const finding of rule(record as T)) {
      const blamed = finding.key === undefined ? undefined : entries.find((entry): entry is FieldEntry => entry.kind === 'field' && (entry.key === finding.key || `${entry.key}.${entry.subKey ?? ''}` === finding.key));
      flag(report, blamed === undefined ? (finding.key === undefined ? site : childSite(site, finding.key, '')) : siteOf(site, blamed), finding.rule, finding.message);
    }
  }
}

/** The children of `element` at `path` (all of them at the last step; the first at each step before). */
function locate(element: XmlElement, path: readonly string[]): XmlElement[] {
  let current: XmlElement[] = [element];
  for (const name of path) {
    const parent = current[0];
    if (parent === undefined) return [];
    current = parent.children.filter((child) => child.name === name && child.namespace === parent.namespace);
  }
  return current;
}

function readRecord(entries: readonly Entry[], element: XmlElement, site: Site, report: Report): Loose {
  const result: Record<string, unknown> = {};
  for (const entry of entries) {
    if (entry.kind === 'derived') continue;
    const found = locate(element, entry.path);
    const at = siteOf(site, entry);
    if (entry.kind === 'fixed') {
      if (found.length === 0) flag(report, at, 'xml.element_missing', `is required (${entry.text})`);
      else if (found[0]?.text !== entry.text || found.length > 1) flag(report, at, entry.rule, `must be ${entry.text}`);
      continue;
    }
    if (found.length === 0) {
      if (entry.absent !== undefined) result[entry.key] = entry.absent.value;
      else if (entry.codec.many !== undefined && entry.codec.many.min === 0 && !entry.optional) result[entry.key] = [];
      else if (!entry.optional && entry.when === undefined) flag(report, at, 'xml.element_missing', 'is required');
      continue;
    }
    if (entry.codec.many === undefined && found.length > 1) {
      flag(report, at, 'xml.element_repeated', `occurs ${found.length} times, at most once here`);
      continue;
    }
    const value = entry.codec.read(found, at, report);
    if (value === undefined) continue;
    if (entry.subKey === undefined) result[entry.key] = value;
    else result[entry.key] = { ...(result[entry.key] as Loose | undefined), [entry.subKey]: value };
  }
  for (const entry of entries) if (entry.kind === 'derived') checkDerived(entry, element, result, site, report);
  return result;
}

function checkDerived(entry: DerivedEntry, element: XmlElement, record: Loose, site: Site, report: Report): void {
  const expected = (entry.value as (record: Loose) => string | undefined)(record);
  const found = locate(element, entry.path);
  const at = siteOf(site, entry);
  if (expected === undefined && found.length > 0) flag(report, at, entry.rule, 'is present where the rest of the message implies none');
  else if (expected !== undefined && found.length === 0) flag(report, at, 'xml.element_missing', `is required (${expected})`);
  else if (expected !== undefined && (found.length > 1 || found[0]?.text !== expected)) flag(report, at, entry.rule, `must be ${expected}, as the rest of the message implies`);
}

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  leaf: boolean;
  /** Set on an element the schema defines and the model leaves out: why it is not carried. */
  skipped?: string;
}

/**
 * Schema paths (relative to the record's element, `/`-separated) the model does not carry, each
 * with the reason given in its note. The whole element at the path is left out when read.
 */
export type Skipped = Readonly<Record<string, string>>;

function trieOf(entries: readonly Entry[], skipped: Skipped): TrieNode {
  const root: TrieNode = { children: new Map(), leaf: false };
  for (const entry of entries) {
    let node = root;
    for (const name of entry.path) {
      // A path through another entry's element would write that element twice: a programming error.
      if (node.leaf) throw new Error(`record entry ${entry.path.join('/')} passes through another entry's element`);
      let next = node.children.get(name);
      if (next === undefined) {
        next = { children: new Map(), leaf: false };
        node.children.set(name, next);
      }
      node = next;
    }
    if (node.children.size > 0) throw new Error(`record entry ${entry.path.join('/')} holds other entries' elements`);
    node.leaf = true;
  }
  for (const [path, why] of Object.entries(skipped)) {
    let node = root;
    for (const name of path.split('/')) {
      if (node.leaf || node.skipped !== undefined) throw new Error(`skipped path ${path} passes through an element the record reads or skips`);
      let next = node.children.get(name);
      if (next === undefined) {
        next = { children: new Map(), leaf: false };
        node.children.set(name, next);
      }
      node = next;
    }
    if (node.leaf || node.children.size > 0) throw new Error(`skipped path ${path} is an element the record reads`);
    node.skipped = why;
  }
  return root;
}

/** Flags elements no entry reads, repeated parents, and text where only elements belong. */
function checkKnown(element: XmlElement, node: TrieNode, xmlPath: string, report: Report): void {
  if (element.text.trim() !== '') flag(report, { model: '', xml: xmlPath }, 'xml.text_not_expected', 'holds text where elements are expected');
  const seen = new Set<string>();
  for (const child of element.children) {
    const next = child.namespace === element.namespace ? node.children.get(child.name) : undefined;
    const childPath = `${xmlPath}/${child.name}`;
    if (next === undefined) {
      flag(report, { model: '', xml: childPath }, 'xml.element_not_supported', child.namespace === element.namespace ? 'is not an element this message carries' : `is in namespace ${child.namespace}, expected ${element.namespace}`);
      continue;
    }
    if (next.skipped !== undefined) {
      dropped(report, childPath, `${child.name} is not carried by the model: ${next.skipped}`);
      continue;
    }
    if (next.leaf) continue;
    if (seen.has(child.name)) {
      flag(report, { model: '', xml: childPath }, 'xml.element_repeated', 'occurs more than once');
      continue;
    }
    seen.add(child.name);
    checkKnown(child, next, childPath, report);
  }
}

/**
 * A record codec of `T` from its entries (in schema order), the rules across its fields, and the
 * schema's optional paths under it that the model does not carry (read as notes, see `Skipped`).
 */
export function record<T>(define: (f: Fields<T>) => readonly Entry[], rules: readonly RecordRule<T>[] = [], skipped: Skipped = {}): Codec<T> {
  const entries = define(fields<T>());
  const trie = trieOf(entries, skipped);
  return {
    check: (value, site, report) => checkRecord(entries, rules, value as Loose, site, report),
    write: (value, tag) => writeRecord(entries, value as Loose, tag),
    read: (elements, site, report) => {
      const [element] = elements;
      if (element === undefined) return undefined;
      const before = report.issues.length;
      checkKnown(element, trie, site.xml, report);
      const value = readRecord(entries, element, site, report);
      return report.issues.length === before ? (value as T) : undefined;
    },
  };
}
