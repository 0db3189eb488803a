/**
 * What a model must hold before an MT message is built from it. Each refusal names the model path
 * (`creditor.name`, `settlementAmount.currency`) and the rule; the MT network rules a model could
 * break (C1, C2, C14, …) are checked here too, so a message is never built only to be refused.
 * What MT merely cannot carry is not refused: the builder notes it.
 */
import type { AccountId, Agent, Amount, Issue, Party } from '../payment/model';
import { amountToSwift, bicPattern, countryOfBic, dateToSwift, knownCurrency, uetrPattern } from './fields';
import { firstNonXCharacter } from './format';
import { clearingCodeOf } from './parties';
import { euEeaCountries } from './rules-mt103';

/** The longest amount SWIFT's 15d holds, the comma included. */
export const swiftAmountLengthMax = 15;
/** 36's 12d. */
const exchangeRateLengthMax = 12;
/** MX's longest text (Max35Text for ids; names are 140, remittance 140 in CBPR+). */
const idLengthMax = 35;
const referenceLengthMax = 16;
/** Nested deeper than this a model is not a payment: the walk stops. */
const modelDepthMax = 8;

export class ModelIssues {
  readonly list: Issue[] = [];

  add(field: string, rule: string, message: string): void {
    this.list.push({ field, rule, message });
  }
}

/** Every string of the model in the SWIFT X set, on one line, and not empty. */
export function checkTexts(value: unknown, path: string, issues: ModelIssues, depth = 0): void {
  if (depth > modelDepthMax) return;
  if (typeof value === 'string') {
    const bad = firstNonXCharacter(value) ?? (value.includes('\n') ? '\n' : undefined);
    if (bad !== undefined) issues.add(path, 'charset_x', `character ${JSON.stringify(bad)} is outside the SWIFT X character set (or breaks the line)`);
    if (value.length === 0) issues.add(path, 'length', 'an empty text cannot be carried');
    // A line that starts with : or - would end the field or the block.
    if (value.startsWith(':') || value.startsWith('-')) issues.add(path, 'line_start', 'must not start with : or -');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkTexts(item, `${path}[${index}]`, issues, depth + 1));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) checkTexts(item, path === '' ? key : `${path}.${key}`, issues, depth + 1);
  }
}

/** A 16x reference as 20 and 21 want it (T26: no leading or trailing slash, no //). */
/** What every transfer model carries and MT checks alike (MT103 and MT202): its texts, ids, UETR, amount and date. */
export function checkTransferBasics(model: { messageId: string; creationDateTime: string; instructionId: string; endToEndId: string; uetr: string; settlementAmount: Amount; settlementDate: string }, issues: ModelIssues): void {
  checkTexts(model, '', issues);
  checkId('messageId', model.messageId, issues);
  checkDateTime('creationDateTime', model.creationDateTime, issues);
  checkReference('instructionId', model.instructionId, issues);
  checkId('endToEndId', model.endToEndId, issues);
  checkUetr('uetr', model.uetr, issues);
  checkAmount('settlementAmount', model.settlementAmount, issues);
  checkDate('settlementDate', model.settlementDate, issues);
}

export function checkReference(path: string, value: string, issues: ModelIssues): void {
  if (value.length > referenceLengthMax) issues.add(path, 'length', `at most ${referenceLengthMax} characters in MT (16x)`);
  if (value.startsWith('/') || value.endsWith('/') || value.includes('//')) issues.add(path, 'slash', 'must not start or end with / nor contain //');
}

export function checkId(path: string, value: string, issues: ModelIssues): void {
  if (value.length > idLengthMax) issues.add(path, 'length', `at most ${idLengthMax} characters`);
}

export function checkUetr(path: string, value: string, issues: ModelIssues): void {
  if (!uetrPattern.test(value)) issues.add(path, 'format', 'a UETR is a lower-case UUID version 4');
}

export function checkBic(path: string, value: string | undefined, issues: ModelIssues): void {
  if (value !== undefined && !bicPattern.test(value)) issues.add(path, 'bic', `${value} is not a BIC (8 or 11 characters, upper case)`);
}

export function checkDate(path: string, value: string, issues: ModelIssues): void {
  if (dateToSwift(value) === undefined) issues.add(path, 'date', `${value} is not a date YYYY-MM-DD in the years MT's YYMMDD can carry`);
}

