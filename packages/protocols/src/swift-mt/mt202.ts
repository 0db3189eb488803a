/**
 * MT202 and MT202 COV ↔ InstitutionTransfer (COV when the model has `underlying`). Sequence A
 * carries the bank-to-bank leg (52a ordering institution, 53a sender's correspondent, 56a, 57a,
 * 58a beneficiary institution); sequence B of a COV the customer transfer it covers (50a, 52a,
 * 56a, 57a, 59a, 70, 33B). The end-to-end id travels as :21: (the CBPR+ mapping of pacs.009).
 */
import type { Checked, InstitutionTransfer, Issue } from '../payment/model';
import { amountToSwift, dateFromSwift, dateToSwift, fieldOption, firstField } from './fields';
import type { FinMessage, TextField } from './fin';
import { finHeaders, headerFacts, noteAgentBeyondBic, noteCreationTime, userHeaderOf, type FinHeaderOptions } from './headers';
import { checkAccount, checkAgent, checkAmount, checkBic, checkParty, checkReference, checkTransferBasics, isOnlyBic, ModelIssues } from './model-checks';
import { moneyOf, sealed, type Built, type Mapped } from './mt103';
import { agentField, agentFromField, customerField, customerFromField } from './parties';
import { fitLine, joinLines, Notes, wrapText } from './text';
import { validateFin } from './validate';

const lineWidth = 35;
const remittanceLinesMax = 4;
const instructionLinesMax = 6;

export function checkInstitutionTransfer(model: InstitutionTransfer): Issue[] {
  const issues = new ModelIssues();
  checkTransferBasics(model, issues);
  checkReference('relatedReference', model.relatedReference, issues);
  for (const [path, bic] of [
    ['instructingAgent.bic', model.instructingAgent.bic],
    ['instructedAgent.bic', model.instructedAgent.bic],
  ] as const) {
    if (bic === undefined) issues.add(path, 'mandatory', 'the sender and receiver are named by BIC');
    checkBic(path, bic, issues);
  }
  checkAgent('debtor', model.debtor, issues, false);
  checkAgent('creditor', model.creditor, issues, false);
  if (model.debtorAgent !== undefined) checkAgent('debtorAgent', model.debtorAgent, issues, false);
  if (model.intermediaryAgent !== undefined) checkAgent('intermediaryAgent', model.intermediaryAgent, issues, false);
  if (model.creditorAgent !== undefined) checkAgent('creditorAgent', model.creditorAgent, issues, false);
  if (model.intermediaryAgent !== undefined && model.creditorAgent === undefined) issues.add('creditorAgent', 'C1', 'an intermediary (56a) needs the creditor agent (57a)');
  const underlying = model.underlying;
  if (underlying !== undefined) {
    checkParty('underlying.debtor', underlying.debtor, issues);
    checkParty('underlying.creditor', underlying.creditor, issues);
    checkAccount('underlying.debtorAccount', underlying.debtorAccount, issues);
    checkAccount('underlying.creditorAccount', underlying.creditorAccount, issues);
    checkAgent('underlying.debtorAgent', underlying.debtorAgent, issues, false);
    checkAgent('underlying.creditorAgent', underlying.creditorAgent, issues, true);
    if (underlying.intermediaryAgent !== undefined) checkAgent('underlying.intermediaryAgent', underlying.intermediaryAgent, issues, true);
    if (underlying.instructedAmount !== undefined) checkAmount('underlying.instructedAmount', underlying.instructedAmount, issues);
  }
  return issues.list;
}

