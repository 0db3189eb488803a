/**
 * One training run of the fraud models, the same in the benchmark, the tests and the bank's
 * retraining: features computed offline by the one feature definition, a split by time (training
 * days, a delay while fraud is still being discovered, evaluation days), the champion (boosted
 * trees) and the baseline (logistic regression) trained on the training days and measured on the
 * evaluation days. Labels are the simulator's, or an investigator's outcome where a case gave one.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { assert } from '../assert';
import { featureNames, featureSchemaDigest, featuresOffline, type PaymentEvent } from './features';
import { trainGradientBoostedTrees } from './gbdt';
import { trainLogisticRegression } from './linear';
import { areaUnderRoc, averagePrecision, quantileEdges, recallAtFalsePositiveRate } from './metrics';
import type { LinearModel, TreeEnsembleModel } from './model';
import { compileClassifier, type FeatureMatrix } from './scorer';
import { splitByTime, type TimeSplitOptions } from './simulator';

/** An event and whether it was fraud: from the simulator, or from a case's outcome. */
export interface LabelledPayment {
  readonly event: PaymentEvent;
  readonly fraud: boolean;
}

/** Evaluation rows kept with a run (their features and labels), at most this many. */
export const evaluationRowsKeptMax = 1_000_000;

/**
 * SHA-256 (hex) of a labelled matrix: the feature schema, the shape, then each row's values as
 * float64 little-endian (every NaN as the one canonical NaN) and its label. The same rows in the
 * same order give the same digest on every machine.
 */
export function trainingDataDigest(matrix: FeatureMatrix, labels: ArrayLike<number>, schemaDigest: string = featureSchemaDigest): string {
  assert(labels.length === matrix.rowCount, 'one label per row');
  const hash = sha256.create();
  hash.update(utf8ToBytes(`qenex.training/v1 ${schemaDigest} ${matrix.rowCount}x${matrix.featureCount}\n`));
  const row = new Float64Array(matrix.featureCount + 1);
  const bytes = new Uint8Array(row.buffer);
  for (let r = 0; r < matrix.rowCount; r++) {
    for (let f = 0; f < matrix.featureCount; f++) {
      const value = matrix.values[r * matrix.featureCount + f]!;
      row[f] = value === value ? value : Number.NaN;
    }
    row[matrix.featureCount] = labels[r]!;
    // Float64Array is in the platform's byte order: little-endian on every platform Node runs on.
    hash.update(bytes);
  }
  return bytesToHex(hash.digest());
}

export interface FraudTrainingOptions {
  readonly seed: number;
  readonly split: TimeSplitOptions;
  /** The champion's version (its metadata, what decisions name). */
  readonly version: string;
  readonly treeCount?: number;
  readonly depthMax?: number;
  readonly learningRate?: number;
  readonly onProgress?: (stage: 'features' | 'champion' | 'baseline' | 'evaluation', done: number, total: number) => void;
}

export interface FraudModelFigures {
  readonly auprc: number;
  readonly auc: number;
  readonly recall_at_1pct_fpr: number;
}

export interface FraudTrainingRun {
  readonly champion: TreeEnsembleModel;
  readonly baseline: LinearModel;
  readonly figures: { readonly champion: FraudModelFigures; readonly baseline: FraudModelFigures };
  readonly trainRows: number;
  readonly trainFraud: number;
  /** The evaluation days' features and labels, in event order (for agreement checks and drift references). */
  readonly evaluation: { readonly matrix: FeatureMatrix; readonly labels: Float64Array; readonly indices: readonly number[] };
  /** Quantile edges of the champion's evaluation scores: the reference its drift is measured against. */
  readonly scoreEdges: Float64Array;
  readonly evaluationScores: Float64Array;
}

export type FraudTrainingError = 'no_fraud_in_training' | 'no_fraud_in_evaluation' | 'training_failed';

function figuresOf(scores: ArrayLike<number>, labels: ArrayLike<number>): FraudModelFigures {
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  return { auprc: round(averagePrecision(scores, labels)), auc: round(areaUnderRoc(scores, labels)), recall_at_1pct_fpr: round(recallAtFalsePositiveRate(scores, labels, 0.01)) };
}

