/**
 * camt.053.001.08 bank to customer statement ↔ `Statement`: one account's statement page, its
 * balances and entries. The account owner's bank (the receiver) is the message recipient
 * (GrpHdr/MsgRcpt, an organisation identified by AnyBIC; optional in the schema, and when absent
 * the header's To); the servicer is Acct/Svcr. An entry's bank transaction code is the
 * proprietary BkTxCd/Prtry/Cd and/or the ISO Domn code (domain, family, sub-family).
 *
 * What real statements carry beyond the model (transaction summaries, related parties,
 * remittance information, amount details, …) is left out when read, each with a 'dropped' note;
 * an element outside the schema is still refused.
 *
 * The model's from/to dates are days: they are written as FrToDt from 00:00:00 to 23:59:59 UTC,
 * and read back as the date part of what was sent. The page's LastPgInd is not in the model:
 * it follows from the balances (a closing booked balance CLBD is on the last page, MT :62F:;
 * an intermediate one ITBD on the others, :62M:), and a statement saying otherwise is refused.
 */
import type { Agent, Balance, Checked, Statement, StatementEntry } from '../payment/model';
import { agentBicOnly } from './cbpr';
import { code, list, mapped, pattern, text, type Codec } from './codec';
import { accountIdentification, amount, bic, boolean, dateTime, extended, externalCode4, hopAgent, id35, isoDate, lei, postalAddress, restricted, uetr, whole, currencyPattern } from './components';
import { buildMessage, parseMessage, type BuildOptions, type MessageDefinition } from './message';
import { record, type RecordRule, type Skipped } from './record';
import { agentHeader } from './shared';

/** Entries on one statement page (a day's nostro activity fits; more goes on the next page). */
export const statementEntriesMax = 1_000;
/** Balances on one page (opening, closing, available, forward available for a few days). */
export const statementBalancesMax = 20;
/** ElctrncSeqNb, PgNb: Number totalDigits 18; Max5NumericText for the page. */
const sequenceNumberMax = Number.MAX_SAFE_INTEGER;
const pageNumberMax = 99_999;

const balanceCodec: Codec<Balance> = record<Balance>((f) => [
  f.req('type', 'Tp/CdOrPrtry/Cd', code(['OPBD', 'ITBD', 'CLBD', 'CLAV', 'FWAV'] as const)),
  f.req('amount', 'Amt', amount({ allowZero: true })),
  f.req('creditDebit', 'CdtDbtInd', code(['CRDT', 'DBIT'] as const)),
  f.req('date', 'Dt/Dt', isoDate),
]);

type References = StatementEntry['references'];

const referencesCodec: Codec<References> = record<References>((f) => [
  f.opt('instructionId', 'InstrId', id35),
  f.opt('endToEndId', 'EndToEndId', id35),
  f.opt('uetr', 'UETR', uetr),
  f.opt('transactionId', 'TxId', id35),
  f.opt('accountOwnerReference', 'AcctOwnrTxId', id35),
]);

const noReferences = (references: References) => Object.values(references).every((value) => value === undefined);

type BankTransactionCode = NonNullable<StatementEntry['bankTransactionCode']>;

const bankTransactionCodeCodec: Codec<BankTransactionCode> = record<BankTransactionCode>((f) => [
  f.req('domain', 'Cd', externalCode4),
  f.req('family', 'Fmly/Cd', externalCode4),
  f.req('subFamily', 'Fmly/SubFmlyCd', externalCode4),
]);

const domainText = (code: BankTransactionCode) => `${code.domain}/${code.family}/${code.subFamily}`;

/** The entry as the XML has it: the proprietary code (BkTxCd/Prtry/Cd) may be absent when the ISO code (Domn) is there. */
type EntryWire = Omit<StatementEntry, 'transactionCode'> & { readonly transactionCode?: string };

