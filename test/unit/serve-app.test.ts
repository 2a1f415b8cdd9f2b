/**
 * The search API's HTTP layer through fastify's inject, with Elasticsearch pointed at a closed
 * port (real refused connections, no mock): tenant and body validation answer 4xx before ES is
 * asked, ES down answers 502, metrics count it all, and the OpenAPI document is well-formed with
 * schemas that compile.
 */
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../engine/config/bundle.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import { SearchService } from '../../engine/serve/search-service.ts';
import { ServeMetrics } from '../../engine/serve/serve-metrics.ts';
import { createServeApp } from '../../engine/serve/server.ts';

let app: FastifyInstance;
let service: SearchService;
let metrics: ServeMetrics;
const serverLog: string[] = [];

beforeAll(async () => {
  const bundle = await exportBundle({ config: defaultSearchConfig(), index: 'shop_products' });
  metrics = new ServeMetrics();
  service = await SearchService.create({
    bundle,
    es: { url: 'http://127.0.0.1:9', requestTimeoutMs: 2000 },
    esMaxRetries: 0,
    translator: null,
    onStage: metrics.observeStage,
  });
  app = await createServeApp({ service, metrics, log: (line) => serverLog.push(line) });
});
afterAll(async () => {
  await app?.close();
  await service?.close();
});

const search = (body: unknown, headers: Record<string, string> = { 'x-tenant-id': 'shop-1' }) =>
  app.inject({ method: 'POST', url: '/search', headers, payload: body as object });

