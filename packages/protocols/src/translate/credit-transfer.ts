/**
 * MT103 ↔ pacs.008, with the credit transfer model in the middle: the MT layer reads and writes
 * the FIN message, the MX layer the envelope; this file adds what the CBPR+ translation rules do
 * between them where one side has a field or a rule the other lacks:
 *
 * - MX to MT: texts outside the X set (./mt-text); EndToEndId NOTPROVIDED is not written as
 *   /ROC/; ChrgsInf become 71G under ChrgBr DEBT and 71F otherwise (and CRED without any gets a
 *   zero 71F, C14); 33B is written from the settlement amount and the charges where C2 or C15
 *   needs it; 36 only with a 33B in another currency (C1); SvcLvl SDVA and CtgyPurp INTC/CORT
 *   become 23E codes; 23E codes go in the standard's order, CHQB not with an account (C13); an
 *   agent MT can name only by option D gets NOTPROVIDED as its name.
 * - MT to MX: 23B other than CRED has no place; 23E codes go to InstrForCdtrAgt (CHQB, HOLD,
 *   PHOB, TELB), SvcLvl (SDVA), CtgyPurp (INTC, CORT) or InstrForNxtAgt (/TELI/…); the charges
 *   lose their 71F/71G type (ChrgBr tells it); 53a/54a/55a are the reimbursement agents of a
 *   COVE settlement (InstgRmbrsmntAgt, InstdRmbrsmntAgt, ThrdRmbrsmntAgt), 53B with an account
 *   alone INDA or INGA (the MT layer reads them); an agent named without a BIC or clearing code
 *   and without address lines gets the line NOTPROVIDED.
 *
 * Then the output is read back and compared with the source model field by field (./shared).
 */
import { dateToSwift } from '../swift-mt/fields';
import { bothInEuEea } from '../swift-mt/model-checks';
import { bankOperationCodesOf23B, creditTransferToMt103, mt103ToCreditTransfer } from '../swift-mt/mt103';
import { clearingCodeOf } from '../swift-mt/parties';
import { instructionCodeOrder } from '../swift-mt/rules-mt103';
import { Notes, truncationMarker } from '../swift-mt/text';
import { parseFin, type FinMessage, type TextField } from '../swift-mt/fin';
import { validateFin } from '../swift-mt/validate';
import { buildPacs008, parsePacs008 } from '../iso20022/pacs008';
import { creditorAgentInstructionCodes } from '../iso20022/pacs008';
import { parseMx } from '../iso20022/mx';
import type { AppHeader } from '../iso20022/message';
import type { Agent, Charge, Checked, CreditTransfer, TranslationNote } from '../payment/model';
import { writableInMt } from './mt-text';
import { readBack, finalNotes, finOfType, isPossibleDuplicate, issue, withPossibleDuplicate, without, type TranslateOptions, type Translation } from './shared';

/** The end-to-end id CBPR+ writes when the debtor gave none; MT writes no /ROC/ for it. */
export const endToEndNotProvided = 'NOTPROVIDED';
/** The name or address line written where MT or MX needs one the other side did not have. */
const notProvided = 'NOTPROVIDED';
/** MT 72: 6 lines of 35. */
const instructionLinesMax = 6;
const instructionLineWidth = 35;
/** 23E codes that are a pacs.008 category purpose. */
const categoryPurposeCodes: readonly string[] = ['INTC', 'CORT'];
const serviceLevelCode = 'SDVA';
/** A numbered line of 50F/59F: `1/` and 33 characters. */
const numberedLineWidth = 35;

/** pacs.008 envelope → MT103 FIN text. */
export function translatePacs008ToMt103(xml: string, options: TranslateOptions = {}): Checked<Translation> {
  const parsed = parseMx(xml);
  if (!parsed.ok) return parsed;
  if (parsed.value.type !== 'pacs.008.001.08') return { ok: false, issues: [issue('Document', 'mx.type', `a ${parsed.value.type}, not a pacs.008`)] };
  return withReadNotes(creditTransferAsMt103(parsed.value.message, parsed.value.header, options), parsed.value.notes);
}

