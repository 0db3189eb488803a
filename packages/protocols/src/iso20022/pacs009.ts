/**
 * pacs.009.001.08 financial institution credit transfer ↔ `InstitutionTransfer`: the core form
 * (MT202, BizSvc swift.cbprplus.02) and the cover form (MT202 COV, BizSvc swift.cbprplus.cov.02)
 * whose UndrlygCstmrCdtTrf carries the customer transfer it covers. The MT :21: related
 * reference travels in PmtId/TxId (the model keeps it apart from the end-to-end id).
 */
import type { Checked, InstitutionTransfer } from '../payment/model';
import { businessService, cbprLength } from './cbpr';
import { code, inside, list, type Codec } from './codec';
import { account, amount, chainAgent, dateTime, extended, hopAgent, id35, isoDate, namedParty, reference16, restricted, uetr } from './components';
import { buildMessage, parseMessage, type BuildOptions, type MessageDefinition } from './message';
import { settlementMethodCodes } from './pacs008';
import { record } from './record';
import { agentHeader, settlementRule } from './shared';

type Underlying = NonNullable<InstitutionTransfer['underlying']>;

const underlyingCodec: Codec<Underlying> = record<Underlying>((f) => [
  f.req('debtor', 'Dbtr', namedParty),
  f.opt('debtorAccount', 'DbtrAcct', account),
  f.req('debtorAgent', 'DbtrAgt', chainAgent),
  f.part('debtorAgent', 'account', 'DbtrAgtAcct', account),
  f.opt('intermediaryAgent', 'IntrmyAgt1', chainAgent),
  f.part('intermediaryAgent', 'account', 'IntrmyAgt1Acct', account),
  f.req('creditorAgent', 'CdtrAgt', chainAgent),
  f.part('creditorAgent', 'account', 'CdtrAgtAcct', account),
  f.req('creditor', 'Cdtr', namedParty),
  f.opt('creditorAccount', 'CdtrAcct', account),
  f.opt('remittanceInformation', 'RmtInf/Ustrd', extended(cbprLength.remittanceMax)),
  f.opt('instructedAmount', 'InstdAmt', amount()),
]);

export const institutionTransferCodec: Codec<InstitutionTransfer> = record<InstitutionTransfer>(
  (f) => [
    f.req('messageId', 'GrpHdr/MsgId', id35),
    f.req('creationDateTime', 'GrpHdr/CreDtTm', dateTime),
    f.fixed('GrpHdr/NbOfTxs', '1', 'cbpr.one_transaction'),
    f.req('settlementMethod', 'GrpHdr/SttlmInf/SttlmMtd', code(settlementMethodCodes)),
    f.req('instructionId', 'CdtTrfTxInf/PmtId/InstrId', reference16),
    f.req('endToEndId', 'CdtTrfTxInf/PmtId/EndToEndId', id35),
    f.req('relatedReference', 'CdtTrfTxInf/PmtId/TxId', reference16),
    f.req('uetr', 'CdtTrfTxInf/PmtId/UETR', uetr),
    f.req('settlementAmount', 'CdtTrfTxInf/IntrBkSttlmAmt', amount()),
    f.req('settlementDate', 'CdtTrfTxInf/IntrBkSttlmDt', isoDate),
    f.req('instructingAgent', 'CdtTrfTxInf/InstgAgt', hopAgent),
    f.req('instructedAgent', 'CdtTrfTxInf/InstdAgt', hopAgent),
    f.opt('intermediaryAgent', 'CdtTrfTxInf/IntrmyAgt1', chainAgent),
    f.part('intermediaryAgent', 'account', 'CdtTrfTxInf/IntrmyAgt1Acct', account),
    f.req('debtor', 'CdtTrfTxInf/Dbtr', chainAgent),
    f.part('debtor', 'account', 'CdtTrfTxInf/DbtrAcct', account),
    f.opt('debtorAgent', 'CdtTrfTxInf/DbtrAgt', chainAgent),
    f.part('debtorAgent', 'account', 'CdtTrfTxInf/DbtrAgtAcct', account),
    f.opt('creditorAgent', 'CdtTrfTxInf/CdtrAgt', chainAgent),
    f.part('creditorAgent', 'account', 'CdtTrfTxInf/CdtrAgtAcct', account),
    f.req('creditor', 'CdtTrfTxInf/Cdtr', chainAgent),
    f.part('creditor', 'account', 'CdtTrfTxInf/CdtrAcct', account),
    f.opt('instructionsForNextAgent', 'CdtTrfTxInf/InstrForNxtAgt', list(inside('InstrInf', restricted(cbprLength.instructionForNextAgentMax)), { max: cbprLength.instructionsForNextAgentMax })),
    f.opt('underlying', 'CdtTrfTxInf/UndrlygCstmrCdtTrf', underlyingCodec),
  ],
  [settlementRule<InstitutionTransfer>()],
);

export const pacs009: MessageDefinition<InstitutionTransfer> = {
  type: 'pacs.009.001.08',
  root: 'FICdtTrf',
  codec: institutionTransferCodec,
  header: (model) => agentHeader(model, model.underlying === undefined ? businessService.core : businessService.cover),
};

/** Builds the CBPR+ pacs.009 envelope (COV when `underlying` is set), or refuses it naming model paths. */
export function buildPacs009(model: InstitutionTransfer, options: BuildOptions = {}): Checked<string> {
  return buildMessage(pacs009, model, options);
}

/** Parses a pacs.009 envelope, core or COV (the BizSvc must match which); issues name XML paths. */
export function parsePacs009(xml: string): Checked<InstitutionTransfer> {
  const parsed = parseMessage(pacs009, xml);
  return parsed.ok ? { ok: true, value: parsed.value.message } : parsed;
}
