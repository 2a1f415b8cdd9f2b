/**
 * Facets (seed §8.3.2): terms, range, `specifications` (every name with its values) and
 * `specifications.<name>`. Counts are "filtered facet counts": each facet sees every filter except
 * its own, so a selected color still lists the other colors. That works by moving the filters a
 * facet owns from the query to post_filter (hits are still filtered) and giving each facet an
 * aggregation filter of all the other post filters.
 *
 * Hybrid search (kNN on) keeps the same rule. The aggregations see the query's hits plus every
 * kNN clause's top k, so kNN hits of other values must reach them too: besides the kNN clause
 * under every filter (the hits' embedding recall), each post-filtered dimension gets a boost-0
 * kNN clause under every filter except its own (facetKnnFilters). Such a clause adds no score
 * and no hit (a document it finds that passes all filters is in the main clause's top k too),
 * only facet counts. So an unselected value's count is what the search without this facet's
 * filter would count for that value, and a selected value's count is the hits with that value.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { FacetConfig, SearchConfig } from '../config/search-config-schema.ts';
import { RwbError } from '../errors.ts';
import { requireField, resolveAlias, type SearchFieldCatalog } from './fields.ts';
import {
  SPECIFICATIONS,
  SPEC_NAME_FIELD,
  SPEC_VALUE_FIELD,
  specFacetKey,
  type FilterClause,
} from './filters.ts';
import type { FacetRequest } from './request-schema.ts';

export interface RangeBucket {
  key: string;
  from?: number;
  to?: number;
}

export type ResolvedFacet =
  | { kind: 'terms'; field: string; label: string; size: number }
  | { kind: 'range'; field: string; label: string; ranges: RangeBucket[] }
  | { kind: 'specName'; name: string; label: string; size: number }
  | { kind: 'specAll'; label: string; size: number };

/** One aggregation the formatter reads back: which facet it is for and what it excludes. */
export interface FacetAggregation {
  /** The aggregation name in the request (`facet_0`, …). */
  name: string;
  facet: ResolvedFacet;
}

const DEFAULT_FACET_SIZE = 10;
const SPEC_PREFIX = `${SPECIFICATIONS}.`;

function configFacetFor(config: SearchConfig, field: string): FacetConfig | undefined {
  return config.facets.find((facet) =>
    field === SPECIFICATIONS
      ? facet.type === 'specifications' && facet.name === undefined
      : field.startsWith(SPEC_PREFIX)
        ? facet.type === 'specifications' && facet.name === field.slice(SPEC_PREFIX.length)
        : facet.type !== 'specifications' && facet.field === field,
  );
}

function resolveOne(
  request: FacetRequest,
  config: SearchConfig,
  catalog: SearchFieldCatalog,
  where: string,
): ResolvedFacet {
  const asked = typeof request === 'string' ? { field: request } : request;
  const field =
    asked.field === SPECIFICATIONS || asked.field.startsWith(SPEC_PREFIX)
      ? asked.field
      : resolveAlias(asked.field);
  const preset = configFacetFor(config, field);
  const size = asked.size ?? preset?.size ?? DEFAULT_FACET_SIZE;
  const label = asked.label ?? (preset?.label || undefined);
  if (field === SPECIFICATIONS || field.startsWith(SPEC_PREFIX)) {
    if (asked.type === 'range' || asked.ranges !== undefined) {
      throw new RwbError(
        'INVALID_INPUT',
        `${where}: specifications facets are terms facets; "ranges" does not apply`,
      );
    }
    if (field === SPECIFICATIONS) return { kind: 'specAll', label: label ?? '规格', size };
    const name = field.slice(SPEC_PREFIX.length);
    if (name === '')
      throw new RwbError(
        'INVALID_INPUT',
        `${where}: "specifications." needs a specification name after the dot`,
      );
    return { kind: 'specName', name, label: label ?? name, size };
  }
  const type =
    asked.type ??
    (asked.ranges !== undefined ? 'range' : preset?.type === 'range' ? 'range' : 'terms');
  if (type === 'range') {
    const checked = requireField(catalog, asked.field, 'rangeFacet', `${where}.field`);
    if (checked.nestedPath !== null) throw nestedFacet(where, asked.field);
    const ranges = asked.ranges ?? (preset?.type === 'range' ? preset.ranges : undefined);
    if (ranges === undefined) {
      throw new RwbError(
        'INVALID_INPUT',
        `${where}: a range facet on "${asked.field}" needs "ranges" (none configured)`,
      );
    }
    return {
      kind: 'range',
      field,
      label: label ?? field,
      ranges: ranges.map((bucket) => ({ ...bucket })),
    };
  }
  if (asked.ranges !== undefined) {
    throw new RwbError('INVALID_INPUT', `${where}: "ranges" only applies to a range facet`);
  }
  const checked = requireField(catalog, asked.field, 'termsFacet', `${where}.field`);
  if (checked.nestedPath !== null) throw nestedFacet(where, asked.field);
  return { kind: 'terms', field, label: label ?? field, size };
}