/** What the MX reader did not carry (schema-valid elements the model has no place for) heads the translation's notes. */
export function withReadNotes(translated: Checked<Translation>, read: readonly TranslationNote[]): Checked<Translation> {
  return translated.ok && read.length > 0 ? { ok: true, value: { ...translated.value, notes: [...read, ...translated.value.notes] } } : translated;
}

/** A parsed pacs.008 (model and header) as MT103. */
export function creditTransferAsMt103(source: CreditTransfer, header: AppHeader | undefined, options: TranslateOptions = {}): Checked<Translation> {
  const notes = new Notes();
  if (header?.copyDuplicate !== undefined) notes.add('AppHdr.copyDuplicate', 'dropped', `MT has no copy/duplicate indicator (${header.copyDuplicate})`);
  const model = birthsForMt(agentsForMt(codesForMt(instructedForMt(chargesForMt(endToEndForMt(writableInMt(source, notes), notes), notes), notes), notes), notes), notes);
  const built = creditTransferToMt103(model, options.header);
  if (!built.ok) return built;
  const marked = markCutNames(built.value.message, built.value.notes);
  if (!marked.ok) return marked;
  const output = withPossibleDuplicate(marked.value, header?.possibleDuplicate);
  const fin = readBack(parseFin(output), 'FIN text');
  if (!fin.ok) return fin;
  const again = readBack(mt103ToCreditTransfer(fin.value), 'MT103');
  if (!again.ok) return again;
  return { ok: true, value: { output, notes: finalNotes(source, again.value.model, [...notes.list, ...built.value.notes], 'MT103') } };
}

/**
 * A name cut to the numbered lines of 50F/59F ends with the `+` marker, as the translation rules
 * mark every cut (the MT layer leaves the extra name lines out without it).
 */
function markCutNames(message: FinMessage, notes: readonly TranslationNote[]): Checked<FinMessage> {
  const cut = (path: string) => notes.some((note) => note.field === path && note.kind === 'truncated');
  const text = (message.text ?? []).map((field): TextField => {
    const path = field.tag === '50F' ? 'debtor.name' : field.tag === '59F' ? 'creditor.name' : undefined;
    if (path === undefined || !cut(path)) return field;
    const lines = field.value.split('\n');
    const last = lines.findLastIndex((line) => line.startsWith('1/'));
    const line = lines[last];
    if (line === undefined) return field;
    lines[last] = line.length >= numberedLineWidth ? line.slice(0, -1) + truncationMarker : line + truncationMarker;
    return { ...field, value: lines.join('\n') };
  });
  const marked = { ...message, text };
  const issues = validateFin(marked);
  if (issues.length > 0) return { ok: false, issues: issues.map((entry) => issue(entry.field, `built.${entry.rule}`, `marking a cut name would break the message: ${entry.message}`)) };
  return { ok: true, value: marked };
}

function endToEndForMt(model: CreditTransfer, notes: Notes): CreditTransfer {
  if (model.endToEndId !== endToEndNotProvided) return model;
  notes.add('endToEndId', 'dropped', `${endToEndNotProvided} is not written (no /ROC/ in 70): MT reads the end-to-end id back as the :20: reference`);
  return { ...model, endToEndId: model.instructionId };
}

/** ChrgsInf as 71F (the sender's, ChrgBr CRED or SHAR) or 71G (the receiver's, DEBT: one, in the settlement currency). */
function chargesForMt(model: CreditTransfer, notes: Notes): CreditTransfer {
  const charges = model.charges ?? [];
  const currency = model.settlementAmount.currency;
  if (model.chargeBearer === 'CRED' && charges.length === 0) {
    notes.add('charges', 'restructured', "CRED (BEN) needs a sender's charge in 71F (C14): a zero charge in the settlement currency is written");
    return { ...model, charges: [{ amount: { amountMinor: 0n, currency }, agent: model.instructingAgent, type: 'sender' }] };
  }
  if (charges.length === 0) return model;
  const receivers = model.chargeBearer === 'DEBT';
  let kept: readonly Charge[] = charges;
  if (receivers) {
    const first = charges.find((charge) => charge.amount.currency === currency);
    kept = first === undefined ? [] : [first];
    if (kept.length !== charges.length) notes.add('charges', 'dropped', `with DEBT (OUR) MT carries one receiver's charge (71G) in the settlement currency ${currency} (C18): the others are left out`);
  }
  charges.forEach((charge, index) => {
    if (kept.includes(charge)) notes.add(`charges[${index}].type`, 'restructured', `pacs.008 gives no charge type: under ChrgBr ${model.chargeBearer} it is the ${receivers ? "receiver's (71G)" : "sender's (71F)"}`);
  });
  const typed = kept.map((charge): Charge => ({ ...charge, type: receivers ? 'receiver' : 'sender' }));
  return typed.length === 0 ? without(model, 'charges') : { ...model, charges: typed };
}

