/**
 * Transaction monitoring in the command path (the shell around core/monitoring): the transactions
 * a money command would make, each customer's recent history read from the store, the live scenario
 * decided and the draft beside it in shadow, and — once the command ran — the history, the
 * decisions with their evidence and the cases kept.
 */
import { assert } from '../core/assert';
import type { Rational } from '../core/banking/fx';
import { parseRate } from '../core/banking/fx';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { CaseAlert, ComplianceCase, MonitoringConfig, MonitoringDecisionRecord, MonitoringVersionRef } from '../core/banking/types';
import { canonicalJson, type JsonValue } from '../core/canonical-json';
import {
  dayMs,
  evaluateScenario,
  historyTransactionsMax,
  parseUsdRates,
  type CustomerHistory,
  type Decision,
  type DecisionOutcome,
  type MonitoredTransaction,
  type RuleDefinition,
  type UsdRates,
} from '../core/monitoring';
import type { IdSource } from '../ports/ids';
import type { StorageTx } from '../ports/storage';
import { ctrDueAtMs, monitoringQueue, openOrJoinCase, sarDueAtMs } from './cases';

/** Rows one page of a customer's history reads; pages continue until the window is covered. */
export const historyPageMax = 64;
/** How stale an account's stored last use may get before it is written again: the shortest history window. */
const accountActivityRefreshMs = dayMs;
/** An alert of the same rules for a customer whose case already has one this recent joins nothing new. */
export const alertRepeatMs = dayMs;

/** Milliseconds from the epoch that a history key counts down from, so a customer's newest row sorts first. */
const keyEpochMs = 9_999_999_999_999;

/** A customer's row key: customer, then time newest first, then the transaction. */
export function monitoredTransactionKey(transaction: Pick<MonitoredTransaction, 'customerId' | 'atMs' | 'id'>): string {
  return `${historyTimeKey(transaction.customerId, transaction.atMs)}:${transaction.id}`;
}

/** The start of a customer's rows at one millisecond: every row at or before `atMs` sorts after it. */
function historyTimeKey(customerId: string, atMs: number): string {
  return `${customerId}:${String(keyEpochMs - atMs).padStart(13, '0')}`;
}

export interface LoadedConfig {
  readonly config: MonitoringConfig;
  readonly rates: UsdRates;
  readonly windowMs: number;
}

const configCache = new Map<string, LoadedConfig>();
const configCacheMax = 16;

/** The live and draft configurations in force here; null when the bank has published none. */
export async function monitoringConfigs(tx: StorageTx): Promise<{ live: LoadedConfig; draft: LoadedConfig | null } | null> {
  const state = await tx.banking.get('monitoringState', 'current');
  if (state === undefined) return null;
  const live = state.live === null ? undefined : await configVersion(tx, state.live);
  if (live === undefined) return null;
  const draft = state.draft === null ? undefined : await configVersion(tx, state.draft);
  return { live, draft: draft ?? null };
}

/**
 * A published version, parsed once per process and cached by the digest of its content (two
 * banks in one process, tests among them, may publish the same version id with other rules).
 */
async function configVersion(tx: StorageTx, ref: MonitoringVersionRef): Promise<LoadedConfig | undefined> {
  const cached = configCache.get(ref.sha256);
  if (cached !== undefined) return cached;
  const config = await tx.banking.get('monitoringConfig', ref.id);
  if (config === undefined) return undefined;
  // A stored version that no longer hashes to its reference is a broken store, not a configuration.
  assert(configDigest(config) === ref.sha256, `monitoring configuration ${ref.id} does not match its digest`);
  return loaded(config, ref.sha256);
}

/** The SHA-256 of a configuration's content (its scenario, rules and rates), as canonical JSON. */
export function configDigest(config: Pick<MonitoringConfig, 'scenario' | 'rules' | 'usdRates'>): string {
  const wire = JSON.parse(JSON.stringify({ scenario: config.scenario, rules: config.rules, usdRates: config.usdRates }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))) as JsonValue;
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(wire))));
}

/** The id a published version is kept under: scenario, version and when it was published. */
export function configVersionId(config: Pick<MonitoringConfig, 'scenario' | 'publishedAtMs'>): string {
  return `v:${config.scenario.id}:${config.scenario.version}:${config.publishedAtMs}`;
}

