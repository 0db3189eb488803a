import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AssertionError } from '../assert';
import { dayMs } from './limits';
import { parseUsdRates, type UsdRates } from './value';
import { checkRuleDefinition, checkScenario, evaluateScenario, evaluateShadow, replayScenario, unpricedRuleId } from './scenario';
import type { CustomerHistory, MonitoredTransaction, MonitoredTransactionKind, RuleDefinition, Scenario } from './types';

const parsedRates = parseUsdRates({ EUR: '1.25' });
if (!parsedRates.ok) throw new Error(parsedRates.error);
const rates: UsdRates = parsedRates.value;

const nowMs = Date.UTC(2025, 3, 1, 12);
const changeMs = Date.UTC(2025, 3, 1);
function tx(id: string, kind: MonitoredTransactionKind, amountMinor: bigint, atMs: number, extra: Partial<MonitoredTransaction> = {}): MonitoredTransaction {
  return { id, atMs, customerId: 'c1', accountId: 'a1', kind, amountMinor, currency: 'USD', ...extra };
}

const rules: RuleDefinition[] = [
  { id: 'ctr', effectiveFromMs: 0, parameters: { kind: 'cash_over_ctr', thresholdUsdMinor: 1_000_000n } },
  // Two versions of one rule: the limit was lowered at changeMs.
  { id: 'large-new-payee', effectiveFromMs: 0, effectiveUntilMs: changeMs, parameters: { kind: 'new_payee_large', amountMinUsdMinor: 1_000_000n } },
  { id: 'large-new-payee', effectiveFromMs: changeMs, parameters: { kind: 'new_payee_large', amountMinUsdMinor: 500_000n } },
  { id: 'jurisdiction', effectiveFromMs: 0, parameters: { kind: 'high_risk_jurisdiction', lists: [{ version: 'v1', effectiveFromMs: 0, countries: ['IR'] }] } },
  { id: 'velocity', effectiveFromMs: nowMs + 1, parameters: { kind: 'velocity', windowMs: dayMs, countMax: 0, amountMaxUsdMinor: 0n } },
];
const live: Scenario = {
  id: 'retail',
  version: 3,
  status: 'live',
  rules: [
    { ruleId: 'large-new-payee', weight: 40 },
    { ruleId: 'ctr', weight: 50 },
    { ruleId: 'jurisdiction', weight: 30, holdForReview: true },
    { ruleId: 'velocity', weight: 100 },
  ],
  alertThreshold: 40,
  blockThreshold: 80,
};
const draft: Scenario = { ...live, version: 4, status: 'draft', rules: live.rules.map((rule) => (rule.ruleId === 'ctr' ? { ...rule, weight: 80 } : rule)) };

const history = (candidate: MonitoredTransaction, recent: MonitoredTransaction[] = []): CustomerHistory => ({ candidate, recent, paidPayeeAccountIds: [] });