/** 33B where C2 (EU/EEA banks) or C15 (charges) needs it; 36 only with a 33B in another currency (C1). */
function instructedForMt(model: CreditTransfer, notes: Notes): CreditTransfer {
  let result = model;
  const charges = model.charges ?? [];
  if (model.instructedAmount === undefined && (charges.length > 0 || bothInEuEea(model.instructingAgent.bic, model.instructedAgent.bic))) {
    const settlement = model.settlementAmount;
    // 32A is 33B less the sender's charges (71F), or 33B plus the receiver's prepaid ones (71G).
    const delta = charges.filter((charge) => charge.amount.currency === settlement.currency).reduce((sum, charge) => sum + (charge.type === 'receiver' ? -charge.amount.amountMinor : charge.amount.amountMinor), 0n);
    const amountMinor = settlement.amountMinor + delta > 0n ? settlement.amountMinor + delta : settlement.amountMinor;
    notes.add('instructedAmount', 'restructured', '33B is mandatory here (C2 between EU/EEA banks, C15 with charges): the settlement amount with the charges stands in');
    result = { ...model, instructedAmount: { amountMinor, currency: settlement.currency } };
  }
  if (result.exchangeRate !== undefined && (result.instructedAmount === undefined || result.instructedAmount.currency === result.settlementAmount.currency)) {
    notes.add('exchangeRate', 'dropped', '36 goes only with a 33B in another currency than 32A (C1)');
    result = without(result, 'exchangeRate');
  }
  return result;
}

function rankOf(code: string): number {
  return instructionCodeOrder.indexOf(code.split('/')[0] ?? '');
}

/** SvcLvl SDVA and CtgyPurp INTC/CORT as 23E codes; the codes once each, in the standard's order; no CHQB with an account (C13). */
function codesForMt(model: CreditTransfer, notes: Notes): CreditTransfer {
  let result = model;
  const codes = [...(model.instructionCodes ?? [])];
  if (model.serviceLevel === serviceLevelCode) {
    notes.add('serviceLevel', 'restructured', `the service level ${serviceLevelCode} is written as 23E ${serviceLevelCode}`);
    codes.push(serviceLevelCode);
    result = without(result, 'serviceLevel');
  }
  if (model.categoryPurpose !== undefined && categoryPurposeCodes.includes(model.categoryPurpose)) {
    notes.add('categoryPurpose', 'restructured', `the category purpose ${model.categoryPurpose} is written as 23E ${model.categoryPurpose}`);
    codes.push(model.categoryPurpose);
    result = without(result, 'categoryPurpose');
  }
  if (codes.length > (model.instructionCodes ?? []).length) notes.add('instructionCodes', 'restructured', `23E ${codes.slice((model.instructionCodes ?? []).length).join(', ')} written from the service level or category purpose`);
  if (result.creditorAccount !== undefined && codes.includes('CHQB')) notes.add('instructionCodes', 'dropped', 'CHQB (pay by cheque) goes to no account (C13): the code is left out, the account kept');
  const kept = [...new Set(codes.filter((code) => result.creditorAccount === undefined || code !== 'CHQB'))].sort((a, b) => rankOf(a) - rankOf(b));
  const original = model.instructionCodes ?? [];
  if (original.some((code, index) => kept[index] !== code) && kept.length > 0) notes.add('instructionCodes', 'restructured', '23E codes are written once each, in the order the standard lists them');
  if (kept.length === 0) return without(result, 'instructionCodes');
  return { ...result, instructionCodes: kept };
}