function nestedFacet(where: string, field: string): RwbError {
  return new RwbError(
    'INVALID_INPUT',
    `${where}: "${field}" is inside a nested field; only "specifications" facets can look inside nested fields`,
  );
}

function fromConfig(facet: FacetConfig): FacetRequest {
  switch (facet.type) {
    case 'specifications':
      return facet.name === undefined ? SPECIFICATIONS : specFacetKey(facet.name);
    case 'range':
      return { field: facet.field, type: 'range', ranges: facet.ranges, size: facet.size };
    case 'terms':
      return { field: facet.field, type: 'terms', size: facet.size };
  }
}

function facetIdentity(facet: ResolvedFacet): string {
  switch (facet.kind) {
    case 'terms':
    case 'range':
      return facet.field;
    case 'specName':
      return specFacetKey(facet.name);
    case 'specAll':
      return SPECIFICATIONS;
  }
}

/** Request facets (absent → the config's defaults), checked and without duplicates. */
export function resolveFacets(
  requested: FacetRequest[] | undefined,
  config: SearchConfig,
  catalog: SearchFieldCatalog,
): ResolvedFacet[] {
  const list = requested ?? config.facets.map(fromConfig);
  const seen = new Set<string>();
  const out: ResolvedFacet[] = [];
  list.forEach((request, i) => {
    const facet = resolveOne(request, config, catalog, `facets[${i}]`);
    const identity = facetIdentity(facet);
    if (seen.has(identity)) return;
    seen.add(identity);
    out.push(facet);
  });
  return out;
}

/** Whether `facet` shows the dimension a filter with `facetKey` restricts. */
export function facetOwns(facet: ResolvedFacet, facetKey: string): boolean {
  switch (facet.kind) {
    case 'terms':
    case 'range':
      return facet.field === facetKey;
    case 'specName':
      return specFacetKey(facet.name) === facetKey;
    case 'specAll':
      return facetKey.startsWith(SPEC_PREFIX);
  }
}

function filterAgg(
  clauses: readonly FilterClause[],
  aggs: Record<string, estypes.AggregationsAggregationContainer>,
): estypes.AggregationsAggregationContainer {
  const filter: estypes.QueryDslQueryContainer =
    clauses.length === 0
      ? { match_all: {} }
      : { bool: { filter: clauses.map((clause) => clause.query) } };
  return { filter, aggs };
}

/** Spec values counted per product (reverse_nested), not per specification row. */
function specValuesAgg(size: number): estypes.AggregationsAggregationContainer {
  return {
    terms: { field: SPEC_VALUE_FIELD, size, order: [{ products: 'desc' }, { _key: 'asc' }] },
    aggs: { products: { reverse_nested: {} } },
  };
}

