/**
 * MT ↔ MX translation (SWIFT FIN and ISO 20022 as CBPR+ uses them), with the payment model in the
 * middle: MT103 ↔ pacs.008 and MT940/MT950 ↔ camt.053. Each returns the translated message and
 * notes for everything that could not be carried, was truncated or was carried differently; a
 * translation compares the source model with the model read back from its output, so no
 * difference goes without a note.
 */
export { translateMt103ToPacs008, translatePacs008ToMt103, endToEndNotProvided } from './credit-transfer';
export type { Translation, TranslateOptions } from './shared';
export { translateCamt053ToMt940, translateCamt053ToMt950, translateMt940ToCamt053, translateMt950ToCamt053, type MtStatementType } from './statement';
export { readSwiftMessage, buildSwiftMessage, translate, syntaxOf, mtFormats, mxFormats, buildableFormats, type SwiftFormat, type BuildableFormat, type ReadMessage, type TranslateAnyOptions } from './messages';
export { modelToJson } from './json';
