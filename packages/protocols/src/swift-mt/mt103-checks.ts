/**
 * The checks of a CreditTransfer before an MT103 is built from it: its texts, ids, amounts, dates
 * and agents as MT can write them, and the MT103 network rules the model itself could break (C1,
 * C2, C3, C10, C12–C18), each refusal naming the model field.
 */
import type { CreditTransfer, Issue } from '../payment/model';
import { clearingCodeOf } from './parties';
import { instructionCodeOrder } from './rules-mt103';
import { bothInEuEea, checkAccount, checkAgent, checkAmount, checkBic, checkExchangeRate, checkParty, checkTransferBasics, ModelIssues } from './model-checks';

const bankOperations = new Set(['CRED', 'CRTS', 'SPAY', 'SPRI', 'SSTD']);
/** 23E's additional information is 30x. */
const instructionInformationLengthMax = 30;

export function checkCreditTransfer(model: CreditTransfer): Issue[] {
  const issues = new ModelIssues();
  checkTransferBasics(model, issues);
  if (model.instructedAmount !== undefined) checkAmount('instructedAmount', model.instructedAmount, issues);
  if (model.exchangeRate !== undefined) checkExchangeRate('exchangeRate', model.exchangeRate, issues);
  for (const [path, bic] of [
    ['instructingAgent.bic', model.instructingAgent.bic],
    ['instructedAgent.bic', model.instructedAgent.bic],
  ] as const) {
    if (bic === undefined) issues.add(path, 'mandatory', 'the sender and receiver are named by BIC');
    checkBic(path, bic, issues);
  }
  checkParty('debtor', model.debtor, issues);
  checkParty('creditor', model.creditor, issues);
  checkAccount('debtorAccount', model.debtorAccount, issues);
  checkAccount('creditorAccount', model.creditorAccount, issues);
  checkAgent('debtorAgent', model.debtorAgent, issues, false);
  checkAgent('creditorAgent', model.creditorAgent, issues, true);
  if (model.intermediaryAgent !== undefined) checkAgent('intermediaryAgent', model.intermediaryAgent, issues, true);
  checkReimbursementAgents(model, issues);
  if (model.previousInstructingAgent?.bic !== undefined) checkBic('previousInstructingAgent.bic', model.previousInstructingAgent.bic, issues);
  checkCurrencyRules(model, issues);
  checkInstructionCodes(model, issues);
  checkCharges(model, issues);
  return issues.list;
}

function hasMtClearingCode(agent: { readonly clearingMemberId?: { readonly system: string } }): boolean {
  return agent.clearingMemberId !== undefined && clearingCodeOf(agent.clearingMemberId.system) !== undefined;
}

/** 53a 54a 55a: a BIC, a name, or an account (53B/54B/55B's party identifier alone); C7: 55a needs 53a and 54a. */
function checkReimbursementAgents(model: CreditTransfer, issues: ModelIssues): void {
  for (const key of ['instructingReimbursementAgent', 'instructedReimbursementAgent', 'thirdReimbursementAgent'] as const) {
    const agent = model[key];
    if (agent === undefined) continue;
    checkBic(`${key}.bic`, agent.bic, issues);
    checkAccount(`${key}.account`, agent.account, issues);
    if (agent.bic === undefined && agent.name === undefined && agent.account === undefined && !hasMtClearingCode(agent)) issues.add(key, 'mandatory', 'a reimbursement agent needs a BIC, a name, an account or a clearing member id of a system with an MT clearing code');
    if (agent.name?.startsWith('/') === true) issues.add(`${key}.name`, 'format', 'a name must not start with / (it would read as a party identifier)');
  }
  if (model.settlementMethod === 'COVE' && model.thirdReimbursementAgent !== undefined && (model.instructingReimbursementAgent === undefined || model.instructedReimbursementAgent === undefined)) {
    issues.add('thirdReimbursementAgent', 'C7', 'a third reimbursement agent (55a) needs both the instructing (53a) and the instructed (54a) reimbursement agents');
  }
}

/** C1 (36 with 33B in another currency, and only then) and C2 (33B between EU/EEA banks). */
function checkCurrencyRules(model: CreditTransfer, issues: ModelIssues): void {
  const instructed = model.instructedAmount;
  const needsRate = instructed !== undefined && instructed.currency !== model.settlementAmount.currency;
  if (needsRate && model.exchangeRate === undefined) issues.add('exchangeRate', 'C1', 'an instructed amount in another currency needs the exchange rate');
  if (!needsRate && model.exchangeRate !== undefined) issues.add('exchangeRate', 'C1', 'an exchange rate is allowed only with an instructed amount in another currency');
  if (instructed === undefined && bothInEuEea(model.instructingAgent.bic, model.instructedAgent.bic)) issues.add('instructedAmount', 'C2', 'between EU/EEA banks the instructed amount (33B) is mandatory');
}

