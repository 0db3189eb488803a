/**
 * camt.053.001.08 bank to customer statement ↔ `Statement`: one account's statement page, its
 * balances and entries. The account owner's bank (the receiver) is the message recipient
 * (GrpHdr/MsgRcpt, an organisation identified by AnyBIC); the servicer is Acct/Svcr.
 *
 * The model's from/to dates are days: they are written as FrToDt from 00:00:00 to 23:59:59 UTC,
 * and read back as the date part of what was sent. The page's LastPgInd is not in the model:
 * it follows from the balances (a closing booked balance CLBD is on the last page, MT :62F:;
 * an intermediate one ITBD on the others, :62M:), and a statement saying otherwise is refused.
 */
import type { Agent, Balance, Checked, Statement, StatementEntry } from '../payment/model';
import { agentBicOnly } from './cbpr';
import { code, list, pattern, text, type Codec } from './codec';
import { accountIdentification, amount, bic, boolean, dateTime, extended, hopAgent, id35, isoDate, lei, postalAddress, restricted, uetr, whole, currencyPattern } from './components';
import { buildMessage, parseMessage, type BuildOptions, type MessageDefinition } from './message';
import { record, type RecordRule } from './record';
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

const entryCodec: Codec<StatementEntry> = record<StatementEntry>((f) => [
  f.opt('entryReference', 'NtryRef', id35),
  f.req('amount', 'Amt', amount()),
  f.req('creditDebit', 'CdtDbtInd', code(['CRDT', 'DBIT'] as const)),
  f.opt('reversal', 'RvslInd', boolean),
  f.req('status', 'Sts/Cd', code(['BOOK', 'PDNG', 'INFO'] as const)),
  f.opt('bookingDate', 'BookgDt/Dt', isoDate),
  f.req('valueDate', 'ValDt/Dt', isoDate),
  f.opt('accountServicerReference', 'AcctSvcrRef', id35),
  f.req('transactionCode', 'BkTxCd/Prtry/Cd', restricted(35)),
  f.reqOr('references', 'NtryDtls/TxDtls/Refs', referencesCodec, {}, noReferences),
  f.opt('supplementaryDetails', 'NtryDtls/TxDtls/AddtlTxInf', extended(34)),
  f.opt('additionalInformation', 'AddtlNtryInf', extended(500)),
]);

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

export const statementCodec: Codec<Statement> = record<Statement>(
  (f) => [
    f.req('messageId', 'GrpHdr/MsgId', id35),
    f.req('creationDateTime', 'GrpHdr/CreDtTm', dateTime),
    f.req('accountOwner', 'GrpHdr/MsgRcpt', recipientCodec),
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
);

export const camt053: MessageDefinition<Statement> = {
  type: 'camt.053.001.08',
  root: 'BkToCstmrStmt',
  codec: statementCodec,
  header: (model) => agentHeader({ instructingAgent: model.accountServicer, instructedAgent: model.accountOwner, messageId: model.messageId, creationDateTime: model.creationDateTime }),
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
