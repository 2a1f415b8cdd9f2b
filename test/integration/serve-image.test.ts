/**
 * Image search through the production API: products whose images were embedded at ingest with a
 * tiny generated CLIP-style vision tower (no real one is obtainable here), a bundle exported from
 * that index, `rwb serve` loading the tower from the bundle, and multipart uploads over HTTP that
 * must find the product whose image was uploaded (nested kNN on image_embedding). The seed-shape
 * `/v1/search/image` is checked against the seed's §8 response shape, its order against a brute
 * force cosine over the tenant's indexed image vectors, and its tenant against the header.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import type { SourceProduct } from '../../engine/catalog/types.ts';
import { exportBundle } from '../../engine/config/bundle.ts';
import { defaultSearchConfig, parseSearchConfig } from '../../engine/config/search-config.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { CheckpointStore } from '../../engine/ingest/checkpoint.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { startSearchApi, type RunningSearchApi } from '../../engine/serve/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import {
  ES_INTERNALS,
  keysOf,
  SeedSearchResponseSchema,
} from '../helpers/seed-storefront-shape.ts';
import { tinyVisionEmbedding, writeTinyClip } from '../helpers/tiny-onnx.ts';

const missing = [await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable())];
const COLORS: Array<[number, number, number]> = [
  [230, 20, 20],
  [20, 200, 40],
  [30, 40, 220],
  [240, 240, 20],
  [240, 240, 240],
];
/**
 * Tenant 2's images: two colours tenant 1 lacks (the /v1 queries below) and two it has, so a hit
 * leaking across tenants would come first.
 */
const TENANT2_COLORS: Array<[number, number, number]> = [
  [250, 140, 30],
  [130, 60, 200],
  [230, 20, 20],
  [20, 200, 40],
];
const DIMS = 16;

let tmp: string;
let index: string;
let api: RunningSearchApi;
let products: SourceProduct[];
const images: string[] = [];
/** Image file → its tenant and colour, for every indexed product. */
const indexedImages = new Map<string, { tenant: string; color: readonly number[] }>();

/** CLIP's published normalisation (mean, std per channel), written out here on purpose. */
const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

async function writeColorImage(file: string, [r, g, b]: readonly number[]): Promise<string> {
  await sharp({
    create: { width: 80, height: 60, channels: 3, background: { r: r!, g: g!, b: b! } },
  })
    .png()
    .toFile(file);
  return file;
}