const bankTransactionCodeRules: RecordRule<EntryWire> = (entry) => {
  if (entry.transactionCode === undefined && entry.bankTransactionCode === undefined) return [{ key: 'transactionCode', rule: 'xml.element_missing', message: 'a bank transaction code is required: BkTxCd/Domn or BkTxCd/Prtry' }];
  if (entry.transactionCode === undefined && entry.transactionCodeIssuer !== undefined) return [{ key: 'transactionCodeIssuer', rule: 'schema.required', message: 'an issuer goes with a proprietary code (BkTxCd/Prtry/Cd)' }];
  return [];
};

/** Elements of an entry (ReportEntry10) the model does not carry, left out with a note when read. */
const entryNotCarried: Skipped = {
  Avlbty: 'the availability of the funds',
  ComssnWvrInd: 'the commission waiver indicator',
  AddtlInfInd: 'the additional information indicator',
  AmtDtls: 'the amount details (the entry amount is kept)',
  Chrgs: 'the charges of the entry',
  TechInptChanl: 'the technical input channel',
  Intrst: 'the interest of the entry',
  CardTx: 'the card transaction',
  'NtryDtls/Btch': 'the batch details',
  'NtryDtls/TxDtls/Amt': 'the transaction amount (the entry amount is kept)',
  'NtryDtls/TxDtls/CdtDbtInd': "the transaction's credit/debit indicator (the entry's is kept)",
  'NtryDtls/TxDtls/AmtDtls': 'the amount details (the entry amount is kept)',
  'NtryDtls/TxDtls/Avlbty': 'the availability of the funds',
  'NtryDtls/TxDtls/BkTxCd': "the transaction's bank transaction code (the entry's is kept)",
  'NtryDtls/TxDtls/Chrgs': 'the charges of the transaction',
  'NtryDtls/TxDtls/Intrst': 'the interest of the transaction',
  'NtryDtls/TxDtls/RltdPties': 'the related parties (debtor, creditor, ultimate parties)',
  'NtryDtls/TxDtls/RltdAgts': 'the related agents',
  'NtryDtls/TxDtls/LclInstrm': 'the local instrument',
  'NtryDtls/TxDtls/Purp': 'the purpose',
  'NtryDtls/TxDtls/RltdRmtInf': 'related remittance information',
  'NtryDtls/TxDtls/RmtInf': 'the remittance information',
  'NtryDtls/TxDtls/RltdDts': 'the related dates',
  'NtryDtls/TxDtls/RltdPric': 'the related price',
  'NtryDtls/TxDtls/RltdQties': 'the related quantities',
  'NtryDtls/TxDtls/FinInstrmId': 'the financial instrument',
  'NtryDtls/TxDtls/Tax': 'tax information',
  'NtryDtls/TxDtls/RtrInf': 'the return information',
  'NtryDtls/TxDtls/CorpActn': 'the corporate action',
  'NtryDtls/TxDtls/SfkpgAcct': 'the safekeeping account',
  'NtryDtls/TxDtls/CshDpst': 'the cash deposit',
  'NtryDtls/TxDtls/CardTx': 'the card transaction',
  'NtryDtls/TxDtls/SplmtryData': 'supplementary data',
};

const entryWireCodec: Codec<EntryWire> = record<EntryWire>(
  (f) => [
    f.opt('entryReference', 'NtryRef', id35),
    f.req('amount', 'Amt', amount()),
    f.req('creditDebit', 'CdtDbtInd', code(['CRDT', 'DBIT'] as const)),
    f.opt('reversal', 'RvslInd', boolean),
    f.req('status', 'Sts/Cd', code(['BOOK', 'PDNG', 'INFO'] as const)),
    f.opt('bookingDate', 'BookgDt/Dt', isoDate),
    f.req('valueDate', 'ValDt/Dt', isoDate),
    f.opt('accountServicerReference', 'AcctSvcrRef', id35),
    f.opt('bankTransactionCode', 'BkTxCd/Domn', bankTransactionCodeCodec),
    f.opt('transactionCode', 'BkTxCd/Prtry/Cd', restricted(35)),
    f.opt('transactionCodeIssuer', 'BkTxCd/Prtry/Issr', restricted(35)),
    f.reqOr('references', 'NtryDtls/TxDtls/Refs', referencesCodec, {}, noReferences),
    f.opt('supplementaryDetails', 'NtryDtls/TxDtls/AddtlTxInf', extended(34)),
    f.opt('additionalInformation', 'AddtlNtryInf', extended(500)),
  ],
  [bankTransactionCodeRules],
  entryNotCarried,
);

