/**
 * The searcher (seed §5, §8): request → QueryParser → query builder → Elasticsearch → result
 * formatter. `prepareSearch` stops before ES so the evaluator can batch the same requests into
 * msearch and format them with `formatSearchResponse`.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { ProductDoc } from '../catalog/types.ts';
import type { SearchConfig } from '../config/search-config-schema.ts';
import type { DetectedLanguage } from '../query/language-detection.ts';
import { printQuery } from '../query/print.ts';
import {
  parseQuery,
  type ParsedQuery,
  type ParseQueryDependencies,
} from '../query/query-parser.ts';
import { translateTerms } from '../query/analyze-terms.ts';
import { DEFAULT_DOMAIN } from '../query/ast.ts';
import { planSearch, searchBodies, type SearchPlan } from './build-request.ts';
import { checkClauseCount, clauseLimitOf } from './clause-limit.ts';
import type { SearchFieldCatalog } from './fields.ts';
import { formatFacets, formatHit } from './format-results.ts';
import { executePlannedSearch, type AssembledResponse } from './fused-response.ts';
import { resolveSearchRequest } from './request.ts';
import type { SearchResponse } from './response-schema.ts';

export interface SearchDependencies extends ParseQueryDependencies {
  /** Fields of the index (default: mappings/search_products.json). */
  fields?: SearchFieldCatalog;
  /** The cluster URL, for error messages. */
  url?: string;
  /**
   * The cluster's indices.query.bool.max_clause_count: a query estimated to exceed it is
   * INVALID_INPUT before ES. search() learns it from the client when absent; null: no check.
   */
  maxClauseCount?: number | null;
}

export interface PreparedSearch {
  parsed: ParsedQuery;
  plan: SearchPlan;
  /** The body to send (without `index`). */
  request: estypes.SearchRequest;
  languageOverridden: boolean;
  timings: { parseMs: number; buildMs: number };
}

const now = (): number => performance.now();
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Language → default-domain text in it, for terms that all have that language. */
function joinedTranslations(parsed: ParsedQuery): Record<string, string> {
  const defaults = parsed.terms.filter((term) => term.domain === DEFAULT_DOMAIN && !term.negated);
  const out: Record<string, string> = {};
  const languages = new Set(defaults.flatMap((term) => Object.keys(term.translations)));
  for (const language of languages) {
    const pieces = defaults.map(
      (term) =>
        term.translations[language] ?? (term.language.language === language ? term.text : null),
    );
    if (pieces.every((piece) => piece !== null)) out[language] = pieces.join(' ');
  }
  return out;
}

/**
 * parseQuery, with the request's language override applied: every term is taken to be in that
 * language and translated from it (the parser would have translated from the detected one).
 */
async function parseForRequest(
  query: string,
  language: string | undefined,
  config: SearchConfig,
  deps: SearchDependencies,
): Promise<ParsedQuery> {
  if (language === undefined) return parseQuery(query, config, deps);
  const parsed = await parseQuery(query, config, { ...deps, translator: null });
  const forced: DetectedLanguage = { language, confidence: 1, method: 'default' };
  parsed.language = forced;
  for (const term of parsed.terms) {
    term.language = { ...forced };
    term.translations = {};
  }
  const translator = deps.translator ?? null;
  const started = now();
  if (
    translator !== null &&
    config.query.translation.provider !== 'none' &&
    parsed.terms.length > 0
  ) {
    await translateTerms(parsed.terms, config, translator, parsed.warnings, deps.signal);
  }
  parsed.timings.translateMs = round(now() - started);
  parsed.translations = joinedTranslations(parsed);
  return parsed;
}

export async function prepareSearch(
  input: unknown,
  config: SearchConfig,
  deps: SearchDependencies = {},
): Promise<PreparedSearch> {
  const started = now();
  const resolved = resolveSearchRequest(input, config, { fields: deps.fields });
  const parsed = await parseForRequest(
    resolved.request.query,
    resolved.request.language,
    config,
    deps,
  );
  if (
    config.query.textEmbedding.enabled &&
    deps.embedder === undefined &&
    parsed.defaultText !== ''
  ) {
    parsed.warnings.push(
      'Text embedding is enabled but no embedder was given: searching without a query vector',
    );
  }
  const parsedAt = now();
  const planned = planSearch(parsed, resolved, config, { fields: deps.fields });
  const { request, plan } = planned;
  for (const body of searchBodies(planned)) checkClauseCount(body, deps.maxClauseCount ?? null);
  return {
    parsed,
    plan,
    request,
    languageOverridden: resolved.request.language !== undefined,
    timings: { parseMs: round(parsedAt - started), buildMs: round(now() - parsedAt) },
  };
}

