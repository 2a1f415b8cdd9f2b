/**
 * The query builder (seed §5.2–§5.3): ParsedQuery + request + SearchConfig → estypes.SearchRequest.
 *
 *   query: bool { filter: [tenant, …filters], must: [function_score(text_recall)], should: [additive signals] }
 *   knn:   [{ title_embedding, filter: [tenant, …every filter] }, { image_embedding.vector, … }]
 *          (+ one boost-0 clause per post-filtered facet dimension, see facetKnnFilters)
 *
 * ES unions the query's hits with each kNN clause's top k and adds their scores: that is
 * `filters AND (text_recall OR embedding_recall)`. The tenant clause is built here from `tenantId`
 * and nothing else; it is the first filter of the query and of every kNN clause, and no request
 * field can name tenant_id, add a raw query, or reach a global aggregation.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { SearchConfig } from '../config/search-config-schema.ts';
import { RwbError } from '../errors.ts';
import type { ParsedQuery } from '../query/query-parser.ts';
import {
  buildFacetAggregations,
  facetKnnFilters,
  facetOwns,
  type FacetAggregation,
} from './facets.ts';
import {
  defaultSearchFields,
  isDateType,
  isNumericType,
  type SearchFieldCatalog,
} from './fields.ts';
import { buildFilterClause, tenantFilter } from './filters.ts';
import { buildAdditiveClauses, withRankingFunctions } from './functions.ts';
import { idOnlyRequest } from './hit-id.ts';
import { rankingWeights, type RankingWeights } from './ranking-expression.ts';
import { MAX_RESULT_WINDOW, resolveSearchRequest, type ResolvedRequest } from './request.ts';
import { buildTextRecall, type FieldCollector } from './text-recall.ts';
import type { FusionSettings } from '../config/search-config-schema.ts';
import type { FusionSource } from './fusion.ts';

type Query = estypes.QueryDslQueryContainer;

export interface BuildOptions {
  fields?: SearchFieldCatalog;
}

/** One sub-search of an engine-side fusion, with the weight its list gets. */
export interface FusionSearch {
  source: FusionSource;
  weight: number;
  /** Top `window` of this search alone (from 0), no aggregations, no total. */
  request: estypes.SearchRequest;
}

/**
 * ranking.fusion `linear` / `rrf`: the searches to run apart and fuse (engine/search/fusion.ts),
 * and the request that counts the total and the facets. That count request is the `sum` request
 * with size 0 and the same kNN depth as the sub-searches, so the total and the facets count
 * exactly the documents the fusion can rank (lexical matches ∪ each kNN's top k, after every
 * filter) — see docs/serve.md "Hybrid fusion".
 */
export interface FusionPlan {
  settings: FusionSettings & { method: 'linear' | 'rrf' };
  /** Lexical first, then text kNN, then image kNN. */
  searches: FusionSearch[];
  count: estypes.SearchRequest;
  /** How deep each sub-search goes: max(rankWindowSize, from + size). */
  window: number;
  /**
   * What the page's hits need beyond id and score, fetched for the page only once the fusion
   * chose it (`fetchRequest`): the sub-searches return ids and scores, not `_source` or highlights
   * of `window` documents each.
   */
  fetch: {
    tenantId: string;
    source: estypes.SearchRequest['_source'];
    highlight?: estypes.SearchHighlight;
  };
}

/** The request that reads the page's documents (`_source`, highlights) by id, within the tenant. */
export function fetchRequest(fusion: FusionPlan, ids: readonly string[]): estypes.SearchRequest {
  const lexical = fusion.searches[0]!.request;
  const body: estypes.SearchRequest = {
    size: ids.length,
    track_total_hits: false,
    _source: fusion.fetch.source,
    query: {
      bool: { filter: [tenantFilter(fusion.fetch.tenantId), { ids: { values: [...ids] } }] },
    },
  };
  // Highlight what the lexical search matched (a kNN-only hit gets none).
  if (fusion.fetch.highlight !== undefined && lexical.query !== undefined)
    body.highlight = { ...fusion.fetch.highlight, highlight_query: lexical.query };
  return body;
}

