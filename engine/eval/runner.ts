/**
 * The evaluation runner: N config revisions × a query set → one RunResult per config.
 *
 * Every query under every config becomes the ES request the searcher would send (parses shared
 * between configs that parse alike; query vectors from a shared embedder). Prepared requests
 * stream into `_msearch` batches at once (runner-dispatch.ts): distinct bodies only, a few
 * batches in flight, nothing already in the response cache, so preparing overlaps with the
 * cluster's work. Each answer is scored as its batch returns: the asked metrics (+ unrated@k),
 * facet counts for facet diffs, latency; buildRunResult assembles means, the per-language
 * breakdown and the excluded / failed query lists.
 *
 * A query that fails (bad expression, ES error) is reported in the run and left out of means; it
 * never stops the others. Latency per query: `tookMs` is ES's own `took`; `totalMs` is this
 * query's preparation plus its share (1/n) of the wall time of the `_msearch` that carried it.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { SearchConfig } from '../config/search-config-schema.ts';
import { RwbError } from '../errors.ts';
import type { QueryEmbedder } from '../query/query-parser.ts';
import type { SearchDependencies } from '../search/searcher.ts';
import {
  buildRunResult,
  type FailedQueryInput,
  type RunQueryInput,
  type RunResult,
} from './compare-run-result.ts';
import { ratingsByQuery, type QuerySet } from './judgments.ts';
import type { MetricOptions } from './metrics.ts';
import { resolveMetric } from './metrics-registry.ts';
import { evaluateQuery } from './metrics-summary.ts';
import type { QueryEmbedderSource } from './runner-embedders.ts';
import { facetCountsOf } from './runner-facets.ts';
import {
  createResponseCache,
  MsearchDispatcher,
  type DispatchedAnswer,
  type ResponseCache,
} from './runner-dispatch.ts';
import { combineOutcomes, mapLimited } from './runner-msearch.ts';
import {
  assertKFits,
  createParseCache,
  preparationError,
  prepareEvalRequest,
  type EvalRequestOptions,
  type ParseCache,
  type PreparedEvalRequest,
} from './runner-prepare.ts';
import type { SnapshotQueryInput } from './experiments-records.ts';

export interface EvalConfig {
  /** The experiment-store revision of `config` (any label for throwaway runs, e.g. tuner trials). */
  readonly revisionId: string;
  readonly config: SearchConfig;
}

/** `search`: queries answered and scored so far (preparing overlaps with searching); `score`: done. */
export interface EvalProgress {
  readonly stage: 'search' | 'score';
  readonly done: number;
  readonly total: number;
}

export { createResponseCache, type ResponseCache };

export interface RunEvaluationOptions {
  readonly index: string;
  readonly tenantId: string;
  readonly querySet: QuerySet;
  /** Only these queries of the set (tuner folds); default every query. */
  readonly queries?: readonly string[];
  readonly configs: readonly EvalConfig[];
  /** Hits per query. Default 10. */
  readonly k?: number;
  /** Metric names (`ndcg@10`, `p@5`, `mrr`); default ndcg, p, recall, mrr, err and ap at k. */
  readonly metrics?: readonly string[];
  /** Default: threshold 1, maximum grade = the query set's scale max. */
  readonly metricOptions?: MetricOptions;
  /** Searches per `_msearch`. Default 50. */
  readonly batchSize?: number;
  /** `_msearch` calls in flight. Default 2. */
  readonly concurrency?: number;
  /** Queries prepared at once (parsing, embedding). Default 8. */
  readonly prepareConcurrency?: number;
  /** Query vectors for configs that enable text embedding: one embedder, or one per model. */
  readonly embedder?: QueryEmbedder | QueryEmbedderSource;
  /** Translator, language detector, field catalog for the searcher (every config). */
  readonly searchDeps?: Omit<SearchDependencies, 'embedder' | 'signal'>;
  /**
   * Search dependencies per config (translator for its translation settings, its model's
   * embedder, the index fields); replaces `embedder` and `searchDeps` when given.
   */
  readonly dependencies?: ConfigDependencies;
  /** Ask for facet counts (default true; the tuner turns them off). */
  readonly facets?: boolean;
  /** Keep ES explanations for snapshots (default false). */
  readonly explain?: boolean;
  /** Return the request bodies per config and query (for `--verify`, inspection). */
  readonly keepRequests?: boolean;
  readonly parseCache?: ParseCache;
  readonly responseCache?: ResponseCache;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EvalProgress) => void;
}

export interface EvaluationStats {
  /** Configs × queries. */
  readonly searches: number;
  /** Distinct request bodies among them. */
  readonly distinctRequests: number;
  /** Requests actually sent to ES (distinct and not cached). */
  readonly executed: number;
  /** Distinct requests answered from the response cache of an earlier run. */
  readonly fromCache: number;
  readonly failedToPrepare: number;
  readonly msearchCalls: number;
  readonly prepareMs: number;
  readonly searchMs: number;
  readonly totalMs: number;
}