/**
 * An entry: its transaction code is BkTxCd/Prtry/Cd; an entry with only the ISO code (Domn) has
 * that code as `DOMN/FMLY/SUBF`, and such a model is written back with Domn alone.
 */
const entryCodec: Codec<StatementEntry> = mapped<EntryWire, StatementEntry>(
  entryWireCodec,
  ({ transactionCode, ...rest }) => ({ ...rest, transactionCode: transactionCode ?? (rest.bankTransactionCode === undefined ? '' : domainText(rest.bankTransactionCode)) }),
  ({ transactionCode, ...rest }) =>
    rest.bankTransactionCode !== undefined && rest.transactionCodeIssuer === undefined && transactionCode === domainText(rest.bankTransactionCode) ? rest : { ...rest, transactionCode },
);

/** The account owner's bank as a message recipient (PartyIdentification135): BIC and LEI in OrgId, name, address. */
const recipientCodec: Codec<Agent> = record<Agent>(
  (f) => [f.opt('name', 'Nm', extended(140)), f.opt('postalAddress', 'PstlAdr', postalAddress), f.opt('bic', 'Id/OrgId/AnyBIC', bic), f.opt('lei', 'Id/OrgId/LEI', lei)],
  [
    (agent) => (agent.bic === undefined ? [{ key: 'bic', rule: agentBicOnly.id, message: 'the account owner receives the statement at its BIC' }] : []),
    (agent) => (agent.clearingMemberId === undefined ? [] : [{ key: 'clearingMemberId', rule: 'model.not_carried', message: 'a message recipient has no clearing member id' }]),
    (agent) => (agent.account === undefined ? [] : [{ key: 'account', rule: 'model.not_carried', message: 'the statement names one account, in Acct' }]),
  ],
);

const startOfDay = (date: string) => `${date}T00:00:00+00:00`;
const endOfDay = (date: string) => `${date}T23:59:59+00:00`;
/** The day of a date-time as sent. */
const dayCodec = (toText: (date: string) => string): Codec<string> => ({
  check: isoDate.check,
  write: (value, tag) => dateTime.write(toText(value), tag),
  read: (elements, site, report) => {
    const value = dateTime.read(elements, site, report);
    if (value === undefined) return undefined;
    dateTime.check(value, site, report);
    return value.slice(0, 10);
  },
});

const lastPage = (statement: Statement): string | undefined =>
  statement.pageNumber === undefined ? undefined : statement.balances.some((balance) => balance.type === 'CLBD') ? 'true' : 'false';

const statementRules: RecordRule<Statement> = (statement) => {
  const findings: { key: string; rule: string; message: string }[] = [];
  if ((statement.fromDate === undefined) !== (statement.toDate === undefined)) findings.push({ key: statement.fromDate === undefined ? 'fromDate' : 'toDate', rule: 'schema.period', message: 'a statement period has both a from and a to date' });
  if (statement.fromDate !== undefined && statement.toDate !== undefined && statement.fromDate > statement.toDate) findings.push({ key: 'toDate', rule: 'schema.period', message: 'the period ends before it starts' });
  const foreign = [...statement.balances.map((balance) => balance.amount.currency), ...statement.entries.map((entry) => entry.amount.currency)].find((currency) => currency !== statement.accountCurrency);
  if (foreign !== undefined) findings.push({ key: 'accountCurrency', rule: 'camt.statement_currency', message: `a ${foreign} amount on a ${statement.accountCurrency} account` });
  return findings;
};

