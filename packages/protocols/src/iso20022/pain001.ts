/**
 * pain.001.001.09 customer credit transfer initiation ↔ `CustomerInitiation`: a customer's
 * payment instructions to its bank (SWIFT for corporates, BizSvc swift.cbprplus.02). The header
 * goes from the initiating party (an organisation, by AnyBIC) to the debtor agent's BIC; every
 * payment information block therefore names the same debtor agent. NbOfTxs is derived.
 */
import type { Checked, CustomerInitiation } from '../payment/model';
import { businessService, cbprLength } from './cbpr';
import { code, list, type Codec } from './codec';
import { account, amount, anyParty, chainAgent, externalCode4, dateTime, extended, id35, isoDate, namedParty, uetr } from './components';
import { buildMessage, parseMessage, type BuildOptions, type MessageDefinition } from './message';
import { chargeBearerCodes } from './pacs008';
import { record, type RecordRule } from './record';

type PaymentInformation = CustomerInitiation['paymentInformation'][number];
type Transaction = PaymentInformation['transactions'][number];

/** Payment information blocks in one initiation, and transactions in one block. */
export const paymentInformationMax = 100;
export const transactionsPerPaymentInformationMax = 1_000;

const transactionCodec: Codec<Transaction> = record<Transaction>((f) => [
  f.opt('instructionId', 'PmtId/InstrId', id35),
  f.req('endToEndId', 'PmtId/EndToEndId', id35),
  f.opt('uetr', 'PmtId/UETR', uetr),
  f.req('amount', 'Amt/InstdAmt', amount()),
  f.req('creditorAgent', 'CdtrAgt', chainAgent),
  f.part('creditorAgent', 'account', 'CdtrAgtAcct', account),
  f.req('creditor', 'Cdtr', namedParty),
  f.opt('creditorAccount', 'CdtrAcct', account),
  f.opt('purpose', 'Purp/Cd', externalCode4),
  f.opt('remittanceInformation', 'RmtInf/Ustrd', extended(cbprLength.remittanceMax)),
]);

const paymentInformationCodec: Codec<PaymentInformation> = record<PaymentInformation>((f) => [
  f.req('paymentInformationId', 'PmtInfId', id35),
  f.fixed('PmtMtd', 'TRF', 'pain.payment_method'),
  f.req('requestedExecutionDate', 'ReqdExctnDt/Dt', isoDate),
  f.req('debtor', 'Dbtr', namedParty),
  f.req('debtorAccount', 'DbtrAcct', account),
  f.req('debtorAgent', 'DbtrAgt', chainAgent),
  f.part('debtorAgent', 'account', 'DbtrAgtAcct', account),
  f.opt('chargeBearer', 'ChrgBr', code(chargeBearerCodes)),
  f.req('transactions', 'CdtTrfTxInf', list(transactionCodec, { min: 1, max: transactionsPerPaymentInformationMax })),
]);

const transactionCount = (model: CustomerInitiation) => String(model.paymentInformation.reduce((sum, block) => sum + block.transactions.length, 0));

/** The message goes to one bank: the header's To is the debtor agent's BIC, the same in every block; the header's Fr is the initiating party's BIC. */
const oneDebtorAgent: RecordRule<CustomerInitiation> = (model) => {
  const findings: { key: string; rule: string; message: string }[] = [];
  if (model.initiatingParty.bic === undefined) findings.push({ key: 'initiatingParty', rule: 'cbpr.header_from', message: 'the initiating party sends over SWIFT from its BIC (AnyBIC)' });
  const agents = new Set(model.paymentInformation.map((block) => block.debtorAgent.bic));
  if (agents.has(undefined) || agents.size > 1) findings.push({ key: 'paymentInformation', rule: 'cbpr.header_to', message: 'every payment information block names the same debtor agent by BIC (the message goes to that bank)' });
  return findings;
};

export const customerInitiationCodec: Codec<CustomerInitiation> = record<CustomerInitiation>(
  (f) => [
    f.req('messageId', 'GrpHdr/MsgId', id35),
    f.req('creationDateTime', 'GrpHdr/CreDtTm', dateTime),
    f.derived('GrpHdr/NbOfTxs', transactionCount, 'pain.number_of_transactions'),
    f.req('initiatingParty', 'GrpHdr/InitgPty', anyParty),
    f.req('paymentInformation', 'PmtInf', list(paymentInformationCodec, { min: 1, max: paymentInformationMax })),
  ],
  [oneDebtorAgent],
);

export const pain001: MessageDefinition<CustomerInitiation> = {
  type: 'pain.001.001.09',
  root: 'CstmrCdtTrfInitn',
  codec: customerInitiationCodec,
  header: (model) => ({
    from: { bic: model.initiatingParty.bic ?? '', kind: 'organisation' },
    to: { bic: model.paymentInformation[0]?.debtorAgent.bic ?? '', kind: 'institution' },
    businessMessageId: model.messageId,
    businessService: businessService.core,
    creationDate: model.creationDateTime,
  }),
};

/** Builds the pain.001 envelope of a customer's initiation, or refuses it naming model paths. */
export function buildPain001(model: CustomerInitiation, options: BuildOptions = {}): Checked<string> {
  return buildMessage(pain001, model, options);
}

/** Parses a pain.001 envelope; issues name XML paths. */
export function parsePain001(xml: string): Checked<CustomerInitiation> {
  const parsed = parseMessage(pain001, xml);
  return parsed.ok ? { ok: true, value: parsed.value.message } : parsed;
}
