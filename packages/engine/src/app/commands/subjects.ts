import type { Measure, Subject } from '../../core/policy';
import type { MonitoredTransaction } from '../../core/monitoring/types';
import type { CommandEnv, ScreenedParty } from '../command';

/**
 * What commands touch, as the policy's scope sees it: the branch it belongs to, whose till session
 * it is, who made it. Null when it does not exist (the command then refuses it with its own code).
 */
export async function branchSubject(env: CommandEnv, branchId: string): Promise<Subject | null> {
  return (await env.tx.banking.get('branch', branchId)) === undefined ? null : { branchId };
}

export async function tillSubject(env: CommandEnv, tillId: string): Promise<Subject | null> {
  const till = await env.tx.banking.get('till', tillId);
  return till === undefined ? null : { branchId: till.branchId };
}

export async function tillSessionSubject(env: CommandEnv, sessionId: string): Promise<Subject | null> {
  const session = await env.tx.banking.get('tillSession', sessionId);
  const till = session === undefined ? undefined : await env.tx.banking.get('till', session.tillId);
  return session === undefined || till === undefined ? null : { branchId: till.branchId, tellerId: session.tellerId };
}

/** A till session, and the account its cash goes into or comes out of: both must be the caller's branch's. */
export async function cashSubject(env: CommandEnv, sessionId: string, accountId: string): Promise<Subject | null> {
  const session = await tillSessionSubject(env, sessionId);
  const account = await env.tx.banking.get('bankAccount', accountId);
  if (session === null) return null;
  return account === undefined ? session : { ...session, alsoBranchIds: [account.branchId] };
}

export async function customerSubject(env: CommandEnv, customerId: string): Promise<Subject | null> {
  const customer = await env.tx.banking.get('customer', customerId);
  return customer === undefined ? null : { branchId: customer.branchId, creatorId: customer.createdBy };
}

/** An account by id or by its number (as account.get takes either). */
export async function accountSubject(env: CommandEnv, accountIdOrNumber: string): Promise<Subject | null> {
  const account =
    (await env.tx.banking.get('bankAccount', accountIdOrNumber)) ?? (await env.tx.banking.findBy('bankAccount', 'number', accountIdOrNumber, 1))[0];
  return account === undefined ? null : { branchId: account.branchId };
}

/** A sum of money as a limit counts it. */
export function moneyMeasure(money: { readonly amount: bigint; readonly currency: string }): Measure {
  return { amountMinor: money.amount, currency: money.currency };
}

/** The customer whose account a payout debits. */
export async function accountHolder(env: CommandEnv, accountId: string): Promise<string | null> {
  return (await env.tx.banking.get('bankAccount', accountId))?.customerId ?? null;
}

/**
 * The holders of the accounts a fresh money movement touches, by name, for sanctions screening; none
 * when the transfer is already booked (a replay answers as it did, whatever the lists say now).
 */
export async function holdersOf(env: CommandEnv, transferId: string, accountIds: readonly string[]): Promise<readonly ScreenedParty[]> {
  // The booking check and every account's holder go out together (one round trip on a pipelining store), then the customers.
  const [booked, holders] = await Promise.all([alreadyBooked(env, transferId), Promise.all([...new Set(accountIds)].map((accountId) => accountHolder(env, accountId)))]);
  if (booked) return [];
  const customers = await Promise.all(holders.map((customerId) => (customerId === null ? undefined : env.tx.banking.get('customer', customerId))));
  const parties: ScreenedParty[] = [];
  for (const customer of customers) {
    if (customer !== undefined) parties.push({ name: customer.fullName, customerId: customer.id, type: 'person', birthDate: customer.dateOfBirth });
  }
  return parties;
}

async function alreadyBooked(env: CommandEnv, transferId: string): Promise<boolean> {
  return (await env.tx.ledger.transfers([transferId as never])).length > 0;
}

/** One leg of a fresh money movement as monitoring sees it: whose account, which way, how much. */
export interface MonitoredLeg {
  readonly id: string;
  readonly accountId: string;
  readonly kind: MonitoredTransaction['kind'];
  readonly counterpartyAccountId?: string;
}

/**
 * The transactions a fresh money movement makes for transaction monitoring, one per customer leg,
 * at the counter's time; none when the transfer is already booked (a retry is not decided twice).
 */
export async function monitoredLegs(env: CommandEnv, transferId: string, money: { readonly amount: bigint; readonly currency: string }, legs: readonly MonitoredLeg[]): Promise<MonitoredTransaction[]> {
  const [booked, holders] = await Promise.all([alreadyBooked(env, transferId), Promise.all(legs.map((leg) => accountHolder(env, leg.accountId)))]);
  if (booked) return [];
  const transactions: MonitoredTransaction[] = [];
  for (const [index, leg] of legs.entries()) {
    const customerId = holders[index]!;
    if (customerId === null) continue;
    transactions.push({
      id: leg.id,
      atMs: env.occurredAtMs,
      customerId,
      accountId: leg.accountId,
      kind: leg.kind,
      amountMinor: money.amount,
      currency: money.currency,
      ...(leg.counterpartyAccountId === undefined ? {} : { counterpartyAccountId: leg.counterpartyAccountId }),
    });
  }
  return transactions;
}
