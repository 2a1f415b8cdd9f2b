import type { estypes } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import { chooseAnalysis, coreAnalysis } from '../../engine/es/analysis.ts';
import {
  buildIndexBody,
  fillPlaceholders,
  INDEX_SCHEMA_VERSION,
  mappedFieldNames,
  validateDims,
} from '../../engine/es/index-body.ts';

/** Every field of ProductDoc, present (Required<> makes the compiler list them all). */
const fullDoc: Required<ProductDoc> = {
  tenant_id: '1',
  spu_id: '123',
  handle: 'bt-headphones',
  create_time: '2024-01-01T00:00:00Z',
  update_time: '2024-02-01T00:00:00Z',
  title_zh: '蓝牙耳机',
  title_en: 'Bluetooth Headphones',
  brief_zh: '高品质蓝牙耳机',
  brief_en: 'High-quality Bluetooth headphones',
  description_zh: '描述',
  description_en: 'Description',
  vendor_zh: '品牌A',
  vendor_en: 'Brand A',
  category_path_zh: '电子产品/音频设备/耳机',
  category_path_en: 'Electronics/Audio/Headphones',
  category_name_zh: '耳机',
  category_name_en: 'Headphones',
  category_id: '42',
  category_name: '耳机',
  category_level: 3,
  category1_name: '电子产品',
  category2_name: '音频设备',
  category3_name: '耳机',
  tags: ['audio'],
  image_src: 'https://example.com/a.jpg',
  option1_name: 'color',
  option2_name: 'size',
  option3_name: null,
  specifications: [{ sku_id: '456', name: 'color', value: 'black' }],
  skus: [],
  min_price: 1,
  max_price: 2,
  compare_at_price: 3,
  sku_prices: [1, 2],
  sku_weights: [0.2],
  total_inventory: 50,
  title_embedding: [0.1],
  image_embedding: [{ vector: [0.1], url: 'https://example.com/a.jpg' }],
};

function props(body: ReturnType<typeof buildIndexBody>): Record<string, estypes.MappingProperty> {
  return body.mappings.properties!;
}

describe('fillPlaceholders', () => {
  it('replaces exact $NAME strings, keeps other strings, removes properties whose value is null', () => {
    const out = fillPlaceholders(
      { a: '$A', b: 'not $A', c: { d: '$NUM', e: '$GONE' }, f: ['$A', '$GONE'] },
      { A: 'x', NUM: 3, GONE: null },
    );
    expect(out).toEqual({ a: 'x', b: 'not $A', c: { d: 3 }, f: ['x'] });
  });
  it('throws on a placeholder without a value', () => {
    expect(() => fillPlaceholders({ a: { b: '$TYPO' } }, {})).toThrow(/\$TYPO \(at "a\.b"\)/);
  });
});

describe('buildIndexBody', () => {
  const body = buildIndexBody({
    textDims: 512,
    imageDims: 768,
    analysis: coreAnalysis(),
    textModel: 'bge-small-zh-v1.5-q',
    createdAt: '2024-01-01T00:00:00Z',
  });

  it('maps exactly the fields of ProductDoc, strictly', () => {
    expect(mappedFieldNames().sort()).toEqual(Object.keys(fullDoc).sort());
    expect(Object.keys(props(body)).sort()).toEqual(Object.keys(fullDoc).sort());
    expect(body.mappings.dynamic).toBe('strict');
  });

  it('fills the vector dims and keeps them indexed for kNN with cosine similarity', () => {
    const title = props(body).title_embedding as estypes.MappingDenseVectorProperty;
    expect(title).toMatchObject({
      type: 'dense_vector',
      dims: 512,
      index: true,
      similarity: 'cosine',
    });
    const image = props(body).image_embedding as estypes.MappingNestedProperty;
    expect(image.type).toBe('nested');
    expect(image.properties!.vector).toMatchObject({ type: 'dense_vector', dims: 768 });
  });

  it('leaves dims out when no model is configured', () => {
    const noModel = buildIndexBody({ textDims: null, imageDims: null, analysis: coreAnalysis() });
    expect(props(noModel).title_embedding).not.toHaveProperty('dims');
    expect(
      (props(noModel).image_embedding as estypes.MappingNestedProperty).properties!.vector,
    ).not.toHaveProperty('dims');
  });

  it('uses the chosen analyzers per language', () => {
    const hanlp = buildIndexBody({
      textDims: 8,
      imageDims: null,
      analysis: chooseAnalysis({ hanlp_index: true, hanlp_standard: true, english: true }),
    });
    expect(props(hanlp).title_zh).toMatchObject({
      type: 'text',
      analyzer: 'hanlp_index',
      search_analyzer: 'hanlp_standard',
    });
    expect(props(hanlp).description_en).toMatchObject({
      analyzer: 'english',
      search_analyzer: 'english',
    });
    expect(props(body).title_zh).toMatchObject({
      analyzer: 'standard',
      search_analyzer: 'standard',
    });
  });

  it('gives vendor keyword sub-fields the normalizer, defined in the settings', () => {
    const vendor = props(body).vendor_en as estypes.MappingTextProperty;
    expect(vendor.fields!.keyword).toMatchObject({ type: 'keyword', normalizer: 'rwb_keyword' });
    expect(body.settings.analysis?.normalizer).toEqual({
      rwb_keyword: { type: 'custom', filter: ['lowercase'] },
    });
  });

  it('drops the normalizer where the cluster has no lowercase filter', () => {
    const bare = buildIndexBody({ textDims: 8, imageDims: null, analysis: chooseAnalysis({}) });
    expect(
      (props(bare).vendor_zh as estypes.MappingTextProperty).fields!.keyword,
    ).not.toHaveProperty('normalizer');
    expect(bare.settings.analysis).toBeUndefined();
  });

  it('uses one shard and no replicas, nested SKUs/specifications and unindexed image urls', () => {
    expect(body.settings.index).toMatchObject({ number_of_shards: 1, number_of_replicas: 0 });
    expect((props(body).skus as estypes.MappingNestedProperty).properties!.image_src).toMatchObject(
      { index: false },
    );
    expect(props(body).specifications).toMatchObject({ type: 'nested' });
    expect(props(body).image_src).toMatchObject({ index: false });
  });

  it('records schema version, analysis, model and dims in _meta', () => {
    expect(body.mappings._meta).toMatchObject({
      created_by: 'rwb',
      schema_version: INDEX_SCHEMA_VERSION,
      created_at: '2024-01-01T00:00:00Z',
      text_model: 'bge-small-zh-v1.5-q',
      text_dims: 512,
      image_dims: 768,
      analysis: { zh: { family: 'standard' } },
    });
  });

  it('rejects impossible dims', () => {
    expect(() => validateDims(0, 'title_embedding')).toThrow(/between 1 and 4096/);
    expect(() => validateDims(5000, 'title_embedding')).toThrow(/between 1 and 4096/);
    expect(() => validateDims(1.5, 'title_embedding')).toThrow();
  });
});
