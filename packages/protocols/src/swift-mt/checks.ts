/**
 * What the validator and the rules of each message type share: the kinds, the rule signature, and
 * the checks of dates, marks and amounts every balance and amount field needs.
 */
import type { Issue } from '../payment/model';
import { amountFromSwift, dateFromSwift, knownCurrency } from './fields';
import type { FinMessage, TextField } from './fin';
import type { PlacedField } from './structure';

export type MessageKind = 'MT103' | 'MT202' | 'MT202COV' | 'MT940' | 'MT950';

export interface RuleInput {
  readonly message: FinMessage;
  readonly kind: MessageKind;
  readonly fields: readonly TextField[];
  readonly placed: readonly PlacedField[];
}

export type Rules = (input: RuleInput) => readonly Issue[];

export function dateIssues(name: string, text: string): Issue[] {
  return dateFromSwift(text) === undefined ? [{ field: name, rule: 'date', message: `${text} is not a date YYMMDD` }] : [];
}

export function markIssues(name: string, mark: string): Issue[] {
  return mark === 'D' || mark === 'C' ? [] : [{ field: name, rule: 'format', message: `debit/credit mark ${mark} is not D or C` }];
}

/** The currency is ISO 4217 and the amount has no more decimals than it allows (SWIFT C03, T52, T40/T43). */
export function amountIssues(name: string, currency: string, amount: string): Issue[] {
  if (!knownCurrency(currency)) return [{ field: name, rule: 'currency', message: `${currency} is not an ISO 4217 currency` }];
  const parsed = amountFromSwift(amount, currency);
  if (!parsed.ok) return [{ field: name, rule: parsed.error === 'amount_too_precise' ? 'amount_decimals' : 'amount', message: `${amount} has more decimals than ${currency} allows or is malformed` }];
  return [];
}
