/**
 * The fraud models as plain data: what a trainer produces, what our scorer and the explainer
 * read, and what the ONNX codec writes (`ai.onnx.ml` TreeEnsembleClassifier / LinearClassifier)
 * and reads back (ours, or one a bank's data scientists exported from XGBoost or LightGBM).
 *
 * Every model scores a feature vector (numbers, NaN for missing) to a raw margin (log-odds); the
 * probability of fraud is the logistic of the margin. Explanations add up to the margin.
 */

/** A split: go left when `value <= threshold` (or when the value is missing and `missingLeft`). */
export interface TreeBranch {
  readonly feature: number;
  /** Stored as float32 in ONNX: trainers round thresholds with Math.fround so every scorer agrees. */
  readonly threshold: number;
  readonly left: number;
  readonly right: number;
  readonly missingLeft: boolean;
  /** Training rows (or weight) that reached this node: TreeSHAP needs it. */
  readonly cover: number;
}

export interface TreeLeaf {
  /** The leaf's contribution to the margin (float32 in ONNX: rounded with Math.fround). */
  readonly value: number;
  readonly cover: number;
}

export type TreeNode = TreeBranch | TreeLeaf;

/** One tree: nodes[0] is the root; children are indices into the same array. */
export interface Tree {
  readonly nodes: readonly TreeNode[];
}

export function isLeaf(node: TreeNode): node is TreeLeaf {
  return 'value' in node;
}

/**
 * The first way a tree breaks this contract, as a sentence, or undefined: every node reached from
 * the root exactly once (no cycle, no shared subtree), features inside the schema, covers finite
 * and non-negative, thresholds and leaf values float32 (a value that is not would score differently
 * here and in onnxruntime). The scorer asserts it; the ONNX codec refuses a file with it.
 */
export function treeShapeProblem(tree: Tree, featureCount: number, treeIndex: number): string | undefined {
  const nodes = tree.nodes;
  if (nodes.length === 0) return `tree ${treeIndex} has no nodes`;
  const reached = new Uint8Array(nodes.length);
  const stack = [0];
  reached[0] = 1;
  let visited = 0;
  while (stack.length > 0) {
    const index = stack.pop()!;
    visited++;
    const node = nodes[index]!;
    const where = `tree ${treeIndex} node ${index}`;
    if (!(Number.isFinite(node.cover) && node.cover >= 0)) return `${where}: its cover is not a finite non-negative number`;
    if (isLeaf(node)) {
      if (!(Number.isFinite(node.value) && Math.fround(node.value) === node.value)) return `${where}: its leaf value is not a finite float32`;
      continue;
    }
    if (!(Number.isInteger(node.feature) && node.feature >= 0 && node.feature < featureCount)) return `${where}: feature ${node.feature} is outside the schema (${featureCount} features)`;
    if (Number.isNaN(node.threshold) || Math.fround(node.threshold) !== node.threshold) return `${where}: its threshold is not a float32`;
    for (const child of [node.left, node.right]) {
      if (!(Number.isInteger(child) && child > 0 && child < nodes.length)) return `${where}: child ${child} is out of range, not a node of the tree`;
      if (reached[child] === 1) return `tree ${treeIndex}: node ${child} is reached twice (a tree has no shared nodes and no cycles)`;
      reached[child] = 1;
      stack.push(child);
    }
  }
  if (visited !== nodes.length) return `tree ${treeIndex} has ${nodes.length - visited} nodes its root does not reach`;
  return undefined;
}

export interface ModelMetadata {
  /** e.g. "fraud-gbdt-2026-12-01.1": what a case and a decision name. */
  readonly version: string;
  /** SHA-256 (hex) of the training data as canonical rows: the same data gives the same digest. */
  readonly trainingDataDigest: string;
  /** Held-out figures measured when it was trained (auprc, auc, recall_at_1pct_fpr…). */
  readonly metrics: Readonly<Record<string, number>>;
  /** The seed training ran with (absent for a model trained elsewhere). */
  readonly seed?: number;
  /** Who made it: "qenex" or the producer an imported ONNX file names (e.g. "onnxmltools"). */
  readonly producer: string;
}

/** A sum of trees plus a base margin, then the logistic: histogram GBDT (ours), XGBoost, LightGBM. */
export interface TreeEnsembleModel {
  readonly kind: 'tree_ensemble';
  /** The names of the input vector's columns, in order (the feature schema). */
  readonly featureNames: readonly string[];
  readonly baseMargin: number;
  readonly trees: readonly Tree[];
  readonly metadata: ModelMetadata;
}

/** margin = intercept + Σ coefficient·value (any standardisation folded into the coefficients). */
export interface LinearModel {
  readonly kind: 'linear';
  readonly featureNames: readonly string[];
  readonly intercept: number;
  readonly coefficients: readonly number[];
  readonly metadata: ModelMetadata;
}

export type ClassifierModel = TreeEnsembleModel | LinearModel;

/** An isolation forest: an anomaly score in (0, 1], higher is stranger; no label needed. */
export interface IsolationForestModel {
  readonly kind: 'isolation_forest';
  readonly featureNames: readonly string[];
  /** Rows each tree was grown on (ψ): the score's normaliser c(ψ) comes from it. */
  readonly sampleSize: number;
  readonly trees: readonly IsolationTree[];
  readonly metadata: ModelMetadata;
}

/** An isolation tree node: a split, or an external node with the rows that reached it. */
export type IsolationNode =
  | { readonly feature: number; readonly threshold: number; readonly left: number; readonly right: number }
  | { readonly size: number };

export interface IsolationTree {
  readonly nodes: readonly IsolationNode[];
}

export function logistic(margin: number): number {
  return 1 / (1 + Math.exp(-margin));
}
