/**
 * Comparing two runs of the same query set (A = baseline, B = candidate): per-query deltas,
 * wins/losses/ties, a paired randomization test, a bootstrap interval of the mean delta, rank
 * overlap per query and the facet counts that changed. Pure: it works on RunResults, whoever
 * produced them.
 *
 * Queries are paired by their text. A query counts in the statistics only when both runs scored
 * it and neither excluded it (no judgments / ideal DCG 0) nor failed on it; rank overlap needs no
 * judgments and is reported for every query both runs answered.
 */
import { RwbError } from '../errors.ts';
import { resolveMetric } from './metrics-registry.ts';
import { diffFacetCounts, isEmptyFacetDiff, type FacetDiff } from './compare-facets.ts';
import {
  UNKNOWN_LANGUAGE,
  type LatencyStats,
  type RunQueryResult,
  type RunResult,
} from './compare-run-result.ts';
import {
  assessRobustness,
  pairedRange,
  type ComparisonRobustness,
  type PairedRange,
} from './compare-robustness.ts';
import { DEFAULT_RBO_PERSISTENCE, jaccardAtK, rankBiasedOverlap } from './stats-overlap.ts';
import type { Seed } from './stats-random.ts';
import {
  mean,
  pairedBootstrapCi,
  pairedRandomizationTest,
  pairOutcome,
  winsLossesTies,
  type BootstrapInterval,
  type PairOutcome,
  type RandomizationTestResult,
} from './stats-significance.ts';

export interface CompareOptions {
  /** Metric to compare on; default: the first metric both runs computed (ndcg@10 if present). */
  metric?: string;
  /** |delta| ≤ epsilon is a tie. Default 0. */
  epsilon?: number;
  /** Iterations of the randomization test and of the bootstrap. Default 10 000. */
  iterations?: number;
  seed?: Seed;
  /** Coverage of the bootstrap interval. Default 0.95. */
  confidence?: number;
  /** Significance level for the `significant` flag. Default 0.05. */
  alpha?: number;
  /** Depth of Jaccard and RBO; default the smaller k of the two runs. */
  overlapK?: number;
  /** RBO persistence. Default 0.9. */
  rboP?: number;
}

export type SkipReason = 'excluded' | 'failed' | 'no-score';

export interface QueryComparison {
  readonly query: string;
  readonly language: string;
  /** Null when the query does not count in the statistics (see `skipped`). */
  readonly scoreA: number | null;
  readonly scoreB: number | null;
  readonly delta: number | null;
  readonly outcome: PairOutcome | null;
  readonly skipReason: SkipReason | null;
  /** Null when either run failed on the query. */
  readonly jaccard: number | null;
  readonly rbo: number | null;
  /** Present when both runs returned facets and some count changed. */
  readonly facetDiff?: FacetDiff;
  /**
   * The metric's standard, condensed-list and upper values on each side, when the query counts
   * and both runs recorded them (runs from before the companions have none).
   */
  readonly rangeA?: PairedRange;
  readonly rangeB?: PairedRange;
}

export interface LanguageComparison {
  readonly language: string;
  readonly pairs: number;
  readonly meanA: number | null;
  readonly meanB: number | null;
  readonly meanDelta: number | null;
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
}

export interface RunComparison {
  readonly revisionA: string;
  readonly revisionB: string;
  readonly metric: string;
  /** Queries that count in the statistics. */
  readonly pairs: number;
  /** Every query both runs hold, in A's order. */
  readonly queries: QueryComparison[];
  readonly onlyInA: string[];
  readonly onlyInB: string[];
  readonly meanA: number | null;
  readonly meanB: number | null;
  readonly meanDelta: number | null;
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  readonly epsilon: number;
  /** Null when no query counts. */
  readonly significance: RandomizationTestResult | null;
  readonly interval: BootstrapInterval | null;
  readonly alpha: number;
  readonly significant: boolean;
  readonly byLanguage: LanguageComparison[];
  readonly overlap: { k: number; p: number; meanJaccard: number | null; meanRbo: number | null };
  readonly latency: { a: RunResult['latency']; b: RunResult['latency'] };
  /** Queries whose facet counts changed. */
  readonly facetChanges: number;
  /**
   * Whether the winner still wins on condensed lists and across the bounds (compare-robustness.ts);
   * null when no query counts or a run was recorded without condensed / upper values.
   */
  readonly robustness: ComparisonRobustness | null;
}

