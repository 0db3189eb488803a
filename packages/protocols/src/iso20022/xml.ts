/**
 * The XML under the MX layer: escaping for the writers, and a reader that turns untrusted text
 * into a tree of namespace-resolved elements (fast-xml-parser does the tokenising; namespaces,
 * entities and limits are ours). The reader refuses what an MX message never needs and an
 * attacker often sends: a DOCTYPE or entity declaration (billion laughs, XXE), input larger than
 * `mxMessageCharsMax`, nesting deeper than `xmlDepthMax`, elements beyond `xmlElementsMax`. It
 * never throws: every refusal is an `Issue`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Issue } from '../payment/model';

/**
 * Largest message read. A CBPR+ message travels over FINplus, capped at 100 KB; a camt.053 over
 * other channels can be a few hundred KB. A megabyte is far above both and still cheap to refuse.
 */
export const mxMessageCharsMax = 1_000_000;
/** MX documents nest about 12 deep (Document/…/PstlAdr/AdrLine); 64 leaves room and stops stack games. */
export const xmlDepthMax = 64;
/** A one-transaction message has a few hundred elements, a statement page a few tens of thousands. */
export const xmlElementsMax = 200_000;

/** One element with its namespace resolved; `text` is its own character data, entities decoded. */
export interface XmlElement {
  readonly namespace: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

const escapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or attribute value as XML character data. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

const predefinedEntities: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const entityReference = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]*);/g;

/** Decodes the five predefined entities and character references; any other entity is refused. */
function decodeEntities(raw: string): string | undefined {
  if (!raw.includes('&')) return raw;
  let unknown = false;
  const decoded = raw.replace(entityReference, (whole, body: string) => {
    if (body.startsWith('#')) {
      const codePoint = body.startsWith('#x') ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      if (!isXmlCharacter(codePoint)) {
        unknown = true;
        return whole;
      }
      return String.fromCodePoint(codePoint);
    }
    const value = predefinedEntities[body];
    if (value === undefined) unknown = true;
    return value ?? whole;
  });
  // An '&' that starts no reference is malformed XML.
  if (unknown || raw.replace(entityReference, '').includes('&')) return undefined;
  return decoded;
}

function isXmlCharacter(codePoint: number): boolean {
  return codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd || (codePoint >= 0x20 && codePoint <= 0xd7ff) || (codePoint >= 0xe000 && codePoint <= 0xfffd) || (codePoint >= 0x10000 && codePoint <= 0x10ffff);
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Entities are decoded by decodeEntities, which knows only XML's own five: no DOCTYPE ever expands.
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
});

/** fast-xml-parser's ordered form: `{ tag: children, ':@': attributes }` or `{ '#text': text }`. */
type OrderedNode = Readonly<Record<string, unknown>>;

const xmlNamespace = 'http://www.w3.org/XML/1998/namespace';

interface ReadState {
  readonly issues: Issue[];
  elements: number;
}

/** Parses untrusted XML text into its root element, or the issues that stopped it. */
export function readXml(input: string): { ok: true; root: XmlElement } | { ok: false; issues: Issue[] } {
  // A byte-order mark is how some systems start UTF-8 files; it is not part of the document.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const refusal = refuseUnread(text);
  if (refusal !== undefined) return { ok: false, issues: [refusal] };
  let nodes: unknown;
  try {
    const verdict = XMLValidator.validate(text);
    if (verdict !== true) return { ok: false, issues: [{ field: 'xml', rule: 'xml.well_formed', message: `not well-formed XML: ${verdict.err.msg} (line ${verdict.err.line})` }] };
    nodes = parser.parse(text);
  } catch (error) {
    // The tokeniser is a library: whatever it throws on hostile input becomes an issue, never a crash.
    return { ok: false, issues: [{ field: 'xml', rule: 'xml.well_formed', message: `the XML could not be read: ${String(error)}` }] };
  }
  const roots = elementNodes(Array.isArray(nodes) ? nodes : []);
  const [first] = roots;
  if (roots.length !== 1 || first === undefined) return { ok: false, issues: [{ field: 'xml', rule: 'xml.single_root', message: `an MX message has one root element, found ${roots.length}` }] };
  const state: ReadState = { issues: [], elements: 0 };
  const root = toElement(first, new Map([['xml', xmlNamespace]]), 1, state);
  if (root === undefined || state.issues.length > 0) return { ok: false, issues: state.issues };
  return { ok: true, root };
}

