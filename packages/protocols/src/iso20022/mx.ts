/**
 * `parseMx`: reads any MX envelope we know, tells its type from the Document's namespace, and
 * parses it into the matching model.
 */
import type { CancellationRequest, Checked, CreditTransfer, CustomerInitiation, InstitutionTransfer, PaymentReturn, PaymentStatusReport, Statement, TranslationNote } from '../payment/model';
import { camt053 } from './camt053';
import { camt056 } from './camt056';
import { parseParts, readEnvelope, type AppHeader, type EnvelopeParts, type MessageDefinition } from './message';
import { pacs002 } from './pacs002';
import { pacs004 } from './pacs004';
import { pacs008 } from './pacs008';
import { pacs009 } from './pacs009';
import { pain001 } from './pain001';

interface Parsed<Type extends string, Model> {
  readonly type: Type;
  readonly header: AppHeader;
  readonly message: Model;
  /**
   * What the message holds that the model does not carry: elements the schema defines and the
   * model leaves out (kind 'dropped', field the XML path). Empty when everything was carried.
   */
  readonly notes: readonly TranslationNote[];
}

/** A parsed message: its type (MsgDefIdr), its header, its model, and notes on what was left out. */
export type MxMessage =
  | Parsed<'pacs.008.001.08', CreditTransfer>
  | Parsed<'pacs.009.001.08', InstitutionTransfer>
  | Parsed<'pacs.002.001.10', PaymentStatusReport>
  | Parsed<'pacs.004.001.09', PaymentReturn>
  | Parsed<'camt.053.001.08', Statement>
  | Parsed<'camt.056.001.08', CancellationRequest>
  | Parsed<'pain.001.001.09', CustomerInitiation>;

function as<Type extends MxMessage['type'], Model>(type: Type, definition: MessageDefinition<Model>, parts: EnvelopeParts): Checked<Parsed<Type, Model>> {
  const parsed = parseParts(definition, parts);
  return parsed.ok ? { ok: true, value: { type, header: parsed.value.header, message: parsed.value.message, notes: parsed.value.notes } } : parsed;
}

/** Parses an MX envelope of any supported type (issues name XML paths). */
export function parseMx(xml: string): Checked<MxMessage> {
  const envelope = readEnvelope(xml);
  if (!envelope.ok) return envelope;
  const parts = envelope.parts;
  switch (parts.type) {
    case 'pacs.008.001.08':
      return as(parts.type, pacs008, parts);
    case 'pacs.009.001.08':
      return as(parts.type, pacs009, parts);
    case 'pacs.002.001.10':
      return as(parts.type, pacs002, parts);
    case 'pacs.004.001.09':
      return as(parts.type, pacs004, parts);
    case 'camt.053.001.08':
      return as(parts.type, camt053, parts);
    case 'camt.056.001.08':
      return as(parts.type, camt056, parts);
    case 'pain.001.001.09':
      return as(parts.type, pain001, parts);
    default: {
      const unknown: never = parts.type;
      return { ok: false, issues: [{ field: 'Document', rule: 'mx.type', message: `${String(unknown)} is not read` }] };
    }
  }
}
