/**
 * ISO 20022 (MX) messages as CBPR+ uses them, built from and parsed into the payment model
 * (../payment/model.ts). Every builder validates the model first — schema facets and the CBPR+
 * rules of cbpr.ts — and refuses with issues naming model paths before writing any XML; every
 * parser reads the wire envelope (message.ts: `<Envelope xmlns="urn:swift:xsd:envelope">` holding
 * AppHdr then Document) safely and reports issues naming XML paths. Parsing a built message gives
 * back the same model. Schema validation (Node only) is in ../node.
 *
 * Reading is lenient only where the schema is: an element the official schema defines but the
 * model does not carry (structured remittance, regulatory reporting codes, a statement's
 * transactions summary, …; each record lists them) is left out, not refused, and reported as a
 * TranslationNote of kind 'dropped' whose field is the XML path. Any element outside the schema
 * is still refused (`xml.element_not_supported`); order and facets are the XSD validator's call.
 *
 * Where the notes are: `parseMx(xml)` returns `{ type, header, message, notes }` for every
 * message type — the one entry point that tells what was not carried. The typed parsers
 * (`parsePacs008`, `parseCamt053`, …) keep returning `Checked<Model>` as before, the model
 * alone, for callers that only need it (a translation reading back its own output).
 */
export { buildPacs008, parsePacs008 } from './pacs008';
export { buildPacs009, parsePacs009 } from './pacs009';
export { buildPacs002, parsePacs002 } from './pacs002';
export { buildPacs004, parsePacs004 } from './pacs004';
export { buildCamt053, parseCamt053, statementEntriesMax, statementBalancesMax } from './camt053';
export { buildCamt056, parseCamt056 } from './camt056';
export { buildPain001, parsePain001, paymentInformationMax, transactionsPerPaymentInformationMax } from './pain001';
export { parseMx, type MxMessage } from './mx';
export type { ParsedMessage } from './message';
export { mxTypes, envelopeNamespace, headerNamespace, documentNamespace, type AppHeader, type BuildOptions, type HeaderParty, type MxType } from './message';
export { mxMessageCharsMax, xmlDepthMax, xmlElementsMax } from './xml';
export * as cbpr from './cbpr';
