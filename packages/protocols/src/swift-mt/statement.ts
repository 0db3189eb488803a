/**
 * MT940 (customer statement) and MT950 (statement of a bank's nostro) ↔ Statement. The balances
 * go in the order MT has them: opening (60F, or 60M intermediate), closing (62F, or 62M), closing
 * available (64), forward available (65, repeated); each entry is one 61, with its 86 in MT940.
 * The 61's entry date has no year: it is read as the date nearest the value date.
 */
import type { AccountId, Agent, Balance, Checked, Issue, Statement, StatementEntry } from '../payment/model';
import { amountToSwift, dateFromSwift, dateToSwift, fieldFormats, firstField, isCalendarDate } from './fields';
import type { FinMessage, TextField } from './fin';
import { matchFormat } from './format';
import { finHeaders, headerFacts, noteAgentBeyondBic, noteCreationTime, userHeaderOf, type FinHeaderOptions } from './headers';
import { checkAccount, checkAmount, checkBic, checkDate, checkDateTime, checkId, checkReference, checkTexts, ModelIssues } from './model-checks';
import { moneyOf, sealed, type Built, type Mapped } from './mt103';
import { accountFromText, accountText } from './parties';
import { joinLines, Notes, wrapText } from './text';
import { validateFin } from './validate';

/** 28C's 5n. */
const statementNumberMax = 99_999;
const informationWidth = 65;
const informationLinesMax = 6;
const noReference = 'NONREF';
const entriesMax = 1_000;

type StatementType = '940' | '950';

export function checkStatement(model: Statement): Issue[] {
  const issues = new ModelIssues();
  checkTexts(model, '', issues);
  checkId('messageId', model.messageId, issues);
  checkDateTime('creationDateTime', model.creationDateTime, issues);
  checkReference('statementId', model.statementId, issues);
  for (const [path, number] of [
    ['sequenceNumber', model.sequenceNumber],
    ['pageNumber', model.pageNumber],
  ] as const) {
    if (number !== undefined && (!Number.isInteger(number) || number < 0 || number > statementNumberMax)) issues.add(path, 'format', `a whole number up to ${statementNumberMax} (5n)`);
  }
  checkAccount('account', model.account, issues);
  for (const [path, bic] of [
    ['accountServicer.bic', model.accountServicer.bic],
    ['accountOwner.bic', model.accountOwner.bic],
  ] as const) {
    if (bic === undefined) issues.add(path, 'mandatory', 'the sender and receiver are named by BIC');
    checkBic(path, bic, issues);
  }
  checkBalances(model, issues);
  if (model.entries.length > entriesMax) issues.add('entries', 'length', `at most ${entriesMax} entries in one message`);
  model.entries.forEach((entry, index) => checkEntry(`entries[${index}]`, entry, model.accountCurrency, issues));
  return issues.list;
}

/** Opening first, closing next, then at most one closing available and any forward available ones (the order MT writes them). */
function checkBalances(model: Statement, issues: ModelIssues): void {
  const [opening, closing, ...rest] = model.balances;
  if (opening === undefined || (opening.type !== 'OPBD' && opening.type !== 'ITBD')) issues.add('balances[0].type', 'mandatory', 'the first balance is the opening one (OPBD or ITBD)');
  if (closing === undefined || (closing.type !== 'CLBD' && closing.type !== 'ITBD')) issues.add('balances[1].type', 'mandatory', 'the second balance is the closing one (CLBD or ITBD)');
  const available = rest.findIndex((balance) => balance.type === 'CLAV');
  rest.forEach((balance, index) => {
    const allowed = balance.type === 'FWAV' || (balance.type === 'CLAV' && index === 0);
    if (!allowed) issues.add(`balances[${index + 2}].type`, 'order', 'after the closing balance: one CLAV first, then FWAV ones');
  });
  if (available > 0) issues.add(`balances[${available + 2}].type`, 'order', 'CLAV comes right after the closing balance');
  model.balances.forEach((balance, index) => {
    checkAmount(`balances[${index}].amount`, balance.amount, issues, true);
    if (balance.amount.currency !== model.accountCurrency) issues.add(`balances[${index}].amount.currency`, 'C2', 'every balance is in the account currency');
    checkDate(`balances[${index}].date`, balance.date, issues);
  });
}

