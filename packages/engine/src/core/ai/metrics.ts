/**
 * Model quality figures, exact and deterministic: each sorts once and walks the distinct scores
 * from the highest down, so tied scores are treated as one threshold (all flagged or none) and the
 * answer does not depend on the order the rows came in.
 *
 * Rows are flagged when score >= threshold. Labels are 1 (fraud) and 0. A figure that is undefined
 * for the data (no positives, say) is NaN.
 */
import { assert } from '../assert';

/** The most rows a figure is computed over: counts stay exact in doubles far beyond it. */
export const metricRowCountMax = 100_000_000;

interface ScoreGroup {
  readonly score: number;
  readonly positives: number;
  readonly negatives: number;
}

/** Groups of equal scores, highest score first, with their label counts. */
function scoreGroups(scores: ArrayLike<number>, labels: ArrayLike<number>): { groups: ScoreGroup[]; positives: number; negatives: number } {
  assert(scores.length === labels.length, 'one label per score');
  assert(scores.length <= metricRowCountMax, `at most ${metricRowCountMax} rows`);
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) {
    assert(!Number.isNaN(scores[i]!), `score ${i} is NaN`);
    assert(labels[i] === 0 || labels[i] === 1, `label ${i} is 0 or 1`);
    order[i] = i;
  }
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const groups: ScoreGroup[] = [];
  let positives = 0;
  let negatives = 0;
  let i = 0;
  while (i < order.length) {
    const score = scores[order[i]!]!;
    let groupPositives = 0;
    let groupNegatives = 0;
    while (i < order.length && scores[order[i]!] === score) {
      if (labels[order[i]!] === 1) groupPositives++;
      else groupNegatives++;
      i++;
    }
    groups.push({ score, positives: groupPositives, negatives: groupNegatives });
    positives += groupPositives;
    negatives += groupNegatives;
  }
  return { groups, positives, negatives };
}

/**
 * Average precision, the area under the precision-recall curve as a step function:
 * Σ over distinct thresholds of (recall gained) × (precision there). The same definition as
 * scikit-learn's average_precision_score; no interpolation between points (which would flatter).
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { groups, positives } = scoreGroups(scores, labels);
  if (positives === 0) return Number.NaN;
  let truePositives = 0;
  let flagged = 0;
  let area = 0;
  for (const group of groups) {
    truePositives += group.positives;
    flagged += group.positives + group.negatives;
    area += (group.positives / positives) * (truePositives / flagged);
  }
  return area;
}

/**
 * The area under the ROC curve: the chance a random fraud row outscores a random genuine one,
 * a tie counting one half (the trapezoid rule over distinct thresholds gives the same number).
 */
export function areaUnderRoc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { groups, positives, negatives } = scoreGroups(scores, labels);
  if (positives === 0 || negatives === 0) return Number.NaN;
  let positivesAbove = 0;
  let orderedPairs = 0;
  for (const group of groups) {
    orderedPairs += group.negatives * (positivesAbove + group.positives / 2);
    positivesAbove += group.positives;
  }
  return orderedPairs / (positives * negatives);
}

export interface OperatingPoint {
  /** Flag when score >= threshold (Infinity: flag nothing). */
  readonly threshold: number;
  readonly recall: number;
  readonly falsePositiveRate: number;
  /** NaN when nothing is flagged. */
  readonly precision: number;
}

/**
 * The threshold with the highest recall whose false-positive rate is at most `falsePositiveRateMax`
 * (tied scores flagged together, so the rate is never exceeded by splitting a tie).
 */
export function operatingPointAtFalsePositiveRate(scores: ArrayLike<number>, labels: ArrayLike<number>, falsePositiveRateMax: number): OperatingPoint {
  assert(falsePositiveRateMax >= 0 && falsePositiveRateMax <= 1, 'a false-positive rate is in [0, 1]');
  const { groups, positives, negatives } = scoreGroups(scores, labels);
  let best: OperatingPoint = { threshold: Infinity, recall: positives === 0 ? Number.NaN : 0, falsePositiveRate: negatives === 0 ? Number.NaN : 0, precision: Number.NaN };
  if (positives === 0 || negatives === 0) return best;
  let truePositives = 0;
  let falsePositives = 0;
  for (const group of groups) {
    truePositives += group.positives;
    falsePositives += group.negatives;
    if (falsePositives / negatives > falsePositiveRateMax) break;
    best = {
      threshold: group.score,
      recall: truePositives / positives,
      falsePositiveRate: falsePositives / negatives,
      precision: truePositives / (truePositives + falsePositives),
    };
  }
  return best;
}

