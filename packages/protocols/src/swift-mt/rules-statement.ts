/**
 * MT940 and MT950 rules: an 86 of the entry group follows its 61 (MT940 C1), one currency for
 * every balance (C2, stricter than the standard's first two letters, as a statement of one
 * account has one currency), and the subfields of each 61 statement line.
 */
import type { Issue } from '../payment/model';
import { dateIssues, type RuleInput } from './checks';
import { amountFromSwift, firstField } from './fields';
import { matchFormat } from './format';
import { fieldFormats } from './fields';

const balanceTags = new Set(['60F', '60M', '62F', '62M', '64', '65']);

export function statementRules(input: RuleInput): readonly Issue[] {
  const issues: Issue[] = [];
  const fields = input.fields;
  if (input.kind === 'MT940') {
    const closing = fields.findIndex((field) => field.tag === '62F' || field.tag === '62M');
    fields.forEach((field, index) => {
      const inEntries = closing === -1 || index < closing;
      if (field.tag === '86' && inEntries && fields[index - 1]?.tag !== '61') issues.push({ field: '86', rule: 'C1', message: 'an 86 before the closing balance must follow a 61 (C24)' });
    });
  }
  const currencies = new Set(fields.filter((field) => balanceTags.has(field.tag)).map((field) => field.value.slice(7, 10)));
  if (currencies.size > 1) issues.push({ field: '62a', rule: 'C2', message: `the balances are in more than one currency (${[...currencies].join(', ')}) (C27)` });
  const currency = firstField(fields, '60F')?.value.slice(7, 10) ?? firstField(fields, '60M')?.value.slice(7, 10);
  fields.forEach((field, index) => {
    if (field.tag === '61') issues.push(...statementLineIssues(`61[${fields.slice(0, index).filter((other) => other.tag === '61').length}]`, field.value, currency));
  });
  return issues;
}

/** The parts of a 61 the format alone cannot check: its dates, its amount's decimals, its type code. */
function statementLineIssues(name: string, value: string, currency: string | undefined): Issue[] {
  const match = matchFormat(fieldFormats['61'] ?? '', value);
  if (!match.ok) return [];
  const [valueDate = '', entryDate, , , amount = '', typeLetter = '', typeCode = '', reference = ''] = match.parts;
  const issues: Issue[] = dateIssues(name, valueDate);
  if (entryDate !== undefined && dateIssues(name, `${valueDate.slice(0, 2)}${entryDate}`).length > 0 && entryDate !== '0229') issues.push({ field: name, rule: 'date', message: `entry date ${entryDate} is not MMDD` });
  if (currency !== undefined) {
    const parsed = amountFromSwift(amount, currency);
    if (!parsed.ok) issues.push({ field: name, rule: 'amount_decimals', message: `${amount} has more decimals than ${currency} allows` });
  }
  if (!['S', 'N', 'F'].includes(typeLetter)) issues.push({ field: name, rule: 'format', message: `transaction type ${typeLetter}${typeCode} starts with S, N or F (T53)` });
  if (typeLetter === 'S' && !/^\d{3}$/.test(typeCode)) issues.push({ field: name, rule: 'format', message: `after S the type is a message type, three digits (T18)` });
  if (reference.startsWith('/') || reference.endsWith('/')) issues.push({ field: name, rule: 'slash', message: 'the reference for the account owner must not start or end with / (T26)' });
  return issues;
}