/** 52a has options A and D only, 56a and 57a also C (a clearing code alone): an agent none of them names gets NOTPROVIDED as its name. */
function agentsForMt(model: CreditTransfer, notes: Notes): CreditTransfer {
  const named = (key: 'debtorAgent' | 'creditorAgent' | 'intermediaryAgent', optionC: boolean): Agent | undefined => {
    const agent = model[key];
    if (agent === undefined || agent.bic !== undefined || agent.name !== undefined) return agent;
    if (optionC && agent.clearingMemberId !== undefined && clearingCodeOf(agent.clearingMemberId.system) !== undefined) return agent;
    notes.add(`${key}.name`, 'restructured', `MT names this agent by option D, which needs a name: ${notProvided} is written`);
    return { ...agent, name: notProvided };
  };
  const intermediaryAgent = named('intermediaryAgent', true);
  return { ...model, debtorAgent: named('debtorAgent', false) ?? model.debtorAgent, creditorAgent: named('creditorAgent', true) ?? model.creditorAgent, ...(intermediaryAgent === undefined ? {} : { intermediaryAgent }) };
}

/**
 * The MT layer checks a birth date as a YYMMDD date (1980–2079) although 50F line 4 writes all
 * eight digits: a birth date outside those years would refuse the whole payment, so it is left
 * out with a note instead.
 */
function birthsForMt(model: CreditTransfer, notes: Notes): CreditTransfer {
  const party = (key: 'debtor' | 'creditor') => {
    const birth = model[key].birth;
    if (birth === undefined || dateToSwift(birth.date) !== undefined) return model[key];
    notes.add(`${key}.birth`, 'dropped', `a birth date before 1980 or after 2079 is refused by the MT layer's checks`);
    return without(model[key], 'birth');
  };
  return { ...model, debtor: party('debtor'), creditor: party('creditor') };
}

/** MT103 FIN text → pacs.008 envelope. */
export function translateMt103ToPacs008(finText: string, options: TranslateOptions = {}): Checked<Translation> {
  const message = finOfType(finText, ['103']);
  if (!message.ok) return message;
  const mapped = mt103ToCreditTransfer(message.value);
  if (!mapped.ok) return mapped;
  const source = mapped.value.model;
  const notes = new Notes();
  let model = addressesForMx(chargesForMx(codesForMx(source, notes), notes), notes);
  // The MT layer's guess at the creation time gives way to the translation's clock when there is one.
  let mappingNotes = mapped.value.notes;
  if (options.creationDateTime !== undefined) {
    mappingNotes = mappingNotes.filter((note) => note.field !== 'creationDateTime');
    notes.add('creationDateTime', 'restructured', 'the time of the translation: an MT input message carries no creation time');
    model = { ...model, creationDateTime: options.creationDateTime };
  }
  const built = buildPacs008(model, isPossibleDuplicate(message.value) ? { possibleDuplicate: true } : {});
  if (!built.ok) return built;
  const again = readBack(parsePacs008(built.value), 'pacs.008');
  if (!again.ok) return again;
  return { ok: true, value: { output: built.value, notes: finalNotes(source, again.value, [...mappingNotes, ...notes.list], 'pacs.008') } };
}

