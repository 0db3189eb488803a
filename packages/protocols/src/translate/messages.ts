/**
 * Any SWIFT message we read, told apart by its syntax (FIN blocks or an XML envelope) and type,
 * for tools that take a file without being told what it is: `readSwiftMessage` (detect, parse,
 * validate, map to the model), `buildSwiftMessage` (model JSON to the message), `translate`
 * (MT ↔ MX). Pure: the XML schema check is Node's, in ../node.
 */
import { buildCamt053 } from '../iso20022/camt053';
import type { MxType } from '../iso20022/message';
import { parseMx } from '../iso20022/mx';
import { withReadNotes } from './credit-transfer';
import { buildPacs008 } from '../iso20022/pacs008';
import type { Checked, CreditTransfer, Issue, Statement, TranslationNote } from '../payment/model';
import { parseFin, type FinMessage } from '../swift-mt/fin';
import { creditTransferToMt103, mt103ToCreditTransfer } from '../swift-mt/mt103';
import { mt202ToInstitutionTransfer } from '../swift-mt/mt202';
import { mtStatementToStatement, statementToMt940, statementToMt950 } from '../swift-mt/statement';
import { messageKindOf, validateFin } from '../swift-mt/validate';
import { creditTransferAsMt103, translateMt103ToPacs008 } from './credit-transfer';
import { creditTransferShape, modelFromJson, statementShape } from './json';
import { issue, type TranslateOptions, type Translation } from './shared';
import { statementAsMt, translateMt940ToCamt053, translateMt950ToCamt053, type MtStatementType } from './statement';

export const mtFormats = ['mt103', 'mt202', 'mt202cov', 'mt940', 'mt950'] as const;
export const mxFormats = ['pacs.008', 'pacs.009', 'pacs.002', 'pacs.004', 'camt.053', 'camt.056', 'pain.001'] as const;
export type SwiftFormat = (typeof mtFormats)[number] | (typeof mxFormats)[number];
/** The formats `buildSwiftMessage` writes from model JSON. */
export const buildableFormats = ['mt103', 'pacs.008', 'mt940', 'mt950', 'camt.053'] as const;
export type BuildableFormat = (typeof buildableFormats)[number];

/** A message read: its format, its model when it is valid, every issue, and what the model could not hold. */
export interface ReadMessage {
  readonly syntax: 'mt' | 'mx';
  readonly format?: SwiftFormat;
  /** The MX document type (pacs.008.001.08) for the schema check. */
  readonly mxType?: MxType;
  /** The payment model; absent when the message is invalid. */
  readonly model?: unknown;
  /** An MT message's blocks as parsed, shown when it does not map to a model. */
  readonly fin?: FinMessage;
  readonly issues: readonly Issue[];
  readonly notes: readonly TranslationNote[];
}

/** A file's text without the byte order mark or blank lines an editor may put before the message. */
function messageText(text: string): string {
  return text.replace(/^\uFEFF/, '').trimStart();
}

/** FIN text starts with its basic header `{1:`; an MX envelope with `<` (a declaration or the element). */
export function syntaxOf(text: string): 'mt' | 'mx' | undefined {
  const start = messageText(text);
  if (start.startsWith('{')) return 'mt';
  if (start.startsWith('<')) return 'mx';
  return undefined;
}

const formatOfMxType = (type: MxType): SwiftFormat => type.slice(0, 8) as SwiftFormat;

function mtFormatOf(message: FinMessage): SwiftFormat | undefined {
  const kind = messageKindOf(message);
  return kind === undefined ? undefined : (kind.toLowerCase() as SwiftFormat);
}

/** Detects, parses and validates one message, and maps it to the model when it is valid. */
export function readSwiftMessage(input: string): Checked<ReadMessage> {
  const text = messageText(input);
  const syntax = syntaxOf(text);
  if (syntax === undefined) return { ok: false, issues: [issue('message', 'swift.syntax', 'neither FIN text (starting {1:) nor an MX envelope (starting <)')] };
  if (syntax === 'mx') {
    const parsed = parseMx(text);
    if (!parsed.ok) return { ok: true, value: { syntax, issues: parsed.issues, notes: [] } };
    return { ok: true, value: { syntax, format: formatOfMxType(parsed.value.type), mxType: parsed.value.type, model: parsed.value.message, issues: [], notes: [] } };
  }
  const parsed = parseFin(text);
  if (!parsed.ok) return { ok: true, value: { syntax, issues: parsed.issues, notes: [] } };
  const message = parsed.value;
  const format = mtFormatOf(message);
  const mapped = format === undefined ? undefined : mapMt(message, format);
  const issues = mapped === undefined ? validateFin(message) : mapped.ok ? [] : mapped.issues;
  const base = { syntax, ...(format === undefined ? {} : { format }), issues };
  if (mapped === undefined || !mapped.ok) return { ok: true, value: { ...base, fin: message, notes: [] } };
  return { ok: true, value: { ...base, model: mapped.value.model, notes: mapped.value.notes } };
}

