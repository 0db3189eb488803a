import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLeaf, type LinearModel, type Tree, type TreeEnsembleModel, type TreeNode } from './model';
import { createRandom, type Random } from './random';
import { compileClassifier } from './scorer';
import { compileExplainer, coverShare, explain, topReasons } from './treeshap';

const metadata = { version: 'test', trainingDataDigest: '0'.repeat(64), metrics: {}, producer: 'qenex' };

/**
 * A random tree: features repeat along paths (TreeSHAP's UNWIND case), some children have zero
 * cover (a zero fraction), thresholds are float32 and leaf values too.
 */
function randomTree(random: Random, featureCount: number, depthMax: number, thresholds: readonly number[]): Tree {
  const nodes: TreeNode[] = [];
  const grow = (depth: number): number => {
    const index = nodes.length;
    if (depth === depthMax || (depth > 0 && random.nextFloat() < 0.25)) {
      const cover = random.nextFloat() < 0.1 ? 0 : 1 + random.nextInt(50);
      nodes.push({ value: Math.fround((random.nextFloat() - 0.5) * 4), cover });
      return index;
    }
    nodes.push({ value: 0, cover: 0 }); // replaced once the children exist
    const left = grow(depth + 1);
    const right = grow(depth + 1);
    nodes[index] = {
      feature: random.nextInt(featureCount),
      threshold: thresholds[random.nextInt(thresholds.length)]!,
      left,
      right,
      missingLeft: random.nextFloat() < 0.5,
      cover: nodes[left]!.cover + nodes[right]!.cover,
    };
    return index;
  };
  grow(0);
  return { nodes };
}

const thresholdChoices = [-1, -0.5, 0, Math.fround(0.1), 0.5, 1].map(Math.fround);

function randomModel(seed: number, featureCount: number, treeCount: number, depthMax: number): TreeEnsembleModel {
  const random = createRandom(seed);
  return {
    kind: 'tree_ensemble',
    featureNames: Array.from({ length: featureCount }, (_, i) => `f${i}`),
    baseMargin: Math.fround(random.nextFloat() - 0.5),
    trees: Array.from({ length: treeCount }, () => randomTree(random, featureCount, depthMax, thresholdChoices)),
    metadata,
  };
}

/** Values on thresholds, a double just above one (the same float32), between them, and NaN. */
const featureValue = fc.oneof(
  fc.constantFrom(...thresholdChoices),
  fc.constant(Math.fround(0.1) + 1e-12),
  fc.constant(0.1),
  fc.double({ min: -2, max: 2, noNaN: true }),
  fc.constant(Number.NaN),
);

/** The path-dependent conditional expectation E[f(x) | x_S]: absent features follow the covers. */
function conditionalExpectation(tree: Tree, row: readonly number[], present: number, index = 0): number {
  const node = tree.nodes[index]!;
  if (isLeaf(node)) return node.value;
  if ((present >> node.feature) & 1) {
    const value = Math.fround(row[node.feature]!);
    const goesLeft = Number.isNaN(value) ? node.missingLeft : value <= node.threshold;
    return conditionalExpectation(tree, row, present, goesLeft ? node.left : node.right);
  }
  const leftShare = coverShare(tree.nodes[node.left]!.cover, tree.nodes[node.right]!.cover);
  return leftShare * conditionalExpectation(tree, row, present, node.left) + (1 - leftShare) * conditionalExpectation(tree, row, present, node.right);
}

/** Shapley values by enumerating every subset of features: exponential, for small models only. */
function bruteForceShapley(model: TreeEnsembleModel, row: readonly number[]): { expected: number; contributions: number[] } {
  const featureCount = model.featureNames.length;
  const value = (present: number) => model.trees.reduce((sum, tree) => sum + conditionalExpectation(tree, row, present), model.baseMargin);
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const contributions = new Array<number>(featureCount).fill(0);
  for (let feature = 0; feature < featureCount; feature++) {
    for (let subset = 0; subset < 1 << featureCount; subset++) {
      if ((subset >> feature) & 1) continue;
      let size = 0;
      for (let f = 0; f < featureCount; f++) size += (subset >> f) & 1;
      const weight = (factorial(size) * factorial(featureCount - size - 1)) / factorial(featureCount);
      contributions[feature]! += weight * (value(subset | (1 << feature)) - value(subset));
    }
  }
  return { expected: value(0), contributions };
}

