/**
 * Each metric against values worked out by hand. Gains: 2^r − 1 → r=0:0, 1:1, 2:3, 3:7.
 * Discounts log2(rank + 1): rank1 1, rank2 log2 3 = 1.5849625…, rank3 2, rank4 log2 5 = 2.3219281…,
 * rank5 log2 6 = 2.5849625…, rank6 log2 7, rank7 3.
 */
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  dcgAtK,
  errAtK,
  idealDcgAtK,
  InvalidMetricParameterError,
  ndcgAtK,
  precisionAtK,
  ratedRanking,
  recallAtK,
  reciprocalRank,
  unratedAtK,
} from '../../engine/eval/metrics.ts';
import { RwbError } from '../../engine/errors.ts';

// hits:    a(3) b(0) u1(unrated) c(2) d(1) u2(unrated) e(3); judged but not retrieved: f(2) g(1)
const mixed = ratedRanking(['a', 'b', 'u1', 'c', 'd', 'u2', 'e'], {
  a: 3,
  b: 0,
  c: 2,
  d: 1,
  e: 3,
  f: 2,
  g: 1,
});
// two hits, four judged docs
const short = ratedRanking(['x', 'y'], { x: 1, y: 3, z: 3, w: 2 });
const empty = ratedRanking([], { a: 3, b: 1 });
const allZero = ratedRanking(['a', 'b', 'c'], { a: 0, b: 0, c: 0 });

describe('DCG and nDCG', () => {
  it('dcg@5 of the mixed ranking', () => {
    // 7/1 + 0/log2 3 + (u1 adds nothing) + 3/log2 5 + 1/log2 6
    // = 7 + 0 + 1.2920296742201793 + 0.38685280723454163 = 8.678882481454721
    expect(dcgAtK(mixed, 5)).toBeCloseTo(8.678882481454721, 12);
  });

  it('ndcg@5 divides by the ideal of the judged ratings, cut at the hits returned', () => {
    // judged ratings sorted: 3,3,2,2,1,1,0 → top 5: 3,3,2,2,1
    // ideal = 7 + 7/log2 3 + 3/2 + 3/log2 5 + 1/log2 6
    //       = 7 + 4.4165082750002025 + 1.5 + 1.2920296742201793 + 0.38685280723454163 = 14.595390756454924
    expect(idealDcgAtK(mixed, 5)).toBeCloseTo(14.595390756454924, 12);
    // 8.678882481454721 / 14.595390756454924 = 0.5946317317757607
    expect(ndcgAtK(mixed, 5)).toBeCloseTo(0.5946317317757607, 12);
  });

  it('an unrated hit counts with unknownRating when one is given', () => {
    // u1 at rank 3 with rating 1: + 1/log2 4 = + 0.5 → 9.178882481454721
    expect(dcgAtK(mixed, 5, { unknownRating: 1 })).toBeCloseTo(9.178882481454721, 12);
  });

  it('k larger than the ranking: ES cuts the ideal at the hits returned; idealDepth "k" does not', () => {
    // dcg = 1/1 + 7/log2 3 = 5.4165082750002025
    expect(dcgAtK(short, 10)).toBeCloseTo(5.4165082750002025, 12);
    // ES ideal over 2 positions: 7 + 7/log2 3 = 11.416508275000202 → 0.4744452633438928
    expect(ndcgAtK(short, 10)).toBeCloseTo(0.4744452633438928, 12);
    // ideal over k=10 positions: 3,3,2,1 → 7 + 7/log2 3 + 3/2 + 1/log2 5 = 13.347184833073596 → 0.40581653305484994
    expect(ndcgAtK(short, 10, { idealDepth: 'k' })).toBeCloseTo(0.40581653305484994, 12);
  });

  it('a perfect order scores 1 and equal grades in any order score the same', () => {
    expect(
      ndcgAtK(ratedRanking(['p3', 'p2', 'p1'], { p3: 3, p2: 2, p1: 1, p0: 0 }), 3),
    ).toBeCloseTo(1, 12);
    const judged = { t1: 2, t2: 2, t3: 2, t4: 0 };
    const one = ndcgAtK(ratedRanking(['t1', 't2', 't4', 't3'], judged), 4);
    const other = ndcgAtK(ratedRanking(['t3', 't1', 't4', 't2'], judged), 4);
    expect(one).toBeCloseTo(other, 12);
    // 3 + 3/log2 3 + 0 + 3/log2 5 over 3 + 3/log2 3 + 3/2 + 0 = 6.1848... / 6.3928... ≈ 0.96746
    expect(one).toBeCloseTo(
      (3 + 3 / Math.log2(3) + 3 / Math.log2(5)) / (3 + 3 / Math.log2(3) + 1.5),
      12,
    );
  });

  it('no relevant judgments: ideal DCG 0 → nDCG 0 (callers flag the query)', () => {
    expect(idealDcgAtK(allZero, 3)).toBe(0);
    expect(ndcgAtK(allZero, 3)).toBe(0);
  });
});