function checkEntry(path: string, entry: StatementEntry, currency: string, issues: ModelIssues): void {
  checkAmount(`${path}.amount`, entry.amount, issues, true);
  if (entry.amount.currency !== currency) issues.add(`${path}.amount.currency`, 'C2', 'an entry is in the account currency');
  checkDate(`${path}.valueDate`, entry.valueDate, issues);
  if (entry.bookingDate !== undefined && bookingDateFrom(entry.bookingDate.slice(5).replace('-', ''), entry.valueDate) !== entry.bookingDate) {
    issues.add(`${path}.bookingDate`, 'date', 'the entry date (MMDD) must be the nearest such date to the value date');
  }
  if (!/^(S\d{3}|[NF][A-Z0-9]{3})$/.test(entry.transactionCode)) issues.add(`${path}.transactionCode`, 'format', 'S + a message type, or N or F + a three-character code (1!a3!c)');
  if (entry.references.accountOwnerReference !== undefined) checkReference(`${path}.references.accountOwnerReference`, entry.references.accountOwnerReference, issues);
  if (entry.accountServicerReference !== undefined && entry.accountServicerReference.length > 16) issues.add(`${path}.accountServicerReference`, 'length', 'at most 16 characters (16x)');
  if (entry.supplementaryDetails !== undefined && entry.supplementaryDetails.length > 34) issues.add(`${path}.supplementaryDetails`, 'length', 'at most 34 characters (34x)');
}

/** The ISO date of an MMDD entry date: in the value date's year, or the one before or after, whichever is nearest. */
export function bookingDateFrom(monthDay: string, valueDate: string): string | undefined {
  const year = Number(valueDate.slice(0, 4));
  const value = Date.parse(`${valueDate}T00:00:00Z`);
  const distance = (iso: string) => Math.abs(Date.parse(`${iso}T00:00:00Z`) - value);
  return [year - 1, year, year + 1]
    .map((candidate) => `${candidate}-${monthDay.slice(0, 2)}-${monthDay.slice(2, 4)}`)
    .filter(isCalendarDate)
    .sort((a, b) => distance(a) - distance(b))[0];
}

export function statementToMt940(model: Statement, header?: FinHeaderOptions): Checked<Built> {
  return statementToMt(model, '940', header);
}

export function statementToMt950(model: Statement, header?: FinHeaderOptions): Checked<Built> {
  return statementToMt(model, '950', header);
}

function statementToMt(model: Statement, type: StatementType, header: FinHeaderOptions | undefined): Checked<Built> {
  const issues = checkStatement(model);
  if (issues.length > 0) return { ok: false, issues };
  const notes = new Notes();
  noteCreationTime(notes);
  noteAgentBeyondBic('accountServicer', model.accountServicer, notes);
  noteAgentBeyondBic('accountOwner', model.accountOwner, notes);
  notes.dropIfPresent(
    [
      ['fromDate', model.fromDate],
      ['toDate', model.toDate],
    ],
    'MT statements carry the dates of their balances only',
  );
  const fields: TextField[] = [{ tag: '20', value: model.statementId }, { tag: '25', value: accountText(model.account) }, { tag: '28C', value: `${model.sequenceNumber}${model.pageNumber === undefined ? '' : `/${model.pageNumber}`}` }];
  const [opening, closing, ...rest] = model.balances as readonly [Balance, Balance, ...Balance[]];
  fields.push(balanceField(opening.type === 'ITBD' ? '60M' : '60F', opening));
  model.entries.forEach((entry, index) => fields.push(...entryFields(entry, `entries[${index}]`, type, notes)));
  fields.push(balanceField(closing.type === 'ITBD' ? '62M' : '62F', closing));
  rest.forEach((balance, index) => {
    if (balance.type === 'FWAV' && type === '950') notes.add(`balances[${index + 2}]`, 'dropped', 'MT950 has no forward available balance (65)');
    else fields.push(balanceField(balance.type === 'CLAV' ? '64' : '65', balance));
  });
  if (model.additionalInformation !== undefined) {
    if (type === '950') notes.add('additionalInformation', 'dropped', 'MT950 has no field 86');
    else fields.push({ tag: '86', value: information(model.additionalInformation, 'additionalInformation', notes) });
  }
  const message: FinMessage = {
    ...finHeaders(type, model.accountServicer.bic ?? '', model.accountOwner.bic ?? '', header),
    ...(model.messageId === model.statementId ? {} : { userHeader: userHeaderOf({ messageId: model.messageId, instructionId: model.statementId }, undefined, notes) }),
    text: fields,
  };
  return sealed(message, notes);
}