function refuseUnread(text: string): Issue | undefined {
  if (text.length > mxMessageCharsMax) return { field: 'xml', rule: 'xml.size', message: `the message has ${text.length} characters, more than ${mxMessageCharsMax}` };
  // An MX message never declares a document type; declarations are how entity bombs and XXE start.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) return { field: 'xml', rule: 'xml.doctype', message: 'a DOCTYPE or ENTITY declaration is refused (MX messages have none)' };
  return undefined;
}

function elementNodes(nodes: readonly unknown[]): OrderedNode[] {
  return nodes.filter((node): node is OrderedNode => typeof node === 'object' && node !== null && tagOf(node as OrderedNode) !== undefined);
}

function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#cdata');
}

function toElement(node: OrderedNode, scope: ReadonlyMap<string, string>, depth: number, state: ReadState): XmlElement | undefined {
  const tag = tagOf(node) ?? '';
  state.elements += 1;
  if (depth > xmlDepthMax || state.elements > xmlElementsMax) {
    state.issues.push({ field: 'xml', rule: 'xml.size', message: depth > xmlDepthMax ? `elements nest deeper than ${xmlDepthMax}` : `more than ${xmlElementsMax} elements` });
    return undefined;
  }
  const attributes = decodedAttributes(node[':@'], tag, state);
  if (attributes === undefined) return undefined;
  const inner = bindNamespaces(scope, attributes);
  const [prefix, local] = tag.includes(':') ? [tag.slice(0, tag.indexOf(':')), tag.slice(tag.indexOf(':') + 1)] : ['', tag];
  const namespace = inner.get(prefix);
  if (namespace === undefined && prefix !== '') {
    state.issues.push({ field: tag, rule: 'xml.namespace', message: `the prefix ${prefix} is not declared` });
    return undefined;
  }
  const content = node[tag];
  const children: XmlElement[] = [];
  let text = '';
  for (const child of Array.isArray(content) ? (content as unknown[]) : []) {
    if (typeof child !== 'object' || child === null) continue;
    const childNode = child as OrderedNode;
    if (tagOf(childNode) !== undefined) {
      const element = toElement(childNode, inner, depth + 1, state);
      if (element === undefined) return undefined;
      children.push(element);
    } else {
      const piece = characterData(childNode, tag, state);
      if (piece === undefined) return undefined;
      text += piece;
    }
  }
  return { namespace: namespace ?? '', name: local, attributes: Object.fromEntries([...attributes].filter(([name]) => name !== 'xmlns' && !name.startsWith('xmlns:'))), children, text };
}

function decodedAttributes(raw: unknown, tag: string, state: ReadState): Map<string, string> | undefined {
  const attributes = new Map<string, string>();
  if (typeof raw !== 'object' || raw === null) return attributes;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const decoded = decodeEntities(String(value));
    if (decoded === undefined) {
      state.issues.push({ field: `${tag}/@${name}`, rule: 'xml.entity', message: 'an entity other than &amp; &lt; &gt; &quot; &apos; or a character reference' });
      return undefined;
    }
    attributes.set(name, decoded);
  }
  return attributes;
}

function bindNamespaces(scope: ReadonlyMap<string, string>, attributes: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  let inner: Map<string, string> | undefined;
  for (const [name, value] of attributes) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    inner ??= new Map(scope);
    inner.set(name === 'xmlns' ? '' : name.slice('xmlns:'.length), value);
  }
  return inner ?? scope;
}

function characterData(node: OrderedNode, tag: string, state: ReadState): string | undefined {
  const cdata = node['#cdata'];
  if (Array.isArray(cdata)) {
    // CDATA is literal: no entity is decoded inside it.
    return (cdata as unknown[]).map((part) => (typeof part === 'object' && part !== null ? String((part as OrderedNode)['#text'] ?? '') : '')).join('');
  }
  const raw = node['#text'];
  if (raw === undefined) return '';
  const decoded = decodeEntities(String(raw));
  if (decoded === undefined) state.issues.push({ field: tag, rule: 'xml.entity', message: 'an entity other than &amp; &lt; &gt; &quot; &apos; or a character reference' });
  return decoded;
}
