/**
 * The fraud models' quality on data they never saw: the simulator's bank (2,000 customers, 60
 * days, typologies injected and labelled), split by time into 35 days of training, a 7-day delay
 * (discarded: fraud is only known some days after it happens) and 18 days of evaluation. Features
 * are computed offline by the one feature definition; the boosted trees (the champion) and the
 * logistic regression (the baseline) train on the training days; the compliance rule pack scores
 * the same evaluation events from each customer's history (its weighted score as the ranking).
 *
 * - `ai.quality`: value = the champion's area under the precision-recall curve on the evaluation
 *   days; baseline = the logistic regression's; `rules` = the rule pack's; recall at 1% FPR beside.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  averagePrecision,
  compileClassifier,
  defaultRules,
  defaultScenario,
  defaultUsdRates,
  evaluateScenario,
  featureMatrix,
  featureNames,
  featuresOffline,
  parseUsdRates,
  recallAtFalsePositiveRate,
  simulate,
  splitByTime,
  trainGradientBoostedTrees,
  trainLogisticRegression,
  type FeatureMatrix,
  type MonitoredTransaction,
  type PaymentEvent,
} from '@qenex/engine';
import { check, log, type Benchmark, type Figure } from './support';

const dayMs = 86_400_000;
const startMs = Date.UTC(2026, 8, 1);
const seed = 20261201;

function rowsOf(rows: readonly Float64Array[], indices: readonly number[]): FeatureMatrix {
  return featureMatrix(indices.map((index) => Array.from(rows[index]!)), featureNames.length);
}

/** The payment as the compliance rules see it (card payments are outflows to a merchant's account). */
function monitoredOf(event: PaymentEvent): MonitoredTransaction {
  const kind = event.kind === 'card_payment' ? 'transfer_out' : event.kind;
  return {
    id: event.id,
    atMs: event.atMs,
    customerId: event.customerId,
    accountId: event.accountId,
    kind,
    amountMinor: event.amountMinor,
    currency: event.currency,
    ...(event.counterpartyAccountId === undefined ? {} : { counterpartyAccountId: event.counterpartyAccountId }),
    ...(event.country === undefined ? {} : { counterpartyCountry: event.country }),
  };
}

/** The rule pack's score for each event in `wanted`, from the customer's history before it (3 days, every payee ever paid). */
function ruleScores(events: readonly PaymentEvent[], wanted: ReadonlySet<number>): Map<number, number> {
  const rules = defaultRules(startMs - dayMs);
  const scenario = defaultScenario();
  const rates = parseUsdRates(defaultUsdRates);
  check(rates.ok, 'the published USD rates parse');
  const windowMs = 3 * dayMs;
  const recentByCustomer = new Map<string, MonitoredTransaction[]>();
  const lastByAccount = new Map<string, number>();
  const paidByCustomer = new Map<string, Set<string>>();
  const scores = new Map<number, number>();
  events.forEach((event, index) => {
    const candidate = monitoredOf(event);
    const recent = (recentByCustomer.get(event.customerId) ?? []).filter((transaction) => transaction.atMs > event.atMs - windowMs);
    if (wanted.has(index)) {
      const paid = paidByCustomer.get(event.customerId) ?? new Set<string>();
      const payee = candidate.counterpartyAccountId;
      const last = lastByAccount.get(event.accountId);
      const decision = evaluateScenario(scenario, rules, { candidate, recent, ...(last === undefined ? {} : { accountLastActivityMs: last }), paidPayeeAccountIds: payee !== undefined && paid.has(payee) ? [payee] : [] }, event.atMs, rates.value);
      scores.set(index, decision.score);
    }
    recent.push(candidate);
    recentByCustomer.set(event.customerId, recent);
    lastByAccount.set(event.accountId, event.atMs);
    if (candidate.kind === 'transfer_out' && candidate.counterpartyAccountId !== undefined) {
      const paid = paidByCustomer.get(event.customerId) ?? new Set<string>();
      paid.add(candidate.counterpartyAccountId);
      paidByCustomer.set(event.customerId, paid);
    }
  });
  return scores;
}

async function quality(): Promise<Figure> {
  let started = performance.now();
  const simulation = simulate({ seed, customers: 2_000, days: 60, startMs });
  const events = simulation.events.map((labelled) => labelled.event);
  log(`ai.quality: ${events.length} events simulated in ${Math.round(performance.now() - started)} ms`);
  started = performance.now();
  const offline = featuresOffline(events);
  log(`ai.quality: features computed offline in ${Math.round(performance.now() - started)} ms`);
  const split = splitByTime(simulation.events, { trainDays: 35, delayDays: 7, testDays: 18, startMs });
  const trainLabels = split.train.events.map((item) => (item.fraud ? 1 : 0));
  const testLabels = split.test.events.map((item) => (item.fraud ? 1 : 0));
  check(trainLabels.some((label) => label === 1) && testLabels.some((label) => label === 1), 'fraud in both periods');
  const train = rowsOf(offline.rows, split.train.indices);
  const test = rowsOf(offline.rows, split.test.indices);
  const trainingDataDigest = bytesToHex(sha256(utf8ToBytes(`${offline.featureSchemaDigest}:${seed}:${split.train.indices.length}`)));
  const metadata = { version: 'bench', trainingDataDigest, metrics: {} };
  started = performance.now();
  const champion = trainGradientBoostedTrees(train, trainLabels, { featureNames, metadata, seed, treeCount: 200, learningRate: 0.1, depthMax: 6 });
  check(champion.ok, `the boosted trees trained: ${JSON.stringify(champion.ok ? '' : champion.error)}`);
  log(`ai.quality: boosted trees trained in ${Math.round(performance.now() - started)} ms`);
  const baseline = trainLogisticRegression(train, trainLabels, { featureNames, metadata });
  check(baseline.ok, 'the logistic regression trained');
  const scoreAll = (scorer: ReturnType<typeof compileClassifier>) => Array.from({ length: test.rowCount }, (_unused, row) => scorer.probability(test.values.subarray(row * test.featureCount, (row + 1) * test.featureCount)));
  const championScores = scoreAll(compileClassifier(champion.value));
  const baselineScores = scoreAll(compileClassifier(baseline.value));
  const rules = ruleScores(events, new Set(split.test.indices));
  const rulesScores = split.test.indices.map((index) => rules.get(index)!);
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  const championAuprc = averagePrecision(championScores, testLabels);
  const baselineAuprc = averagePrecision(baselineScores, testLabels);
  const rulesAuprc = averagePrecision(rulesScores, testLabels);
  return {
    bench: 'ai.quality',
    value: round(championAuprc),
    unit: 'AUPRC of the boosted trees on the held-out days',
    baseline: round(baselineAuprc),
    baselineName: 'AUPRC of logistic regression on the same days',
    ratio: round(championAuprc / baselineAuprc),
    n: test.rowCount,
    extra: {
      rules: round(rulesAuprc),
      recall_at_1pct_fpr: round(recallAtFalsePositiveRate(championScores, testLabels, 0.01)),
      baseline_recall_at_1pct_fpr: round(recallAtFalsePositiveRate(baselineScores, testLabels, 0.01)),
      rules_recall_at_1pct_fpr: round(recallAtFalsePositiveRate(rulesScores, testLabels, 0.01)),
      fraud_in_test: testLabels.filter((label) => label === 1).length,
    },
  };
}

export const aiBenchmarks: readonly Benchmark[] = [{ name: 'ai.quality', run: quality }];