/** Elements of a statement (AccountStatement9 and its group header) the model does not carry, left out with a note. */
const statementNotCarried: Skipped = {
  'GrpHdr/MsgPgntn': 'the message pagination (the statement pagination is kept)',
  'GrpHdr/OrgnlBizQry': 'the original business query',
  'GrpHdr/AddtlInf': 'the group header additional information',
  'Stmt/RptgSeq': 'the reporting sequence',
  'Stmt/LglSeqNb': 'the legal sequence number (the electronic one is kept)',
  'Stmt/CreDtTm': "the statement's creation date-time (the message's is kept)",
  'Stmt/RptgSrc': 'the reporting source',
  'Stmt/Acct/Tp': 'the account type',
  'Stmt/Acct/Nm': 'the account name',
  'Stmt/Acct/Prxy': 'the account proxy',
  'Stmt/Acct/Ownr': 'the account owner as a party (the recipient is the model\'s account owner)',
  'Stmt/RltdAcct': 'the related account',
  'Stmt/Intrst': 'the interest of the account',
  'Stmt/TxsSummry': 'the transactions summary (it follows from the entries)',
};

export const statementCodec: Codec<Statement> = record<Statement>(
  (f) => [
    f.req('messageId', 'GrpHdr/MsgId', id35),
    f.req('creationDateTime', 'GrpHdr/CreDtTm', dateTime),
    // MsgRcpt is optional in the schema: without it the account owner is the header's To (fromHeader below).
    f.reqOr('accountOwner', 'GrpHdr/MsgRcpt', recipientCodec, {}, () => false),
    f.req('statementId', 'Stmt/Id', id35),
    f.opt('pageNumber', 'Stmt/StmtPgntn/PgNb', whole(pageNumberMax)),
    f.derived('Stmt/StmtPgntn/LastPgInd', lastPage, 'camt.last_page'),
    f.req('sequenceNumber', 'Stmt/ElctrncSeqNb', whole(sequenceNumberMax)),
    f.opt('fromDate', 'Stmt/FrToDt/FrDtTm', dayCodec(startOfDay)),
    f.opt('toDate', 'Stmt/FrToDt/ToDtTm', dayCodec(endOfDay)),
    f.req('account', 'Stmt/Acct/Id', accountIdentification),
    f.req('accountCurrency', 'Stmt/Acct/Ccy', text({ min: 3, max: 3, rules: [pattern('schema.pattern.currency', currencyPattern, 'an ISO 4217 code')] })),
    f.req('accountServicer', 'Stmt/Acct/Svcr', hopAgent),
    f.req('balances', 'Stmt/Bal', list(balanceCodec, { min: 1, max: statementBalancesMax })),
    f.req('entries', 'Stmt/Ntry', list(entryCodec, { max: statementEntriesMax })),
    f.opt('additionalInformation', 'Stmt/AddtlStmtInf', extended(500)),
  ],
  [statementRules],
  statementNotCarried,
);

export const camt053: MessageDefinition<Statement> = {
  type: 'camt.053.001.08',
  root: 'BkToCstmrStmt',
  codec: statementCodec,
  header: (model) => agentHeader({ instructingAgent: model.accountServicer, instructedAgent: model.accountOwner, messageId: model.messageId, creationDateTime: model.creationDateTime }),
  fromHeader: (model, header) => (Object.keys(model.accountOwner).length === 0 ? { ...model, accountOwner: { bic: header.to.bic } } : model),
};

/** Builds the CBPR+ camt.053 envelope of a statement page, or refuses it naming model paths. */
export function buildCamt053(model: Statement, options: BuildOptions = {}): Checked<string> {
  return buildMessage(camt053, model, options);
}

/** Parses a camt.053 envelope (a correspondent's statement); issues name XML paths. */
export function parseCamt053(xml: string): Checked<Statement> {
  const parsed = parseMessage(camt053, xml);
  return parsed.ok ? { ok: true, value: parsed.value.message } : parsed;
}
