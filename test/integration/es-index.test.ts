/**
 * The search_products index on a real Elasticsearch (RWB_ES_URL): created from the mapping file
 * with the cluster's own analysis, read back, a document with every mapped field indexed, kNN,
 * nested queries, strict mapping, dims checks, per-tenant counts.
 */
import { randomUUID } from 'node:crypto';
import type { Client, estypes } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import { RwbError } from '../../engine/errors.ts';
import { detectAnalysis, type AnalysisChoice } from '../../engine/es/analysis.ts';
import { assertEsReachable, createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex, getIndexInfo } from '../../engine/es/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

const TEXT_DIMS = 4;
const IMAGE_DIMS = 3;

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function product(
  tenant: string,
  spu: string,
  title: string,
  vector: number[],
): Required<ProductDoc> {
  return {
    tenant_id: tenant,
    spu_id: spu,
    handle: `handle-${spu}`,
    create_time: '2024-01-01T08:00:00Z',
    update_time: '2024-03-01T08:00:00Z',
    title_zh: `${title} 蓝牙耳机`,
    title_en: `${title} Bluetooth Headphones`,
    brief_zh: '高品质蓝牙耳机',
    brief_en: 'High-quality Bluetooth headphones',
    description_zh: '降噪，长续航',
    description_en: 'Noise cancelling, long battery life',
    vendor_zh: '品牌A',
    vendor_en: 'Brand A',
    category_path_zh: '电子产品/音频设备/耳机',
    category_path_en: 'Electronics/Audio/Headphones',
    category_name_zh: '耳机',
    category_name_en: 'Headphones',
    category_id: 'c-42',
    category_name: '耳机',
    category_level: 3,
    category1_name: '电子产品',
    category2_name: '音频设备',
    category3_name: '耳机',
    tags: ['audio', 'wireless'],
    image_src: 'https://example.com/main.jpg',
    option1_name: 'color',
    option2_name: 'size',
    option3_name: null,
    specifications: [
      { sku_id: `${spu}-1`, name: 'color', value: 'black' },
      { sku_id: `${spu}-1`, name: 'size', value: 'large' },
      { sku_id: `${spu}-2`, name: 'color', value: 'white' },
    ],
    skus: [
      {
        sku_id: `${spu}-1`,
        price: 199.99,
        compare_at_price: 249.99,
        sku_code: `SKU-${spu}-1`,
        stock: 50,
        weight: 0.2,
        weight_unit: 'kg',
        option1_value: 'black',
        option2_value: 'large',
        option3_value: null,
        image_src: 'https://example.com/black.jpg',
      },
      {
        sku_id: `${spu}-2`,
        price: 299.99,
        compare_at_price: null,
        sku_code: null,
        stock: 0,
        weight: null,
        weight_unit: null,
        option1_value: 'white',
        option2_value: null,
        option3_value: null,
        image_src: null,
      },
    ],
    min_price: 199.99,
    max_price: 299.99,
    compare_at_price: 249.99,
    sku_prices: [199.99, 299.99],
    sku_weights: [0.2],
    total_inventory: 50,
    title_embedding: unit(vector),
    image_embedding: [
      { vector: unit([vector[0]!, vector[1]!, 0.5]), url: 'https://example.com/black.jpg' },
    ],
  };
}