function chooseMetric(a: RunResult, b: RunResult, requested: string | undefined): string {
  if (requested !== undefined) return resolveMetric(requested).name;
  const common = a.metrics.filter((name) => b.metrics.includes(name));
  const quality = common.filter((name) => resolveMetric(name).quality);
  const chosen = quality.find((name) => name === 'ndcg@10') ?? quality[0];
  if (chosen === undefined) {
    throw new RwbError(
      'INVALID_INPUT',
      `runs of ${a.revisionId} (${a.metrics.join(', ')}) and ${b.revisionId} (${b.metrics.join(', ')}) share no quality metric; pass one with --metric`,
    );
  }
  return chosen;
}

function scoreOf(q: RunQueryResult, metric: string): { score: number } | { skip: SkipReason } {
  if (q.error) return { skip: 'failed' };
  if (q.excluded !== null) return { skip: 'excluded' };
  const score = q.scores[metric];
  return score === undefined ? { skip: 'no-score' } : { score };
}

function compareQuery(
  qa: RunQueryResult,
  qb: RunQueryResult,
  metric: string,
  epsilon: number,
  overlap: { k: number; p: number },
): QueryComparison {
  const base = resolveMetric(metric).base;
  const sa = scoreOf(qa, metric);
  const sb = scoreOf(qb, metric);
  const answered = !qa.error && !qb.error;
  const common = {
    query: qa.query,
    language: qa.language ?? qb.language ?? UNKNOWN_LANGUAGE,
    jaccard: answered ? jaccardAtK(qa.hits, qb.hits, overlap.k) : null,
    rbo: answered ? rankBiasedOverlap(qa.hits, qb.hits, overlap) : null,
  };
  const facetDiff = qa.facets && qb.facets ? diffFacetCounts(qa.facets, qb.facets) : undefined;
  const withFacets = facetDiff && !isEmptyFacetDiff(facetDiff) ? { facetDiff } : {};
  if ('skip' in sa || 'skip' in sb) {
    const skipReason = 'skip' in sa ? sa.skip : (sb as { skip: SkipReason }).skip;
    return {
      ...common,
      scoreA: null,
      scoreB: null,
      delta: null,
      outcome: null,
      skipReason,
      ...withFacets,
    };
  }
  const rangeA = pairedRange(qa, base);
  const rangeB = pairedRange(qb, base);
  return {
    ...common,
    scoreA: sa.score,
    scoreB: sb.score,
    delta: sb.score - sa.score,
    outcome: pairOutcome(sa.score, sb.score, epsilon),
    skipReason: null,
    ...withFacets,
    ...(rangeA && rangeB && { rangeA, rangeB }),
  };
}

function meanOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : mean(values);
}

function byLanguage(rows: readonly QueryComparison[], epsilon: number): LanguageComparison[] {
  const languages = [...new Set(rows.map((r) => r.language))].sort();
  return languages.map((language) => {
    const paired = rows.filter((r) => r.language === language && r.delta !== null);
    const a = paired.map((r) => r.scoreA as number);
    const b = paired.map((r) => r.scoreB as number);
    const counts = winsLossesTies(a, b, epsilon);
    return {
      language,
      pairs: paired.length,
      meanA: meanOrNull(a),
      meanB: meanOrNull(b),
      meanDelta: meanOrNull(paired.map((r) => r.delta as number)),
      ...counts,
    };
  });
}