function balanceField(tag: string, balance: Balance): TextField {
  return { tag, value: `${balance.creditDebit === 'DBIT' ? 'D' : 'C'}${dateToSwift(balance.date) ?? ''}${balance.amount.currency}${amountToSwift(balance.amount.amountMinor, balance.amount.currency)}` };
}

/** A reversal of a credit is a debit (RC), of a debit a credit (RD). */
function markOf(entry: StatementEntry): string {
  if (entry.reversal === true) return entry.creditDebit === 'DBIT' ? 'RC' : 'RD';
  return entry.creditDebit === 'DBIT' ? 'D' : 'C';
}

function entryFields(entry: StatementEntry, path: string, type: StatementType, notes: Notes): TextField[] {
  if (entry.status !== 'BOOK') notes.add(`${path}.status`, 'dropped', 'an MT940/950 entry is booked; pending entries belong in MT942');
  notes.dropIfPresent(
    [
      [`${path}.entryReference`, entry.entryReference],
      [`${path}.references.endToEndId`, entry.references.endToEndId],
      [`${path}.references.instructionId`, entry.references.instructionId],
      [`${path}.references.transactionId`, entry.references.transactionId],
      [`${path}.references.uetr`, entry.references.uetr],
    ],
    '61 carries the account owner\'s and the servicer\'s references only',
  );
  const bookingDate = entry.bookingDate === undefined ? '' : entry.bookingDate.slice(5, 7) + entry.bookingDate.slice(8, 10);
  const line =
    `${dateToSwift(entry.valueDate) ?? ''}${bookingDate}${markOf(entry)}${amountToSwift(entry.amount.amountMinor, entry.amount.currency)}${entry.transactionCode}` +
    `${entry.references.accountOwnerReference ?? noReference}${entry.accountServicerReference === undefined ? '' : `//${entry.accountServicerReference}`}` +
    `${entry.supplementaryDetails === undefined ? '' : `\n${entry.supplementaryDetails}`}`;
  const fields: TextField[] = [{ tag: '61', value: line }];
  if (entry.additionalInformation !== undefined) {
    if (type === '950') notes.add(`${path}.additionalInformation`, 'dropped', 'MT950 has no field 86');
    else fields.push({ tag: '86', value: information(entry.additionalInformation, `${path}.additionalInformation`, notes) });
  }
  return fields;
}

function information(text: string, path: string, notes: Notes): string {
  const wrapped = wrapText(text, informationWidth, informationLinesMax);
  if (wrapped.cut) notes.add(path, 'truncated', `86 holds ${informationLinesMax} lines of ${informationWidth}`);
  return wrapped.lines.join('\n');
}

