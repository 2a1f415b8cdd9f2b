/**
 * Our metrics must equal Elasticsearch `_rank_eval` on the same hits and ratings (to 1e-9).
 *
 * The reference below is a deliberately plain re-implementation of ES's evaluate() methods, one
 * per ES source file under modules/rank-eval/src/main/java/org/elasticsearch/index/rankeval/:
 * the search is asked for exactly k hits (forcedSearchSize), hits are joined with the ratings by id
 * (EvaluationMetric.joinHitsWithRatings), then each metric loops over the joined list the way the
 * Java code does. It shares no code with engine/eval.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratedRanking, type RatedRanking } from '../../engine/eval/metrics.ts';
import { resolveMetric } from '../../engine/eval/metrics-registry.ts';
import {
  rankEvalEquivalent,
  rankEvalMetricFor,
  type RankEvalOptions,
} from '../../engine/eval/metrics-rank-eval.ts';

interface RecordedRanking {
  id: string;
  hits: string[];
  ratings: Record<string, number>;
}

const fixture = JSON.parse(
  readFileSync(
    path.join(import.meta.dirname, '..', 'fixtures', 'eval', 'recorded-rankings.json'),
    'utf8',
  ),
) as { rankings: RecordedRanking[] };

type JoinedHit = { id: string; rating: number | null };

/** What ES evaluates: the first k hits (the search ran with size = k), each with its rating or none. */
function esHits(recorded: RecordedRanking, k: number): JoinedHit[] {
  const window = recorded.hits.slice(0, k);
  return window.map((id) => ({ id, rating: id in recorded.ratings ? recorded.ratings[id] : null }));
}

const LOG2 = Math.log(2.0);

/** DiscountedCumulativeGain.computeDCG: null ratings keep their rank but add nothing. */
function esComputeDcg(ratings: Array<number | null>): number {
  let rank = 1;
  let dcg = 0;
  for (const rating of ratings) {
    if (rating !== null) dcg += (Math.pow(2, rating) - 1) / (Math.log(rank + 1) / LOG2);
    rank++;
  }
  return dcg;
}

/** DiscountedCumulativeGain.evaluate (normalize, unknown_doc_rating). */
function esDcg(
  recorded: RecordedRanking,
  k: number,
  normalize: boolean,
  unknown: number | null,
): number {
  const ratingsInSearchHits = esHits(recorded, k).map((h) =>
    h.rating !== null ? h.rating : unknown,
  );
  const dcg = esComputeDcg(ratingsInSearchHits);
  if (!normalize) return dcg;
  const allRatings = Object.values(recorded.ratings).sort((a, b) => b - a);
  const idcg = esComputeDcg(
    allRatings.slice(0, Math.min(ratingsInSearchHits.length, allRatings.length)),
  );
  return idcg !== 0 ? dcg / idcg : 0;
}

/** PrecisionAtK.evaluate (relevant_rating_threshold, ignore_unlabeled). */
function esPrecision(
  recorded: RecordedRanking,
  k: number,
  threshold: number,
  ignoreUnlabeled: boolean,
): number {
  let relevantRetrieved = 0;
  let retrieved = 0;
  for (const hit of esHits(recorded, k)) {
    if (hit.rating !== null) {
      retrieved++;
      if (hit.rating >= threshold) relevantRetrieved++;
    } else if (!ignoreUnlabeled) {
      retrieved++;
    }
  }
  return retrieved > 0 ? relevantRetrieved / retrieved : 0.0;
}

/** RecallAtK.evaluate (relevant_rating_threshold). */
function esRecall(recorded: RecordedRanking, k: number, threshold: number): number {
  let relevantRetrieved = 0;
  for (const hit of esHits(recorded, k))
    if (hit.rating !== null && hit.rating >= threshold) relevantRetrieved++;
  let relevant = 0;
  for (const rating of Object.values(recorded.ratings)) if (rating >= threshold) relevant++;
  return relevant > 0 ? relevantRetrieved / relevant : 0.0;
}

