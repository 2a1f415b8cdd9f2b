/**
 * `rwb serve` over real HTTP: a bundle exported from a live index (demo catalog, bge-small-zh
 * vectors) is written to disk and served as is — the text model loads from the bundle, DeepL is
 * reached through deepl-node at a local DeepL-speaking server. Checked: tenant handling, input
 * errors naming the field, 404s, ES down (502) and ES silent (504), metrics, the OpenAPI schemas
 * against real responses, and the bundle's search template executed on the real cluster.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import type { SourceProduct } from '../../engine/catalog/types.ts';
import {
  exportBundle,
  loadBundle,
  renderSearchTemplate,
  writeBundle,
  type Bundle,
} from '../../engine/config/bundle.ts';
import { defaultSearchConfig, parseSearchConfig } from '../../engine/config/search-config.ts';
import { fetchModel } from '../../engine/embed/index.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { CheckpointStore } from '../../engine/ingest/checkpoint.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { createTranslatorWithDeepl } from '../../engine/query/translation/deepl-translator.ts';
import { startSearchApi, type RunningSearchApi } from '../../engine/serve/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { startDeeplServer, type DeeplServer } from '../helpers/deepl-server.ts';

const MODEL = 'bge-small-zh-v15-q';
const DEEPL_KEY = 'serve-test-deepl-key:fx';
const missing = [
  await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable()),
  await requireComponent(`ONNX model ${MODEL}`, () => fetchModel(MODEL)),
];

const ENGLISH_ONLY: SourceProduct = {
  spu: {
    tenant_id: 'A',
    id: 'en-only-1',
    title_en: 'Quietwave Studio Monitor Headset',
    vendor_en: 'Quietwave',
    create_time: '2024-01-01T00:00:00Z',
    update_time: '2024-01-01T00:00:00Z',
    published: 1,
    deleted: 0,
  },
  skus: [
    { tenant_id: 'A', id: 'en-only-1-s', spu_id: 'en-only-1', price: 199, inventory_quantity: 5 },
  ],
  options: [],
};

let tmp: string;
let index: string;
let client: Client;
let bundleFile: string;
let bundle: Bundle;
let api: RunningSearchApi;
let deepl: DeeplServer;
const extraApis: RunningSearchApi[] = [];
const closers: Array<() => Promise<void>> = [];

const post = (
  base: string,
  route: string,
  body: unknown,
  headers: Record<string, string> = { 'x-tenant-id': 'A' },
) =>
  fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describeWith(missing, 'rwb serve: the production search API over HTTP', () => {
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-serve-api-'));
    index = `rwb_test_serve_api_${path.basename(tmp).slice(-6).toLowerCase()}`;
    const products = [
      ...generateDemoCatalog({ tenants: ['A', 'B'], spusPerTenant: 60, seed: 5 }),
      ENGLISH_ONLY,
    ];
    const file = path.join(tmp, 'demo.ndjson');
    await fs.writeFile(file, products.map((product) => JSON.stringify(product)).join('\n'));
    const report = await runIngest(
      {
        source: { kind: 'file', path: file },
        es: { url: esUrl() },
        index,
        recreate: true,
        embedding: { model: MODEL },
      },
      {
        checkpoints: new CheckpointStore(path.join(tmp, 'checkpoints')),
        failuresDir: path.join(tmp, 'failures'),
      },
    );
    expect(report.indexed).toBe(products.length);
    client = createEsClient({ url: esUrl() });

    deepl = await startDeeplServer({
      apiKey: DEEPL_KEY,
      dictionary: { en: { 录音耳机: 'studio monitor headset' } },
    });
    const base = defaultSearchConfig();
    const config = parseSearchConfig({
      ...base,
      name: 'serve-test',
      query: {
        ...base.query,
        textEmbedding: { enabled: true, model: MODEL, cacheSize: 100 },
        translation: {
          ...base.query.translation,
          provider: 'deepl',
          glossary: [{ zh: '监听耳麦', en: 'studio monitor headset' }],
        },
      },
    });
    // The key is in the environment of the exporting process: it must still not reach the file.
    process.env.RWB_DEEPL_API_KEY = DEEPL_KEY;
    bundleFile = path.join(tmp, 'bundle.yaml');
    await writeBundle(bundleFile, await exportBundle({ config, index, client, url: esUrl() }));
    expect(await fs.readFile(bundleFile, 'utf8')).not.toContain(DEEPL_KEY);
    bundle = await loadBundle(bundleFile);

    api = await startSearchApi({
      bundle: bundleFile,
      es: { url: esUrl() },
      port: 0,
      translator: createTranslatorWithDeepl(bundle.config.query.translation, {
        deeplApiKey: DEEPL_KEY,
        deeplServerUrl: deepl.url,
      }),
      log: () => undefined,
    });
  }, 600_000);

  afterAll(async () => {
    delete process.env.RWB_DEEPL_API_KEY;
    await api?.close();
    for (const extra of extraApis) await extra.close();
    for (const close of closers) await close();
    await deepl?.close();
    await client?.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await client?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('exports the live mapping and model into the bundle', () => {
    expect(bundle.index).toBe(index);
    expect(bundle.models.text).toEqual({ id: MODEL, dims: 512 });
    const props = bundle.mapping.mappings.properties as Record<string, { dims?: number }>;
    expect(props.title_embedding?.dims).toBe(512);
    expect((bundle.mapping.mappings._meta as { text_model?: string }).text_model).toBe(MODEL);
  });

  it('is healthy with the model from the bundle loaded', async () => {
    const response = await fetch(`${api.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      index,
      checks: {
        elasticsearch: { ok: true },
        index: { ok: true },
        textModel: { ok: true, detail: `${MODEL} loaded` },
      },
      bundle: { name: 'serve-test', bundleVersion: 1 },
    });
  });

  it('searches with the tenant from the header or the query string', async () => {
    const viaHeader = await post(api.url, '/search', { query: '智能音箱', size: 5 });
    expect(viaHeader.status).toBe(200);
    const body = await viaHeader.json();
    expect(body.results.length).toBe(5);
    expect(body.query.ranking.knn.text).toBe(true);
    expect(body.results[0].titles.zh).toBe('云杉科技 360度环绕智能音箱');
    const viaQuery = await post(api.url, `/search?tenant_id=A`, { query: '智能音箱', size: 5 }, {});
    expect((await viaQuery.json()).results.map((r: { spu_id: string }) => r.spu_id)).toEqual(
      body.results.map((r: { spu_id: string }) => r.spu_id),
    );
  });

  it('translates through DeepL (deepl-node → local DeepL API) and the glossary, with a cache', async () => {
    const request = { query: '录音耳机', filters: { spu_id: 'en-only-1' }, facets: [] };
    const first = await (await post(api.url, '/search', request)).json();
    expect(first.results.map((r: { spu_id: string }) => r.spu_id)).toEqual(['en-only-1']);
    expect(first.query.translations).toEqual({ en: 'studio monitor headset' });
    const calls = deepl.calls.length;
    expect(calls).toBeGreaterThan(0);
    await post(api.url, '/search', request);
    expect(deepl.calls.length).toBe(calls);
    const glossary = await (
      await post(api.url, '/search', { ...request, query: '监听耳麦' })
    ).json();
    expect(glossary.results.map((r: { spu_id: string }) => r.spu_id)).toEqual(['en-only-1']);
    expect(deepl.calls.length).toBe(calls);
  });

  it('keeps tenants apart in search and document lookup', async () => {
    const other = await (
      await post(api.url, '/search', { query: 'Quietwave', facets: [] }, { 'x-tenant-id': 'B' })
    ).json();
    expect(other.results.map((r: { spu_id: string }) => r.spu_id)).not.toContain('en-only-1');
    const own = await fetch(`${api.url}/documents/en-only-1`, { headers: { 'x-tenant-id': 'A' } });
    expect(own.status).toBe(200);
    expect((await own.json()).titles.en).toBe('Quietwave Studio Monitor Headset');
    const foreign = await fetch(`${api.url}/documents/en-only-1?tenant_id=B`);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({
      code: 'NOT_FOUND',
      message: 'Product "en-only-1" does not exist for tenant "B"',
      details: { where: 'spu_id' },
    });
    expect((await fetch(`${api.url}/documents/no-such-spu?tenant_id=A`)).status).toBe(404);
  });

  it('rejects a missing tenant and a bad body with 400 naming the field', async () => {
    const noTenant = await post(api.url, '/search', { query: 'x' }, {});
    expect(noTenant.status).toBe(400);
    expect((await noTenant.json()).message).toMatch(/tenant is required/);
    const bad = await post(api.url, '/search', {
      query: 'x',
      filters: { min_price: { gte: 'cheap' } },
      facets: ['nope_field'],
    });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.code).toBe('INVALID_INPUT');
    expect(body.message).toMatch(/filters\.min_price\.gte/);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers 502 when Elasticsearch is down and 504 when it does not answer', async () => {
    const closed = await startSearchApi({
      bundle,
      es: { url: 'http://127.0.0.1:9' },
      esMaxRetries: 0,
      port: 0,
      embedder: null,
      translator: null,
      log: () => undefined,
    });
    extraApis.push(closed);
    const down = await post(closed.url, '/search', { query: '耳机' });
    expect(down.status).toBe(502);
    expect(await down.json()).toEqual({
      code: 'ES_UNREACHABLE',
      message: 'Elasticsearch is not reachable from the search service',
    });
    expect((await fetch(`${closed.url}/health`)).status).toBe(503);

    // A listener that accepts and never answers: the request times out.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as net.AddressInfo).port;
    const slow = await startSearchApi({
      bundle,
      es: { url: `http://127.0.0.1:${port}`, requestTimeoutMs: 300 },
      esMaxRetries: 0,
      port: 0,
      embedder: null,
      translator: null,
      log: () => undefined,
    });
    extraApis.push(slow);
    const timedOut = await post(slow.url, '/search', { query: '耳机' });
    expect(timedOut.status).toBe(504);
    expect((await timedOut.json()).code).toBe('ES_TIMEOUT');
  });

  it('counts requests and stage latencies in /metrics, and query vectors hit the cache', async () => {
    await post(api.url, '/search', { query: '无线鼠标', facets: [] });
    await post(api.url, '/search', { query: '无线鼠标', facets: [] });
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);
    expect(
      value(/^rwb_http_requests_total\{method="POST",route="\/search",status="200"\} (\d+)$/m),
    ).toBeGreaterThanOrEqual(7);
    expect(
      value(/^rwb_http_requests_total\{method="POST",route="\/search",status="400"\} (\d+)$/m),
    ).toBe(2);
    expect(
      value(
        /^rwb_http_requests_total\{method="GET",route="\/documents\/:spu_id",status="404"\} (\d+)$/m,
      ),
    ).toBe(2);
    for (const stage of ['parse', 'embed', 'es', 'format']) {
      expect(
        value(
          new RegExp(`^rwb_search_stage_duration_seconds_count\\{stage="${stage}"\\} (\\d+)$`, 'm'),
        ),
        stage,
      ).toBeGreaterThanOrEqual(7);
    }
    expect(value(/^rwb_query_vector_cache_hits (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(
      /^rwb_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/search"\} \d+$/m,
    );
  });

  it('documents itself with OpenAPI schemas that real responses satisfy', async () => {
    const document = await (await fetch(`${api.url}/docs/openapi.json`)).json();
    const ajv = new Ajv({ strict: false, allErrors: true });
    const searchResponse = ajv.compile(document.components.schemas.SearchResponse);
    const real = await (
      await post(api.url, '/search', { query: '蓝牙耳机', size: 3, explain: true })
    ).json();
    expect(searchResponse(real), JSON.stringify(searchResponse.errors)).toBe(true);
    const spu = ajv.compile(document.components.schemas.SpuResult);
    expect(spu(await (await fetch(`${api.url}/documents/en-only-1?tenant_id=A`)).json())).toBe(
      true,
    );
    const health = ajv.compile(document.components.schemas.Health);
    expect(health(await (await fetch(`${api.url}/health`)).json())).toBe(true);
    const page = await fetch(`${api.url}/docs`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('exports a search template that the cluster executes once rendered (lang-mustache aside)', async () => {
    const { searchTemplate } = bundle;
    const rendered = JSON.parse(
      renderSearchTemplate(searchTemplate.source, {
        query_string: 'Aurora',
        tenant_id: 'A',
        from: 0,
        size: 10,
        query_vector: new Array(512).fill(0).map((_, i) => (i === 0 ? 1 : 0)),
      }),
    );
    const response = await client.search<{ tenant_id: string; vendor_en: string }>({
      index,
      ...rendered,
      _source: ['tenant_id', 'vendor_en'],
    });
    expect(response.hits.hits.length).toBeGreaterThan(0);
    expect(response.hits.hits.every((hit) => hit._source!.tenant_id === 'A')).toBe(true);
    expect(response.hits.hits.some((hit) => hit._source!.vendor_en === 'Aurora')).toBe(true);
  });
});
