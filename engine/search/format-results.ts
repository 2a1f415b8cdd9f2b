/**
 * Result formatter (seed §8): ES hits → SpuResult (SKUs filtered by sku_filter_dimension, explain
 * breakdown on request), aggregations → FacetResult. Nothing of ES's own shape (_id, _source,
 * _score, bucket structures) leaves this module.
 */
import { emptyRecord } from '../own.ts';
import type { estypes } from '@elastic/elasticsearch';
import type { ProductDoc, SkuDoc } from '../catalog/types.ts';
import type { SearchPlan } from './build-request.ts';
import { scoreBreakdown } from './explain.ts';
import type { ResolvedFacet } from './facets.ts';
import { specFacetKey } from './filters.ts';
import type { FacetResult, FacetValue, SkuResult, SpuResult } from './response-schema.ts';
import { filterSkusByDimension } from './sku-filter.ts';

type Source = Partial<ProductDoc>;

const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;
const number = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

function formatSku(sku: SkuDoc, optionNames: Array<string | null | undefined>): SkuResult {
  const values = [sku.option1_value, sku.option2_value, sku.option3_value];
  const options: SkuResult['options'] = [];
  values.forEach((value, i) => {
    if (typeof value === 'string' && value !== '')
      options.push({ name: text(optionNames[i]) ?? `option${i + 1}`, value });
  });
  return {
    sku_id: String(sku.sku_id),
    sku_code: text(sku.sku_code),
    price: number(sku.price),
    compare_at_price: number(sku.compare_at_price),
    stock: number(sku.stock) ?? 0,
    weight: number(sku.weight),
    weight_unit: text(sku.weight_unit),
    options,
    image: text(sku.image_src),
  };
}

export function formatHit(
  hit: estypes.SearchHit<Source>,
  skuFilterDimension: string | null,
  explain: boolean,
): SpuResult {
  const source: Source = hit._source ?? {};
  const optionNames = [source.option1_name, source.option2_name, source.option3_name] as const;
  const skus = filterSkusByDimension(
    Array.isArray(source.skus) ? source.skus : [],
    skuFilterDimension,
    optionNames,
  );
  const highlights = emptyRecord<string[]>();
  for (const [field, fragments] of Object.entries(hit.highlight ?? {}))
    highlights[field] = [...fragments];
  const result: SpuResult = {
    spu_id: String(source.spu_id ?? ''),
    handle: text(source.handle),
    titles: { zh: text(source.title_zh), en: text(source.title_en) },
    brief: { zh: text(source.brief_zh), en: text(source.brief_en) },
    vendor: { zh: text(source.vendor_zh), en: text(source.vendor_en) },
    category: {
      name: { zh: text(source.category_name_zh), en: text(source.category_name_en) },
      path: { zh: text(source.category_path_zh), en: text(source.category_path_en) },
      levels: [source.category1_name, source.category2_name, source.category3_name].filter(
        (level): level is string => typeof level === 'string' && level !== '',
      ),
    },
    tags: Array.isArray(source.tags)
      ? source.tags.filter((tag): tag is string => typeof tag === 'string')
      : [],
    prices: {
      min: number(source.min_price),
      max: number(source.max_price),
      compare_at: number(source.compare_at_price),
    },
    image: text(source.image_src),
    create_time: text(source.create_time),
    total_inventory: number(source.total_inventory),
    skus: skus.map((sku) => formatSku(sku, [...optionNames])),
    relevance_score: number(hit._score),
    highlights,
  };
  if (explain && hit._explanation !== undefined) result.explain = scoreBreakdown(hit._explanation);
  return result;
}

interface Bucket {
  key: string | number;
  key_as_string?: string;
  doc_count: number;
  from?: number;
  to?: number;
  products?: { doc_count: number };
  values?: { buckets: Bucket[] };
}

interface FacetAggregate {
  doc_count: number;
  values?: { buckets: Bucket[] };
  specs?: { name?: { values: { buckets: Bucket[] } }; names?: { buckets: Bucket[] } };
}

