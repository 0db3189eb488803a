/**
 * Why a model scored a row as it did: per-feature contributions φ that add up, with the expected
 * value, to the margin the scorer gives (expected + Σφ = margin).
 *
 * Tree ensembles: exact path-dependent TreeSHAP (Lundberg, Erion and Lee, "Consistent
 * Individualized Feature Attribution for Tree Ensembles", 2018, Algorithm 2), O(leaves · depth²)
 * per tree. It walks every root-to-leaf path keeping, for the features met on the path, the
 * fraction of "absent" rows that follow it (the child's share of the node's cover) and whether
 * the row itself follows it; the Shapley weights of all feature subsets are carried as a
 * polynomial that EXTEND grows and UNWIND shrinks. Which child the row takes is decided exactly as
 * the scorer decides it (float32-rounded value <= threshold; NaN follows missingLeft), so the
 * explanation is of the model as scored. A child's share of a node is its cover over the sum of
 * both children's covers (the paper divides by the node's own cover, which is the same number for
 * a consistent tree; dividing by the children's sum keeps the shares adding up to 1 exactly when
 * an imported model's covers are rounded). Two children with zero cover share equally.
 *
 * Linear models: φ_f = coefficient_f · value_f (a NaN contributes 0, as it scores) and expected =
 * intercept. The Shapley values against a background mean would be coefficient · (value − mean),
 * but a LinearModel keeps no training means, so the baseline is the all-zero row instead: the
 * contributions still add up to the margin exactly, and read as "what this value added to the
 * intercept".
 */
import { assert, unreachable } from '../assert';
import type { ClassifierModel, LinearModel, TreeEnsembleModel } from './model';
import { compileTrees, featureCountMax, type CompiledTrees } from './scorer';

export interface Explanation {
  /** The margin of the average (cover-weighted) row: baseMargin plus each tree's expectation. */
  readonly expected: number;
  /** One contribution per feature; expected + Σ contributions = margin(row). */
  readonly contributions: Float64Array;
}

export interface Explainer {
  readonly featureCount: number;
  explain(row: ArrayLike<number>): Explanation;
}

export function compileExplainer(model: ClassifierModel): Explainer {
  switch (model.kind) {
    case 'tree_ensemble':
      return compileTreeExplainer(model);
    case 'linear':
      return compileLinearExplainer(model);
    default:
      return unreachable(model);
  }
}

/** One row's explanation; compile an explainer once instead when explaining many rows. */
export function explain(model: ClassifierModel, row: ArrayLike<number>): Explanation {
  return compileExplainer(model).explain(row);
}

function compileLinearExplainer(model: LinearModel): Explainer {
  const featureCount = model.featureNames.length;
  assert(model.coefficients.length === featureCount, 'a linear model has one coefficient per feature');
  const coefficients = Float64Array.from(model.coefficients);
  return {
    featureCount,
    explain: (row) => {
      assert(row.length === featureCount, `a row has ${featureCount} features, got ${row.length}`);
      const contributions = new Float64Array(featureCount);
      for (let f = 0; f < featureCount; f++) {
        const value = row[f]!;
        contributions[f] = value === value ? coefficients[f]! * value : 0;
      }
      return { expected: model.intercept, contributions };
    },
  };
}

/** The share of a node's absent rows that go to `child`: its cover over both children's. */
export function coverShare(childCover: number, siblingCover: number): number {
  const total = childCover + siblingCover;
  return total > 0 ? childCover / total : 0.5;
}

function compileTreeExplainer(model: TreeEnsembleModel): Explainer {
  const featureCount = model.featureNames.length;
  assert(featureCount >= 1 && featureCount <= featureCountMax, 'a model has between 1 and featureCountMax features');
  const trees = compileTrees(model.trees, featureCount);
  let expected = model.baseMargin;
  let depthMax = 0;
  for (let t = 0; t < trees.roots.length; t++) {
    const root = trees.roots[t]!;
    expected += expectationOf(trees, root);
    depthMax = Math.max(depthMax, depthOf(trees, root));
  }
  const walker = new PathWalker(trees, depthMax);
  const rounded = new Float64Array(featureCount);
  return {
    featureCount,
    explain: (row) => {
      assert(row.length === featureCount, `a row has ${featureCount} features, got ${row.length}`);
      for (let f = 0; f < featureCount; f++) rounded[f] = Math.fround(row[f]!);
      const contributions = new Float64Array(featureCount);
      for (let t = 0; t < trees.roots.length; t++) walker.explainTree(trees.roots[t]!, rounded, contributions);
      return { expected, contributions };
    },
  };
}

