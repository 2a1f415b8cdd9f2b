/**
 * The tuner's objective against Elasticsearch: `evaluate(params, queries)` applies the trial's
 * parameters to the base config and runs those queries through the evaluation runner; the
 * `requestKey` names a query's trial by the hash of the request it builds, so a trial that leaves
 * a query's request unchanged (a knob the query does not reach, a value that rounds to the same
 * request) is never searched or scored again.
 *
 * Parses (language, translation, query vector) are shared by every trial whose parse-relevant
 * settings are the same; responses are shared by request hash across trials.
 */
import type { Client } from '@elastic/elasticsearch';
import { parseSearchConfig } from '../../config/search-config-parse.ts';
import type { SearchConfig } from '../../config/search-config-schema.ts';
import { RwbError } from '../../errors.ts';
import { LruCache } from '../../query/lru-cache.ts';
import type { QueryEmbedder } from '../../query/query-parser.ts';
import type { SearchFieldCatalog } from '../../search/fields.ts';
import type { SearchDependencies } from '../../search/searcher.ts';
import type { QuerySet } from '../judgments.ts';
import { resolveMetric } from '../metrics-registry.ts';
import type { MetricOptions } from '../metrics.ts';
import {
  createResponseCache,
  runEvaluation,
  type ConfigDependencies,
  type EvaluationStats,
  type ResponseCache,
} from '../runner.ts';
import type { QueryEmbedderSource } from '../runner-embedders.ts';
import {
  createParseCache,
  parseCacheKey,
  planEvalRequest,
  type EvalRequestOptions,
  type ParseCache,
} from '../runner-prepare.ts';
import type { EvaluateFn, RequestKeyFn } from '../tuner/eval-cache.ts';
import { paramsKey } from '../tuner/space-codec.ts';
import { applyParams, type ParameterSpace, type ParamValues } from '../tuner/space.ts';

export interface TuneEvaluationOptions {
  readonly index: string;
  readonly tenantId: string;
  readonly querySet: QuerySet;
  readonly baseConfig: SearchConfig;
  readonly space: ParameterSpace;
  /** The metric the tuner maximises, e.g. ndcg@10; its cutoff is the search depth. */
  readonly metric: string;
  readonly metricOptions?: MetricOptions;
  readonly embedder?: QueryEmbedder | QueryEmbedderSource;
  readonly searchDeps?: Omit<SearchDependencies, 'embedder' | 'signal'>;
  /** Per-config search dependencies (see runEvaluation); replaces embedder and searchDeps. */
  readonly dependencies?: ConfigDependencies;
  readonly batchSize?: number;
  readonly concurrency?: number;
}

export interface TuneEvaluationStats {
  readonly evaluateCalls: number;
  readonly searches: number;
  readonly executed: number;
  readonly fromCache: number;
  /** Query scores of failed queries counted as 0. */
  readonly failedQueries: number;
  readonly searchMs: number;
}

export interface TuneEvaluation {
  readonly evaluate: EvaluateFn;
  readonly requestKey: RequestKeyFn;
  /** The validated config of a parameter assignment (cached). */
  configFor(params: ParamValues): SearchConfig;
  /** Failed queries seen so far (scored 0), first few per message. */
  failures(): Array<{ query: string; message: string }>;
  stats(): TuneEvaluationStats;
}

/** Cutoff of the tuned metric; metrics without one (mrr, ap) search 10 deep. */
export function searchDepthOf(metric: string): number {
  return resolveMetric(metric).k ?? 10;
}