function mapMt(message: FinMessage, format: SwiftFormat): Checked<{ readonly model: unknown; readonly notes: readonly TranslationNote[] }> {
  if (format === 'mt103') return mt103ToCreditTransfer(message);
  if (format === 'mt202' || format === 'mt202cov') return mt202ToInstitutionTransfer(message);
  return mtStatementToStatement(message);
}

/** `{ format, message }` JSON (amounts as strings of minor units) to the message text, or the issues naming the JSON path. */
export function buildSwiftMessage(json: unknown): Checked<{ readonly format: BuildableFormat; readonly text: string; readonly notes: readonly TranslationNote[] }> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, issues: [issue('', 'json.type', 'must be an object { "format": …, "message": … }')] };
  const { format, message } = json as { readonly format?: unknown; readonly message?: unknown };
  const known = buildableFormats.find((candidate) => candidate === format);
  if (known === undefined) return { ok: false, issues: [issue('format', 'json.format', `must be one of ${buildableFormats.join(', ')}`)] };
  const built = known === 'mt103' || known === 'pacs.008' ? buildTransfer(known, message) : buildStatement(known, message);
  if (!built.ok) return built;
  return { ok: true, value: { format: known, ...built.value } };
}

type BuiltText = Checked<{ readonly text: string; readonly notes: readonly TranslationNote[] }>;

/** The builders' issues name model paths; under the JSON's `message`. */
function underMessage(built: Checked<{ readonly text: string; readonly notes: readonly TranslationNote[] }>): BuiltText {
  return built.ok ? { ok: true, value: { text: built.value.text, notes: built.value.notes } } : { ok: false, issues: built.issues.map((entry) => ({ ...entry, field: entry.field === '' ? 'message' : `message.${entry.field}` })) };
}

const asText = (built: Checked<string>) => (built.ok ? { ok: true as const, value: { text: built.value, notes: [] } } : built);

function buildTransfer(format: 'mt103' | 'pacs.008', json: unknown): BuiltText {
  const read = modelFromJson<CreditTransfer>(json, creditTransferShape, 'message');
  if (read.model === undefined) return { ok: false, issues: read.issues };
  return underMessage(format === 'mt103' ? creditTransferToMt103(read.model) : asText(buildPacs008(read.model)));
}

function buildStatement(format: 'mt940' | 'mt950' | 'camt.053', json: unknown): BuiltText {
  const read = modelFromJson<Statement>(json, statementShape, 'message');
  if (read.model === undefined) return { ok: false, issues: read.issues };
  if (format === 'camt.053') return underMessage(asText(buildCamt053(read.model)));
  return underMessage(format === 'mt940' ? statementToMt940(read.model) : statementToMt950(read.model));
}

export interface TranslateAnyOptions extends TranslateOptions {
  /** A camt.053 becomes an MT940 (a customer's statement, the default) or an MT950 (a bank's nostro). */
  readonly statementType?: MtStatementType;
}

/** Detects MT or MX and the message type, and translates: MT103 ↔ pacs.008, MT940/MT950 ↔ camt.053. */
export function translate(input: string, options: TranslateAnyOptions = {}): Checked<Translation & { readonly from: SwiftFormat; readonly to: SwiftFormat }> {
  const text = messageText(input);
  const syntax = syntaxOf(text);
  const tagged = (from: SwiftFormat, to: SwiftFormat, result: Checked<Translation>) => (result.ok ? { ok: true as const, value: { ...result.value, from, to } } : result);
  if (syntax === 'mx') {
    const parsed = parseMx(text);
    if (!parsed.ok) return parsed;
    const { type, header, message, notes } = parsed.value;
    if (type === 'pacs.008.001.08') return tagged('pacs.008', 'mt103', withReadNotes(creditTransferAsMt103(message, header, options), notes));
    const statementType = options.statementType ?? '940';
    if (type === 'camt.053.001.08') return tagged('camt.053', statementType === '940' ? 'mt940' : 'mt950', withReadNotes(statementAsMt(message, header, statementType, options), notes));
    return { ok: false, issues: [issue('Document', 'translate.unsupported', `${type} is not translated (pacs.008 and camt.053 are)`)] };
  }
  if (syntax === 'mt') {
    const parsed = parseFin(text);
    if (!parsed.ok) return parsed;
    const type = parsed.value.applicationHeader?.messageType;
    if (type === '103') return tagged('mt103', 'pacs.008', translateMt103ToPacs008(text, options));
    if (type === '940') return tagged('mt940', 'camt.053', translateMt940ToCamt053(text, options));
    if (type === '950') return tagged('mt950', 'camt.053', translateMt950ToCamt053(text, options));
    return { ok: false, issues: [issue('block2', 'translate.unsupported', `MT${type ?? '?'} is not translated (MT103, MT940 and MT950 are)`)] };
  }
  return { ok: false, issues: [issue('message', 'swift.syntax', 'neither FIN text (starting {1:) nor an MX envelope (starting <)')] };
}