/** What the request selected, per facet field: values (terms, specs) and ranges. */
function selections(plan: SearchPlan): {
  values: Map<string, Set<string>>;
  ranges: Map<string, Array<Record<string, unknown>>>;
} {
  const values = new Map<string, Set<string>>();
  const ranges = new Map<string, Array<Record<string, unknown>>>();
  for (const filter of plan.resolved.filters) {
    if (filter.kind === 'range')
      ranges.set(filter.facetKey, [...(ranges.get(filter.facetKey) ?? []), filter.range]);
    else {
      const set = values.get(filter.facetKey) ?? new Set<string>();
      filter.values.forEach((value) => set.add(String(value)));
      values.set(filter.facetKey, set);
    }
  }
  return { values, ranges };
}

function termValues(
  buckets: readonly Bucket[],
  selected: ReadonlySet<string> | undefined,
  countOf: (b: Bucket) => number,
): FacetValue[] {
  const values: FacetValue[] = buckets.map((bucket) => {
    const value = bucket.key_as_string ?? bucket.key;
    return {
      value,
      label: String(value),
      count: countOf(bucket),
      selected: selected?.has(String(value)) ?? false,
    };
  });
  // A selected value with no hits left still shows, so it can be deselected.
  for (const value of selected ?? []) {
    if (!values.some((entry) => String(entry.value) === value))
      values.push({ value, label: value, count: 0, selected: true });
  }
  return values;
}

const productCount = (bucket: Bucket): number => bucket.products?.doc_count ?? bucket.doc_count;

function rangeSelected(
  bucket: Bucket,
  ranges: ReadonlyArray<Record<string, unknown>> | undefined,
): boolean {
  return (ranges ?? []).some((range) => {
    const low = range.gte ?? range.gt;
    const high = range.lt ?? range.lte;
    return (
      (low ?? undefined) === (bucket.from ?? undefined) &&
      (high ?? undefined) === (bucket.to ?? undefined)
    );
  });
}

export function formatFacets(
  aggregations: Record<string, unknown> | undefined,
  plan: SearchPlan,
): FacetResult[] {
  const out: FacetResult[] = [];
  const seen = new Set<string>();
  const { values: selectedValues, ranges } = selections(plan);
  const push = (result: FacetResult): void => {
    if (seen.has(result.field)) return;
    seen.add(result.field);
    out.push(result);
  };
  for (const { name, facet } of plan.facets) {
    const agg = aggregations?.[name] as FacetAggregate | undefined;
    if (agg === undefined) continue;
    pushFacet(facet, agg, selectedValues, ranges, push);
  }
  return out;
}

function pushFacet(
  facet: ResolvedFacet,
  agg: FacetAggregate,
  selectedValues: Map<string, Set<string>>,
  ranges: Map<string, Array<Record<string, unknown>>>,
  push: (result: FacetResult) => void,
): void {
  switch (facet.kind) {
    case 'terms':
      push({
        field: facet.field,
        label: facet.label,
        type: 'terms',
        values: termValues(
          agg.values?.buckets ?? [],
          selectedValues.get(facet.field),
          (b) => b.doc_count,
        ),
        total_count: agg.doc_count,
      });
      return;
    case 'range':
      push({
        field: facet.field,
        label: facet.label,
        type: 'range',
        values: (agg.values?.buckets ?? []).map((bucket) => ({
          value: String(bucket.key),
          label: String(bucket.key),
          count: bucket.doc_count,
          selected: rangeSelected(bucket, ranges.get(facet.field)),
        })),
        total_count: agg.doc_count,
      });
      return;
    case 'specName': {
      const field = specFacetKey(facet.name);
      push({
        field,
        label: facet.label,
        type: 'terms',
        values: termValues(
          agg.specs?.name?.values.buckets ?? [],
          selectedValues.get(field),
          productCount,
        ),
        total_count: agg.doc_count,
      });
      return;
    }
    case 'specAll':
      for (const nameBucket of agg.specs?.names?.buckets ?? []) {
        const name = String(nameBucket.key);
        const field = specFacetKey(name);
        push({
          field,
          label: name,
          type: 'terms',
          values: termValues(
            nameBucket.values?.buckets ?? [],
            selectedValues.get(field),
            productCount,
          ),
          total_count: productCount(nameBucket),
        });
      }
  }
}
