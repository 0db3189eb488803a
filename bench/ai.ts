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
 * - `ai.score`: value = p99 milliseconds to score one evaluation payment in the server's path
 *   (its customer's and accounts' stored feature state decoded, the vector, onnxruntime); baseline
 *   = onnxruntime alone on the ready vectors. The explanation (TreeSHAP), computed only for a
 *   payment the model does not approve, is timed beside it.
 */
import {
  averagePrecision,
  compileClassifier,
  compileExplainer,
  decodeJson,
  defaultRules,
  defaultScenario,
  defaultUsdRates,
  emptyFeatureState,
  encodeJson,
  encodeOnnx,
  evaluateScenario,
  featureNames,
  featureVector,
  graphAccountIds,
  parseUsdRates,
  recallAtFalsePositiveRate,
  simulate,
  trainFraudModels,
  updateGraph,
  updateState,
  type AccountGraphState,
  type FeatureState,
  type FraudTrainingRun,
  type MonitoredTransaction,
  type PaymentEvent,
} from '@qenex/engine';
import { onnxRuntimeFactory } from '../apps/server/src/ai/onnx-runtime';
import { check, log, type Benchmark, type Figure } from './support';

const dayMs = 86_400_000;
const startMs = Date.UTC(2026, 8, 1);
const seed = 20261201;

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

interface Trained {
  readonly events: readonly PaymentEvent[];
  readonly run: FraudTrainingRun;
}

let trainedOnce: Promise<Trained> | undefined;

/** The simulated bank and the models trained on it, once per process (both benchmarks read them). */
function trained(): Promise<Trained> {
  trainedOnce ??= (async () => {
    let started = performance.now();
    const simulation = simulate({ seed, customers: 2_000, days: 60, startMs });
    log(`ai: ${simulation.events.length} events simulated in ${Math.round(performance.now() - started)} ms`);
    started = performance.now();
    let lastStage = '';
    const result = trainFraudModels(simulation.events, {
      seed,
      version: 'bench',
      treeCount: 200,
      depthMax: 6,
      learningRate: 0.1,
      split: { trainDays: 35, delayDays: 7, testDays: 18, startMs },
      onProgress: (stage, done, total) => {
        if (stage !== lastStage || done === total) log(`ai: ${stage} ${done}/${total} after ${Math.round(performance.now() - started)} ms`);
        lastStage = stage;
      },
    });
    check(result.ok, `the models trained: ${result.ok ? '' : result.message}`);
    return { events: simulation.events.map((labelled) => labelled.event), run: result.value };
  })();
  return trainedOnce;
}

