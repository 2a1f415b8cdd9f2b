/**
 * Contract test of the seed's storefront API (§8.1/§8.3): the seed's own example requests, copied
 * from §8 as data, posted to a real `rwb serve` (`/v1/…`) over the real ES, and every answer
 * validated against the seed's response shape (test/helpers/seed-storefront-shape.ts, written from
 * §8.1/§8.3.4). Also: the `/v1` answer is the unversioned route's search (same hits, same order),
 * only shaped as the seed's, and the unversioned routes keep today's shape.
 */
import { Ajv } from 'ajv';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import { startSearchApi, type RunningSearchApi } from '../../engine/serve/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { createServeFixture, type ServeFixture } from '../helpers/serve-fixture.ts';
import {
  ES_INTERNALS,
  keysOf,
  SeedSearchResponseSchema,
  SeedSpuSchema,
} from '../helpers/seed-storefront-shape.ts';

const missing = [await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable())];

/** §8.3.2 facets, simple mode. */
const SEED_SIMPLE_FACETS = ['category1_name', 'category2_name', 'specifications'];
/** §8.3.2 facets, advanced mode (FacetConfig objects mixed with a specification name). */
const SEED_ADVANCED_FACETS = [
  { field: 'category1_name', size: 15, type: 'terms' },
  {
    field: 'min_price',
    type: 'range',
    ranges: [
      { key: '0-50', to: 50 },
      { key: '50-100', from: 50, to: 100 },
    ],
  },
  'specifications.color',
];
/** §8.3.3 range filters. */
const SEED_RANGES = {
  min_price: { gte: 50, lte: 200 },
  create_time: { gte: '2023-01-01T00:00:00Z' },
};
/** §8.3.3.1 specification filters, single and grouped by dimension. */
const SEED_SPEC_ONE = { specifications: { name: 'color', value: 'white' } };
const SEED_SPEC_MANY = {
  specifications: [
    { name: 'color', value: 'white' },
    { name: 'size', value: '256GB' },
  ],
};
/** §8.3.5 SKU filter request, verbatim. */
const SEED_SKU_REQUEST = { query: '手机', sku_filter_dimension: 'color' };

/** Every §8 example, as a storefront would post it. */
const SEED_REQUESTS: Array<[string, Record<string, unknown>]> = [
  ['§8.3.5 sku_filter_dimension', SEED_SKU_REQUEST],
  ['§8.3.2 simple facets', { query: '手机', facets: SEED_SIMPLE_FACETS }],
  ['§8.3.2 advanced facets', { query: '手机', facets: SEED_ADVANCED_FACETS }],
  ['§8.3.3 range_filters', { query: '手机', range_filters: SEED_RANGES }],
  ['§8.3.3 ranges in filters', { query: '手机', filters: SEED_RANGES }],
  ['§8.3.3.1 one specification', { query: '手机', filters: SEED_SPEC_ONE }],
  ['§8.3.3.1 specifications by dimension', { query: '手机', filters: SEED_SPEC_MANY }],
];

let fixture: ServeFixture;
let api: RunningSearchApi;

