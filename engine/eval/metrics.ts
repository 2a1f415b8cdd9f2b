/**
 * Ranking-quality metrics as pure functions over one query's ranking and its judgments.
 *
 * The definitions follow Elasticsearch `_rank_eval` (modules/rank-eval: DiscountedCumulativeGain,
 * PrecisionAtK, RecallAtK, MeanReciprocalRank, ExpectedReciprocalRank) so that numbers computed
 * here equal what a cluster with the rank-eval module reports for the same hits and ratings:
 * - the ranking is cut at k first (ES asks the search for exactly k hits);
 * - gain 2^r − 1, discount log2(rank + 1);
 * - unrated hits add nothing unless `unknownRating` is given (ES `unknown_doc_rating`), but they
 *   keep their position, so later hits are still discounted by their true rank;
 * - the ideal DCG is built from all judged ratings of the query, sorted descending, cut at the
 *   number of hits actually returned (≤ k) — ES's choice; `idealDepth: 'k'` cuts at k instead;
 * - P@k divides by the hits returned (≤ k), not by k, and counts unrated hits as non-relevant
 *   unless `ignoreUnrated` (ES `ignore_unlabeled`).
 * AP has no ES counterpart; it follows trec_eval (`map_cut`): the sum of precision at each
 * relevant retrieved hit, divided by the number of relevant judged documents.
 */
import { RwbError } from '../errors.ts';

export type DocId = string;

/** One query's search result and judgments: the unit every metric works on. */
export interface RatedRanking {
  /** Doc ids in the order the search returned them, best first. */
  readonly hits: readonly DocId[];
  /** Every judged doc of the query (retrieved or not) → its rating. */
  readonly ratings: ReadonlyMap<DocId, number>;
}

export interface MetricOptions {
  /** Ratings ≥ this count as relevant (P, recall, MRR, AP). ES `relevant_rating_threshold`, default 1. */
  relevantThreshold?: number;
  /**
   * Rating assumed for retrieved docs nobody judged (DCG, nDCG, ERR). Undefined (the default, as in
   * ES `unknown_doc_rating`) means they contribute nothing.
   */
  unknownRating?: number;
  /** P@k: leave unrated hits out of the denominator instead of counting them as misses. */
  ignoreUnrated?: boolean;
  /** ERR: the top grade of the rating scale (ES `maximum_relevance`), default 3. */
  maxGrade?: number;
  /** nDCG: how deep the ideal list goes. 'returned' = min(k, hits returned), as ES; 'k' = k. */
  idealDepth?: 'returned' | 'k';
}

export const DEFAULT_RELEVANT_THRESHOLD = 1;
export const DEFAULT_MAX_GRADE = 3;

/** A metric was asked for with a parameter that has no meaning (k = 0, unknown name, …). */
export class InvalidMetricParameterError extends RwbError {
  constructor(message: string, details?: unknown) {
    super('INVALID_INPUT', message, details);
    this.name = 'InvalidMetricParameterError';
  }
}

/** k must be a positive integer; undefined means "the whole ranking" where a metric allows it. */
export function assertValidK(k: number | undefined, metric: string): void {
  if (k === undefined) return;
  if (!Number.isInteger(k) || k <= 0) {
    throw new InvalidMetricParameterError(
      `${metric}: cutoff k must be a positive integer, got ${String(k)}`,
      {
        metric,
        k,
      },
    );
  }
}

function topK(ranking: RatedRanking, k: number | undefined, metric: string): readonly DocId[] {
  assertValidK(k, metric);
  return k === undefined ? ranking.hits : ranking.hits.slice(0, k);
}

/** Gain of a graded rating: 2^r − 1 (0 → 0, 1 → 1, 2 → 3, 3 → 7). */
export function gain(rating: number): number {
  return 2 ** rating - 1;
}

/** Discount of the hit at 1-based `rank`: log2(rank + 1). */
export function discount(rank: number): number {
  return Math.log2(rank + 1);
}

/** Sums discounted gains; an undefined entry holds a position but adds nothing. */
function discountedGainSum(ratings: readonly (number | undefined)[]): number {
  let sum = 0;
  ratings.forEach((rating, index) => {
    if (rating !== undefined) sum += gain(rating) / discount(index + 1);
  });
  return sum;
}

function hitRatings(
  hits: readonly DocId[],
  ranking: RatedRanking,
  unknownRating: number | undefined,
) {
  return hits.map((id) => ranking.ratings.get(id) ?? unknownRating);
}

export function dcgAtK(
  ranking: RatedRanking,
  k: number | undefined,
  options: MetricOptions = {},
): number {
  return discountedGainSum(hitRatings(topK(ranking, k, 'dcg'), ranking, options.unknownRating));
}

/** DCG of the best possible order of the judged ratings, `depth` positions deep. */
export function idealDcg(ratings: ReadonlyMap<DocId, number>, depth: number | undefined): number {
  const sorted = [...ratings.values()].sort((a, b) => b - a);
  return discountedGainSum(depth === undefined ? sorted : sorted.slice(0, depth));
}

/** The ideal DCG nDCG@k divides by, with the depth rule of `options.idealDepth`. */
export function idealDcgAtK(
  ranking: RatedRanking,
  k: number | undefined,
  options: MetricOptions = {},
): number {
  const returned = topK(ranking, k, 'ndcg').length;
  const depth = options.idealDepth === 'k' ? k : returned;
  return idealDcg(ranking.ratings, depth);
}

