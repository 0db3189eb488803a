/**
 * A seeded pseudo-random generator for the trainers: xoshiro128** (Blackman and Vigna), its four
 * 32-bit words of state filled from the seed by splitmix32. Everything is 32-bit integer arithmetic
 * (Math.imul, >>> 0), so a seed gives the same stream on every platform and every run: that is what
 * makes "same data + same seed ⇒ the same model" hold.
 */
import { assert } from '../assert';

export interface Random {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** A uniform integer in [0, bound), without modulo bias; bound in [1, 2^32]. */
  nextInt(bound: number): number;
}

const twoTo32 = 4294967296;
const twoTo53 = 9007199254740992;

/** The seed: any safe integer (its low and high 32 bits both reach the state). */
export function createRandom(seed: number): Random {
  assert(Number.isSafeInteger(seed), `a seed is a safe integer, got ${seed}`);
  return Xoshiro128StarStar.fromSeed(seed);
}

/** The generator from its raw state (not all zero): for checking it against the published vectors. */
export function randomFromState(state: readonly [number, number, number, number]): Random {
  assert(state.every((word) => Number.isInteger(word) && word >= 0 && word < twoTo32), 'a state is four 32-bit words');
  assert(state.some((word) => word !== 0), 'a state is not all zero');
  return new Xoshiro128StarStar(state[0], state[1], state[2], state[3]);
}

class Xoshiro128StarStar implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
  }

  static fromSeed(seed: number): Xoshiro128StarStar {
    const low = seed >>> 0;
    const high = Math.floor(seed / twoTo32) >>> 0;
    // splitmix32 over the two halves: distinct seeds give well-mixed, never all-zero states.
    let x = (low ^ Math.imul(high, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const s0 = next();
    const s1 = (next() ^ high) >>> 0;
    const s2 = next();
    const s3 = next();
    return new Xoshiro128StarStar((s0 | s1 | s2 | s3) === 0 ? 1 : s0, s1, s2, s3);
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / twoTo53;
  }

  nextInt(bound: number): number {
    assert(Number.isInteger(bound) && bound >= 1 && bound <= twoTo32, `a bound is an integer in [1, 2^32], got ${bound}`);
    // Rejection of the top partial block keeps every value equally likely.
    const limit = twoTo32 - (twoTo32 % bound);
    for (;;) {
      const value = this.nextUint32();
      if (value < limit) return value % bound;
    }
  }
}

function rotl(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/**
 * `count` distinct integers drawn uniformly from [0, populationSize), in ascending order (a partial
 * Fisher–Yates shuffle of the first `count` places; sorting afterwards keeps memory access in order).
 */
export function sampleWithoutReplacement(populationSize: number, count: number, random: Random): Int32Array {
  assert(Number.isInteger(populationSize) && populationSize >= 0, 'a population size is a non-negative integer');
  assert(Number.isInteger(count) && count >= 0 && count <= populationSize, 'a sample is no larger than its population');
  const pool = new Int32Array(populationSize);
  for (let i = 0; i < populationSize; i++) pool[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + random.nextInt(populationSize - i);
    const chosen = pool[j]!;
    pool[j] = pool[i]!;
    pool[i] = chosen;
  }
  return pool.slice(0, count).sort();
}