export interface EvaluationOutput {
  /** One per config, in the order given. */
  readonly results: RunResult[];
  /** Top k per query per config with scores (and explanations when asked). */
  readonly snapshots: Array<{ revisionId: string; queries: SnapshotQueryInput[] }>;
  /** Per config: warnings from the query parser/builder, deduplicated. */
  readonly warnings: Array<{ revisionId: string; messages: string[] }>;
  /** With `keepRequests`: the body each query was searched with, per config. */
  readonly requests?: Array<{ revisionId: string; queries: EvalRequestRecord[] }>;
  readonly stats: EvaluationStats;
}

export interface EvalRequestRecord {
  readonly query: string;
  readonly body: estypes.SearchRequest;
  /** ranking.fusion linear / rrf: the engine fused `searches`; `body` alone does not rank the same. */
  readonly fusion?: string;
  readonly searches?: readonly estypes.SearchRequest[];
}

export const DEFAULT_EVAL_METRICS = ['ndcg', 'p', 'recall', 'mrr', 'err', 'ap'] as const;

/** Canonical metric names; default metrics at cutoff k. */
export function evalMetricNames(k: number, metrics?: readonly string[]): string[] {
  const names =
    metrics && metrics.length > 0 ? metrics : DEFAULT_EVAL_METRICS.map((m) => `${m}@${k}`);
  return [...new Set(names.map((name) => resolveMetric(name).name))];
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RwbError('INVALID_INPUT', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function selectQueries(querySet: QuerySet, subset: readonly string[] | undefined): string[] {
  const all = querySet.queries.map((q) => q.text);
  if (subset === undefined) return all;
  const known = new Set(all);
  const unknown = subset.filter((q) => !known.has(q));
  if (unknown.length > 0) {
    throw new RwbError(
      'INVALID_INPUT',
      `${unknown.length} quer${unknown.length === 1 ? 'y is' : 'ies are'} not in query set "${querySet.name}": ${unknown.slice(0, 5).join(', ')}`,
    );
  }
  return [...new Set(subset)];
}

/** What a config is searched with, besides the signal. */
export type ConfigDependencies = (
  config: SearchConfig,
) => Promise<Omit<SearchDependencies, 'signal'>>;

async function embedderFor(
  config: SearchConfig,
  source: RunEvaluationOptions['embedder'],
): Promise<QueryEmbedder | undefined> {
  if (!config.query.textEmbedding.enabled || source === undefined) return undefined;
  return typeof source === 'function' ? source : source.forModel(config.query.textEmbedding.model);
}

async function dependenciesFor(
  config: SearchConfig,
  options: RunEvaluationOptions,
): Promise<Omit<SearchDependencies, 'signal'>> {
  if (options.dependencies) return options.dependencies(config);
  const embedder = await embedderFor(config, options.embedder);
  return { ...options.searchDeps, ...(embedder && { embedder }) };
}

/** Runs every config over the query set; see the file comment. */
export async function runEvaluation(
  client: Client,
  options: RunEvaluationOptions,
): Promise<EvaluationOutput> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const { signal } = options;
  const k = positive(options.k ?? 10, 'k');
  const batchSize = positive(options.batchSize ?? 50, 'batchSize');
  const concurrency = positive(options.concurrency ?? 2, 'concurrency');
  if (options.configs.length === 0) {
    throw new RwbError('INVALID_INPUT', 'an evaluation needs at least one config');
  }
  for (const { revisionId, config } of options.configs) assertKFits(k, config, revisionId);
  const metrics = evalMetricNames(k, options.metrics);
  const metricOptions: MetricOptions = {
    maxGrade: options.querySet.scale.max,
    ...options.metricOptions,
  };
  const queries = selectQueries(options.querySet, options.queries);
  const ratings = ratingsByQuery(options.querySet);
  const requestOptions: EvalRequestOptions = {
    tenantId: options.tenantId,
    k,
    facets: options.facets ?? true,
    explain: options.explain ?? false,
  };
  const parseCache = options.parseCache ?? createParseCache();
  const total = options.configs.length * queries.length;
  const cancelled = () => new RwbError('CANCELLED', 'The evaluation was cancelled');
  const dispatcher = new MsearchDispatcher(client, {
    index: options.index,
    tenantId: options.tenantId,
    batchSize,
    concurrency,
    responses: options.responseCache ?? createResponseCache(),
    ...(signal && { signal }),
    url: clientUrl(client),
  });
  const configDeps = await Promise.all(
    options.configs.map(({ config }) => dependenciesFor(config, options)),
  );
  const perConfig = options.configs.map(() => new Map<string, RunQueryInput | FailedQueryInput>());
  const snapshotQueries = options.configs.map(() => new Map<string, SnapshotQueryInput>());
  const warnings = options.configs.map(() => new Set<string>());
  const kept = options.configs.map(() => [] as EvalRequestRecord[]);
  let finished = 0;
  let failedToPrepare = 0;
  const finish = () => options.onProgress?.({ stage: 'search', done: ++finished, total });

  const score = (config: number, request: PreparedEvalRequest, answer: DispatchedAnswer) => {
    const { outcome } = answer;
    const totalMs = request.prepareMs + answer.shareMs;
    const query = request.query;
    if (!outcome.ok) {
      perConfig[config]!.set(query, {
        query,
        language: request.language,
        error: outcome.error,
        totalMs,
      });
      return;
    }
    const hits = outcome.hits.map((h) => h.id);
    const scored = evaluateQuery(
      { query, hits, ratings: ratings.get(query) ?? new Map() },
      metrics,
      metricOptions,
    );
    const facets = requestOptions.facets
      ? facetCountsOf(outcome.aggregations, request.plan)
      : undefined;
    perConfig[config]!.set(query, {
      scored,
      language: request.language,
      hits,
      ...(outcome.totalHits !== undefined && { totalHits: outcome.totalHits }),
      tookMs: outcome.tookMs,
      totalMs,
      ...(facets && { facets }),
    });
    snapshotQueries[config]!.set(query, {
      query,
      docs: outcome.hits.map((h) => ({
        id: h.id,
        ...(h.score !== null && { score: h.score }),
        ...(h.explanation && { explain: h.explanation }),
      })),
    });
  };

  // Prepare in order; every prepared request joins the next _msearch batch at once, and is
  // scored when its batch answers, while later queries are still being prepared.
  const jobs = options.configs.flatMap((_, config) => queries.map((query) => ({ config, query })));
  const scoring: Array<Promise<void>> = [];
  let prepareMs = 0;
  try {
    await mapLimited(jobs, options.prepareConcurrency ?? 8, async ({ config, query }) => {
      if (signal?.aborted) throw cancelled();
      const deps: SearchDependencies = { ...configDeps[config], ...(signal && { signal }) };
      let request: PreparedEvalRequest;
      try {
        request = await prepareEvalRequest(
          query,
          options.configs[config]!.config,
          requestOptions,
          deps,
          parseCache,
        );
      } catch (err) {
        if (signal?.aborted) throw cancelled();
        perConfig[config]!.set(query, { query, language: null, error: preparationError(err) });
        failedToPrepare++;
        finish();
        return;
      }
      for (const w of request.warnings) warnings[config]!.add(w);
      if (options.keepRequests) {
        const { fusion } = request.plan;
        kept[config]!.push({
          query,
          body: request.body,
          ...(fusion !== null && {
            fusion: fusion.settings.method,
            searches: request.searches.map((search) => search.body),
          }),
        });
      }
      const scored = Promise.all(request.searches.map((search) => dispatcher.request(search))).then(
        (answers) => {
          const outcome = combineOutcomes(
            request.plan.fusion,
            answers.map((answer) => answer.outcome),
            k,
          );
          const shareMs = answers.reduce((sum, answer) => sum + answer.shareMs, 0);
          score(config, request, { outcome, shareMs });
          finish();
        },
      );
      // Handled here so a failed batch is not an unhandled rejection while preparing goes on;
      // Promise.all below still sees the failure.
      scored.catch(() => undefined);
      scoring.push(scored);
      if (dispatcher.failure !== null) throw dispatcher.failure;
    });
    prepareMs = performance.now() - started;
  } catch (err) {
    dispatcher.flush();
    await Promise.allSettled(scoring);
    throw err;
  }
  dispatcher.flush();
  await Promise.all(scoring);
  options.onProgress?.({ stage: 'score', done: total, total });

  const querySetRef = {
    name: options.querySet.name,
    tenant: options.tenantId,
    index: options.index,
  };
  const results = options.configs.map(({ revisionId }, i) =>
    buildRunResult({
      revisionId,
      metrics,
      k,
      startedAt,
      querySet: querySetRef,
      // In query-set order, whatever order the batches answered in.
      queries: queries.map((q) => perConfig[i]!.get(q)!),
    }),
  );
  return {
    results,
    snapshots: options.configs.map(({ revisionId }, i) => ({
      revisionId,
      queries: queries.flatMap((q) => snapshotQueries[i]!.get(q) ?? []),
    })),
    warnings: options.configs.map(({ revisionId }, i) => ({
      revisionId,
      messages: [...warnings[i]!],
    })),
    ...(options.keepRequests && {
      requests: options.configs.map(({ revisionId }, i) => ({ revisionId, queries: kept[i]! })),
    }),
    stats: {
      searches: total,
      distinctRequests: dispatcher.distinct,
      executed: dispatcher.executed,
      fromCache: dispatcher.fromCache,
      failedToPrepare,
      msearchCalls: dispatcher.calls,
      prepareMs,
      searchMs: dispatcher.searchMs,
      totalMs: performance.now() - started,
    },
  };
}

function clientUrl(client: Client): string {
  const connection = client.connectionPool.connections[0];
  return connection ? connection.url.origin : 'the cluster';
}