describe('precision, recall, reciprocal rank', () => {
  it('p@5: unrated hits count as misses unless ignored', () => {
    // top 5: a(3) b(0) u1 c(2) d(1); relevant (≥1): a, c, d → 3 / 5
    expect(precisionAtK(mixed, 5)).toBeCloseTo(0.6, 12);
    // ignoring u1: 3 / 4
    expect(precisionAtK(mixed, 5, { ignoreUnrated: true })).toBeCloseTo(0.75, 12);
    // threshold 2: a, c → 2 / 5
    expect(precisionAtK(mixed, 5, { relevantThreshold: 2 })).toBeCloseTo(0.4, 12);
  });

  it('p@k with fewer hits than k divides by the hits returned (ES)', () => {
    // x(1), y(3) both relevant → 2 / 2
    expect(precisionAtK(short, 10)).toBe(1);
  });

  it('recall@5 counts relevant judged docs that were never retrieved', () => {
    // relevant judged (≥1): a c d e f g = 6; in top 5: a c d = 3 → 0.5
    expect(recallAtK(mixed, 5)).toBeCloseTo(0.5, 12);
    // threshold 3: a, e → in top 5 only a → 1/2
    expect(recallAtK(mixed, 5, { relevantThreshold: 3 })).toBeCloseTo(0.5, 12);
    // whole ranking of 7 with threshold 1: a c d e → 4/6
    expect(recallAtK(mixed, 7)).toBeCloseTo(4 / 6, 12);
  });

  it('reciprocal rank of the first relevant hit, within k', () => {
    const late = ratedRanking(['n1', 'n2', 'u', 'r'], { n1: 0, n2: 0, r: 2 });
    // first relevant 'r' at rank 4 → 1/4
    expect(reciprocalRank(late)).toBeCloseTo(0.25, 12);
    expect(reciprocalRank(late, 3)).toBe(0);
    expect(reciprocalRank(late, 10, { relevantThreshold: 3 })).toBe(0);
    // the unrated hit is not relevant, whatever unknownRating says
    expect(reciprocalRank(late, 3, { unknownRating: 3 })).toBe(0);
  });
});

describe('ERR and AP', () => {
  it('err@5 follows Chapelle et al. with R = (2^g − 1) / 2^3', () => {
    // R(3) = 7/8, R(0) = 0, R(2) = 3/8, R(1) = 1/8
    // rank 1 a(3): 1 · 7/8 / 1 = 0.875;           still scanning 1/8
    // rank 2 b(0): + 0;                            still 1/8
    // rank 3 u1:   skipped (unrated), rank kept
    // rank 4 c(2): + 1/8 · 3/8 / 4 = 0.01171875;   still 1/8 · 5/8 = 5/64
    // rank 5 d(1): + 5/64 · 1/8 / 5 = 0.001953125
    // ERR = 0.888671875
    expect(errAtK(mixed, 5)).toBeCloseTo(0.888671875, 12);
  });

  it('err uses the max grade of the scale', () => {
    // one hit of grade 3 on a 0–4 scale: (2^3 − 1) / 2^4 = 7/16
    expect(errAtK(ratedRanking(['a'], { a: 3 }), 10, { maxGrade: 4 })).toBeCloseTo(7 / 16, 12);
  });

  it('average precision: precision at each relevant hit over all relevant judged docs', () => {
    // top 5 relevant at ranks 1, 4, 5: 1/1 + 2/4 + 3/5 = 2.1; R = 6 → 0.35
    expect(averagePrecision(mixed, 5)).toBeCloseTo(0.35, 12);
    // whole ranking adds e at rank 7: + 4/7 → 2.6714285714285713 / 6 = 0.44523809523809527
    expect(averagePrecision(mixed)).toBeCloseTo(0.44523809523809527, 12);
  });
});

describe('unrated hits and edge cases', () => {
  it('counts unrated hits in the top k', () => {
    expect(unratedAtK(mixed, 2)).toBe(0);
    expect(unratedAtK(mixed, 5)).toBe(1);
    expect(unratedAtK(mixed, 10)).toBe(2);
  });

  it('an empty ranking scores 0 everywhere', () => {
    for (const value of [
      dcgAtK(empty, 10),
      ndcgAtK(empty, 10),
      precisionAtK(empty, 10),
      recallAtK(empty, 10),
      reciprocalRank(empty, 10),
      errAtK(empty, 10),
      averagePrecision(empty, 10),
      unratedAtK(empty, 10),
    ]) {
      expect(value).toBe(0);
    }
  });

  it('rejects k = 0, negative and fractional cutoffs with a typed error', () => {
    for (const k of [0, -1, 2.5, Number.NaN]) {
      expect(() => ndcgAtK(mixed, k)).toThrow(InvalidMetricParameterError);
    }
    try {
      precisionAtK(mixed, 0);
      expect.unreachable('k = 0 must throw');
    } catch (err) {
      expect(err).toBeInstanceOf(RwbError);
      expect((err as RwbError).code).toBe('INVALID_INPUT');
      expect((err as RwbError).message).toMatch(/p: cutoff k must be a positive integer, got 0/);
    }
  });

  it('rejects a non-positive max grade for ERR', () => {
    expect(() => errAtK(mixed, 5, { maxGrade: 0 })).toThrow(InvalidMetricParameterError);
  });
});
