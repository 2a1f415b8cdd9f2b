/**
 * The evaluation runner: N config revisions × a query set → one RunResult per config.
 *
 * 1. prepare: every query under every config becomes the ES request the searcher would send
 *    (parses shared between configs that parse alike; query vectors from a shared embedder);
 * 2. search: the distinct requests (by body hash) not already in the response cache go to ES in
 *    `_msearch` batches, a few in flight;
 * 3. score: each query's hits against its ratings with the asked metrics (+ unrated@k), facet
 *    counts for facet diffs, latency; buildRunResult assembles means, per-language breakdown and
 *    the excluded / failed query lists.
 *
 * A query that fails (bad expression, ES error) is reported in the run and left out of means; it
 * never stops the others. Latency per query: `tookMs` is ES's own `took`; `totalMs` is this
 * query's preparation plus its share (1/n) of the wall time of the `_msearch` that carried it.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { SearchConfig } from '../config/search-config-schema.ts';
import { RwbError } from '../errors.ts';
import { LruCache } from '../query/lru-cache.ts';
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
import { batchesOf, mapLimited, msearchBatch, type SearchOutcome } from './runner-msearch.ts';
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

export interface EvalProgress {
  readonly stage: 'prepare' | 'search' | 'score';
  readonly done: number;
  readonly total: number;
}

/** Responses by request hash, shared between runs (tuner trials). */
export type ResponseCache = LruCache<string, SearchOutcome>;

export function createResponseCache(capacity = 20_000): ResponseCache {
  return new LruCache<string, SearchOutcome>(capacity);
}

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
}

type Entry =
  | { readonly config: number; readonly query: string; readonly prepared: PreparedEvalRequest }
  | {
      readonly config: number;
      readonly query: string;
      readonly failed: { code: string; message: string };
    };

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
  const responses = options.responseCache ?? createResponseCache();
  const total = options.configs.length * queries.length;
  const cancelled = () => new RwbError('CANCELLED', 'The evaluation was cancelled');

  // 1. prepare
  const jobs = options.configs.flatMap((_, config) => queries.map((query) => ({ config, query })));
  const configDeps = await Promise.all(
    options.configs.map(({ config }) => dependenciesFor(config, options)),
  );
  let prepared = 0;
  const entries: Entry[] = await mapLimited(
    jobs,
    options.prepareConcurrency ?? 8,
    async ({ config, query }) => {
      if (signal?.aborted) throw cancelled();
      const deps: SearchDependencies = { ...configDeps[config], ...(signal && { signal }) };
      let entry: Entry;
      try {
        const request = await prepareEvalRequest(
          query,
          options.configs[config]!.config,
          requestOptions,
          deps,
          parseCache,
        );
        entry = { config, query, prepared: request };
      } catch (err) {
        if (signal?.aborted) throw cancelled();
        entry = { config, query, failed: preparationError(err) };
      }
      options.onProgress?.({ stage: 'prepare', done: ++prepared, total });
      return entry;
    },
  );
  const prepareMs = performance.now() - started;

  // 2. search: distinct, uncached bodies only
  const ready = entries.filter((e): e is Extract<Entry, { prepared: unknown }> => 'prepared' in e);
  const distinct = new Map<string, PreparedEvalRequest>();
  for (const e of ready)
    if (!distinct.has(e.prepared.hash)) distinct.set(e.prepared.hash, e.prepared);
  const outcomes = new Map<string, { outcome: SearchOutcome; shareMs: number }>();
  const toSend: PreparedEvalRequest[] = [];
  for (const [hash, request] of distinct) {
    const cached = responses.get(hash);
    if (cached) outcomes.set(hash, { outcome: cached, shareMs: 0 });
    else toSend.push(request);
  }
  const batches = batchesOf(toSend, batchSize);
  let searched = 0;
  const searchStarted = performance.now();
  await mapLimited(batches, concurrency, async (batch) => {
    if (signal?.aborted) throw cancelled();
    const answer = await msearchBatch(
      client,
      options.index,
      batch.map((r) => r.body),
      { tenantId: options.tenantId, ...(signal && { signal }), url: clientUrl(client) },
    );
    answer.outcomes.forEach((outcome, i) => {
      const hash = batch[i]!.hash;
      outcomes.set(hash, { outcome, shareMs: answer.wallMs / batch.length });
      if (outcome.ok) responses.set(hash, outcome);
    });
    searched += batch.length;
    options.onProgress?.({ stage: 'search', done: searched, total: toSend.length });
  });
  const searchMs = performance.now() - searchStarted;

  // 3. score
  const perConfig = options.configs.map(() => [] as Array<RunQueryInput | FailedQueryInput>);
  const snapshots = options.configs.map(({ revisionId }) => ({
    revisionId,
    queries: [] as SnapshotQueryInput[],
  }));
  const warnings = options.configs.map(() => new Set<string>());
  for (const entry of entries) {
    const target = perConfig[entry.config]!;
    if ('failed' in entry) {
      target.push({ query: entry.query, language: null, error: entry.failed });
      continue;
    }
    const { prepared: request } = entry;
    for (const w of request.warnings) warnings[entry.config]!.add(w);
    const answered = outcomes.get(request.hash)!;
    const { outcome } = answered;
    const totalMs = request.prepareMs + answered.shareMs;
    if (!outcome.ok) {
      target.push({
        query: entry.query,
        language: request.language,
        error: outcome.error,
        totalMs,
      });
      continue;
    }
    const hits = outcome.hits.map((h) => h.id);
    const scored = evaluateQuery(
      { query: entry.query, hits, ratings: ratings.get(entry.query) ?? new Map() },
      metrics,
      metricOptions,
    );
    const facets = requestOptions.facets
      ? facetCountsOf(outcome.aggregations, request.plan)
      : undefined;
    target.push({
      scored,
      language: request.language,
      hits,
      ...(outcome.totalHits !== undefined && { totalHits: outcome.totalHits }),
      tookMs: outcome.tookMs,
      totalMs,
      ...(facets && { facets }),
    });
    snapshots[entry.config]!.queries.push({
      query: entry.query,
      docs: outcome.hits.map((h) => ({
        id: h.id,
        ...(h.score !== null && { score: h.score }),
        ...(h.explanation && { explain: h.explanation }),
      })),
    });
  }
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
      queries: perConfig[i]!,
    }),
  );
  const requests = options.keepRequests
    ? options.configs.map(({ revisionId }, i) => ({
        revisionId,
        queries: ready
          .filter((e) => e.config === i)
          .map((e) => ({ query: e.query, body: e.prepared.body })),
      }))
    : undefined;
  return {
    results,
    snapshots,
    ...(requests && { requests }),
    warnings: options.configs.map(({ revisionId }, i) => ({
      revisionId,
      messages: [...warnings[i]!],
    })),
    stats: {
      searches: total,
      distinctRequests: distinct.size,
      executed: toSend.length,
      fromCache: distinct.size - toSend.length,
      failedToPrepare: entries.length - ready.length,
      msearchCalls: batches.length,
      prepareMs,
      searchMs,
      totalMs: performance.now() - started,
    },
  };
}

function clientUrl(client: Client): string {
  const connection = client.connectionPool.connections[0];
  return connection ? connection.url.origin : 'the cluster';
}
