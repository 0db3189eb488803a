/**
 * The wire form of an MX message, and the generic build and parse every message type uses.
 *
 * Wire form (one XML document, UTF-8):
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <Envelope xmlns="urn:swift:xsd:envelope">
 *     <AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">…</AppHdr>
 *     <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">…</Document>
 *   </Envelope>
 *
 * The envelope is the one SWIFT's MX translator and CBPR+ sample files use: the business
 * application header and the document side by side, each in its own namespace. We write it
 * compact (no indentation, so every text is exactly the model's); the parser accepts any
 * prefixes and whitespace between elements, and `BusMsgEnvlp` as the envelope's name too (the
 * same content; ../node/iso20022-schema.ts validates both names, so parser and validator agree).
 */
import type { Checked, Issue, TranslationNote } from '../payment/model';
import { bic, dateTime, id35, boolean, restricted } from './components';
import { code, type Codec, type Report, type Site } from './codec';
import { record } from './record';
import { readXml, type XmlElement } from './xml';

export const mxTypes = ['pacs.008.001.08', 'pacs.009.001.08', 'pacs.002.001.10', 'pacs.004.001.09', 'camt.053.001.08', 'camt.056.001.08', 'pain.001.001.09'] as const;
export type MxType = (typeof mxTypes)[number];

export const envelopeNamespace = 'urn:swift:xsd:envelope';
export const envelopeNames = ['Envelope', 'BusMsgEnvlp'] as const;
export const headerType = 'head.001.001.02';
export const headerNamespace = `urn:iso:std:iso:20022:tech:xsd:${headerType}`;
export const documentNamespace = (type: MxType | typeof headerType): string => `urn:iso:std:iso:20022:tech:xsd:${type}`;

/** Fr or To of the header: a financial institution (FIId/FinInstnId/BICFI) or an organisation (OrgId/Id/OrgId/AnyBIC). */
export interface HeaderParty {
  readonly bic: string;
  readonly kind: 'institution' | 'organisation';
}

/** The business application header (head.001.001.02) as CBPR+ fills it. */
export interface AppHeader {
  readonly from: HeaderParty;
  readonly to: HeaderParty;
  /** BizMsgIdr: the document's message id (GrpHdr/MsgId, camt.056 Assgnmt/Id). */
  readonly businessMessageId: string;
  /** MsgDefIdr: the document's type, e.g. pacs.008.001.08. */
  readonly messageDefinitionId: MxType;
  /** BizSvc: swift.cbprplus.02, or swift.cbprplus.cov.02 for a pacs.009 COV. */
  readonly businessService: string;
  /** CreDt: the document's creation date-time. */
  readonly creationDate: string;
  readonly copyDuplicate?: 'CODU' | 'COPY' | 'DUPL';
  readonly possibleDuplicate?: boolean;
}

const headerParty = record<HeaderParty>((f) => [
  f.req('bic', 'FIId/FinInstnId/BICFI', bic, (value) => value.kind === 'institution'),
  f.req('bic', 'OrgId/Id/OrgId/AnyBIC', bic, (value) => value.kind === 'organisation'),
]);

/** The kind is not an element: it is which of the two homes the BIC was found in. */
const headerPartyCodec: Codec<HeaderParty> = {
  check: headerParty.check,
  write: headerParty.write,
  read: (elements, site, report) => {
    const value = headerParty.read(elements, site, report);
    if (value === undefined) return undefined;
    const kind = elements[0]?.children[0]?.name === 'OrgId' ? 'organisation' : 'institution';
    return { bic: value.bic, kind };
  },
};

export const headerCodec: Codec<AppHeader> = record<AppHeader>((f) => [
  f.req('from', 'Fr', headerPartyCodec),
  f.req('to', 'To', headerPartyCodec),
  f.req('businessMessageId', 'BizMsgIdr', id35),
  f.req('messageDefinitionId', 'MsgDefIdr', code(mxTypes)),
  f.req('businessService', 'BizSvc', restricted(35)),
  f.req('creationDate', 'CreDt', dateTime),
  f.opt('copyDuplicate', 'CpyDplct', code(['CODU', 'COPY', 'DUPL'] as const)),
  f.opt('possibleDuplicate', 'PssblDplct', boolean),
], [], {
  CharSet: 'the character set',
  MktPrctc: 'the market practice',
  BizPrcgDt: 'the business processing date',
  Prty: 'the header priority',
  Sgntr: 'the signature (checked by the network, not here)',
  Rltd: 'the related header',
});