const post = (route: string, body: unknown, tenant = '1') =>
  fetch(`${api.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': tenant },
    body: JSON.stringify(body),
  });

async function seedSearch(body: unknown) {
  const response = await post('/v1/search', body);
  const json: unknown = await response.json();
  expect(response.status, JSON.stringify(json)).toBe(200);
  const answer = SeedSearchResponseSchema.parse(json);
  const keys = keysOf(answer);
  for (const internal of ES_INTERNALS) expect(keys.has(internal)).toBe(false);
  expect(answer.total).toBeGreaterThanOrEqual(answer.results.length);
  return answer;
}

describeWith(missing, 'rwb serve: the seed storefront API (/v1)', () => {
  beforeAll(async () => {
    fixture = await createServeFixture('storefront');
    api = await startSearchApi({ bundle: fixture.bundle, es: { url: esUrl() }, port: 0 });
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    await fixture?.cleanup();
  });

  it.each(SEED_REQUESTS)('answers the seed example (%s) in the seed shape', async (_, body) => {
    await seedSearch(body);
  });

  it('finds products for the seed query, with every SKU when the dimension is not an option', async () => {
    const answer = await seedSearch(SEED_SKU_REQUEST);
    expect(answer.results.length).toBeGreaterThan(0);
    // §8.3.5: a dimension that matches no option keeps all SKUs.
    const unfiltered = await seedSearch({ query: '手机', sku_filter_dimension: null });
    expect(answer.results.map((r) => r.skus.length)).toEqual(
      unfiltered.results.map((r) => r.skus.length),
    );
  });

  it('keeps the first SKU of each value of the dimension', async () => {
    const all = await seedSearch({ query: '', size: 20, sku_filter_dimension: null });
    const grouped = await seedSearch({ query: '', size: 20, sku_filter_dimension: 'option1' });
    expect(grouped.results.map((r) => r.spu_id)).toEqual(all.results.map((r) => r.spu_id));
    let dropped = 0;
    grouped.results.forEach((result, i) => {
      const values = (result.skus as unknown as Array<{ options: Array<{ value: string }> }>).map(
        (sku) => sku.options[0]?.value,
      );
      expect(new Set(values).size).toBe(values.length);
      dropped += all.results[i]!.skus.length - result.skus.length;
    });
    expect(dropped).toBeGreaterThan(0);
  });

  it('applies the seed range_filters as filters', async () => {
    const answer = await seedSearch({ query: '', size: 50, range_filters: SEED_RANGES });
    const everything = await seedSearch({ query: '', size: 50 });
    expect(answer.total).toBeLessThan(everything.total);
    for (const result of answer.results) {
      const min = (result as unknown as { prices: { min: number } }).prices.min;
      expect(min).toBeGreaterThanOrEqual(50);
      expect(min).toBeLessThanOrEqual(200);
    }
  });

  it('is the unversioned search in the seed shape: same hits, title and sku from the product', async () => {
    const today = await post('/search', { query: '手机', skuFilterDimension: 'option1' });
    const todayBody = (await today.json()) as {
      total: number;
      results: Array<{
        spu_id: string;
        titles: { zh: string | null };
        skus: Array<{ sku_code: string | null }>;
      }>;
    };
    expect(today.status).toBe(200);
    // Today's shape is unchanged on the unversioned route.
    expect(todayBody.results[0]).toHaveProperty('titles');
    expect(todayBody.results[0]).not.toHaveProperty('title');
    const seed = await seedSearch({ query: '手机', sku_filter_dimension: 'option1' });
    expect(seed.total).toBe(todayBody.total);
    expect(seed.results.map((r) => r.spu_id)).toEqual(todayBody.results.map((r) => r.spu_id));
    seed.results.forEach((result, i) => {
      expect(result.title).toBe(todayBody.results[i]!.titles.zh);
      expect(result.skus.map((s) => s.sku)).toEqual(
        todayBody.results[i]!.skus.map((s) => s.sku_code),
      );
    });
    // The camelCase alias gives the same answer.
    const alias = await seedSearch({ query: '手机', skuFilterDimension: 'option1' });
    expect(alias.results).toEqual(seed.results);
  });

  it('serves a product in the seed shape from the ingested data', async () => {
    const product = [
      ...generateDemoCatalog({ tenants: ['1', '2'], spusPerTenant: 5, seed: 3 }),
    ][0]!;
    const response = await fetch(`${api.url}/v1/documents/${product.spu.id}`, {
      headers: { 'x-tenant-id': product.spu.tenant_id },
    });
    expect(response.status).toBe(200);
    const spu = SeedSpuSchema.parse(await response.json());
    expect(spu.title).toBe(product.spu.title);
    expect(spu.skus.map((s) => [s.sku_id, s.sku])).toEqual(
      product.skus.map((s) => [s.id, s.sku ?? null]),
    );
    const other = await fetch(`${api.url}/v1/documents/${product.spu.id}`, {
      headers: { 'x-tenant-id': 'nobody' },
    });
    expect(other.status).toBe(404);
  });

  it('fills suggestions and related_searches from the rewrite dictionary', async () => {
    const { config } = fixture.bundle;
    const dictionary = { 手机: '手机', 移动电话: '手机', 手机壳: '手机壳' };
    const withDictionary = await startSearchApi({
      bundle: {
        ...fixture.bundle,
        config: { ...config, query: { ...config.query, rewrite: { enabled: true, dictionary } } },
      },
      es: { url: esUrl() },
      port: 0,
    });
    try {
      const response = await fetch(`${withDictionary.url}/v1/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant-id': '1' },
        body: JSON.stringify(SEED_SKU_REQUEST),
      });
      const answer = SeedSearchResponseSchema.parse(await response.json());
      expect(answer.suggestions).toEqual(['手机壳']);
      expect(answer.related_searches).toEqual(['移动电话']);
    } finally {
      await withDictionary.close();
    }
    // The fixture's own bundle has no dictionary: nothing to suggest.
    const plain = await seedSearch(SEED_SKU_REQUEST);
    expect(plain.suggestions).toEqual([]);
  });

  it('answers hostile seed keys and values with 2xx or a 4xx in the error shape, never 5xx', async () => {
    const names = ['__proto__', 'constructor', 'toString', '', ' ', '\u0000', 'a'.repeat(5000)];
    const values: unknown[] = [
      null,
      0,
      '',
      [],
      {},
      { gte: 'x' },
      { gte: 1, gt: 2 },
      '名'.repeat(300),
    ];
    const bodies: string[] = [];
    for (const name of names) {
      bodies.push(`{"range_filters": {${JSON.stringify(name)}: {"gte": 1}}}`);
      bodies.push(JSON.stringify({ sku_filter_dimension: name }));
      bodies.push(`{${JSON.stringify(name)}: 1, "query": "x"}`);
    }
    for (const value of values) {
      bodies.push(JSON.stringify({ range_filters: { min_price: value } }));
      bodies.push(JSON.stringify({ range_filters: value }));
      bodies.push(JSON.stringify({ sku_filter_dimension: value, skuFilterDimension: value }));
    }
    const statuses = new Set<number>();
    for (const body of bodies) {
      const response = await fetch(`${api.url}/v1/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant-id': '1' },
        body,
      });
      const json = (await response.json()) as { code?: string; message?: string };
      statuses.add(response.status);
      expect(response.status, body.slice(0, 200)).toBeLessThan(500);
      if (response.status >= 400) {
        expect(typeof json.code).toBe('string');
        expect(typeof json.message).toBe('string');
      }
    }
    // A `__proto__` range is refused (by the body parser already), not dropped, which would search
    // unfiltered.
    const proto = await fetch(`${api.url}/v1/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': '1' },
      body: '{"range_filters": {"__proto__": {"gte": 1}}}',
    });
    expect(proto.status).toBe(400);
    // Both answers and refusals happened: the sweep reached the search.
    expect(statuses.has(200)).toBe(true);
    expect(statuses.has(400)).toBe(true);
  });

  it('answers as its OpenAPI document says, and the document takes the seed requests', async () => {
    const document = await (await fetch(`${api.url}/docs/openapi.json`)).json();
    const ajv = new Ajv({ strict: false, allErrors: true });
    const request = ajv.compile(document.components.schemas.StorefrontSearchRequest);
    for (const [name, body] of SEED_REQUESTS)
      expect(request(body), `${name}: ${JSON.stringify(request.errors)}`).toBe(true);
    const response = ajv.compile(document.components.schemas.StorefrontSearchResponse);
    const real = await (await post('/v1/search', { ...SEED_SKU_REQUEST, explain: true })).json();
    expect(response(real), JSON.stringify(response.errors)).toBe(true);
    const spu = ajv.compile(document.components.schemas.StorefrontSpuResult);
    const product = await fetch(`${api.url}/v1/documents/${real.results[0].spu_id}?tenant_id=1`);
    expect(spu(await product.json()), JSON.stringify(spu.errors)).toBe(true);
  });

  it('refuses bad seed input with a 400 naming the seed key', async () => {
    const response = await post('/v1/search', { query: 'x', sku_filter_dimension: 42 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('INVALID_INPUT');
    expect(body.message).toMatch(/sku_filter_dimension/);
    const image = new FormData();
    image.append('image', new Blob([new Uint8Array([1, 2, 3])]), 'x.png');
    const imageAnswer = await fetch(`${api.url}/v1/search/image`, {
      method: 'POST',
      headers: { 'x-tenant-id': '1' },
      body: image,
    });
    // The fixture's bundle has no image tower: a clear 400, not a 5xx.
    expect(imageAnswer.status).toBe(400);
  });
});
