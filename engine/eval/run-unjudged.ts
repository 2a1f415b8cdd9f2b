/**
 * A run's metrics beside what they do not know, for every surface (CLI tables, eval.run,
 * tune.preview, screens): per quality metric the standard mean, the condensed-list mean and the
 * bounds (lower = standard, upper = unjudged at the top grade), and the judged coverage of the
 * top k with a warning below a threshold. Pure; reads the companions metrics-summary.ts records.
 */
import { z } from 'zod';
import type { RunResult } from './compare-run-result.ts';
import { resolveMetric } from './metrics-registry.ts';
import { DEFAULT_MIN_COVERAGE, judgedCoverage, rangeOf } from './metrics-unjudged.ts';

export const MetricRangeSchema = z.object({
  metric: z.string(),
  /** Standard mean (unjudged = 0): also the lower bound. */
  value: z.number().nullable(),
  /** Mean of the condensed-list values; null for runs recorded before they existed. */
  condensed: z.number().nullable(),
  /** Mean of the upper values (unjudged hits of the top k at the top grade). */
  upper: z.number().nullable(),
});
export type MetricRangeRow = z.infer<typeof MetricRangeSchema>;

export const CoverageSchema = z.object({
  /** The depth coverage is measured at (the metric's cutoff). */
  k: z.number().int().positive(),
  /** Mean over the queries that count of 1 − unrated@k / k; null when unknown. */
  coverage: z.number().nullable(),
  minCoverage: z.number(),
  /** Queries that count whose own coverage is below minCoverage. */
  lowQueries: z.number().int().min(0),
  /** coverage < minCoverage. */
  low: z.boolean(),
  /** The warning to show when low; null otherwise. */
  warning: z.string().nullable(),
});
export type Coverage = z.infer<typeof CoverageSchema>;

/** The minimum judged coverage asked for, or the default (0.8). */
export function minCoverageOf(value: number | undefined): number {
  return value ?? DEFAULT_MIN_COVERAGE;
}

/** Quality metrics of a run (as asked) with their condensed and bounded means. */
export function metricRanges(result: RunResult): MetricRangeRow[] {
  return result.metrics
    .filter((name) => {
      const metric = resolveMetric(name);
      return metric.quality && metric.variant === 'value';
    })
    .map((metric) => {
      const range = rangeOf(result.means, metric);
      return {
        metric,
        value: range?.value ?? null,
        condensed: range?.condensed ?? null,
        upper: range?.upper ?? null,
      };
    });
}

/** The cutoff coverage is measured at: the first quality metric's k, else the run's depth. */
export function coverageDepth(result: RunResult, metric?: string): number {
  const named = metric ?? result.metrics.find((m) => resolveMetric(m).quality);
  return (named === undefined ? undefined : resolveMetric(named).k) ?? result.k;
}

/** Mean judged coverage of the top k over the queries that count, with its warning. */
export function runCoverage(
  result: RunResult,
  options: { k?: number; minCoverage?: number } = {},
): Coverage {
  const k = options.k ?? coverageDepth(result);
  const minCoverage = minCoverageOf(options.minCoverage);
  const name = `unrated@${k}`;
  const counted = result.queries.filter(
    (q) => q.error === undefined && q.excluded === null && Object.hasOwn(q.scores, name),
  );
  const perQuery = counted.map((q) => judgedCoverage(q.scores[name]!, k));
  const coverage =
    perQuery.length === 0 ? null : perQuery.reduce((sum, v) => sum + v, 0) / perQuery.length;
  const lowQueries = perQuery.filter((c) => c < minCoverage).length;
  const low = coverage !== null && coverage < minCoverage;
  return {
    k,
    coverage,
    minCoverage,
    lowQueries,
    low,
    warning: low
      ? `only ${(coverage * 100).toFixed(0)}% of the top ${k} hits are judged (below ${(minCoverage * 100).toFixed(0)}%; ${lowQueries} of ${perQuery.length} queries below): the metric is partly unknown — see the condensed value and the bounds, and judge the unjudged hits (Judgments → Judge what matters)`
      : null,
  };
}