function loaded(config: MonitoringConfig, key: string): LoadedConfig {
  const rates = parseUsdRates(config.usdRates);
  // monitoring.publish checked the table: one that does not parse now is a broken store.
  assert(rates.ok, `stored monitoring rates of ${config.id} do not parse`);
  const value = { config, rates: rates.value, windowMs: historyWindowOf(config.rules) };
  if (configCache.size >= configCacheMax) configCache.delete(configCache.keys().next().value!);
  configCache.set(key, value);
  return value;
}

/** How far back the rules look: their longest window, and at least the CTR's business day. */
export function historyWindowOf(rules: readonly RuleDefinition[]): number {
  let windowMs = dayMs;
  for (const rule of rules) {
    const parameters = rule.parameters;
    if ('windowMs' in parameters) windowMs = Math.max(windowMs, parameters.windowMs);
  }
  return windowMs;
}

/** A customer's transactions in (atMs − windowMs, atMs], newest first, at most historyTransactionsMax. */
export async function recentOf(tx: StorageTx, customerId: string, atMs: number, windowMs: number, exceptId: string): Promise<MonitoredTransaction[]> {
  return (await historyBetween(tx, customerId, atMs - windowMs, atMs, historyTransactionsMax + 1)).filter((transaction) => transaction.id !== exceptId).slice(0, historyTransactionsMax);
}

/** A customer's transactions in (fromMs, toMs], newest first, at most `max`: one key range of the history. */
export async function historyBetween(tx: StorageTx, customerId: string, fromMs: number, toMs: number, max: number): Promise<MonitoredTransaction[]> {
  // Every row at or before toMs sorts after the first key; every row at or before fromMs after the second.
  let after = historyTimeKey(customerId, toMs);
  const before = `${historyTimeKey(customerId, fromMs)}:`;
  const found: MonitoredTransaction[] = [];
  for (;;) {
    const page = await tx.banking.listRange('monitoredTransaction', after, before, Math.min(historyPageMax, max - found.length));
    found.push(...page.map((row) => row.transaction));
    if (page.length < historyPageMax || found.length >= max) return found;
    after = page.at(-1)!.id;
  }
}

/** What the store held for one candidate before it posted: the account's last use, and whether its payee was paid before. */
export interface StoredActivity {
  readonly accountLastActivityMs: number | undefined;
  readonly payeeKnown: boolean;
}

/** The history a rule sees for one candidate, from the store, with the stored activity it was built from. */
export async function historyOf(tx: StorageTx, candidate: MonitoredTransaction, windowMs: number): Promise<CustomerHistory & { readonly stored: StoredActivity }> {
  const payee = candidate.counterpartyAccountId;
  // Three independent reads, sent together (one round trip on a pipelining store).
  const [recent, account, paidBefore] = await Promise.all([
    recentOf(tx, candidate.customerId, candidate.atMs, windowMs, candidate.id),
    tx.banking.get('monitoredAccount', candidate.accountId),
    payee !== undefined && candidate.kind === 'transfer_out' ? tx.banking.get('monitoredPayee', `${candidate.customerId}:${payee}`) : Promise.resolve(undefined),
  ]);
  const paid = paidBefore !== undefined;
  return {
    candidate,
    recent,
    ...(account === undefined || account.lastActivityMs > candidate.atMs ? {} : { accountLastActivityMs: account.lastActivityMs }),
    paidPayeeAccountIds: paid ? [payee!] : [],
    stored: { accountLastActivityMs: account?.lastActivityMs, payeeKnown: paid },
  };
}

/**
 * USD values for the currencies at hand: the bank's rate sheet in force (either direction of the
 * pair), else the table published with the scenario. A currency neither prices stays unpriced, and
 * the scenario holds the transaction rather than guess.
 */
export async function usdRatesFor(tx: StorageTx, currencies: ReadonlySet<string>, atMs: number, published: UsdRates): Promise<UsdRates> {
  const rates = new Map(published);
  for (const currency of currencies) {
    if (currency === 'USD') continue;
    const direct = await tx.banking.get('rateSheet', `${currency}/USD`);
    const inverse = direct === undefined ? await tx.banking.get('rateSheet', `USD/${currency}`) : undefined;
    const sheet = direct ?? inverse;
    if (sheet === undefined || sheet.validFromMs > atMs) continue;
    const mid = parseRate(sheet.mid);
    if (!mid.ok) continue;
    const rate: Rational = direct !== undefined ? mid.value : { numerator: mid.value.denominator, denominator: mid.value.numerator };
    rates.set(currency, rate);
  }
  return rates;
}