/** Builds an MT202, or an MT202 COV when the model has an underlying customer transfer. */
export function institutionTransferToMt202(model: InstitutionTransfer, header?: FinHeaderOptions): Checked<Built> {
  const issues = checkInstitutionTransfer(model);
  if (issues.length > 0) return { ok: false, issues };
  const notes = new Notes();
  noteCreationTime(notes);
  noteAgentBeyondBic('instructingAgent', model.instructingAgent, notes);
  noteAgentBeyondBic('instructedAgent', model.instructedAgent, notes);
  if (model.endToEndId !== model.relatedReference) notes.add('endToEndId', 'dropped', 'MT202 carries the related reference (:21:), read back as the end-to-end id');
  if (model.settlementMethod !== 'INDA') notes.add('settlementMethod', 'dropped', `${model.settlementMethod} is not written; the message settles as INDA`);
  const settlement = model.settlementAmount;
  const fields: TextField[] = [
    { tag: '20', value: model.instructionId },
    { tag: '21', value: model.relatedReference },
    { tag: '32A', value: `${dateToSwift(model.settlementDate) ?? ''}${settlement.currency}${amountToSwift(settlement.amountMinor, settlement.currency)}` },
  ];
  if (!isOnlyBic(model.debtor, model.instructingAgent.bic ?? '')) fields.push(agentField('52', model.debtor, ['A', 'D'], 'debtor', notes));
  if (model.debtorAgent !== undefined) fields.push(agentField('53', model.debtorAgent, ['A', 'D'], 'debtorAgent', notes));
  if (model.intermediaryAgent !== undefined) fields.push(agentField('56', model.intermediaryAgent, ['A', 'D'], 'intermediaryAgent', notes));
  if (model.creditorAgent !== undefined) fields.push(agentField('57', model.creditorAgent, ['A', 'D'], 'creditorAgent', notes));
  fields.push(agentField('58', model.creditor, ['A', 'D'], 'creditor', notes));
  if (model.instructionsForNextAgent !== undefined) fields.push({ tag: '72', value: fitted(model.instructionsForNextAgent, 'instructionsForNextAgent', notes).join('\n') });
  if (model.underlying !== undefined) fields.push(...sequenceB(model.underlying, notes));
  const message: FinMessage = {
    ...finHeaders('202', model.instructingAgent.bic ?? '', model.instructedAgent.bic ?? '', header),
    userHeader: userHeaderOf(model, model.underlying === undefined ? undefined : 'COV', notes),
    text: fields,
  };
  return sealed(message, notes);
}

function fitted(lines: readonly string[], path: string, notes: Notes): string[] {
  if (lines.length > instructionLinesMax) notes.add(path, 'truncated', `only ${instructionLinesMax} lines fit in 72`);
  return lines.slice(0, instructionLinesMax).map((line, index) => {
    const fit = fitLine(line, lineWidth);
    if (fit.cut) notes.add(`${path}[${index}]`, 'truncated', `a line of 72 holds ${lineWidth} characters`);
    return fit.line;
  });
}

/** Sequence B: 50a, 52a and 57a always written (a COV names the whole customer chain), 56a, 59a, 70, 33B. */
function sequenceB(underlying: NonNullable<InstitutionTransfer['underlying']>, notes: Notes): TextField[] {
  const path = 'underlying';
  const fields = [customerField('50', underlying.debtor, underlying.debtorAccount, `${path}.debtor`, notes), agentField('52', underlying.debtorAgent, ['A', 'D'], `${path}.debtorAgent`, notes)];
  if (underlying.intermediaryAgent !== undefined) fields.push(agentField('56', underlying.intermediaryAgent, ['A', 'C', 'D'], `${path}.intermediaryAgent`, notes));
  fields.push(agentField('57', underlying.creditorAgent, ['A', 'C', 'D'], `${path}.creditorAgent`, notes));
  fields.push(customerField('59', underlying.creditor, underlying.creditorAccount, `${path}.creditor`, notes));
  if (underlying.remittanceInformation !== undefined) {
    const wrapped = wrapText(underlying.remittanceInformation, lineWidth, remittanceLinesMax);
    if (wrapped.cut) notes.add(`${path}.remittanceInformation`, 'truncated', `70 holds ${remittanceLinesMax} lines of ${lineWidth}`);
    fields.push({ tag: '70', value: wrapped.lines.join('\n') });
  }
  const instructed = underlying.instructedAmount;
  if (instructed !== undefined) fields.push({ tag: '33B', value: `${instructed.currency}${amountToSwift(instructed.amountMinor, instructed.currency)}` });
  return fields;
}