describe('evaluateScenario', () => {
  it('allows a transaction no rule fires on, and lists only the rules in force', () => {
    const decision = evaluateScenario(live, rules, history(tx('t1', 'cash_deposit', 100n, nowMs)), nowMs, rates);
    expect(decision).toEqual({ scenarioId: 'retail', scenarioVersion: 3, transactionId: 't1', atMs: nowMs, outcome: 'allow', score: 0, hits: [], rulesEvaluated: ['ctr', 'jurisdiction', 'large-new-payee'] });
  });
  it('alerts at the alert threshold, with the weight and evidence of the hit', () => {
    const decision = evaluateScenario(live, rules, history(tx('t1', 'cash_deposit', 1_000_001n, nowMs)), nowMs, rates);
    expect(decision.outcome).toBe('alert');
    expect(decision.score).toBe(50);
    expect(decision.hits).toEqual([{ ruleId: 'ctr', score: 50, evidence: expect.objectContaining({ transactionIds: ['t1'] }) }]);
  });
  it('stays at allow one point under the alert threshold', () => {
    const scenario = { ...live, alertThreshold: 51, blockThreshold: 80 };
    expect(evaluateScenario(scenario, rules, history(tx('t1', 'cash_deposit', 1_000_001n, nowMs)), nowMs, rates).outcome).toBe('allow');
  });
  it('blocks at the block threshold, hits ordered by rule id', () => {
    const candidate = tx('t1', 'transfer_out', 600_000n, nowMs, { counterpartyAccountId: 'p1', counterpartyCountry: 'IR' });
    const decision = evaluateScenario(live, rules, history(candidate), nowMs, rates);
    expect(decision.hits.map((hit) => hit.ruleId)).toEqual(['jurisdiction', 'large-new-payee']);
    expect(decision.score).toBe(70);
    expect(decision.outcome).toBe('hold'); // 70 < 80, but the jurisdiction rule holds for review
    expect(evaluateScenario({ ...live, blockThreshold: 70 }, rules, history(candidate), nowMs, rates).outcome).toBe('block');
  });
  it('uses the rule version in force at the evaluation time', () => {
    const candidate = tx('t1', 'transfer_out', 600_000n, nowMs, { counterpartyAccountId: 'p1' });
    expect(evaluateScenario(live, rules, history(candidate), nowMs, rates).hits.map((hit) => hit.ruleId)).toEqual(['large-new-payee']);
    expect(evaluateScenario(live, rules, history(candidate), changeMs - 1, rates).hits).toEqual([]);
  });
  it('holds a history with a currency the rates cannot value', () => {
    const decision = evaluateScenario(live, rules, history(tx('t1', 'cash_deposit', 100n, nowMs, { currency: 'GBP' })), nowMs, rates);
    expect(decision.outcome).toBe('hold');
    expect(decision.hits).toEqual([{ ruleId: unpricedRuleId, score: 0, evidence: { transactionIds: ['t1'], values: { currencies: 'GBP' } } }]);
  });
  it('refuses a history with another customer or a later transaction as a programmer error', () => {
    const candidate = tx('t1', 'cash_deposit', 100n, nowMs);
    expect(() => evaluateScenario(live, rules, history(candidate, [tx('t0', 'cash_deposit', 1n, nowMs, { customerId: 'c2' })]), nowMs, rates)).toThrow(AssertionError);
    expect(() => evaluateScenario(live, rules, history(candidate, [tx('t2', 'cash_deposit', 1n, nowMs + 1)]), nowMs, rates)).toThrow(AssertionError);
  });
  it('is deterministic and independent of the order of the history', () => {
    const arbitrary = fc.uniqueArray(
      fc.record({ id: fc.string({ minLength: 1, maxLength: 3 }), amountMinor: fc.bigInt({ min: 1n, max: 800_000n }), offsetMs: fc.integer({ min: 0, max: 2 * dayMs }), kind: fc.constantFrom<MonitoredTransactionKind>('cash_deposit', 'cash_withdrawal', 'transfer_out') }),
      { selector: (spec) => spec.id, maxLength: 12 },
    );
    fc.assert(
      fc.property(arbitrary, fc.func(fc.integer()), (specs, key) => {
        const recent = specs.map((spec) => tx(`r${spec.id}`, spec.kind, spec.amountMinor, nowMs - spec.offsetMs, { counterpartyAccountId: 'p1' }));
        const candidate = tx('cand', 'cash_deposit', 500_000n, nowMs);
        const shuffled = [...recent].sort((a, b) => key(a.id) - key(b.id));
        const first = evaluateScenario(live, rules, history(candidate, recent), nowMs, rates);
        expect(evaluateScenario(live, rules, history(candidate, recent), nowMs, rates)).toEqual(first);
        expect(evaluateScenario(live, rules, history(candidate, shuffled), nowMs, rates)).toEqual(first);
      }),
    );
  });
});

describe('evaluateShadow and replayScenario', () => {
  it('decides with the live scenario and records what the draft would have done', () => {
    const { live: acting, shadow } = evaluateShadow(live, draft, rules, history(tx('t1', 'cash_deposit', 1_000_001n, nowMs)), nowMs, rates);
    expect([acting.scenarioVersion, acting.outcome]).toEqual([3, 'alert']);
    expect([shadow.scenarioVersion, shadow.outcome]).toEqual([4, 'block']);
  });
  it('refuses a draft in the live place', () => {
    expect(() => evaluateShadow(draft, live, rules, history(tx('t1', 'cash_deposit', 1n, nowMs)), nowMs, rates)).toThrow(AssertionError);
  });
  it('replays stored histories, each at its own time with the rules then in force', () => {
    const before = history(tx('old', 'transfer_out', 600_000n, changeMs - dayMs, { counterpartyAccountId: 'p1' }));
    const after = history(tx('new', 'transfer_out', 600_000n, nowMs, { counterpartyAccountId: 'p1' }));
    const decisions = replayScenario(draft, rules, [before, after], rates);
    expect(decisions.map((decision) => [decision.transactionId, decision.outcome, decision.scenarioVersion])).toEqual([
      ['old', 'allow', 4],
      ['new', 'alert', 4],
    ]);
  });
});

describe('configuration checks', () => {
  it('refuses thresholds out of order, repeated rules and empty periods', () => {
    expect(checkScenario(live)).toBeUndefined();
    expect(checkScenario({ ...live, alertThreshold: 90 })).toBe('thresholds_out_of_order');
    expect(checkScenario({ ...live, rules: [...live.rules, { ruleId: 'ctr', weight: 1 }] })).toBe('rule_repeated');
    expect(checkRuleDefinition({ id: 'x', effectiveFromMs: 5, effectiveUntilMs: 5, parameters: { kind: 'cash_over_ctr', thresholdUsdMinor: 1n } })).toBe('effective_period_empty');
    expect(checkRuleDefinition({ id: 'x', effectiveFromMs: 0, parameters: { kind: 'velocity', windowMs: 0, countMax: 1, amountMaxUsdMinor: 1n } })).toBe('window_out_of_range');
  });
});
