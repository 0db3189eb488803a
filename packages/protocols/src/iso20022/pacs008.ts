/**
 * pacs.008.001.08 FI to FI customer credit transfer ↔ `CreditTransfer`, as CBPR+ uses it: one
 * transaction (NbOfTxs 1), settlement INDA/INGA, instructing and instructed agents by BIC at
 * transaction level, a UETR, the interbank settlement date in the transaction.
 */
import type { Charge, Checked, CreditTransfer } from '../payment/model';
import { cbprLength } from './cbpr';
import { code, decimal, inside, list, type Codec } from './codec';
import { account, amount, anyParty, chainAgent, dateTime, externalCode4, extended, hopAgent, id35, isoDate, lines, namedParty, plainAgent, reference16, restricted, uetr } from './components';
import { buildMessage, parseMessage, type BuildOptions, type MessageDefinition } from './message';
import { record, type RecordRule } from './record';
import { agentHeader, settlementRule } from './shared';

export const settlementMethodCodes = ['INDA', 'INGA', 'COVE', 'CLRG'] as const;
export const chargeBearerCodes = ['DEBT', 'CRED', 'SHAR'] as const;
/** Instruction3Code: the instructions for the creditor agent an MT :23E: can carry into pacs.008. */
export const creditorAgentInstructionCodes = ['CHQB', 'HOLD', 'PHOB', 'TELB'] as const;
/** ChrgsInf occurrences kept (MT :71F: repeats; CBPR+ keeps the schema's unbounded list, we cap it). */
export const chargesMax = 10;
/** RgltryRptg/Dtls/Inf lines (MT :77B: 3*35). */
export const regulatoryReportingLinesMax = 3;
/** BaseOneRate: totalDigits 11, fractionDigits 10. */
export const exchangeRate = decimal(11, 10);

const charge: Codec<Charge> = record<Charge>(
  (f) => [f.req('amount', 'Amt', amount({ allowZero: true })), f.req('agent', 'Agt', plainAgent)],
  [(value) => (value.type === undefined ? [] : [{ key: 'type', rule: 'model.not_carried', message: 'pacs.008.001.08 Charges7 has no charge type (sender/receiver): leave it out' }])],
);

/** CBPR+: an instructed amount in another currency needs the exchange rate, and a rate needs the instructed amount. */
const exchange: RecordRule<CreditTransfer> = (value) => {
  if (value.exchangeRate !== undefined && value.instructedAmount === undefined) {
    return [{ key: 'exchangeRate', rule: 'cbpr.exchange_rate', message: 'an exchange rate needs the instructed amount it converts' }];
  }
  if (value.instructedAmount !== undefined && value.instructedAmount.currency !== value.settlementAmount.currency && value.exchangeRate === undefined) {
    return [{ key: 'exchangeRate', rule: 'cbpr.exchange_rate', message: 'an instructed amount in another currency than the settlement amount needs the exchange rate' }];
  }
  return [];
};

