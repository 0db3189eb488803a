/**
 * The fraud models trained as the bank trains them (core/ai/training.ts) on the simulator's bank,
 * then checked where they will run: every evaluation row scored by onnxruntime (the server) and by
 * the engine's scorer (the workstation, the explanations) to 1e-6; every explanation adding up to
 * the model's raw output to 1e-9; the same seed giving the same ONNX file, byte for byte.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import {
  compileClassifier,
  compileExplainer,
  decodeOnnx,
  encodeOnnx,
  featureNames,
  simulate,
  trainFraudModels,
  trainingDataDigest,
  type FraudTrainingRun,
} from '@qenex/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntimeScorer } from '../../apps/server/src/ai/onnx-runtime';

const startMs = Date.UTC(2026, 8, 1);
const options = { seed: 7, version: 'fraud-gbdt-test.1', treeCount: 80, split: { trainDays: 24, delayDays: 4, testDays: 12, startMs } } as const;

let payments: ReturnType<typeof simulate>['events'];
let run: FraudTrainingRun;
const scorers: OnnxRuntimeScorer[] = [];

beforeAll(() => {
  payments = simulate({ seed: 11, customers: 600, days: 40, startMs }).events;
  const trained = trainFraudModels(payments, options);
  if (!trained.ok) throw new Error(trained.message);
  run = trained.value;
}, 120_000);

afterAll(async () => {
  for (const scorer of scorers) await scorer.close();
});

async function runtime(bytes: Uint8Array, missing: 'as_is' | 'zero' = 'as_is'): Promise<OnnxRuntimeScorer> {
  const scorer = await OnnxRuntimeScorer.load(bytes, { missing });
  scorers.push(scorer);
  return scorer;
}

describe('the fraud models trained on the simulator', () => {
  it('are evaluated on days after a delay, with fraud in both periods, and carry their figures and data digest', () => {
    expect(run.evaluation.matrix.rowCount).toBeGreaterThan(1_000);
    expect(run.evaluation.labels.includes(1)).toBe(true);
    expect(run.trainFraud).toBeGreaterThan(0);
    expect(run.champion.metadata.metrics.auprc).toBe(run.figures.champion.auprc);
    expect(run.champion.metadata.trainingDataDigest).toMatch(/^[0-9a-f]{64}$/);
    // The boosted trees rank fraud far above chance (the base rate is under 1%).
    expect(run.figures.champion.auprc).toBeGreaterThan(0.3);
    const decoded = decodeOnnx(encodeOnnx(run.champion), featureNames);
    expect(decoded.metadata).toEqual(run.champion.metadata);
  });

  it('train to the same ONNX file with the same seed, and to another with another seed', () => {
    const again = trainFraudModels(payments, options);
    const other = trainFraudModels(payments, { ...options, seed: 8 });
    if (!again.ok || !other.ok) throw new Error('training failed');
    const digest = (bytes: Uint8Array) => bytesToHex(sha256(bytes));
    expect(digest(encodeOnnx(again.value.champion))).toBe(digest(encodeOnnx(run.champion)));
    expect(digest(encodeOnnx(again.value.baseline))).toBe(digest(encodeOnnx(run.baseline)));
    expect(digest(encodeOnnx(other.value.champion))).not.toBe(digest(encodeOnnx(run.champion)));
  }, 120_000);

  it('agree with onnxruntime on every evaluation row to 1e-6: the champion, and the baseline with missing values as 0', async () => {
    const { matrix } = run.evaluation;
    const rows = Float32Array.from(matrix.values);
    for (const [model, missing] of [[run.champion, 'as_is'], [run.baseline, 'zero']] as const) {
      const scorer = await runtime(encodeOnnx(model), missing);
      const fromRuntime = await scorer.score(rows, matrix.rowCount);
      const ours = compileClassifier(model).probabilityBatch(matrix);
      let worst = 0;
      for (let row = 0; row < matrix.rowCount; row++) {
        expect(Number.isFinite(fromRuntime[row]!)).toBe(true);
        worst = Math.max(worst, Math.abs(fromRuntime[row]! - ours[row]!));
      }
      expect(worst, model.kind).toBeLessThanOrEqual(1e-6);
    }
  });

  it('explain every evaluation row: the expected value plus the contributions is the raw margin, to 1e-9', () => {
    const { matrix } = run.evaluation;
    for (const model of [run.champion, run.baseline]) {
      const scorer = compileClassifier(model);
      const explainer = compileExplainer(model);
      let worst = 0;
      for (let row = 0; row < matrix.rowCount; row++) {
        const values = matrix.values.subarray(row * matrix.featureCount, (row + 1) * matrix.featureCount);
        const explanation = explainer.explain(values);
        let sum = explanation.expected;
        for (const contribution of explanation.contributions) sum += contribution;
        worst = Math.max(worst, Math.abs(sum - scorer.margin(values)));
      }
      expect(worst, model.kind).toBeLessThanOrEqual(1e-9);
    }
  });

  it('explanations add up for any transaction the champion might score, missing values and extremes included (property)', () => {
    const scorer = compileClassifier(run.champion);
    const explainer = compileExplainer(run.champion);
    const value = fc.oneof(fc.double({ noNaN: false }), fc.constant(Number.NaN), fc.double({ min: -5, max: 20, noNaN: true }));
    fc.assert(
      fc.property(fc.array(value, { minLength: featureNames.length, maxLength: featureNames.length }), (row) => {
        const explanation = explainer.explain(row);
        const sum = explanation.contributions.reduce((total, contribution) => total + contribution, explanation.expected);
        expect(Math.abs(sum - scorer.margin(row))).toBeLessThanOrEqual(1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('digest their training data: the same rows the same digest, one changed label another', () => {
    const { matrix, labels } = run.evaluation;
    const digest = trainingDataDigest(matrix, labels);
    expect(trainingDataDigest(matrix, Float64Array.from(labels))).toBe(digest);
    const flipped = Float64Array.from(labels);
    flipped[0] = 1 - flipped[0]!;
    expect(trainingDataDigest(matrix, flipped)).not.toBe(digest);
    expect(digest).not.toBe(trainingDataDigest(matrix, labels, '0'.repeat(64)));
  });
});