/** MeanReciprocalRank.evaluate (relevant_rating_threshold): per-query reciprocal rank. */
function esReciprocalRank(recorded: RecordedRanking, k: number, threshold: number): number {
  let firstRelevant = -1;
  let rank = 1;
  for (const hit of esHits(recorded, k)) {
    if (hit.rating !== null && hit.rating >= threshold) {
      firstRelevant = rank;
      break;
    }
    rank++;
  }
  return firstRelevant === -1 ? 0 : 1.0 / firstRelevant;
}

/** ExpectedReciprocalRank.evaluate (maximum_relevance, unknown_doc_rating). */
function esErr(
  recorded: RecordedRanking,
  k: number,
  maxRelevance: number,
  unknown: number | null,
): number {
  const twoPowMax = Math.pow(2, maxRelevance);
  const ratings = esHits(recorded, k).map((h) => (h.rating !== null ? h.rating : unknown));
  let p = 1;
  let err = 0;
  let rank = 1;
  for (const rating of ratings) {
    if (rating !== null) {
      const probR = (Math.pow(2, rating) - 1) / twoPowMax;
      err = err + (p * probR) / rank;
      p = p * (1 - probR);
    }
    rank++;
  }
  return err;
}

const CUTOFFS = [1, 2, 3, 5, 10, 20, 30];
const UNKNOWN_RATINGS = [null, 0, 1, 2];
const THRESHOLDS = [0, 1, 2, 3];
const TOLERANCE = 1e-9;

interface Case {
  label: string;
  reference: number;
  ours: number;
}

function casesFor(recorded: RecordedRanking): Case[] {
  const ranking: RatedRanking = ratedRanking(recorded.hits, recorded.ratings);
  const cases: Case[] = [];
  const add = (label: string, reference: number, ours: number) =>
    cases.push({ label, reference, ours });
  for (const k of CUTOFFS) {
    for (const unknown of UNKNOWN_RATINGS) {
      const unknownOption: RankEvalOptions =
        unknown === null ? {} : { unknown_doc_rating: unknown };
      const ourUnknown = unknown === null ? {} : { unknownRating: unknown };
      for (const normalize of [false, true]) {
        const reference = esDcg(recorded, k, normalize, unknown);
        add(
          `dcg k=${k} normalize=${normalize} unknown=${unknown}`,
          reference,
          rankEvalEquivalent('dcg', ranking, { k, normalize, ...unknownOption }),
        );
        const named = resolveMetric(`${normalize ? 'ndcg' : 'dcg'}@${k}`).compute(
          ranking,
          ourUnknown,
        );
        add(`${normalize ? 'ndcg' : 'dcg'}@${k} unknown=${unknown}`, reference, named);
      }
      for (const maxRelevance of [3, 4]) {
        const reference = esErr(recorded, k, maxRelevance, unknown);
        const options = { k, maximum_relevance: maxRelevance, ...unknownOption };
        add(
          `err k=${k} max=${maxRelevance} unknown=${unknown}`,
          reference,
          rankEvalEquivalent('expected_reciprocal_rank', ranking, options),
        );
        add(
          `err@${k} max=${maxRelevance} unknown=${unknown}`,
          reference,
          resolveMetric(`err@${k}`).compute(ranking, { maxGrade: maxRelevance, ...ourUnknown }),
        );
      }
    }
    for (const threshold of THRESHOLDS) {
      for (const ignore of [false, true]) {
        const reference = esPrecision(recorded, k, threshold, ignore);
        const options = { k, relevant_rating_threshold: threshold, ignore_unlabeled: ignore };
        add(
          `precision k=${k} t=${threshold} ignore=${ignore}`,
          reference,
          rankEvalEquivalent('precision', ranking, options),
        );
        add(
          `p@${k} t=${threshold} ignore=${ignore}`,
          reference,
          resolveMetric(`p@${k}`).compute(ranking, {
            relevantThreshold: threshold,
            ignoreUnrated: ignore,
          }),
        );
      }
      const recall = esRecall(recorded, k, threshold);
      add(
        `recall k=${k} t=${threshold}`,
        recall,
        rankEvalEquivalent('recall', ranking, { k, relevant_rating_threshold: threshold }),
      );
      add(
        `recall@${k} t=${threshold}`,
        recall,
        resolveMetric(`recall@${k}`).compute(ranking, { relevantThreshold: threshold }),
      );
      const rr = esReciprocalRank(recorded, k, threshold);
      add(
        `mrr k=${k} t=${threshold}`,
        rr,
        rankEvalEquivalent('mean_reciprocal_rank', ranking, {
          k,
          relevant_rating_threshold: threshold,
        }),
      );
      add(
        `mrr@${k} t=${threshold}`,
        rr,
        resolveMetric(`mrr@${k}`).compute(ranking, { relevantThreshold: threshold }),
      );
    }
  }
  return cases;
}

