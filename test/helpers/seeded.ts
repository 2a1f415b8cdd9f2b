/**
 * Small deterministic helpers for tests that build random but reproducible data: a seeded
 * pseudo-random generator (mulberry32) and float32 unit vectors as the index stores them.
 */

/** A generator of numbers in [0, 1), the same sequence for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `v` scaled to length 1, each component a float32 (what a dense_vector field keeps). */
export function unit(v: readonly number[]): number[] {
  const norm = Math.hypot(...v);
  return v.map((x) => Math.fround(x / norm));
}

export const dot = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((sum, x, i) => sum + x * b[i]!, 0);
