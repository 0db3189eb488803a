/**
 * pacs.004.001.09 payment return ↔ `PaymentReturn`: one returned transaction, the original it
 * returns, the reason, and (optionally) the original debtor and creditor in the return chain.
 */
import type { Checked, PaymentReturn } from '../payment/model';
import { code, inside, type Codec } from './codec';
import { amount, dateTime, externalCode4, hopAgent, id35, isoDate, namedParty, uetr } from './components';
import { buildMessage, parseMessage, type BuildOptions, type MessageDefinition } from './message';
import { chargeBearerCodes, settlementMethodCodes } from './pacs008';
import { record, type RecordRule } from './record';
import { additionalInformation, agentHeader, originalMessageType, settlementRule } from './shared';

/** RtrChain has Dbtr and Cdtr both mandatory: the model's original parties come as a pair. */
const returnChain: RecordRule<PaymentReturn> = (value) =>
  (value.originalDebtor === undefined) === (value.originalCreditor === undefined)
    ? []
    : [{ key: value.originalDebtor === undefined ? 'originalDebtor' : 'originalCreditor', rule: 'schema.return_chain', message: 'the return chain names both the original debtor and the original creditor, or neither' }];

/** Party40Choice as a party (Pty), the form a customer debtor or creditor takes. */
const chainParty = inside('Pty', namedParty);

export const paymentReturnCodec: Codec<PaymentReturn> = record<PaymentReturn>(
  (f) => [
    f.req('messageId', 'GrpHdr/MsgId', id35),
    f.req('creationDateTime', 'GrpHdr/CreDtTm', dateTime),
    f.fixed('GrpHdr/NbOfTxs', '1', 'cbpr.one_transaction'),
    f.req('settlementMethod', 'GrpHdr/SttlmInf/SttlmMtd', code(settlementMethodCodes)),
    f.req('returnId', 'TxInf/RtrId', id35),
    f.req('originalMessageId', 'TxInf/OrgnlGrpInf/OrgnlMsgId', id35),
    f.req('originalMessageType', 'TxInf/OrgnlGrpInf/OrgnlMsgNmId', originalMessageType),
    f.opt('originalInstructionId', 'TxInf/OrgnlInstrId', id35),
    f.req('originalEndToEndId', 'TxInf/OrgnlEndToEndId', id35),
    f.opt('originalTransactionId', 'TxInf/OrgnlTxId', id35),
    f.req('originalUetr', 'TxInf/OrgnlUETR', uetr),
    f.opt('originalSettlementAmount', 'TxInf/OrgnlIntrBkSttlmAmt', amount()),
    f.opt('originalSettlementDate', 'TxInf/OrgnlIntrBkSttlmDt', isoDate),
    f.req('returnedAmount', 'TxInf/RtrdIntrBkSttlmAmt', amount()),
    f.req('settlementDate', 'TxInf/IntrBkSttlmDt', isoDate),
    f.req('chargeBearer', 'TxInf/ChrgBr', code(chargeBearerCodes)),
    f.req('instructingAgent', 'TxInf/InstgAgt', hopAgent),
    f.req('instructedAgent', 'TxInf/InstdAgt', hopAgent),
    f.opt('originalDebtor', 'TxInf/RtrChain/Dbtr', chainParty),
    f.opt('originalCreditor', 'TxInf/RtrChain/Cdtr', chainParty),
    f.req('reasonCode', 'TxInf/RtrRsnInf/Rsn/Cd', externalCode4),
    f.opt('additionalInformation', 'TxInf/RtrRsnInf/AddtlInf', additionalInformation),
  ],
  [settlementRule<PaymentReturn>(), returnChain],
);

export const pacs004: MessageDefinition<PaymentReturn> = {
  type: 'pacs.004.001.09',
  root: 'PmtRtr',
  codec: paymentReturnCodec,
  header: (model) => agentHeader(model),
};

/** Builds the CBPR+ pacs.004 envelope of a return, or refuses it naming model paths. */
export function buildPacs004(model: PaymentReturn, options: BuildOptions = {}): Checked<string> {
  return buildMessage(pacs004, model, options);
}

/** Parses a pacs.004 envelope (a correspondent's return); issues name XML paths. */
export function parsePacs004(xml: string): Checked<PaymentReturn> {
  const parsed = parseMessage(pacs004, xml);
  return parsed.ok ? { ok: true, value: parsed.value.message } : parsed;
}