export interface Monitored {
  readonly candidates: readonly MonitoredTransaction[];
  readonly live: readonly Decision[];
  readonly shadow: readonly Decision[];
  readonly outcome: DecisionOutcome;
  readonly configs: { live: LoadedConfig; draft: LoadedConfig | null };
  /** Per candidate, what the store held before it: recording the history reads nothing again. */
  readonly stored: readonly StoredActivity[];
}

const severity: Readonly<Record<DecisionOutcome, number>> = { allow: 0, alert: 1, hold: 2, block: 3 };

/**
 * The live scenario (and the draft, in shadow) over each candidate's history. Null when no
 * scenario is published or the command makes no new transaction (a retry of one already posted).
 */
export async function monitor(tx: StorageTx, candidatesOf: () => Promise<readonly MonitoredTransaction[]>): Promise<Monitored | null> {
  // Both reads at once (one round trip on a pipelining store); the candidates are dropped when no scenario is in force.
  const [configs, candidates] = await Promise.all([monitoringConfigs(tx), candidatesOf()]);
  if (configs === null || candidates.length === 0) return null;
  const windowMs = Math.max(configs.live.windowMs, configs.draft?.windowMs ?? 0);
  const live: Decision[] = [];
  const shadow: Decision[] = [];
  const histories = await Promise.all(candidates.map((candidate) => historyOf(tx, candidate, windowMs)));
  for (const [index, candidate] of candidates.entries()) {
    const history = histories[index]!;
    const currencies = new Set([candidate.currency, ...history.recent.map((transaction) => transaction.currency)]);
    const liveRates = await usdRatesFor(tx, currencies, candidate.atMs, configs.live.rates);
    live.push(evaluateScenario(configs.live.config.scenario, configs.live.config.rules, history, candidate.atMs, liveRates));
    if (configs.draft !== null) {
      const draftRates = await usdRatesFor(tx, currencies, candidate.atMs, configs.draft.rates);
      shadow.push(evaluateScenario(configs.draft.config.scenario, configs.draft.config.rules, history, candidate.atMs, draftRates));
    }
  }
  const outcome = live.reduce<DecisionOutcome>((worst, decision) => (severity[decision.outcome] > severity[worst] ? decision.outcome : worst), 'allow');
  return { candidates, live, shadow, outcome, configs, stored: histories.map((history) => history.stored) };
}

/** The first pack's rules in words; a rule a bank adds is named by its id. */
const ruleWords: Readonly<Record<string, string>> = {
  cash_over_ctr: 'cash over the CTR threshold',
  structuring: 'structuring (deposits just under the CTR threshold)',
  velocity: 'too many or too large transactions in a day',
  rapid_in_out: 'money in and straight out again',
  dormant_wakes: 'a dormant account woke up',
  high_risk_jurisdiction: 'a high-risk jurisdiction',
  new_payee_large: 'a large payment to a new payee',
};

/** The rules that fired, in words a teller or an officer reads. */
export function describeDecision(decision: Decision): string {
  const rules = decision.hits.map((hit) => ruleWords[hit.ruleId] ?? hit.ruleId.replaceAll('_', ' ')).join(', ');
  return `${rules} (score ${decision.score}, scenario ${decision.scenarioId} v${decision.scenarioVersion})`;
}

/**
 * After the command ran: each candidate joins its customer's history. The account's last use and
 * the payee were read with the history, inside this transaction, so nothing is read again: the
 * writes go out with the commit.
 */
export async function recordHistory(tx: StorageTx, monitored: Monitored): Promise<void> {
  for (const [index, transaction] of monitored.candidates.entries()) {
    const stored = monitored.stored[index]!;
    await tx.banking.put('monitoredTransaction', { id: monitoredTransactionKey(transaction), transaction });
    // The dormant-account rule reads the account's last use from here and, within the history
    // window (a day or more), from the history itself: a stored time under a day old loses nothing.
    const last = stored.accountLastActivityMs;
    if (last === undefined || last <= transaction.atMs - accountActivityRefreshMs) await tx.banking.put('monitoredAccount', { id: transaction.accountId, lastActivityMs: transaction.atMs });
    const payee = transaction.counterpartyAccountId;
    if (transaction.kind === 'transfer_out' && payee !== undefined && !stored.payeeKnown) {
      await tx.banking.put('monitoredPayee', { id: `${transaction.customerId}:${payee}`, firstPaidMs: transaction.atMs });
    }
  }
}

