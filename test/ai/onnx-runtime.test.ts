/**
 * Our ONNX files scored by onnxruntime-node (through the server's OnnxRuntimeScorer) agree with a
 * reference evaluator of model.ts's semantics on every row, to 1e-6, for random tree ensembles
 * (float32 thresholds and leaves, NaN and boundary inputs) and random linear models; and files in
 * the layouts onnxmltools writes for XGBoost and LightGBM are read by decodeOnnx and scored alike.
 *
 * The reference follows model.ts (go left when value ≤ threshold, or when missing and
 * missingLeft; margin = base + Σ leaves; probability = logistic(margin)) with the arithmetic
 * onnxruntime uses, which the tests below pin down: inputs and weights are float32, the leaves
 * are added in tree order to a float32 sum that starts at 0, the base margin is added last, each
 * addition rounded to float32. A double sum of the same leaves misses by more than 1e-6 (shown).
 */
import { compileClassifier, trainGradientBoostedTrees, trainLogisticRegression } from '@qenex/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRuntimeLoadError, OnnxRuntimeScorer } from '../../apps/server/src/ai/onnx-runtime';
import { isLeaf, logistic, type LinearModel, type Tree, type TreeEnsembleModel, type TreeNode } from '../../packages/engine/src/core/ai/model';
// Not in the engine's exports yet.
import { decodeOnnx, encodeModelProto, encodeOnnx, onnxElementType, type OnnxAttribute, type OnnxNode } from '../../packages/engine/src/core/ai/onnx';

const tolerance = 1e-6;
const metadata = { version: 'fraud-test.1', trainingDataDigest: '00'.repeat(32), metrics: {}, producer: 'qenex' };

// ---------------------------------------------------------------------------------------------
// The reference evaluator

/** The leaf a float32 row reaches (model.ts: left when value ≤ threshold, or missing and missingLeft). */
function leafValue(tree: Tree, row: Float32Array, offset: number): number {
  let node = tree.nodes[0]!;
  while (!isLeaf(node)) {
    const value = row[offset + node.feature]!;
    node = tree.nodes[value <= node.threshold || (Number.isNaN(value) && node.missingLeft) ? node.left : node.right]!;
  }
  return node.value;
}

/** The margin as onnxruntime computes it: a float32 sum in tree order from 0, the base margin added last. */
function float32Margin(model: TreeEnsembleModel, rows: Float32Array, row: number): number {
  const offset = row * model.featureNames.length;
  let sum = 0;
  for (const tree of model.trees) sum = Math.fround(sum + leafValue(tree, rows, offset));
  return Math.fround(sum + Math.fround(model.baseMargin));
}

/** model.ts's margin summed in double: what a scorer that ignores float32 rounding computes. */
function doubleMargin(model: TreeEnsembleModel, rows: Float32Array, row: number): number {
  const offset = row * model.featureNames.length;
  let sum = model.baseMargin;
  for (const tree of model.trees) sum += leafValue(tree, rows, offset);
  return sum;
}

/** A linear margin in float32 (onnxruntime uses a float32 GEMM: a fused multiply-add per feature, then the intercept). */
function float32LinearMargin(model: LinearModel, rows: Float32Array, row: number): number {
  const count = model.featureNames.length;
  let dot = 0;
  for (let feature = 0; feature < count; feature++) dot = Math.fround(dot + rows[row * count + feature]! * Math.fround(model.coefficients[feature]!));
  return Math.fround(Math.fround(model.intercept) + dot);
}

