/**
 * What a metric does not know: the top-k hits nobody judged. Every metric of metrics.ts counts
 * them as grade 0 (as ES `_rank_eval` does), so two configs can differ mostly by how many unjudged
 * products they surface. Next to that value (the *lower* value) this file gives, as pure functions:
 *
 * - the **condensed-list** value (Sakai, SIGIR 2007): the unjudged hits are removed from the
 *   ranking, the judged ones move up, the list is cut at k and scored as usual. It estimates the
 *   metric as if the unjudged hits had never been shown; it can only use the hits the run fetched,
 *   so fetch deeper than the cutoff (`--k 20` with ndcg@10) to let the condensed list fill up.
 * - the **upper** value: every unjudged hit in the top k takes the scale's top grade; the
 *   normaliser (ideal DCG of nDCG, relevant count of recall and AP) stays that of the judged docs
 *   and the value is capped at the metric's maximum (1 for normalised metrics). No grading of the
 *   unjudged hits can score above it. For DCG, P, MRR and ERR, lower and upper are exactly the
 *   smallest and largest value any grading gives; for nDCG and AP a relevant unjudged hit also
 *   raises the ideal (or the relevant count), so in rare rankings a grading can fall below the
 *   lower value (docs/metrics.md shows one).
 *
 * The definitions are spelled out with formulas in docs/metrics.md.
 */
import {
  dcgAtK,
  DEFAULT_MAX_GRADE,
  DEFAULT_RELEVANT_THRESHOLD,
  errAtK,
  idealDcgAtK,
  InvalidMetricParameterError,
  precisionAtK,
  reciprocalRank,
  type DocId,
  type MetricOptions,
  type RatedRanking,
} from './metrics.ts';

/** The quality metric kinds that have a condensed and an upper value (not `unrated`). */
export type BoundedKind = 'ndcg' | 'dcg' | 'p' | 'recall' | 'mrr' | 'err' | 'ap';

/** Today's value, the condensed-list value and the upper value of one metric on one ranking. */
export interface MetricRange {
  /** Unjudged hits count as grade 0: today's value and the lower value. */
  readonly value: number;
  readonly condensed: number;
  readonly upper: number;
}

/** The ranking without its unjudged hits, in the same order (Sakai's condensed list). */
export function condensedRanking(ranking: RatedRanking): RatedRanking {
  return { hits: ranking.hits.filter((id) => ranking.ratings.has(id)), ratings: ranking.ratings };
}

/** Unjudged hits within the top k (the whole ranking when k is undefined). */
export function unjudgedInTopK(ranking: RatedRanking, k: number | undefined): DocId[] {
  const top = k === undefined ? ranking.hits : ranking.hits.slice(0, k);
  return top.filter((id) => !ranking.ratings.has(id));
}

/** The ranking with every unjudged hit of the top k given `grade` (the others keep theirs). */
export function completedRanking(
  ranking: RatedRanking,
  k: number | undefined,
  grade: number,
): RatedRanking {
  const unjudged = unjudgedInTopK(ranking, k);
  if (unjudged.length === 0) return ranking;
  const ratings = new Map(ranking.ratings);
  for (const id of unjudged) ratings.set(id, grade);
  return { hits: ranking.hits, ratings };
}

function topGrade(options: MetricOptions): number {
  const grade = options.maxGrade ?? DEFAULT_MAX_GRADE;
  if (!Number.isFinite(grade) || grade <= 0) {
    throw new InvalidMetricParameterError(
      `upper bound: the top grade (maxGrade) must be a positive number, got ${String(grade)}`,
    );
  }
  return grade;
}

function relevantJudged(ranking: RatedRanking, threshold: number): number {
  let count = 0;
  for (const rating of ranking.ratings.values()) if (rating >= threshold) count++;
  return count;
}

