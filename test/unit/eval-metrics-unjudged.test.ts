/**
 * Condensed-list values and upper bounds against values worked out by hand (metrics-unjudged.ts,
 * docs/metrics.md). Gains 2^r − 1: 0, 1, 3, 7; discounts log2(rank + 1): 1, 1.5849625…, 2,
 * 2.3219281…; top grade 3.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidMetricParameterError,
  ratedRanking,
  type RatedRanking,
} from '../../engine/eval/metrics.ts';
import { parseMetricName, resolveMetric } from '../../engine/eval/metrics-registry.ts';
import {
  completedRanking,
  condensedRanking,
  judgedCoverage,
  rangeOf,
  upperValue,
  type BoundedKind,
} from '../../engine/eval/metrics-unjudged.ts';

// u1 (unjudged) b(1) c(0); judged, not retrieved: a(3). k = 3.
const leadingUnjudged = ratedRanking(['u1', 'b', 'c'], { a: 3, b: 1, c: 0 });
const LOG2_3 = Math.log2(3);

function values(name: string, ranking: RatedRanking) {
  return {
    value: resolveMetric(name).compute(ranking),
    condensed: resolveMetric(`${name}:condensed`).compute(ranking),
    upper: resolveMetric(`${name}:upper`).compute(ranking),
  };
}

describe('condensed lists and bounds on a hand-computed ranking', () => {
  it('ndcg@3: u1 holds rank 1 / is removed / is grade 3', () => {
    const v = values('ndcg@3', leadingUnjudged);
    // value: b at rank 2 → 1/log2 3 = 0.6309297535714574; ideal (3 returned) [3,1,0] = 7 + 1/log2 3
    // = 7.630929753571457 → 0.08268058728704288
    expect(v.value).toBeCloseTo(0.6309297535714574 / 7.630929753571457, 12);
    expect(v.value).toBeCloseTo(0.08268058728704288, 12);
    // condensed [b, c]: dcg 1; ideal cut at the 2 hits left: 7 + 1/log2 3 → 0.1310455338…
    expect(v.condensed).toBeCloseTo(1 / (7 + 1 / LOG2_3), 12);
    // upper: u1 = 3 → dcg 7 + 1/log2 3 = the judged ideal → exactly 1
    expect(v.upper).toBeCloseTo(1, 12);
  });

  it('dcg@3, p@3, recall@3, mrr, err@3, ap@3', () => {
    expect(values('dcg@3', leadingUnjudged)).toEqual({
      value: expect.closeTo(1 / LOG2_3, 12),
      condensed: 1,
      upper: expect.closeTo(7 + 1 / LOG2_3, 12),
    });
    // P: b relevant of 3 returned / of the 2 judged / u1 relevant too
    expect(values('p@3', leadingUnjudged)).toEqual({
      value: expect.closeTo(1 / 3, 12),
      condensed: 0.5,
      upper: expect.closeTo(2 / 3, 12),
    });
    // recall: 2 relevant judged (a, b); b retrieved → 1/2 both ways; upper (b + u1) / 2 = 1
    expect(values('recall@3', leadingUnjudged)).toEqual({ value: 0.5, condensed: 0.5, upper: 1 });
    // first relevant at rank 2 / at rank 1 after condensing / u1 at rank 1
    expect(values('mrr', leadingUnjudged)).toEqual({ value: 0.5, condensed: 1, upper: 1 });
    // ERR, stop probabilities (2^g − 1)/8: b 1/8, u1 at grade 3 7/8
    // value: (1/2)(1/8) = 0.0625; condensed: 1/8; upper: 7/8 + (1/2)(1/8)(1/8) = 0.8828125
    expect(values('err@3', leadingUnjudged)).toEqual({
      value: 0.0625,
      condensed: 0.125,
      upper: 0.8828125,
    });
    // AP over 2 relevant judged: b at rank 2 (precision 1/2) → 0.25; condensed b at 1 → 0.5;
    // upper: u1 at 1 (1/1) and b at 2 (2/2) → 2/2 = 1
    expect(values('ap@3', leadingUnjudged)).toEqual({ value: 0.25, condensed: 0.5, upper: 1 });
  });

  it('the condensed list is re-ranked and cut at k from the deeper hits the run fetched', () => {
    const ranking = ratedRanking(['u1', 'a', 'u2', 'b', 'c'], { a: 3, b: 1, c: 0 });
    expect(condensedRanking(ranking).hits).toEqual(['a', 'b', 'c']);
    const v = values('ndcg@2', ranking);
    // value: a at rank 2 → 7/log2 3 = 4.416508275000202; ideal [3,1] = 7.630929753571457
    expect(v.value).toBeCloseTo(4.416508275000202 / 7.630929753571457, 12);
    // condensed top 2 = [a, b]: the ideal order → 1
    expect(v.condensed).toBeCloseTo(1, 12);
    // upper: 7 + 7/log2 3 > ideal → capped at 1
    expect(v.upper).toBe(1);
    // u2 sits at rank 3, outside the top 2: the upper value of p@2 completes u1 only
    expect(resolveMetric('p@2:upper').compute(ranking)).toBe(1);
    expect(completedRanking(ranking, 2, 3).ratings.has('u2')).toBe(false);
  });

  it('a fully judged ranking has value = condensed = upper', () => {
    const judged = ratedRanking(['a', 'b', 'c'], { a: 1, b: 3, c: 0 });
    for (const name of ['ndcg@3', 'dcg@3', 'p@3', 'recall@3', 'mrr', 'err@3', 'ap']) {
      const v = values(name, judged);
      expect(v.condensed, name).toBeCloseTo(v.value, 12);
      expect(v.upper, name).toBeCloseTo(v.value, 12);
    }
  });

  it('queries without relevant judged docs: the upper value is 1 if an unjudged hit could be', () => {
    const none = ratedRanking(['x', 'u'], { x: 0 });
    expect(upperValue('ndcg', none, 2)).toBe(1);
    expect(upperValue('recall', none, 2)).toBe(1);
    expect(upperValue('recall', ratedRanking(['x'], { x: 0 }), 2)).toBe(0);
    expect(upperValue('ndcg', ratedRanking(['x'], { x: 0 }), 2)).toBe(0);
  });

  it('uses the scale top grade given as maxGrade', () => {
    // grade 1 on a 0–1 scale: gain 1 at rank 1 → upper dcg 1 + 1/log2 3
    expect(resolveMetric('dcg@3:upper').compute(leadingUnjudged, { maxGrade: 1 })).toBeCloseTo(
      1 + 1 / LOG2_3,
      12,
    );
    expect(() => upperValue('dcg', leadingUnjudged, 3, { maxGrade: 0 })).toThrow(
      InvalidMetricParameterError,
    );
  });
});

/** mulberry32: a tiny seeded generator so the sweep below is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function* gradings(count: number, maxGrade: number): Generator<number[]> {
  const grades = new Array<number>(count).fill(0);
  for (;;) {
    yield [...grades];
    let i = 0;
    while (i < count && grades[i] === maxGrade) grades[i++] = 0;
    if (i === count) return;
    grades[i]!++;
  }
}

describe('bounds against every grading of the unjudged hits', () => {
  const kinds: BoundedKind[] = ['ndcg', 'dcg', 'p', 'recall', 'mrr', 'err', 'ap'];
  const exact = new Set<BoundedKind>(['dcg', 'p', 'mrr', 'err', 'recall']);

  it('no grading scores above upper; for DCG, P, recall, MRR, ERR none below today’s value', () => {
    const random = seeded(7);
    let cases = 0;
    let ndcgBelowLower = 0;
    for (let trial = 0; trial < 300; trial++) {
      const size = 2 + Math.floor(random() * 5);
      const k = 1 + Math.floor(random() * size);
      const hits = Array.from({ length: size }, (_, i) => `h${i}`);
      const ratings = new Map<string, number>();
      for (const id of hits) if (random() < 0.6) ratings.set(id, Math.floor(random() * 4));
      for (let extra = 0; extra < 2; extra++)
        if (random() < 0.5) ratings.set(`j${extra}`, Math.floor(random() * 4));
      const ranking: RatedRanking = { hits, ratings };
      const unjudged = hits.slice(0, k).filter((id) => !ratings.has(id));
      for (const kind of kinds) {
        const metric = resolveMetric(`${kind}@${k}`);
        const lower = metric.compute(ranking);
        const upper = upperValue(kind, ranking, k);
        expect(upper, `${kind} upper ≥ lower`).toBeGreaterThanOrEqual(lower - 1e-12);
        let best = -Infinity;
        for (const grades of gradings(unjudged.length, 3)) {
          const filled = new Map(ratings);
          unjudged.forEach((id, i) => filled.set(id, grades[i]!));
          const graded = metric.compute({ hits, ratings: filled });
          cases++;
          expect(graded, `${kind}@${k} ${JSON.stringify([...filled])}`).toBeLessThanOrEqual(
            upper + 1e-12,
          );
          if (exact.has(kind)) expect(graded).toBeGreaterThanOrEqual(lower - 1e-12);
          if (kind === 'ndcg' && graded < lower - 1e-12) ndcgBelowLower++;
          best = Math.max(best, graded);
        }
        // The top grade everywhere attains the bound where it is exact (no normaliser moves).
        if (kind === 'dcg' || kind === 'p' || kind === 'mrr' || kind === 'err')
          expect(best).toBeCloseTo(upper, 12);
      }
    }
    expect(cases).toBeGreaterThan(1000);
    // docs/metrics.md says a grading can fall below nDCG's lower value; the sweep finds such cases.
    expect(ndcgBelowLower).toBeGreaterThan(0);
  });

  it('the documented case: [a(3), b(0), u] — u at grade 3 gives nDCG@3 0.9197 < 1.0', () => {
    const ranking = ratedRanking(['a', 'b', 'u'], { a: 3, b: 0 });
    expect(resolveMetric('ndcg@3').compute(ranking)).toBe(1);
    const graded = resolveMetric('ndcg@3').compute(
      ratedRanking(['a', 'b', 'u'], { a: 3, b: 0, u: 3 }),
    );
    // (7 + 7/2) / (7 + 7/log2 3) = 10.5 / 11.416508275000202
    expect(graded).toBeCloseTo(10.5 / (7 + 7 / LOG2_3), 12);
    expect(upperValue('ndcg', ranking, 3)).toBe(1);
  });
});

describe('names, coverage and reading back', () => {
  it('parses variants; unrated has none; unknown variants say what is known', () => {
    expect(parseMetricName('NDCG@10:Condensed')).toEqual({
      name: 'ndcg@10:condensed',
      base: 'ndcg@10',
      kind: 'ndcg',
      k: 10,
      variant: 'condensed',
    });
    expect(parseMetricName('mrr:upper').name).toBe('mrr:upper');
    expect(parseMetricName('ndcg@10:lower').name).toBe('ndcg@10');
    expect(() => parseMetricName('unrated@10:upper')).toThrow(/no upper value/);
    expect(() => parseMetricName('ndcg@10:median')).toThrow(/unknown variant "median"/);
    expect(resolveMetric('ndcg@10:upper').quality).toBe(true);
  });

  it('coverage is 1 − unrated@k / k', () => {
    expect(judgedCoverage(3, 10)).toBeCloseTo(0.7, 12);
    expect(judgedCoverage(0, 10)).toBe(1);
    expect(judgedCoverage(12, 10)).toBe(0);
  });

  it('rangeOf reads a metric and its companions; old runs give nulls', () => {
    expect(
      rangeOf({ 'ndcg@10': 0.5, 'ndcg@10:condensed': 0.6, 'ndcg@10:upper': 0.8 }, 'ndcg@10'),
    ).toEqual({ value: 0.5, condensed: 0.6, upper: 0.8 });
    expect(rangeOf({ 'ndcg@10': 0.5 }, 'ndcg@10')).toEqual({
      value: 0.5,
      condensed: null,
      upper: null,
    });
    expect(rangeOf({ 'ndcg@10': null }, 'ndcg@10')).toBeNull();
    expect(rangeOf({}, 'constructor')).toBeNull();
  });
});
