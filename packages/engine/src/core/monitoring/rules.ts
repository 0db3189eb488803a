import { assert, unreachable } from '../assert';
import { dayMs } from './limits';
import { usdMinorOf, type UsdRates } from './value';
import type { CustomerHistory, MonitoredTransaction, MonitoredTransactionKind, RuleHit, RuleParameters } from './types';

/**
 * The first rule pack: one pure function per rule over a customer's history. Each returns a hit
 * whose evidence names only transactions of the history, or null. Every transaction's currency must
 * be in `rates` (`unpricedTransactions` finds those that are not; `evaluateScenario` holds them).
 */

type ParametersOf<K extends RuleParameters['kind']> = Extract<RuleParameters, { kind: K }>;

const basisPoints = 10_000n;
const inbound: ReadonlySet<MonitoredTransactionKind> = new Set(['cash_deposit', 'transfer_in']);
const outbound: ReadonlySet<MonitoredTransactionKind> = new Set(['cash_withdrawal', 'transfer_out']);

/** Candidate and recent transactions, ordered by time then id, so no rule depends on input order. */
export function chronological(history: CustomerHistory): MonitoredTransaction[] {
  return [...history.recent, history.candidate].sort(byTimeThenId);
}

export function byTimeThenId(a: MonitoredTransaction, b: MonitoredTransaction): number {
  if (a.atMs !== b.atMs) return a.atMs - b.atMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Transactions of the history whose currency the table cannot value. */
export function unpricedTransactions(history: CustomerHistory, rates: UsdRates): MonitoredTransaction[] {
  return chronological(history).filter((transaction) => usdMinorOf(transaction, rates) === undefined);
}

function usd(transaction: MonitoredTransaction, rates: UsdRates): bigint {
  const value = usdMinorOf(transaction, rates);
  assert(value !== undefined, `no USD rate for ${transaction.currency}: check unpricedTransactions first`);
  return value;
}

/** The history's transactions in (candidate.atMs − windowMs, candidate.atMs], chronological. */
function inWindow(history: CustomerHistory, windowMs: number): MonitoredTransaction[] {
  const startMs = history.candidate.atMs - windowMs;
  return chronological(history).filter((transaction) => transaction.atMs > startMs && transaction.atMs <= history.candidate.atMs);
}

function ids(transactions: readonly MonitoredTransaction[]): string[] {
  return transactions.map((transaction) => transaction.id);
}

function sumUsd(transactions: readonly MonitoredTransaction[], rates: UsdRates): bigint {
  return transactions.reduce((total, transaction) => total + usd(transaction, rates), 0n);
}

export function utcBusinessDay(atMs: number): number {
  return Math.floor(atMs / dayMs);
}

export interface CtrAggregate {
  readonly direction: 'cash_in' | 'cash_out';
  readonly totalUsdMinor: bigint;
  readonly transactions: readonly MonitoredTransaction[];
}

/**
 * The customer's cash in the candidate's direction on the candidate's UTC day, the candidate
 * included. Cash in and cash out are aggregated apart, never netted (31 CFR 1010.313).
 * Undefined when the candidate is not cash.
 */
export function ctrAggregate(history: CustomerHistory, rates: UsdRates): CtrAggregate | undefined {
  const { candidate } = history;
  if (candidate.kind !== 'cash_deposit' && candidate.kind !== 'cash_withdrawal') return undefined;
  const day = utcBusinessDay(candidate.atMs);
  const transactions = chronological(history).filter((transaction) => transaction.kind === candidate.kind && utcBusinessDay(transaction.atMs) === day);
  return { direction: candidate.kind === 'cash_deposit' ? 'cash_in' : 'cash_out', totalUsdMinor: sumUsd(transactions, rates), transactions };
}

export function cashOverCtr(history: CustomerHistory, parameters: ParametersOf<'cash_over_ctr'>, rates: UsdRates): RuleHit | null {
  const aggregate = ctrAggregate(history, rates);
  if (aggregate === undefined || aggregate.totalUsdMinor <= parameters.thresholdUsdMinor) return null;
  return {
    evidence: {
      transactionIds: ids(aggregate.transactions),
      values: {
        direction: aggregate.direction,
        businessDayUtc: new Date(utcBusinessDay(history.candidate.atMs) * dayMs).toISOString().slice(0, 10),
        aggregateUsdMinor: aggregate.totalUsdMinor.toString(),
        thresholdUsdMinor: parameters.thresholdUsdMinor.toString(),
      },
    },
  };
}

/** Several cash deposits each just under the threshold, none over it, within the window. */
export function structuring(history: CustomerHistory, parameters: ParametersOf<'structuring'>, rates: UsdRates): RuleHit | null {
  if (history.candidate.kind !== 'cash_deposit') return null;
  const floorUsdMinor = (parameters.thresholdUsdMinor * BigInt(parameters.bandFloorBasisPoints)) / basisPoints;
  const inBand = (value: bigint): boolean => value >= floorUsdMinor && value <= parameters.thresholdUsdMinor;
  if (!inBand(usd(history.candidate, rates))) return null;
  const deposits = inWindow(history, parameters.windowMs).filter((transaction) => transaction.kind === 'cash_deposit');
  // A deposit over the threshold was reported on its own: that is not avoiding the report.
  if (deposits.some((deposit) => usd(deposit, rates) > parameters.thresholdUsdMinor)) return null;
  const counted = deposits.filter((deposit) => inBand(usd(deposit, rates)));
  if (counted.length < parameters.depositsMin) return null;
  return {
    evidence: {
      transactionIds: ids(counted),
      values: {
        deposits: counted.length.toString(),
        depositsMin: parameters.depositsMin.toString(),
        totalUsdMinor: sumUsd(counted, rates).toString(),
        bandFloorUsdMinor: floorUsdMinor.toString(),
        thresholdUsdMinor: parameters.thresholdUsdMinor.toString(),
        windowMs: parameters.windowMs.toString(),
      },
    },
  };
}

/** More transactions, or more value, than allowed within the window. */
export function velocity(history: CustomerHistory, parameters: ParametersOf<'velocity'>, rates: UsdRates): RuleHit | null {
  const transactions = inWindow(history, parameters.windowMs);
  const totalUsdMinor = sumUsd(transactions, rates);
  if (transactions.length <= parameters.countMax && totalUsdMinor <= parameters.amountMaxUsdMinor) return null;
  return {
    evidence: {
      transactionIds: ids(transactions),
      values: {
        count: transactions.length.toString(),
        countMax: parameters.countMax.toString(),
        totalUsdMinor: totalUsdMinor.toString(),
        amountMaxUsdMinor: parameters.amountMaxUsdMinor.toString(),
        windowMs: parameters.windowMs.toString(),
      },
    },
  };
}

/** Money in, then most of it out again, within the window; the candidate is the money going out. */
export function rapidInOut(history: CustomerHistory, parameters: ParametersOf<'rapid_in_out'>, rates: UsdRates): RuleHit | null {
  if (!outbound.has(history.candidate.kind)) return null;
  const window = inWindow(history, parameters.windowMs);
  const firstInIndex = window.findIndex((transaction) => inbound.has(transaction.kind));
  if (firstInIndex < 0) return null;
  const afterFirstIn = window.slice(firstInIndex);
  const ins = afterFirstIn.filter((transaction) => inbound.has(transaction.kind));
  const outs = afterFirstIn.filter((transaction) => outbound.has(transaction.kind));
  const inUsdMinor = sumUsd(ins, rates);
  const outUsdMinor = sumUsd(outs, rates);
  if (inUsdMinor < parameters.inflowMinUsdMinor) return null;
  if (outUsdMinor * basisPoints < inUsdMinor * BigInt(parameters.outShareBasisPoints)) return null;
  return {
    evidence: {
      transactionIds: ids([...ins, ...outs].sort(byTimeThenId)),
      values: {
        inUsdMinor: inUsdMinor.toString(),
        outUsdMinor: outUsdMinor.toString(),
        outShareBasisPoints: ((outUsdMinor * basisPoints) / inUsdMinor).toString(),
        outShareMinBasisPoints: parameters.outShareBasisPoints.toString(),
        windowMs: parameters.windowMs.toString(),
      },
    },
  };
}

/** An account idle for long, then a large transaction. An account never used before is new, not dormant. */
export function dormantWakes(history: CustomerHistory, parameters: ParametersOf<'dormant_wakes'>, rates: UsdRates): RuleHit | null {
  const { candidate, accountLastActivityMs } = history;
  if (accountLastActivityMs === undefined) return null;
  // The shell's last-activity time must agree with the recent window: a later transaction on the account means it was not idle.
  const lastMs = history.recent
    .filter((transaction) => transaction.accountId === candidate.accountId && transaction.atMs <= candidate.atMs && transaction.id !== candidate.id)
    .reduce((latest, transaction) => Math.max(latest, transaction.atMs), accountLastActivityMs);
  const idleMs = candidate.atMs - lastMs;
  const valueUsdMinor = usd(candidate, rates);
  if (idleMs < parameters.dormantMs || valueUsdMinor < parameters.amountMinUsdMinor) return null;
  return {
    evidence: {
      transactionIds: [candidate.id],
      values: {
        lastActivityAt: new Date(lastMs).toISOString(),
        idleMs: idleMs.toString(),
        dormantMs: parameters.dormantMs.toString(),
        valueUsdMinor: valueUsdMinor.toString(),
        amountMinUsdMinor: parameters.amountMinUsdMinor.toString(),
      },
    },
  };
}

/** The counterparty's country is on a version of the list in force when the transaction happened. */
export function highRiskJurisdiction(history: CustomerHistory, parameters: ParametersOf<'high_risk_jurisdiction'>): RuleHit | null {
  const { candidate } = history;
  const country = candidate.counterpartyCountry?.toUpperCase();
  if (country === undefined) return null;
  const listed = parameters.lists
    .filter((list) => effectiveAt(list, candidate.atMs) && list.countries.some((code) => code.toUpperCase() === country))
    .map((list) => list.version)
    .sort();
  if (listed.length === 0) return null;
  return { evidence: { transactionIds: [candidate.id], values: { country, listVersions: listed.join(',') } } };
}

/** A payee the customer never paid before receives a large amount. */
export function newPayeeLarge(history: CustomerHistory, parameters: ParametersOf<'new_payee_large'>, rates: UsdRates): RuleHit | null {
  const { candidate } = history;
  const payee = candidate.counterpartyAccountId;
  if (candidate.kind !== 'transfer_out' || payee === undefined) return null;
  if (history.paidPayeeAccountIds.includes(payee)) return null;
  const paidInWindow = history.recent.some(
    (transaction) => transaction.kind === 'transfer_out' && transaction.counterpartyAccountId === payee && byTimeThenId(transaction, candidate) < 0,
  );
  if (paidInWindow) return null;
  const valueUsdMinor = usd(candidate, rates);
  if (valueUsdMinor < parameters.amountMinUsdMinor) return null;
  return {
    evidence: {
      transactionIds: [candidate.id],
      values: { payeeAccountId: payee, valueUsdMinor: valueUsdMinor.toString(), amountMinUsdMinor: parameters.amountMinUsdMinor.toString() },
    },
  };
}

export function effectiveAt(dated: { readonly effectiveFromMs: number; readonly effectiveUntilMs?: number }, atMs: number): boolean {
  return dated.effectiveFromMs <= atMs && (dated.effectiveUntilMs === undefined || atMs < dated.effectiveUntilMs);
}

/** Runs the rule the parameters describe. */
export function runRule(parameters: RuleParameters, history: CustomerHistory, rates: UsdRates): RuleHit | null {
  switch (parameters.kind) {
    case 'cash_over_ctr':
      return cashOverCtr(history, parameters, rates);
    case 'structuring':
      return structuring(history, parameters, rates);
    case 'velocity':
      return velocity(history, parameters, rates);
    case 'rapid_in_out':
      return rapidInOut(history, parameters, rates);
    case 'dormant_wakes':
      return dormantWakes(history, parameters, rates);
    case 'high_risk_jurisdiction':
      return highRiskJurisdiction(history, parameters);
    case 'new_payee_large':
      return newPayeeLarge(history, parameters, rates);
    default:
      return unreachable(parameters);
  }
}
