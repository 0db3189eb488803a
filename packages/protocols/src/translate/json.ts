/**
 * The payment models as JSON for people and tools (the `swift` terminal commands): amounts are
 * strings of minor units (`"125050"`), never JSON numbers, which lose digits past 2^53. Reading
 * JSON back checks its shape before any builder sees it, each refusal naming the model path, so
 * a wrong type is an issue and never a crash deep inside a mapping.
 */
import type { Issue } from '../payment/model';

/** Nesting of the models is shallow; deeper JSON is not a payment model. */
const jsonDepthMax = 12;
/** Items of one list (entries of a statement are the longest). */
const listItemsMax = 1_000;
const minorUnitsPattern = /^-?\d{1,30}$/;

/** The model as JSON text, one line, amounts as strings. */
export function modelToJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
}

type Kind = 'string' | 'number' | 'boolean' | 'minor';
type Shape = Kind | { readonly fields: Readonly<Record<string, readonly [Shape, 'required' | 'optional']>> } | { readonly list: Shape };

const req = (shape: Shape) => [shape, 'required'] as const;
const opt = (shape: Shape) => [shape, 'optional'] as const;
const object = (fields: Readonly<Record<string, readonly [Shape, 'required' | 'optional']>>): Shape => ({ fields });
const list = (shape: Shape): Shape => ({ list: shape });

const amount = object({ amountMinor: req('minor'), currency: req('string') });
const address = object({
  department: opt('string'), streetName: opt('string'), buildingNumber: opt('string'), buildingName: opt('string'), postCode: opt('string'),
  townName: opt('string'), countrySubDivision: opt('string'), country: opt('string'), addressLines: opt(list('string')),
});
const account = object({ iban: opt('string'), other: opt('string') });
const agent = object({
  bic: opt('string'), clearingMemberId: opt(object({ system: req('string'), memberId: req('string') })), lei: opt('string'), name: opt('string'), postalAddress: opt(address), account: opt(account),
});
const party = object({
  name: opt('string'), postalAddress: opt(address), bic: opt('string'), lei: opt('string'),
  birth: opt(object({ date: req('string'), city: req('string'), country: req('string') })),
  otherId: opt(object({ id: req('string'), scheme: opt('string'), issuer: opt('string') })), countryOfResidence: opt('string'),
});

export const creditTransferShape: Shape = object({
  messageId: req('string'), creationDateTime: req('string'), instructionId: req('string'), endToEndId: req('string'), transactionId: opt('string'), uetr: req('string'),
  serviceLevel: opt('string'), categoryPurpose: opt('string'), instructionCodes: opt(list('string')),
  settlementAmount: req(amount), settlementDate: req('string'), settlementMethod: req('string'), instructedAmount: opt(amount), exchangeRate: opt('string'),
  chargeBearer: req('string'), charges: opt(list(object({ amount: req(amount), agent: req(agent), type: opt('string') }))),
  instructingAgent: req(agent), instructedAgent: req(agent), previousInstructingAgent: opt(agent), intermediaryAgent: opt(agent),
  ultimateDebtor: opt(party), debtor: req(party), debtorAccount: opt(account), debtorAgent: req(agent), creditorAgent: req(agent), creditor: req(party), creditorAccount: opt(account), ultimateCreditor: opt(party),
  instructionsForNextAgent: opt(list('string')), purpose: opt('string'), remittanceInformation: opt('string'), regulatoryReporting: opt(list('string')),
});

const balance = object({ type: req('string'), amount: req(amount), creditDebit: req('string'), date: req('string') });
const entry = object({
  amount: req(amount), creditDebit: req('string'), reversal: opt('boolean'), status: req('string'), bookingDate: opt('string'), valueDate: req('string'),
  accountServicerReference: opt('string'), entryReference: opt('string'), transactionCode: req('string'),
  references: req(object({ accountOwnerReference: opt('string'), endToEndId: opt('string'), instructionId: opt('string'), transactionId: opt('string'), uetr: opt('string') })),
  supplementaryDetails: opt('string'), additionalInformation: opt('string'),
});

export const statementShape: Shape = object({
  messageId: req('string'), creationDateTime: req('string'), statementId: req('string'), sequenceNumber: req('number'), pageNumber: opt('number'), account: req(account), accountCurrency: req('string'),
  accountServicer: req(agent), accountOwner: req(agent), fromDate: opt('string'), toDate: opt('string'), balances: req(list(balance)), entries: req(list(entry)), additionalInformation: opt('string'),
});

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value);

/** The JSON value read as `shape`: amounts from strings to bigint, every mismatch an issue at its path (`prefix` first). */
export function modelFromJson<T>(value: unknown, shape: Shape, prefix: string): { readonly model?: T; readonly issues: readonly Issue[] } {
  const issues: Issue[] = [];
  const model = read(value, shape, prefix, issues, 0);
  return issues.length > 0 ? { issues } : { model: model as T, issues };
}

function read(value: unknown, shape: Shape, path: string, issues: Issue[], depth: number): unknown {
  const wrong = (expected: string) => {
    issues.push({ field: path, rule: 'json.type', message: `must be ${expected}, is ${kindOf(value)}` });
    return undefined;
  };
  if (depth > jsonDepthMax) return wrong('nested less deeply');
  if (shape === 'minor') {
    if (typeof value !== 'string' || !minorUnitsPattern.test(value)) return wrong('a string of minor units such as "125050"');
    return BigInt(value);
  }
  if (typeof shape === 'string') return typeof value === shape ? value : wrong(`a ${shape}`);
  if ('list' in shape) {
    if (!Array.isArray(value)) return wrong('a list');
    if (value.length > listItemsMax) return wrong(`a list of at most ${listItemsMax} items`);
    return value.map((item: unknown, index) => read(item, shape.list, `${path}[${index}]`, issues, depth + 1));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong('an object');
  const record = value as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(record)) if (!(key in shape.fields)) issues.push({ field: `${path}.${key}`, rule: 'json.unknown', message: 'not a field of this model' });
  const result: Record<string, unknown> = {};
  for (const [key, [inner, presence]] of Object.entries(shape.fields)) {
    const item = record[key];
    if (item === undefined) {
      if (presence === 'required') issues.push({ field: `${path}.${key}`, rule: 'json.mandatory', message: 'is missing' });
      continue;
    }
    result[key] = read(item, inner, `${path}.${key}`, issues, depth + 1);
  }
  return result;
}
