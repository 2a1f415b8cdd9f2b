/**
 * The real catalog end to end: all 19,406 Icecat products loaded into MariaDB, ingested with the
 * bge-small-en ONNX model into the real Elasticsearch, then checked: counts, a known product field
 * by field, vectors, and English kNN queries that must find the obvious products.
 * Skips locally without the data; fails under CI=true.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ICECAT_PRODUCT_COUNT, loadIcecatIntoMysql } from '../../engine/catalog/icecat.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import { createTextEncoder, fetchModel, type TextEncoder } from '../../engine/embed/index.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import type { IngestReport } from '../../engine/ingest/report.ts';
import { icecatDir } from '../../engine/paths.ts';
import { describeWith, esAvailable, esUrl, mysqlAvailable, requireComponent } from '../helpers/components.ts';
import { createIngestFixture, vectorNorm, type IngestFixture } from '../helpers/ingest-fixtures.ts';

const MODEL = 'bge-small-en-v15-q';
const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('MariaDB', mysqlAvailable),
  await requireComponent(`Icecat data (${icecatDir()})`, () => access(path.join(icecatDir(), 'products-1.json'))),
  await requireComponent(`ONNX model ${MODEL}`, () => fetchModel(MODEL)),
];
let fx: IngestFixture;
let report: IngestReport;
let encoder: TextEncoder;

async function knn(query: string, k = 5): Promise<ProductDoc[]> {
  const [vector] = await encoder.encodeQueries([query]);
  const res = await fx.es.search<ProductDoc>({
    index: fx.index,
    size: k,
    _source: { excludes: ['title_embedding'] },
    knn: { field: 'title_embedding', query_vector: Array.from(vector!), k, num_candidates: 200, filter: { term: { tenant_id: 'icecat' } } },
  });
  return res.hits.hits.map((h) => h._source!);
}

describeWith(missing, 'ingest: Icecat (19,406 products) MySQL → ES with bge-small-en', () => {
  beforeAll(async () => {
    fx = await createIngestFixture('ingest_icecat');
    const loaded = await loadIcecatIntoMysql(fx.conn, { tenantId: 'icecat' });
    expect(loaded.spus).toBe(ICECAT_PRODUCT_COUNT);
    // The vector cache under RWB_HOME is shared on purpose: a second local run embeds nothing.
    report = await runIngest(
      { source: { kind: 'mysql', connection: fx.conn }, es: { url: esUrl() }, index: fx.index, recreate: true, embedding: { model: MODEL } },
      { checkpoints: fx.checkpoints, failuresDir: fx.failuresDir },
    );
    encoder = await createTextEncoder({ model: MODEL });
  }, 1_800_000);

  afterAll(async () => {
    await encoder?.close();
    await fx?.cleanup();
  });

  it('indexes every product exactly once', async () => {
    expect(report.total).toBe(ICECAT_PRODUCT_COUNT);
    expect(report.indexed).toBe(ICECAT_PRODUCT_COUNT);
    expect(report.failed).toBe(0);
    expect((await fx.es.count({ index: fx.index })).count).toBe(ICECAT_PRODUCT_COUNT);
    expect(report.embedding).toMatchObject({ model: MODEL, dims: 384 });
    expect(report.embedding!.computed + report.embedding!.cached).toBe(ICECAT_PRODUCT_COUNT);
  });

  it('maps a known product field by field', async () => {
    const doc = (await fx.es.get<ProductDoc>({ index: fx.index, id: 'icecat:3920564' }))._source!;
    expect(doc).toMatchObject({
      tenant_id: 'icecat',
      spu_id: '3920564',
      title_en: 'Xerox 006R90321 toner cartridge Original Black 6 pc(s)',
      brief_en: 'Toner (6 Per Box) for CopyCentre C65 Digital Copier',
      vendor_en: 'Xerox',
      min_price: 49.95,
      max_price: 49.95,
      sku_prices: [49.95],
      create_time: '2009-12-10T00:00:00.000Z',
    });
    expect(doc.title_zh ?? null).toBeNull();
    expect(doc.skus).toHaveLength(1);
    expect(doc.skus[0]).toMatchObject({ sku_id: '3920564', price: 49.95 });
    const specs = Object.fromEntries(doc.specifications.map((s) => [s.name, s.value]));
    expect(specs).toMatchObject({ print_technology: expect.any(String), quantity_per_pack: '6' });
    expect(doc.title_embedding).toHaveLength(384);
    expect(vectorNorm(doc.title_embedding!)).toBeCloseTo(1, 4);
  });

  it('finds the obvious products with English kNN queries', async () => {
    const toner = await knn('toner cartridge');
    expect(toner.filter((d) => /toner/i.test(d.title_en ?? '')).length).toBeGreaterThanOrEqual(4);
    const laptops = await knn('laptop');
    expect(laptops.filter((d) => /notebook|laptop/i.test(`${d.title_en} ${d.category_path_en ?? ''}`)).length).toBeGreaterThanOrEqual(4);
  });
});
