import { describe, expect, it } from 'vitest';
import { logistic, type IsolationForestModel, type LinearModel, type Tree, type TreeEnsembleModel } from './model';
import { createRandom } from './random';
import { averagePathLength, compileClassifier, compileIsolationForest, featureMatrix } from './scorer';

const metadata = { version: 'test', trainingDataDigest: '0'.repeat(64), metrics: {}, producer: 'qenex' };

/** One split on feature 0 at `threshold`: left leaf −1, right leaf +1 (float32 values). */
function stump(threshold: number, missingLeft: boolean): Tree {
  return {
    nodes: [
      { feature: 0, threshold, left: 1, right: 2, missingLeft, cover: 10 },
      { value: -1, cover: 6 },
      { value: 1, cover: 4 },
    ],
  };
}

function ensemble(trees: Tree[], featureCount = 2, baseMargin = 0): TreeEnsembleModel {
  return { kind: 'tree_ensemble', featureNames: Array.from({ length: featureCount }, (_, i) => `f${i}`), baseMargin, trees, metadata };
}

describe('tree ensembles, scored as onnxruntime scores float input', () => {
  it('goes left when the value is <= the threshold, right when above', () => {
    const scorer = compileClassifier(ensemble([stump(0.5, false)]));
    expect(scorer.margin([0.5, 0])).toBe(-1);
    expect(scorer.margin([0.25, 0])).toBe(-1);
    expect(scorer.margin([0.75, 0])).toBe(1);
  });

  it('rounds the value to float32 before comparing: a double just above a float32 threshold goes left', () => {
    const threshold = Math.fround(0.1); // 0.100000001490116…
    const justAbove = threshold + 1e-12; // above in double, the same float32
    expect(Math.fround(justAbove)).toBe(threshold);
    const scorer = compileClassifier(ensemble([stump(threshold, false)]));
    expect(scorer.margin([justAbove, 0])).toBe(-1);
    expect(scorer.margin([0.1, 0])).toBe(-1); // the double 0.1 is below fround(0.1) anyway
    const nextFloat32 = Math.fround(threshold * (1 + 2 ** -23));
    expect(nextFloat32).toBeGreaterThan(threshold);
    expect(scorer.margin([nextFloat32, 0])).toBe(1);
  });

  it('sends a missing value left exactly when the node says missingLeft', () => {
    expect(compileClassifier(ensemble([stump(0.5, true)])).margin([Number.NaN, 0])).toBe(-1);
    expect(compileClassifier(ensemble([stump(0.5, false)])).margin([Number.NaN, 0])).toBe(1);
  });

  it('adds the base margin and every tree’s leaf in double, and the probability is the logistic', () => {
    const model = ensemble([stump(0.5, false), stump(Math.fround(0.7), true), { nodes: [{ value: Math.fround(0.1), cover: 1 }] }], 2, 0.25);
    const scorer = compileClassifier(model);
    expect(scorer.margin([0.6, 0])).toBe(0.25 + 1 - 1 + Math.fround(0.1));
    expect(scorer.probability([0.6, 0])).toBe(logistic(0.25 + 1 - 1 + Math.fround(0.1)));
  });

  it('scores a batch exactly as row by row', () => {
    const random = createRandom(1);
    const model = randomEnsemble(random, 20, 5, 4);
    const scorer = compileClassifier(model);
    const rows = Array.from({ length: 100 }, () => Array.from({ length: 5 }, () => (random.nextFloat() < 0.1 ? Number.NaN : random.nextFloat() * 2 - 1)));
    const batch = scorer.marginBatch(featureMatrix(rows, 5));
    rows.forEach((row, i) => expect(batch[i]).toBe(scorer.margin(row)));
    const probabilities = scorer.probabilityBatch(featureMatrix(rows, 5));
    rows.forEach((row, i) => expect(probabilities[i]).toBe(scorer.probability(row)));
  });

  it('refuses trees that are not trees, or values that are not float32', () => {
    const cycle: Tree = { nodes: [{ feature: 0, threshold: 0, left: 1, right: 1, missingLeft: false, cover: 1 }, { value: 0, cover: 1 }] };
    expect(() => compileClassifier(ensemble([cycle]))).toThrow(/reached twice/);
    const outOfRange: Tree = { nodes: [{ feature: 0, threshold: 0, left: 1, right: 5, missingLeft: false, cover: 1 }, { value: 0, cover: 1 }] };
    expect(() => compileClassifier(ensemble([outOfRange]))).toThrow(/out of range/);
    const badFeature: Tree = { nodes: [{ feature: 9, threshold: 0, left: 1, right: 2, missingLeft: false, cover: 1 }, { value: 0, cover: 1 }, { value: 0, cover: 1 }] };
    expect(() => compileClassifier(ensemble([badFeature]))).toThrow(/outside the schema/);
    expect(() => compileClassifier(ensemble([stump(0.1, false)]))).toThrow(/float32/);
    expect(() => compileClassifier(ensemble([{ nodes: [{ value: 0.1, cover: 1 }] }]))).toThrow(/float32/);
    expect(() => compileClassifier(ensemble([stump(0.5, false)])).margin([1])).toThrow(/2 features/);
  });

  it('scores a row of 30 features through 200 trees of depth 6 well under 0.1 ms', () => {
    const random = createRandom(2);
    const model = randomEnsemble(random, 200, 30, 6);
    const scorer = compileClassifier(model);
    const rows = Array.from({ length: 500 }, () => Array.from({ length: 30 }, () => random.nextFloat() * 2 - 1));
    for (const row of rows) scorer.margin(row); // warm up the compiler
    // The best of five rounds, in CPU time: other work on a shared machine slows the clock, not us.
    let bestMs = Infinity;
    let sum = 0;
    for (let round = 0; round < 5; round++) {
      const started = process.cpuUsage();
      for (const row of rows) sum += scorer.margin(row);
      bestMs = Math.min(bestMs, process.cpuUsage(started).user / 1000);
    }
    expect(Number.isFinite(sum)).toBe(true);
    expect(bestMs / rows.length).toBeLessThan(0.1);
  });
});

