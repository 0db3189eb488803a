/**
 * MT103 ↔ CreditTransfer. The builder checks the model first and builds nothing from a model it
 * refuses; what MT103 cannot carry is returned as notes. The parser validates the message and
 * fills what MT103 has, following the CBPR+ mapping: the end-to-end id is 70's /ROC/ or else the
 * :20:, the message id block 3's 108 or else the :20:.
 *
 * Field 70 is written `/ROC/<end-to-end id>` on the first line (the last five characters of a long
 * id on a second line after `//`, the usual continuation mark, whenever the first line is full),
 * then the remittance information on the lines left; lines are read back by joinLines (./text):
 * a full line runs on into the next, a shorter one ended at a word and a space goes between.
 */
import type { Charge, ChargeBearer, Checked, CreditTransfer, Issue, SettlementMethod, TranslationNote } from '../payment/model';
import { amountFromSwift, amountToSwift, dateFromSwift, dateToSwift, fieldOption, firstField, splitTag } from './fields';
import { buildFin, type FinMessage, type TextField } from './fin';
import { finHeaders, headerFacts, noteAgentBeyondBic, noteCreationTime, userHeaderOf, type FinHeaderOptions } from './headers';
import { checkCreditTransfer } from './mt103-checks';
import { agentField, agentFromField, customerField, customerFromField } from './parties';
import { fitLine, joinLines, Notes, wrapText } from './text';
import { validateFin } from './validate';

export interface Built {
  readonly message: FinMessage;
  readonly text: string;
  readonly notes: readonly TranslationNote[];
}

export interface Mapped<T> {
  readonly model: T;
  /** What the message held that the model does not, or holds differently. */
  readonly notes: readonly TranslationNote[];
}

export const chargeCodes: Readonly<Record<ChargeBearer, string>> = { DEBT: 'OUR', CRED: 'BEN', SHAR: 'SHA' };
export const bankOperationCodesOf23B = new Set(['CRED', 'CRTS', 'SPAY', 'SPRI', 'SSTD']);
const rocPrefix = '/ROC/';
const lineWidth = 35;
const remittanceLinesMax = 4;
const instructionLinesMax = 6;
const regulatoryLinesMax = 3;

export function creditTransferToMt103(model: CreditTransfer, header?: FinHeaderOptions): Checked<Built> {
  const issues = checkCreditTransfer(model);
  if (issues.length > 0) return { ok: false, issues };
  const notes = new Notes();
  noteCreationTime(notes);
  noteAgentBeyondBic('instructingAgent', model.instructingAgent, notes);
  noteAgentBeyondBic('instructedAgent', model.instructedAgent, notes);
  notes.dropIfPresent(
    [
      ['categoryPurpose', model.categoryPurpose],
      ['purpose', model.purpose],
      ['ultimateDebtor', model.ultimateDebtor],
      ['ultimateCreditor', model.ultimateCreditor],
      ['instructionPriority', model.instructionPriority],
      ['secondIntermediaryAgent', model.secondIntermediaryAgent],
      ['thirdIntermediaryAgent', model.thirdIntermediaryAgent],
      // MT103 reads no TxId back (its :20: is the instruction id), even when the two were the same.
      ['transactionId', model.transactionId],
    ],
    'MT103 has no field for it',
  );
  const fields = [...referenceFields(model), ...amountFields(model), ...chainFields(model, notes), ...closingFields(model, notes)];
  const message: FinMessage = { ...finHeaders('103', model.instructingAgent.bic ?? '', model.instructedAgent.bic ?? '', header), userHeader: userHeaderOf(model, undefined, notes), text: fields };
  return sealed(message, notes);
}

/**
 * The built message must pass the validator. A model the checks let through that does not is a
 * gap in the checks, but it is the caller's input all the same: refused with the validator's
 * issues (rule `built.<rule>`), never a throw, so no model can crash a request.
 */
export function sealed(message: FinMessage, notes: Notes): Checked<Built> {
  const issues = validateFin(message);
  if (issues.length > 0) return { ok: false, issues: issues.map((entry) => ({ field: entry.field, rule: `built.${entry.rule}`, message: `the message built from the model would be refused: ${entry.message}` })) };
  return { ok: true, value: { message, text: buildFin(message), notes: notes.list } };
}

