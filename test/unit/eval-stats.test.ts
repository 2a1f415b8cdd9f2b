import { describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import { createRandom, shuffled } from '../../engine/eval/stats-random.ts';
import {
  pairedBootstrapCi,
  pairedRandomizationTest,
  quantile,
  winsLossesTies,
} from '../../engine/eval/stats-significance.ts';
import { jaccardAtK, rankBiasedOverlap } from '../../engine/eval/stats-overlap.ts';

describe('seeded random', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const draw = (seed: number | string) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw('fold-1')).toEqual(draw('fold-1'));
    expect(draw(7)).not.toEqual(draw(8));
    for (const value of draw(3)) expect(value >= 0 && value < 1).toBe(true);
  });

  it('shuffles into a permutation without touching the input', () => {
    const items = [1, 2, 3, 4, 5, 6];
    const out = shuffled(items, createRandom(1));
    expect(items).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...out].sort()).toEqual(items);
  });
});

describe('pairedRandomizationTest', () => {
  it('enumerates all sign flips for small samples (hand-computed p = 2/8)', () => {
    // Differences 1, 2, 3: the 8 signed sums are ±6, ±4, ±2, 0, 0; |sum| ≥ 6 twice.
    const result = pairedRandomizationTest([0, 0, 0], [1, 2, 3], { iterations: 1000 });
    expect(result).toEqual({
      pValue: 0.25,
      meanDifference: 2,
      pairs: 3,
      iterations: 8,
      exact: true,
    });
  });

  it('gives p = 1 when nothing changed', () => {
    expect(pairedRandomizationTest([0.2, 0.5], [0.2, 0.5]).pValue).toBe(1);
  });

  it('counts sums equal up to rounding as extreme', () => {
    // 0.1 + 0.2 ≠ 0.3 in floating point; flipping must still reproduce the observed |sum|.
    const result = pairedRandomizationTest([0, 0, 0], [0.1, 0.2, 0.3], { iterations: 8 });
    expect(result.exact).toBe(true);
    expect(result.pValue).toBe(0.25);
  });

  it('samples with a seed when 2^n exceeds the iterations, close to the exact value', () => {
    const random = createRandom('null-data');
    const a = Array.from({ length: 12 }, () => random.next());
    const b = a.map((v) => v + (random.next() - 0.45) * 0.2);
    const exact = pairedRandomizationTest(a, b, { iterations: 4096 });
    const sampled = pairedRandomizationTest(a, b, { iterations: 2000, seed: 5 });
    expect(exact.exact).toBe(true);
    expect(sampled.exact).toBe(false);
    expect(sampled.iterations).toBe(2000);
    expect(Math.abs(sampled.pValue - exact.pValue)).toBeLessThan(0.04);
    expect(pairedRandomizationTest(a, b, { iterations: 2000, seed: 5 })).toEqual(sampled);
  });

  it('never reports a sampled p of 0 and finds a consistent large effect significant', () => {
    const a = Array.from({ length: 40 }, (_, i) => (i % 7) / 10);
    const b = a.map((v) => v + 0.1);
    const result = pairedRandomizationTest(a, b, { iterations: 999, seed: 1 });
    expect(result.pValue).toBe(1 / 1000);
    expect(result.meanDifference).toBeCloseTo(0.1, 12);
  });

  it('rejects unpaired input with an RwbError', () => {
    expect(() => pairedRandomizationTest([1], [1, 2])).toThrow(RwbError);
    expect(() => pairedRandomizationTest([], [])).toThrow(/at least one paired query/);
    expect(() => pairedRandomizationTest([1], [Number.NaN])).toThrow(/not a finite number/);
    expect(() => pairedRandomizationTest([1], [2], { iterations: 0 })).toThrow(/iterations/);
  });
});

describe('pairedBootstrapCi', () => {
  it('collapses to the difference when every pair moves by the same amount', () => {
    const ci = pairedBootstrapCi([0.1, 0.4, 0.7], [0.3, 0.6, 0.9], { iterations: 500 });
    expect(ci.meanDifference).toBeCloseTo(0.2, 12);
    expect(ci.lower).toBeCloseTo(0.2, 12);
    expect(ci.upper).toBeCloseTo(0.2, 12);
  });

  it('spans the resampled means of two pairs (0, ½, 1 with weights ¼, ½, ¼)', () => {
    const ci = pairedBootstrapCi([0, 0], [0, 1], { iterations: 4000, seed: 3 });
    expect(ci.meanDifference).toBe(0.5);
    expect(ci.lower).toBe(0);
    expect(ci.upper).toBe(1);
    expect(ci.confidence).toBe(0.95);
  });

  it('is reproducible with a seed and narrows at lower confidence', () => {
    const random = createRandom(11);
    const a = Array.from({ length: 30 }, () => random.next());
    const b = a.map((v) => v + random.normal() * 0.1 + 0.05);
    const wide = pairedBootstrapCi(a, b, { seed: 2, iterations: 2000 });
    expect(pairedBootstrapCi(a, b, { seed: 2, iterations: 2000 })).toEqual(wide);
    const narrow = pairedBootstrapCi(a, b, { seed: 2, iterations: 2000, confidence: 0.5 });
    expect(wide.lower).toBeLessThan(wide.meanDifference);
    expect(wide.upper).toBeGreaterThan(wide.meanDifference);
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
    expect(() => pairedBootstrapCi(a, b, { confidence: 1 })).toThrow(/confidence/);
  });

  it('interpolates quantiles between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
  });
});

