/**
 * A small seeded pseudo-random generator for everything in eval that must be reproducible:
 * significance tests, bootstrap resampling, fold assignment and the tuner's samplers. The same
 * seed gives the same numbers on every machine, so a report can be rerun and checked.
 *
 * The generator is mulberry32 (32-bit state, period 2^32): statistically fine for resampling and
 * search, and tiny. String seeds are hashed with FNV-1a so `"fold-3"` and `42` both work.
 */

export type Seed = number | string;

/** A source of uniform numbers in [0, 1). */
export interface Random {
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** A new independent generator derived from this one's seed and a label. */
  fork(label: Seed): Random;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Turns any seed into a 32-bit unsigned integer. */
export function seedToUint32(seed: Seed): number {
  if (typeof seed === 'string') return fnv1a(seed);
  if (Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff) return seed >>> 0;
  return fnv1a(String(seed));
}

export function createRandom(seed: Seed = 0): Random {
  const base = seedToUint32(seed);
  let state = base;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      // 1 − next() lies in (0, 1], so the log is finite.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    fork: (label) => createRandom(fnv1a(`${base}:${String(label)}`)),
  };
}

/** Fisher–Yates shuffle into a new array. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