function referenceFields(model: CreditTransfer): TextField[] {
  const [first, ...others] = model.instructionCodes ?? [];
  const bankOperation = first !== undefined && bankOperationCodesOf23B.has(first) ? first : 'CRED';
  const codes = first !== undefined && bankOperationCodesOf23B.has(first) ? others : (model.instructionCodes ?? []);
  return [{ tag: '20', value: model.instructionId }, { tag: '23B', value: bankOperation }, ...codes.map((code) => ({ tag: '23E', value: code }))];
}

function amountFields(model: CreditTransfer): TextField[] {
  const settlement = model.settlementAmount;
  const fields: TextField[] = [{ tag: '32A', value: `${dateToSwift(model.settlementDate) ?? ''}${settlement.currency}${amountToSwift(settlement.amountMinor, settlement.currency)}` }];
  if (model.instructedAmount !== undefined) fields.push({ tag: '33B', value: `${model.instructedAmount.currency}${amountToSwift(model.instructedAmount.amountMinor, model.instructedAmount.currency)}` });
  if (model.exchangeRate !== undefined) fields.push({ tag: '36', value: rateToSwift(model.exchangeRate) });
  return fields;
}

/** "1.2500" → "1,25"; MT writes a rate with a decimal comma. */
export function rateToSwift(rate: string): string {
  const [whole = '', fraction = ''] = rate.split('.');
  return `${whole.replace(/^0+(?=\d)/, '')},${fraction.replace(/0+$/, '')}`;
}