function specNameAgg(
  name: string,
  size: number,
): Record<string, estypes.AggregationsAggregationContainer> {
  return {
    specs: {
      nested: { path: SPECIFICATIONS },
      aggs: {
        name: {
          filter: { term: { [SPEC_NAME_FIELD]: name } },
          aggs: { values: specValuesAgg(size) },
        },
      },
    },
  };
}

export interface FacetPlan {
  aggregations: Record<string, estypes.AggregationsAggregationContainer>;
  facets: FacetAggregation[];
}

/**
 * The aggregations of `facets`. `postFilters` are the filters that went to post_filter; each
 * facet's aggregation applies all of them except those it owns.
 */
export function buildFacetAggregations(
  facets: readonly ResolvedFacet[],
  postFilters: readonly FilterClause[],
): FacetPlan {
  const aggregations: Record<string, estypes.AggregationsAggregationContainer> = {};
  const planned: FacetAggregation[] = [];
  const add = (facet: ResolvedFacet, agg: estypes.AggregationsAggregationContainer): void => {
    const name = `facet_${planned.length}`;
    aggregations[name] = agg;
    planned.push({ name, facet });
  };
  const others = (facet: ResolvedFacet): FilterClause[] =>
    postFilters.filter((clause) => !facetOwns(facet, clause.facetKey));

  for (const facet of facets) {
    switch (facet.kind) {
      case 'terms':
        add(
          facet,
          filterAgg(others(facet), { values: { terms: { field: facet.field, size: facet.size } } }),
        );
        break;
      case 'range':
        add(
          facet,
          filterAgg(others(facet), {
            values: { range: { field: facet.field, ranges: facet.ranges } },
          }),
        );
        break;
      case 'specName':
        add(facet, filterAgg(others(facet), specNameAgg(facet.name, facet.size)));
        break;
      case 'specAll': {
        // Names without a selection: one aggregation under every filter. Each selected name gets
        // its own aggregation that leaves out that name's filter only.
        const selected = [
          ...new Set(
            postFilters.filter((c) => facetOwns(facet, c.facetKey)).map((c) => c.facetKey),
          ),
        ];
        const selectedNames = selected.map((key) => key.slice(SPEC_PREFIX.length));
        for (const name of selectedNames) {
          const own: ResolvedFacet = { kind: 'specName', name, label: name, size: facet.size };
          add(own, filterAgg(others(own), specNameAgg(name, facet.size)));
        }
        const names: estypes.AggregationsTermsAggregation = {
          field: SPEC_NAME_FIELD,
          size: facet.size,
          order: [{ products: 'desc' }, { _key: 'asc' }],
        };
        if (selectedNames.length > 0) names.exclude = selectedNames;
        add(
          facet,
          filterAgg([...postFilters], {
            specs: {
              nested: { path: SPECIFICATIONS },
              aggs: {
                names: {
                  terms: names,
                  aggs: { products: { reverse_nested: {} }, values: specValuesAgg(facet.size) },
                },
              },
            },
          }),
        );
        break;
      }
    }
  }
  return { aggregations, facets: planned };
}

/**
 * The kNN filters of a search (tenant first in each, `clauses` in their order): `[every filter]`, then one set per
 * post-filtered facet dimension that leaves out that dimension's filters only. The first carries
 * the kNN weight; the others (boost 0) exist so that each facet's aggregation counts the kNN hits
 * its own filter would have kept out. A post-filtered filter is never a pre-filter of a clause
 * whose facet it belongs to.
 */
export function facetKnnFilters(
  tenant: estypes.QueryDslQueryContainer,
  clauses: readonly FilterClause[],
  postClauses: readonly FilterClause[],
): estypes.QueryDslQueryContainer[][] {
  const under = (kept: readonly FilterClause[]): estypes.QueryDslQueryContainer[] => [
    tenant,
    ...kept.map((clause) => clause.query),
  ];
  const sets = [under(clauses)];
  for (const key of new Set(postClauses.map((clause) => clause.facetKey))) {
    sets.push(
      under(clauses.filter((clause) => !(postClauses.includes(clause) && clause.facetKey === key))),
    );
  }
  return sets;
}
