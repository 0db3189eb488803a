import { assert } from '../assert';
import { amountMax } from '../money';
import {
  historyTransactionsMax,
  historyWindowMsMax,
  jurisdictionCountriesMax,
  jurisdictionListsMax,
  replayHistoriesMax,
  ruleDefinitionsMax,
  ruleWeightMax,
  ruleWindowMsMax,
  scenarioRulesMax,
} from './limits';
import { effectiveAt, runRule, unpricedTransactions } from './rules';
import type { UsdRates } from './value';
import type { CustomerHistory, Decision, DecisionHit, DecisionOutcome, RuleDefinition, RuleParameters, Scenario } from './types';

/** The pseudo-rule a decision names when a transaction's currency has no USD rate: it is held, never waved through. */
export const unpricedRuleId = 'unpriced_currency';

export type RuleDefinitionError = 'rule_id_empty' | 'effective_period_empty' | 'window_out_of_range' | 'count_out_of_range' | 'share_out_of_range' | 'amount_out_of_range' | 'lists_too_many';
export type ScenarioError = 'scenario_rules_too_many' | 'rule_repeated' | 'weight_out_of_range' | 'thresholds_out_of_order';

const isWindow = (ms: number): boolean => Number.isSafeInteger(ms) && ms > 0 && ms <= ruleWindowMsMax;
const isAmount = (minor: bigint): boolean => minor >= 0n && minor <= amountMax;
const isShare = (basisPoints: number): boolean => Number.isSafeInteger(basisPoints) && basisPoints > 0 && basisPoints <= 10_000;
const isCount = (count: number): boolean => Number.isSafeInteger(count) && count >= 0 && count <= historyTransactionsMax;

/** Configuration as loaded is checked here once; evaluation asserts the same. */
export function checkRuleDefinition(definition: RuleDefinition): RuleDefinitionError | undefined {
  if (definition.id === '' || definition.id === unpricedRuleId) return 'rule_id_empty';
  if (definition.effectiveUntilMs !== undefined && definition.effectiveUntilMs <= definition.effectiveFromMs) return 'effective_period_empty';
  return checkParameters(definition.parameters);
}

function checkParameters(parameters: RuleParameters): RuleDefinitionError | undefined {
  switch (parameters.kind) {
    case 'cash_over_ctr':
      return isAmount(parameters.thresholdUsdMinor) ? undefined : 'amount_out_of_range';
    case 'structuring':
      if (!isWindow(parameters.windowMs)) return 'window_out_of_range';
      if (!isShare(parameters.bandFloorBasisPoints)) return 'share_out_of_range';
      if (!isCount(parameters.depositsMin) || parameters.depositsMin < 2) return 'count_out_of_range';
      return isAmount(parameters.thresholdUsdMinor) ? undefined : 'amount_out_of_range';
    case 'velocity':
      if (!isWindow(parameters.windowMs)) return 'window_out_of_range';
      if (!isCount(parameters.countMax)) return 'count_out_of_range';
      return isAmount(parameters.amountMaxUsdMinor) ? undefined : 'amount_out_of_range';
    case 'rapid_in_out':
      if (!isWindow(parameters.windowMs)) return 'window_out_of_range';
      if (!isShare(parameters.outShareBasisPoints)) return 'share_out_of_range';
      return isAmount(parameters.inflowMinUsdMinor) && parameters.inflowMinUsdMinor > 0n ? undefined : 'amount_out_of_range';
    case 'dormant_wakes':
      if (!Number.isSafeInteger(parameters.dormantMs) || parameters.dormantMs <= 0) return 'window_out_of_range';
      return isAmount(parameters.amountMinUsdMinor) ? undefined : 'amount_out_of_range';
    case 'high_risk_jurisdiction':
      if (parameters.lists.length > jurisdictionListsMax) return 'lists_too_many';
      if (parameters.lists.some((list) => list.countries.length > jurisdictionCountriesMax)) return 'lists_too_many';
      return parameters.lists.some((list) => list.effectiveUntilMs !== undefined && list.effectiveUntilMs <= list.effectiveFromMs) ? 'effective_period_empty' : undefined;
    case 'new_payee_large':
      return isAmount(parameters.amountMinUsdMinor) ? undefined : 'amount_out_of_range';
  }
}

export function checkScenario(scenario: Scenario): ScenarioError | undefined {
  if (scenario.rules.length > scenarioRulesMax) return 'scenario_rules_too_many';
  if (new Set(scenario.rules.map((rule) => rule.ruleId)).size !== scenario.rules.length) return 'rule_repeated';
  const isWeight = (points: number): boolean => Number.isSafeInteger(points) && points >= 0 && points <= ruleWeightMax;
  if (!scenario.rules.every((rule) => isWeight(rule.weight))) return 'weight_out_of_range';
  if (!isWeight(scenario.alertThreshold) || !isWeight(scenario.blockThreshold)) return 'weight_out_of_range';
  if (scenario.alertThreshold > scenario.blockThreshold || scenario.alertThreshold <= 0) return 'thresholds_out_of_order';
  return undefined;
}

/** Configurations already checked, by identity: the payment path hands the same parsed objects every time (values are never mutated). */
const checkedScenarios = new WeakSet<Scenario>();
const checkedRules = new WeakSet<readonly RuleDefinition[]>();

function assertConfiguration(scenario: Scenario, rules: readonly RuleDefinition[]): void {
  if (!checkedScenarios.has(scenario)) {
    assert(checkScenario(scenario) === undefined, `scenario ${scenario.id} v${scenario.version}: ${checkScenario(scenario)}`);
    checkedScenarios.add(scenario);
  }
  if (!checkedRules.has(rules)) {
    assert(rules.length <= ruleDefinitionsMax, `${rules.length} rule definitions, more than ${ruleDefinitionsMax}`);
    for (const rule of rules) assert(checkRuleDefinition(rule) === undefined, `rule ${rule.id}: ${checkRuleDefinition(rule)}`);
    checkedRules.add(rules);
  }
}