/** What the result formatter needs to read the response back. */
export interface SearchPlan {
  resolved: ResolvedRequest;
  /** The ranking expression the weights came from. */
  expression: string;
  weights: RankingWeights;
  facets: FacetAggregation[];
  /** Which kNN clauses the request carries. */
  knn: { text: boolean; image: boolean };
  /** Engine-side fusion, or null: `request` alone is the search (ranking.fusion `sum`, or nothing to fuse). */
  fusion: FusionPlan | null;
  /** The config's ranking.fusion.method (applied or not). */
  fusionMethod: FusionSettings['method'];
  warnings: string[];
}

export interface PlannedSearch {
  /**
   * The search as one ES request. With `plan.fusion` it is not what ranks the page: run it with
   * `executePlannedSearch` (engine/search/fused-response.ts), or send `searchBodies(planned)` and
   * fuse their answers with `fusedPage` as the eval runner does.
   */
  request: estypes.SearchRequest;
  plan: SearchPlan;
}

/** The ES requests a plan sends at once: the search, or the fusion's sub-searches then its count. */
export function searchBodies(planned: PlannedSearch): estypes.SearchRequest[] {
  const { fusion } = planned.plan;
  if (fusion === null) return [planned.request];
  return [...fusion.searches.map((search) => search.request), fusion.count];
}

const KNN_LIMIT = 10_000;

function checkAdditiveFields(weights: RankingWeights, catalog: SearchFieldCatalog): void {
  for (const signal of weights.additive) {
    const field = catalog.get(signal.field);
    const fits =
      field !== undefined &&
      field.nestedPath === null &&
      (signal.kind === 'timeliness'
        ? isDateType(field.type) || isNumericType(field.type)
        : isNumericType(field.type));
    if (!fits) {
      const need = signal.kind === 'timeliness' ? 'a date or number field' : 'a number field';
      throw new RwbError(
        'INVALID_CONFIG',
        `ranking.expression: ${signal.kind}(${signal.field}) needs ${need} of the index mapping`,
        {
          path: 'ranking.expression',
        },
      );
    }
  }
}

/** Sets `boost` on a multi_match / dis_max / bool root (the only roots text_recall produces). */
function withBoost(query: Query, boost: number): Query {
  if (boost === 1) return query;
  const [kind, body] = Object.entries(query)[0] as [string, { boost?: number }];
  if (body.boost !== undefined) return { bool: { must: [query], boost } };
  return { [kind]: { ...body, boost } } as Query;
}

/**
 * The JSON-ready copy of each query vector, made once per vector: a query vector is shared and
 * never mutated (cached-embedder.ts), and the live metric plans the same queries at every slider
 * move. Frozen, so request hashing can reuse its text too (canonicalJson).
 */
const vectorArrays = new WeakMap<object, readonly number[]>();

function vectorArray(vector: ArrayLike<number>): number[] {
  let array = vectorArrays.get(vector);
  if (array === undefined) {
    array = Object.freeze(Array.from(vector));
    vectorArrays.set(vector, array);
  }
  return array as number[];
}

function knnClause(
  field: string,
  vector: ArrayLike<number>,
  settings: { k: number; numCandidates: number },
  boost: number,
  filter: Query[],
  window: number,
): estypes.KnnSearch {
  const k = Math.min(KNN_LIMIT, Math.max(settings.k, window));
  return {
    field,
    query_vector: vectorArray(vector),
    k,
    num_candidates: Math.min(KNN_LIMIT, Math.max(settings.numCandidates, k)),
    boost,
    filter,
  };
}