/** Compares run B against run A (the baseline). */
export function compareRuns(
  a: RunResult,
  b: RunResult,
  options: CompareOptions = {},
): RunComparison {
  const metric = chooseMetric(a, b, options.metric);
  const epsilon = options.epsilon ?? 0;
  const alpha = options.alpha ?? 0.05;
  const overlap = {
    k: options.overlapK ?? Math.min(a.k, b.k),
    p: options.rboP ?? DEFAULT_RBO_PERSISTENCE,
  };
  const inB = new Map(b.queries.map((q) => [q.query, q]));
  const inA = new Set(a.queries.map((q) => q.query));
  const rows = a.queries.flatMap((qa) => {
    const qb = inB.get(qa.query);
    return qb ? [compareQuery(qa, qb, metric, epsilon, overlap)] : [];
  });
  const paired = rows.filter((r) => r.delta !== null);
  const scoresA = paired.map((r) => r.scoreA as number);
  const scoresB = paired.map((r) => r.scoreB as number);
  const counts = winsLossesTies(scoresA, scoresB, epsilon);
  const statsOptions = {
    ...(options.iterations !== undefined && { iterations: options.iterations }),
    ...(options.seed !== undefined && { seed: options.seed }),
  };
  const significance =
    paired.length === 0 ? null : pairedRandomizationTest(scoresA, scoresB, statsOptions);
  const interval =
    paired.length === 0
      ? null
      : pairedBootstrapCi(scoresA, scoresB, {
          ...statsOptions,
          ...(options.confidence !== undefined && { confidence: options.confidence }),
        });
  const overlapRows = rows.filter((r) => r.jaccard !== null);
  return {
    revisionA: a.revisionId,
    revisionB: b.revisionId,
    metric,
    pairs: paired.length,
    queries: rows,
    onlyInA: a.queries.filter((q) => !inB.has(q.query)).map((q) => q.query),
    onlyInB: b.queries.filter((q) => !inA.has(q.query)).map((q) => q.query),
    meanA: meanOrNull(scoresA),
    meanB: meanOrNull(scoresB),
    meanDelta: meanOrNull(paired.map((r) => r.delta as number)),
    ...counts,
    epsilon,
    significance,
    interval,
    alpha,
    significant: significance !== null && significance.pValue < alpha,
    byLanguage: byLanguage(rows, epsilon),
    overlap: {
      ...overlap,
      meanJaccard: meanOrNull(overlapRows.map((r) => r.jaccard as number)),
      meanRbo: meanOrNull(overlapRows.map((r) => r.rbo as number)),
    },
    latency: { a: a.latency, b: b.latency },
    facetChanges: rows.filter((r) => r.facetDiff !== undefined).length,
    robustness: assessRobustness(
      resolveMetric(metric).base,
      paired.map((r) => ({ a: r.rangeA ?? null, b: r.rangeB ?? null })),
      { a: a.revisionId, b: b.revisionId },
      epsilon,
    ),
  };
}

export type QueryComparisonSortKey =
  'delta' | 'absDelta' | 'scoreA' | 'scoreB' | 'rbo' | 'jaccard' | 'query' | 'language';

function sortValue(row: QueryComparison, key: QueryComparisonSortKey): number | string | null {
  if (key === 'absDelta') return row.delta === null ? null : Math.abs(row.delta);
  return row[key];
}

/**
 * A sorted copy of the per-query rows; rows without a value for the key (skipped queries) go
 * last in either direction, ties keep the original order.
 */
export function sortQueryComparisons(
  rows: readonly QueryComparison[],
  key: QueryComparisonSortKey,
  direction: 'asc' | 'desc' = 'desc',
): QueryComparison[] {
  const sign = direction === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: sortValue(row, key) }))
    .sort((x, y) => {
      if (x.value === null || y.value === null) {
        if (x.value === y.value) return x.index - y.index;
        return x.value === null ? 1 : -1;
      }
      const order =
        typeof x.value === 'string'
          ? x.value.localeCompare(y.value as string)
          : x.value - (y.value as number);
      return order * sign || x.index - y.index;
    })
    .map((entry) => entry.row);
}

/** Latency change B vs A (mean ES took and mean total), for tables. */
export function latencyDelta(comparison: RunComparison): { tookMs: number; totalMs: number } {
  const delta = (x: LatencyStats, y: LatencyStats) => y.mean - x.mean;
  return {
    tookMs: delta(comparison.latency.a.tookMs, comparison.latency.b.tookMs),
    totalMs: delta(comparison.latency.a.totalMs, comparison.latency.b.totalMs),
  };
}
