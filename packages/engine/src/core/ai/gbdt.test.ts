import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binFeature, binOf, float32Between, float32Max, trainGradientBoostedTrees, type GbdtOptions } from './gbdt';
import { trainLogisticRegression } from './linear';
import { logistic, isLeaf, type Tree, type TreeEnsembleModel } from './model';
import { areaUnderRoc } from './metrics';
import { createRandom, type Random } from './random';
import { compileClassifier, type FeatureMatrix } from './scorer';

const metadata = { version: 'gbdt-test', trainingDataDigest: '0'.repeat(64), metrics: {} };

interface LabelledSet {
  readonly matrix: FeatureMatrix;
  readonly labels: Uint8Array;
}

/** Rows of `featureCount` uniform features in [−1, 1]; each label drawn from the margin function. */
function synthetic(random: Random, rowCount: number, featureCount: number, margin: (row: Float64Array) => number): LabelledSet {
  const values = new Float64Array(rowCount * featureCount);
  const labels = new Uint8Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const row = values.subarray(r * featureCount, (r + 1) * featureCount);
    for (let f = 0; f < featureCount; f++) row[f] = random.nextFloat() * 2 - 1;
    labels[r] = random.nextFloat() < logistic(margin(row)) ? 1 : 0;
  }
  return { matrix: { rowCount, featureCount, values }, labels };
}

const xor = (row: Float64Array) => (row[0]! * row[1]! > 0 ? 4 : -4);
const linear = (row: Float64Array) => 2 * row[0]! - 1.5 * row[1]! + row[2]!;
const names = (featureCount: number) => Array.from({ length: featureCount }, (_, i) => `f${i}`);

