/**
 * The baseline: L2-regularised logistic regression, fitted by Newton's method (IRLS) with a
 * backtracking line search. No randomness: the same rows give the same coefficients.
 *
 * Features are standardised while fitting (so one penalty suits features of any scale and the
 * Hessian is well conditioned), and the standardisation is folded back into the coefficients and
 * intercept, so the model scores raw values.
 *
 * Missing values (NaN) are imputed as 0 in raw units before standardising: that is exactly what
 * the scorer does with a NaN (it adds nothing to the margin), so the model is trained on what it
 * will see. Imputing the mean instead would need the means at scoring time, and a LinearModel has
 * nowhere to keep them; with it, a missing value would score as 0 but have been learned as the mean.
 *
 * The objective is mean log loss + (l2 / 2)·Σβ² over the standardised coefficients β (the
 * intercept is not penalised).
 */
import { assert } from '../assert';
import type { LinearModel } from './model';
import { checkLabelledSet, trainedMetadata, type FeatureMatrix, type Trained, type TrainingMetadata } from './scorer';

export interface LinearTrainingOptions {
  readonly featureNames: readonly string[];
  readonly metadata: TrainingMetadata;
  /** The L2 penalty on standardised coefficients; default 1e-4. */
  readonly l2?: number;
  /** Newton steps at most; default 50. */
  readonly iterationCountMax?: number;
  /** Stop when every gradient component is below this; default 1e-9. */
  readonly gradientTolerance?: number;
  /** Called after each Newton step with the objective reached. */
  readonly onProgress?: (step: number, total: number, loss: number) => void;
}

export const linearIterationCountMax = 1000;
const lineSearchHalvingsMax = 40;

export type LinearTrainingError = 'training_value_infinite';

export function trainLogisticRegression(matrix: FeatureMatrix, labels: ArrayLike<number>, options: LinearTrainingOptions): Trained<LinearModel, LinearTrainingError> {
  assert(options.featureNames.length === matrix.featureCount, 'one feature name per column');
  const l2 = options.l2 ?? 1e-4;
  const iterationCount = options.iterationCountMax ?? 50;
  const tolerance = options.gradientTolerance ?? 1e-9;
  assert(l2 >= 0 && Number.isFinite(l2), 'l2 is finite and non-negative');
  assert(Number.isInteger(iterationCount) && iterationCount >= 1 && iterationCount <= linearIterationCountMax, `iterations are in [1, ${linearIterationCountMax}]`);
  assert(tolerance > 0, 'the gradient tolerance is positive');
  const problem = checkLabelledSet(matrix, labels);
  if (problem !== undefined) return { ok: false, error: problem };
  for (const value of matrix.values) if (value === Infinity || value === -Infinity) return { ok: false, error: 'training_value_infinite' };

  const scaling = standardisation(matrix);
  const fit = new NewtonFit(matrix, labels, scaling, l2);
  let loss = fit.objective(fit.theta);
  for (let step = 1; step <= iterationCount; step++) {
    const { gradient, hessian } = fit.derivatives();
    if (maxAbs(gradient) < tolerance) break;
    const direction = solveSymmetric(hessian, gradient, fit.dimension);
    const next = fit.lineSearch(direction, gradient, loss);
    // No step decreases the objective: θ is at the optimum to the precision of doubles.
    if (next === undefined) break;
    loss = next;
    options.onProgress?.(step, iterationCount, loss);
  }
  return { ok: true, value: foldedModel(fit.theta, scaling, options) };
}

interface Standardisation {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

/** Column means and standard deviations with NaN counted as 0 (a constant column gets scale 1). */
function standardisation(matrix: FeatureMatrix): Standardisation {
  const { rowCount, featureCount, values } = matrix;
  const mean = new Float64Array(featureCount);
  const scale = new Float64Array(featureCount);
  for (let r = 0; r < rowCount; r++) {
    for (let f = 0; f < featureCount; f++) mean[f]! += filled(values[r * featureCount + f]!);
  }
  for (let f = 0; f < featureCount; f++) mean[f]! /= rowCount;
  for (let r = 0; r < rowCount; r++) {
    for (let f = 0; f < featureCount; f++) {
      const deviation = filled(values[r * featureCount + f]!) - mean[f]!;
      scale[f]! += deviation * deviation;
    }
  }
  for (let f = 0; f < featureCount; f++) {
    const deviation = Math.sqrt(scale[f]! / rowCount);
    scale[f] = deviation > 0 ? deviation : 1;
  }
  return { mean, scale };
}

function filled(value: number): number {
  return value === value ? value : 0;
}

/** θ = [intercept, β₁ … β_p] over standardised features. */
class NewtonFit {
  readonly dimension: number;
  theta: Float64Array;
  private readonly row: Float64Array;

  constructor(
    private readonly matrix: FeatureMatrix,
    private readonly labels: ArrayLike<number>,
    private readonly scaling: Standardisation,
    private readonly l2: number,
  ) {
    this.dimension = matrix.featureCount + 1;
    this.theta = new Float64Array(this.dimension);
    this.row = new Float64Array(this.dimension);
    let positives = 0;
    for (let i = 0; i < labels.length; i++) positives += labels[i]!;
    const rate = positives / labels.length;
    this.theta[0] = Math.log(rate / (1 - rate));
  }

  /** Standardised row r into this.row, with the constant 1 first. */
  private load(r: number): Float64Array {
    const { featureCount, values } = this.matrix;
    const { mean, scale } = this.scaling;
    const row = this.row;
    row[0] = 1;
    for (let f = 0; f < featureCount; f++) row[f + 1] = (filled(values[r * featureCount + f]!) - mean[f]!) / scale[f]!;
    return row;
  }

