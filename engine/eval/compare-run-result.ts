/**
 * RunResult: what one evaluation run of one config revision over a query set produces. The
 * msearch runner builds it with `buildRunResult` from per-query rankings and metric scores;
 * comparison, snapshots and the experiment store consume it. It is a zod schema because it is
 * persisted and crosses the API boundary.
 */
import { z } from 'zod';
import { RwbError } from '../errors.ts';
import { summarize, type QueryScores } from './metrics-summary.ts';
import { quantile } from './stats-significance.ts';

/** Facet name → value → document count (a terms aggregation, flattened). */
export const FacetCountsSchema = z.record(
  z.string(),
  z.record(z.string(), z.number().int().min(0)),
);
export type FacetCounts = z.infer<typeof FacetCountsSchema>;

export const ExclusionReasonSchema = z.enum(['no-judgments', 'no-positive-ratings']);

export const RunQueryResultSchema = z.object({
  query: z.string().min(1),
  /** External id (TREC qid) when the query set has one. */
  queryId: z.string().optional(),
  /** Language detected for the query text (`zh`, `en`, …); null when detection gave nothing. */
  language: z.string().nullable(),
  /** Doc ids in ranked order, best first. */
  hits: z.array(z.string()),
  /** ES hits.total when the runner asked for it. */
  totalHits: z.number().int().min(0).optional(),
  /** Canonical metric name (`ndcg@10`, `unrated@10`) → value. */
  scores: z.record(z.string(), z.number()),
  /** Why the query is left out of means, or null when it counts (see metrics-summary.ts). */
  excluded: ExclusionReasonSchema.nullable(),
  /** ES `took` for this query's search. */
  tookMs: z.number().min(0),
  /** Wall-clock time of this query's share of the request, as the runner measured it. */
  totalMs: z.number().min(0),
  facets: FacetCountsSchema.optional(),
  /** The query failed (ES error, timeout); its scores are absent and it is not averaged in. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type RunQueryResult = z.infer<typeof RunQueryResultSchema>;

export const LatencyStatsSchema = z.object({
  mean: z.number(),
  p50: z.number(),
  p95: z.number(),
  max: z.number(),
});
export type LatencyStats = z.infer<typeof LatencyStatsSchema>;

export const MetricMeansSchema = z.record(z.string(), z.number().nullable());

export const LanguageBreakdownSchema = z.object({
  queries: z.number().int().min(0),
  validQueries: z.number().int().min(0),
  means: MetricMeansSchema,
});
export type LanguageBreakdown = z.infer<typeof LanguageBreakdownSchema>;

/** Language key used when a query's language is unknown. */
export const UNKNOWN_LANGUAGE = 'unknown';

export const RunResultSchema = z.object({
  /** The config revision that was run (experiment store id). */
  revisionId: z.string().min(1),
  querySet: z
    .object({ name: z.string(), tenant: z.string().optional(), index: z.string().optional() })
    .optional(),
  /** The metrics asked for, canonical names. */
  metrics: z.array(z.string()),
  /** How many hits were requested per query. */
  k: z.number().int().positive(),
  startedAt: z.string(),
  queries: z.array(RunQueryResultSchema),
  means: MetricMeansSchema,
  validQueries: z.number().int().min(0),
  excluded: z.array(z.object({ query: z.string(), reason: ExclusionReasonSchema })),
  failedQueries: z.array(z.object({ query: z.string(), code: z.string(), message: z.string() })),
  byLanguage: z.record(z.string(), LanguageBreakdownSchema),
  latency: z.object({ tookMs: LatencyStatsSchema, totalMs: LatencyStatsSchema }),
});
export type RunResult = z.infer<typeof RunResultSchema>;

export function parseRunResult(value: unknown, where: string): RunResult {
  const parsed = RunResultSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new RwbError('INVALID_INPUT', `${where}: not a valid run result: ${issues}`, {
    issues: parsed.error.issues,
  });
}

export function latencyStats(values: readonly number[]): LatencyStats {
  if (values.length === 0) return { mean: 0, p50: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((x, y) => x - y);
  return {
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted[sorted.length - 1] as number,
  };
}

/** What the runner knows about one query besides its metric scores. */
export interface RunQueryInput {
  readonly scored: QueryScores;
  readonly queryId?: string;
  readonly language: string | null;
  readonly hits: readonly string[];
  readonly totalHits?: number;
  readonly tookMs: number;
  readonly totalMs: number;
  readonly facets?: FacetCounts;
}

export interface FailedQueryInput {
  readonly query: string;
  readonly queryId?: string;
  readonly language: string | null;
  readonly error: { code: string; message: string };
  readonly tookMs?: number;
  readonly totalMs?: number;
}

export interface BuildRunResultInput {
  readonly revisionId: string;
  readonly metrics: readonly string[];
  readonly k: number;
  readonly startedAt?: string;
  readonly querySet?: RunResult['querySet'];
  readonly queries: ReadonlyArray<RunQueryInput | FailedQueryInput>;
}

function isFailed(entry: RunQueryInput | FailedQueryInput): entry is FailedQueryInput {
  return 'error' in entry;
}

/** Assembles a RunResult: means via `summarize`, per-language breakdown, latency. */
export function buildRunResult(input: BuildRunResultInput): RunResult {
  const queries: RunQueryResult[] = input.queries.map((entry) => {
    if (isFailed(entry)) {
      return {
        query: entry.query,
        ...(entry.queryId !== undefined && { queryId: entry.queryId }),
        language: entry.language,
        hits: [],
        scores: {},
        excluded: null,
        tookMs: entry.tookMs ?? 0,
        totalMs: entry.totalMs ?? 0,
        error: entry.error,
      };
    }
    return {
      query: entry.scored.query,
      ...(entry.queryId !== undefined && { queryId: entry.queryId }),
      language: entry.language,
      hits: [...entry.hits],
      ...(entry.totalHits !== undefined && { totalHits: entry.totalHits }),
      scores: { ...entry.scored.scores },
      excluded: entry.scored.excluded,
      tookMs: entry.tookMs,
      totalMs: entry.totalMs,
      ...(entry.facets !== undefined && { facets: entry.facets }),
    };
  });
  const scored = input.queries.filter((entry): entry is RunQueryInput => !isFailed(entry));
  const overall = summarize(scored.map((entry) => entry.scored));

  const byLanguage: Record<string, LanguageBreakdown> = {};
  const languages = new Set(queries.map((q) => q.language ?? UNKNOWN_LANGUAGE));
  for (const language of [...languages].sort()) {
    const inLanguage = scored.filter((e) => (e.language ?? UNKNOWN_LANGUAGE) === language);
    const summary = summarize(inLanguage.map((e) => e.scored));
    byLanguage[language] = {
      queries: queries.filter((q) => (q.language ?? UNKNOWN_LANGUAGE) === language).length,
      validQueries: summary.validQueries,
      means: summary.means,
    };
  }
  const answered = queries.filter((q) => q.error === undefined);
  return parseRunResult(
    {
      revisionId: input.revisionId,
      ...(input.querySet !== undefined && { querySet: input.querySet }),
      metrics: [...input.metrics],
      k: input.k,
      startedAt: input.startedAt ?? new Date().toISOString(),
      queries,
      means: overall.means,
      validQueries: overall.validQueries,
      excluded: overall.excluded,
      failedQueries: queries.flatMap((q) =>
        q.error ? [{ query: q.query, code: q.error.code, message: q.error.message }] : [],
      ),
      byLanguage,
      latency: {
        tookMs: latencyStats(answered.map((q) => q.tookMs)),
        totalMs: latencyStats(answered.map((q) => q.totalMs)),
      },
    },
    `run of revision ${input.revisionId}`,
  );
}
