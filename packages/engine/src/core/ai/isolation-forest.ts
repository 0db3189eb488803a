/**
 * Isolation forest (Liu, Ting and Zhou, 2008): no labels, only the observation that a strange row
 * is cut off from the rest by few random splits.
 *
 * Each tree grows on ψ rows drawn without replacement from the training rows. A node picks a
 * feature at random among those not constant on its rows, and a threshold uniformly between
 * their minimum and maximum; it stops at height ceil(log₂ ψ) or with one row left and records how
 * many rows reached it (the scorer completes the depth there with c(size)). A row goes left when
 * value <= threshold, and a missing value (NaN) goes left too: a node's minimum and maximum are of
 * its present values only. Scoring is `compileIsolationForest` in scorer.ts:
 * 2^(−E[h(x)]/c(ψ)), near 1 for outliers, well below 0.5 for ordinary rows.
 */
import { assert } from '../assert';
import type { IsolationForestModel, IsolationNode } from './model';
import { createRandom, sampleWithoutReplacement, type Random } from './random';
import { checkMatrix, trainedMetadata, trainingRowCountMax, type FeatureMatrix, type Trained, type TrainingMetadata } from './scorer';

export interface IsolationForestOptions {
  readonly featureNames: readonly string[];
  readonly metadata: TrainingMetadata;
  readonly seed: number;
  /** Default 100 (the paper's choice). */
  readonly treeCount?: number;
  /** ψ, rows per tree; default 256 (the paper's choice). Fewer rows than this: all of them. */
  readonly sampleSize?: number;
}

export const isolationTreeCountMax = 10_000;
export const isolationSampleSizeMax = 1_000_000;

/** Thresholds are drawn between values, and JSON cannot carry an infinite one: such rows are refused. */
export type IsolationTrainingError = 'training_value_infinite';

export function trainIsolationForest(matrix: FeatureMatrix, options: IsolationForestOptions): Trained<IsolationForestModel, IsolationTrainingError> {
  checkMatrix(matrix);
  assert(options.featureNames.length === matrix.featureCount, 'one feature name per column');
  const treeCount = options.treeCount ?? 100;
  const sampleSizeWanted = options.sampleSize ?? 256;
  assert(Number.isInteger(treeCount) && treeCount >= 1 && treeCount <= isolationTreeCountMax, `treeCount is in [1, ${isolationTreeCountMax}]`);
  assert(Number.isInteger(sampleSizeWanted) && sampleSizeWanted >= 1 && sampleSizeWanted <= isolationSampleSizeMax, `sampleSize is in [1, ${isolationSampleSizeMax}]`);
  if (matrix.rowCount === 0) return { ok: false, error: 'training_set_empty' };
  if (matrix.rowCount > trainingRowCountMax) return { ok: false, error: 'training_set_too_large' };
  for (const value of matrix.values) if (value === Infinity || value === -Infinity) return { ok: false, error: 'training_value_infinite' };

  const random = createRandom(options.seed);
  const sampleSize = Math.min(sampleSizeWanted, matrix.rowCount);
  const heightLimit = Math.ceil(Math.log2(sampleSize));
  const trees = [];
  for (let t = 0; t < treeCount; t++) {
    const rows = sampleWithoutReplacement(matrix.rowCount, sampleSize, random);
    const nodes: IsolationNode[] = [];
    growNode(matrix, rows, 0, heightLimit, random, nodes);
    trees.push({ nodes });
  }
  return {
    ok: true,
    value: {
      kind: 'isolation_forest',
      featureNames: [...options.featureNames],
      sampleSize,
      trees,
      metadata: trainedMetadata(options.metadata, options.seed),
    },
  };
}

/** Appends the subtree over `rows` to `nodes` in preorder; returns its root's index. */
function growNode(matrix: FeatureMatrix, rows: Int32Array, depth: number, heightLimit: number, random: Random, nodes: IsolationNode[]): number {
  const index = nodes.length;
  const cut = depth < heightLimit && rows.length > 1 ? chooseCut(matrix, rows, random) : undefined;
  if (cut === undefined) {
    nodes.push({ size: rows.length });
    return index;
  }
  nodes.push({ size: rows.length }); // replaced below, once the children's indices are known
  const { featureCount, values } = matrix;
  const goesLeft = (row: number): boolean => {
    const value = values[row * featureCount + cut.feature]!;
    return value <= cut.threshold || value !== value;
  };
  const left = growNode(matrix, rows.filter(goesLeft), depth + 1, heightLimit, random, nodes);
  const right = growNode(matrix, rows.filter((row) => !goesLeft(row)), depth + 1, heightLimit, random, nodes);
  nodes[index] = { feature: cut.feature, threshold: cut.threshold, left, right };
  return index;
}

/**
 * A random feature among those with two distinct present values on these rows (tried in random
 * order), and a threshold uniform in [minimum, maximum): both sides keep at least one row.
 */
function chooseCut(matrix: FeatureMatrix, rows: Int32Array, random: Random): { feature: number; threshold: number } | undefined {
  const { featureCount, values } = matrix;
  const order = Int32Array.from({ length: featureCount }, (_, f) => f);
  for (let tried = 0; tried < featureCount; tried++) {
    const pick = tried + random.nextInt(featureCount - tried);
    const feature = order[pick]!;
    order[pick] = order[tried]!;
    order[tried] = feature;
    let minimum = Infinity;
    let maximum = -Infinity;
    for (const row of rows) {
      const value = values[row * featureCount + feature]!;
      if (value < minimum) minimum = value;
      if (value > maximum) maximum = value;
    }
    if (!(minimum < maximum)) continue;
    let threshold = minimum + random.nextFloat() * (maximum - minimum);
    // Rounding can land on the maximum: cut at the minimum instead.
    if (!(threshold >= minimum && threshold < maximum)) threshold = minimum;
    return { feature, threshold };
  }
  return undefined;
}
