/**
 * `parseMx`: reads any MX envelope we know, tells its type from the Document's namespace, and
 * parses it into the matching model.
 */
import type { Checked, CreditTransfer, PaymentReturn, PaymentStatusReport } from '../payment/model';
import { parseParts, readEnvelope, type AppHeader, type MessageDefinition } from './message';
import { pacs002 } from './pacs002';
import { pacs004 } from './pacs004';
import { pacs008 } from './pacs008';

/** A parsed message: its type, its header, and its model. */
export type MxMessage =
  | { readonly type: 'pacs.008.001.08'; readonly header: AppHeader; readonly message: CreditTransfer }
  | { readonly type: 'pacs.002.001.10'; readonly header: AppHeader; readonly message: PaymentStatusReport }
  | { readonly type: 'pacs.004.001.09'; readonly header: AppHeader; readonly message: PaymentReturn };

function as<T, M extends MxMessage>(definition: MessageDefinition<T>, parts: Parameters<typeof parseParts>[1], wrap: (header: AppHeader, message: T) => M): Checked<M> {
  const parsed = parseParts(definition, parts);
  return parsed.ok ? { ok: true, value: wrap(parsed.value.header, parsed.value.message) } : parsed;
}

/** Parses an MX envelope of any supported type. */
export function parseMx(xml: string): Checked<MxMessage> {
  const envelope = readEnvelope(xml);
  if (!envelope.ok) return envelope;
  const parts = envelope.parts;
  switch (parts.type) {
    case 'pacs.008.001.08':
      return as(pacs008, parts, (header, message) => ({ type: 'pacs.008.001.08', header, message }));
    case 'pacs.002.001.10':
      return as(pacs002, parts, (header, message) => ({ type: 'pacs.002.001.10', header, message }));
    case 'pacs.004.001.09':
      return as(pacs004, parts, (header, message) => ({ type: 'pacs.004.001.09', header, message }));
    default:
      return { ok: false, issues: [{ field: 'Document', rule: 'mx.type', message: `${parts.type} is not read yet` }] };
  }
}
