/**
 * Our scorer: a model compiled once into flat typed arrays, then scored row by row or in batches.
 *
 * Tree ensembles follow onnxruntime's ai.onnx.ml TreeEnsembleClassifier for float input with
 * BRANCH_LEQ and post_transform LOGISTIC, so a model we export scores the same there:
 * - each input value is rounded to float32 (Math.fround) before it is compared;
 * - a node sends the row left when value <= threshold (thresholds are float32 already);
 * - a missing value (NaN) goes left exactly when the node says missingLeft;
 * - margin = baseMargin + Σ leaf values, added in double in tree order. onnxruntime adds them in
 *   float32 for float input, so its margin can differ from ours in the last float32 places; the
 *   double sum is the one training measured and the one TreeSHAP's explanations add up to.
 *
 * Linear models: margin = intercept + Σ coefficient·value, where a missing value (NaN) adds
 * nothing (it counts as 0, the value the linear trainer imputes for it). ONNX's LinearClassifier
 * has no notion of missing and would return NaN: impute before exporting rows to it.
 *
 * Isolation forests: the anomaly score 2^(−E[h(x)]/c(ψ)) of Liu, Ting and Zhou (2008), where h(x)
 * is the depth of the external node x reaches plus c(size) for the rows that node still held.
 */
import { assert, unreachable } from '../assert';
import { isLeaf, logistic, treeShapeProblem, type ClassifierModel, type IsolationForestModel, type LinearModel, type ModelMetadata, type Tree, type TreeEnsembleModel } from './model';

/** Rows of features, row-major: value (row, feature) is values[row · featureCount + feature]. */
export interface FeatureMatrix {
  readonly rowCount: number;
  readonly featureCount: number;
  readonly values: Float64Array;
}

/** The largest vector a model scores: far above any feature schema, low enough to catch garbage. */
export const featureCountMax = 10_000;
/** The most nodes one compiled model holds (across all its trees). */
export const modelNodeCountMax = 50_000_000;

export function featureMatrix(rows: readonly (readonly number[])[], featureCount: number): FeatureMatrix {
  assert(Number.isInteger(featureCount) && featureCount >= 1 && featureCount <= featureCountMax, 'a feature count is in [1, featureCountMax]');
  const values = new Float64Array(rows.length * featureCount);
  rows.forEach((row, index) => {
    assert(row.length === featureCount, `row ${index} has ${row.length} features, the matrix has ${featureCount}`);
    values.set(row, index * featureCount);
  });
  return { rowCount: rows.length, featureCount, values };
}

export function matrixRow(matrix: FeatureMatrix, row: number): Float64Array {
  return matrix.values.subarray(row * matrix.featureCount, (row + 1) * matrix.featureCount);
}

export function checkMatrix(matrix: FeatureMatrix): void {
  assert(Number.isInteger(matrix.rowCount) && matrix.rowCount >= 0, 'a row count is a non-negative integer');
  assert(Number.isInteger(matrix.featureCount) && matrix.featureCount >= 1 && matrix.featureCount <= featureCountMax, 'a feature count is in [1, featureCountMax]');
  assert(matrix.values.length === matrix.rowCount * matrix.featureCount, 'a matrix holds rowCount × featureCount values');
}

// ---------------------------------------------------------------------------------------------
// Training sets: the shape every trainer reads (kept beside the matrix they are made of).

/** What a trainer is told about the model it makes; it adds the seed and the producer itself. */
export type TrainingMetadata = Omit<ModelMetadata, 'seed' | 'producer'>;

/** The most rows a trainer takes: the binned copy and the gradients must fit in memory. */
export const trainingRowCountMax = 20_000_000;

/** Why a trainer could not learn from the rows it was given (the data's fault, not the caller's). */
export type TrainingSetError = 'training_set_empty' | 'training_set_too_large' | 'training_label_invalid' | 'training_labels_one_class';