/** nDCG@k; 0 when the ideal DCG is 0 (callers flag such queries, see evaluateQuery). */
export function ndcgAtK(
  ranking: RatedRanking,
  k: number | undefined,
  options: MetricOptions = {},
): number {
  const ideal = idealDcgAtK(ranking, k, options);
  return ideal === 0 ? 0 : dcgAtK(ranking, k, options) / ideal;
}

export function precisionAtK(
  ranking: RatedRanking,
  k: number | undefined,
  options: MetricOptions = {},
): number {
  const threshold = options.relevantThreshold ?? DEFAULT_RELEVANT_THRESHOLD;
  let relevantRetrieved = 0;
  let retrieved = 0;
  for (const id of topK(ranking, k, 'p')) {
    const rating = ranking.ratings.get(id);
    if (rating === undefined) {
      if (!options.ignoreUnrated) retrieved++;
      continue;
    }
    retrieved++;
    if (rating >= threshold) relevantRetrieved++;
  }
  return retrieved === 0 ? 0 : relevantRetrieved / retrieved;
}

function countRelevantJudged(ratings: ReadonlyMap<DocId, number>, threshold: number): number {
  let relevant = 0;
  for (const rating of ratings.values()) if (rating >= threshold) relevant++;
  return relevant;
}

function isRelevantHit(ranking: RatedRanking, id: DocId, threshold: number): boolean {
  const rating = ranking.ratings.get(id);
  return rating !== undefined && rating >= threshold;
}

/** Relevant hits in the top k over all relevant judged docs; 0 when no judged doc is relevant. */
export function recallAtK(
  ranking: RatedRanking,
  k: number | undefined,
  options: MetricOptions = {},
): number {
  const threshold = options.relevantThreshold ?? DEFAULT_RELEVANT_THRESHOLD;
  const relevant = countRelevantJudged(ranking.ratings, threshold);
  if (relevant === 0) return 0;
  const retrieved = topK(ranking, k, 'recall').filter((id) =>
    isRelevantHit(ranking, id, threshold),
  ).length;
  return retrieved / relevant;
}

/** 1 / rank of the first relevant hit within the top k (whole ranking when k is undefined), else 0. */
export function reciprocalRank(
  ranking: RatedRanking,
  k?: number,
  options: MetricOptions = {},
): number {
  const threshold = options.relevantThreshold ?? DEFAULT_RELEVANT_THRESHOLD;
  const index = topK(ranking, k, 'mrr').findIndex((id) => isRelevantHit(ranking, id, threshold));
  return index === -1 ? 0 : 1 / (index + 1);
}

/**
 * Expected reciprocal rank (Chapelle et al., CIKM 2009): a user scans down and stops at rank r
 * with probability R_r = (2^g − 1) / 2^maxGrade; ERR = Σ_r (1/r) · R_r · Π_{i<r} (1 − R_i).
 */
export function errAtK(
  ranking: RatedRanking,
  k: number | undefined,
  options: MetricOptions = {},
): number {
  const maxGrade = options.maxGrade ?? DEFAULT_MAX_GRADE;
  if (!Number.isFinite(maxGrade) || maxGrade <= 0) {
    throw new InvalidMetricParameterError(
      `err: maxGrade must be a positive number, got ${String(maxGrade)}`,
    );
  }
  const denominator = 2 ** maxGrade;
  let notStoppedYet = 1;
  let err = 0;
  hitRatings(topK(ranking, k, 'err'), ranking, options.unknownRating).forEach((rating, index) => {
    if (rating === undefined) return;
    const stopHere = gain(rating) / denominator;
    err += (notStoppedYet * stopHere) / (index + 1);
    notStoppedYet *= 1 - stopHere;
  });
  return err;
}

/** Average precision (trec_eval style); 0 when no judged doc is relevant. */
export function averagePrecision(
  ranking: RatedRanking,
  k?: number,
  options: MetricOptions = {},
): number {
  const threshold = options.relevantThreshold ?? DEFAULT_RELEVANT_THRESHOLD;
  const relevant = countRelevantJudged(ranking.ratings, threshold);
  if (relevant === 0) return 0;
  let relevantSoFar = 0;
  let precisionSum = 0;
  topK(ranking, k, 'ap').forEach((id, index) => {
    if (!isRelevantHit(ranking, id, threshold)) return;
    relevantSoFar++;
    precisionSum += relevantSoFar / (index + 1);
  });
  return precisionSum / relevant;
}

/** Hits in the top k that nobody judged: shown next to every score, since they make it uncertain. */
export function unratedAtK(ranking: RatedRanking, k: number | undefined): number {
  return topK(ranking, k, 'unrated').filter((id) => !ranking.ratings.has(id)).length;
}

/** Builds a RatedRanking from plain data (e.g. JSON fixtures or a query's rating list). */
export function ratedRanking(
  hits: readonly DocId[],
  ratings: ReadonlyMap<DocId, number> | Readonly<Record<DocId, number>>,
): RatedRanking {
  return { hits, ratings: ratings instanceof Map ? ratings : new Map(Object.entries(ratings)) };
}