/** What a message type tells the generic build and parse. */
export interface MessageDefinition<T> {
  readonly type: MxType;
  /** The element under Document (FIToFICstmrCdtTrf, …). */
  readonly root: string;
  readonly codec: Codec<T>;
  /** The header a model is sent with (Fr, To, BizMsgIdr, BizSvc, CreDt); a parsed header must agree with it. */
  readonly header: (model: T) => Omit<AppHeader, 'messageDefinitionId'>;
  /**
   * Fills, from the header read with it, what the document may leave out (camt.053's optional
   * GrpHdr/MsgRcpt is the header's To); applied after reading, before the model's checks.
   */
  readonly fromHeader?: (model: T, header: AppHeader) => T;
}

/** A parsed envelope: its header, its model, and what it held that the model does not carry. */
export interface ParsedMessage<T> {
  readonly header: AppHeader;
  readonly message: T;
  /** Elements the schema defines that the model leaves out ('dropped', named by XML path). */
  readonly notes: readonly TranslationNote[];
}

/** Options of a build: header fields CBPR+ leaves to the sender. */
export interface BuildOptions {
  readonly copyDuplicate?: 'CODU' | 'COPY' | 'DUPL';
  readonly possibleDuplicate?: boolean;
}

const documentSite = (definition: { readonly root: string }): Site => ({ model: '', xml: `Document/${definition.root}` });
const headerSite: Site = { model: 'header', xml: 'AppHdr' };

function headerOf<T>(definition: MessageDefinition<T>, model: T, options: BuildOptions): AppHeader {
  return { ...definition.header(model), messageDefinitionId: definition.type, ...options };
}

/** Validates the model (issues name model paths) and only then writes the envelope. */
export function buildMessage<T>(definition: MessageDefinition<T>, model: T, options: BuildOptions = {}): Checked<string> {
  const report: Report = { mode: 'model', issues: [] };
  definition.codec.check(model, documentSite(definition), report);
  // The header is made of model fields already checked; checked again it catches a missing BIC once.
  if (report.issues.length === 0) headerCodec.check(headerOf(definition, model, options), headerSite, report);
  if (report.issues.length > 0) return { ok: false, issues: report.issues };
  const header = headerCodec.write(headerOf(definition, model, options), 'AppHdr').replace(/^<AppHdr>/, `<AppHdr xmlns="${headerNamespace}">`);
  const document = `<Document xmlns="${documentNamespace(definition.type)}">${definition.codec.write(model, definition.root)}</Document>`;
  return { ok: true, value: `<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="${envelopeNamespace}">${header}${document}</Envelope>` };
}

/** The envelope's header and document elements, and the document's type from its namespace. */
export interface EnvelopeParts {
  readonly header: XmlElement;
  readonly document: XmlElement;
  readonly type: MxType;
}

const issue = (field: string, rule: string, message: string): Issue => ({ field, rule, message });

/** Reads the envelope and finds its two parts, checking their names and namespaces. */
export function readEnvelope(xml: string): { ok: true; parts: EnvelopeParts } | { ok: false; issues: Issue[] } {
  const read = readXml(xml);
  if (!read.ok) return read;
  const root = read.root;
  if (root.namespace !== envelopeNamespace || !(envelopeNames as readonly string[]).includes(root.name)) {
    return { ok: false, issues: [issue(root.name, 'mx.envelope', `the root must be Envelope in namespace ${envelopeNamespace}, found ${root.name} in ${root.namespace || 'no namespace'}`)] };
  }
  const [header, document, ...rest] = root.children;
  if (header === undefined || header.name !== 'AppHdr' || header.namespace !== headerNamespace) {
    return { ok: false, issues: [issue('AppHdr', 'mx.envelope', `the envelope starts with AppHdr in namespace ${headerNamespace}`)] };
  }
  if (document === undefined || document.name !== 'Document' || rest.length > 0) {
    return { ok: false, issues: [issue('Document', 'mx.envelope', 'the envelope holds AppHdr then one Document, nothing else')] };
  }
  const type = mxTypes.find((candidate) => documentNamespace(candidate) === document.namespace);
  if (type === undefined) return { ok: false, issues: [issue('Document', 'mx.namespace', `${document.namespace || 'no namespace'} is not the namespace of a message we read`)] };
  return { ok: true, parts: { header, document, type } };
}

