/**
 * `rwb eval --verify`: where the cluster offers `_rank_eval`, ask ES to score the very requests
 * the runner sent, with the very ratings, and compare per query with our numbers (to 1e-9).
 *
 * ES cannot take everything a run sends: rated requests may not carry aggregations, highlighting
 * or explain, so those are left out (they do not change the ranking). Ratings are addressed by
 * the concrete index and `_id` (`tenant:spu`). ES cuts the ideal DCG at the hits returned and
 * averages queries with ideal DCG 0 in as zeros, so the comparison is per query, never of means.
 *
 * The embedded runtime (integ-test-zip) lacks the rank-eval module: `detectRankEval` says so and
 * the caller reports it instead of failing somewhere inside the request.
 */
import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import { docId } from '../catalog/types.ts';
import { esErrorToRwb } from '../es/client.ts';
import { RwbError } from '../errors.ts';
import type { RunResult } from './compare-run-result.ts';
import { ratingsByQuery, type QuerySet } from './judgments.ts';
import type { MetricOptions } from './metrics.ts';
import { rankEvalMetricFor, type RankEvalMetricRequest } from './metrics-rank-eval.ts';
import type { EvalRequestRecord } from './runner.ts';

export const RANK_EVAL_MODULE = 'rank-eval';
export const VERIFY_TOLERANCE = 1e-9;

export type RankEvalAvailability =
  | { readonly available: true; readonly how: 'modules' | 'probe' }
  | { readonly available: false; readonly reason: string };

function isMissingEndpoint(err: unknown): boolean {
  if (!(err instanceof errors.ResponseError)) return false;
  const body: unknown = err.meta?.body;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  return (
    err.statusCode === 405 ||
    ((err.statusCode === 400 || err.statusCode === 404) && /no handler found/i.test(text))
  );
}

/**
 * Whether `_rank_eval` can be used on `index`: every node must have the rank-eval module. When
 * node info is not readable (an API key without monitor rights), one empty request probes it.
 */
export async function detectRankEval(
  client: Client,
  index: string,
  url = 'the cluster',
): Promise<RankEvalAvailability> {
  try {
    const info = await client.nodes.info({
      metric: 'plugins',
      filter_path: ['nodes.*.modules.name', 'nodes.*.version'],
    });
    const nodes = Object.values(info.nodes ?? {});
    const lacking = nodes.filter(
      (node) => !(node.modules ?? []).some((m) => m.name === RANK_EVAL_MODULE),
    );
    if (nodes.length > 0 && lacking.length === 0) return { available: true, how: 'modules' };
    if (nodes.length > 0) {
      const modules = [...new Set(lacking.flatMap((n) => (n.modules ?? []).map((m) => m.name)))];
      return {
        available: false,
        reason:
          `Elasticsearch at ${url} does not offer _rank_eval: ${lacking.length} of ${nodes.length} node(s) lack the ${RANK_EVAL_MODULE} module ` +
          `(modules: ${modules.sort().join(', ') || 'none'}). The embedded runtime (integ-test-zip) ships without it; ` +
          'run --verify against a full Elasticsearch distribution, or leave --verify out.',
      };
    }
  } catch (err) {
    if (!(err instanceof errors.ResponseError)) throw esErrorToRwb(err, url, 'reading node info');
  }
  try {
    await client.rankEval({ index, requests: [], metric: { precision: { k: 1 } } });
    return { available: true, how: 'probe' };
  } catch (err) {
    if (isMissingEndpoint(err)) {
      return {
        available: false,
        reason: `Elasticsearch at ${url} has no _rank_eval endpoint (the ${RANK_EVAL_MODULE} module is missing); leave --verify out or use a full distribution.`,
      };
    }
    // Any other refusal of the empty probe (e.g. "requests must not be empty") means the
    // endpoint is there.
    if (err instanceof errors.ResponseError && err.statusCode === 400)
      return { available: true, how: 'probe' };
    throw esErrorToRwb(err, url, 'probing _rank_eval');
  }
}

/** A runner request as ES accepts it inside `_rank_eval`. */
export function rankEvalQueryOf(body: estypes.SearchRequest): estypes.RankEvalRankEvalQuery {
  const {
    aggs: _aggs,
    aggregations: _aggregations,
    highlight: _highlight,
    explain: _explain,
    _source: _sourceFilter,
    ...rest
  } = body as estypes.SearchRequest & { aggregations?: unknown };
  return rest as estypes.RankEvalRankEvalQuery;
}

export interface QueryVerification {
  readonly query: string;
  readonly ours: number;
  readonly es: number;
  readonly diff: number;
  readonly unratedOurs: number | null;
  readonly unratedEs: number | null;
}

export interface MetricVerification {
  readonly metric: string;
  readonly esMetric: RankEvalMetricRequest;
  readonly queries: number;
  readonly maxAbsDiff: number;
  readonly mismatches: QueryVerification[];
  /** Queries ES could not evaluate (its `failures`). */
  readonly esFailures: Array<{ query: string; message: string }>;
  readonly agrees: boolean;
}

export interface VerifyReport {
  readonly revisionId: string;
  readonly tolerance: number;
  readonly metrics: MetricVerification[];
  /** Metrics ES has no counterpart for (ap, unrated, mrr without @k). */
  readonly skipped: Array<{ metric: string; reason: string }>;
  readonly agrees: boolean;
}

interface RankEvalDetail {
  metric_score: number;
  unrated_docs?: unknown[];
}