describe('linear models', () => {
  const model: LinearModel = { kind: 'linear', featureNames: ['a', 'b', 'c'], intercept: -1, coefficients: [2, -0.5, 0.25], metadata };

  it('scores intercept + Σ coefficient·value', () => {
    expect(compileClassifier(model).margin([1, 2, 4])).toBe(-1 + 2 - 1 + 1);
  });

  it('counts a missing value as 0: it adds nothing to the margin', () => {
    expect(compileClassifier(model).margin([Number.NaN, 2, Number.NaN])).toBe(-1 - 1);
    const batch = compileClassifier(model).marginBatch(featureMatrix([[Number.NaN, 2, Number.NaN]], 3));
    expect(batch[0]).toBe(-2);
  });
});

describe('isolation forests', () => {
  it('c(n): 0 for one row, 1 for two, 2H(n−1) − 2(n−1)/n above', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(3)).toBeCloseTo(2 * 1.5 - 4 / 3, 12);
    // H(255) by summation against the asymptotic form used above 65 terms.
    let harmonic = 0;
    for (let k = 1; k <= 255; k++) harmonic += 1 / k;
    expect(averagePathLength(256)).toBeCloseTo(2 * harmonic - (2 * 255) / 256, 9);
  });

  it('scores 2^(−E[h]/c(ψ)), completing external nodes with c(size)', () => {
    // One tree: the root splits feature 0 at 0; left is an external node that held 1 row, right held 3.
    const model: IsolationForestModel = {
      kind: 'isolation_forest',
      featureNames: ['x'],
      sampleSize: 4,
      trees: [{ nodes: [{ feature: 0, threshold: 0, left: 1, right: 2 }, { size: 1 }, { size: 3 }] }],
      metadata,
    };
    const scorer = compileIsolationForest(model);
    expect(scorer.meanPathLength([-1])).toBe(1);
    expect(scorer.meanPathLength([1])).toBe(1 + averagePathLength(3));
    expect(scorer.score([-1])).toBe(Math.pow(2, -1 / averagePathLength(4)));
    expect(scorer.score([Number.NaN])).toBe(scorer.score([-1])); // missing goes left
    expect(scorer.scoreBatch(featureMatrix([[-1], [1]], 1))).toEqual(Float64Array.from([scorer.score([-1]), scorer.score([1])]));
  });
});

/** A random full tree of the given depth over `featureCount` features, float32 everywhere. */
function randomTree(random: ReturnType<typeof createRandom>, featureCount: number, depth: number): Tree {
  const nodes: Tree['nodes'][number][] = [];
  const grow = (level: number): number => {
    const index = nodes.length;
    if (level === depth) {
      nodes.push({ value: Math.fround(random.nextFloat() - 0.5), cover: 1 });
      return index;
    }
    nodes.push({ value: 0, cover: 0 });
    const left = grow(level + 1);
    const right = grow(level + 1);
    nodes[index] = { feature: random.nextInt(featureCount), threshold: Math.fround(random.nextFloat() * 2 - 1), left, right, missingLeft: random.nextFloat() < 0.5, cover: 2 ** (depth - level) };
    return index;
  };
  grow(0);
  return { nodes };
}

function randomEnsemble(random: ReturnType<typeof createRandom>, treeCount: number, featureCount: number, depth: number): TreeEnsembleModel {
  return ensemble(Array.from({ length: treeCount }, () => randomTree(random, featureCount, depth)), featureCount, 0.1);
}
