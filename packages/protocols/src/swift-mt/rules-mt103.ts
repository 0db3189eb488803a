/**
 * MT103's network-validated rules C1–C18, numbered as the standard numbers them, each with the
 * error code the network answers with; the field codes of 23B and 23E; and the MT103 STP
 * ({119:STP}) option restrictions.
 */
import type { Issue } from '../payment/model';
import type { RuleInput } from './checks';
import { countryOfBic, fieldOption, fieldsWithNumber, firstField, splitTag } from './fields';
import { bicOfLogicalTerminal, receiverLogicalTerminal, senderLogicalTerminal, userHeaderValue, type TextField } from './fin';

/** The EU/EEA country codes of C2 (SWIFT's list, which includes the territories that share the rules). */
export const euEeaCountries: ReadonlySet<string> = new Set(
  'AD AT BE BG BV CH CY CZ DE DK EE ES FI FR GB GF GI GP GR HR HU IE IS IT LI LT LU LV MC MQ MT NL NO PL PM PT RE RO SE SI SJ SK SM TF VA'.split(' '),
);
export const bankOperationCodes: readonly string[] = ['CRED', 'CRTS', 'SPAY', 'SPRI', 'SSTD'];
/** 23E codes in the order the standard wants them when several are present (D98). */
export const instructionCodeOrder: readonly string[] = ['SDVA', 'INTC', 'REPA', 'CORT', 'HOLD', 'CHQB', 'PHOB', 'TELB', 'PHON', 'TELE', 'PHOI', 'TELI'];
/** Codes that may carry additional information after a slash (D97). */
const codesWithInformation = new Set(['PHON', 'PHOB', 'PHOI', 'TELE', 'TELB', 'TELI', 'HOLD', 'REPA']);
const serviceLevelCodes = new Set(['SPRI', 'SSTD', 'SPAY']);

interface Mt103View {
  readonly fields: readonly TextField[];
  readonly bankOperation: string;
  readonly instructionCodes: readonly string[];
  readonly option: (number: string) => string | undefined;
  readonly has: (number: string) => boolean;
}

function view(fields: readonly TextField[]): Mt103View {
  const option = (number: string) => {
    const field = fieldOption(fields, number);
    return field === undefined ? undefined : splitTag(field.tag).letter;
  };
  return {
    fields,
    bankOperation: firstField(fields, '23B')?.value ?? '',
    instructionCodes: fieldsWithNumber(fields, '23').filter((field) => field.tag === '23E').map((field) => field.value.split('/')[0] ?? ''),
    option,
    has: (number) => option(number) !== undefined,
  };
}

function issue(field: string, rule: string, message: string): Issue {
  return { field, rule, message };
}

export function mt103Rules(input: RuleInput): readonly Issue[] {
  const message = view(input.fields);
  return [
    ...currencyRules(message, input),
    ...serviceLevelRules(message),
    ...chainRules(message),
    ...accountRules(message),
    ...chargeRules(message),
    ...codeRules(message),
    ...(userHeaderValue(input.message, '119') === 'STP' ? stpRules(message) : []),
    ...remitRules(message, userHeaderValue(input.message, '119') === 'REMIT'),
  ];
}

/** MT103 REMIT ({119:REMIT}): 77T is mandatory and 70 not allowed; 77T only in the REMIT variant. */
function remitRules(message: Mt103View, remit: boolean): Issue[] {
  const envelope = message.fields.some((field) => field.tag === '77T');
  if (!remit) return envelope ? [issue('77T', 'remit', 'field 77T is allowed only in MT103 REMIT ({119:REMIT})')] : [];
  const issues: Issue[] = [];
  if (!envelope) issues.push(issue('77T', 'remit', 'MT103 REMIT ({119:REMIT}) needs field 77T'));
  if (message.has('70')) issues.push(issue('70', 'remit', 'MT103 REMIT ({119:REMIT}) does not allow field 70 (the remittance is in 77T)'));
  return issues;
}