function maxDifference(scores: Float32Array, expected: (row: number) => number): { difference: number; row: number } {
  let worst = { difference: 0, row: -1 };
  for (let row = 0; row < scores.length; row++) {
    const difference = Math.abs(scores[row]! - expected(row));
    if (!(difference <= worst.difference)) worst = { difference, row };
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Random models and rows (seeded: a failure reproduces)

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** Thresholds from a small pool, so rows can sit exactly on them; ±0 and ±∞ included. */
function thresholdPool(next: () => number): number[] {
  const pool = [0, -0, Infinity, -Infinity, 1, -1];
  for (let index = 0; index < 20; index++) pool.push(Math.fround((next() - 0.5) * 8));
  return pool;
}

function pick<T>(next: () => number, values: readonly T[]): T {
  return values[Math.floor(next() * values.length)]!;
}

function randomTree(next: () => number, featureCount: number, depthMax: number, pool: readonly number[], leafScale: number): Tree {
  const nodes: TreeNode[] = [];
  const grow = (depth: number): number => {
    const index = nodes.length;
    nodes.push({ value: 0, cover: 0 });
    if (depth >= depthMax || next() < 0.15) {
      nodes[index] = { value: Math.fround((next() - 0.5) * 2 * leafScale), cover: 1 };
      return index;
    }
    const feature = Math.floor(next() * featureCount);
    const threshold = pick(next, pool);
    const missingLeft = next() < 0.5;
    const left = grow(depth + 1);
    const right = grow(depth + 1);
    nodes[index] = { feature, threshold, left, right, missingLeft, cover: 2 };
    return index;
  };
  grow(0);
  return { nodes };
}

function randomEnsemble(seed: number): { model: TreeEnsembleModel; pool: number[] } {
  const next = random(seed);
  const featureCount = 1 + Math.floor(next() * 20);
  const treeCount = 1 + Math.floor(next() * 150);
  const depthMax = Math.floor(next() * 8);
  const pool = thresholdPool(next);
  const leafScale = pick(next, [0.05, 0.5, 3]);
  const trees = Array.from({ length: treeCount }, () => randomTree(next, featureCount, depthMax, pool, leafScale));
  const model: TreeEnsembleModel = {
    kind: 'tree_ensemble',
    featureNames: Array.from({ length: featureCount }, (_, index) => `feature_${index}`),
    baseMargin: Math.fround((next() - 0.5) * 6),
    trees,
    metadata,
  };
  return { model, pool };
}

/** Rows of a mix: NaN (missing), values exactly on thresholds, ±0, ±∞, and plain values. */
function randomRows(seed: number, count: number, featureCount: number, pool: readonly number[]): Float32Array {
  const next = random(seed);
  const rows = new Float32Array(count * featureCount);
  for (let index = 0; index < rows.length; index++) {
    const kind = next();
    if (kind < 0.12) rows[index] = Number.NaN;
    else if (kind < 0.3) rows[index] = pick(next, pool);
    else rows[index] = (next() - 0.5) * 10;
  }
  return rows;
}

const scorers: OnnxRuntimeScorer[] = [];
async function load(bytes: Uint8Array): Promise<OnnxRuntimeScorer> {
  const scorer = await OnnxRuntimeScorer.load(bytes);
  scorers.push(scorer);
  return scorer;
}
afterAll(async () => {
  for (const scorer of scorers) await scorer.close();
});

// ---------------------------------------------------------------------------------------------

describe('onnxruntime scores our tree ensembles as the reference does', () => {
  it('agrees to 1e-6 on every row of random ensembles, in batches and row by row', async () => {
    let rowsChecked = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const { model, pool } = randomEnsemble(seed);
      const featureCount = model.featureNames.length;
      const count = 200;
      const rows = randomRows(seed * 7919, count, featureCount, pool);
      const scorer = await load(encodeOnnx(model));
      const batch = await scorer.score(rows, count);
      const worst = maxDifference(batch, (row) => logistic(float32Margin(model, rows, row)));
      expect(worst.difference, `seed ${seed}, row ${worst.row}`).toBeLessThanOrEqual(tolerance);
      for (let row = 0; row < 5; row++) {
        const [single] = await scorer.score(rows.slice(row * featureCount, (row + 1) * featureCount), 1);
        expect(Math.abs(single! - batch[row]!)).toBeLessThanOrEqual(tolerance);
      }
      rowsChecked += count;
    }
    expect(rowsChecked).toBe(6000);
  });

  it('agrees on a model whose leaves are all positive (scored through the guard tree)', async () => {
    const next = random(4242);
    const pool = thresholdPool(next);
    const trees = Array.from({ length: 12 }, () => randomTree(next, 4, 4, pool, 1)).map((tree) => ({
      nodes: tree.nodes.map((node) => (isLeaf(node) ? { ...node, value: Math.abs(node.value) } : node)),
    }));
    const model: TreeEnsembleModel = { kind: 'tree_ensemble', featureNames: ['a', 'b', 'c', 'd'], baseMargin: Math.fround(-4), trees, metadata };
    const rows = randomRows(17, 300, 4, pool);
    const scores = await (await load(encodeOnnx(model))).score(rows, 300);
    const worst = maxDifference(scores, (row) => logistic(float32Margin(model, rows, row)));
    expect(worst.difference).toBeLessThanOrEqual(tolerance);
  });

  it('sums in float32 in tree order and adds the base margin last: a double sum, or the base first, misses by more than 1e-6', async () => {
    // Found by searching: the three ways of adding differ in probability by about 8e-6.
    const model: TreeEnsembleModel = {
      kind: 'tree_ensemble',
      featureNames: ['x'],
      baseMargin: -1531.3062744140625,
      trees: [{ nodes: [{ value: 0.89007568359375, cover: 1 }] }, { nodes: [{ value: 1532.106201171875, cover: 1 }] }],
      metadata,
    };
    const rows = new Float32Array([0]);
    const [score] = await (await load(encodeOnnx(model))).score(rows, 1);
    const baseFirst = Math.fround(Math.fround(model.baseMargin + 0.89007568359375) + 1532.106201171875);
    expect(Math.abs(score! - logistic(float32Margin(model, rows, 0)))).toBeLessThan(1e-7);
    expect(Math.abs(score! - logistic(doubleMargin(model, rows, 0)))).toBeGreaterThan(tolerance);
    expect(Math.abs(score! - logistic(baseFirst))).toBeGreaterThan(tolerance);
  });

  it('misses a double-sum reference by more than 1e-6 on a 200-tree depth-6 ensemble with large leaves', async () => {
    const next = random(606);
    const pool = thresholdPool(next);
    const trees = Array.from({ length: 200 }, () => randomTree(next, 20, 6, pool, 40));
    const model: TreeEnsembleModel = { kind: 'tree_ensemble', featureNames: Array.from({ length: 20 }, (_, index) => `f${index}`), baseMargin: 0, trees, metadata };
    const rows = randomRows(607, 2000, 20, pool);
    const scores = await (await load(encodeOnnx(model))).score(rows, 2000);
    expect(maxDifference(scores, (row) => logistic(float32Margin(model, rows, row))).difference).toBeLessThanOrEqual(tolerance);
    expect(maxDifference(scores, (row) => logistic(doubleMargin(model, rows, row))).difference).toBeGreaterThan(tolerance);
  });
});

describe('onnxruntime scores our linear models as the reference does', () => {
  it('agrees to 1e-6 on every row of random linear models', async () => {
    for (let seed = 1; seed <= 15; seed++) {
      const next = random(seed * 31);
      const featureCount = 1 + Math.floor(next() * 60);
      const model: LinearModel = {
        kind: 'linear',
        featureNames: Array.from({ length: featureCount }, (_, index) => `f${index}`),
        intercept: Math.fround((next() - 0.5) * 4),
        coefficients: Array.from({ length: featureCount }, () => Math.fround((next() - 0.5) * 2)),
        metadata,
      };
      const rows = Float32Array.from({ length: 300 * featureCount }, () => (next() - 0.5) * 6);
      const scores = await (await load(encodeOnnx(model))).score(rows, 300);
      const worst = maxDifference(scores, (row) => logistic(float32LinearMargin(model, rows, row)));
      expect(worst.difference, `seed ${seed}, row ${worst.row}`).toBeLessThanOrEqual(tolerance);
    }
  });

  it('returns NaN for a row with a missing value (LinearClassifier has no notion of missing)', async () => {
    const model: LinearModel = { kind: 'linear', featureNames: ['a', 'b'], intercept: 0.5, coefficients: [1, -1], metadata };
    const scores = await (await load(encodeOnnx(model))).score(new Float32Array([1, Number.NaN, 1, 2]), 2);
    expect(Number.isNaN(scores[0]!)).toBe(true);
    expect(scores[1]).toBeCloseTo(logistic(-0.5), 6);
  });
});

describe('the engine\'s scorer beside onnxruntime, on models our trainers make', () => {
  /** Labels from a known logistic model of the features, some values missing. */
  function trainingSet(rowCount: number, featureCount: number) {
    const next = random(3);
    const values = new Float64Array(rowCount * featureCount);
    const labels = new Float64Array(rowCount);
    for (let row = 0; row < rowCount; row++) {
      let margin = -3;
      for (let feature = 0; feature < featureCount; feature++) {
        const value = next() < 0.05 ? Number.NaN : (next() - 0.5) * 6;
        values[row * featureCount + feature] = value;
        if (!Number.isNaN(value)) margin += [0.8, -0.4, 0.1][feature % 3]! * value + (feature === 2 ? 0.5 * value * value : 0);
      }
      labels[row] = next() < logistic(margin) ? 1 : 0;
    }
    return { matrix: { rowCount, featureCount, values }, labels, featureNames: Array.from({ length: featureCount }, (_, index) => `f${index}`) };
  }

  it('agree to 1e-6 on a trained 200-tree depth-6 GBDT and a trained logistic regression (rows without missing values for the latter)', async () => {
    const { matrix, labels, featureNames } = trainingSet(4000, 12);
    const trainingMetadata = { version: 'fraud-gbdt-test.1', trainingDataDigest: '00'.repeat(32), metrics: {} };
    const gbdt = trainGradientBoostedTrees(matrix, labels, { featureNames, metadata: trainingMetadata, seed: 1, treeCount: 200, depthMax: 6 });
    const linear = trainLogisticRegression(matrix, labels, { featureNames, metadata: trainingMetadata });
    if (!gbdt.ok || !linear.ok) throw new Error('training failed');
    const rows = Float32Array.from(matrix.values);
    for (const model of [gbdt.value, linear.value]) {
      const runtime = await (await load(encodeOnnx(model))).score(rows, matrix.rowCount);
      const engine = compileClassifier(model).probabilityBatch(matrix);
      const hasMissing = (row: number): boolean => matrix.values.subarray(row * matrix.featureCount, (row + 1) * matrix.featureCount).some(Number.isNaN);
      let worst = 0;
      for (let row = 0; row < matrix.rowCount; row++) {
        if (model.kind === 'linear' && hasMissing(row)) expect(Number.isNaN(runtime[row]!)).toBe(true);
        else worst = Math.max(worst, Math.abs(runtime[row]! - engine[row]!));
      }
      expect(worst, model.kind).toBeLessThanOrEqual(tolerance);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Files as onnxmltools writes them

/**
 * XGBoost's view of a tree (its JSON dump): a split sends x < split_condition to `yes`, a missing
 * value to `missing`; node ids as XGBoost numbers them (not in the order onnxmltools lists them).
 */
type XgbNode =
  | { readonly nodeid: number; readonly split: number; readonly condition: number; readonly yes: number; readonly no: number; readonly missing: number }
  | { readonly nodeid: number; readonly leaf: number };

function randomXgbTree(next: () => number, featureCount: number, depthMax: number, pool: readonly number[]): XgbNode[] {
  const nodes: XgbNode[] = [];
  let nextId = 0;
  // XGBoost numbers nodes breadth-first; grow breadth-first too.
  const queue: { id: number; depth: number }[] = [{ id: nextId++, depth: 0 }];
  while (queue.length > 0) {
    const { id, depth } = queue.shift()!;
    if (depth >= depthMax || next() < 0.2) {
      nodes.push({ nodeid: id, leaf: Math.fround((next() - 0.5) * 0.8) });
      continue;
    }
    const yes = nextId++;
    const no = nextId++;
    nodes.push({ nodeid: id, split: Math.floor(next() * featureCount), condition: pick(next, pool.filter((value) => value !== -Infinity)), yes, no, missing: next() < 0.5 ? yes : no });
    queue.push({ id: yes, depth: depth + 1 }, { id: no, depth: depth + 1 });
  }
  return nodes;
}

/** XGBoost's own prediction: margin = base + Σ leaves (x < t goes yes; NaN goes missing), in float32 as onnxruntime adds. */
function xgbMargin(trees: readonly XgbNode[][], base: number, rows: Float32Array, row: number, featureCount: number): number {
  let sum = 0;
  for (const tree of trees) {
    const byId = new Map(tree.map((node) => [node.nodeid, node]));
    let node = byId.get(0)!;
    while (!('leaf' in node)) {
      const value = rows[row * featureCount + node.split]!;
      node = byId.get(Number.isNaN(value) ? node.missing : value < node.condition ? node.yes : node.no)!;
    }
    sum = Math.fround(sum + node.leaf);
  }
  return Math.fround(sum + base);
}

/** The nodes_* and class_* lists of a TreeEnsembleClassifier, as a converter fills them. */
class EnsembleLists {
  private readonly nodes = { treeIds: [] as number[], nodeIds: [] as number[], featureIds: [] as number[], modes: [] as string[], values: [] as number[], trueIds: [] as number[], falseIds: [] as number[], missing: [] as number[] };
  private readonly weights = { treeIds: [] as number[], nodeIds: [] as number[], values: [] as number[] };

  leaf(treeId: number, nodeId: number, weight: number): void {
    this.node(treeId, nodeId, 0, 'LEAF', 0, 0, 0, false);
    this.weights.treeIds.push(treeId);
    this.weights.nodeIds.push(nodeId);
    this.weights.values.push(weight);
  }

  split(treeId: number, nodeId: number, feature: number, mode: string, threshold: number, trueId: number, falseId: number, missingTrue: boolean): void {
    this.node(treeId, nodeId, feature, mode, threshold, trueId, falseId, missingTrue);
  }

  private node(treeId: number, nodeId: number, feature: number, mode: string, threshold: number, trueId: number, falseId: number, missingTrue: boolean): void {
    const { nodes } = this;
    nodes.treeIds.push(treeId);
    nodes.nodeIds.push(nodeId);
    nodes.featureIds.push(feature);
    nodes.modes.push(mode);
    nodes.values.push(threshold);
    nodes.trueIds.push(trueId);
    nodes.falseIds.push(falseId);
    nodes.missing.push(missingTrue ? 1 : 0);
  }

  /** Every weight on class 0, as onnxmltools writes a binary classifier; attributes sorted by name, as onnx.helper does. */
  attributes(extra: readonly OnnxAttribute[]): OnnxAttribute[] {
    const { nodes, weights } = this;
    const all: OnnxAttribute[] = [
      ...extra,
      { name: 'class_ids', kind: 'ints', value: weights.values.map(() => 0) },
      { name: 'class_nodeids', kind: 'ints', value: weights.nodeIds },
      { name: 'class_treeids', kind: 'ints', value: weights.treeIds },
      { name: 'class_weights', kind: 'floats', value: weights.values },
      { name: 'classlabels_int64s', kind: 'ints', value: [0, 1] },
      { name: 'nodes_falsenodeids', kind: 'ints', value: nodes.falseIds },
      { name: 'nodes_featureids', kind: 'ints', value: nodes.featureIds },
      { name: 'nodes_missing_value_tracks_true', kind: 'ints', value: nodes.missing },
      { name: 'nodes_modes', kind: 'strings', value: nodes.modes },
      { name: 'nodes_nodeids', kind: 'ints', value: nodes.nodeIds },
      { name: 'nodes_treeids', kind: 'ints', value: nodes.treeIds },
      { name: 'nodes_truenodeids', kind: 'ints', value: nodes.trueIds },
      { name: 'nodes_values', kind: 'floats', value: nodes.values },
      { name: 'post_transform', kind: 'string', value: 'LOGISTIC' },
    ];
    return all.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  get nodeCount(): number {
    return this.nodes.treeIds.length;
  }
}

/**
 * The TreeEnsembleClassifier onnxmltools writes for an XGBoost binary:logistic model (its
 * operator_converters/XGBoost.py): nodes listed depth-first from the root (yes before no), node
 * ids renumbered in that order, BRANCH_LT, missing tracked when missing == yes, every weight on
 * class 0, base_values [logit(base_score)], post_transform LOGISTIC; outputs label and probabilities.
 */
function xgboostFile(trees: readonly XgbNode[][], baseScore: number, featureCount: number): Uint8Array {
  const lists = new EnsembleLists();
  trees.forEach((tree, treeId) => {
    const byId = new Map(tree.map((node) => [node.nodeid, node]));
    const renumbered = new Map<number, number>();
    const renumber = (id: number): void => {
      renumbered.set(id, renumbered.size);
      const node = byId.get(id)!;
      if (!('leaf' in node)) [node.yes, node.no].forEach(renumber);
    };
    renumber(0);
    const emit = (id: number): void => {
      const node = byId.get(id)!;
      const nodeId = renumbered.get(id)!;
      if ('leaf' in node) return lists.leaf(treeId, nodeId, node.leaf);
      lists.split(treeId, nodeId, node.split, 'BRANCH_LT', node.condition, renumbered.get(node.yes)!, renumbered.get(node.no)!, node.missing === node.yes);
      emit(node.yes);
      emit(node.no);
    };
    emit(0);
  });
  const baseValues: OnnxAttribute = { name: 'base_values', kind: 'floats', value: [-Math.log(1 / Math.fround(baseScore) - 1)] };
  const node: OnnxNode = { opType: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml', name: 'TreeEnsembleClassifier', inputs: ['input'], outputs: ['label', 'probabilities'], attributes: lists.attributes([baseValues]) };
  return onnxmltoolsFile([node], featureCount, 'XGBClassifier');
}

function onnxmltoolsFile(nodes: readonly OnnxNode[], featureCount: number, graphName: string): Uint8Array {
  return encodeModelProto({
    irVersion: 8,
    producerName: 'OnnxMLTools',
    producerVersion: '1.13.0',
    modelVersion: 0,
    docString: '',
    opsets: [
      { domain: '', version: 15 },
      { domain: 'ai.onnx.ml', version: 1 },
    ],
    metadata: [],
    graph: {
      name: graphName,
      nodes,
      inputs: [{ name: 'input', elementType: onnxElementType.float, dims: [null, featureCount] }],
      outputs: [
        { name: 'label', elementType: onnxElementType.int64, dims: [null] },
        { name: 'probabilities', elementType: onnxElementType.float, dims: [null, 2] },
      ],
    },
  });
}

describe('files in onnxmltools layouts', () => {
  it('XGBoost binary:logistic: decodeOnnx reads it, and onnxruntime, the reference on the decoded model and XGBoost semantics agree', async () => {
    const next = random(2026);
    const featureCount = 8;
    const pool = thresholdPool(next);
    const trees = Array.from({ length: 60 }, () => randomXgbTree(next, featureCount, 5, pool));
    const baseScore = 0.2;
    const bytes = xgboostFile(trees, baseScore, featureCount);
    const names = Array.from({ length: featureCount }, (_, index) => `f${index}`);
    const model = decodeOnnx(bytes, names) as TreeEnsembleModel;
    expect(model.kind).toBe('tree_ensemble');
    expect(model.trees).toHaveLength(60);
    expect(model.baseMargin).toBe(Math.fround(-Math.log(1 / Math.fround(baseScore) - 1)));
    expect(model.metadata).toEqual({ version: 'XGBClassifier.0', trainingDataDigest: '', metrics: {}, producer: 'OnnxMLTools' });
    expect(model.trees.every((tree) => tree.nodes.every((node) => node.cover === 0))).toBe(true);
    const rows = randomRows(99, 1000, featureCount, pool);
    const scores = await (await load(bytes)).score(rows, 1000);
    expect(maxDifference(scores, (row) => logistic(float32Margin(model, rows, row))).difference).toBeLessThanOrEqual(tolerance);
    for (let row = 0; row < 1000; row++) expect(float32Margin(model, rows, row)).toBe(xgbMargin(trees, model.baseMargin, rows, row, featureCount));
    // Our own file of the decoded model scores the same again.
    const ours = await (await load(encodeOnnx(model))).score(rows, 1000);
    expect(maxDifference(ours, (row) => scores[row]!).difference).toBeLessThanOrEqual(tolerance);
  });

  it('LightGBM binary (BRANCH_LEQ, no base values, hit rates, Identity outputs): read and scored alike', async () => {
    const next = random(77);
    const pool = thresholdPool(next);
    const source = Array.from({ length: 25 }, () => randomTree(next, 5, 4, pool, 0.3));
    const lists = new EnsembleLists();
    source.forEach((tree, treeId) =>
      tree.nodes.forEach((node, nodeId) => {
        if (isLeaf(node)) lists.leaf(treeId, nodeId, node.value);
        else lists.split(treeId, nodeId, node.feature, 'BRANCH_LEQ', node.threshold, node.left, node.right, node.missingLeft);
      }),
    );
    // LightGBM's converter writes hit rates of 1 (not covers): they are ignored.
    const attributes = lists.attributes([{ name: 'nodes_hitrates', kind: 'floats', value: Array.from({ length: lists.nodeCount }, () => 1) }]);
    const nodes: OnnxNode[] = [
      { opType: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml', name: 'LightGbm', inputs: ['input'], outputs: ['label_tensor', 'probability_tensor'], attributes },
      { opType: 'Identity', domain: '', name: 'Identity', inputs: ['label_tensor'], outputs: ['label'], attributes: [] },
      { opType: 'Identity', domain: '', name: 'Identity1', inputs: ['probability_tensor'], outputs: ['probabilities'], attributes: [] },
    ];
    const bytes = onnxmltoolsFile(nodes, 5, 'LGBMClassifier');
    const model = decodeOnnx(bytes) as TreeEnsembleModel;
    expect(model.trees.map((tree) => tree.nodes.map((node) => ({ ...node, cover: 0 })))).toEqual(source.map((tree) => tree.nodes.map((node) => ({ ...node, cover: 0 }))));
    expect(model.baseMargin).toBe(0);
    const rows = randomRows(78, 500, 5, pool);
    const scores = await (await load(bytes)).score(rows, 500);
    expect(maxDifference(scores, (row) => logistic(float32Margin(model, rows, row))).difference).toBeLessThanOrEqual(tolerance);
  });
});

describe('a TreeEnsembleRegressor followed by a Sigmoid', () => {
  it('is read as base + Σ leaves, and the scorer reads its one-column output', async () => {
    const next = random(5150);
    const pool = thresholdPool(next);
    const source = Array.from({ length: 30 }, () => randomTree(next, 6, 4, pool, 0.4));
    const lists = new EnsembleLists();
    source.forEach((tree, treeId) =>
      tree.nodes.forEach((node, nodeId) => {
        if (isLeaf(node)) lists.leaf(treeId, nodeId, node.value);
        else lists.split(treeId, nodeId, node.feature, 'BRANCH_LEQ', node.threshold, node.left, node.right, node.missingLeft);
      }),
    );
    // The classifier's lists under the regressor's names: target_* for class_*, one target, no labels.
    const attributes = lists
      .attributes([{ name: 'base_values', kind: 'floats', value: [-1.5] }])
      .filter((attribute) => attribute.name !== 'classlabels_int64s' && attribute.name !== 'post_transform')
      .map((attribute) => ({ ...attribute, name: attribute.name.replace(/^class_(ids|nodeids|treeids|weights)$/, 'target_$1') }) as OnnxAttribute);
    const nodes: OnnxNode[] = [
      { opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', name: 'TreeEnsembleRegressor', inputs: ['input'], outputs: ['margin'], attributes: [...attributes, { name: 'n_targets', kind: 'int', value: 1 }] },
      { opType: 'Sigmoid', domain: '', name: 'Sigmoid', inputs: ['margin'], outputs: ['probability'], attributes: [] },
    ];
    const bytes = encodeModelProto({
      irVersion: 8,
      producerName: 'hand',
      producerVersion: '1',
      modelVersion: 0,
      docString: '',
      opsets: [
        { domain: '', version: 15 },
        { domain: 'ai.onnx.ml', version: 3 },
      ],
      metadata: [],
      graph: { name: 'margin', nodes, inputs: [{ name: 'input', elementType: onnxElementType.float, dims: ['N', 6] }], outputs: [{ name: 'probability', elementType: onnxElementType.float, dims: ['N', 1] }] },
    });
    const model = decodeOnnx(bytes) as TreeEnsembleModel;
    expect(model.baseMargin).toBe(-1.5);
    const rows = randomRows(5151, 400, 6, pool);
    const scores = await (await load(bytes)).score(rows, 400);
    expect(maxDifference(scores, (row) => logistic(float32Margin(model, rows, row))).difference).toBeLessThanOrEqual(tolerance);
  });
});

describe('OnnxRuntimeScorer', () => {
  it('refuses bytes onnxruntime cannot load, with a typed error', async () => {
    const error = await OnnxRuntimeScorer.load(new Uint8Array([1, 2, 3, 4])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OnnxRuntimeLoadError);
    expect((error as OnnxRuntimeLoadError).code).toBe('load_failed');
  });

  it('scores no rows to nothing, refuses rows of the wrong width, and scores nothing once closed', async () => {
    const model: LinearModel = { kind: 'linear', featureNames: ['a', 'b'], intercept: 0, coefficients: [1, 1], metadata };
    const scorer = await OnnxRuntimeScorer.load(encodeOnnx(model));
    expect(scorer.featureCount).toBe(2);
    expect(await scorer.score(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    await expect(scorer.score(new Float32Array(3), 1)).rejects.toThrow(/1 rows of 2 features are 2 values, got 3/);
    await scorer.close();
    await expect(scorer.score(new Float32Array(2), 1)).rejects.toThrow(/closed/);
  });

  it('measures a 200-tree depth-6 ensemble: per row alone and in a batch', async () => {
    const next = random(200);
    const pool = thresholdPool(next);
    const trees = Array.from({ length: 200 }, () => randomTree(next, 30, 6, pool, 0.3));
    const model: TreeEnsembleModel = { kind: 'tree_ensemble', featureNames: Array.from({ length: 30 }, (_, index) => `f${index}`), baseMargin: -3, trees, metadata };
    const scorer = await load(encodeOnnx(model));
    const batchRows = 1000;
    const rows = randomRows(201, batchRows, 30, pool);
    for (let warm = 0; warm < 50; warm++) await scorer.score(rows.subarray(0, 30), 1);
    const singleCalls = 500;
    let started = performance.now();
    for (let call = 0; call < singleCalls; call++) await scorer.score(rows.subarray((call % batchRows) * 30, ((call % batchRows) + 1) * 30), 1);
    const singleUs = ((performance.now() - started) * 1000) / singleCalls;
    await scorer.score(rows, batchRows);
    const batches = 5;
    started = performance.now();
    for (let batch = 0; batch < batches; batch++) await scorer.score(rows, batchRows);
    const batchUs = ((performance.now() - started) * 1000) / (batches * batchRows);
    console.info(`onnxruntime-node 1.30.0, 200 trees of depth 6, one thread: ${singleUs.toFixed(1)} µs per row alone, ${batchUs.toFixed(2)} µs per row in batches of ${batchRows}`);
    expect(singleUs).toBeGreaterThan(0);
    expect(batchUs).toBeLessThan(singleUs);
  });
});