export function checkDateTime(path: string, value: string, issues: ModelIssues): void {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) issues.add(path, 'format', 'an ISO 8601 date-time with an offset');
}

/** A known currency and an amount SWIFT's 15d can write; zero only where `zeroAllowed`. */
export function checkAmount(path: string, amount: Amount, issues: ModelIssues, zeroAllowed = false): void {
  if (!knownCurrency(amount.currency)) {
    issues.add(`${path}.currency`, 'currency', `${amount.currency} is not an ISO 4217 currency`);
    return;
  }
  if (amount.amountMinor < 0n || (!zeroAllowed && amount.amountMinor === 0n)) {
    issues.add(`${path}.amountMinor`, 'amount', zeroAllowed ? 'must not be negative' : 'must be positive');
    return;
  }
  if (amountToSwift(amount.amountMinor, amount.currency).length > swiftAmountLengthMax) issues.add(`${path}.amountMinor`, 'length', `longer than SWIFT's ${swiftAmountLengthMax} characters (15d)`);
}

export function checkExchangeRate(path: string, rate: string, issues: ModelIssues): void {
  if (!/^\d+(\.\d+)?$/.test(rate) || /^0+(\.0+)?$/.test(rate)) issues.add(path, 'format', 'a positive decimal rate, digits with an optional point');
  else if (rate.length > exchangeRateLengthMax) issues.add(path, 'length', `at most ${exchangeRateLengthMax} characters with the comma (12d)`);
}

export function checkAccount(path: string, account: AccountId | undefined, issues: ModelIssues): void {
  if (account === undefined) return;
  const text = 'iban' in account ? account.iban : account.other;
  if ('iban' in account && !/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(account.iban)) issues.add(`${path}.iban`, 'iban', `${account.iban} is not an IBAN`);
  if (text.length > 34) issues.add(path, 'length', 'an account holds at most 34 characters in MT');
  if (text.startsWith('/')) issues.add(path, 'format', 'an account must not start with /');
}

/** A bank MT can name: a BIC, or a name (option D), or a clearing code alone where the field has option C. */
export function checkAgent(path: string, agent: Agent, issues: ModelIssues, optionC: boolean): void {
  checkBic(`${path}.bic`, agent.bic, issues);
  checkAccount(`${path}.account`, agent.account, issues);
  const clearingAlone = optionC && agent.clearingMemberId !== undefined && clearingCodeOf(agent.clearingMemberId.system) !== undefined;
  if (agent.bic === undefined && agent.name === undefined && !clearingAlone) {
    issues.add(path, 'mandatory', optionC ? 'an agent needs a BIC, a name, or a clearing member id of a system with an MT clearing code' : 'an agent needs a BIC or a name');
  }
  if (agent.name?.startsWith('/') === true) issues.add(`${path}.name`, 'format', 'a name must not start with / (it would read as a party identifier)');
}

export function checkParty(path: string, party: Party, issues: ModelIssues): void {
  checkBic(`${path}.bic`, party.bic, issues);
  if (party.bic === undefined && party.name === undefined) issues.add(`${path}.name`, 'mandatory', 'a party needs a name or a BIC');
  if (party.name?.startsWith('/') === true) issues.add(`${path}.name`, 'format', 'a name must not start with / (it would read as an account)');
  if (party.postalAddress?.country !== undefined && !/^[A-Z]{2}$/.test(party.postalAddress.country)) issues.add(`${path}.postalAddress.country`, 'format', 'an ISO 3166 alpha-2 code');
  if (party.birth !== undefined && (dateToSwift(party.birth.date) === undefined || !/^[A-Z]{2}$/.test(party.birth.country))) issues.add(`${path}.birth`, 'format', 'a birth date YYYY-MM-DD and an alpha-2 country');
}

/** An agent that is the sender or receiver itself and nothing more: MT leaves its field out. */
export function isOnlyBic(agent: Agent | undefined, bic: string): boolean {
  return agent !== undefined && agent.bic === bic && Object.keys(agent).length === 1;
}

/** C2's test: sender and receiver both in the EU/EEA. */
export function bothInEuEea(senderBic: string | undefined, receiverBic: string | undefined): boolean {
  return senderBic !== undefined && receiverBic !== undefined && euEeaCountries.has(countryOfBic(senderBic)) && euEeaCountries.has(countryOfBic(receiverBic));
}
