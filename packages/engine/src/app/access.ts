import type { JsonValue } from '../core/canonical-json';
import type { AccessRecord } from '../ports/storage';
import type { Context } from './command';

/** Customers and accounts one access record names at most (a search shows at most 50 customers). */
export const accessSubjectsMax = 100;
/** Characters of a request's value kept in an access record: ids and search terms, never more. */
const accessDetailCharsMax = 200;

const subjectKeys = ['id', 'customerId', 'accountId'] as const;

/**
 * What a read showed, as the access log keeps it: the customers and accounts in its answer (found
 * wherever the answer names them: a customer, their accounts, an account, a statement's account,
 * a list of customers) and what was asked for. Bounded, whatever the answer's size.
 */
export function accessRecordOf(command: string, ctx: Context, atMs: number, input: unknown, value: unknown): AccessRecord {
  const subjects = new Set<string>();
  collectSubjects(value, subjects);
  collectSubjects(input, subjects);
  return { atMs, actor: ctx.actor, deviceId: ctx.deviceId, command, subjects: [...subjects].slice(0, accessSubjectsMax), detail: askedFor(input) };
}

/** Where a read's answer nests what it showed: a customer's accounts, a shadow result's or a replay's flagged transaction's customer. */
const nestingKeys = ['customer', 'customers', 'account', 'accounts', 'results', 'flagged', 'transaction'] as const;

/** Ids of customers and accounts in a read's answer, three levels deep (a replay's flagged transaction's customer). */
function collectSubjects(value: unknown, into: Set<string>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 3 || into.size >= accessSubjectsMax) return;
  if (Array.isArray(value)) {
    for (const item of value.slice(0, accessSubjectsMax)) collectSubjects(item, into, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of subjectKeys) if (typeof record[key] === 'string') into.add(record[key] as string);
  // A case names its customers in a list of ids.
  if (Array.isArray(record.customerIds)) for (const id of record.customerIds.slice(0, accessSubjectsMax)) if (typeof id === 'string' && into.size < accessSubjectsMax) into.add(id);
  for (const key of nestingKeys) if (key in record) collectSubjects(record[key], into, depth + 1);
}

function askedFor(input: unknown): { readonly [key: string]: JsonValue } {
  if (input === null || typeof input !== 'object') return {};
  const asked: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(input as Record<string, unknown>)) {
    if (typeof item === 'string') asked[key] = item.slice(0, accessDetailCharsMax);
    else if (typeof item === 'number' || typeof item === 'boolean') asked[key] = item;
  }
  return asked;
}