export interface DecisionContext {
  readonly ids: IdSource;
  readonly command: string;
  readonly nowMs: number;
  readonly actor: string;
  /** A held command's approval, for the case to point at. */
  readonly approvalId?: string;
}

/**
 * Keeps the decisions worth keeping (every live one that was not allow, every shadow one that was
 * not) and opens or joins a case for each customer whose live decision was not allow. Returns the
 * cases touched, in candidate order.
 */
export async function recordDecisions(tx: StorageTx, monitored: Monitored, context: DecisionContext): Promise<ComplianceCase[]> {
  const cases: ComplianceCase[] = [];
  for (const [index, candidate] of monitored.candidates.entries()) {
    const decision = monitored.live[index]!;
    let caseId: string | null = null;
    if (decision.outcome !== 'allow') {
      const opened = await openCaseFor(tx, candidate, decision, context);
      cases.push(opened);
      caseId = opened.id;
    }
    if (decision.outcome !== 'allow') await putDecision(tx, 'live', candidate, decision, caseId, context);
    const shadow = monitored.shadow[index];
    if (shadow !== undefined && shadow.outcome !== 'allow') await putDecision(tx, 'shadow', candidate, shadow, null, context);
  }
  return cases;
}

async function putDecision(tx: StorageTx, role: 'live' | 'shadow', candidate: MonitoredTransaction, decision: Decision, caseId: string | null, context: DecisionContext): Promise<void> {
  const record: MonitoringDecisionRecord = { id: `${candidate.id}:${role}`, role, customerId: candidate.customerId, command: context.command, decision, caseId, decidedAtMs: context.nowMs };
  await tx.banking.put('monitoringDecision', record);
}

async function openCaseFor(tx: StorageTx, candidate: MonitoredTransaction, decision: Decision, context: DecisionContext): Promise<ComplianceCase> {
  const customer = await tx.banking.get('customer', candidate.customerId);
  const alert: CaseAlert = {
    kind: 'monitoring',
    decisionId: `${candidate.id}:live`,
    transactionId: candidate.id,
    outcome: decision.outcome,
    score: decision.score,
    ruleIds: decision.hits.map((hit) => hit.ruleId),
    atMs: candidate.atMs,
  };
  const reportable = decision.hits.some((hit) => hit.ruleId === 'cash_over_ctr');
  const repeated = reportable || decision.outcome !== 'alert' ? undefined : await repeatedAlertCase(tx, candidate, decision);
  if (repeated !== undefined) return repeated;
  const evidenceIds = decision.hits.flatMap((hit) => hit.evidence.transactionIds);
  return openOrJoinCase(tx, context.ids, {
    queue: monitoringQueue,
    title: `${decision.outcome === 'alert' ? 'Alert' : decision.outcome === 'hold' ? 'Held' : 'Blocked'}: ${describeDecision(decision)}${customer === undefined ? '' : ` for ${customer.fullName}`}`,
    branchId: customer?.branchId ?? null,
    customerId: candidate.customerId,
    partyName: null,
    alerts: [alert],
    transactionIds: [candidate.id, ...evidenceIds],
    dueAtMs: reportable ? ctrDueAtMs(candidate.atMs) : sarDueAtMs(context.nowMs),
    ...(context.approvalId === undefined ? {} : { approvalId: context.approvalId }),
    nowMs: context.nowMs,
    actor: context.actor,
  });
}

/**
 * The customer's open case, when it already holds an alert of the same rules from the last day: a
 * pattern that keeps firing (velocity, transaction after transaction) is one alert to review, not
 * one per transaction; its decisions are still kept, pointing at the case. A CTR alert always joins
 * (the report counts every cash transaction of the day).
 */
async function repeatedAlertCase(tx: StorageTx, candidate: MonitoredTransaction, decision: Decision): Promise<ComplianceCase | undefined> {
  const [open] = await tx.banking.findBy('complianceCase', 'customer', candidate.customerId, 1);
  if (open === undefined || open.status === 'closed') return undefined;
  const rules = decision.hits.map((hit) => hit.ruleId).join(',');
  const same = open.alerts.some((alert) => alert.kind === 'monitoring' && alert.outcome === 'alert' && alert.ruleIds.join(',') === rules && candidate.atMs - alert.atMs < alertRepeatMs && candidate.atMs >= alert.atMs);
  return same ? open : undefined;
}
