/**
 * Image embeddings in ingest, with a tiny generated CLIP-style vision model (no real one can be
 * downloaded here): product and SKU images from local files become nested `image_embedding`
 * vectors, a broken image is a warning for its product (the product is still indexed), and a
 * nested kNN query on the image vectors finds the product whose image it is.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import type { ProductDoc, SourceProduct } from '../../engine/catalog/types.ts';
import { createImageEncoder } from '../../engine/embed/index.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { describeWith, esAvailable, esUrl, mysqlAvailable, requireComponent } from '../helpers/components.ts';
import { createIngestFixture, type IngestFixture } from '../helpers/ingest-fixtures.ts';
import { writeTinyClip, type TinyClipFiles } from '../helpers/tiny-onnx.ts';

const missing = [await requireComponent('Elasticsearch', () => esAvailable()), await requireComponent('MariaDB', mysqlAvailable)];
let fx: IngestFixture;
let clip: TinyClipFiles;
const colors: Array<[number, number, number]> = [
  [230, 20, 20],
  [20, 200, 40],
  [30, 40, 220],
  [240, 240, 20],
];

describeWith(missing, 'ingest: image embeddings with a CLIP-style vision tower', () => {
  let products: SourceProduct[];

  beforeAll(async () => {
    fx = await createIngestFixture('ingest_images');
    clip = await writeTinyClip(path.join(fx.tmp, 'clip'), { dims: 16 });
    products = [...generateDemoCatalog({ tenants: 1, spusPerTenant: 4, seed: 5 })];
    for (const [i, p] of products.entries()) {
      const file = path.join(fx.tmp, `img-${i}.png`);
      const [r, g, b] = colors[i]!;
      await sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } }).png().toFile(file);
      p.spu.image_src = file;
      for (const sku of p.skus) sku.image_src = null;
    }
    products[3]!.skus[0]!.image_src = path.join(fx.tmp, 'missing.png');
    const file = path.join(fx.tmp, 'products.ndjson');
    await fs.writeFile(file, products.map((p) => JSON.stringify(p)).join('\n'));
    const report = await runIngest(
      {
        source: { kind: 'file', path: file },
        es: { url: esUrl() },
        index: fx.index,
        recreate: true,
        embedding: { model: null },
        imageEmbedding: { visionModelPath: clip.visionModelPath, modelId: 'tiny-clip', executionProvider: 'cpu' },
      },
      { checkpoints: fx.checkpoints, failuresDir: fx.failuresDir },
    );
    expect(report.indexed).toBe(products.length);
    expect(report.images).toMatchObject({ model: 'tiny-clip', dims: 16, images: products.length + 1, failed: 1 });
    const log = (await fs.readFile(report.failuresFile!, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ severity: 'warning', spu_id: products[3]!.spu.id });
    expect(log[0].where).toContain('missing.png');
  });

  afterAll(async () => {
    await fx?.cleanup();
  });

  it('stores one vector per image with its url, and records the model in the index', async () => {
    const doc = (await fx.es.get<ProductDoc>({ index: fx.index, id: `${products[0]!.spu.tenant_id}:${products[0]!.spu.id}` }))._source!;
    expect(doc.image_embedding).toHaveLength(1);
    expect(doc.image_embedding![0]!.url).toBe(products[0]!.spu.image_src);
    expect(doc.image_embedding![0]!.vector).toHaveLength(16);
    const mapping = await fx.es.indices.getMapping({ index: fx.index });
    expect(Object.values(mapping)[0]!.mappings._meta).toMatchObject({ image_model: 'tiny-clip' });
  });

  it('finds the product whose image it is with a nested kNN query', async () => {
    const encoder = await createImageEncoder({ visionModelPath: clip.visionModelPath, executionProvider: 'cpu' });
    try {
      for (const [i, p] of products.entries()) {
        const [result] = await encoder.encodeImages([p.spu.image_src!]);
        if (!result || !('vector' in result)) throw new Error('query image not encoded');
        const res = await fx.es.search<ProductDoc>({
          index: fx.index,
          size: 1,
          knn: { field: 'image_embedding.vector', query_vector: Array.from(result.vector), k: 1, num_candidates: 10 },
        });
        expect(res.hits.hits[0]!._source!.spu_id, `image ${i}`).toBe(p.spu.id);
      }
    } finally {
      await encoder.close();
    }
  });
});
