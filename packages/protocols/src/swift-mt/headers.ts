/**
 * Blocks 1, 2 and 3 of a message built from a model, and the model fields read back from them:
 * the sender and receiver BICs, the message user reference (108), the gpi service type (111), the
 * UETR (121), the creation time an output header carries.
 */
import type { Agent } from '../payment/model';
import { bicOfLogicalTerminal, receiverLogicalTerminal, senderLogicalTerminal, userHeaderValue, type BlockTag, type FinMessage, type LineBreak } from './fin';
import { dateFromSwift } from './fields';
import { firstNonXCharacter } from './format';
import type { Notes } from './text';

export interface FinHeaderOptions {
  /** 4!n; 0000 when not given (the interface fills it in). */
  readonly sessionNumber?: string;
  /** 6!n; 000000 when not given. */
  readonly sequenceNumber?: string;
  /** N normal (the default), U urgent, S system. */
  readonly priority?: 'N' | 'U' | 'S';
  /** CRLF on the network (the default); LF for files. */
  readonly lineBreak?: LineBreak;
  /** The sender's logical terminal code, the 9th character of its address: A when not given. */
  readonly terminalCode?: string;
}

/** The user reference of block 3 is 16x. */
const userReferenceLengthMax = 16;

/** A BIC (8 or 11) as a 12-character logical terminal address. */
export function logicalTerminalOf(bic: string, terminalCode: string): string {
  return `${bic.slice(0, 8)}${terminalCode}${bic.length === 11 ? bic.slice(8) : 'XXX'}`;
}

export function finHeaders(messageType: string, senderBic: string, receiverBic: string, options: FinHeaderOptions = {}): Pick<FinMessage, 'basicHeader' | 'applicationHeader' | 'layout'> {
  return {
    basicHeader: { applicationId: 'F', serviceId: '01', logicalTerminal: logicalTerminalOf(senderBic, options.terminalCode ?? 'A'), sessionNumber: options.sessionNumber ?? '0000', sequenceNumber: options.sequenceNumber ?? '000000' },
    applicationHeader: { direction: 'I', messageType, destination: logicalTerminalOf(receiverBic, 'X'), priority: options.priority ?? 'N' },
    ...(options.lineBreak === undefined ? {} : { layout: { blockOrder: ['1', '2', '3', '4', '5'], lineBreak: options.lineBreak, trailing: '' } }),
  };
}

/** 108 (when the message id differs from the reference and fits), 119, 111 (gpi service type), 121. */
export function userHeaderOf(
  model: { readonly messageId: string; readonly instructionId: string; readonly uetr?: string; readonly serviceLevel?: string },
  validationFlag: string | undefined,
  notes: Notes,
): BlockTag[] {
  const tags: BlockTag[] = [];
  if (model.messageId !== model.instructionId) {
    if (model.messageId.length <= userReferenceLengthMax && firstNonXCharacter(model.messageId) === undefined) tags.push({ tag: '108', value: model.messageId });
    else notes.add('messageId', 'dropped', `longer than the ${userReferenceLengthMax} characters of the message user reference (108); read back as the :20: reference`);
  }
  if (validationFlag !== undefined) tags.push({ tag: '119', value: validationFlag });
  const gpi = model.serviceLevel === undefined ? undefined : /^G(\d{3})$/.exec(model.serviceLevel);
  if (gpi !== null && gpi !== undefined) tags.push({ tag: '111', value: gpi[1] ?? '' });
  else if (model.serviceLevel !== undefined) notes.add('serviceLevel', 'dropped', 'only gpi service levels (G001…) have an MT place, block 3 field 111');
  if (model.uetr !== undefined) tags.push({ tag: '121', value: model.uetr });
  return tags;
}

/** Block 1 holds the sender's BIC and nothing more of the agent. */
export function noteAgentBeyondBic(path: string, agent: Agent, notes: Notes): void {
  const extra = Object.keys(agent).filter((key) => key !== 'bic');
  if (extra.length > 0) notes.add(path, 'dropped', `the header carries the BIC only (${extra.join(', ')} not carried)`);
}

export function noteCreationTime(notes: Notes): void {
  notes.add('creationDateTime', 'dropped', 'an MT input message has no creation time: the network stamps its input time in the output header');
}

export interface HeaderFacts {
  readonly messageId: string;
  readonly creationDateTime: string;
  readonly instructingAgent: Agent;
  readonly instructedAgent: Agent;
  readonly uetr: string;
  readonly serviceLevel?: string;
}

/** What the headers tell the model; `reference` is the :20:, the message id when block 3 has no 108. */
export function headerFacts(message: FinMessage, reference: string, fallbackDate: string, notes: Notes): HeaderFacts {
  const header = message.applicationHeader;
  let creationDateTime = `${fallbackDate}T00:00:00+00:00`;
  if (header?.direction === 'O') {
    const date = dateFromSwift(header.inputDate);
    creationDateTime = `${date ?? fallbackDate}T${header.inputTime.slice(0, 2)}:${header.inputTime.slice(2)}:00+00:00`;
    notes.add('creationDateTime', 'restructured', 'the sender\'s input time of the output header, whose offset MT does not give (UTC assumed)');
  } else notes.add('creationDateTime', 'restructured', 'an input message has no creation time: the value date at midnight UTC stands in');
  const service = userHeaderValue(message, '111');
  return {
    messageId: userHeaderValue(message, '108') ?? reference,
    creationDateTime,
    instructingAgent: { bic: bicOfLogicalTerminal(senderLogicalTerminal(message)) },
    instructedAgent: { bic: bicOfLogicalTerminal(receiverLogicalTerminal(message) ?? '') },
    uetr: userHeaderValue(message, '121') ?? '',
    ...(service === undefined ? {} : { serviceLevel: `G${service}` }),
  };
}