function rowsOf(rows: readonly Float64Array[], indices: readonly number[]): FeatureMatrix {
  const featureCount = featureNames.length;
  const values = new Float64Array(indices.length * featureCount);
  indices.forEach((index, row) => values.set(rows[index]!, row * featureCount));
  return { rowCount: indices.length, featureCount, values };
}

/** Trains the champion and the baseline on the training days and measures both on the evaluation days. */
export function trainFraudModels(payments: readonly LabelledPayment[], options: FraudTrainingOptions): { ok: true; value: FraudTrainingRun } | { ok: false; error: FraudTrainingError; message: string } {
  options.onProgress?.('features', 0, payments.length);
  const offline = featuresOffline(payments.map((payment) => payment.event));
  options.onProgress?.('features', payments.length, payments.length);
  // featuresOffline keeps the input's order; the split reads times only.
  const split = splitByTime(payments.map((payment) => ({ event: payment.event, fraud: payment.fraud, typology: 'none' as const })), options.split);
  const trainLabels = Float64Array.from(split.train.indices, (index) => (payments[index]!.fraud ? 1 : 0));
  const testLabels = Float64Array.from(split.test.indices, (index) => (payments[index]!.fraud ? 1 : 0));
  if (!trainLabels.includes(1)) return { ok: false, error: 'no_fraud_in_training', message: 'The training days hold no fraud to learn from.' };
  if (!testLabels.includes(1)) return { ok: false, error: 'no_fraud_in_evaluation', message: 'The evaluation days hold no fraud to measure on.' };
  assert(split.test.indices.length <= evaluationRowsKeptMax, `at most ${evaluationRowsKeptMax} evaluation rows`);
  const train = rowsOf(offline.rows, split.train.indices);
  const test = rowsOf(offline.rows, split.test.indices);
  const digest = trainingDataDigest(train, trainLabels, offline.featureSchemaDigest);
  const treeCount = options.treeCount ?? 200;
  const champion = trainGradientBoostedTrees(train, trainLabels, {
    featureNames,
    metadata: { version: options.version, trainingDataDigest: digest, metrics: {} },
    seed: options.seed,
    treeCount,
    depthMax: options.depthMax ?? 6,
    learningRate: options.learningRate ?? 0.1,
    onProgress: (step, total) => options.onProgress?.('champion', step, total),
  });
  if (!champion.ok) return { ok: false, error: 'training_failed', message: `The boosted trees did not train: ${champion.error}.` };
  options.onProgress?.('baseline', 0, 1);
  const baseline = trainLogisticRegression(train, trainLabels, { featureNames, metadata: { version: `${options.version}-baseline`, trainingDataDigest: digest, metrics: {} } });
  if (!baseline.ok) return { ok: false, error: 'training_failed', message: `The logistic regression did not train: ${baseline.error}.` };
  options.onProgress?.('baseline', 1, 1);
  const championScores = compileClassifier(champion.value).probabilityBatch(test);
  const baselineScores = compileClassifier(baseline.value).probabilityBatch(test);
  const figures = { champion: figuresOf(championScores, testLabels), baseline: figuresOf(baselineScores, testLabels) };
  options.onProgress?.('evaluation', 1, 1);
  // The figures go into each model's metadata (and so into its ONNX file).
  const withMetrics = <M extends TreeEnsembleModel | LinearModel>(model: M, measured: FraudModelFigures): M => ({ ...model, metadata: { ...model.metadata, metrics: { ...measured } } });
  return {
    ok: true,
    value: {
      champion: withMetrics(champion.value, figures.champion),
      baseline: withMetrics(baseline.value, figures.baseline),
      figures,
      trainRows: train.rowCount,
      trainFraud: trainLabels.reduce((sum, label) => sum + label, 0),
      evaluation: { matrix: test, labels: testLabels, indices: split.test.indices },
      scoreEdges: quantileEdges(championScores, 10),
      evaluationScores: championScores,
    },
  };
}
