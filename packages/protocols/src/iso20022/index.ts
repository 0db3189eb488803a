/**
 * ISO 20022 (MX) messages as CBPR+ uses them, built from and parsed into the payment model
 * (../payment/model.ts). Every builder validates the model first — schema facets and the CBPR+
 * rules of cbpr.ts — and refuses with issues naming model paths before writing any XML; every
 * parser reads the wire envelope (message.ts: `<Envelope xmlns="urn:swift:xsd:envelope">` holding
 * AppHdr then Document) safely and reports issues naming XML paths. Parsing a built message gives
 * back the same model. Schema validation (Node only) is in ../node.
 */
export { buildPacs008, parsePacs008 } from './pacs008';
export { buildPacs009, parsePacs009 } from './pacs009';
export { buildPacs002, parsePacs002 } from './pacs002';
export { buildPacs004, parsePacs004 } from './pacs004';
export { buildCamt053, parseCamt053, statementEntriesMax, statementBalancesMax } from './camt053';
export { buildCamt056, parseCamt056 } from './camt056';
export { buildPain001, parsePain001, paymentInformationMax, transactionsPerPaymentInformationMax } from './pain001';
export { parseMx, type MxMessage } from './mx';
export { mxTypes, envelopeNamespace, headerNamespace, documentNamespace, type AppHeader, type BuildOptions, type HeaderParty, type MxType } from './message';
export { mxMessageCharsMax, xmlDepthMax, xmlElementsMax } from './xml';
export * as cbpr from './cbpr';