function highlightOf(
  fields: FieldCollector,
  catalog: SearchFieldCatalog,
): estypes.SearchHighlight | undefined {
  const entries: Array<[string, estypes.SearchHighlightField]> = [];
  for (const name of fields) {
    const field = catalog.get(name);
    if (field === undefined || (field.type !== 'text' && field.type !== 'keyword')) continue;
    entries.push([
      name,
      name.startsWith('title_')
        ? { number_of_fragments: 0 }
        : { fragment_size: 150, number_of_fragments: 1 },
    ]);
  }
  if (entries.length === 0) return undefined;
  return {
    pre_tags: ['<em>'],
    post_tags: ['</em>'],
    encoder: 'html',
    require_field_match: true,
    fields: Object.fromEntries(entries),
  };
}

export function planSearch(
  parsed: ParsedQuery,
  resolved: ResolvedRequest,
  config: SearchConfig,
  options: BuildOptions = {},
): PlannedSearch {
  const catalog = options.fields ?? defaultSearchFields();
  const { request } = resolved;
  const warnings: string[] = [];
  const weights = rankingWeights(config.ranking.expression, {
    popularityField: config.ranking.popularityField,
  });
  checkAdditiveFields(weights, catalog);

  const tenant = tenantFilter(request.tenantId);
  const clauses = resolved.filters.map(buildFilterClause);
  const postClauses = clauses.filter((clause) =>
    resolved.facets.some((facet) => facetOwns(facet, clause.facetKey)),
  );
  const queryClauses = clauses.filter((clause) => !postClauses.includes(clause));
  const useTextKnn =
    parsed.vector !== undefined && config.query.textEmbedding.enabled && weights.textEmbedding > 0;
  const fusionSettings = config.ranking.fusion;
  // Fusion needs a lexical list and a kNN list, ranked by score: otherwise one request does it.
  const fused =
    fusionSettings.method !== 'sum' &&
    parsed.ast !== null &&
    weights.bm25 > 0 &&
    (useTextKnn || request.imageVector !== undefined) &&
    resolved.sort.expressions[0] === '_score:desc';
  const window = Math.min(
    MAX_RESULT_WINDOW,
    fused
      ? Math.max(fusionSettings.rankWindowSize, resolved.from + resolved.size)
      : resolved.from + resolved.size,
  );

  const knn: estypes.KnnSearch[] = [];
  /** The scoring kNN clause of each source (without the boost-0 facet clauses). */
  const knnSources: Array<{ source: FusionSource; weight: number; clause: estypes.KnnSearch }> = [];
  const knnFilters = facetKnnFilters(tenant, clauses, postClauses);
  const addKnn = (
    source: FusionSource,
    field: string,
    vector: ArrayLike<number>,
    settings: { k: number; numCandidates: number },
    boost: number,
  ): void => {
    knnFilters.forEach((filter, i) =>
      knn.push(knnClause(field, vector, settings, i === 0 ? boost : 0, filter, window)),
    );
    // knnFilters[0] carries every filter, post filters included: the hits' own kNN.
    knnSources.push({
      source,
      weight: boost,
      clause: knnClause(field, vector, settings, 1, knnFilters[0]!, window),
    });
  };
  if (useTextKnn) {
    addKnn(
      'text_knn',
      config.query.knn.field,
      parsed.vector!,
      config.query.knn,
      weights.textEmbedding,
    );
  }
  if (request.imageVector !== undefined) {
    let boost = weights.imageEmbedding;
    if (!weights.mentioned.imageEmbedding) {
      boost = config.query.imageKnn.boost;
      warnings.push(
        `The ranking expression has no image_embedding_relevance(); the image query uses query.imageKnn.boost (${boost})`,
      );
    }
    addKnn(
      'image_knn',
      config.query.imageKnn.field,
      request.imageVector,
      config.query.imageKnn,
      boost,
    );
  }

  const highlightFields: FieldCollector = new Set();
  const textRecall =
    parsed.ast === null
      ? null
      : buildTextRecall(parsed.ast, parsed, config, highlightFields, catalog);
  // No text and no vector: browse (every document that passes the filters). No text but a
  // vector: the kNN clauses alone decide, a match_all would pull in every document.
  let scored: Query | null =
    textRecall === null
      ? knn.length === 0
        ? { match_all: {} }
        : null
      : withBoost(textRecall, weights.bm25);
  if (scored !== null) scored = withRankingFunctions(scored, config, catalog);

  const body: estypes.SearchRequest = {
    from: resolved.from,
    size: resolved.size,
    track_total_hits: true,
    _source: [...config.result.fields],
    sort: resolved.sort.sort,
  };
  if (scored !== null) {
    const additive = buildAdditiveClauses(weights.additive, config, catalog);
    const bool: estypes.QueryDslBoolQuery = {
      filter: [tenant, ...queryClauses.map((clause) => clause.query)],
      must: [scored],
    };
    if (additive.length > 0) bool.should = additive;
    body.query = { bool };
  }
  if (knn.length > 0) body.knn = knn;
  if (postClauses.length > 0) {
    body.post_filter =
      postClauses.length === 1
        ? postClauses[0]!.query
        : { bool: { filter: postClauses.map((clause) => clause.query) } };
  }
  const facets = buildFacetAggregations(resolved.facets, postClauses);
  if (facets.facets.length > 0) body.aggs = facets.aggregations;
  if (resolved.sort.needsTrackScores) body.track_scores = true;
  if (request.highlight && resolved.size > 0) {
    const highlight = highlightOf(highlightFields, catalog);
    if (highlight !== undefined) body.highlight = highlight;
  }
  if (request.explain) body.explain = true;

  const fusion = fused
    ? planFusion(request.tenantId, body, knnSources, weights.bm25, window, {
        ...fusionSettings,
        method: fusionSettings.method as 'linear' | 'rrf',
      })
    : null;
  return {
    request: body,
    plan: {
      resolved,
      expression: config.ranking.expression,
      weights,
      facets: facets.facets,
      knn: { text: useTextKnn, image: request.imageVector !== undefined },
      fusion,
      fusionMethod: fusionSettings.method,
      warnings,
    },
  };
}

