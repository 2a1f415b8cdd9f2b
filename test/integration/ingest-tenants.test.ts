/**
 * One shared index, three tenants, on the real Elasticsearch (and MariaDB for the MySQL path):
 * `recreate` re-ingests a tenant from scratch without touching the others, `recreateIndex` drops
 * everything, and unpublished products are never searchable — left out of a full run, removed by
 * an incremental one when they become unpublished.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoCatalog, loadDemoIntoMysql } from '../../engine/catalog/demo-catalog.ts';
import type { ProductDoc, SourceProduct } from '../../engine/catalog/types.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import type { IngestOptionsInput } from '../../engine/ingest/options.ts';
import { describeWith, esAvailable, esUrl, mysqlAvailable, requireComponent } from '../helpers/components.ts';
import { createIngestFixture, type IngestFixture } from '../helpers/ingest-fixtures.ts';

const missing = [await requireComponent('Elasticsearch', () => esAvailable()), await requireComponent('MariaDB', mysqlAvailable)];
const catalog: SourceProduct[] = [...generateDemoCatalog({ tenants: 3, spusPerTenant: 12, seed: 17 })];
const ofTenant = (t: string) => catalog.filter((p) => String(p.spu.tenant_id) === t);
let fx: IngestFixture;

async function writeProducts(name: string, products: SourceProduct[]): Promise<string> {
  const file = path.join(fx.tmp, name);
  await fs.writeFile(file, products.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return file;
}

function options(file: string, extra: Partial<IngestOptionsInput> = {}, index = fx.index): IngestOptionsInput {
  return { source: { kind: 'file', path: file }, es: { url: esUrl() }, index, embedding: { model: null }, ...extra };
}
const hooks = () => ({ checkpoints: fx.checkpoints, failuresDir: fx.failuresDir });

/** Documents per tenant, read from the index. */
async function perTenant(index = fx.index): Promise<Record<string, number>> {
  await fx.es.indices.refresh({ index });
  const res = await fx.es.search({ index, size: 0, aggs: { t: { terms: { field: 'tenant_id', size: 100 } } } });
  const buckets = (res.aggregations!.t as { buckets: Array<{ key: string; doc_count: number }> }).buckets;
  return Object.fromEntries(buckets.map((b) => [b.key, b.doc_count]));
}

async function docOrNull(id: string, index = fx.index): Promise<ProductDoc | null> {
  const res = await fx.es.get<ProductDoc>({ index, id }, { ignore: [404] });
  return res.found ? res._source! : null;
}

async function indexUuid(index = fx.index): Promise<string> {
  const res = await fx.es.indices.getSettings({ index });
  return Object.values(res)[0]!.settings!.index!.uuid!;
}

const idOf = (p: SourceProduct) => `${p.spu.tenant_id}:${p.spu.id}`;

/** `rwb ingest … --json` as a user runs it; returns the printed report. */
async function rwbIngest(args: string[]): Promise<{ recreated: unknown; indexed: number }> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(root, 'bin', 'rwb.mjs'), 'ingest', '--source', 'file', '--es', esUrl(), '--index', fx.index, '--no-embeddings', '--json', ...args],
    { cwd: fx.tmp, env: { ...process.env, RWB_HOME: path.join(fx.tmp, 'home'), CI: '' }, timeout: 110_000 },
  );
  return JSON.parse(stdout) as { recreated: unknown; indexed: number };
}