describe('metrics equal the Elasticsearch _rank_eval definitions on recorded rankings', () => {
  it('has the edge cases the comparison is meant to cover', () => {
    const ids = fixture.rankings.map((r) => r.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'mixed',
        'ties',
        'short',
        'all-zero',
        'empty-ranking',
        'all-unrated',
      ]),
    );
    const withUnrated = fixture.rankings.filter((r) => r.hits.some((h) => !(h in r.ratings)));
    expect(withUnrated.length).toBeGreaterThanOrEqual(3);
  });

  for (const recorded of fixture.rankings) {
    it(`${recorded.id}: every metric, cutoff and parameter combination matches to 1e-9`, () => {
      const cases = casesFor(recorded);
      const mismatches = cases
        .filter((c) => !(Math.abs(c.reference - c.ours) <= TOLERANCE))
        .map((c) => `${c.label}: ES ${c.reference} vs ours ${c.ours}`);
      expect(mismatches).toEqual([]);
      expect(cases.length).toBeGreaterThan(300);
    });
  }

  it('the comparison is sensitive: a k = "whole ranking" ideal (not ES) differs where hits < k', () => {
    const short = fixture.rankings.find((r) => r.id === 'short')!;
    const ranking = ratedRanking(short.hits, short.ratings);
    const es = esDcg(short, 10, true, null);
    const idealAtK = resolveMetric('ndcg@10').compute(ranking, { idealDepth: 'k' });
    expect(Math.abs(es - idealAtK)).toBeGreaterThan(0.05);
  });

  it('ES requires maximum_relevance for expected_reciprocal_rank and a positive k', () => {
    const ranking = ratedRanking(['a'], { a: 3 });
    expect(() => rankEvalEquivalent('expected_reciprocal_rank', ranking, { k: 5 })).toThrow(
      /maximum_relevance/,
    );
    expect(() => rankEvalEquivalent('precision', ranking, { k: 0 })).toThrow(/positive integer/);
  });

  it('translates our metric names into the _rank_eval metric section', () => {
    expect(rankEvalMetricFor('ndcg@10')).toEqual({ dcg: { k: 10, normalize: true } });
    expect(rankEvalMetricFor('dcg@5', { unknownRating: 1 })).toEqual({
      dcg: { k: 5, normalize: false, unknown_doc_rating: 1 },
    });
    expect(rankEvalMetricFor('P@3', { relevantThreshold: 2 })).toEqual({
      precision: { k: 3, relevant_rating_threshold: 2, ignore_unlabeled: false },
    });
    expect(rankEvalMetricFor('recall@20')).toEqual({ recall: { k: 20 } });
    expect(rankEvalMetricFor('mrr@10')).toEqual({ mean_reciprocal_rank: { k: 10 } });
    expect(rankEvalMetricFor('err@10', { maxGrade: 4 })).toEqual({
      expected_reciprocal_rank: { k: 10, maximum_relevance: 4 },
    });
    expect(rankEvalMetricFor('ap@10')).toBeNull();
    expect(rankEvalMetricFor('unrated@10')).toBeNull();
    expect(rankEvalMetricFor('mrr')).toBeNull();
  });
});