/** A history the shell built wrongly is a programmer error. */
function assertHistory(history: CustomerHistory): void {
  const { candidate, recent } = history;
  assert(recent.length <= historyTransactionsMax, `history holds ${recent.length} transactions, more than ${historyTransactionsMax}`);
  const seen = new Set<string>([candidate.id]);
  for (const transaction of [candidate, ...recent]) {
    assert(transaction.amountMinor > 0n, `transaction ${transaction.id} amount must be positive`);
    assert(Number.isSafeInteger(transaction.atMs), `transaction ${transaction.id} time must be whole milliseconds`);
  }
  for (const transaction of recent) {
    assert(!seen.has(transaction.id), `transaction ${transaction.id} appears twice in the history`);
    seen.add(transaction.id);
    assert(transaction.customerId === candidate.customerId, `transaction ${transaction.id} is another customer's`);
    assert(transaction.atMs <= candidate.atMs, `transaction ${transaction.id} is later than the candidate`);
    assert(candidate.atMs - transaction.atMs <= historyWindowMsMax, `transaction ${transaction.id} is older than the history window`);
  }
}

/** The definition of `ruleId` in force at `atMs`, if any; two in force at once is a configuration error. */
function definitionAt(rules: readonly RuleDefinition[], ruleId: string, atMs: number): RuleDefinition | undefined {
  const inForce = rules.filter((rule) => rule.id === ruleId && effectiveAt(rule, atMs));
  assert(inForce.length <= 1, `rule ${ruleId} has ${inForce.length} definitions in force at ${atMs}`);
  return inForce[0];
}

function outcomeOf(scenario: Scenario, score: number, holdHit: boolean): DecisionOutcome {
  if (score >= scenario.blockThreshold) return 'block';
  if (holdHit) return 'hold';
  if (score >= scenario.alertThreshold) return 'alert';
  return 'allow';
}

/**
 * Weighs the scenario's rules in force at `atMs` over the history: score = Σ weight of the rules
 * that fire; block ≥ blockThreshold, else hold if a `holdForReview` rule fired, else alert ≥
 * alertThreshold, else allow. A history with a currency the rates cannot value is held, with a hit naming it.
 */
export function evaluateScenario(scenario: Scenario, rules: readonly RuleDefinition[], history: CustomerHistory, atMs: number, rates: UsdRates): Decision {
  assertConfiguration(scenario, rules);
  assertHistory(history);
  const base = { scenarioId: scenario.id, scenarioVersion: scenario.version, transactionId: history.candidate.id, atMs };
  const inForce = scenario.rules
    .map((entry) => ({ entry, definition: definitionAt(rules, entry.ruleId, atMs) }))
    .filter((pair): pair is { entry: (typeof pair)['entry']; definition: RuleDefinition } => pair.definition !== undefined)
    .sort((a, b) => compareText(a.entry.ruleId, b.entry.ruleId));
  const rulesEvaluated = inForce.map((pair) => pair.entry.ruleId);
  const unpriced = unpricedTransactions(history, rates);
  if (unpriced.length > 0) {
    const currencies = [...new Set(unpriced.map((transaction) => transaction.currency))].sort().join(',');
    const hit: DecisionHit = { ruleId: unpricedRuleId, score: 0, evidence: { transactionIds: unpriced.map((transaction) => transaction.id), values: { currencies } } };
    return { ...base, outcome: 'hold', score: 0, hits: [hit], rulesEvaluated };
  }
  const hits: DecisionHit[] = [];
  let holdHit = false;
  for (const { entry, definition } of inForce) {
    const hit = runRule(definition.parameters, history, rates);
    if (hit === null) continue;
    hits.push({ ruleId: entry.ruleId, score: entry.weight, evidence: hit.evidence });
    holdHit ||= entry.holdForReview === true;
  }
  const score = hits.reduce((total, hit) => total + hit.score, 0);
  return { ...base, outcome: outcomeOf(scenario, score, holdHit), score, hits, rulesEvaluated };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ShadowDecisions {
  /** The decision that acts. */
  readonly live: Decision;
  /** What the draft would have decided: recorded for comparison, never acted on. */
  readonly shadow: Decision;
}

/** The live scenario and a draft beside it over the same history, rules and rates. */
export function evaluateShadow(
  live: Scenario,
  draft: Scenario,
  rules: readonly RuleDefinition[],
  history: CustomerHistory,
  atMs: number,
  rates: UsdRates,
): ShadowDecisions {
  assert(live.status === 'live', `scenario ${live.id} v${live.version} is not live`);
  assert(draft.status === 'draft', `scenario ${draft.id} v${draft.version} is not a draft`);
  return { live: evaluateScenario(live, rules, history, atMs, rates), shadow: evaluateScenario(draft, rules, history, atMs, rates) };
}

/**
 * The scenario (live or draft) over stored histories, each decided at its candidate's time with the
 * rule definitions in force then; decisions in the order of the histories.
 */
export function replayScenario(scenario: Scenario, rules: readonly RuleDefinition[], histories: readonly CustomerHistory[], rates: UsdRates): Decision[] {
  assert(histories.length <= replayHistoriesMax, `${histories.length} histories, more than ${replayHistoriesMax}: page them`);
  return histories.map((history) => evaluateScenario(scenario, rules, history, history.candidate.atMs, rates));
}
