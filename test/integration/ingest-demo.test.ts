/**
 * The whole ingest path on real components: demo catalog in MariaDB (plus deliberately bad rows)
 * → transformer → bge-small-zh ONNX embeddings → the real Elasticsearch. Asserts counts, every
 * mapped field, nested structures, vectors, idempotent re-runs, incremental sync, bad-row reports
 * and a semantic kNN neighbour.
 */
import fs from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog, loadDemoIntoMysql } from '../../engine/catalog/demo-catalog.ts';
import type { ProductDoc, SourceProduct } from '../../engine/catalog/types.ts';
import { createTextEncoder, fetchModel } from '../../engine/embed/index.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import type { IngestOptionsInput } from '../../engine/ingest/options.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import { defaultConfigForIndex } from '../../engine/search/index-default-config.ts';
import { describeWith, esAvailable, esUrl, mysqlAvailable, requireComponent } from '../helpers/components.ts';
import { createIngestFixture, vectorNorm, type IngestFixture } from '../helpers/ingest-fixtures.ts';

const MODEL = 'bge-small-zh-v15-q';
const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('MariaDB', mysqlAvailable),
  await requireComponent(`ONNX model ${MODEL}`, () => fetchModel(MODEL)),
];
const demo = { tenants: 3, spusPerTenant: 80, seed: 7 };
let fx: IngestFixture;

function options(extra: Partial<IngestOptionsInput> = {}): IngestOptionsInput {
  return {
    source: { kind: 'mysql', connection: fx.conn },
    es: { url: esUrl() },
    index: fx.index,
    embedding: { model: MODEL, cacheDir: fx.cacheDir },
    ...extra,
  };
}
const hooks = () => ({ checkpoints: fx.checkpoints, failuresDir: fx.failuresDir });

async function countDocs(query?: object): Promise<number> {
  const res = await fx.es.count({ index: fx.index, ...(query ? { query } : {}) });
  return res.count;
}

async function getDoc(id: string): Promise<ProductDoc> {
  const res = await fx.es.get<ProductDoc>({ index: fx.index, id });
  return res._source!;
}