/** Recall at a false-positive rate, e.g. 0.01 for "recall at 1 % FPR". */
export function recallAtFalsePositiveRate(scores: ArrayLike<number>, labels: ArrayLike<number>, falsePositiveRateMax: number): number {
  return operatingPointAtFalsePositiveRate(scores, labels, falsePositiveRateMax).recall;
}

/** The mean log loss of probabilities against labels, probabilities clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  assert(probabilities.length === labels.length, 'one label per probability');
  if (probabilities.length === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(Math.max(probabilities[i]!, 1e-15), 1 - 1e-15);
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / probabilities.length;
}

// ---------------------------------------------------------------------------------------------
// Population stability

export const stabilityBinCountMax = 1000;
export const stabilityBinCountDefault = 10;
export const stabilityEpsilonDefault = 1e-4;

/**
 * Upper edges of equal-frequency bins of the reference sample: the values at ranks ⌈i·n/B⌉
 * (i = 1…B−1) of its sorted non-missing values, repeats dropped (heavy ties merge bins) and the
 * maximum dropped (a bin above it would be empty by construction). Bins are (−∞, e₁], (e₁, e₂], …,
 * (e_last, ∞), plus one bin for missing values.
 */
export function quantileEdges(reference: ArrayLike<number>, binCount: number = stabilityBinCountDefault): Float64Array {
  assert(Number.isInteger(binCount) && binCount >= 1 && binCount <= stabilityBinCountMax, `a bin count is in [1, ${stabilityBinCountMax}]`);
  const present = Float64Array.from(reference).filter((value) => !Number.isNaN(value)).sort();
  const edges: number[] = [];
  const count = present.length;
  if (count === 0) return new Float64Array(0);
  const maximum = present[count - 1]!;
  for (let i = 1; i < binCount; i++) {
    const edge = present[Math.ceil((i * count) / binCount) - 1]!;
    if (edge !== maximum && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
  }
  return Float64Array.from(edges);
}

/** The bin of a value among sorted edges: the first edge at or above it, or the last bin (edges.length). */
export function binIndex(value: number, edges: ArrayLike<number>): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= edges[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Counts per bin for the edges above: edges.length + 1 value bins, then the missing bin. */
export function binCounts(sample: ArrayLike<number>, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length + 2);
  for (let i = 0; i < sample.length; i++) {
    const value = sample[i]!;
    if (Number.isNaN(value)) {
      counts[edges.length + 1]!++;
      continue;
    }
    counts[binIndex(value, edges)]!++;
  }
  return counts;
}

export interface StabilityOptions {
  readonly binCount?: number;
  /** The share an empty bin counts as, so the logarithm stays finite. */
  readonly epsilon?: number;
  /** Edges fixed earlier (from quantileEdges of the reference); computed from `reference` when absent. */
  readonly edges?: Float64Array;
}

/**
 * The population stability index of `actual` against `reference`: Σ (a − r)·ln(a / r) over the
 * bins, a and r the shares of each sample in a bin (at least epsilon). Below 0.1 is usually read as
 * stable, above 0.25 as a shift worth a look. NaN when either sample is empty.
 */
export function populationStabilityIndex(reference: ArrayLike<number>, actual: ArrayLike<number>, options: StabilityOptions = {}): number {
  const epsilon = options.epsilon ?? stabilityEpsilonDefault;
  assert(epsilon > 0 && epsilon < 1, 'epsilon is in (0, 1)');
  if (reference.length === 0 || actual.length === 0) return Number.NaN;
  const edges = options.edges ?? quantileEdges(reference, options.binCount ?? stabilityBinCountDefault);
  const toShares = (counts: Float64Array, total: number) => Array.from(counts, (count) => count / total);
  return stabilityIndexOfShares(toShares(binCounts(reference, edges), reference.length), toShares(binCounts(actual, edges), actual.length), epsilon);
}

/** The same index from the two samples' shares of fixed bins (each share floored at epsilon); the bins must match. */
export function stabilityIndexOfShares(reference: ArrayLike<number>, actual: ArrayLike<number>, epsilon: number = stabilityEpsilonDefault): number {
  assert(reference.length === actual.length, 'the same bins on both sides');
  let index = 0;
  for (let bin = 0; bin < reference.length; bin++) {
    const r = Math.max(reference[bin]!, epsilon);
    const a = Math.max(actual[bin]!, epsilon);
    index += (a - r) * Math.log(a / r);
  }
  return index;
}