/** C1, C2. */
function currencyRules(message: Mt103View, input: RuleInput): Issue[] {
  const issues: Issue[] = [];
  const settlement = firstField(message.fields, '32A')?.value.slice(6, 9);
  const instructed = firstField(message.fields, '33B')?.value.slice(0, 3);
  const rate = firstField(message.fields, '36');
  const needsRate = instructed !== undefined && instructed !== settlement;
  if (needsRate && rate === undefined) issues.push(issue('36', 'C1', 'field 36 is mandatory when 33B has another currency than 32A (D75)'));
  if (!needsRate && rate !== undefined) issues.push(issue('36', 'C1', 'field 36 is not allowed unless 33B has another currency than 32A (D75)'));
  const sender = countryOfBic(bicOfLogicalTerminal(senderLogicalTerminal(input.message)));
  const receiverTerminal = receiverLogicalTerminal(input.message);
  const receiver = receiverTerminal === undefined ? '' : countryOfBic(receiverTerminal);
  if (euEeaCountries.has(sender) && euEeaCountries.has(receiver) && instructed === undefined) {
    issues.push(issue('33B', 'C2', `field 33B is mandatory between EU/EEA countries (${sender} to ${receiver}) (D49)`));
  }
  return issues;
}

/** C3–C6, C8, C10–C12: what SPRI, SSTD and SPAY restrict. */
function serviceLevelRules(message: Mt103View): Issue[] {
  const code = message.bankOperation;
  if (!serviceLevelCodes.has(code)) return [];
  const issues: Issue[] = [];
  const spriCodes = ['SDVA', 'TELB', 'PHOB', 'INTC'];
  if (code === 'SPRI' && message.instructionCodes.some((instruction) => !spriCodes.includes(instruction))) issues.push(issue('23E', 'C3', 'with 23B SPRI, 23E may contain only SDVA, TELB, PHOB or INTC (E01)'));
  if (code !== 'SPRI' && message.instructionCodes.length > 0) issues.push(issue('23E', 'C3', `with 23B ${code}, field 23E is not allowed (E02)`));
  if (message.option('53') === 'D') issues.push(issue('53D', 'C4', `with 23B ${code}, field 53a must not use option D (E03)`));
  const field53 = fieldOption(message.fields, '53');
  if (field53?.tag === '53B' && !field53.value.startsWith('/')) issues.push(issue('53B', 'C5', `with 23B ${code}, 53B must carry the party identifier (E04)`));
  const option54 = message.option('54');
  if (option54 !== undefined && option54 !== 'A') issues.push(issue(`54${option54}`, 'C6', `with 23B ${code}, field 54a may use option A only (E05)`));
  const option55 = message.option('55');
  if (option55 !== undefined && option55 !== 'A') issues.push(issue(`55${option55}`, 'C8', `with 23B ${code}, field 55a may use option A only (E07)`));
  const option56 = message.option('56');
  if (code === 'SPRI' && option56 !== undefined) issues.push(issue(`56${option56}`, 'C10', 'with 23B SPRI, field 56a is not allowed (E16)'));
  if (code !== 'SPRI' && option56 !== undefined && option56 !== 'A' && option56 !== 'C') issues.push(issue(`56${option56}`, 'C10', `with 23B ${code}, field 56a may use option A or C only (E17)`));
  const field57 = fieldOption(message.fields, '57');
  const option57 = message.option('57');
  if (option57 === 'B') issues.push(issue('57B', 'C11', `with 23B ${code}, field 57a may use option A, C or D only (E09)`));
  if (field57?.tag === '57D' && !field57.value.startsWith('/')) issues.push(issue('57D', 'C11', `with 23B ${code}, 57D must carry the party identifier (E09)`));
  const field59 = fieldOption(message.fields, '59');
  if (field59 !== undefined && !field59.value.startsWith('/')) issues.push(issue(field59.tag, 'C12', `with 23B ${code}, the account of field 59a is mandatory (E10)`));
  return issues;
}

/** C7, C9, C16, C17: fields that need the ones that come before them in the chain. */
function chainRules(message: Mt103View): Issue[] {
  const issues: Issue[] = [];
  if (message.has('55') && !(message.has('53') && message.has('54'))) issues.push(issue('55a', 'C7', 'field 55a needs both 53a and 54a (E06)'));
  if (message.has('56') && !message.has('57')) issues.push(issue('57a', 'C9', 'field 57a is mandatory when 56a is present (C81)'));
  if (!message.has('56') && message.instructionCodes.some((code) => code === 'TELI' || code === 'PHOI')) issues.push(issue('23E', 'C16', '23E TELI or PHOI needs an intermediary in 56a (E44)'));
  if (!message.has('57') && message.instructionCodes.some((code) => code === 'TELE' || code === 'PHON')) issues.push(issue('23E', 'C17', '23E TELE or PHON needs an account with institution in 57a (E45)'));
  return issues;
}

