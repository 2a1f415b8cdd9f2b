/**
 * Scoring one query with several named metrics, and averaging over a query set.
 *
 * A query with no judged doc of positive gain (ideal DCG 0) cannot tell a good ranking from a bad
 * one: every metric is 0 for it whatever the engine does. ES `_rank_eval` averages such queries
 * in as zeros, which silently drags the mean down; here they are flagged per query and `summarize`
 * lists them apart instead of averaging them.
 *
 * Every quality metric asked for (`ndcg@10`) also gets its companions `ndcg@10:condensed` and
 * `ndcg@10:upper` (metrics-unjudged.ts), so means, per-language breakdowns and comparisons carry
 * them without further work; runs recorded before simply lack those keys.
 */
import { idealDcg, unratedAtK, type DocId, type MetricOptions } from './metrics.ts';
import { resolveMetric, type BoundMetric } from './metrics-registry.ts';
import { companionNames } from './metrics-unjudged.ts';

export interface QueryRanking {
  readonly query: string;
  readonly hits: readonly DocId[];
  readonly ratings: ReadonlyMap<DocId, number>;
}

export type ExclusionReason = 'no-judgments' | 'no-positive-ratings';

export interface QueryScores {
  readonly query: string;
  /**
   * Canonical metric name → value; includes `<metric>:condensed` and `<metric>:upper` for every
   * quality metric and `unrated@k` for every cutoff used.
   */
  readonly scores: Readonly<Record<string, number>>;
  /** Unrated hits in the whole returned ranking. */
  readonly unratedInRanking: number;
  /** Ideal DCG of all the query's judgments (no cutoff); 0 means the query is excluded. */
  readonly judgedIdealDcg: number;
  /** Why the query is left out of means, or null when it counts. */
  readonly excluded: ExclusionReason | null;
}

export interface ExcludedQuery {
  readonly query: string;
  readonly reason: ExclusionReason;
}

export interface MetricSummary {
  /** Metric name → mean over the valid queries; null when no query is valid. */
  readonly means: Readonly<Record<string, number | null>>;
  readonly totalQueries: number;
  readonly validQueries: number;
  readonly excluded: readonly ExcludedQuery[];
}

function exclusionReason(
  ratings: ReadonlyMap<DocId, number>,
  ideal: number,
): ExclusionReason | null {
  if (ratings.size === 0) return 'no-judgments';
  return ideal > 0 ? null : 'no-positive-ratings';
}

/** Scores one query's ranking with the named metrics (e.g. ['ndcg@10', 'p@5', 'mrr']). */
export function evaluateQuery(
  input: QueryRanking,
  metrics: readonly (string | BoundMetric)[],
  options: MetricOptions = {},
): QueryScores {
  const ranking = { hits: input.hits, ratings: input.ratings };
  const scores: Record<string, number> = {};
  const cutoffs = new Set<number>();
  const bounded: BoundMetric[] = [];
  for (const entry of metrics) {
    const metric = typeof entry === 'string' ? resolveMetric(entry) : entry;
    scores[metric.name] = metric.compute(ranking, options);
    if (metric.k !== undefined) cutoffs.add(metric.k);
    if (metric.quality && metric.variant === 'value') bounded.push(metric);
  }
  for (const metric of bounded) {
    const names = companionNames(metric.name);
    for (const name of [names.condensed, names.upper]) {
      if (!Object.hasOwn(scores, name))
        scores[name] = resolveMetric(name).compute(ranking, options);
    }
  }
  for (const k of [...cutoffs].sort((a, b) => a - b))
    scores[`unrated@${k}`] = unratedAtK(ranking, k);
  const judgedIdealDcg = idealDcg(input.ratings, undefined);
  return {
    query: input.query,
    scores,
    unratedInRanking: unratedAtK(ranking, undefined),
    judgedIdealDcg,
    excluded: exclusionReason(input.ratings, judgedIdealDcg),
  };
}

/** Means over the queries that count, plus the list of those left out and why. */
export function summarize(perQuery: readonly QueryScores[]): MetricSummary {
  const valid = perQuery.filter((q) => q.excluded === null);
  const names = new Set<string>();
  for (const q of perQuery) for (const name of Object.keys(q.scores)) names.add(name);
  const means: Record<string, number | null> = {};
  for (const name of names) {
    const values = valid.map((q) => q.scores[name]).filter((v): v is number => v !== undefined);
    means[name] =
      values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
  }
  return {
    means,
    totalQueries: perQuery.length,
    validQueries: valid.length,
    excluded: perQuery.flatMap((q) =>
      q.excluded === null ? [] : [{ query: q.query, reason: q.excluded }],
    ),
  };
}
