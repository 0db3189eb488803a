/**
 * camt.056.001.08 FI to FI payment cancellation request ↔ `CancellationRequest`: the recall of
 * one transaction, assigned from one agent to the next, with its case and reason.
 */
import type { CancellationRequest, Checked } from '../payment/model';
import { inside, type Codec } from './codec';
import { amount, dateTime, externalCode4, hopAgent, id35, isoDate, plainAgent, uetr } from './components';
import { buildMessage, parseMessage, type BuildOptions, type MessageDefinition } from './message';
import { record } from './record';
import { additionalInformation, agentHeader, originalMessageType } from './shared';

export const cancellationRequestCodec: Codec<CancellationRequest> = record<CancellationRequest>((f) => [
  f.req('assignmentId', 'Assgnmt/Id', id35),
  f.req('assigner', 'Assgnmt/Assgnr', inside('Agt', hopAgent)),
  f.req('assignee', 'Assgnmt/Assgne', inside('Agt', hopAgent)),
  f.req('creationDateTime', 'Assgnmt/CreDtTm', dateTime),
  f.req('caseId', 'Case/Id', id35),
  f.req('caseCreator', 'Case/Cretr', inside('Agt', plainAgent)),
  f.req('cancellationId', 'Undrlyg/TxInf/CxlId', id35),
  f.req('originalMessageId', 'Undrlyg/TxInf/OrgnlGrpInf/OrgnlMsgId', id35),
  f.req('originalMessageType', 'Undrlyg/TxInf/OrgnlGrpInf/OrgnlMsgNmId', originalMessageType),
  f.opt('originalCreationDateTime', 'Undrlyg/TxInf/OrgnlGrpInf/OrgnlCreDtTm', dateTime),
  f.opt('originalInstructionId', 'Undrlyg/TxInf/OrgnlInstrId', id35),
  f.req('originalEndToEndId', 'Undrlyg/TxInf/OrgnlEndToEndId', id35),
  f.req('originalUetr', 'Undrlyg/TxInf/OrgnlUETR', uetr),
  f.req('originalSettlementAmount', 'Undrlyg/TxInf/OrgnlIntrBkSttlmAmt', amount()),
  f.req('originalSettlementDate', 'Undrlyg/TxInf/OrgnlIntrBkSttlmDt', isoDate),
  f.req('reasonCode', 'Undrlyg/TxInf/CxlRsnInf/Rsn/Cd', externalCode4),
  f.opt('additionalInformation', 'Undrlyg/TxInf/CxlRsnInf/AddtlInf', additionalInformation),
]);

export const camt056: MessageDefinition<CancellationRequest> = {
  type: 'camt.056.001.08',
  root: 'FIToFIPmtCxlReq',
  codec: cancellationRequestCodec,
  header: (model) => agentHeader({ instructingAgent: model.assigner, instructedAgent: model.assignee, messageId: model.assignmentId, creationDateTime: model.creationDateTime }),
};

/** Builds the CBPR+ camt.056 envelope of a recall, or refuses it naming model paths. */
export function buildCamt056(model: CancellationRequest, options: BuildOptions = {}): Checked<string> {
  return buildMessage(camt056, model, options);
}

/** Parses a camt.056 envelope; issues name XML paths. */
export function parseCamt056(xml: string): Checked<CancellationRequest> {
  const parsed = parseMessage(camt056, xml);
  return parsed.ok ? { ok: true, value: parsed.value.message } : parsed;
}
