import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  areaUnderRoc,
  averagePrecision,
  binCounts,
  logLoss,
  operatingPointAtFalsePositiveRate,
  populationStabilityIndex,
  quantileEdges,
  recallAtFalsePositiveRate,
} from './metrics';

describe('averagePrecision', () => {
  it('sums recall gained × precision at each threshold (worked by hand)', () => {
    // Thresholds 0.9: P = 1, R = ½; 0.8: no recall gained; 0.7: P = ⅔, R = 1.
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 15);
  });

  it('treats tied scores as one threshold: all flagged together', () => {
    // 0.5 flags three rows, one fraud: P = ⅓ for R = ½; then 0.1: P = ½ for the other ½.
    expect(averagePrecision([0.5, 0.5, 0.5, 0.1], [1, 0, 0, 1])).toBeCloseTo(1 / 6 + 1 / 4, 15);
    // Were ties broken by row order, putting the fraud first would give ½ + ¼ instead.
  });

  it('is 1 for a perfect ranking, the base rate for all-equal scores, NaN with no fraud', () => {
    expect(averagePrecision([3, 2, 1, 0], [1, 1, 0, 0])).toBe(1);
    expect(averagePrecision([1, 1, 1, 1], [1, 0, 0, 0])).toBe(0.25);
    expect(averagePrecision([1, 2], [0, 0])).toBeNaN();
  });

  it('does not depend on the order of the rows', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 40 }), (pairs) => {
        const reversed = [...pairs].reverse();
        const a = averagePrecision(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
        const b = averagePrecision(reversed.map((p) => p[0]), reversed.map((p) => p[1]));
        expect(Object.is(a, b) || Math.abs(a - b) < 1e-15).toBe(true);
      }),
    );
  });
});

describe('areaUnderRoc', () => {
  it('is the share of (fraud, genuine) pairs ordered correctly, a tie counting ½', () => {
    // Pairs (0.9,0.8) (0.9,0.6) (0.7,0.6) right, (0.7,0.8) wrong.
    expect(areaUnderRoc([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toBe(0.75);
    expect(areaUnderRoc([0.5, 0.5], [1, 0])).toBe(0.5);
    expect(areaUnderRoc([0.5, 0.5, 0.7], [1, 0, 0])).toBe(0.25);
    expect(areaUnderRoc([1, 0], [1, 0])).toBe(1);
    expect(areaUnderRoc([1, 0], [1, 1])).toBeNaN();
  });

  it('agrees with counting every pair', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 40 }), (pairs) => {
        const scores = pairs.map((p) => p[0]);
        const labels = pairs.map((p) => p[1]);
        let credit = 0;
        let count = 0;
        pairs.forEach(([s, l]) => {
          if (l !== 1) return;
          pairs.forEach(([t, m]) => {
            if (m !== 0) return;
            count++;
            credit += s > t ? 1 : s === t ? 0.5 : 0;
          });
        });
        const auc = areaUnderRoc(scores, labels);
        if (count === 0) expect(auc).toBeNaN();
        else expect(auc).toBeCloseTo(credit / count, 12);
      }),
    );
  });
});

describe('recall at a false-positive rate', () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
  const labels = [1, 0, 1, 1, 0];

  it('takes the lowest threshold whose false-positive rate stays within the limit', () => {
    expect(operatingPointAtFalsePositiveRate(scores, labels, 0.5)).toEqual({ threshold: 0.6, recall: 1, falsePositiveRate: 0.5, precision: 0.75 });
    expect(operatingPointAtFalsePositiveRate(scores, labels, 0)).toEqual({ threshold: 0.9, recall: 1 / 3, falsePositiveRate: 0, precision: 1 });
    expect(recallAtFalsePositiveRate(scores, labels, 0.01)).toBe(1 / 3);
  });

  it('never splits a tie to stay under the limit: flagging nothing is the answer then', () => {
    expect(operatingPointAtFalsePositiveRate([0.5, 0.5, 0.5], [1, 0, 0], 0.4)).toEqual({ threshold: Infinity, recall: 0, falsePositiveRate: 0, precision: Number.NaN });
  });
});

describe('logLoss', () => {
  it('is the mean negative log-likelihood', () => {
    expect(logLoss([0.8, 0.4], [1, 0])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
    expect(Number.isFinite(logLoss([0, 1], [1, 0]))).toBe(true);
  });
});

describe('population stability index', () => {
  it('cuts the reference at its quantiles and compares shares (worked by hand)', () => {
    const reference = [1, 2, 3, 4];
    expect(Array.from(quantileEdges(reference, 2))).toEqual([2]);
    // Shares: reference ½, ½, (missing) 0 → ε; actual ¾, ¼, 0 → ε.
    expect(populationStabilityIndex(reference, [1, 1, 1, 3], { binCount: 2 })).toBeCloseTo(0.25 * Math.log(1.5) + 0.25 * Math.log(2), 15);
  });

  it('is 0 for the same sample and grows as the sample moves', () => {
    const reference = Array.from({ length: 1000 }, (_, i) => i);
    expect(populationStabilityIndex(reference, reference)).toBe(0);
    const shifted = (by: number) => populationStabilityIndex(reference, reference.map((x) => x + by));
    expect(shifted(50)).toBeGreaterThan(0);
    expect(shifted(200)).toBeGreaterThan(shifted(50));
  });

  it('gives missing values a bin of their own and empty bins an epsilon share', () => {
    const reference = [1, 2, 3, 4];
    const edges = quantileEdges(reference, 4);
    expect(Array.from(edges)).toEqual([1, 2, 3]);
    expect(Array.from(binCounts([1, 4, 5, Number.NaN], edges))).toEqual([1, 0, 0, 2, 1]);
    const epsilon = 1e-4;
    const expected = 3 * (epsilon - 0.25) * Math.log(epsilon / 0.25) + (0.75 - 0.25) * Math.log(0.75 / 0.25) + (0.25 - epsilon) * Math.log(0.25 / epsilon);
    expect(populationStabilityIndex(reference, [4, 4, 4, Number.NaN], { binCount: 4, epsilon })).toBeCloseTo(expected, 12);
  });

  it('merges bins over heavy ties instead of making empty ones, and accepts edges fixed earlier', () => {
    const reference = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2];
    expect(Array.from(quantileEdges(reference, 10))).toEqual([0, 1]);
    const edges = quantileEdges(reference, 10);
    expect(populationStabilityIndex(reference, [0, 5], { edges })).toBe(populationStabilityIndex(reference, [0, 5], { binCount: 10 }));
  });
});
