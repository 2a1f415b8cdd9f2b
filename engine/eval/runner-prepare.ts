/**
 * Turning one query of a query set into the ES request a config would send for it, the way the
 * searcher does (rewrite → parse → language → translation → vector → query builder), with two
 * savings that matter when the same queries are searched hundreds of times (N configs, tuner
 * trials):
 *
 * - the parse (incl. language detection and the query vector) is cached per query and per the
 *   parts of the config the parser reads (`parseKeyOf`); boosts, kNN and ranking settings only
 *   reach the query builder, which is synchronous and cheap;
 * - every built request is identified by a hash of its body (`requestHash`), so identical
 *   requests — from two configs, or two trials that differ only in a knob this query does not
 *   touch — are sent to ES once.
 */
import { createHash } from 'node:crypto';
import type { estypes } from '@elastic/elasticsearch';
import type { SearchConfig } from '../config/search-config-schema.ts';
import { RwbError, toRwbError } from '../errors.ts';
import { LruCache } from '../query/lru-cache.ts';
import type { ParsedQuery } from '../query/query-parser.ts';
import { planSearch, type PlannedSearch, type SearchPlan } from '../search/build-request.ts';
import { idOnlyRequest } from '../search/hit-id.ts';
import { resolveSearchRequest } from '../search/request.ts';
import { prepareSearch, type SearchDependencies } from '../search/searcher.ts';
import { canonicalJson } from './experiments.ts';

/** What an evaluation request asks beyond the query text. */
export interface EvalRequestOptions {
  readonly tenantId: string;
  /** Hits per query (the metric cutoff depth). */
  readonly k: number;
  /** Ask for the config's default facets (for facet diffs); false sends no aggregations. */
  readonly facets: boolean;
  /** Ask ES for the explanation of every hit (snapshots). */
  readonly explain: boolean;
}

export interface PreparedEvalRequest {
  readonly query: string;
  /** Detected language of the query (`en`, `zh`, …), null when detection could not tell. */
  readonly language: string | null;
  /**
   * The search as one request body (no index). Without fusion it is what is sent; with
   * ranking.fusion `linear` / `rrf` it is for inspection (`--verify`, kept requests) and
   * `searches` are sent instead.
   */
  readonly body: estypes.SearchRequest;
  /** The bodies sent in the msearch, each with its hash (equal hashes are the same search). */
  readonly searches: ReadonlyArray<{ readonly body: estypes.SearchRequest; readonly hash: string }>;
  /** Hash of the whole search (every body sent, and the fusion): equal hashes rank the same. */
  readonly hash: string;
  readonly plan: SearchPlan;
  readonly warnings: readonly string[];
  /** Time spent parsing (0 when the parse came from the cache) and building. */
  readonly prepareMs: number;
}

/** Parsed queries by (parse-relevant config, query text). */
export type ParseCache = LruCache<string, ParsedQuery>;

export function createParseCache(capacity = 50_000): ParseCache {
  return new LruCache<string, ParsedQuery>(capacity);
}

/**
 * The parts of a config the query parser reads (see engine/query): rewrite, languages,
 * translation, text embedding, parser limits, and each domain's name and language mapping.
 * Two configs with the same key parse every query identically.
 */
export function parseKeyOf(config: SearchConfig): string {
  // Once per config object (configs are not changed once built): a run asks it for every query.
  const known = parseKeys.get(config);
  if (known !== undefined) return known;
  const key = computeParseKey(config);
  parseKeys.set(config, key);
  return key;
}

const parseKeys = new WeakMap<SearchConfig, string>();

function computeParseKey(config: SearchConfig): string {
  const { knn: _knn, imageKnn: _imageKnn, ...query } = config.query;
  const domains = config.domains.map((d) => ({
    name: d.name,
    languageFieldMapping: d.languageFieldMapping,
  }));
  return hashText(canonicalJson({ query, domains }));
}

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Hash of a request body; key order does not matter. */
export function requestHash(body: estypes.SearchRequest): string {
  return hashText(canonicalJson(body));
}