/** The tree's value at the average row: leaves weighted by the cover shares along their paths. */
function expectationOf(trees: CompiledTrees, node: number): number {
  if (trees.feature[node]! < 0) return trees.leafValue[node]!;
  const left = trees.left[node]!;
  const right = trees.right[node]!;
  const leftShare = coverShare(trees.cover[left]!, trees.cover[right]!);
  return leftShare * expectationOf(trees, left) + (1 - leftShare) * expectationOf(trees, right);
}

function depthOf(trees: CompiledTrees, node: number): number {
  if (trees.feature[node]! < 0) return 0;
  return 1 + Math.max(depthOf(trees, trees.left[node]!), depthOf(trees, trees.right[node]!));
}

/**
 * Algorithm 2's recursion with its path kept in flat arrays: the path at recursion level k lives
 * in the slice [k·stride, k·stride + length); each level copies its parent's slice before changing
 * it, as the paper's EXTEND and UNWIND work on copies.
 */
class PathWalker {
  private readonly stride: number;
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  /** inverse[k] = 1/k. */
  private readonly inverse: Float64Array;
  private row: Float64Array = new Float64Array(0);
  private contributions: Float64Array = new Float64Array(0);

  constructor(
    private readonly trees: CompiledTrees,
    depthMax: number,
  ) {
    // A path holds at most depth + 1 elements (the root's placeholder and one per split).
    this.stride = depthMax + 2;
    const size = this.stride * (depthMax + 2);
    this.pathFeature = new Int32Array(size);
    this.pathZero = new Float64Array(size);
    this.pathOne = new Float64Array(size);
    this.pathWeight = new Float64Array(size);
    this.inverse = Float64Array.from({ length: this.stride + 1 }, (_, k) => (k === 0 ? 0 : 1 / k));
  }

  /** Adds the tree's contributions for the (float32-rounded) row into `contributions`. */
  explainTree(root: number, row: Float64Array, contributions: Float64Array): void {
    this.row = row;
    this.contributions = contributions;
    this.recurse(root, 0, 0, 0, 1, 1, -1);
  }

  private recurse(node: number, level: number, parentLength: number, parentStart: number, zeroFraction: number, oneFraction: number, feature: number): void {
    const start = level * this.stride;
    this.copyPath(parentStart, start, parentLength);
    let length = this.extend(start, parentLength, zeroFraction, oneFraction, feature);
    const trees = this.trees;
    const split = trees.feature[node]!;
    if (split < 0) {
      this.addLeaf(start, length, trees.leafValue[node]!);
      return;
    }
    const value = this.row[split]!;
    const goesLeft = value <= trees.threshold[node]! || (value !== value && trees.missingLeft[node] === 1);
    const hot = goesLeft ? trees.left[node]! : trees.right[node]!;
    const cold = goesLeft ? trees.right[node]! : trees.left[node]!;
    const hotShare = coverShare(trees.cover[hot]!, trees.cover[cold]!);
    let incomingZero = 1;
    let incomingOne = 1;
    // A feature met again on the path: undo its earlier element and fold its fractions into this one.
    for (let k = 1; k < length; k++) {
      if (this.pathFeature[start + k] === split) {
        incomingZero = this.pathZero[start + k]!;
        incomingOne = this.pathOne[start + k]!;
        this.unwind(start, length, k);
        length--;
        break;
      }
    }
    // A branch with both fractions zero has every subset weight zero: it contributes nothing.
    const hotZero = incomingZero * hotShare;
    if (hotZero !== 0 || incomingOne !== 0) this.recurse(hot, level + 1, length, start, hotZero, incomingOne, split);
    const coldZero = incomingZero * (1 - hotShare);
    if (coldZero !== 0) this.recurse(cold, level + 1, length, start, coldZero, 0, split);
  }

  private copyPath(from: number, to: number, length: number): void {
    // A loop, not copyWithin: the paths are a few elements long and the call would cost more.
    for (let i = 0; i < length; i++) {
      this.pathFeature[to + i] = this.pathFeature[from + i]!;
      this.pathZero[to + i] = this.pathZero[from + i]!;
      this.pathOne[to + i] = this.pathOne[from + i]!;
      this.pathWeight[to + i] = this.pathWeight[from + i]!;
    }
  }

