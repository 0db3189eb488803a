/**
 * mulberry32: a small seeded generator, so a workload, a race or a simulation is the same on every
 * run for the same seed. Not for anything secret.
 */
export function seededFraction(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same generator as whole numbers in [0, bound). */
export function seededRandom(seed: number): (bound: number) => number {
  const next = seededFraction(seed);
  return (bound) => Math.floor(next() * bound);
}