function searchInput(query: string, options: EvalRequestOptions) {
  return {
    tenantId: options.tenantId,
    query,
    from: 0,
    size: options.k,
    highlight: false,
    explain: options.explain,
    ...(options.facets ? {} : { facets: [] }),
  };
}

function languageOf(parsed: ParsedQuery): string | null {
  const language = parsed.language.language;
  return language === '' || language === 'und' ? null : language;
}

/** The evaluator reads only the doc ids, from doc values (hit-id.ts): no stored field is read. */
function evalBody(request: estypes.SearchRequest): estypes.SearchRequest {
  return idOnlyRequest(request);
}

function assembled(
  query: string,
  parsed: ParsedQuery,
  planned: PlannedSearch,
  options: EvalRequestOptions,
  prepareMs: number,
): PreparedEvalRequest {
  const { plan } = planned;
  const body = evalBody(planned.request);
  let bodies: estypes.SearchRequest[];
  if (plan.fusion === null) bodies = [body];
  else {
    bodies = plan.fusion.searches.map((search) => evalBody(search.request));
    // The count request only matters for facet counts (and the total).
    if (options.facets) bodies.push(plan.fusion.count);
  }
  const searches = bodies.map((b) => ({ body: b, hash: requestHash(b) }));
  const hash =
    plan.fusion === null
      ? searches[0]!.hash
      : hashText(
          canonicalJson({
            fusion: plan.fusion.settings,
            weights: plan.fusion.searches.map((search) => search.weight),
            searches: searches.map((search) => search.hash),
          }),
        );
  return {
    query,
    language: languageOf(parsed),
    body,
    searches,
    hash,
    plan,
    warnings: [...parsed.warnings, ...plan.warnings],
    prepareMs,
  };
}

/**
 * Builds the request from an already parsed query, synchronously (the tuner's request key needs
 * this). Throws what the query builder throws (INVALID_INPUT / INVALID_CONFIG).
 */
export function planEvalRequest(
  parsed: ParsedQuery,
  query: string,
  config: SearchConfig,
  options: EvalRequestOptions,
  deps: Pick<SearchDependencies, 'fields'> = {},
): PreparedEvalRequest {
  const started = performance.now();
  const resolved = resolveSearchRequest(searchInput(query, options), config, {
    fields: deps.fields,
  });
  const planned = planSearch(parsed, resolved, config, { fields: deps.fields });
  return assembled(query, parsed, planned, options, performance.now() - started);
}

/** The cache key of a query's parse under a config. */
export function parseCacheKey(config: SearchConfig, query: string): string {
  return `${parseKeyOf(config)}\u0000${query}`;
}

/**
 * Prepares one query under one config, parsing it only when the cache has no parse for the
 * config's parse key. The parse is shared between configs and must not be changed by callers.
 */
export async function prepareEvalRequest(
  query: string,
  config: SearchConfig,
  options: EvalRequestOptions,
  deps: SearchDependencies,
  parseCache?: ParseCache,
): Promise<PreparedEvalRequest> {
  const key = parseCache ? parseCacheKey(config, query) : '';
  const cached = parseCache?.get(key);
  if (cached) return planEvalRequest(cached, query, config, options, deps);
  const started = performance.now();
  const prepared = await prepareSearch(searchInput(query, options), config, deps);
  parseCache?.set(key, prepared.parsed);
  return assembled(query, prepared.parsed, prepared, options, performance.now() - started);
}

/** The k a config can serve: result.maxSize caps the page size of every request. */
export function assertKFits(k: number, config: SearchConfig, revisionId: string): void {
  if (k > config.result.maxSize) {
    throw new RwbError(
      'INVALID_INPUT',
      `k = ${k} is more than config ${revisionId} allows per page (result.maxSize = ${config.result.maxSize}); lower k or raise result.maxSize`,
      { revisionId, k, maxSize: config.result.maxSize },
    );
  }
}

/** A failure while preparing one query, kept as that query's error (the others go on). */
export function preparationError(err: unknown): { code: string; message: string } {
  const error = toRwbError(err);
  return { code: error.code, message: error.message };
}
