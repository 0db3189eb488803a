/**
 * Pieces several message types share: the original message's type, reason codes, the
 * additional information lines, the header of an agent-to-agent message.
 */
import type { Agent } from '../payment/model';
import { businessService, cbprLength, settlementMethodRule } from './cbpr';
import { pattern, text } from './codec';
import { lines } from './components';
import type { AppHeader } from './message';
import type { RecordRule } from './record';

/** OrgnlMsgNmId: an MX type (pacs.008.001.08) or an MT (MT103). */
export const originalMessageType = text({ max: 35, rules: [pattern('schema.pattern.message_name', /^([a-z]{4}\.\d{3}\.\d{3}\.\d{2}|MT\d{3})$/, 'a message name such as pacs.008.001.08 or MT103')] });

/** AddtlInf lines of pacs.002 and pacs.004 (Max105Text). */
export const additionalInformation = lines(cbprLength.additionalInformationLinesMax, 105);

/** The header of a message between two agents: from the instructing agent's BIC to the instructed agent's. */
export function agentHeader(
  model: { readonly instructingAgent: Agent; readonly instructedAgent: Agent; readonly messageId: string; readonly creationDateTime: string },
  service: string = businessService.core,
): Omit<AppHeader, 'messageDefinitionId'> {
  return {
    from: { bic: model.instructingAgent.bic ?? '', kind: 'institution' },
    to: { bic: model.instructedAgent.bic ?? '', kind: 'institution' },
    businessMessageId: model.messageId,
    businessService: service,
    creationDate: model.creationDateTime,
  };
}

/** CBPR+ settlement method (INDA/INGA) as a record rule on a model's `settlementMethod`. */
export function settlementRule<T extends { readonly settlementMethod: string }>(): RecordRule<T> {
  return (value) => {
    const broken = settlementMethodRule.test(value.settlementMethod);
    return broken === undefined ? [] : [{ key: 'settlementMethod', rule: settlementMethodRule.id, message: broken }];
  };
}