function trainTrees(set: LabelledSet, options: Partial<GbdtOptions> = {}): TreeEnsembleModel {
  const result = trainGradientBoostedTrees(set.matrix, set.labels, { featureNames: names(set.matrix.featureCount), metadata, seed: 1, treeCount: 60, depthMax: 3, ...options });
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function trainLinear(set: LabelledSet) {
  const result = trainLogisticRegression(set.matrix, set.labels, { featureNames: names(set.matrix.featureCount), metadata });
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function heldOutAuc(model: Parameters<typeof compileClassifier>[0], set: LabelledSet): number {
  return areaUnderRoc(compileClassifier(model).marginBatch(set.matrix), set.labels);
}

/** The next float32 above a finite float32. */
function nextFloat32Up(value: number): number {
  const buffer = new Float32Array([value]);
  const bits = new Int32Array(buffer.buffer);
  bits[0] = value >= 0 ? bits[0]! + 1 : bits[0]! - 1;
  return buffer[0]!;
}

describe('float32 thresholds', () => {
  it('separates two float32 values with a float32 t: low <= t < high, even when they are adjacent', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), fc.float({ noNaN: true, noDefaultInfinity: true }), (a, b) => {
        const low = Math.min(a, b) + 0;
        const high = Math.max(a, b) + 0;
        if (!(low < high)) return;
        const t = float32Between(low, high);
        expect(Math.fround(t)).toBe(t);
        expect(low <= t && t < high).toBe(true);
      }),
    );
    const a = Math.fround(0.1);
    expect(float32Between(a, nextFloat32Up(a))).toBe(a);
    expect(float32Between(-Infinity, 0)).toBe(-float32Max);
  });

  it('bins every value so that the bin’s threshold sends it left and the previous one right, after Math.fround', () => {
    const tricky = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.float({ noNaN: true, noDefaultInfinity: true }).map((x) => nextFloat32Up(x)),
      fc.constantFrom(0, -0, 1, 1 + 1e-12, 1 - 1e-12, Math.fround(0.1), 0.1, 3e38, 4e38, -4e38, Infinity, -Infinity, Number.NaN),
    );
    fc.assert(
      fc.property(fc.array(tricky, { minLength: 1, maxLength: 400 }), fc.integer({ min: 2, max: 255 }), (values, binCountMax) => {
        const binning = binFeature(values, binCountMax);
        expect(binning.binCount).toBeLessThanOrEqual(binCountMax);
        for (let b = 0; b < binning.binCount; b++) {
          const t = binning.thresholds[b]!;
          if (!Number.isNaN(t)) {
            expect(Math.fround(t)).toBe(t);
            expect(Number.isFinite(t)).toBe(true);
          }
        }
        for (const value of values) {
          const bin = binOf(binning, value);
          if (Number.isNaN(value)) {
            expect(bin).toBe(255);
            continue;
          }
          const rounded = Math.fround(value);
          const upper = binning.thresholds[bin]!;
          if (!Number.isNaN(upper)) expect(rounded <= upper).toBe(true);
          if (bin > 0) expect(rounded > binning.thresholds[bin - 1]!).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('cuts many distinct values into at most binCountMax bins of roughly equal size', () => {
    const random = createRandom(9);
    const values = Array.from({ length: 10_000 }, () => random.nextFloat());
    const binning = binFeature(values, 255);
    expect(binning.binCount).toBeGreaterThan(200);
    expect(binning.binCount).toBeLessThanOrEqual(255);
    const counts = new Array(binning.binCount).fill(0);
    for (const value of values) counts[binOf(binning, value)]++;
    expect(Math.max(...counts)).toBeLessThan(3 * (10_000 / 255));
  });

  it('learns a split between adjacent float32 values, and the scorer keeps them apart', () => {
    const low = Math.fround(1234.5);
    const high = nextFloat32Up(low);
    const rowCount = 400;
    const values = new Float64Array(rowCount);
    const labels = new Uint8Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      values[r] = r % 2 === 0 ? low : high;
      labels[r] = r % 2;
    }
    const model = trainTrees({ matrix: { rowCount, featureCount: 1, values }, labels }, { treeCount: 5, depthMax: 1 });
    const scorer = compileClassifier(model);
    const root = model.trees[0]!.nodes[0]!;
    expect(isLeaf(root) ? undefined : root.threshold).toBe(low); // no float32 lies strictly between
    expect(scorer.margin([low])).toBeLessThan(-0.1);
    expect(scorer.margin([high])).toBeGreaterThan(0.1);
    // A double between them rounds to one of the two float32 values and scores as that one.
    const between = low + (high - low) / 4;
    expect(scorer.margin([between])).toBe(scorer.margin([Math.fround(between)]));
  });

  it('routes every training row on thresholds exactly as on bins: the training loss it reports is the scorer’s', () => {
    const random = createRandom(11);
    const base = [Math.fround(0.1), 0.1, 1, 1 + 1e-12, nextFloat32Up(1), -0, 0, 3e38, 5e38, -5e38, Number.NaN];
    const rowCount = 3000;
    const featureCount = 3;
    const values = new Float64Array(rowCount * featureCount);
    const labels = new Uint8Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      for (let f = 0; f < featureCount; f++) values[r * featureCount + f] = random.nextFloat() < 0.6 ? base[random.nextInt(base.length)]! : random.nextFloat() * 4 - 2;
      labels[r] = random.nextFloat() < 0.3 ? 1 : 0;
    }
    const set = { matrix: { rowCount, featureCount, values }, labels };
    const losses: number[] = [];
    const model = trainTrees(set, { treeCount: 20, depthMax: 5, leafRowCountMin: 1, onProgress: (_step, _total, loss) => losses.push(loss) });
    const margins = compileClassifier(model).marginBatch(set.matrix);
    let total = 0;
    for (let r = 0; r < rowCount; r++) {
      const margin = margins[r]!;
      total += Math.max(margin, 0) + Math.log1p(Math.exp(-Math.abs(margin))) - labels[r]! * margin;
    }
    expect(losses.length).toBe(20);
    expect(losses[19]).toBe(total / rowCount);
  });
});

describe('trainGradientBoostedTrees', () => {
  const random = createRandom(5);
  const xorTrain = synthetic(random, 4000, 4, xor);
  const xorTest = synthetic(random, 2000, 4, xor);
  const linearTrain = synthetic(random, 4000, 4, linear);
  const linearTest = synthetic(random, 2000, 4, linear);

  it('learns an XOR pattern (held-out AUC > 0.95) that logistic regression cannot', () => {
    const trees = heldOutAuc(trainTrees(xorTrain), xorTest);
    const baseline = heldOutAuc(trainLinear(xorTrain), xorTest);
    expect(trees).toBeGreaterThan(0.95);
    expect(baseline).toBeLessThan(0.6);
  });

  it('loses to (or ties) logistic regression when the truth is linear', () => {
    const trees = heldOutAuc(trainTrees(linearTrain), linearTest);
    const baseline = heldOutAuc(trainLinear(linearTrain), linearTest);
    expect(trees).toBeGreaterThan(0.75);
    expect(baseline).toBeGreaterThanOrEqual(trees - 0.005);
  });

  it('is reproducible: the same data and seed give byte-identical JSON; another seed another model', () => {
    const options = { rowSubsample: 0.7, featureSubsample: 0.5, treeCount: 15 };
    const first = JSON.stringify(trainTrees(xorTrain, { ...options, seed: 42 }));
    const second = JSON.stringify(trainTrees(xorTrain, { ...options, seed: 42 }));
    const other = JSON.stringify(trainTrees(xorTrain, { ...options, seed: 43 }));
    expect(second).toBe(first);
    expect(other).not.toBe(first);
    expect(JSON.parse(first).metadata).toEqual({ ...metadata, seed: 42, producer: 'qenex' });
  });

  it('keeps to depthMax and leafCountMax, and each tree to its sampled features', () => {
    const model = trainTrees(xorTrain, { depthMax: 4, leafCountMax: 5, featureSubsample: 0.5, treeCount: 10 });
    for (const tree of model.trees) {
      expect(tree.nodes.filter(isLeaf).length).toBeLessThanOrEqual(5);
      expect(depthOf(tree, 0)).toBeLessThanOrEqual(4);
      const features = new Set(tree.nodes.flatMap((node) => (isLeaf(node) ? [] : [node.feature])));
      expect(features.size).toBeLessThanOrEqual(2);
    }
  });

  it('records covers as Hessian sums: the first root’s is n·p(1 − p) at the base rate, and children add up to their parent', () => {
    const model = trainTrees(xorTrain, { treeCount: 3 });
    const p = logistic(model.baseMargin);
    expect(model.trees[0]!.nodes[0]!.cover).toBeCloseTo(4000 * p * (1 - p), 6);
    for (const tree of model.trees) {
      for (const node of tree.nodes) {
        if (isLeaf(node)) continue;
        const sum = tree.nodes[node.left]!.cover + tree.nodes[node.right]!.cover;
        expect(Math.abs(sum - node.cover)).toBeLessThan(1e-9 * node.cover);
      }
    }
  });

  it('learns where missing values go: when missing means fraud, a missing value scores high', () => {
    const rng = createRandom(8);
    const rowCount = 2000;
    const values = new Float64Array(rowCount * 2);
    const labels = new Uint8Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      const missing = rng.nextFloat() < 0.3;
      values[r * 2] = missing ? Number.NaN : rng.nextFloat();
      values[r * 2 + 1] = rng.nextFloat();
      labels[r] = missing === rng.nextFloat() < 0.9 ? 1 : 0;
    }
    const scorer = compileClassifier(trainTrees({ matrix: { rowCount, featureCount: 2, values }, labels }, { treeCount: 20 }));
    expect(scorer.probability([Number.NaN, 0.5])).toBeGreaterThan(0.8);
    expect(scorer.probability([0.5, 0.5])).toBeLessThan(0.2);
  });

  it('stops early on a validation set, keeping the trees up to the best validation loss', () => {
    const rng = createRandom(13);
    const noise = (row: Float64Array) => 0.3 * row[0]!;
    const train = synthetic(rng, 600, 6, noise);
    const validation = synthetic(rng, 600, 6, noise);
    const reported: number[] = [];
    const model = trainTrees(train, { treeCount: 300, learningRate: 0.5, depthMax: 6, leafRowCountMin: 2, validation, earlyStoppingRounds: 5, onProgress: (_s, _t, loss) => reported.push(loss) });
    expect(reported.length).toBeLessThan(300);
    expect(model.trees.length).toBe(reported.length - 5);
    expect(Math.min(...reported)).toBe(reported[model.trees.length - 1]);
  });

  it('refuses data it cannot learn from, as values', () => {
    const matrix: FeatureMatrix = { rowCount: 2, featureCount: 1, values: Float64Array.from([1, 2]) };
    const options = { featureNames: ['x'], metadata, seed: 1 };
    expect(trainGradientBoostedTrees(matrix, [0, 0], options)).toEqual({ ok: false, error: 'training_labels_one_class' });
    expect(trainGradientBoostedTrees({ rowCount: 0, featureCount: 1, values: new Float64Array(0) }, [], options)).toEqual({ ok: false, error: 'training_set_empty' });
    const emptyValidation = { matrix: { rowCount: 0, featureCount: 1, values: new Float64Array(0) }, labels: [] };
    expect(trainGradientBoostedTrees(matrix, [0, 1], { ...options, validation: emptyValidation })).toEqual({ ok: false, error: 'validation_set_invalid' });
  });
});

function depthOf(tree: Tree, index: number): number {
  const node = tree.nodes[index]!;
  return isLeaf(node) ? 0 : 1 + Math.max(depthOf(tree, node.left), depthOf(tree, node.right));
}