/** Labels are 0 (genuine) and 1 (fraud), one per row, and both classes occur. */
export function checkLabelledSet(matrix: FeatureMatrix, labels: ArrayLike<number>): TrainingSetError | undefined {
  checkMatrix(matrix);
  assert(labels.length === matrix.rowCount, `one label per row: ${labels.length} labels, ${matrix.rowCount} rows`);
  if (matrix.rowCount === 0) return 'training_set_empty';
  if (matrix.rowCount > trainingRowCountMax) return 'training_set_too_large';
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label !== 0 && label !== 1) return 'training_label_invalid';
    positives += label;
  }
  if (positives === 0 || positives === labels.length) return 'training_labels_one_class';
  return undefined;
}

/** A trainer's answer: the model, or why the rows could not train one. */
export type Trained<M, E extends string = never> = { ok: true; value: M } | { ok: false; error: TrainingSetError | E };

/** The metadata of a model we trained. */
export function trainedMetadata(metadata: TrainingMetadata, seed: number | undefined): ModelMetadata {
  const base = { version: metadata.version, trainingDataDigest: metadata.trainingDataDigest, metrics: { ...metadata.metrics } };
  return seed === undefined ? { ...base, producer: 'qenex' } : { ...base, seed, producer: 'qenex' };
}

export interface Scorer {
  readonly featureCount: number;
  /** The raw margin (log-odds) of one feature vector. */
  margin(row: ArrayLike<number>): number;
  /** The logistic of the margin: the probability of fraud. */
  probability(row: ArrayLike<number>): number;
  /** The margins of every row of the matrix, into `output` when given (length rowCount). */
  marginBatch(matrix: FeatureMatrix, output?: Float64Array): Float64Array;
  probabilityBatch(matrix: FeatureMatrix, output?: Float64Array): Float64Array;
}

export function compileClassifier(model: ClassifierModel): Scorer {
  switch (model.kind) {
    case 'tree_ensemble':
      return compileTreeEnsemble(model);
    case 'linear':
      return compileLinear(model);
    default:
      return unreachable(model);
  }
}

/**
 * The trees as parallel arrays over every node of every tree (global indices). A leaf has
 * feature −1 and its value in `leafValue`; `roots[t]` is tree t's root. Nodes are laid out
 * breadth-first with a node's children side by side (right = left + 1), so the scorer steps to
 * left + (goes right ? 1 : 0) without a branch.
 */
export interface CompiledTrees {
  readonly featureCount: number;
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly missingLeft: Uint8Array;
  readonly leafValue: Float64Array;
  readonly cover: Float64Array;
}

export function compileTrees(trees: readonly Tree[], featureCount: number): CompiledTrees {
  let nodeCount = 0;
  for (const tree of trees) nodeCount += tree.nodes.length;
  assert(nodeCount <= modelNodeCountMax, `a model has at most ${modelNodeCountMax} nodes`);
  const compiled = {
    featureCount,
    roots: new Int32Array(trees.length),
    feature: new Int32Array(nodeCount),
    threshold: new Float32Array(nodeCount),
    left: new Int32Array(nodeCount),
    right: new Int32Array(nodeCount),
    missingLeft: new Uint8Array(nodeCount),
    leafValue: new Float64Array(nodeCount),
    cover: new Float64Array(nodeCount),
  };
  let offset = 0;
  trees.forEach((tree, treeIndex) => {
    checkTreeShape(tree, featureCount, treeIndex);
    compiled.roots[treeIndex] = offset;
    // Breadth-first: `order[k]` is the model index of compiled node offset + k.
    const order = [0];
    for (let k = 0; k < order.length; k++) {
      const node = tree.nodes[order[k]!]!;
      const at = offset + k;
      compiled.cover[at] = node.cover;
      if (isLeaf(node)) {
        compiled.feature[at] = -1;
        compiled.leafValue[at] = node.value;
        continue;
      }
      compiled.feature[at] = node.feature;
      compiled.threshold[at] = node.threshold;
      compiled.left[at] = offset + order.length;
      compiled.right[at] = offset + order.length + 1;
      compiled.missingLeft[at] = node.missingLeft ? 1 : 0;
      order.push(node.left, node.right);
    }
    offset += tree.nodes.length;
  });
  return compiled;
}

/**
 * A tree is a tree: children in range, every node reached exactly once from the root (no cycle,
 * no shared subtree), features inside the schema, thresholds and leaf values float32 as the model
 * contract says (a value that is not would score differently here and in onnxruntime).
 */