/** C13. */
function accountRules(message: Mt103View): Issue[] {
  const field59 = fieldOption(message.fields, '59');
  if (message.instructionCodes.includes('CHQB') && field59 !== undefined && field59.value.startsWith('/')) {
    return [issue(field59.tag, 'C13', 'with 23E CHQB, field 59a must not carry an account (E18)')];
  }
  return [];
}

/** C14, C15, C18. */
function chargeRules(message: Mt103View): Issue[] {
  const issues: Issue[] = [];
  const details = firstField(message.fields, '71A')?.value;
  const senders = message.fields.filter((field) => field.tag === '71F');
  const receivers = firstField(message.fields, '71G');
  if (details !== undefined && !['OUR', 'SHA', 'BEN'].includes(details)) issues.push(issue('71A', 'format', `71A ${details} is not OUR, SHA or BEN`));
  if (details === 'OUR' && senders.length > 0) issues.push(issue('71F', 'C14', 'with 71A OUR, field 71F is not allowed (E13)'));
  if (details === 'SHA' && receivers !== undefined) issues.push(issue('71G', 'C14', 'with 71A SHA, field 71G is not allowed (D50)'));
  if (details === 'BEN' && senders.length === 0) issues.push(issue('71F', 'C14', 'with 71A BEN, at least one 71F is mandatory (E15)'));
  if (details === 'BEN' && receivers !== undefined) issues.push(issue('71G', 'C14', 'with 71A BEN, field 71G is not allowed (E15)'));
  if ((senders.length > 0 || receivers !== undefined) && firstField(message.fields, '33B') === undefined) issues.push(issue('33B', 'C15', 'field 33B is mandatory when 71F or 71G is present (D51)'));
  const settlement = firstField(message.fields, '32A')?.value.slice(6, 9);
  if (receivers !== undefined && receivers.value.slice(0, 3) !== settlement) issues.push(issue('71G', 'C18', 'the currency of 71G must be the currency of 32A (C02)'));
  return issues;
}

/** 23B's code list (T36), 23E's codes (T47), their order (D98), repetition (E46) and additional information (D97). */
function codeRules(message: Mt103View): Issue[] {
  const issues: Issue[] = [];
  if (message.bankOperation !== '' && !bankOperationCodes.includes(message.bankOperation)) issues.push(issue('23B', 'code', `23B ${message.bankOperation} is not one of ${bankOperationCodes.join(', ')} (T36)`));
  const seen = new Set<string>();
  let last = -1;
  for (const field of message.fields.filter((candidate) => candidate.tag === '23E')) {
    const [code = '', information] = splitOnce(field.value, '/');
    const rank = instructionCodeOrder.indexOf(code);
    if (rank === -1) issues.push(issue('23E', 'code', `23E ${code} is not an instruction code (T47)`));
    if (seen.has(code)) issues.push(issue('23E', 'code', `23E ${code} is repeated (E46)`));
    if (rank !== -1 && rank < last) issues.push(issue('23E', 'order', `23E ${code} must come before the codes above it (D98)`));
    if (information !== undefined && !codesWithInformation.has(code)) issues.push(issue('23E', 'code', `23E ${code} takes no additional information (D97)`));
    seen.add(code);
    last = Math.max(last, rank);
  }
  return issues;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** MT103 STP: the options the straight-through variant allows, and its 23E codes. */
function stpRules(message: Mt103View): Issue[] {
  const issues: Issue[] = [];
  const allowed: Readonly<Record<string, readonly string[]>> = { '52': ['A'], '53': ['A', 'B'], '54': ['A'], '55': ['A'], '56': ['A'], '57': ['A'] };
  for (const [number, options] of Object.entries(allowed)) {
    const option = message.option(number);
    if (option !== undefined && !options.includes(option)) issues.push(issue(`${number}${option}`, 'stp', `MT103 STP allows field ${number}a only with option ${options.join(' or ')}`));
  }
  if (message.has('51')) issues.push(issue('51A', 'stp', 'MT103 STP does not allow field 51A'));
  const stpCodes = ['CORT', 'INTC', 'SDVA', 'REPA'];
  if (message.instructionCodes.some((code) => !stpCodes.includes(code))) issues.push(issue('23E', 'stp', `MT103 STP allows 23E only with ${stpCodes.join(', ')}`));
  return issues;
}