describeWith(missing, 'ingest: demo catalog MySQL → ES with embeddings', () => {
  const generated: SourceProduct[] = [...generateDemoCatalog(demo)];

  beforeAll(async () => {
    fx = await createIngestFixture('ingest_demo');
    await loadDemoIntoMysql(fx.conn, demo);
    // Bad rows of every kind the issue names, next to good ones.
    const now = '2024-05-01 10:00:00';
    await fx.sql(
      `INSERT INTO shoplazza_product_spu (tenant_id, id, title, title_en, specs_json, create_time, update_time)
       VALUES ('1','bad-no-title',NULL,NULL,NULL,?,?), ('1','bad-json','坏规格商品','Bad specs product','{not json',?,?),
              ('1','bad-price','负价格商品','Negative price product',NULL,?,?)`,
      [now, now, now, now, now, now],
    );
    await fx.sql(
      `INSERT INTO shoplazza_product_sku (tenant_id, id, spu_id, price, inventory_quantity, create_time, update_time)
       VALUES ('1','sku-neg','bad-price',-5,3,?,?), ('1','sku-ok','bad-price',12.5,2,?,?), ('1','sku-orphan','no-such-spu',9,1,?,?)`,
      [now, now, now, now, now, now],
    );
  });

  afterAll(async () => {
    await fx?.cleanup();
  });

  it('indexes every good product, reports each bad row and keeps the rest', async () => {
    const report = await runIngest(options({ recreate: true, batchSize: 100 }), hooks());
    const good = generated.length + 2; // bad-json and bad-price are still indexable
    expect(report.total).toBe(generated.length + 3);
    expect(report.indexed).toBe(good);
    expect(report.failed).toBe(1);
    expect(report.failures.map((f) => f.spu_id)).toEqual(['bad-no-title']);
    expect(await countDocs()).toBe(good);
    for (const tenant of ['1', '2', '3']) {
      const expected = generated.filter((p) => p.spu.tenant_id === tenant).length + (tenant === '1' ? 2 : 0);
      expect(await countDocs({ term: { tenant_id: tenant } })).toBe(expected);
    }
    const log = (await fs.readFile(report.failuresFile!, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const wheres = log.map((l) => `${l.severity} ${l.where}`);
    expect(wheres).toContain('failure shoplazza_product_spu[id=bad-no-title].title');
    expect(wheres.some((w) => w.startsWith('warning') && w.includes('[id=bad-json].specs_json'))).toBe(true);
    expect(wheres.some((w) => w.startsWith('warning') && w.includes('sku[id=sku-neg].price'))).toBe(true);
    expect(wheres.some((w) => w.startsWith('warning') && w.includes('sku-orphan'))).toBe(true);
    const badPrice = await getDoc('1:bad-price');
    expect(badPrice.min_price).toBe(12.5);
    expect(badPrice.skus.map((s) => s.sku_id).sort()).toEqual(['sku-neg', 'sku-ok']);
    expect(report.embedding).toMatchObject({ model: MODEL, dims: 512, executionProvider: 'cpu' });
    expect(report.embedding!.computed).toBeGreaterThan(0);
    // Refresh is off during the bulk load and back to the default afterwards.
    const settings = await fx.es.indices.getSettings({ index: fx.index, flat_settings: true });
    expect(Object.values(settings)[0]!.settings!['index.refresh_interval']).toBeUndefined();
  });

  it('stores exactly what the transformer produced, in every mapped field, with unit vectors', async () => {
    const sample = generated.filter((_, i) => i % 17 === 0);
    for (const product of sample) {
      const expected = transformSpu(product);
      if (!expected.ok) throw new Error('demo product rejected');
      const stored = await getDoc(`${product.spu.tenant_id}:${product.spu.id}`);
      const { title_embedding, ...rest } = stored;
      expect(rest).toEqual(JSON.parse(JSON.stringify(expected.doc)));
      expect(title_embedding).toHaveLength(512);
      expect(vectorNorm(title_embedding!)).toBeCloseTo(1, 4);
    }
    // Every field of the mapping is filled in some document (image_embedding needs an image model).
    const mapping = await fx.es.indices.getMapping({ index: fx.index });
    const mapped = Object.keys(Object.values(mapping)[0]!.mappings.properties!);
    const filled = new Set<string>();
    for (const product of generated) {
      const r = transformSpu(product);
      if (!r.ok) continue;
      for (const [k, v] of Object.entries(r.doc)) if (v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) filled.add(k);
    }
    filled.add('title_embedding');
    const unfilled = mapped.filter((f) => !filled.has(f)).sort();
    expect(unfilled).toEqual(['image_embedding']);
  });

  it('keeps nested SKUs and specifications queryable as nested objects', async () => {
    const product = generated.find((p) => p.skus.length >= 2 && p.options.length >= 2)!;
    const doc = await getDoc(`${product.spu.tenant_id}:${product.spu.id}`);
    expect(doc.skus).toHaveLength(product.skus.length);
    const spec = doc.specifications.find((s) => s.sku_id !== '')!;
    // A nested query must match name and value on the SAME specification object.
    const hit = await fx.es.search({
      index: fx.index,
      query: {
        bool: {
          filter: [
            { term: { tenant_id: product.spu.tenant_id } },
            { term: { spu_id: product.spu.id } },
            { nested: { path: 'specifications', query: { bool: { filter: [{ term: { 'specifications.name': spec.name } }, { term: { 'specifications.value': spec.value } }] } } } },
          ],
        },
      },
    });
    expect(hit.hits.hits).toHaveLength(1);
    const otherName = doc.specifications.find((s) => s.name !== spec.name && s.sku_id !== '')!;
    const crossed = await fx.es.count({
      index: fx.index,
      query: {
        bool: {
          filter: [
            { term: { spu_id: product.spu.id } },
            { nested: { path: 'specifications', query: { bool: { filter: [{ term: { 'specifications.name': spec.name } }, { term: { 'specifications.value': otherName.value } }] } } } },
          ],
        },
      },
    });
    expect(crossed.count).toBe(doc.specifications.some((s) => s.name === spec.name && s.value === otherName.value) ? 1 : 0);
  });

  it('finds the semantically obvious product with a Chinese kNN query', async () => {
    const encoder = await createTextEncoder({ model: MODEL });
    try {
      const [vector] = await encoder.encodeQueries(['蓝牙耳机']);
      const res = await fx.es.search<ProductDoc>({
        index: fx.index,
        size: 3,
        knn: { field: 'title_embedding', query_vector: Array.from(vector!), k: 3, num_candidates: 100, filter: { term: { tenant_id: '1' } } },
      });
      // The nearest neighbour is an audio device, and headphones are among the first three
      // (the small bge model may rank a Bluetooth speaker first: "蓝牙" is half the query).
      const hits = res.hits.hits.map((h) => h._source!);
      expect(hits[0]!.category2_name).toBe('音频设备');
      expect(hits.some((h) => h.category3_name === '耳机')).toBe(true);
      expect(hits.every((h) => h.tenant_id === '1')).toBe(true);
    } finally {
      await encoder.close();
    }
  });

  it('gives searches over this index a default config with query vectors of its model', async () => {
    const start = await defaultConfigForIndex(fx.es, fx.index);
    expect(start).toMatchObject({ textModel: MODEL, indexRead: true });
    expect(start.config.query.textEmbedding).toMatchObject({ enabled: true, model: MODEL });
    const missingIndex = await defaultConfigForIndex(fx.es, `${fx.index}_missing`);
    expect(missingIndex.indexRead).toBe(false);
    expect(missingIndex.config.query.textEmbedding.enabled).toBe(false);
  });

  it('re-running changes nothing and computes no vector twice', async () => {
    const before = await countDocs();
    const report = await runIngest(options(), hooks());
    expect(await countDocs()).toBe(before);
    expect(report.indexed).toBe(before);
    expect(report.embedding!.computed).toBe(0);
    expect(report.embedding!.cached).toBe(before);
  });

  it('incremental mode picks up only changed, new and deleted products', async () => {
    const changed = generated.find((p) => p.spu.tenant_id === '2')!;
    const removed = generated.find((p) => p.spu.tenant_id === '3')!;
    const later = '2099-01-01 00:00:00';
    await fx.sql('UPDATE shoplazza_product_spu SET title_en = ?, update_time = ? WHERE tenant_id = ? AND id = ?', ['Renamed product', later, '2', changed.spu.id]);
    await fx.sql('UPDATE shoplazza_product_spu SET deleted = 1, update_time = ? WHERE tenant_id = ? AND id = ?', [later, '3', removed.spu.id]);
    await fx.sql(
      "INSERT INTO shoplazza_product_spu (tenant_id, id, title, title_en, create_time, update_time) VALUES ('2','new-spu','新品 无线充电器','New wireless charger',?,?)",
      [later, later],
    );
    const before = await countDocs();
    const report = await runIngest(options({ incremental: true }), hooks());
    expect(report.since).not.toBeNull();
    expect(report.total).toBe(3);
    expect(report.indexed).toBe(2);
    expect(report.deleted).toBe(1);
    expect(await countDocs()).toBe(before); // one new, one deleted
    expect((await getDoc(`2:${changed.spu.id}`)).title_en).toBe('Renamed product');
    expect((await getDoc('2:new-spu')).title_zh).toBe('新品 无线充电器');
    expect((await fx.es.exists({ index: fx.index, id: `3:${removed.spu.id}` }))).toBe(false);
    // Nothing changed since: the next incremental run has nothing to do.
    const again = await runIngest(options({ incremental: true }), hooks());
    expect(again.total).toBe(0);
  });
});