export function checkTreeShape(tree: Tree, featureCount: number, treeIndex: number): void {
  const problem = treeShapeProblem(tree, featureCount, treeIndex);
  assert(problem === undefined, problem ?? '');
}

/**
 * start + Σ leaf values, added one tree at a time in tree order (as training accumulates its
 * margins, so the two agree to the last bit), for a float32-rounded row. Four trees are walked
 * side by side: each step waits on a chain of loads, and four independent chains overlap (measured:
 * about twice as fast as one tree at a time). A step goes right when value > threshold, or when the
 * value is missing and the node sends missing values right (NaN > t is false, so that is the
 * only case a missing value needs).
 */
export function addLeaves(trees: CompiledTrees, start: number, row: Float64Array): number {
  const { roots, feature, threshold, left, missingLeft, leafValue } = trees;
  const treeCount = roots.length;
  let sum = start;
  let t = 0;
  for (; t + 3 < treeCount; t += 4) {
    let a = roots[t]!;
    let b = roots[t + 1]!;
    let c = roots[t + 2]!;
    let d = roots[t + 3]!;
    for (;;) {
      const fa = feature[a]!;
      const fb = feature[b]!;
      const fc = feature[c]!;
      const fd = feature[d]!;
      // All four at leaves: every feature is −1, so the sign bit survives the AND.
      if ((fa & fb & fc & fd) < 0) break;
      if (fa >= 0) a = left[a]! + goesRight(row[fa]!, threshold[a]!, missingLeft[a]!);
      if (fb >= 0) b = left[b]! + goesRight(row[fb]!, threshold[b]!, missingLeft[b]!);
      if (fc >= 0) c = left[c]! + goesRight(row[fc]!, threshold[c]!, missingLeft[c]!);
      if (fd >= 0) d = left[d]! + goesRight(row[fd]!, threshold[d]!, missingLeft[d]!);
    }
    sum += leafValue[a]!;
    sum += leafValue[b]!;
    sum += leafValue[c]!;
    sum += leafValue[d]!;
  }
  for (; t < treeCount; t++) {
    let node = roots[t]!;
    let split = feature[node]!;
    while (split >= 0) {
      node = left[node]! + goesRight(row[split]!, threshold[node]!, missingLeft[node]!);
      split = feature[node]!;
    }
    sum += leafValue[node]!;
  }
  return sum;
}

/** 1 when the (float32-rounded) value goes right, else 0: written as arithmetic, not a branch. */
function goesRight(value: number, threshold: number, missingLeft: number): number {
  return +(value > threshold) | ((1 - missingLeft) & +(value !== value));
}

function compileTreeEnsemble(model: TreeEnsembleModel): Scorer {
  const featureCount = model.featureNames.length;
  assert(featureCount >= 1 && featureCount <= featureCountMax, 'a model has between 1 and featureCountMax features');
  assert(Number.isFinite(model.baseMargin), 'a base margin is finite');
  const trees = compileTrees(model.trees, featureCount);
  const baseMargin = model.baseMargin;
  const rounded = new Float64Array(featureCount);
  const roundedMargin = (): number => addLeaves(trees, baseMargin, rounded);
  const margin = (row: ArrayLike<number>): number => {
    assert(row.length === featureCount, `a row has ${featureCount} features, got ${row.length}`);
    for (let f = 0; f < featureCount; f++) rounded[f] = Math.fround(row[f]!);
    return roundedMargin();
  };
  const marginBatch = (matrix: FeatureMatrix, output?: Float64Array): Float64Array => {
    const result = batchOutput(matrix, featureCount, output);
    const values = matrix.values;
    for (let r = 0; r < matrix.rowCount; r++) {
      const base = r * featureCount;
      for (let f = 0; f < featureCount; f++) rounded[f] = Math.fround(values[base + f]!);
      result[r] = roundedMargin();
    }
    return result;
  };
  return withProbability(featureCount, margin, marginBatch);
}