describe('TreeSHAP on tree ensembles', () => {
  it('adds up: expected + Σφ = margin(row) to 1e-9, for random models and rows with missing values', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 7 }), (seed, featureCount, treeCount, depthMax) => {
        const model = randomModel(seed, featureCount, treeCount, depthMax);
        const explainer = compileExplainer(model);
        const scorer = compileClassifier(model);
        fc.assert(
          fc.property(fc.array(featureValue, { minLength: featureCount, maxLength: featureCount }), (row) => {
            const { expected, contributions } = explainer.explain(row);
            const total = contributions.reduce((sum, c) => sum + c, expected);
            expect(Math.abs(total - scorer.margin(row))).toBeLessThan(1e-9);
          }),
          { numRuns: 20 },
        );
      }),
      { numRuns: 60 },
    );
  });

  it('equals the Shapley values of the path-dependent expectation, by brute force over every subset', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), (seed, featureCount, treeCount, depthMax) => {
        const model = randomModel(seed, featureCount, treeCount, depthMax);
        const explainer = compileExplainer(model);
        fc.assert(
          fc.property(fc.array(featureValue, { minLength: featureCount, maxLength: featureCount }), (row) => {
            const exact = explainer.explain(row);
            const brute = bruteForceShapley(model, row);
            expect(exact.expected).toBeCloseTo(brute.expected, 10);
            brute.contributions.forEach((phi, f) => expect(exact.contributions[f]!).toBeCloseTo(phi, 10));
          }),
          { numRuns: 10 },
        );
      }),
      { numRuns: 80 },
    );
  });

  it('gives a single split all the credit: φ = value of the row’s leaf − the cover-weighted mean', () => {
    const model: TreeEnsembleModel = {
      kind: 'tree_ensemble',
      featureNames: ['amount', 'hour'],
      baseMargin: 0,
      trees: [
        {
          nodes: [
            { feature: 0, threshold: 100, left: 1, right: 2, missingLeft: true, cover: 4 },
            { value: -1, cover: 3 },
            { value: 2, cover: 1 },
          ],
        },
      ],
      metadata,
    };
    const high = explain(model, [500, 3]);
    expect(high.expected).toBe(0.75 * -1 + 0.25 * 2);
    expect(Array.from(high.contributions)).toEqual([2 - -0.25, 0]);
    const missing = explain(model, [Number.NaN, 3]);
    expect(Array.from(missing.contributions)).toEqual([-1 - -0.25, 0]);
  });
});

describe('linear explanations', () => {
  const model: LinearModel = { kind: 'linear', featureNames: ['a', 'b', 'c'], intercept: 0.5, coefficients: [2, -1, 3], metadata };

  it('are coefficient × value against the intercept, a missing value contributing 0, and add up to the margin', () => {
    const row = [1.5, 4, Number.NaN];
    const { expected, contributions } = explain(model, row);
    expect(expected).toBe(0.5);
    expect(Array.from(contributions)).toEqual([3, -4, 0]);
    expect(contributions.reduce((sum, c) => sum + c, expected)).toBe(compileClassifier(model).margin(row));
  });
});

describe('topReasons', () => {
  it('returns the k largest contributions by absolute value, with their sign, largest first', () => {
    const reasons = topReasons([0.1, -2, 0.5, 0, 2], ['a', 'b', 'c', 'd', 'e'], 3);
    expect(reasons).toEqual([
      { feature: 'b', index: 1, contribution: -2 },
      { feature: 'e', index: 4, contribution: 2 },
      { feature: 'c', index: 2, contribution: 0.5 },
    ]);
  });

  it('leaves out zero contributions, so fewer than k may come back', () => {
    expect(topReasons([0, 0.25, 0], ['a', 'b', 'c'], 3)).toEqual([{ feature: 'b', index: 1, contribution: 0.25 }]);
    expect(topReasons([1, 2], ['a', 'b'], 0)).toEqual([]);
  });
});