/** 23B and 23E codes to where pacs.008 has them (InstrForCdtrAgt, SvcLvl, CtgyPurp, InstrForNxtAgt). */
function codesForMx(model: CreditTransfer, notes: Notes): CreditTransfer {
  const codes = model.instructionCodes ?? [];
  if (codes.length === 0) return model;
  const kept: string[] = [];
  const nextAgent = [...(model.instructionsForNextAgent ?? [])];
  let serviceLevel = model.serviceLevel;
  let categoryPurpose = model.categoryPurpose;
  codes.forEach((entry, index) => {
    const path = `instructionCodes[${index}]`;
    const [code = '', ...information] = entry.split('/');
    if (bankOperationCodesOf23B.has(code)) notes.add(path, 'dropped', `23B ${code}: a CBPR+ pacs.008 has no bank operation code (CRED is implied)`);
    else if ((creditorAgentInstructionCodes as readonly string[]).includes(code)) {
      kept.push(code);
      if (information.length > 0) notes.add(path, 'truncated', `InstrForCdtrAgt carries the code ${code}; its additional information is not kept`);
    } else if (code === serviceLevelCode && serviceLevel === undefined) {
      serviceLevel = code;
      notes.add(path, 'restructured', `23E ${code} is the service level ${code}`);
    } else if (categoryPurposeCodes.includes(code) && categoryPurpose === undefined) {
      categoryPurpose = code;
      notes.add(path, 'restructured', `23E ${code} is the category purpose ${code}`);
    } else if (nextAgent.length < instructionLinesMax && entry.length + 2 <= instructionLineWidth) {
      nextAgent.push(`/${code}/${information.join('/')}`);
      notes.add(path, 'restructured', `23E ${code} is passed on as an instruction for the next agent`);
    } else notes.add(path, 'dropped', `23E ${code} has no place left in pacs.008`);
  });
  if (kept.length !== codes.length) notes.add('instructionCodes', 'restructured', `pacs.008 keeps ${kept.length === 0 ? 'none of the codes' : kept.join(', ')} as instructions for the creditor agent`);
  if (serviceLevel !== model.serviceLevel) notes.add('serviceLevel', 'restructured', `from 23E ${serviceLevelCode}`);
  if (categoryPurpose !== model.categoryPurpose) notes.add('categoryPurpose', 'restructured', `from 23E ${categoryPurpose ?? ''}`);
  if (nextAgent.length !== (model.instructionsForNextAgent ?? []).length) notes.add('instructionsForNextAgent', 'restructured', 'with the 23E codes pacs.008 has no code for');
  const rest = without(without(without(without(model, 'instructionCodes'), 'instructionsForNextAgent'), 'serviceLevel'), 'categoryPurpose');
  return {
    ...rest,
    ...(kept.length > 0 ? { instructionCodes: kept } : {}),
    ...(nextAgent.length > 0 ? { instructionsForNextAgent: nextAgent } : {}),
    ...(serviceLevel === undefined ? {} : { serviceLevel }),
    ...(categoryPurpose === undefined ? {} : { categoryPurpose }),
  };
}

/** pacs.008 Charges7 has no type: the charge bearer tells whose a charge is. */
function chargesForMx(model: CreditTransfer, notes: Notes): CreditTransfer {
  if (model.charges === undefined) return model;
  model.charges.forEach((charge, index) => {
    if (charge.type !== undefined) notes.add(`charges[${index}].type`, 'dropped', "pacs.008 has no charge type: ChrgBr DEBT makes a charge the receiver's (71G), CRED and SHAR the sender's (71F)");
  });
  return { ...model, charges: model.charges.map((charge) => without(charge, 'type')) };
}

/** CBPR+ wants an agent named without a BIC or clearing id to have an address: option D's name alone gets the line NOTPROVIDED. */
function addressesForMx(model: CreditTransfer, notes: Notes): CreditTransfer {
  const addressed = (key: 'debtorAgent' | 'creditorAgent' | 'intermediaryAgent' | ReimbursementKey): Agent | undefined => {
    const agent = model[key];
    if (agent === undefined || agent.bic !== undefined || agent.clearingMemberId !== undefined || agent.postalAddress !== undefined) return agent;
    notes.add(`${key}.postalAddress`, 'restructured', `an agent named by name alone needs a postal address in CBPR+: the line ${notProvided} is written`);
    return { ...agent, postalAddress: { addressLines: [notProvided] } };
  };
  const intermediaryAgent = addressed('intermediaryAgent');
  const reimbursement = Object.fromEntries(reimbursementKeys.flatMap((key) => mapAgent(addressed(key), (agent) => [key, agent] as const))) as Pick<CreditTransfer, ReimbursementKey>;
  return { ...model, debtorAgent: addressed('debtorAgent') ?? model.debtorAgent, creditorAgent: addressed('creditorAgent') ?? model.creditorAgent, ...(intermediaryAgent === undefined ? {} : { intermediaryAgent }), ...reimbursement };
}

const reimbursementKeys = ['instructingReimbursementAgent', 'instructedReimbursementAgent', 'thirdReimbursementAgent'] as const;
type ReimbursementKey = (typeof reimbursementKeys)[number];

function mapAgent<R>(agent: Agent | undefined, map: (agent: Agent) => R): R[] {
  return agent === undefined ? [] : [map(agent)];
}
