/**
 * Image search through the production API: products whose images were embedded at ingest with a
 * tiny generated CLIP-style vision tower (no real one is obtainable here), a bundle exported from
 * that index, `rwb serve` loading the tower from the bundle, and multipart uploads over HTTP that
 * must find the product whose image was uploaded (nested kNN on image_embedding).
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
import { writeTinyClip } from '../helpers/tiny-onnx.ts';

const missing = [await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable())];
const COLORS: Array<[number, number, number]> = [
  [230, 20, 20],
  [20, 200, 40],
  [30, 40, 220],
  [240, 240, 20],
  [240, 240, 240],
];

let tmp: string;
let index: string;
let api: RunningSearchApi;
let products: SourceProduct[];
const images: string[] = [];

async function upload(
  file: string | null,
  fields: Record<string, string> = {},
  headers: Record<string, string> = { 'x-tenant-id': '1' },
) {
  const form = new FormData();
  if (file !== null)
    form.append(
      'image',
      new Blob([await fs.readFile(file)], { type: 'image/png' }),
      path.basename(file),
    );
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return fetch(`${api.url}/search/image`, { method: 'POST', body: form, headers });
}

describeWith(missing, 'rwb serve: image search with a CLIP-style tower from the bundle', () => {
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-serve-image-'));
    index = `rwb_test_serve_image_${path.basename(tmp).slice(-6).toLowerCase()}`;
    const clip = await writeTinyClip(path.join(tmp, 'clip'), { dims: 16 });
    products = [...generateDemoCatalog({ tenants: 1, spusPerTenant: COLORS.length, seed: 9 })];
    for (const [i, product] of products.entries()) {
      const file = path.join(tmp, `img-${i}.png`);
      const [r, g, b] = COLORS[i]!;
      await sharp({ create: { width: 80, height: 60, channels: 3, background: { r, g, b } } })
        .png()
        .toFile(file);
      images.push(file);
      product.spu.image_src = file;
      for (const sku of product.skus) sku.image_src = null;
    }
    const source = path.join(tmp, 'products.ndjson');
    await fs.writeFile(source, products.map((p) => JSON.stringify(p)).join('\n'));
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
    expect(report.indexed).toBe(products.length);

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
});
