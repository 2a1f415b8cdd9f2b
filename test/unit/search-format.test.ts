/**
 * Result formatter: SpuResult without ES internals, sku_filter_dimension, facets from aggregation
 * responses shaped as ES returns them (the live test runs the same on real responses).
 */
import { describe, expect, it } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import type { ProductDoc, SkuDoc } from '../../engine/catalog/types.ts';
import { formatFacets, formatHit } from '../../engine/search/format-results.ts';
import { filterSkusByDimension, optionSlotFor } from '../../engine/search/sku-filter.ts';
import { prepare } from './search-fixtures.ts';

function sku(id: string, option1: string | null, option2: string | null, price = 10): SkuDoc {
  return {
    sku_id: id,
    price,
    compare_at_price: null,
    sku_code: `C-${id}`,
    stock: 3,
    weight: null,
    weight_unit: null,
    option1_value: option1,
    option2_value: option2,
    option3_value: null,
    image_src: null,
  };
}

const SKUS = [
  sku('1', 'black', 'S'),
  sku('2', 'black', 'M'),
  sku('3', 'white', 'S'),
  sku('4', 'white', 'M'),
  sku('5', null, 'L'),
];
const NAMES = ['Color', 'size', null] as const;

describe('sku_filter_dimension', () => {
  it('finds the option slot from option1..3 or a spec name (case-insensitive)', () => {
    expect(optionSlotFor('option2', NAMES)).toBe(2);
    expect(optionSlotFor('color', NAMES)).toBe(1);
    expect(optionSlotFor('SIZE', NAMES)).toBe(2);
    expect(optionSlotFor('material', NAMES)).toBeNull();
  });

  it('keeps the first SKU of each value; unknown dimension or none keeps all', () => {
    expect(filterSkusByDimension(SKUS, 'color', NAMES).map((s) => s.sku_id)).toEqual([
      '1',
      '3',
      '5',
    ]);
    expect(filterSkusByDimension(SKUS, 'option2', NAMES).map((s) => s.sku_id)).toEqual([
      '1',
      '2',
      '5',
    ]);
    expect(filterSkusByDimension(SKUS, 'material', NAMES)).toHaveLength(5);
    expect(filterSkusByDimension(SKUS, null, NAMES)).toHaveLength(5);
  });
});

describe('formatHit', () => {
  const source: Partial<ProductDoc> = {
    tenant_id: '1',
    spu_id: '10001',
    title_zh: '蓝牙耳机',
    title_en: 'Bluetooth Headphones',
    brief_zh: '高品质',
    brief_en: null,
    vendor_zh: '品牌A',
    vendor_en: 'Brand A',
    category_name_zh: '耳机',
    category_path_zh: '电子产品/音频设备/耳机',
    category1_name: '电子产品',
    category2_name: '音频设备',
    tags: ['新品'],
    min_price: 10,
    max_price: 12,
    compare_at_price: null,
    image_src: 'https://img/1.jpg',
    option1_name: 'Color',
    option2_name: 'size',
    skus: SKUS,
  };
  const hit: estypes.SearchHit<Partial<ProductDoc>> = {
    _index: 'search_products',
    _id: '1:10001',
    _score: 3.5,
    _source: source,
    highlight: { title_zh: ['<em>蓝</em><em>牙</em>耳机'] },
  };

  it('has the workbench result shape (titles, sku_code) and nothing of ES', () => {
    const result = formatHit(hit, 'color', false);
    expect(result).toMatchObject({
      spu_id: '10001',
      titles: { zh: '蓝牙耳机', en: 'Bluetooth Headphones' },
      brief: { zh: '高品质', en: null },
      vendor: { zh: '品牌A', en: 'Brand A' },
      category: { name: { zh: '耳机', en: null }, levels: ['电子产品', '音频设备'] },
      prices: { min: 10, max: 12, compare_at: null },
      image: 'https://img/1.jpg',
      relevance_score: 3.5,
      highlights: { title_zh: ['<em>蓝</em><em>牙</em>耳机'] },
    });
    expect(result.skus.map((s) => s.sku_id)).toEqual(['1', '3', '5']);
    expect(result.skus[0]!.options).toEqual([
      { name: 'Color', value: 'black' },
      { name: 'size', value: 'S' },
    ]);
    const keys = new Set<string>();
    JSON.stringify(result, (key, value: unknown) => (keys.add(key), value));
    for (const internal of ['_id', '_index', '_source', '_score', 'tenant_id'])
      expect(keys.has(internal)).toBe(false);
    expect(result).not.toHaveProperty('explain');
  });

  it('adds the explain breakdown when asked and ES sent an explanation', () => {
    const explained = formatHit(
      { ...hit, _explanation: { value: 2, description: 'weight(title_zh:耳 in 1)', details: [] } },
      null,
      true,
    );
    expect(explained.explain).toMatchObject({ total: 2, lexical: { fields: { title_zh: 2 } } });
    expect(explained.skus).toHaveLength(5);
  });
});