/** Relevant hits of the top k and the precision at each of them, for recall and AP. */
function relevantPositions(
  ranking: RatedRanking,
  k: number | undefined,
  threshold: number,
): { retrieved: number; precisionSum: number } {
  const top = k === undefined ? ranking.hits : ranking.hits.slice(0, k);
  let retrieved = 0;
  let precisionSum = 0;
  top.forEach((id, index) => {
    const rating = ranking.ratings.get(id);
    if (rating === undefined || rating < threshold) return;
    retrieved++;
    precisionSum += retrieved / (index + 1);
  });
  return { retrieved, precisionSum };
}

/**
 * The upper value of one metric kind (see the file comment): the unjudged hits of the top k at
 * the top grade, the judged docs' normaliser, capped at 1 where the metric is normalised.
 */
export function upperValue(
  kind: BoundedKind,
  ranking: RatedRanking,
  k: number | undefined,
  options: MetricOptions = {},
): number {
  const completed = completedRanking(ranking, k, topGrade(options));
  const threshold = options.relevantThreshold ?? DEFAULT_RELEVANT_THRESHOLD;
  switch (kind) {
    case 'dcg':
      return dcgAtK(completed, k, options);
    case 'err':
      return errAtK(completed, k, options);
    case 'p':
      return precisionAtK(completed, k, options);
    case 'mrr':
      return reciprocalRank(completed, k, options);
    case 'ndcg': {
      const dcg = dcgAtK(completed, k, options);
      const ideal = idealDcgAtK(ranking, k, options);
      if (ideal === 0) return dcg > 0 ? 1 : 0;
      return Math.min(1, dcg / ideal);
    }
    case 'recall': {
      const { retrieved } = relevantPositions(completed, k, threshold);
      const relevant = relevantJudged(ranking, threshold);
      if (relevant === 0) return retrieved > 0 ? 1 : 0;
      return Math.min(1, retrieved / relevant);
    }
    case 'ap': {
      const { precisionSum } = relevantPositions(completed, k, threshold);
      return Math.min(1, precisionSum / Math.max(1, relevantJudged(ranking, threshold)));
    }
  }
}

/**
 * The condensed-list value: `compute` (any metric of metrics.ts at its cutoff) applied to the
 * ranking without its unjudged hits.
 */
export function condensedValue(
  compute: (ranking: RatedRanking, options: MetricOptions) => number,
  ranking: RatedRanking,
  options: MetricOptions = {},
): number {
  return compute(condensedRanking(ranking), options);
}

/** Judged coverage of the top k: 1 − unrated@k / k (a missing position counts as covered). */
export function judgedCoverage(unratedAtK: number, k: number): number {
  return k <= 0 ? 1 : Math.max(0, 1 - unratedAtK / k);
}

/** Below this judged coverage of the top k, surfaces warn that a metric is mostly unknown. */
export const DEFAULT_MIN_COVERAGE = 0.8;

/** `ndcg@10:condensed` → the value's variant suffix; see metrics-registry.ts. */
export const CONDENSED_SUFFIX = ':condensed';
export const UPPER_SUFFIX = ':upper';

/** Companion score names of a metric: its condensed-list and upper values. */
export function companionNames(metric: string): { condensed: string; upper: string } {
  return { condensed: `${metric}${CONDENSED_SUFFIX}`, upper: `${metric}${UPPER_SUFFIX}` };
}

/**
 * The range of a metric read back from a scores or means map (RunResult): null when the map has
 * no value for it; condensed / upper are null for runs recorded before they were computed.
 */
export function rangeOf(
  scores: Readonly<Record<string, number | null | undefined>>,
  metric: string,
): { value: number; condensed: number | null; upper: number | null } | null {
  const value = Object.hasOwn(scores, metric) ? scores[metric] : undefined;
  if (value === undefined || value === null) return null;
  const names = companionNames(metric);
  const read = (name: string) => (Object.hasOwn(scores, name) ? (scores[name] ?? null) : null);
  return { value, condensed: read(names.condensed), upper: read(names.upper) };
}