/** The codes: a 23B code first (optional), then 23E codes in the standard's order; C3, C10, C12, C13, C16, C17. */
function checkInstructionCodes(model: CreditTransfer, issues: ModelIssues): void {
  const all = model.instructionCodes ?? [];
  const first = all[0];
  const bankOperation = first !== undefined && bankOperations.has(first) ? first : 'CRED';
  const codes = first !== undefined && bankOperations.has(first) ? all.slice(1) : all;
  const offset = all.length - codes.length;
  let last = -1;
  const seen = new Set<string>();
  codes.forEach((entry, index) => {
    const path = `instructionCodes[${index + offset}]`;
    const [code = '', ...rest] = entry.split('/');
    const rank = instructionCodeOrder.indexOf(code);
    if (rank === -1) issues.add(path, 'code', `${code} is not an MT103 instruction code (23E) nor, in first place, a bank operation code (23B)`);
    else if (rank < last || seen.has(code)) issues.add(path, 'order', `23E codes go once each in the order ${instructionCodeOrder.join(', ')}`);
    if (rest.length > 0 && !['PHON', 'PHOB', 'PHOI', 'TELE', 'TELB', 'TELI', 'HOLD', 'REPA'].includes(code)) issues.add(path, 'code', `${code} takes no additional information`);
    if (rest.join('/').length > instructionInformationLengthMax) issues.add(path, 'length', `additional information holds ${instructionInformationLengthMax} characters`);
    seen.add(code);
    last = Math.max(last, rank);
  });
  const names = codes.map((entry) => entry.split('/')[0] ?? '');
  if (bankOperation === 'SPRI' && names.some((code) => !['SDVA', 'TELB', 'PHOB', 'INTC'].includes(code))) issues.add('instructionCodes', 'C3', 'with SPRI only SDVA, TELB, PHOB, INTC');
  if ((bankOperation === 'SSTD' || bankOperation === 'SPAY') && names.length > 0) issues.add('instructionCodes', 'C3', `with ${bankOperation} no instruction codes`);
  const serviceLevel = bankOperation === 'SPRI' || bankOperation === 'SSTD' || bankOperation === 'SPAY';
  if (bankOperation === 'SPRI' && model.intermediaryAgent !== undefined) issues.add('intermediaryAgent', 'C10', 'with SPRI no intermediary');
  if (serviceLevel && model.intermediaryAgent !== undefined && model.intermediaryAgent.bic === undefined && (model.intermediaryAgent.name !== undefined || model.intermediaryAgent.postalAddress !== undefined)) issues.add('intermediaryAgent', 'C10', `with ${bankOperation} the intermediary is a BIC or a clearing code`);
  if (serviceLevel && model.creditorAccount === undefined) issues.add('creditorAccount', 'C12', `with ${bankOperation} the creditor's account is mandatory`);
  if (serviceLevel && model.creditorAgent.bic === undefined && model.creditorAgent.account === undefined && model.creditorAgent.clearingMemberId === undefined) issues.add('creditorAgent', 'C11', `with ${bankOperation} the creditor agent needs a BIC or a party identifier`);
  if (names.includes('CHQB') && model.creditorAccount !== undefined) issues.add('creditorAccount', 'C13', 'a cheque (CHQB) goes to no account');
  if (model.intermediaryAgent === undefined && names.some((code) => code === 'TELI' || code === 'PHOI')) issues.add('intermediaryAgent', 'C16', 'TELI and PHOI need an intermediary');
}

/** C14 (what each charge bearer allows), C15 (charges need 33B), C18 (71G in the settlement currency). */
function checkCharges(model: CreditTransfer, issues: ModelIssues): void {
  const charges = model.charges ?? [];
  charges.forEach((charge, index) => checkAmount(`charges[${index}].amount`, charge.amount, issues, true));
  const senders = charges.filter((charge) => charge.type !== 'receiver');
  const receivers = charges.filter((charge) => charge.type === 'receiver');
  if (model.chargeBearer === 'DEBT' && senders.length > 0) issues.add('charges', 'C14', 'with DEBT (OUR) no sender\'s charges');
  if (model.chargeBearer !== 'DEBT' && receivers.length > 0) issues.add('charges', 'C14', 'receiver\'s charges only with DEBT (OUR)');
  if (model.chargeBearer === 'CRED' && senders.length === 0) issues.add('charges', 'C14', 'with CRED (BEN) at least one sender\'s charge');
  if (receivers.length > 1) issues.add('charges', 'repeat', 'one receiver\'s charge at most (71G)');
  if (charges.length > 0 && model.instructedAmount === undefined) issues.add('instructedAmount', 'C15', 'charges need the instructed amount (33B)');
  receivers.forEach((charge) => {
    if (charge.amount.currency !== model.settlementAmount.currency) issues.add(`charges[${charges.indexOf(charge)}].amount.currency`, 'C18', 'a receiver\'s charge is in the settlement currency');
  });
}