describe('POST /search input checks', () => {
  it('requires the tenant', async () => {
    const response = await search({ query: 'x' }, {});
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      code: 'INVALID_INPUT',
      message:
        'The tenant is required: send the X-Tenant-ID header or the ?tenant_id= query parameter',
      details: { where: 'tenant' },
    });
  });

  it('names the bad fields of the body', async () => {
    const response = await search({
      query: 'x',
      size: -1,
      filters: { min_price: { gte: 'cheap' } },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('INVALID_INPUT');
    expect(body.message).toMatch(/size must be >= 0/);
    expect(body.message).toMatch(/filters\.min_price\.gte must be a number or an ISO date/);
    expect(body.details.issues).toEqual(
      expect.arrayContaining([{ path: 'size', message: 'must be >= 0' }]),
    );
  });

  it('rejects unknown keys, a tenantId in the body, non-objects, bad JSON and other content types', async () => {
    expect((await search({ qurey: 'x' })).json().message).toMatch(/has unknown key\(s\) "qurey"/);
    const tenantInBody = await search({ tenantId: 'other', query: 'x' });
    expect(tenantInBody.statusCode).toBe(400);
    expect(tenantInBody.json().message).toMatch(/^tenantId: not allowed in the body/);
    expect((await search([1, 2])).json().message).toMatch(/must be a JSON object/);
    const badJson = await app.inject({
      method: 'POST',
      url: '/search',
      headers: { 'x-tenant-id': '1', 'content-type': 'application/json' },
      payload: '{"query": ',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().code).toBe('INVALID_INPUT');
    const text = await app.inject({
      method: 'POST',
      url: '/search',
      headers: { 'x-tenant-id': '1', 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('reports query syntax errors with their position in strict mode', async () => {
    // Lenient (the default) would search `nosuch:value` as plain text and reach the closed port.
    const bundle = await exportBundle({ config: defaultSearchConfig(), index: 'shop_products' });
    const strict = await SearchService.create({
      bundle,
      es: { url: 'http://127.0.0.1:9', requestTimeoutMs: 2000 },
      esMaxRetries: 0,
      translator: null,
      parseMode: 'strict',
    });
    const strictApp = await createServeApp({ service: strict, metrics: new ServeMetrics() });
    try {
      const response = await strictApp.inject({
        method: 'POST',
        url: '/search',
        headers: { 'x-tenant-id': 'shop-1' },
        payload: { query: 'nosuch:value' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/Unknown domain "nosuch"/);
    } finally {
      await strictApp.close();
      await strict.close();
    }
  });
});

describe('Elasticsearch down', () => {
  it('answers 502 without the cluster address and logs it on the server', async () => {
    serverLog.length = 0;
    const response = await search({ query: 'headphones' });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({
      code: 'ES_UNREACHABLE',
      message: 'Elasticsearch is not reachable from the search service',
    });
    expect(response.body).not.toContain('127.0.0.1:9');
    expect(serverLog.join('\n')).toMatch(/502 ES_UNREACHABLE/);
    expect(
      (await app.inject({ method: 'GET', url: '/documents/abc?tenant_id=1' })).statusCode,
    ).toBe(502);
  });

  it('reports itself unhealthy with the failing check', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'unavailable',
      index: 'shop_products',
      checks: {
        elasticsearch: { ok: false, detail: 'not reachable' },
        textModel: { ok: true },
        imageModel: { ok: true },
      },
    });
  });
});

describe('other routes', () => {
  it('checks documents and image uploads', async () => {
    expect((await app.inject({ method: 'GET', url: '/documents/abc' })).statusCode).toBe(400);
    const image = await app.inject({
      method: 'POST',
      url: '/search/image',
      headers: { 'x-tenant-id': '1' },
      payload: { a: 1 },
    });
    expect(image.statusCode).toBe(400);
    expect(image.json().message).toMatch(/multipart\/form-data/);
  });

  it('answers unknown routes with JSON 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      code: 'NOT_FOUND',
      message: 'No route GET /nope; see /docs',
    });
  });

  it('counts requests by route and status in /metrics', async () => {
    const before = metrics.requests.get({ method: 'POST', route: '/search', status: '400' });
    await search({ size: 'ten' });
    await search({ size: 'ten' });
    expect(metrics.requests.get({ method: 'POST', route: '/search', status: '400' })).toBe(
      before + 2,
    );
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain(
      `rwb_http_requests_total{method="POST",route="/search",status="400"} ${before + 2}`,
    );
    expect(text).toMatch(
      /rwb_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/,
    );
    expect(text).toMatch(
      /rwb_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/search"\} \d+/,
    );
    expect(text).toMatch(/rwb_search_stage_duration_seconds_count\{stage="parse"\} [1-9]/);
  });
});

describe('OpenAPI at /docs', () => {
  it('serves a well-formed OpenAPI 3 document whose refs resolve and schemas compile', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    expect(document.openapi).toBe('3.0.3');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/docs/openapi.json',
      '/documents/{spu_id}',
      '/health',
      '/metrics',
      '/search',
      '/search/image',
      '/v1/documents/{spu_id}',
      '/v1/search',
      '/v1/search/image',
    ]);
    const refs = JSON.stringify(document).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs)
      expect(document.components.schemas[ref.slice(22, -1)], ref).toBeDefined();
    for (const [path, methods] of Object.entries(
      document.paths as Record<string, Record<string, { responses: object }>>,
    )) {
      for (const operation of Object.values(methods))
        expect(Object.keys(operation.responses), path).toContain('200');
    }
    const ajv = new Ajv({ strict: false, allErrors: true });
    const request = ajv.compile(document.components.schemas.SearchRequest);
    expect(
      request({
        query: 'red shoes',
        filters: { specifications: { name: 'color', value: 'red' }, min_price: { gte: 10 } },
        size: 5,
      }),
    ).toBe(true);
    expect(request({ query: 1 })).toBe(false);
    expect(request({ tenantId: '1' })).toBe(false);
    for (const name of Object.keys(document.components.schemas))
      expect(() => ajv.compile(document.components.schemas[name]), name).not.toThrow();
    const error = ajv.compile(document.components.schemas.Error);
    expect(error((await search({ size: 'x' })).json())).toBe(true);
  });

  it('serves a plain HTML page listing the operations', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs' });
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<code>/search/image</code>');
    expect(response.body).toContain('href="/docs/openapi.json"');
    expect(response.body).not.toMatch(/<script/i);
  });
});