function compileLinear(model: LinearModel): Scorer {
  const featureCount = model.featureNames.length;
  assert(featureCount >= 1 && featureCount <= featureCountMax, 'a model has between 1 and featureCountMax features');
  assert(model.coefficients.length === featureCount, 'a linear model has one coefficient per feature');
  assert(Number.isFinite(model.intercept) && model.coefficients.every(Number.isFinite), 'a linear model is finite');
  const coefficients = Float64Array.from(model.coefficients);
  const intercept = model.intercept;

  const dot = (values: ArrayLike<number>, base: number): number => {
    let sum = intercept;
    for (let f = 0; f < featureCount; f++) {
      const value = values[base + f]!;
      if (value === value) sum += coefficients[f]! * value;
    }
    return sum;
  };
  const margin = (row: ArrayLike<number>): number => {
    assert(row.length === featureCount, `a row has ${featureCount} features, got ${row.length}`);
    return dot(row, 0);
  };
  const marginBatch = (matrix: FeatureMatrix, output?: Float64Array): Float64Array => {
    const result = batchOutput(matrix, featureCount, output);
    for (let r = 0; r < matrix.rowCount; r++) result[r] = dot(matrix.values, r * featureCount);
    return result;
  };
  return withProbability(featureCount, margin, marginBatch);
}

function withProbability(
  featureCount: number,
  margin: (row: ArrayLike<number>) => number,
  marginBatch: (matrix: FeatureMatrix, output?: Float64Array) => Float64Array,
): Scorer {
  return {
    featureCount,
    margin,
    probability: (row) => logistic(margin(row)),
    marginBatch,
    probabilityBatch: (matrix, output) => {
      const result = marginBatch(matrix, output);
      for (let r = 0; r < result.length; r++) result[r] = logistic(result[r]!);
      return result;
    },
  };
}

function batchOutput(matrix: FeatureMatrix, featureCount: number, output: Float64Array | undefined): Float64Array {
  checkMatrix(matrix);
  assert(matrix.featureCount === featureCount, `the matrix has ${matrix.featureCount} features, the model ${featureCount}`);
  if (output === undefined) return new Float64Array(matrix.rowCount);
  assert(output.length === matrix.rowCount, 'a batch output has one place per row');
  return output;
}

// ---------------------------------------------------------------------------------------------
// Isolation forests

const eulerGamma = 0.5772156649015329;

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n keys,
 * 2H(n−1) − 2(n−1)/n, which normalises isolation depths (and completes them at external nodes
 * that still held n rows). H(i) is computed exactly for small i, by ln i + γ + 1/2i − 1/12i² above.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  const i = n - 1;
  let harmonic: number;
  if (i <= 64) {
    harmonic = 0;
    for (let k = 1; k <= i; k++) harmonic += 1 / k;
  } else {
    harmonic = Math.log(i) + eulerGamma + 1 / (2 * i) - 1 / (12 * i * i);
  }
  return 2 * harmonic - (2 * (n - 1)) / n;
}

export interface AnomalyScorer {
  readonly featureCount: number;
  /** The anomaly score in (0, 1]: near 1 is isolated quickly (strange), below 0.5 is ordinary. */
  score(row: ArrayLike<number>): number;
  /** E[h(x)]: the mean isolation depth over the trees, external-node adjustment included. */
  meanPathLength(row: ArrayLike<number>): number;
  scoreBatch(matrix: FeatureMatrix, output?: Float64Array): Float64Array;
}

/**
 * Isolation nodes send a row left when value <= threshold, and a missing value (NaN) left as
 * well: the trainer splits its rows by the same rule. Thresholds are compared in double.
 */
