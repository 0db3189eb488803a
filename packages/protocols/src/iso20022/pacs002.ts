/**
 * pacs.002.001.10 FI to FI payment status report ↔ `PaymentStatusReport`: one transaction's
 * status (TxInfAndSts), its reason, and the original message it answers, as CBPR+ sends it.
 */
import type { Checked, PaymentStatusReport, TransactionStatus } from '../payment/model';
import { statusReasonRequired } from './cbpr';
import { code, type Codec } from './codec';
import { dateTime, externalCode4, hopAgent, id35, isoDate, uetr } from './components';
import { buildMessage, parseMessage, type BuildOptions, type MessageDefinition } from './message';
import { record } from './record';
import { additionalInformation, agentHeader, originalMessageType } from './shared';

export const transactionStatusCodes: readonly TransactionStatus[] = ['ACCC', 'ACSC', 'ACSP', 'ACTC', 'PDNG', 'RJCT'];

export const paymentStatusReportCodec: Codec<PaymentStatusReport> = record<PaymentStatusReport>(
  (f) => [
    f.req('messageId', 'GrpHdr/MsgId', id35),
    f.req('creationDateTime', 'GrpHdr/CreDtTm', dateTime),
    f.req('originalMessageId', 'TxInfAndSts/OrgnlGrpInf/OrgnlMsgId', id35),
    f.req('originalMessageType', 'TxInfAndSts/OrgnlGrpInf/OrgnlMsgNmId', originalMessageType),
    f.opt('originalCreationDateTime', 'TxInfAndSts/OrgnlGrpInf/OrgnlCreDtTm', dateTime),
    f.opt('originalInstructionId', 'TxInfAndSts/OrgnlInstrId', id35),
    f.req('originalEndToEndId', 'TxInfAndSts/OrgnlEndToEndId', id35),
    f.opt('originalTransactionId', 'TxInfAndSts/OrgnlTxId', id35),
    f.req('originalUetr', 'TxInfAndSts/OrgnlUETR', uetr),
    f.req('status', 'TxInfAndSts/TxSts', code(transactionStatusCodes)),
    f.opt('reasonCode', 'TxInfAndSts/StsRsnInf/Rsn/Cd', externalCode4),
    f.opt('additionalInformation', 'TxInfAndSts/StsRsnInf/AddtlInf', additionalInformation),
    f.opt('acceptanceDateTime', 'TxInfAndSts/AccptncDtTm', dateTime),
    f.opt('effectiveSettlementDate', 'TxInfAndSts/FctvIntrBkSttlmDt/Dt', isoDate),
    f.req('instructingAgent', 'TxInfAndSts/InstgAgt', hopAgent),
    f.req('instructedAgent', 'TxInfAndSts/InstdAgt', hopAgent),
  ],
  [
    (value) => {
      const broken = statusReasonRequired.test(value);
      return broken === undefined ? [] : [{ key: 'reasonCode', rule: statusReasonRequired.id, message: broken }];
    },
  ],
);

export const pacs002: MessageDefinition<PaymentStatusReport> = {
  type: 'pacs.002.001.10',
  root: 'FIToFIPmtStsRpt',
  codec: paymentStatusReportCodec,
  header: (model) => agentHeader(model),
};

/** Builds the CBPR+ pacs.002 envelope of a status report, or refuses it naming model paths. */
export function buildPacs002(model: PaymentStatusReport, options: BuildOptions = {}): Checked<string> {
  return buildMessage(pacs002, model, options);
}

/** Parses a pacs.002 envelope (a correspondent's status report); issues name XML paths. */
export function parsePacs002(xml: string): Checked<PaymentStatusReport> {
  const parsed = parseMessage(pacs002, xml);
  return parsed.ok ? { ok: true, value: parsed.value.message } : parsed;
}