describeWith([missingEs], 'search_products index on a real Elasticsearch', () => {
  const index = `rwb_test_es_index_${randomUUID().slice(0, 8)}`;
  let client: Client;
  let analysis: AnalysisChoice;

  beforeAll(async () => {
    client = createEsClient({ url: esUrl() });
    await assertEsReachable(client, esUrl());
    analysis = await detectAnalysis(client, {}, esUrl());
  });
  afterAll(async () => {
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  it('detects analysis the cluster really has', async () => {
    for (const lang of [analysis.zh, analysis.en]) {
      for (const analyzer of [lang.indexAnalyzer, lang.searchAnalyzer]) {
        if (analyzer !== 'standard') expect(analysis.available[analyzer]).toBe(true);
      }
    }
    // The answer must agree with _analyze itself.
    const english = await client.indices.analyze({ analyzer: 'english', text: 'x' }).then(
      () => true,
      () => false,
    );
    expect(analysis.available.english).toBe(english);
    // english (analysis-common) first, then our plugin's rwb_english (the embedded node), then standard.
    const rwbEnglish = await client.indices.analyze({ analyzer: 'rwb_english', text: 'x' }).then(
      () => true,
      () => false,
    );
    expect(analysis.en.family).toBe(english ? 'english' : rwbEnglish ? 'rwb_english' : 'standard');
  });

  it('creates the index from the mapping file and reads the mapping back', async () => {
    const result = await ensureIndex(client, {
      index,
      textDims: TEXT_DIMS,
      imageDims: IMAGE_DIMS,
      textModel: 'test-model',
      url: esUrl(),
    });
    expect(result).toMatchObject({ index, created: true, recreated: false });
    const mapping = Object.values(await client.indices.getMapping({ index }))[0]!.mappings;
    expect(mapping.dynamic).toBe('strict');
    expect(mapping.properties!.title_embedding).toMatchObject({
      type: 'dense_vector',
      dims: TEXT_DIMS,
      index: true,
      similarity: 'cosine',
    });
    expect(mapping.properties!.title_zh).toMatchObject({
      type: 'text',
      analyzer: analysis.zh.indexAnalyzer,
    });
    expect(mapping._meta).toMatchObject({
      created_by: 'rwb',
      text_model: 'test-model',
      text_dims: TEXT_DIMS,
      image_dims: IMAGE_DIMS,
    });
    expect((mapping._meta as { analysis: AnalysisChoice }).analysis.zh).toEqual(analysis.zh);
    const settings = Object.values(await client.indices.getSettings({ index }))[0]!.settings!;
    expect(settings.index?.number_of_replicas).toBe('0');
  });

  it('is idempotent for the same dims and refuses other dims or another model without recreate', async () => {
    expect(
      await ensureIndex(client, {
        index,
        textDims: TEXT_DIMS,
        imageDims: IMAGE_DIMS,
        textModel: 'test-model',
      }),
    ).toMatchObject({
      created: false,
    });
    const err = await ensureIndex(client, { index, textDims: 8 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RwbError);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG' });
    expect((err as Error).message).toMatch(/4 dims.*gives 8.*--recreate/);
    await expect(
      ensureIndex(client, { index, textDims: TEXT_DIMS, textModel: 'other-model' }),
    ).rejects.toThrow(/other-model/);
  });

  it('indexes a document with every mapped field and returns it intact', async () => {
    const docs = [
      product('t1', 'a', 'Alpha', [1, 0, 0, 0]),
      product('t1', 'b', 'Beta', [0, 1, 0, 0]),
      product('t2', 'c', 'Gamma', [0.9, 0.1, 0.1, 0]),
    ];
    for (const doc of docs)
      await client.index({ index, id: `${doc.tenant_id}:${doc.spu_id}`, document: doc });
    await client.indices.refresh({ index });
    const got = await client.get<ProductDoc>({ index, id: 't1:a' });
    expect(got._source).toEqual(docs[0]);
  });

  it('answers kNN on title_embedding and on the nested image vectors', async () => {
    const knn = await client.search<ProductDoc>({
      index,
      knn: {
        field: 'title_embedding',
        query_vector: unit([1, 0.05, 0, 0]),
        k: 2,
        num_candidates: 10,
        filter: { term: { tenant_id: 't1' } },
      },
      _source: ['spu_id'],
    });
    expect(knn.hits.hits.map((h) => h._source!.spu_id)).toEqual(['a', 'b']);
    const nested = await client.search<ProductDoc>({
      index,
      knn: {
        field: 'image_embedding.vector',
        query_vector: unit([0, 1, 0.5]),
        k: 1,
        num_candidates: 10,
      },
      _source: ['spu_id'],
    });
    expect(nested.hits.hits[0]!._source!.spu_id).toBe('b');
  });

  it('queries nested SKUs and specifications, text per language and the vendor keyword', async () => {
    const bySpec = await client.search({
      index,
      query: {
        nested: {
          path: 'specifications',
          query: {
            bool: {
              filter: [
                { term: { 'specifications.name': 'color' } },
                { term: { 'specifications.value': 'white' } },
              ],
            },
          },
        },
      },
    });
    expect((bySpec.hits.total as estypes.SearchTotalHits).value).toBe(3);
    const cheapInStock = await client.search({
      index,
      query: {
        nested: {
          path: 'skus',
          query: {
            bool: {
              filter: [
                { range: { 'skus.price': { lt: 200 } } },
                { range: { 'skus.stock': { gt: 0 } } },
              ],
            },
          },
        },
      },
    });
    expect((cheapInStock.hits.total as estypes.SearchTotalHits).value).toBe(3);
    const english = await client.search<ProductDoc>({
      index,
      query: { match: { title_en: 'gamma headphones' } },
      _source: ['spu_id'],
    });
    expect(english.hits.hits[0]!._source!.spu_id).toBe('c');
    const chinese = await client.search<ProductDoc>({
      index,
      query: { match: { title_zh: '耳机' } },
    });
    expect((chinese.hits.total as estypes.SearchTotalHits).value).toBe(3);
    const vendor = await client.search({
      index,
      query: { term: { 'vendor_en.keyword': analysis.keywordNormalizer ? 'brand a' : 'Brand A' } },
    });
    expect((vendor.hits.total as estypes.SearchTotalHits).value).toBe(3);
  });

  it('rejects a document with an unknown field (strict mapping)', async () => {
    const err = await client
      .index({
        index,
        id: 't1:x',
        document: { ...product('t1', 'x', 'X', [1, 1, 1, 1]), colour: 'red' },
      })
      .catch((e: unknown) => e as { body?: { error?: { type?: string } } });
    expect((err as { body?: { error?: { type?: string } } }).body?.error?.type).toBe(
      'strict_dynamic_mapping_exception',
    );
  });

  it('reports document counts per tenant and the recorded _meta', async () => {
    const info = await getIndexInfo(client, index);
    expect(info).toMatchObject({
      exists: true,
      docCount: 3,
      textDims: TEXT_DIMS,
      imageDims: IMAGE_DIMS,
      tenantsTruncated: false,
    });
    expect(info.tenants).toEqual([
      { tenantId: 't1', docs: 2 },
      { tenantId: 't2', docs: 1 },
    ]);
    expect(info.meta?.text_model).toBe('test-model');
  });

  it('recreates with new dims, and deletes', async () => {
    const again = await ensureIndex(client, { index, textDims: 8, recreate: true, analysis });
    expect(again).toMatchObject({ created: true, recreated: true });
    expect((await getIndexInfo(client, index)).docCount).toBe(0);
    expect(await deleteIndex(client, index)).toBe(true);
    expect(await deleteIndex(client, index)).toBe(false);
    expect((await getIndexInfo(client, index)).exists).toBe(false);
  });

  it('says which URL is unreachable and how to start the local node', async () => {
    const dead = createEsClient({ url: 'http://127.0.0.1:1', requestTimeoutMs: 2000 });
    const err = await assertEsReachable(dead, 'http://127.0.0.1:1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ES_UNREACHABLE' });
    expect((err as Error).message).toMatch(/http:\/\/127\.0\.0\.1:1.*rwb es start/);
    await dead.close();
  });
});