/** The tiny tower's vector of a one-colour image, computed without the model or the engine. */
function vectorOfColor(rgb: readonly number[]): Float32Array {
  const pooled = rgb.map((v, c) => (v / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!);
  return tinyVisionEmbedding(pooled as [number, number, number], DIMS);
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

interface IndexedProduct {
  tenant: string;
  image: string;
  minPrice: number;
  vectors: number[][];
}

/** The tenant's documents as stored: image, price and the image vectors ingest wrote. */
async function indexedProducts(tenant: string): Promise<IndexedProduct[]> {
  const client = createEsClient({ url: esUrl() });
  try {
    const res = await client.search<{
      image_src: string;
      min_price: number;
      image_embedding?: Array<{ vector: number[] }>;
    }>({
      index,
      size: 100,
      query: { term: { tenant_id: tenant } },
      _source: ['image_src', 'min_price', 'image_embedding'],
    });
    return res.hits.hits.map((hit) => ({
      tenant,
      image: hit._source!.image_src,
      minPrice: hit._source!.min_price,
      vectors: (hit._source!.image_embedding ?? []).map((e) => e.vector),
    }));
  } finally {
    await client.close();
  }
}

/** Brute force: products by their best image's cosine to `query`, best first. */
function bySimilarity(query: Float32Array, candidates: IndexedProduct[]) {
  return candidates
    .map((p) => ({ ...p, cosine: Math.max(...p.vectors.map((v) => cosine(query, v))) }))
    .sort((a, b) => b.cosine - a.cosine);
}

async function upload(
  file: string | null,
  fields: Record<string, string> = {},
  headers: Record<string, string> = { 'x-tenant-id': '1' },
  route = '/search/image',
) {
  const form = new FormData();
  if (file !== null)
    form.append(
      'image',
      new Blob([await fs.readFile(file)], { type: 'image/png' }),
      path.basename(file),
    );
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return fetch(`${api.url}${route}`, { method: 'POST', body: form, headers });
}

describeWith(missing, 'rwb serve: image search with a CLIP-style tower from the bundle', () => {
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-serve-image-'));
    index = `rwb_test_serve_image_${path.basename(tmp).slice(-6).toLowerCase()}`;
    const clip = await writeTinyClip(path.join(tmp, 'clip'), { dims: DIMS });
    products = [...generateDemoCatalog({ tenants: 1, spusPerTenant: COLORS.length, seed: 9 })];
    const tenant2 = [
      ...generateDemoCatalog({ tenants: ['2'], spusPerTenant: TENANT2_COLORS.length, seed: 10 }),
    ];
    for (const [tenant, list, colors] of [
      ['1', products, COLORS],
      ['2', tenant2, TENANT2_COLORS],
    ] as const) {
      for (const [i, product] of list.entries()) {
        const file = await writeColorImage(path.join(tmp, `t${tenant}-img-${i}.png`), colors[i]!);
        if (tenant === '1') images.push(file);
        indexedImages.set(file, { tenant, color: colors[i]! });
        product.spu.image_src = file;
        for (const sku of product.skus) sku.image_src = null;
      }
    }
    const source = path.join(tmp, 'products.ndjson');
    await fs.writeFile(source, [...products, ...tenant2].map((p) => JSON.stringify(p)).join('\n'));
    const report = await runIngest(
      {
        source: { kind: 'file', path: source },
        es: { url: esUrl() },
        index,
        recreate: true,
        embedding: { model: null },
        imageEmbedding: {
          visionModelPath: clip.visionModelPath,
          modelId: 'tiny-clip',
          executionProvider: 'cpu',
        },
      },
      {
        checkpoints: new CheckpointStore(path.join(tmp, 'checkpoints')),
        failuresDir: path.join(tmp, 'failures'),
      },
    );
    expect(report.indexed).toBe(products.length + tenant2.length);

    const base = defaultSearchConfig();
    const config = parseSearchConfig({
      ...base,
      query: {
        ...base.query,
        imageKnn: { ...base.query.imageKnn, enabled: true, model: path.join(tmp, 'clip') },
      },
      ranking: { ...base.ranking, expression: 'bm25() + 1.0*image_embedding_relevance()' },
    });
    const client = createEsClient({ url: esUrl() });
    try {
      const bundle = await exportBundle({ config, index, client, url: esUrl() });
      expect(bundle.models.image).toEqual({
        id: 'tiny-clip',
        dims: 16,
        visionModelPath: clip.visionModelPath,
      });
      api = await startSearchApi({
        bundle,
        es: { url: esUrl() },
        port: 0,
        maxImageBytes: 64 * 1024,
        log: () => undefined,
      });
    } finally {
      await client.close();
    }
  }, 300_000);

  afterAll(async () => {
    await api?.close();
    const client = createEsClient({ url: esUrl() });
    await client.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('reports the image tower loaded', async () => {
    const health = await (await fetch(`${api.url}/health`)).json();
    expect(health.checks.imageModel).toEqual({ ok: true, detail: 'tiny-clip loaded' });
  });

  it('finds the product whose image is uploaded', async () => {
    for (const [i, file] of images.entries()) {
      const response = await upload(file, { request: JSON.stringify({ size: 3, facets: [] }) });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.query.ranking.knn).toEqual({ text: false, image: true });
      expect(body.results[0].spu_id, `image ${i}`).toBe(products[i]!.spu.id);
      expect(body.results.length).toBeLessThanOrEqual(3);
    }
  });

  it('applies filters from the request part to image results', async () => {
    const target = products[2]!.spu.id;
    const response = await upload(images[0]!, {
      request: JSON.stringify({ filters: { spu_id: target }, facets: [] }),
    });
    const body = await response.json();
    expect(body.results.map((r: { spu_id: string }) => r.spu_id)).toEqual([target]);
  });

  it('rejects what is not a usable upload', async () => {
    const noTenant = await upload(images[0]!, {}, {});
    expect(noTenant.status).toBe(400);
    const noImage = await upload(null, { request: '{}' });
    expect(noImage.status).toBe(400);
    expect((await noImage.json()).message).toMatch(/"image" file part is missing/);
    const garbage = path.join(tmp, 'not-an-image.png');
    await fs.writeFile(garbage, 'this is not a picture');
    const undecodable = await upload(garbage);
    expect(undecodable.status).toBe(400);
    expect((await undecodable.json()).message).toMatch(/not an image that can be decoded/);
    const badRequest = await upload(images[0]!, { request: '{"size": -1}' });
    expect(badRequest.status).toBe(400);
    expect((await badRequest.json()).message).toMatch(/size must be >= 0/);
    const vectorInRequest = await upload(images[0]!, { request: '{"imageVector": [1]}' });
    expect(vectorInRequest.status).toBe(400);
    const big = path.join(tmp, 'big.png');
    await sharp({
      create: { width: 1200, height: 1200, channels: 3, background: { r: 1, g: 2, b: 3 } },
    })
      .png({ compressionLevel: 0 })
      .toFile(big);
    const tooLarge = await upload(big);
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).code).toBe('PAYLOAD_TOO_LARGE');
    // The server is still fine afterwards.
    expect((await upload(images[1]!)).status).toBe(200);
  });

  it('indexed the vectors the tiny tower gives each colour', async () => {
    for (const tenant of ['1', '2']) {
      const stored = await indexedProducts(tenant);
      expect(stored.length).toBe(tenant === '1' ? COLORS.length : TENANT2_COLORS.length);
      for (const product of stored) {
        expect(product.vectors).toHaveLength(1);
        const { color } = indexedImages.get(product.image)!;
        expect(cosine(product.vectors[0]!, vectorOfColor(color))).toBeGreaterThan(0.9999);
      }
    }
  });

  it('/v1/search/image: the seed shape, ranked by image similarity within the header tenant', async () => {
    const cases: Array<[string, [number, number, number]]> = [
      ['1', [250, 140, 30]],
      ['1', [130, 60, 200]],
      ['2', [230, 20, 20]],
      ['2', [240, 240, 240]],
    ];
    for (const [n, [tenant, color]] of cases.entries()) {
      const label = `tenant ${tenant}, rgb(${color.join(',')})`;
      const query = await writeColorImage(path.join(tmp, `query-${n}.png`), color);
      const response = await upload(
        query,
        { request: JSON.stringify({ size: 20 }) },
        { 'x-tenant-id': tenant },
        '/v1/search/image',
      );
      const json = await response.json();
      expect(response.status, JSON.stringify(json)).toBe(200);
      const answer = SeedSearchResponseSchema.parse(json);
      for (const internal of ES_INTERNALS) expect(keysOf(json).has(internal), internal).toBe(false);
      expect(json.query.ranking.knn).toEqual({ text: false, image: true });

      const mine = await indexedProducts(tenant);
      const expected = bySimilarity(vectorOfColor(color), mine);
      // The order is well defined: no two products within rounding of each other.
      for (let i = 1; i < expected.length; i++)
        expect(expected[i - 1]!.cosine - expected[i]!.cosine, label).toBeGreaterThan(1e-4);
      // Across both tenants the best match is another tenant's: a leak would show at the top.
      const other = await indexedProducts(tenant === '1' ? '2' : '1');
      const everyone = bySimilarity(vectorOfColor(color), [...mine, ...other]);
      if (tenant === '1') expect(everyone[0]!.tenant, label).toBe('2');

      const shown = json.results.map((r: { image: string }) => r.image);
      expect(shown, label).toEqual(expected.map((p) => p.image));
      expect(shown.every((image: string) => indexedImages.get(image)?.tenant === tenant)).toBe(
        true,
      );
      expect(answer.total, label).toBe(mine.length);
      const scores = answer.results.map((r) => r.relevance_score!);
      for (let i = 1; i < scores.length; i++)
        expect(scores[i]!).toBeLessThanOrEqual(scores[i - 1]!);
      for (const result of json.results as Array<{
        title: string;
        titles: { zh: string | null; en: string | null };
      }>)
        expect(result.title).toBe(result.titles.zh || result.titles.en);

      // The same search as the unversioned route, only shaped as the seed's.
      const plain = await upload(
        query,
        { request: JSON.stringify({ size: 20 }) },
        { 'x-tenant-id': tenant },
      );
      const plainJson = await plain.json();
      expect(plainJson.results.map((r: { image: string }) => r.image)).toEqual(shown);
    }
  });

  it('/v1/search/image takes the seed request keys (range_filters) in the request part', async () => {
    const color: [number, number, number] = [250, 140, 30];
    const query = await writeColorImage(path.join(tmp, 'query-range.png'), color);
    const mine = await indexedProducts('1');
    const prices = mine.map((p) => p.minPrice).sort((a, b) => a - b);
    const [gte, lte] = [prices[1]!, prices[prices.length - 2]!];
    const inRange = mine.filter((p) => p.minPrice >= gte && p.minPrice <= lte);
    expect(inRange.length).toBeGreaterThan(0);
    expect(inRange.length).toBeLessThan(mine.length);
    const response = await upload(
      query,
      { request: JSON.stringify({ size: 20, range_filters: { min_price: { gte, lte } } }) },
      { 'x-tenant-id': '1' },
      '/v1/search/image',
    );
    const json = await response.json();
    expect(response.status, JSON.stringify(json)).toBe(200);
    SeedSearchResponseSchema.parse(json);
    expect(json.results.map((r: { image: string }) => r.image)).toEqual(
      bySimilarity(vectorOfColor(color), inRange).map((p) => p.image),
    );
    // A tenant in the body is refused, as on /v1/search: the header is the only tenant.
    const smuggled = await upload(
      query,
      { request: JSON.stringify({ tenant_id: '2' }) },
      { 'x-tenant-id': '1' },
      '/v1/search/image',
    );
    expect(smuggled.status).toBe(400);
    expect((await smuggled.json()).message).toMatch(/tenant_id: not allowed/);
  });
});