/** Compares our per-query scores of one metric with ES's `details` (keyed by request id). */
export function compareWithRankEval(
  run: RunResult,
  metric: string,
  esMetric: RankEvalMetricRequest,
  ids: ReadonlyMap<string, string>,
  response: Pick<estypes.RankEvalResponse, 'details' | 'failures'>,
  tolerance = VERIFY_TOLERANCE,
): MetricVerification {
  const details = response.details as Record<string, RankEvalDetail>;
  const k = Number(metric.split('@')[1]);
  const rows: QueryVerification[] = [];
  const esFailures: Array<{ query: string; message: string }> = [];
  const failures = (response.failures ?? {}) as Record<string, unknown>;
  for (const q of run.queries) {
    const id = ids.get(q.query);
    if (id === undefined || q.error) continue;
    if (failures[id] !== undefined) {
      esFailures.push({ query: q.query, message: JSON.stringify(failures[id]).slice(0, 300) });
      continue;
    }
    const detail = details[id];
    const ours = q.scores[metric];
    if (!detail || ours === undefined) continue;
    const unrated = q.scores[`unrated@${k}`];
    rows.push({
      query: q.query,
      ours,
      es: detail.metric_score,
      diff: Math.abs(ours - detail.metric_score),
      unratedOurs: unrated ?? null,
      unratedEs: detail.unrated_docs ? detail.unrated_docs.length : null,
    });
  }
  const mismatches = rows.filter(
    (r) =>
      r.diff > tolerance ||
      (r.unratedOurs !== null && r.unratedEs !== null && r.unratedOurs !== r.unratedEs),
  );
  return {
    metric,
    esMetric,
    queries: rows.length,
    maxAbsDiff: rows.reduce((m, r) => Math.max(m, r.diff), 0),
    mismatches,
    esFailures,
    agrees: mismatches.length === 0 && esFailures.length === 0 && rows.length > 0,
  };
}

export interface VerifyRunOptions {
  readonly index: string;
  readonly tenantId: string;
  readonly run: RunResult;
  /** The bodies the runner sent for this run's config (runEvaluation with keepRequests). */
  readonly requests: readonly EvalRequestRecord[];
  readonly querySet: QuerySet;
  readonly metricOptions?: MetricOptions;
  readonly tolerance?: number;
  readonly url?: string;
  readonly signal?: AbortSignal;
}

async function concreteIndex(client: Client, index: string, url: string): Promise<string> {
  try {
    const names = Object.keys(
      await client.indices.get({ index, filter_path: ['*.settings.index.provided_name'] }),
    );
    if (names.length !== 1) {
      throw new RwbError(
        'INVALID_INPUT',
        `--verify needs ${index} to name one index (it resolves to ${names.length}: ${names.slice(0, 5).join(', ')})`,
      );
    }
    return names[0]!;
  } catch (err) {
    throw esErrorToRwb(err, url, `resolving index ${index}`);
  }
}

/** Scores the run's requests with `_rank_eval`, one call per metric ES knows, and compares. */
export async function verifyRun(client: Client, options: VerifyRunOptions): Promise<VerifyReport> {
  const url = options.url ?? 'the cluster';
  const tolerance = options.tolerance ?? VERIFY_TOLERANCE;
  const metricOptions: MetricOptions = {
    maxGrade: options.querySet.scale.max,
    ...options.metricOptions,
  };
  const fused = options.requests.find((r) => r.fusion !== undefined);
  if (fused !== undefined) {
    throw new RwbError(
      'INVALID_INPUT',
      `--verify cannot check config ${options.run.revisionId}: ranking.fusion is "${fused.fusion}", fused in the engine from several searches, and _rank_eval scores one request; verify it with ranking.fusion.method "sum"`,
      { revisionId: options.run.revisionId, fusion: fused.fusion },
    );
  }
  const index = await concreteIndex(client, options.index, url);
  const ratings = ratingsByQuery(options.querySet);
  const ids = new Map(options.requests.map((r, i) => [r.query, `q${i}`]));
  const requests: estypes.RankEvalRankEvalRequestItem[] = options.requests.map((r, i) => ({
    id: `q${i}`,
    request: rankEvalQueryOf(r.body),
    ratings: [...(ratings.get(r.query) ?? new Map<string, number>())].map(([doc, rating]) => ({
      _index: index,
      _id: docId(options.tenantId, doc),
      rating,
    })),
  }));
  const metrics: MetricVerification[] = [];
  const skipped: VerifyReport['skipped'] = [];
  for (const metric of options.run.metrics) {
    if (metric.startsWith('unrated@')) continue;
    const esMetric = rankEvalMetricFor(metric, metricOptions);
    if (esMetric === null) {
      skipped.push({ metric, reason: 'ES _rank_eval has no equivalent metric' });
      continue;
    }
    let response: estypes.RankEvalResponse;
    try {
      response = await client.rankEval(
        { index, requests, metric: esMetric as estypes.RankEvalRankEvalMetric },
        { signal: options.signal },
      );
    } catch (err) {
      throw esErrorToRwb(err, url, `_rank_eval (${metric}) on ${index}`);
    }
    metrics.push(compareWithRankEval(options.run, metric, esMetric, ids, response, tolerance));
  }
  return {
    revisionId: options.run.revisionId,
    tolerance,
    metrics,
    skipped,
    agrees: metrics.length > 0 && metrics.every((m) => m.agrees),
  };
}