export const creditTransferCodec: Codec<CreditTransfer> = record<CreditTransfer>(
  (f) => [
    f.req('messageId', 'GrpHdr/MsgId', id35),
    f.req('creationDateTime', 'GrpHdr/CreDtTm', dateTime),
    f.fixed('GrpHdr/NbOfTxs', '1', 'cbpr.one_transaction'),
    f.req('settlementMethod', 'GrpHdr/SttlmInf/SttlmMtd', code(settlementMethodCodes)),
    f.req('instructionId', 'CdtTrfTxInf/PmtId/InstrId', reference16),
    f.req('endToEndId', 'CdtTrfTxInf/PmtId/EndToEndId', id35),
    f.opt('transactionId', 'CdtTrfTxInf/PmtId/TxId', id35),
    f.req('uetr', 'CdtTrfTxInf/PmtId/UETR', uetr),
    f.opt('serviceLevel', 'CdtTrfTxInf/PmtTpInf/SvcLvl/Cd', externalCode4),
    f.opt('categoryPurpose', 'CdtTrfTxInf/PmtTpInf/CtgyPurp/Cd', externalCode4),
    f.req('settlementAmount', 'CdtTrfTxInf/IntrBkSttlmAmt', amount()),
    f.req('settlementDate', 'CdtTrfTxInf/IntrBkSttlmDt', isoDate),
    f.opt('instructedAmount', 'CdtTrfTxInf/InstdAmt', amount()),
    f.opt('exchangeRate', 'CdtTrfTxInf/XchgRate', exchangeRate),
    f.req('chargeBearer', 'CdtTrfTxInf/ChrgBr', code(chargeBearerCodes)),
    f.opt('charges', 'CdtTrfTxInf/ChrgsInf', list(charge, { max: chargesMax })),
    f.opt('previousInstructingAgent', 'CdtTrfTxInf/PrvsInstgAgt1', chainAgent),
    f.part('previousInstructingAgent', 'account', 'CdtTrfTxInf/PrvsInstgAgt1Acct', account),
    f.req('instructingAgent', 'CdtTrfTxInf/InstgAgt', hopAgent),
    f.req('instructedAgent', 'CdtTrfTxInf/InstdAgt', hopAgent),
    f.opt('intermediaryAgent', 'CdtTrfTxInf/IntrmyAgt1', chainAgent),
    f.part('intermediaryAgent', 'account', 'CdtTrfTxInf/IntrmyAgt1Acct', account),
    f.opt('ultimateDebtor', 'CdtTrfTxInf/UltmtDbtr', anyParty),
    f.req('debtor', 'CdtTrfTxInf/Dbtr', namedParty),
    f.opt('debtorAccount', 'CdtTrfTxInf/DbtrAcct', account),
    f.req('debtorAgent', 'CdtTrfTxInf/DbtrAgt', chainAgent),
    f.part('debtorAgent', 'account', 'CdtTrfTxInf/DbtrAgtAcct', account),
    f.req('creditorAgent', 'CdtTrfTxInf/CdtrAgt', chainAgent),
    f.part('creditorAgent', 'account', 'CdtTrfTxInf/CdtrAgtAcct', account),
    f.req('creditor', 'CdtTrfTxInf/Cdtr', namedParty),
    f.opt('creditorAccount', 'CdtTrfTxInf/CdtrAcct', account),
    f.opt('ultimateCreditor', 'CdtTrfTxInf/UltmtCdtr', anyParty),
    f.opt('instructionCodes', 'CdtTrfTxInf/InstrForCdtrAgt', list(inside('Cd', code<string>(creditorAgentInstructionCodes, 'model.not_carried')), { max: 4 })),
    f.opt('instructionsForNextAgent', 'CdtTrfTxInf/InstrForNxtAgt', list(inside('InstrInf', restricted(cbprLength.instructionForNextAgentMax)), { max: cbprLength.instructionsForNextAgentMax })),
    f.opt('purpose', 'CdtTrfTxInf/Purp/Cd', externalCode4),
    f.opt('regulatoryReporting', 'CdtTrfTxInf/RgltryRptg/Dtls/Inf', lines(regulatoryReportingLinesMax, 35)),
    f.opt('remittanceInformation', 'CdtTrfTxInf/RmtInf/Ustrd', extended(cbprLength.remittanceMax)),
  ],
  [settlementRule<CreditTransfer>(), exchange],
);

export const pacs008: MessageDefinition<CreditTransfer> = {
  type: 'pacs.008.001.08',
  root: 'FIToFICstmrCdtTrf',
  codec: creditTransferCodec,
  header: (model) => agentHeader(model),
};

/**
 * Builds the CBPR+ pacs.008 envelope (AppHdr + Document) of a credit transfer, or refuses it
 * with issues naming model paths before any XML is written.
 */
export function buildPacs008(model: CreditTransfer, options: BuildOptions = {}): Checked<string> {
  return buildMessage(pacs008, model, options);
}

/** Parses a pacs.008 envelope into the credit transfer it carries; issues name XML paths. */
export function parsePacs008(xml: string): Checked<CreditTransfer> {
  const parsed = parseMessage(pacs008, xml);
  return parsed.ok ? { ok: true, value: parsed.value.message } : parsed;
}
