/**
 * The seed's storefront shape (`/v1/…`, engine/serve/storefront-v1.ts): the snake_case request
 * mapped onto the one search request, results given the seed's `title` and `skus[].sku`, and the
 * HTTP layer (fastify inject, ES at a closed port: validation answers before ES is asked).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import { exportBundle } from '../../engine/config/bundle.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import { RwbError } from '../../engine/errors.ts';
import { formatHit } from '../../engine/search/format-results.ts';
import { SearchService } from '../../engine/serve/search-service.ts';
import { ServeMetrics } from '../../engine/serve/serve-metrics.ts';
import { createServeApp } from '../../engine/serve/server.ts';
import {
  fromStorefrontRequest,
  toStorefrontSpu,
  withStorefrontRequest,
} from '../../engine/serve/storefront-v1.ts';
import { ES_INTERNALS, keysOf, SeedSpuSchema } from '../helpers/seed-storefront-shape.ts';

function caught(run: () => unknown): RwbError {
  try {
    run();
  } catch (err) {
    if (err instanceof RwbError) return err;
    throw err;
  }
  throw new Error('expected an RwbError');
}

describe('storefront request mapping', () => {
  it('takes the seed keys and the camelCase alias, not both', () => {
    expect(fromStorefrontRequest({ query: '手机', sku_filter_dimension: 'color' }).body).toEqual({
      query: '手机',
      skuFilterDimension: 'color',
    });
    expect(fromStorefrontRequest({ skuFilterDimension: 'size' }).body).toEqual({
      skuFilterDimension: 'size',
    });
    const both = caught(() =>
      fromStorefrontRequest({ sku_filter_dimension: 'color', skuFilterDimension: 'size' }),
    );
    expect(both.code).toBe('INVALID_INPUT');
    expect(both.message).toMatch(/sku_filter_dimension and skuFilterDimension/);
  });

  it('merges range_filters into filters and names conflicts and bad ranges', () => {
    const { body } = fromStorefrontRequest({
      filters: { specifications: { name: 'color', value: 'white' } },
      range_filters: { min_price: { gte: 50, lte: 200 } },
    });
    expect({ ...(body.filters as object) }).toEqual({
      specifications: { name: 'color', value: 'white' },
      min_price: { gte: 50, lte: 200 },
    });
    const twice = caught(() =>
      fromStorefrontRequest({
        filters: { min_price: { gte: 1 } },
        range_filters: { min_price: { lte: 2 } },
      }),
    );
    expect(twice.details).toEqual({ where: 'range_filters.min_price' });
    const empty = caught(() => fromStorefrontRequest({ range_filters: { min_price: {} } }));
    expect(empty.message).toMatch(/^range_filters\.min_price: needs at least one of/);
  });

  it('refuses a tenant in the body and a body that is not an object', () => {
    expect(caught(() => fromStorefrontRequest({ tenant_id: '2' })).details).toEqual({
      where: 'tenant_id',
    });
    expect(caught(() => fromStorefrontRequest([1])).message).toMatch(/must be a JSON object/);
  });

  it('keeps a __proto__ key as a plain own key (refused later by validation)', () => {
    const { body } = fromStorefrontRequest(JSON.parse('{"__proto__": {"x": 1}, "query": "a"}'));
    expect(Object.hasOwn(body, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(body)).toBeNull();
  });

  it('names the seed key in validation errors of the mapped request', async () => {
    const failing = withStorefrontRequest({ sku_filter_dimension: 7 }, async () => {
      throw new RwbError('INVALID_INPUT', 'Invalid search request: skuFilterDimension bad', {
        issues: [{ path: 'skuFilterDimension', message: 'bad' }],
      });
    });
    await expect(failing).rejects.toMatchObject({
      message: 'Invalid search request: sku_filter_dimension bad',
      details: { issues: [{ path: 'sku_filter_dimension', message: 'bad' }] },
    });
  });
});

describe('storefront result', () => {
  const source: Partial<ProductDoc> = {
    tenant_id: '1',
    spu_id: '123',
    title_zh: '蓝牙耳机',
    title_en: 'Bluetooth Headphones',
    option1_name: 'color',
    skus: [
      {
        sku_id: '456',
        price: 199.99,
        compare_at_price: null,
        sku_code: 'SKU-123-1',
        stock: 50,
        weight: null,
        weight_unit: null,
        option1_value: 'black',
        option2_value: null,
        option3_value: null,
        image_src: null,
      },
    ],
  };
  const hit: estypes.SearchHit<Partial<ProductDoc>> = {
    _index: 'search_products',
    _id: '1:123',
    _score: 0.95,
    _source: source,
  };

  it('has the seed shape', () => {
    const result = toStorefrontSpu(formatHit(hit, null, false), 'zh');
    const seed = SeedSpuSchema.parse(result);
    expect(seed).toMatchObject({
      spu_id: '123',
      title: '蓝牙耳机',
      skus: [{ sku_id: '456', price: 199.99, sku: 'SKU-123-1', stock: 50 }],
      relevance_score: 0.95,
    });
    const keys = keysOf(result);
    for (const internal of [...ES_INTERNALS, 'tenant_id']) expect(keys.has(internal)).toBe(false);
  });

  it('gives the title in the query language when the product has it', () => {
    expect(toStorefrontSpu(formatHit(hit, null, false), 'en').title).toBe('Bluetooth Headphones');
    const zhOnly = formatHit({ ...hit, _source: { ...source, title_zh: null } }, null, false);
    expect(toStorefrontSpu(zhOnly, 'zh').title).toBe('Bluetooth Headphones');
  });
});

describe('POST /v1/search over HTTP', () => {
  let app: FastifyInstance;
  let service: SearchService;

  beforeAll(async () => {
    const bundle = await exportBundle({ config: defaultSearchConfig(), index: 'shop_products' });
    service = await SearchService.create({
      bundle,
      es: { url: 'http://127.0.0.1:9', requestTimeoutMs: 2000 },
      esMaxRetries: 0,
      translator: null,
      embedder: null,
    });
    app = await createServeApp({ service, metrics: new ServeMetrics(), log: () => undefined });
  });
  afterAll(async () => {
    await app?.close();
    await service?.close();
  });

  const post = (url: string, payload: object) =>
    app.inject({ method: 'POST', url, headers: { 'x-tenant-id': '1' }, payload });

  it('accepts the seed request that the unversioned route refuses', async () => {
    const seedRequest = { query: '手机', sku_filter_dimension: 'color' };
    const unversioned = await post('/search', seedRequest);
    expect(unversioned.statusCode).toBe(400);
    expect(unversioned.json().message).toMatch(/unknown key\(s\) "sku_filter_dimension"/);
    // Past validation to Elasticsearch, which is down here.
    expect((await post('/v1/search', seedRequest)).statusCode).toBe(502);
  });

  it('answers bad input with 400 naming the seed key', async () => {
    const bad = await post('/v1/search', { query: 'x', sku_filter_dimension: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/sku_filter_dimension/);
    expect(bad.json().message).not.toMatch(/skuFilterDimension/);
    const unknown = await post('/v1/search', { qurey: 'x' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/unknown key\(s\) "qurey"/);
    const tenant = await post('/v1/search', { tenant_id: '2' });
    expect(tenant.statusCode).toBe(400);
    expect(tenant.json().details).toEqual({ where: 'tenant_id' });
  });

  it('lists both shapes in the OpenAPI document', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    for (const route of ['/search', '/v1/search', '/v1/search/image', '/v1/documents/{spu_id}'])
      expect(Object.keys(document.paths)).toContain(route);
    const { schemas } = document.components;
    expect(Object.keys(schemas.StorefrontSearchRequest.properties)).toEqual(
      expect.arrayContaining(['sku_filter_dimension', 'skuFilterDimension', 'range_filters']),
    );
    const spu = schemas.StorefrontSearchResponse.properties.results.items;
    expect(spu.required).toEqual(expect.arrayContaining(['title', 'skus']));
    expect(spu.properties.skus.items.required).toContain('sku');
  });
});