export function compileIsolationForest(model: IsolationForestModel): AnomalyScorer {
  const featureCount = model.featureNames.length;
  assert(featureCount >= 1 && featureCount <= featureCountMax, 'a model has between 1 and featureCountMax features');
  assert(Number.isInteger(model.sampleSize) && model.sampleSize >= 1, 'a sample size is a positive integer');
  assert(model.trees.length >= 1, 'an isolation forest has at least one tree');
  const { roots, feature, threshold, left, right, adjustment } = compileIsolationTrees(model.trees, featureCount);
  const treeCount = roots.length;
  const normaliser = averagePathLength(model.sampleSize);

  const pathLength = (values: ArrayLike<number>, base: number): number => {
    let total = 0;
    for (let t = 0; t < treeCount; t++) {
      let node = roots[t]!;
      let depth = 0;
      let split = feature[node]!;
      while (split >= 0) {
        const value = values[base + split]!;
        node = value <= threshold[node]! || value !== value ? left[node]! : right[node]!;
        depth++;
        split = feature[node]!;
      }
      total += depth + adjustment[node]!;
    }
    return total / treeCount;
  };
  // With ψ = 1 every depth is 0 and c(1) = 0: nothing is isolated, every row scores 2^0 = 1.
  const scoreOf = (meanLength: number): number => (normaliser === 0 ? 1 : Math.pow(2, -meanLength / normaliser));
  const checkRow = (row: ArrayLike<number>): void => assert(row.length === featureCount, `a row has ${featureCount} features, got ${row.length}`);
  return {
    featureCount,
    meanPathLength: (row) => {
      checkRow(row);
      return pathLength(row, 0);
    },
    score: (row) => {
      checkRow(row);
      return scoreOf(pathLength(row, 0));
    },
    scoreBatch: (matrix, output) => {
      const result = batchOutput(matrix, featureCount, output);
      for (let r = 0; r < matrix.rowCount; r++) result[r] = scoreOf(pathLength(matrix.values, r * featureCount));
      return result;
    },
  };
}

/** Isolation trees as parallel arrays (global indices); an external node has feature −1. */
function compileIsolationTrees(trees: IsolationForestModel['trees'], featureCount: number) {
  let nodeCount = 0;
  for (const tree of trees) nodeCount += tree.nodes.length;
  assert(nodeCount <= modelNodeCountMax, `a model has at most ${modelNodeCountMax} nodes`);
  const compiled = {
    roots: new Int32Array(trees.length),
    feature: new Int32Array(nodeCount),
    threshold: new Float64Array(nodeCount),
    left: new Int32Array(nodeCount),
    right: new Int32Array(nodeCount),
    /** At an external node: c(size), the expected depth still to go. */
    adjustment: new Float64Array(nodeCount),
  };
  let offset = 0;
  trees.forEach((tree, treeIndex) => {
    checkIsolationTreeShape(tree, featureCount, treeIndex);
    compiled.roots[treeIndex] = offset;
    tree.nodes.forEach((node, index) => {
      const at = offset + index;
      if ('size' in node) {
        compiled.feature[at] = -1;
        compiled.adjustment[at] = averagePathLength(node.size);
      } else {
        compiled.feature[at] = node.feature;
        compiled.threshold[at] = node.threshold;
        compiled.left[at] = offset + node.left;
        compiled.right[at] = offset + node.right;
      }
    });
    offset += tree.nodes.length;
  });
  return compiled;
}

function checkIsolationTreeShape(tree: IsolationForestModel['trees'][number], featureCount: number, treeIndex: number): void {
  const nodes = tree.nodes;
  assert(nodes.length >= 1, `isolation tree ${treeIndex} has no nodes`);
  const reached = new Uint8Array(nodes.length);
  const stack = [0];
  reached[0] = 1;
  let visited = 0;
  while (stack.length > 0) {
    const index = stack.pop()!;
    visited++;
    const node = nodes[index]!;
    if ('size' in node) {
      assert(Number.isInteger(node.size) && node.size >= 0, `isolation tree ${treeIndex} node ${index}: a size is a non-negative integer`);
      continue;
    }
    assert(Number.isInteger(node.feature) && node.feature >= 0 && node.feature < featureCount, `isolation tree ${treeIndex} node ${index}: feature outside the schema`);
    assert(!Number.isNaN(node.threshold), `isolation tree ${treeIndex} node ${index}: a threshold is a number`);
    for (const child of [node.left, node.right]) {
      assert(Number.isInteger(child) && child > 0 && child < nodes.length, `isolation tree ${treeIndex} node ${index}: child ${child} is out of range`);
      assert(reached[child] === 0, `isolation tree ${treeIndex} node ${child} is reached twice`);
      reached[child] = 1;
      stack.push(child);
    }
  }
  assert(visited === nodes.length, `isolation tree ${treeIndex} has nodes the root does not reach`);
}
