/**
 * engine/search: request → estypes.SearchRequest → formatted response (seed §5.2, §5.3, §8).
 *
 *   const response = await search(client, 'search_products', { tenantId: '1', query: '蓝牙耳机' }, config, { translator });
 *   const body = buildSearchRequest(parsed, request, config);   // for msearch / inspection
 */
export * from './request-schema.ts';
export * from './response-schema.ts';
export {
  resolveSearchRequest,
  parseSearchRequest,
  requestError,
  MAX_RESULT_WINDOW,
  type ResolvedRequest,
  type ResolveOptions,
} from './request.ts';
export {
  buildSearchRequest,
  planSearch,
  type BuildOptions,
  type PlannedSearch,
  type SearchPlan,
} from './build-request.ts';
export {
  parseRankingExpression,
  rankingWeights,
  RankingExpressionError,
  type RankingWeights,
  type AdditiveSignal,
  type RankingExpressionErrorDetails,
} from './ranking-expression.ts';
export {
  defaultSearchFields,
  searchFieldsFromMapping,
  FIELD_ALIASES,
  TENANT_FIELD,
  type SearchField,
  type SearchFieldCatalog,
} from './fields.ts';
export {
  buildSpecificationFilter,
  groupSpecifications,
  normalizeFilters,
  tenantFilter,
  type NormalizedFilter,
} from './filters.ts';
export {
  resolveFacets,
  buildFacetAggregations,
  type ResolvedFacet,
  type FacetPlan,
} from './facets.ts';
export { resolveSort, type ResolvedSort } from './sort.ts';
export { buildTextRecall, buildTermQuery, routeTermText } from './text-recall.ts';
export { scoreBreakdown } from './explain.ts';
export { filterSkusByDimension, optionSlotFor } from './sku-filter.ts';
export { formatFacets, formatHit } from './format-results.ts';
export {
  search,
  prepareSearch,
  formatSearchResponse,
  type PreparedSearch,
  type SearchDependencies,
} from './searcher.ts';