export function createTuneEvaluation(
  client: Client,
  options: TuneEvaluationOptions,
): TuneEvaluation {
  const metric = resolveMetric(options.metric).name;
  const k = searchDepthOf(metric);
  const parseCache: ParseCache = createParseCache();
  const responseCache: ResponseCache = createResponseCache(50_000);
  const configs = new LruCache<string, SearchConfig>(5_000);
  const requestOptions: EvalRequestOptions = {
    tenantId: options.tenantId,
    k,
    facets: false,
    explain: false,
  };
  const failures = new Map<string, { query: string; message: string }>();
  let evaluateCalls = 0;
  let searches = 0;
  let executed = 0;
  let fromCache = 0;
  let failedQueries = 0;
  let searchMs = 0;
  // The request key must plan with the fields the real requests use; until the first evaluation
  // has resolved them (per-config dependencies), keys fall back to the parameters.
  let planningFields: SearchFieldCatalog | null | undefined = options.dependencies
    ? undefined
    : (options.searchDeps?.fields ?? null);

  const configFor = (params: ParamValues): SearchConfig => {
    const key = paramsKey(params);
    const cached = configs.get(key);
    if (cached) return cached;
    let config: SearchConfig;
    try {
      config = parseSearchConfig(applyParams(options.baseConfig, options.space, params));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new RwbError(
        'INVALID_INPUT',
        `the parameter space produces an invalid config for ${key}: ${message}`,
        { params },
        { cause: err },
      );
    }
    configs.set(key, config);
    return config;
  };

  const evaluate: EvaluateFn = async (params, queries, signal) => {
    evaluateCalls++;
    let config: SearchConfig;
    try {
      config = configFor(params);
    } catch (err) {
      // Some knobs exclude each other (a text type and a parameter ES refuses for it: fuzziness
      // with phrase, slop with best_fields …). Such a trial scores 0 on every query, so the
      // sampler learns to avoid it, instead of the whole run stopping on one combination.
      if (!(err instanceof RwbError)) throw err;
      failedQueries += queries.length;
      const first = queries[0];
      if (first !== undefined)
        failures.set(`config\u0000${err.message}`, { query: first, message: err.message });
      return { perQuery: new Map(queries.map((query) => [query, 0])) };
    }
    if (planningFields === undefined && options.dependencies) {
      planningFields = (await options.dependencies(config)).fields ?? null;
    }
    const output = await runEvaluation(client, {
      index: options.index,
      tenantId: options.tenantId,
      querySet: options.querySet,
      queries,
      configs: [{ revisionId: 'trial', config }],
      k,
      metrics: [metric],
      ...(options.metricOptions && { metricOptions: options.metricOptions }),
      ...(options.embedder && { embedder: options.embedder }),
      ...(options.searchDeps && { searchDeps: options.searchDeps }),
      ...(options.dependencies && { dependencies: options.dependencies }),
      ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      facets: false,
      parseCache,
      responseCache,
      ...(signal && { signal }),
    });
    addStats(output.stats);
    const perQuery = new Map<string, number>();
    for (const q of output.results[0]!.queries) {
      if (q.error) {
        failedQueries++;
        failures.set(`${q.query}\u0000${q.error.message}`, {
          query: q.query,
          message: q.error.message,
        });
      }
      // A failed query scores 0: a config that breaks queries must not look better for it.
      perQuery.set(q.query, q.error ? 0 : (q.scores[metric] ?? 0));
    }
    return { perQuery };
  };

  const addStats = (stats: EvaluationStats) => {
    searches += stats.searches;
    executed += stats.executed;
    fromCache += stats.fromCache;
    searchMs += stats.searchMs;
  };

  const requestKey: RequestKeyFn = (params, query) => {
    const fallback = `params:${paramsKey(params)}`;
    let config: SearchConfig;
    try {
      config = configFor(params);
    } catch {
      return fallback;
    }
    const parsed = parseCache.get(parseCacheKey(config, query));
    if (!parsed || planningFields === undefined) return fallback;
    const deps = planningFields === null ? {} : { fields: planningFields };
    try {
      return `request:${planEvalRequest(parsed, query, config, requestOptions, deps).hash}`;
    } catch {
      return fallback;
    }
  };

  return {
    evaluate,
    requestKey,
    configFor,
    failures: () => [...failures.values()].slice(0, 20),
    stats: () => ({ evaluateCalls, searches, executed, fromCache, failedQueries, searchMs }),
  };
}