/** Splits the one-request `body` into the fusion's sub-searches and its count request. */
function planFusion(
  tenantId: string,
  body: estypes.SearchRequest,
  knnSources: ReadonlyArray<{ source: FusionSource; weight: number; clause: estypes.KnnSearch }>,
  lexicalWeight: number,
  window: number,
  settings: FusionPlan['settings'],
): FusionPlan {
  const {
    knn: _knn,
    aggs: _aggs,
    from: _from,
    size: _size,
    track_total_hits: _total,
    ...rest
  } = body;
  // Ids (from doc values, hit-id.ts) and scores only: the page's documents are fetched once the
  // fusion chose them.
  const page = { from: 0, size: window, track_total_hits: false };
  const { highlight, _source: resultSource } = rest;
  const lexical: estypes.SearchRequest = idOnlyRequest({ ...rest, ...page });
  const knnSearches = knnSources.map(({ source, weight, clause }) => {
    const knnRequest: estypes.SearchRequest = idOnlyRequest({ ...page, knn: [clause] });
    if (body.explain) knnRequest.explain = true;
    return { source, weight, request: knnRequest };
  });
  const {
    highlight: _highlight,
    explain: _explain,
    sort: _sort,
    track_scores: _trackScores,
    ...countable
  } = body;
  const count: estypes.SearchRequest = { ...countable, from: 0, size: 0, _source: false };
  return {
    settings,
    searches: [{ source: 'lexical', weight: lexicalWeight, request: lexical }, ...knnSearches],
    count,
    window,
    fetch: { tenantId, source: resultSource, ...(highlight === undefined ? {} : { highlight }) },
  };
}

/**
 * The ES request for `request` (validated here: INVALID_INPUT naming the field on bad input).
 * `index` is left to the caller (search(), msearch in the evaluator).
 */
export function buildSearchRequest(
  parsed: ParsedQuery,
  request: unknown,
  config: SearchConfig,
  options: BuildOptions = {},
): estypes.SearchRequest {
  const resolved = resolveSearchRequest(request, config, { fields: options.fields });
  return planSearch(parsed, resolved, config, options).request;
}