  private marginOf(row: Float64Array, theta: Float64Array): number {
    let margin = 0;
    for (let j = 0; j < this.dimension; j++) margin += theta[j]! * row[j]!;
    return margin;
  }

  objective(theta: Float64Array): number {
    const rowCount = this.matrix.rowCount;
    let total = 0;
    for (let r = 0; r < rowCount; r++) total += logLossOfMargin(this.marginOf(this.load(r), theta), this.labels[r]!);
    return total / rowCount + this.penalty(theta);
  }

  private penalty(theta: Float64Array): number {
    let sum = 0;
    for (let j = 1; j < this.dimension; j++) sum += theta[j]! * theta[j]!;
    return (this.l2 / 2) * sum;
  }

  /** The gradient and the Hessian's upper triangle (row-major, dimension²) at θ. */
  derivatives(): { gradient: Float64Array; hessian: Float64Array } {
    const d = this.dimension;
    const rowCount = this.matrix.rowCount;
    const gradient = new Float64Array(d);
    const hessian = new Float64Array(d * d);
    for (let r = 0; r < rowCount; r++) {
      const row = this.load(r);
      const p = sigmoid(this.marginOf(row, this.theta));
      const residual = p - this.labels[r]!;
      const weight = p * (1 - p);
      for (let a = 0; a < d; a++) {
        const za = row[a]!;
        gradient[a]! += residual * za;
        const weighted = weight * za;
        for (let b = a; b < d; b++) hessian[a * d + b]! += weighted * row[b]!;
      }
    }
    for (let a = 0; a < d; a++) {
      gradient[a]! /= rowCount;
      for (let b = a; b < d; b++) hessian[a * d + b]! /= rowCount;
    }
    for (let a = 1; a < d; a++) {
      gradient[a]! += this.l2 * this.theta[a]!;
      hessian[a * d + a]! += this.l2;
    }
    return { gradient, hessian };
  }

  /** θ ← θ − t·direction for the first t in 1, ½, ¼ … that decreases the objective enough (Armijo). */
  lineSearch(direction: Float64Array, gradient: Float64Array, loss: number): number | undefined {
    let slope = 0;
    for (let j = 0; j < this.dimension; j++) slope -= gradient[j]! * direction[j]!;
    const candidate = new Float64Array(this.dimension);
    let step = 1;
    for (let halving = 0; halving <= lineSearchHalvingsMax; halving++) {
      for (let j = 0; j < this.dimension; j++) candidate[j] = this.theta[j]! - step * direction[j]!;
      const next = this.objective(candidate);
      if (next <= loss + 1e-4 * step * slope) {
        this.theta = candidate;
        return next;
      }
      step /= 2;
    }
    return undefined;
  }
}

function sigmoid(margin: number): number {
  return 1 / (1 + Math.exp(-margin));
}

/** log(1 + e^m) − y·m, without overflow for large |m|. */
function logLossOfMargin(margin: number, label: number): number {
  return Math.max(margin, 0) + Math.log1p(Math.exp(-Math.abs(margin))) - label * margin;
}

function maxAbs(values: Float64Array): number {
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  return largest;
}

/**
 * Solves H·x = g for symmetric positive definite H given by its upper triangle (Cholesky). A
 * penalty of 0 with a constant or duplicated column leaves H singular: a ridge growing from
 * 1e-12 of its largest diagonal entry is added until it factors.
 */
export function solveSymmetric(upper: Float64Array, right: Float64Array, d: number): Float64Array {
  let diagonalMax = 0;
  for (let a = 0; a < d; a++) diagonalMax = Math.max(diagonalMax, upper[a * d + a]!);
  for (let ridge = 0; ; ridge = ridge === 0 ? 1e-12 * (diagonalMax || 1) : ridge * 100) {
    const factor = cholesky(upper, d, ridge);
    if (factor !== undefined) return choleskySolve(factor, right, d);
    assert(ridge < diagonalMax * 1e6 + 1, 'the Hessian factors once a ridge is added');
  }
}

/** Lower-triangular L with L·Lᵀ = H + ridge·I, or undefined when it is not positive definite. */
function cholesky(upper: Float64Array, d: number, ridge: number): Float64Array | undefined {
  const lower = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = upper[j * d + i]! + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) sum -= lower[i * d + k]! * lower[j * d + k]!;
      if (i === j) {
        if (!(sum > 0)) return undefined;
        lower[i * d + i] = Math.sqrt(sum);
      } else {
        lower[i * d + j] = sum / lower[j * d + j]!;
      }
    }
  }
  return lower;
}

function choleskySolve(lower: Float64Array, right: Float64Array, d: number): Float64Array {
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = right[i]!;
    for (let k = 0; k < i; k++) sum -= lower[i * d + k]! * y[k]!;
    y[i] = sum / lower[i * d + i]!;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < d; k++) sum -= lower[k * d + i]! * x[k]!;
    x[i] = sum / lower[i * d + i]!;
  }
  return x;
}

/** margin = b₀ + Σβ(x − μ)/s = (b₀ − Σβμ/s) + Σ(β/s)·x. */
function foldedModel(theta: Float64Array, scaling: Standardisation, options: LinearTrainingOptions): LinearModel {
  const featureCount = scaling.mean.length;
  const coefficients: number[] = [];
  let intercept = theta[0]!;
  for (let f = 0; f < featureCount; f++) {
    const coefficient = theta[f + 1]! / scaling.scale[f]!;
    coefficients.push(coefficient);
    intercept -= coefficient * scaling.mean[f]!;
  }
  return {
    kind: 'linear',
    featureNames: [...options.featureNames],
    intercept,
    coefficients,
    metadata: trainedMetadata(options.metadata, undefined),
  };
}
