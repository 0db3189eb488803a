import { describe, expect, it } from 'vitest';
import { trainIsolationForest } from './isolation-forest';
import type { IsolationForestModel, IsolationTree } from './model';
import { createRandom } from './random';
import { compileIsolationForest, type FeatureMatrix } from './scorer';

const metadata = { version: 'if-test', trainingDataDigest: '0'.repeat(64), metrics: {} };

/** 2000 ordinary rows around the origin, then 8 planted far away, one at each corner of a cube. */
function withPlantedOutliers(): { matrix: FeatureMatrix; outlierRows: number[] } {
  const random = createRandom(21);
  const ordinary = 2000;
  const outliers = 8;
  const featureCount = 3;
  const values = new Float64Array((ordinary + outliers) * featureCount);
  for (let r = 0; r < ordinary; r++) {
    for (let f = 0; f < featureCount; f++) values[r * featureCount + f] = (random.nextFloat() + random.nextFloat() + random.nextFloat() - 1.5) * 2;
  }
  const outlierRows: number[] = [];
  for (let k = 0; k < outliers; k++) {
    const r = ordinary + k;
    outlierRows.push(r);
    for (let f = 0; f < featureCount; f++) values[r * featureCount + f] = (k >> f) & 1 ? 8 : -8;
  }
  return { matrix: { rowCount: ordinary + outliers, featureCount, values }, outlierRows };
}

function train(matrix: FeatureMatrix, seed = 1, sampleSize = 256): IsolationForestModel {
  const result = trainIsolationForest(matrix, { featureNames: ['a', 'b', 'c'], metadata, seed, sampleSize });
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('trainIsolationForest', () => {
  it('scores planted outliers above every ordinary row', () => {
    const { matrix, outlierRows } = withPlantedOutliers();
    const scores = compileIsolationForest(train(matrix)).scoreBatch(matrix);
    const outliers = new Set(outlierRows);
    let ordinaryMax = 0;
    for (let r = 0; r < matrix.rowCount; r++) if (!outliers.has(r)) ordinaryMax = Math.max(ordinaryMax, scores[r]!);
    for (const r of outlierRows) expect(scores[r]!).toBeGreaterThan(ordinaryMax);
    for (const r of outlierRows) expect(scores[r]!).toBeGreaterThan(0.6);
    // The bulk of ordinary rows sits below ½, as the paper reads the score.
    const ordinaryScores = Array.from(scores).filter((_, r) => !outliers.has(r)).sort((a, b) => a - b);
    expect(ordinaryScores[Math.floor(ordinaryScores.length / 2)]!).toBeLessThan(0.5);
  });

  it('grows trees on ψ rows with height at most ceil(log₂ ψ), every sampled row ending in one external node', () => {
    const { matrix } = withPlantedOutliers();
    const model = train(matrix, 3, 100);
    expect(model.sampleSize).toBe(100);
    expect(model.trees).toHaveLength(100);
    for (const tree of model.trees) {
      const { size, height } = walk(tree, 0);
      expect(size).toBe(100);
      expect(height).toBeLessThanOrEqual(Math.ceil(Math.log2(100)));
    }
  });

  it('is reproducible for a seed and different for another', () => {
    const { matrix } = withPlantedOutliers();
    expect(JSON.stringify(train(matrix, 5))).toBe(JSON.stringify(train(matrix, 5)));
    expect(JSON.stringify(train(matrix, 6))).not.toBe(JSON.stringify(train(matrix, 5)));
  });

  it('takes every row when there are fewer than ψ, and sends missing values left', () => {
    const values = Float64Array.from([0, 1, 2, Number.NaN, 10]);
    const result = trainIsolationForest({ rowCount: 5, featureCount: 1, values }, { featureNames: ['x'], metadata, seed: 2, treeCount: 20 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.sampleSize).toBe(5);
    const scorer = compileIsolationForest(result.value);
    expect(scorer.score([10])).toBeGreaterThan(scorer.score([1]));
    expect(Number.isFinite(scorer.score([Number.NaN]))).toBe(true);
  });

  it('refuses rows it cannot grow on, as values', () => {
    const options = { featureNames: ['x'], metadata, seed: 1 };
    expect(trainIsolationForest({ rowCount: 0, featureCount: 1, values: new Float64Array(0) }, options)).toEqual({ ok: false, error: 'training_set_empty' });
    expect(trainIsolationForest({ rowCount: 2, featureCount: 1, values: Float64Array.from([1, Infinity]) }, options)).toEqual({ ok: false, error: 'training_value_infinite' });
  });
});

function walk(tree: IsolationTree, index: number): { size: number; height: number } {
  const node = tree.nodes[index]!;
  if ('size' in node) return { size: node.size, height: 0 };
  const left = walk(tree, node.left);
  const right = walk(tree, node.right);
  return { size: left.size + right.size, height: 1 + Math.max(left.height, right.height) };
}