describe('formatFacets', () => {
  it('reads terms, range and specification aggregations; marks selections', async () => {
    const { plan } = await prepare({
      tenantId: '1',
      filters: {
        category1_name: '电子产品',
        min_price: { gte: 50, lt: 100 },
        specifications: [
          { name: 'color', value: 'black' },
          { name: 'color', value: 'gold' },
        ],
      },
      facets: [
        'category1_name',
        {
          field: 'min_price',
          type: 'range',
          ranges: [
            { key: '0-50', to: 50 },
            { key: '50-100', from: 50, to: 100 },
          ],
        },
        'specifications',
      ],
    });
    expect(plan.facets.map((f) => [f.name, f.facet.kind])).toEqual([
      ['facet_0', 'terms'],
      ['facet_1', 'range'],
      ['facet_2', 'specName'],
      ['facet_3', 'specAll'],
    ]);
    const specBucket = (key: string, products: number) => ({
      key,
      doc_count: products * 2,
      products: { doc_count: products },
    });
    const aggregations = {
      facet_0: {
        doc_count: 9,
        values: {
          buckets: [
            { key: '电子产品', doc_count: 7 },
            { key: '玩具', doc_count: 2 },
          ],
        },
      },
      facet_1: {
        doc_count: 8,
        values: {
          buckets: [
            { key: '0-50', to: 50, doc_count: 3 },
            { key: '50-100', from: 50, to: 100, doc_count: 5 },
          ],
        },
      },
      facet_2: {
        doc_count: 6,
        specs: {
          doc_count: 40,
          name: {
            doc_count: 12,
            values: { buckets: [specBucket('black', 4), specBucket('white', 2)] },
          },
        },
      },
      facet_3: {
        doc_count: 4,
        specs: {
          doc_count: 30,
          names: {
            buckets: [
              {
                ...specBucket('size', 4),
                values: { buckets: [specBucket('S', 3), specBucket('M', 1)] },
              },
            ],
          },
        },
      },
    };
    expect(formatFacets(aggregations, plan)).toEqual([
      {
        field: 'category1_name',
        label: '类目',
        type: 'terms',
        total_count: 9,
        values: [
          { value: '电子产品', label: '电子产品', count: 7, selected: true },
          { value: '玩具', label: '玩具', count: 2, selected: false },
        ],
      },
      {
        field: 'min_price',
        label: '价格',
        type: 'range',
        total_count: 8,
        values: [
          { value: '0-50', label: '0-50', count: 3, selected: false },
          { value: '50-100', label: '50-100', count: 5, selected: true },
        ],
      },
      {
        field: 'specifications.color',
        label: 'color',
        type: 'terms',
        total_count: 6,
        values: [
          { value: 'black', label: 'black', count: 4, selected: true },
          { value: 'white', label: 'white', count: 2, selected: false },
          // Selected but without hits: still listed, so it can be deselected.
          { value: 'gold', label: 'gold', count: 0, selected: true },
        ],
      },
      {
        field: 'specifications.size',
        label: 'size',
        type: 'terms',
        total_count: 4,
        values: [
          { value: 'S', label: 'S', count: 3, selected: false },
          { value: 'M', label: 'M', count: 1, selected: false },
        ],
      },
    ]);
  });
});