export function rateFromSwift(text: string): string {
  const [whole = '', fraction = ''] = text.split(',');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** 50a, 52a (left out when it is the sender), 53a 54a 55a, 56a, 57a (left out when it is the receiver and may be), 59a. */
function chainFields(model: CreditTransfer, notes: Notes): TextField[] {
  const fields = [customerField('50', model.debtor, model.debtorAccount, 'debtor', notes)];
  if (model.debtorAccount !== undefined && model.debtor.bic === undefined && fields[0]?.tag === '50F' && !fields[0].value.startsWith('/')) notes.add('debtorAccount', 'dropped', '50F carries the identifier');
  if (!onlyBic(model.debtorAgent, model.instructingAgent.bic)) fields.push(agentField('52', model.debtorAgent, ['A', 'D'], 'debtorAgent', notes));
  fields.push(...reimbursementFields(model, notes));
  if (model.intermediaryAgent !== undefined) fields.push(agentField('56', model.intermediaryAgent, ['A', 'C', 'D'], 'intermediaryAgent', notes));
  const codes = model.instructionCodes ?? [];
  const needs57 = model.intermediaryAgent !== undefined || codes.some((code) => code.startsWith('TELE') || code.startsWith('PHON'));
  if (needs57 || !onlyBic(model.creditorAgent, model.instructedAgent.bic)) fields.push(agentField('57', model.creditorAgent, ['A', 'C', 'D'], 'creditorAgent', notes));
  fields.push(customerField('59', model.creditor, model.creditorAccount, 'creditor', notes));
  return fields;
}

/**
 * 53a, 54a, 55a from the reimbursement agents of a COVE settlement, options A, B, D (C4–C8: with
 * SPRI, SSTD, SPAY 53a not D, 54a and 55a A only). INDA and INGA settle on the account between
 * sender and receiver: no correspondent field (the model has no settlement account for a 53B).
 */
function reimbursementFields(model: CreditTransfer, notes: Notes): TextField[] {
  const agents = [
    ['53', 'instructingReimbursementAgent', model.instructingReimbursementAgent],
    ['54', 'instructedReimbursementAgent', model.instructedReimbursementAgent],
    ['55', 'thirdReimbursementAgent', model.thirdReimbursementAgent],
  ] as const;
  if (model.settlementMethod !== 'COVE') {
    if (model.settlementMethod === 'CLRG') notes.add('settlementMethod', 'dropped', 'MT103 has no clearing settlement: the message settles as INDA (the receiver debits the sender\'s account)');
    notes.dropIfPresent(agents.map(([, path, agent]) => [path, agent] as const), `reimbursement agents go with settlement method COVE only; ${model.settlementMethod} settles between sender and receiver`);
    return [];
  }
  if (agents.every(([, , agent]) => agent === undefined)) notes.add('settlementMethod', 'dropped', 'COVE without a reimbursement agent has no 53a/54a to name: the message settles as INDA');
  const serviceLevel = ['SPRI', 'SSTD', 'SPAY'].includes(model.instructionCodes?.[0] ?? '');
  return agents.flatMap(([number, path, agent]) => (agent === undefined ? [] : [agentField(number, agent, serviceLevel ? (number === '53' ? ['A', 'B'] : ['A']) : ['A', 'B', 'D'], path, notes)]));
}

function onlyBic(agent: { readonly bic?: string }, bic: string | undefined): boolean {
  return agent.bic === bic && Object.keys(agent).length === 1;
}

/** 70, 71A, 71F, 71G, 72, 77B. */
function closingFields(model: CreditTransfer, notes: Notes): TextField[] {
  const fields: TextField[] = [];
  const remittance = remittanceLines(model.endToEndId !== model.instructionId || (model.remittanceInformation?.startsWith(rocPrefix) ?? false) ? model.endToEndId : undefined, model.remittanceInformation, notes);
  if (remittance.length > 0) fields.push({ tag: '70', value: remittance.join('\n') });
  fields.push({ tag: '71A', value: chargeCodes[model.chargeBearer] });
  fields.push(...chargeFields(model, notes));
  const instructions = instructionLines(model, notes);
  if (instructions.length > 0) fields.push({ tag: '72', value: instructions.join('\n') });
  if (model.regulatoryReporting !== undefined) fields.push({ tag: '77B', value: fittedLines(model.regulatoryReporting, regulatoryLinesMax, 'regulatoryReporting', notes).join('\n') });
  return fields;
}

export function remittanceLines(endToEndId: string | undefined, remittance: string | undefined, notes: Notes): string[] {
  const lines: string[] = [];
  if (endToEndId !== undefined) {
    const text = rocPrefix + endToEndId;
    lines.push(text.slice(0, lineWidth));
    if (text.length >= lineWidth) lines.push(`//${text.slice(lineWidth)}`);
  }
  if (remittance !== undefined) {
    const wrapped = wrapText(remittance, lineWidth, remittanceLinesMax - lines.length, lines.length > 0);
    if (wrapped.cut) notes.add('remittanceInformation', 'truncated', `70 holds ${remittanceLinesMax} lines of ${lineWidth}${endToEndId === undefined ? '' : ', the first for /ROC/'}`);
    lines.push(...wrapped.lines);
  }
  return lines;
}

/** The end-to-end id and remittance information of a 70 (and the :20: when 70 has no /ROC/). */
export function readRemittance(value: string | undefined, reference: string): { readonly endToEndId: string; readonly remittance?: string } {
  const lines = value === undefined ? [] : value.split('\n');
  let endToEndId = reference;
  let from = 0;
  const first = lines[0] ?? '';
  if (first.startsWith(rocPrefix)) {
    endToEndId = first.slice(rocPrefix.length);
    from = 1;
    if (first.length === lineWidth && lines[1]?.startsWith('//')) {
      endToEndId += lines[1].slice(2);
      from = 2;
    }
  }
  const remittance = joinLines(lines.slice(from), lineWidth, from > 0);
  return { endToEndId, ...(remittance === '' ? {} : { remittance }) };
}

function chargeFields(model: CreditTransfer, notes: Notes): TextField[] {
  return (model.charges ?? []).map((charge, index) => {
    const expected = charge.type === 'receiver' ? model.instructedAgent.bic : model.instructingAgent.bic;
    if (charge.agent.bic !== expected || Object.keys(charge.agent).length !== 1) notes.add(`charges[${index}].agent`, 'dropped', `71${charge.type === 'receiver' ? 'G' : 'F'} carries the amount only; read back as the ${charge.type === 'receiver' ? 'receiver' : 'sender'}'s`);
    if (charge.type === undefined) notes.add(`charges[${index}].type`, 'restructured', 'a charge without a type is written as a sender\'s charge (71F)');
    return { tag: charge.type === 'receiver' ? '71G' : '71F', value: `${charge.amount.currency}${amountToSwift(charge.amount.amountMinor, charge.amount.currency)}` };
  });
}

function instructionLines(model: CreditTransfer, notes: Notes): string[] {
  const lines: string[] = [];
  const previous = model.previousInstructingAgent;
  if (previous?.bic !== undefined) lines.push(`/INS/${previous.bic}`);
  if (previous !== undefined && (previous.bic === undefined || Object.keys(previous).length > 1)) notes.add('previousInstructingAgent', 'dropped', '72 /INS/ carries a BIC only');
  lines.push(...fittedLines(model.instructionsForNextAgent ?? [], instructionLinesMax - lines.length, 'instructionsForNextAgent', notes));
  return lines;
}

function fittedLines(lines: readonly string[], linesMax: number, path: string, notes: Notes): string[] {
  if (lines.length > linesMax) notes.add(path, 'truncated', `only ${linesMax} lines fit`);
  return lines.slice(0, linesMax).map((line, index) => {
    const fitted = fitLine(line, lineWidth);
    if (fitted.cut) notes.add(`${path}[${index}]`, 'truncated', `a line holds ${lineWidth} characters`);
    return fitted.line;
  });
}

/** Reads a valid MT103 into the model; a message the validator refuses is refused with its issues. */
export function mt103ToCreditTransfer(message: FinMessage): Checked<Mapped<CreditTransfer>> {
  const issues: Issue[] = validateFin(message);
  if (message.applicationHeader?.messageType !== '103') issues.unshift({ field: 'block2', rule: 'message_type', message: 'not an MT103' });
  if (issues.length > 0) return { ok: false, issues };
  const notes = new Notes();
  const fields = message.text ?? [];
  const value = (tag: string) => firstField(fields, tag)?.value;
  const reference = value('20') ?? '';
  const settlement = moneyOf(value('32A')?.slice(6) ?? '');
  const settlementDate = dateFromSwift(value('32A')?.slice(0, 6) ?? '') ?? '';
  const facts = headerFacts(message, reference, settlementDate, notes);
  noteUnmapped(fields, notes);
  const debtor = customerFromField(fieldOption(fields, '50') as TextField, 'debtor', notes);
  const creditor = customerFromField(fieldOption(fields, '59') as TextField, 'creditor', notes);
  const remittance = readRemittance(value('70'), reference);
  const intermediary = fieldOption(fields, '56');
  const instructed = value('33B');
  const rate = value('36');
  const codes = [value('23B') ?? 'CRED', ...fields.filter((field) => field.tag === '23E').map((field) => field.value)];
  const chargeBearer = (Object.entries(chargeCodes).find(([, code]) => code === value('71A'))?.[0] ?? 'SHAR') as ChargeBearer;
  const charges = chargesOf(fields, facts);
  const { previous, instructions } = readInstructions(value('72'));
  const model: CreditTransfer = {
    ...facts,
    instructionId: reference,
    endToEndId: remittance.endToEndId,
    ...(codes[0] === 'CRED' ? (codes.length > 1 ? { instructionCodes: codes.slice(1) } : {}) : { instructionCodes: codes }),
    settlementAmount: settlement,
    settlementDate,
    ...reimbursementOf(fields, notes),
    ...(instructed === undefined ? {} : { instructedAmount: moneyOf(instructed) }),
    ...(rate === undefined ? {} : { exchangeRate: rateFromSwift(rate) }),
    chargeBearer,
    ...(charges.length > 0 ? { charges } : {}),
    ...(previous === undefined ? {} : { previousInstructingAgent: previous }),
    ...(intermediary === undefined ? {} : { intermediaryAgent: agentFromField(intermediary, 'intermediaryAgent', notes) }),
    debtor: debtor.party,
    ...(debtor.account === undefined ? {} : { debtorAccount: debtor.account }),
    debtorAgent: agentOr(fields, '52', 'debtorAgent', facts.instructingAgent, notes),
    creditorAgent: agentOr(fields, '57', 'creditorAgent', facts.instructedAgent, notes),
    creditor: creditor.party,
    ...(creditor.account === undefined ? {} : { creditorAccount: creditor.account }),
    ...(instructions.length > 0 ? { instructionsForNextAgent: instructions } : {}),
    ...(remittance.remittance === undefined ? {} : { remittanceInformation: remittance.remittance }),
    ...(value('77B') === undefined ? {} : { regulatoryReporting: (value('77B') ?? '').split('\n') }),
  };
  return { ok: true, value: { model, notes: notes.list } };
}

/** `EUR1234,5` as an amount (the validator has checked it). */
export function moneyOf(text: string): { readonly amountMinor: bigint; readonly currency: string } {
  const currency = text.slice(0, 3);
  const parsed = amountFromSwift(text.slice(3), currency);
  return { amountMinor: parsed.ok ? parsed.amountMinor : 0n, currency };
}

export function agentOr(fields: readonly TextField[], number: string, path: string, fallback: { readonly bic?: string }, notes: Notes, sequence?: readonly TextField[]): { readonly bic?: string } {
  const field = fieldOption(sequence ?? fields, number);
  return field === undefined ? fallback : agentFromField(field, path, notes);
}

function chargesOf(fields: readonly TextField[], facts: { readonly instructingAgent: { readonly bic?: string }; readonly instructedAgent: { readonly bic?: string } }): Charge[] {
  return fields
    .filter((field) => field.tag === '71F' || field.tag === '71G')
    .map((field) => ({ amount: moneyOf(field.value), agent: field.tag === '71G' ? facts.instructedAgent : facts.instructingAgent, type: field.tag === '71G' ? 'receiver' : 'sender' }));
}

export function readInstructions(value: string | undefined): { readonly previous?: { readonly bic: string }; readonly instructions: string[] } {
  const lines = value === undefined ? [] : value.split('\n');
  const first = lines[0];
  const previous = first === undefined ? null : /^\/INS\/([A-Z0-9]{8}(?:[A-Z0-9]{3})?)$/.exec(first);
  if (previous === null) return { instructions: lines };
  return { previous: { bic: previous[1] ?? '' }, instructions: lines.slice(1) };
}

/**
 * The settlement, as the MT to MX translation rules read 53a/54a/55a: none of them is INDA (the
 * receiver debits the sender's account); 53B with a party identifier alone (and no 54a) names the
 * account between the two: /C/ (the sender credits the receiver's account with it) is INGA, /D/ or
 * no mark (the receiver debits the sender's account) INDA, the account itself not kept (the model
 * has no settlement account); otherwise COVE through the reimbursement agents 53a, 54a, 55a.
 */
function reimbursementOf(fields: readonly TextField[], notes: Notes): Pick<CreditTransfer, 'settlementMethod' | 'instructingReimbursementAgent' | 'instructedReimbursementAgent' | 'thirdReimbursementAgent'> {
  const field53 = fieldOption(fields, '53');
  const field54 = fieldOption(fields, '54');
  const field55 = fieldOption(fields, '55');
  if (field53 === undefined && field54 === undefined) {
    if (field55 !== undefined) notes.add(field55.tag, 'dropped', `${field55.tag} without 53a and 54a has no place`);
    return { settlementMethod: 'INDA' };
  }
  const accountOnly = field53?.tag === '53B' && !field53.value.includes('\n') && field53.value.startsWith('/');
  if (field53 !== undefined && accountOnly && field54 === undefined) {
    const method: SettlementMethod = field53.value.startsWith('/C/') ? 'INGA' : 'INDA';
    notes.add('settlementMethod', 'restructured', `53B ${field53.value} names the account between sender and receiver: ${method}${method === 'INGA' ? " (the sender credits the receiver's account)" : " (the receiver debits the sender's account)"}; the account itself has no place in the model`);
    if (field55 !== undefined) notes.add(field55.tag, 'dropped', `${field55.tag} without 54a has no place`);
    return { settlementMethod: method };
  }
  const instructing = field53 === undefined || accountOnly ? undefined : agentFromField(field53, 'instructingReimbursementAgent', notes);
  if (field53 !== undefined && accountOnly) notes.add('instructingReimbursementAgent', 'dropped', `53B ${field53.value} (an account, no bank) has no place with 54a`);
  const instructed = field54 === undefined ? undefined : agentFromField(field54, 'instructedReimbursementAgent', notes);
  const third = field55 === undefined ? undefined : agentFromField(field55, 'thirdReimbursementAgent', notes);
  return {
    settlementMethod: 'COVE',
    ...(instructing === undefined ? {} : { instructingReimbursementAgent: instructing }),
    ...(instructed === undefined ? {} : { instructedReimbursementAgent: instructed }),
    ...(third === undefined ? {} : { thirdReimbursementAgent: third }),
  };
}

function noteUnmapped(fields: readonly TextField[], notes: Notes): void {
  for (const field of fields) {
    const { number } = splitTag(field.tag);
    if (['13', '26', '51'].includes(number) || field.tag === '77T') notes.add(field.tag, 'dropped', `field ${field.tag} has no place in the credit transfer model`);
  }
}