  /** EXTEND: appends an element and updates the subset-size weights; returns the new length. */
  private extend(start: number, length: number, zeroFraction: number, oneFraction: number, feature: number): number {
    const weight = this.pathWeight;
    this.pathFeature[start + length] = feature;
    this.pathZero[start + length] = zeroFraction;
    this.pathOne[start + length] = oneFraction;
    weight[start + length] = length === 0 ? 1 : 0;
    const grown = length + 1;
    const one = oneFraction * this.inverse[grown]!;
    const zero = zeroFraction * this.inverse[grown]!;
    for (let i = length - 1; i >= 0; i--) {
      weight[start + i + 1]! += one * weight[start + i]! * (i + 1);
      weight[start + i] = zero * weight[start + i]! * (length - i);
    }
    return grown;
  }

  /** UNWIND: removes element `index` from a path of `length` elements (the inverse of EXTEND). */
  private unwind(start: number, length: number, index: number): void {
    const weight = this.pathWeight;
    const one = this.pathOne[start + index]!;
    const zero = this.pathZero[start + index]!;
    let next = weight[start + length - 1]!;
    for (let j = length - 2; j >= 0; j--) {
      if (one !== 0) {
        const previous = weight[start + j]!;
        weight[start + j] = (next * length) / ((j + 1) * one);
        next = previous - (weight[start + j]! * zero * (length - j - 1)) / length;
      } else {
        weight[start + j] = (weight[start + j]! * length) / (zero * (length - j - 1));
      }
    }
    for (let j = index; j < length - 1; j++) {
      this.pathFeature[start + j] = this.pathFeature[start + j + 1]!;
      this.pathZero[start + j] = this.pathZero[start + j + 1]!;
      this.pathOne[start + j] = this.pathOne[start + j + 1]!;
    }
  }

  /** The total weight the path would have with element `index` unwound, without unwinding it. */
  private unwoundWeightSum(start: number, length: number, index: number): number {
    const weight = this.pathWeight;
    const one = this.pathOne[start + index]!;
    const zero = this.pathZero[start + index]!;
    const inverse = this.inverse;
    let total = 0;
    // The same arithmetic as unwind, with its divisions turned into multiplications by reciprocals:
    // this loop is where explaining spends its time.
    if (one !== 0) {
      const scale = length / one;
      const zeroShare = zero * inverse[length]!;
      let next = weight[start + length - 1]!;
      for (let j = length - 2; j >= 0; j--) {
        const share = next * scale * inverse[j + 1]!;
        total += share;
        next = weight[start + j]! - share * zeroShare * (length - j - 1);
      }
    } else {
      const scale = length / zero;
      for (let j = length - 2; j >= 0; j--) total += weight[start + j]! * scale * inverse[length - j - 1]!;
    }
    return total;
  }

  private addLeaf(start: number, length: number, leafValue: number): void {
    for (let i = 1; i < length; i++) {
      const weight = this.unwoundWeightSum(start, length, i);
      this.contributions[this.pathFeature[start + i]!]! += weight * (this.pathOne[start + i]! - this.pathZero[start + i]!) * leafValue;
    }
  }
}

export interface Reason {
  readonly feature: string;
  readonly index: number;
  /** Signed: positive pushed the score towards fraud, negative away from it. */
  readonly contribution: number;
}

/** The most reasons a caller asks for at once. */
export const reasonCountMax = 100;

/**
 * The k contributions largest in absolute value, largest first (ties in feature order). A zero
 * contribution is no reason and is left out, so fewer than k may come back.
 */
export function topReasons(contributions: ArrayLike<number>, featureNames: readonly string[], k: number): Reason[] {
  assert(contributions.length === featureNames.length, 'one contribution per feature name');
  assert(Number.isInteger(k) && k >= 0 && k <= reasonCountMax, `k is an integer in [0, ${reasonCountMax}]`);
  const reasons: Reason[] = [];
  for (let index = 0; index < contributions.length; index++) {
    const contribution = contributions[index]!;
    assert(!Number.isNaN(contribution), 'a contribution is a number');
    if (contribution !== 0) reasons.push({ feature: featureNames[index]!, index, contribution });
  }
  reasons.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.index - b.index);
  return reasons.slice(0, k);
}