describe('winsLossesTies', () => {
  it('counts B against A with an epsilon band of ties', () => {
    const a = [0.5, 0.5, 0.5, 0.5];
    const b = [0.6, 0.4, 0.505, 0.5];
    expect(winsLossesTies(a, b)).toEqual({ wins: 2, losses: 1, ties: 1 });
    expect(winsLossesTies(a, b, 0.01)).toEqual({ wins: 1, losses: 1, ties: 2 });
    expect(() => winsLossesTies(a, b, -1)).toThrow(/epsilon/);
  });
});

describe('jaccardAtK', () => {
  it('divides the shared top-k docs by the union', () => {
    expect(jaccardAtK(['a', 'b', 'c'], ['c', 'd', 'a'], 3)).toBe(2 / 4);
    expect(jaccardAtK(['a', 'b', 'c'], ['c', 'd', 'a'], 1)).toBe(0);
    expect(jaccardAtK(['a', 'b'], ['b', 'a'], undefined)).toBe(1);
    expect(jaccardAtK([], [], 10)).toBe(1);
    expect(jaccardAtK(['a'], [], 10)).toBe(0);
    expect(() => jaccardAtK(['a'], ['a'], 0)).toThrow(/k must be a positive integer/);
  });
});

describe('rankBiasedOverlap (RBO_ext, Webber et al. 2010)', () => {
  it('is 1 for identical lists and 0 for disjoint ones, at any persistence', () => {
    for (const p of [0.5, 0.9, 0.98]) {
      expect(rankBiasedOverlap(['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'], { p })).toBeCloseTo(
        1,
        12,
      );
      expect(rankBiasedOverlap(['a', 'b', 'c'], ['x', 'y', 'z'], { p })).toBe(0);
    }
  });

  it('matches a hand computation for a swap below the top (p = 0.9)', () => {
    // X = 1, 1, 3 → A = 1, ½, 1; (0.1/0.9)(0.9 + 0.5·0.81 + 0.729) + 1·0.729 = 0.226 + 0.729.
    expect(rankBiasedOverlap(['a', 'b', 'c'], ['a', 'c', 'b'], { p: 0.9 })).toBeCloseTo(0.955, 12);
  });

  it('matches a hand computation for lists of different lengths (eq. 32, p = 0.5)', () => {
    // l = 4, s = 2, X_d = 1 for all d: Σ X_d/d·p^d = 0.6822917, extrapolated part 0.0364583,
    // factor (1−p)/p = 1, tail (0/4 + 1/2)·p^4 = 0.03125 → 0.75.
    const long = ['a', 'b', 'c', 'd'];
    const short = ['a', 'x'];
    expect(rankBiasedOverlap(long, short, { p: 0.5 })).toBeCloseTo(0.75, 12);
    expect(rankBiasedOverlap(short, long, { p: 0.5 })).toBeCloseTo(0.75, 12);
  });

  it('is 1 when the shorter list is a prefix of the longer one (the extrapolation assumption)', () => {
    expect(rankBiasedOverlap(['a', 'b', 'c', 'd'], ['a', 'b'], { p: 0.8 })).toBeCloseTo(1, 12);
  });

  it('weighs disagreement at the top more than at the bottom, and is symmetric', () => {
    const base = ['a', 'b', 'c', 'd', 'e', 'f'];
    const topSwapped = ['b', 'a', 'c', 'd', 'e', 'f'];
    const bottomSwapped = ['a', 'b', 'c', 'd', 'f', 'e'];
    const top = rankBiasedOverlap(base, topSwapped);
    const bottom = rankBiasedOverlap(base, bottomSwapped);
    expect(top).toBeLessThan(bottom);
    expect(bottom).toBeLessThan(1);
    expect(rankBiasedOverlap(topSwapped, base)).toBeCloseTo(top, 12);
  });

  it('equals a direct transcription of eq. 32 (overlaps recounted per depth) on random pairs', () => {
    const direct = (first: string[], second: string[], p: number): number => {
      const [long, short] = first.length >= second.length ? [first, second] : [second, first];
      const l = long.length;
      const s = short.length;
      const overlapAt = (d: number) => {
        const prefix = new Set(long.slice(0, d));
        return short.slice(0, Math.min(d, s)).filter((id) => prefix.has(id)).length;
      };
      let seen = 0;
      for (let d = 1; d <= l; d++) seen += (overlapAt(d) / d) * p ** d;
      let extrapolated = 0;
      for (let d = s + 1; d <= l; d++)
        extrapolated += ((overlapAt(s) * (d - s)) / (s * d)) * p ** d;
      const tail = ((overlapAt(l) - overlapAt(s)) / l + overlapAt(s) / s) * p ** l;
      return ((1 - p) / p) * (seen + extrapolated) + tail;
    };
    const random = createRandom('rbo');
    const pool = Array.from({ length: 15 }, (_, i) => `d${i}`);
    const pick = (n: number) => shuffled(pool, random).slice(0, n);
    for (let t = 0; t < 300; t++) {
      const a = pick(1 + random.int(12));
      const b = pick(1 + random.int(12));
      const p = 0.05 + 0.9 * random.next();
      expect(rankBiasedOverlap(a, b, { p })).toBeCloseTo(direct(a, b, p), 12);
    }
  });

  it('cuts both lists at k, ignores repeated ids and handles empty lists', () => {
    expect(rankBiasedOverlap(['a', 'b', 'x'], ['a', 'b', 'y'], { k: 2 })).toBeCloseTo(1, 12);
    expect(rankBiasedOverlap(['a', 'a', 'b'], ['a', 'b'])).toBeCloseTo(1, 12);
    expect(rankBiasedOverlap([], [])).toBe(1);
    expect(rankBiasedOverlap(['a'], [])).toBe(0);
    expect(() => rankBiasedOverlap(['a'], ['a'], { p: 1 })).toThrow(/persistence/);
  });
});