/** Reads a valid MT202 or MT202 COV into the model. */
export function mt202ToInstitutionTransfer(message: FinMessage): Checked<Mapped<InstitutionTransfer>> {
  const issues: Issue[] = validateFin(message);
  if (message.applicationHeader?.messageType !== '202') issues.unshift({ field: 'block2', rule: 'message_type', message: 'not an MT202' });
  if (issues.length > 0) return { ok: false, issues };
  const notes = new Notes();
  const fields = message.text ?? [];
  const split = fields.findIndex((field) => ['50A', '50F', '50K'].includes(field.tag));
  const sequenceA = split === -1 ? fields : fields.slice(0, split);
  const value = (tag: string) => firstField(sequenceA, tag)?.value;
  const reference = value('20') ?? '';
  const related = value('21') ?? '';
  const settlementDate = dateFromSwift(value('32A')?.slice(0, 6) ?? '') ?? '';
  const facts = headerFacts(message, reference, settlementDate, notes);
  const { serviceLevel: _gpi, ...headers } = facts;
  const agent = (number: string, path: string) => {
    const field = fieldOption(sequenceA, number);
    return field === undefined ? undefined : agentFromField(field, path, notes);
  };
  for (const field of sequenceA) if (field.tag === '13C' || field.tag.startsWith('54')) notes.add(field.tag, 'dropped', `field ${field.tag} has no place in the institution transfer model`);
  const debtorAgent = agent('53', 'debtorAgent');
  const intermediaryAgent = agent('56', 'intermediaryAgent');
  const creditorAgent = agent('57', 'creditorAgent');
  const instructions = value('72');
  const model: InstitutionTransfer = {
    ...headers,
    instructionId: reference,
    endToEndId: related,
    relatedReference: related,
    settlementAmount: moneyOf(value('32A')?.slice(6) ?? ''),
    settlementDate,
    settlementMethod: 'INDA',
    debtor: agent('52', 'debtor') ?? facts.instructingAgent,
    ...(debtorAgent === undefined ? {} : { debtorAgent }),
    ...(intermediaryAgent === undefined ? {} : { intermediaryAgent }),
    ...(creditorAgent === undefined ? {} : { creditorAgent }),
    creditor: agent('58', 'creditor') ?? {},
    ...(instructions === undefined ? {} : { instructionsForNextAgent: instructions.split('\n') }),
    ...(split === -1 ? {} : { underlying: readSequenceB(fields.slice(split), facts, notes) }),
  };
  return { ok: true, value: { model, notes: notes.list } };
}

function readSequenceB(fields: readonly TextField[], facts: { readonly instructingAgent: { readonly bic?: string }; readonly instructedAgent: { readonly bic?: string } }, notes: Notes): NonNullable<InstitutionTransfer['underlying']> {
  const path = 'underlying';
  const agent = (number: string, name: string) => {
    const field = fieldOption(fields, number);
    return field === undefined ? undefined : agentFromField(field, `${path}.${name}`, notes);
  };
  const debtor = customerFromField(fieldOption(fields, '50') as TextField, `${path}.debtor`, notes);
  const creditor = customerFromField(fieldOption(fields, '59') as TextField, `${path}.creditor`, notes);
  const intermediaryAgent = agent('56', 'intermediaryAgent');
  const remittance = mapDefined(firstField(fields, '70')?.value, (value) => joinLines(value.split('\n'), lineWidth));
  const instructed = firstField(fields, '33B')?.value;
  if (firstField(fields, '72') !== undefined) notes.add(`${path}.72`, 'dropped', 'sequence B field 72 has no place in the model');
  const debtorAgent = agent('52', 'debtorAgent');
  const creditorAgent = agent('57', 'creditorAgent');
  if (debtorAgent === undefined) notes.add(`${path}.debtorAgent`, 'restructured', 'sequence B has no 52a: the sender stands in');
  if (creditorAgent === undefined) notes.add(`${path}.creditorAgent`, 'restructured', 'sequence B has no 57a: the receiver stands in');
  return {
    debtor: debtor.party,
    ...(debtor.account === undefined ? {} : { debtorAccount: debtor.account }),
    debtorAgent: debtorAgent ?? facts.instructingAgent,
    ...(intermediaryAgent === undefined ? {} : { intermediaryAgent }),
    creditorAgent: creditorAgent ?? facts.instructedAgent,
    creditor: creditor.party,
    ...(creditor.account === undefined ? {} : { creditorAccount: creditor.account }),
    ...(remittance === undefined ? {} : { remittanceInformation: remittance }),
    ...(instructed === undefined ? {} : { instructedAmount: moneyOf(instructed) }),
  };
}

function mapDefined<T, R>(value: T | undefined, map: (value: T) => R): R | undefined {
  return value === undefined ? undefined : map(value);
}