/** Reads and checks the header (issues name XML paths); the notes list what the model does not carry. */
export function readHeader(element: XmlElement): Checked<AppHeader> & { readonly notes?: readonly TranslationNote[] } {
  const report: Report = { mode: 'xml', issues: [], notes: [] };
  const header = headerCodec.read([element], headerSite, report);
  if (header === undefined || report.issues.length > 0) return { ok: false, issues: report.issues };
  headerCodec.check(header, headerSite, report);
  return report.issues.length > 0 ? { ok: false, issues: report.issues } : { ok: true, value: header, notes: report.notes ?? [] };
}

/**
 * Reads the document of a known type into its model (completed from `header` when the type says
 * how), then checks it as the builder would; the notes list what the model does not carry.
 */
export function readDocument<T>(definition: MessageDefinition<T>, document: XmlElement, header?: AppHeader): Checked<{ model: T; notes: readonly TranslationNote[] }> {
  const site = documentSite(definition);
  const [root, ...rest] = document.children;
  if (root === undefined || root.name !== definition.root || root.namespace !== document.namespace || rest.length > 0) {
    return { ok: false, issues: [issue(site.xml, 'xml.element_missing', `the Document holds exactly one ${definition.root}`)] };
  }
  const report: Report = { mode: 'xml', issues: [], notes: [] };
  const read = definition.codec.read([root], site, report);
  if (read === undefined || report.issues.length > 0) return { ok: false, issues: report.issues };
  const model = header === undefined || definition.fromHeader === undefined ? read : definition.fromHeader(read, header);
  definition.codec.check(model, site, report);
  return report.issues.length > 0 ? { ok: false, issues: report.issues } : { ok: true, value: { model, notes: report.notes ?? [] } };
}

/** The header must say what the document says: same sender, receiver, id, type and business service. */
export function headerMismatches<T>(definition: MessageDefinition<T>, header: AppHeader, model: T): Issue[] {
  const expected = definition.header(model);
  const issues: Issue[] = [];
  const compare = (field: string, found: string, wanted: string) => {
    if (found !== wanted) issues.push(issue(`AppHdr/${field}`, 'mx.header_mismatch', `is ${found}, the document says ${wanted}`));
  };
  compare('Fr', header.from.bic, expected.from.bic);
  compare('To', header.to.bic, expected.to.bic);
  compare('BizMsgIdr', header.businessMessageId, expected.businessMessageId);
  compare('MsgDefIdr', header.messageDefinitionId, definition.type);
  if (header.businessService !== expected.businessService) {
    issues.push(issue('AppHdr/BizSvc', 'mx.business_service', `is ${header.businessService}, this ${definition.type} travels as ${expected.businessService}`));
  }
  return issues;
}

/** Parses the wire form into the header and the model of `definition`'s type. */
export function parseMessage<T>(definition: MessageDefinition<T>, xml: string): Checked<ParsedMessage<T>> {
  const envelope = readEnvelope(xml);
  if (!envelope.ok) return envelope;
  if (envelope.parts.type !== definition.type) {
    return { ok: false, issues: [issue('Document', 'mx.type', `the document is a ${envelope.parts.type}, not a ${definition.type}`)] };
  }
  return parseParts(definition, envelope.parts);
}

export function parseParts<T>(definition: MessageDefinition<T>, parts: EnvelopeParts): Checked<ParsedMessage<T>> {
  const header = readHeader(parts.header);
  const document = readDocument(definition, parts.document, header.ok ? header.value : undefined);
  const issues = [...(header.ok ? [] : header.issues), ...(document.ok ? [] : document.issues)];
  if (!header.ok || !document.ok) return { ok: false, issues };
  const mismatches = headerMismatches(definition, header.value, document.value.model);
  if (mismatches.length > 0) return { ok: false, issues: mismatches };
  return { ok: true, value: { header: header.value, message: document.value.model, notes: [...(header.notes ?? []), ...document.value.notes] } };
}