/** Reads a valid MT940 or MT950 into the model. */
export function mtStatementToStatement(message: FinMessage): Checked<Mapped<Statement>> {
  const type = message.applicationHeader?.messageType;
  const issues: Issue[] = validateFin(message);
  if (type !== '940' && type !== '950') issues.unshift({ field: 'block2', rule: 'message_type', message: 'not an MT940 or MT950' });
  if (issues.length > 0) return { ok: false, issues };
  const notes = new Notes();
  const fields = message.text ?? [];
  const value = (tag: string) => firstField(fields, tag)?.value;
  const reference = value('20') ?? '';
  const balances = fields.filter((field) => /^(60[FM]|62[FM]|64|65)$/.test(field.tag)).map(balanceOf);
  const facts = headerFacts(message, reference, balances[0]?.date ?? '', notes);
  const [sequence = '', page] = (value('28C') ?? '').split('/');
  const closingAt = fields.findIndex((field) => field.tag === '62F' || field.tag === '62M');
  const currency = balances[0]?.amount.currency ?? '';
  let entryIndex = 0;
  const entries = fields.flatMap((field, index) => (field.tag === '61' ? [entryOf(field.value, fields[index + 1]?.tag === '86' && index + 1 < closingAt ? fields[index + 1]?.value : undefined, currency, `entries[${entryIndex++}]`, notes)] : []));
  const finalInformation = fields.slice(closingAt + 1).find((field) => field.tag === '86')?.value;
  if (value('21') !== undefined) notes.add('21', 'dropped', 'the related reference of an MT940 has no place in the statement model');
  const account = accountOf25(value('25') ?? value('25P')?.split('\n')[0] ?? '', facts.instructingAgent, notes);
  const model: Statement = {
    messageId: facts.messageId,
    creationDateTime: facts.creationDateTime,
    statementId: reference,
    sequenceNumber: Number(sequence),
    ...(page === undefined ? {} : { pageNumber: Number(page) }),
    account: account.account,
    accountCurrency: currency,
    accountServicer: account.servicer,
    accountOwner: facts.instructedAgent,
    balances,
    entries,
    ...(finalInformation === undefined ? {} : { additionalInformation: joinLines(finalInformation.split('\n'), informationWidth) }),
  };
  return { ok: true, value: { model, notes: notes.list } };
}

/**
 * Field 25 as banks write it: the account alone, or `BANKDEFF/12345678`, the servicing bank's BIC
 * and the account there (the BIC is the account servicer, the rest the account id).
 */
function accountOf25(text: string, sender: Agent, notes: Notes): { readonly account: AccountId; readonly servicer: Agent } {
  const withBic = /^([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\/(.+)$/.exec(text);
  if (withBic === null) return { account: accountFromText(text), servicer: sender };
  const bic = withBic[1] ?? '';
  if (bic !== sender.bic) notes.add('accountServicer', 'restructured', `the account servicer is ${bic}, named in 25 before the account, not the sender ${sender.bic ?? ''}`);
  return { account: accountFromText(withBic[2] ?? ''), servicer: bic === sender.bic ? sender : { bic } };
}

const balanceTypes: Readonly<Record<string, Balance['type']>> = { '60F': 'OPBD', '60M': 'ITBD', '62F': 'CLBD', '62M': 'ITBD', '64': 'CLAV', '65': 'FWAV' };

function balanceOf(field: TextField): Balance {
  return { type: balanceTypes[field.tag] ?? 'OPBD', amount: moneyOf(field.value.slice(7)), creditDebit: field.value.startsWith('D') ? 'DBIT' : 'CRDT', date: dateFromSwift(field.value.slice(1, 7)) ?? '' };
}

function entryOf(line: string, information: string | undefined, currency: string, path: string, notes: Notes): StatementEntry {
  const match = matchFormat(fieldFormats['61'] ?? '', line);
  const [valueText = '', entryDate, mark = '', funds, amountText = '', typeLetter = '', typeCode = '', ownerReference = '', servicerReference, supplementary] = match.ok ? match.parts : [];
  const valueDate = dateFromSwift(valueText) ?? '';
  const bookingDate = entryDate === undefined ? undefined : bookingDateFrom(entryDate, valueDate);
  if (funds !== undefined) notes.add(`${path}.amount`, 'dropped', `the funds code ${funds} has no place in the model`);
  return {
    amount: moneyOf(`${currency}${amountText}`),
    creditDebit: mark === 'D' || mark === 'RC' ? 'DBIT' : 'CRDT',
    ...(mark.startsWith('R') ? { reversal: true } : {}),
    status: 'BOOK',
    ...(bookingDate === undefined ? {} : { bookingDate }),
    valueDate,
    ...(servicerReference === undefined ? {} : { accountServicerReference: servicerReference }),
    transactionCode: typeLetter + typeCode,
    references: ownerReference === noReference ? {} : { accountOwnerReference: ownerReference },
    ...(supplementary === undefined ? {} : { supplementaryDetails: supplementary }),
    ...(information === undefined ? {} : { additionalInformation: joinLines(information.split('\n'), informationWidth) }),
  };
}

/** The same reader under the names of the two types. */
export const mt940ToStatement = mtStatementToStatement;
export const mt950ToStatement = mtStatementToStatement;
