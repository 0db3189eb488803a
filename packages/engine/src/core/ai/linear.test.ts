import { describe, expect, it } from 'vitest';
import { trainLogisticRegression } from './linear';
import type { LinearModel } from './model';
import { createRandom, type Random } from './random';
import { compileClassifier, type FeatureMatrix } from './scorer';

const metadata = { version: 'lr-test', trainingDataDigest: '0'.repeat(64), metrics: {} };

/** Rows drawn from a known logistic model, with features on very different scales and offsets. */
function logisticData(random: Random, rowCount: number, coefficients: readonly number[], intercept: number, columns: (random: Random) => number[]): { matrix: FeatureMatrix; labels: Uint8Array } {
  const featureCount = coefficients.length;
  const values = new Float64Array(rowCount * featureCount);
  const labels = new Uint8Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const row = columns(random);
    values.set(row, r * featureCount);
    const margin = row.reduce((sum, x, f) => sum + coefficients[f]! * (Number.isNaN(x) ? 0 : x), intercept);
    labels[r] = random.nextFloat() < 1 / (1 + Math.exp(-margin)) ? 1 : 0;
  }
  return { matrix: { rowCount, featureCount, values }, labels };
}

const scaledColumns = (random: Random) => [random.nextFloat() * 2 - 1, 1000 + 200 * (random.nextFloat() - 0.5), 0.001 * (random.nextFloat() - 0.5)];
const trueCoefficients = [1.5, 0.01, -800];
const trueIntercept = -10.5;

function train(matrix: FeatureMatrix, labels: ArrayLike<number>, l2 = 0): LinearModel {
  const result = trainLogisticRegression(matrix, labels, { featureNames: ['a', 'b', 'c'].slice(0, matrix.featureCount), metadata, l2 });
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('trainLogisticRegression', () => {
  it('recovers the coefficients of the model that made the data, in raw units (the standardisation folded back)', () => {
    const { matrix, labels } = logisticData(createRandom(1), 20_000, trueCoefficients, trueIntercept, scaledColumns);
    const model = train(matrix, labels);
    expect(Math.abs(model.coefficients[0]! - 1.5)).toBeLessThan(0.1);
    expect(Math.abs(model.coefficients[1]! - 0.01) / 0.01).toBeLessThan(0.1);
    expect(Math.abs(model.coefficients[2]! + 800) / 800).toBeLessThan(0.1);
    expect(Math.abs(model.intercept - trueIntercept) / Math.abs(trueIntercept)).toBeLessThan(0.05);
  });

  it('shrinks coefficients as the L2 penalty grows', () => {
    const { matrix, labels } = logisticData(createRandom(2), 3000, trueCoefficients, trueIntercept, scaledColumns);
    const norm = (model: LinearModel) => Math.hypot(model.coefficients[0]!, model.coefficients[1]! * 58, model.coefficients[2]! * 0.00029);
    expect(norm(train(matrix, labels, 1))).toBeLessThan(norm(train(matrix, labels, 0.01)));
  });

  it('learns missing values as 0, as they are scored: NaN rows train the same model as rows with 0 in their place', () => {
    const random = createRandom(3);
    const { matrix, labels } = logisticData(random, 3000, trueCoefficients, trueIntercept, (r) => {
      const row = scaledColumns(r);
      if (r.nextFloat() < 0.2) row[1] = Number.NaN;
      return row;
    });
    const zeroed: FeatureMatrix = { ...matrix, values: matrix.values.map((x) => (Number.isNaN(x) ? 0 : x)) };
    expect(train(matrix, labels, 0.01)).toEqual(train(zeroed, labels, 0.01));
  });

  it('is deterministic and reports a falling objective after each Newton step', () => {
    const { matrix, labels } = logisticData(createRandom(4), 2000, trueCoefficients, trueIntercept, scaledColumns);
    const losses: number[] = [];
    const first = trainLogisticRegression(matrix, labels, { featureNames: ['a', 'b', 'c'], metadata, onProgress: (_step, _total, loss) => losses.push(loss) });
    const second = trainLogisticRegression(matrix, labels, { featureNames: ['a', 'b', 'c'], metadata });
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
    expect(losses.length).toBeGreaterThan(1);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThanOrEqual(losses[i - 1]!);
  });

  it('scores through the shared scorer with the trained margin', () => {
    const { matrix, labels } = logisticData(createRandom(5), 1000, trueCoefficients, trueIntercept, scaledColumns);
    const model = train(matrix, labels, 0.01);
    const row = [0.3, 1010, -0.0002];
    expect(compileClassifier(model).margin(row)).toBeCloseTo(model.intercept + 0.3 * model.coefficients[0]! + 1010 * model.coefficients[1]! - 0.0002 * model.coefficients[2]!, 10);
    expect(model.metadata).toEqual({ version: 'lr-test', trainingDataDigest: '0'.repeat(64), metrics: {}, producer: 'qenex' });
  });

  it('survives a constant column and perfectly separable data (the penalty keeps the optimum finite)', () => {
    const rows = 200;
    const values = new Float64Array(rows * 2);
    const labels = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      values[r * 2] = r < 100 ? -1 - r / 100 : 1 + r / 100;
      values[r * 2 + 1] = 7;
      labels[r] = r < 100 ? 0 : 1;
    }
    const result = trainLogisticRegression({ rowCount: rows, featureCount: 2, values }, labels, { featureNames: ['x', 'constant'], metadata, l2: 1e-3 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.coefficients.every(Number.isFinite)).toBe(true);
    expect(result.value.coefficients[1]).toBe(0);
    expect(compileClassifier(result.value).probability([2, 7])).toBeGreaterThan(0.95);
    expect(compileClassifier(result.value).probability([-2, 7])).toBeLessThan(0.05);
  });

  it('refuses rows it cannot learn from, as values', () => {
    const matrix = (values: number[]): FeatureMatrix => ({ rowCount: values.length, featureCount: 1, values: Float64Array.from(values) });
    const options = { featureNames: ['x'], metadata };
    expect(trainLogisticRegression(matrix([]), [], options)).toEqual({ ok: false, error: 'training_set_empty' });
    expect(trainLogisticRegression(matrix([1, 2]), [1, 1], options)).toEqual({ ok: false, error: 'training_labels_one_class' });
    expect(trainLogisticRegression(matrix([1, 2]), [1, 2], options)).toEqual({ ok: false, error: 'training_label_invalid' });
    expect(trainLogisticRegression(matrix([1, Infinity]), [1, 0], options)).toEqual({ ok: false, error: 'training_value_infinite' });
  });
});