describeWith(missing, 'ingest: tenants sharing one index, published products only', () => {
  beforeAll(async () => {
    fx = await createIngestFixture('ingest_tenants');
  });
  afterAll(async () => {
    await fx?.es.indices.delete({ index: `${fx.index}_pub`, ignore_unavailable: true }).catch(() => undefined);
    await fx?.cleanup();
  });

  describe('recreate', () => {
    let all: Record<string, number>;
    let samples: Record<string, ProductDoc>;

    beforeAll(async () => {
      await runIngest(options(await writeProducts('all.ndjson', catalog)), hooks());
      all = await perTenant();
      samples = { '2': (await docOrNull(idOf(ofTenant('2')[3]!)))!, '3': (await docOrNull(idOf(ofTenant('3')[5]!)))! };
    });

    it('starts with three tenants of the source', () => {
      expect(all).toEqual({ '1': ofTenant('1').length, '2': ofTenant('2').length, '3': ofTenant('3').length });
      expect(samples['2']).not.toBeNull();
      expect(samples['3']).not.toBeNull();
    });

    it('with a tenant, replaces that tenant only and keeps the shared index', async () => {
      const uuid = await indexUuid();
      const [removed, ...kept] = ofTenant('1');
      const file = await writeProducts('tenant1.ndjson', kept);
      const report = await runIngest(options(file, { tenantIds: ['1'], recreate: true }), hooks());
      expect(report.recreated).toEqual({ scope: 'tenants', tenants: [{ tenantId: '1', docs: all['1'] }] });
      expect(await indexUuid()).toBe(uuid);
      const now = await perTenant();
      expect(now).toEqual({ ...all, '1': kept.length });
      expect(await docOrNull(idOf(removed!))).toBeNull();
      expect(await docOrNull(idOf(kept[0]!))).not.toBeNull();
      expect(await docOrNull(idOf(ofTenant('2')[3]!))).toEqual(samples['2']);
      expect(await docOrNull(idOf(ofTenant('3')[5]!))).toEqual(samples['3']);
    });

    it('without a tenant, replaces the tenants the source holds and no others', async () => {
      const one = ofTenant('1').slice(2);
      const two = ofTenant('2').slice(1);
      const report = await runIngest(options(await writeProducts('t12.ndjson', [...one, ...two]), { recreate: true }), hooks());
      expect(report.recreated?.scope).toBe('tenants');
      expect(report.recreated?.tenants.map((t) => t.tenantId)).toEqual(['1', '2']);
      expect(await perTenant()).toEqual({ '1': one.length, '2': two.length, '3': all['3'] });
      expect(await docOrNull(idOf(ofTenant('2')[0]!))).toBeNull();
      expect(await docOrNull(idOf(ofTenant('3')[5]!))).toEqual(samples['3']);
    });

    it('CLI: --tenant with --recreate replaces that tenant and leaves the others', async () => {
      const before = await perTenant();
      const [removed, ...kept] = ofTenant('3');
      const file = await writeProducts('t3.ndjson', kept);
      const report = await rwbIngest(['--file', file, '--tenant', '3', '--recreate']);
      expect(report.recreated).toEqual({ scope: 'tenants', tenants: [{ tenantId: '3', docs: before['3'] }] });
      expect(report.indexed).toBe(kept.length);
      expect(await perTenant()).toEqual({ ...before, '3': kept.length });
      expect(await docOrNull(idOf(removed!))).toBeNull();
    });

    it('recreateIndex drops every tenant and says which went', async () => {
      const uuid = await indexUuid();
      const before = await perTenant();
      const only = ofTenant('2').slice(0, 4);
      const report = await runIngest(options(await writeProducts('t2.ndjson', only), { recreateIndex: true }), hooks());
      expect(report.recreated?.scope).toBe('index');
      expect(Object.fromEntries(report.recreated!.tenants.map((t) => [t.tenantId, t.docs]))).toEqual(before);
      expect(await indexUuid()).not.toBe(uuid);
      expect(await perTenant()).toEqual({ '2': only.length });
    });
  });

  describe('published', () => {
    const index = () => `${fx.index}_pub`;
    const products = ofTenant('3').map((p) => structuredClone(p));
    const hidden = [products[1]!, products[4]!];

    it('leaves unpublished products out unless asked to include them', async () => {
      for (const p of hidden) p.spu.published = 0;
      const file = await writeProducts('pub.ndjson', products);
      const report = await runIngest(options(file, { recreateIndex: true }, index()), hooks());
      expect(report.unpublished).toBe(2);
      expect(report.indexed).toBe(products.length - 2);
      expect(await perTenant(index())).toEqual({ '3': products.length - 2 });
      for (const p of hidden) expect(await docOrNull(idOf(p), index())).toBeNull();

      const all = await runIngest(options(file, { includeUnpublished: true }, index()), hooks());
      expect(all.unpublished).toBe(0);
      expect(await perTenant(index())).toEqual({ '3': products.length });
      expect(await docOrNull(idOf(hidden[0]!), index())).not.toBeNull();
    });

    it('an incremental run removes a product that became unpublished', async () => {
      const target = products[7]!;
      expect(await docOrNull(idOf(target), index())).not.toBeNull();
      target.spu.published = 0;
      target.spu.update_time = new Date('2099-01-01T00:00:00Z');
      const report = await runIngest(options(await writeProducts('pub.ndjson', products), { incremental: true, includeUnpublished: false }, index()), hooks());
      expect(report.since).not.toBeNull();
      expect(report.total).toBe(1);
      expect(report.deleted).toBe(1);
      expect(report.unpublished).toBe(1);
      expect(await docOrNull(idOf(target), index())).toBeNull();
      // The two that were indexed with includeUnpublished did not change, so incremental leaves them.
      expect(await perTenant(index())).toEqual({ '3': products.length - 1 });
    });

    it('MySQL: unpublished rows are not indexed, and leave the index when unpublished later', async () => {
      const demo = { tenants: ['7'], spusPerTenant: 10, seed: 23 };
      const rows = [...generateDemoCatalog(demo)];
      await loadDemoIntoMysql(fx.conn, demo);
      await fx.sql("UPDATE shoplazza_product_spu SET published = 0 WHERE tenant_id = '7' AND id = ?", [rows[0]!.spu.id]);
      const mysqlOptions = (extra: Partial<IngestOptionsInput>): IngestOptionsInput => ({
        ...options('unused', extra, index()),
        source: { kind: 'mysql', connection: fx.conn },
        tenantIds: ['7'],
      });
      const full = await runIngest(mysqlOptions({ recreate: true }), hooks());
      expect(full.unpublished).toBe(1);
      expect((await perTenant(index()))['7']).toBe(rows.length - 1);
      expect(await docOrNull(idOf(rows[0]!), index())).toBeNull();

      await fx.sql("UPDATE shoplazza_product_spu SET published = 0, update_time = '2099-01-01 00:00:00' WHERE tenant_id = '7' AND id = ?", [rows[1]!.spu.id]);
      const inc = await runIngest(mysqlOptions({ incremental: true }), hooks());
      expect(inc.total).toBe(1);
      expect(inc.unpublished).toBe(1);
      expect(await docOrNull(idOf(rows[1]!), index())).toBeNull();
      expect((await perTenant(index()))['7']).toBe(rows.length - 2);
      expect((await perTenant(index()))['3']).toBe(products.length - 1); // the file tenant is untouched
    });
  });
});