async function quality(): Promise<Figure> {
  const { events, run } = await trained();
  const testLabels = run.evaluation.labels;
  const championScores = run.evaluationScores;
  const baselineScores = compileClassifier(run.baseline).probabilityBatch(run.evaluation.matrix);
  const rules = ruleScores(events, new Set(run.evaluation.indices));
  const rulesScores = run.evaluation.indices.map((index) => rules.get(index)!);
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
    n: run.evaluation.matrix.rowCount,
    extra: {
      rules: round(rulesAuprc),
      recall_at_1pct_fpr: round(recallAtFalsePositiveRate(championScores, testLabels, 0.01)),
      baseline_recall_at_1pct_fpr: round(recallAtFalsePositiveRate(baselineScores, testLabels, 0.01)),
      rules_recall_at_1pct_fpr: round(recallAtFalsePositiveRate(rulesScores, testLabels, 0.01)),
      fraud_in_test: testLabels.filter((label) => label === 1).length,
    },
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** Payments of the evaluation days one latency run scores. */
const scoredPaymentsMax = 10_000;

/**
 * One payment scored as the server scores it: the customer's stored feature state decoded (the
 * text the store keeps) with the graph states it names, the feature vector, onnxruntime on it.
 * The states are replayed from empty through every event before, exactly as the server keeps them.
 * Baseline: onnxruntime alone on the same vectors, ready, one row per call.
 */
async function scoreLatency(): Promise<Figure> {
  const { events, run } = await trained();
  const runtime = await onnxRuntimeFactory()({ document: undefined as never, model: run.champion, bytes: encodeOnnx(run.champion), onnxSha256: '' });
  const wanted = new Set(run.evaluation.indices.filter((_index, position) => position % Math.max(1, Math.floor(run.evaluation.indices.length / scoredPaymentsMax)) === 0).slice(0, scoredPaymentsMax));
  // The server's stored states before each measured payment, replayed from empty through every
  // event before it (the replay itself is not timed: the server writes a state after the command ran).
  const states = new Map<string, FeatureState>();
  const graph = new Map<string, AccountGraphState>();
  const inputs: Array<{ readonly event: PaymentEvent; readonly state: string | null; readonly graph: ReadonlyArray<readonly [string, string]> }> = [];
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    const view = new Map<string, AccountGraphState>();
    for (const accountId of graphAccountIds(event)) {
      const stored = graph.get(accountId);
      if (stored !== undefined) view.set(accountId, stored);
    }
    const before = states.get(event.customerId);
    if (wanted.has(index)) inputs.push({ event, state: before === undefined ? null : encodeJson(before), graph: [...view].map(([accountId, state]) => [accountId, encodeJson(state)] as const) });
    states.set(event.customerId, updateState(before ?? emptyFeatureState(event.customerId), event));
    for (const [accountId, changed] of updateGraph(view, event)) graph.set(accountId, changed);
  }
  const scoreOne = async (input: (typeof inputs)[number]): Promise<{ row: Float64Array; probability: number }> => {
    const state = input.state === null ? emptyFeatureState(input.event.customerId) : decodeJson<FeatureState>(input.state);
    const view = new Map<string, AccountGraphState>(input.graph.map(([accountId, text]) => [accountId, decodeJson<AccountGraphState>(text)]));
    const row = featureVector(state, view, input.event);
    return { row, probability: await runtime.score(row) };
  };
  for (const input of inputs.slice(0, 500)) await scoreOne(input); // warm up
  const timings: number[] = [];
  const vectors: Float64Array[] = [];
  const probabilities: number[] = [];
  for (const input of inputs) {
    const started = performance.now();
    const { row, probability } = await scoreOne(input);
    timings.push(performance.now() - started);
    vectors.push(row);
    probabilities.push(probability);
  }
  // The online vectors are the offline ones: the same feature definition from the same history.
  const offline = new Map(run.evaluation.indices.map((index, row) => [index, row]));
  let checked = 0;
  for (const [position, index] of [...wanted].entries()) {
    const row = offline.get(index)!;
    const expected = run.evaluation.matrix.values.subarray(row * featureNames.length, (row + 1) * featureNames.length);
    check(vectors[position]!.every((value, column) => Object.is(value, expected[column])), `online and offline vectors of event ${index} differ`);
    checked += 1;
  }
  const baseline: number[] = [];
  for (const row of vectors.slice(0, 500)) await runtime.score(row); // warm up
  for (const row of vectors) {
    const started = performance.now();
    await runtime.score(row);
    baseline.push(performance.now() - started);
  }
  const explainer = compileExplainer(run.champion);
  const explainTimings: number[] = [];
  for (const row of vectors.slice(0, 1_000)) {
    const started = performance.now();
    explainer.explain(row);
    explainTimings.push(performance.now() - started);
  }
  const sorted = Float64Array.from(timings).sort();
  const sortedBaseline = Float64Array.from(baseline).sort();
  const sortedExplain = Float64Array.from(explainTimings).sort();
  const round = (value: number) => Math.round(value * 1_000) / 1_000;
  const p99 = percentile(sorted, 0.99);
  const baselineP99 = percentile(sortedBaseline, 0.99);
  check(probabilities.every((p) => p >= 0 && p <= 1), 'every score is a probability');
  return {
    bench: 'ai.score',
    value: round(p99),
    unit: 'p99 ms to score one payment: stored feature state decoded, features, onnxruntime',
    baseline: round(baselineP99),
    baselineName: 'p99 ms of onnxruntime alone on the ready feature vector, one row per call',
    ratio: round(baselineP99 / p99),
    n: timings.length,
    extra: {
      p50_ms: round(percentile(sorted, 0.5)),
      p999_ms: round(percentile(sorted, 0.999)),
      baseline_p50_ms: round(percentile(sortedBaseline, 0.5)),
      explain_p50_ms: round(percentile(sortedExplain, 0.5)),
      explain_p99_ms: round(percentile(sortedExplain, 0.99)),
      online_equals_offline_rows: checked,
    },
  };
}

export const aiBenchmarks: readonly Benchmark[] = [
  { name: 'ai.quality', run: quality },
  { name: 'ai.score', run: scoreLatency },
];