/**
 * The response in the seed's shape. `response` is an AssembledResponse (executePlannedSearch /
 * assembleFusedResponse) or, for a plan without fusion, the `_search` answer itself.
 */
export function formatSearchResponse(
  prepared: PreparedSearch,
  answer: AssembledResponse | estypes.SearchResponse<unknown>,
  extraTimings: Record<string, number> = {},
): SearchResponse {
  const started = now();
  const { parsed, plan } = prepared;
  const { resolved } = plan;
  const { response, breakdowns } =
    'breakdowns' in answer ? answer : { response: answer, breakdowns: null };
  const total = response.hits.total;
  const results = response.hits.hits.map((hit) => {
    const result = formatHit(
      hit as estypes.SearchHit<Partial<ProductDoc>>,
      resolved.skuFilterDimension,
      resolved.request.explain && breakdowns === null,
    );
    const fused = breakdowns?.get(hit._id ?? '');
    if (fused !== undefined) result.explain = fused;
    return result;
  });
  const facets = formatFacets(response.aggregations as Record<string, unknown> | undefined, plan);
  const formatMs = round(now() - started);
  return {
    results,
    total: typeof total === 'number' ? total : (total?.value ?? results.length),
    total_relation: typeof total === 'object' && total.relation === 'gte' ? 'gte' : 'eq',
    from: resolved.from,
    size: resolved.size,
    facets,
    query: {
      original: parsed.original,
      rewritten: parsed.rewritten.query,
      rewrites: parsed.rewritten.applied.map(({ key, value, mode }) => ({ key, value, mode })),
      expression: parsed.ast === null ? '' : printQuery(parsed.ast),
      ast: parsed.ast,
      ...(parsed.parseMode === undefined ? {} : { parse_mode: parsed.parseMode }),
      parse_error: parsed.parseFallback ?? null,
      language: { ...parsed.language, overridden: prepared.languageOverridden },
      translations: parsed.translations,
      ranking: {
        expression: plan.expression,
        bm25: plan.weights.bm25,
        text_embedding: plan.weights.textEmbedding,
        image_embedding: plan.weights.imageEmbedding,
        knn: plan.knn,
        fusion: { method: plan.fusionMethod, fused: plan.fusion !== null },
      },
      sort: resolved.sort.expressions,
      took: response.took,
      timings: {
        rewrite_ms: parsed.timings.rewriteMs,
        parse_ms: parsed.timings.parseMs,
        detect_ms: parsed.timings.detectMs,
        translate_ms: parsed.timings.translateMs,
        embed_ms: parsed.timings.embedMs,
        query_parse_total_ms: prepared.timings.parseMs,
        build_ms: prepared.timings.buildMs,
        format_ms: formatMs,
        ...extraTimings,
      },
      warnings: [...parsed.warnings, ...plan.warnings],
    },
    suggestions: [],
    related_searches: [],
  };
}

/** Runs one search end to end. Bad input → INVALID_INPUT / PARSE_ERROR; ES trouble → ES_ERROR / ES_UNREACHABLE. */
export async function search(
  client: Client,
  index: string,
  input: unknown,
  config: SearchConfig,
  deps: SearchDependencies = {},
): Promise<SearchResponse> {
  const started = now();
  const maxClauseCount =
    deps.maxClauseCount === undefined ? await clauseLimitOf(client) : deps.maxClauseCount;
  const prepared = await prepareSearch(input, config, { ...deps, maxClauseCount });
  const esStarted = now();
  const response = await executePlannedSearch(client, index, prepared, {
    url: deps.url ?? 'the cluster',
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
  });
  const esMs = round(now() - esStarted);
  const formatted = formatSearchResponse(prepared, response, { es_ms: esMs });
  formatted.query.timings.total_ms = round(now() - started);
  return formatted;
}
