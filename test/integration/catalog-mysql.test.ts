/**
 * The MySQL source against the real MariaDB: demo catalog in, SourceProducts out, with the same
 * documents as the generator; tenant and incremental filters; orphans and bad rows reported.
 */
import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog, loadDemoIntoMysql } from '../../engine/catalog/demo-catalog.ts';
import { maxUpdateTime, openMysqlSource } from '../../engine/catalog/mysql-source.ts';
import type { MysqlSourceOptions } from '../../engine/catalog/mysql-source.ts';
import { writeProductsToMysql } from '../../engine/catalog/mysql-writer.ts';
import type { RowError, SourceProduct } from '../../engine/catalog/types.ts';
import type { MysqlConnection } from '../../engine/config/connections.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import {
  describeWith,
  mysqlAvailable,
  mysqlOptions,
  requireComponent,
} from '../helpers/components.ts';

const missing = await requireComponent('MariaDB', mysqlAvailable);
const database = `rwb_test_catalog_${Math.random().toString(36).slice(2, 10)}`;
const conn: MysqlConnection = { ...mysqlOptions(), database };
const demo = { tenants: 3, spusPerTenant: 120, seed: 11 };
let admin: Connection;

async function readAll(opts: MysqlSourceOptions = {}) {
  const errors: RowError[] = [];
  const source = openMysqlSource(conn, { ...opts, onRowError: (e) => errors.push(e) });
  try {
    const products: SourceProduct[] = [];
    for await (const p of source.products()) products.push(p);
    return { products, errors, count: await source.count() };
  } finally {
    await source.close();
  }
}

function docOf(p: SourceProduct) {
  const r = transformSpu(p);
  if (!r.ok) throw new Error(`rejected: ${JSON.stringify(r.errors)}`);
  return r.doc;
}

describeWith([missing], 'MySQL catalog source (real MariaDB)', () => {
  beforeAll(async () => {
    admin = await mysql.createConnection({ ...mysqlOptions(), timezone: 'Z' });
    const loaded = await loadDemoIntoMysql(conn, demo);
    const generated = [...generateDemoCatalog(demo)];
    expect(loaded).toEqual({
      spus: generated.length,
      skus: generated.reduce((n, p) => n + p.skus.length, 0),
      options: generated.reduce((n, p) => n + p.options.length, 0),
    });
    await admin.query(`USE \`${database}\``);
  });

  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin?.end();
  });

  it('streams back every SPU with its SKUs and options, giving the same documents as the generator', async () => {
    const { products, errors, count } = await readAll();
    expect(errors).toEqual([]);
    expect(count).toBe(360);
    const generated = [...generateDemoCatalog(demo)];
    const key = (p: SourceProduct) => `${p.spu.tenant_id}:${p.spu.id}`;
    expect(products.map(key)).toEqual(generated.map(key).sort());
    const byKey = new Map(generated.map((p) => [key(p), p]));
    for (const p of products) {
      expect(p.skus.every((s) => s.spu_id === p.spu.id && s.tenant_id === p.spu.tenant_id)).toBe(
        true,
      );
      expect(docOf(p)).toEqual(docOf(byKey.get(key(p))!));
    }
    const [[skuCount]] = await admin.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM shoplazza_product_sku',
    );
    expect(products.reduce((n, p) => n + p.skus.length, 0)).toBe(Number(skuCount!.n));
  });

  it('pages by keyset without losing or repeating SPUs, and filters tenants', async () => {
    const all = await readAll({ tenantIds: ['2', '3'] });
    const paged = await readAll({ tenantIds: ['2', '3'], pageSize: 7 });
    expect(all.count).toBe(240);
    expect(paged.products.map((p) => `${p.spu.tenant_id}:${p.spu.id}`)).toEqual(
      all.products.map((p) => `${p.spu.tenant_id}:${p.spu.id}`),
    );
    expect(new Set(all.products.map((p) => p.spu.tenant_id))).toEqual(new Set(['2', '3']));
    expect((await readAll({ tenantIds: [] })).products).toEqual([]);
  });

  it('incremental: yields only SPUs whose SPU or SKU update_time is after `since`, and moves the watermark', async () => {
    await loadDemoIntoMysql(conn, { tenants: ['inc'], spusPerTenant: 20, seed: 11 });
    const before = await maxUpdateTime(conn, ['inc']);
    expect(before).toBeInstanceOf(Date);
    expect((await readAll({ tenantIds: ['inc'], since: before! })).products).toEqual([]);
    const later = new Date(before!.getTime() + 60_000);
    await admin.query(
      "UPDATE shoplazza_product_spu SET update_time = ?, title = '改过的标题' WHERE tenant_id = 'inc' AND id = '10003'",
      [later],
    );
    await admin.query(
      "UPDATE shoplazza_product_sku SET update_time = ?, price = 1.5 WHERE tenant_id = 'inc' AND spu_id = '10007' LIMIT 1",
      [later],
    );
    const { products, count } = await readAll({ tenantIds: ['inc'], since: before! });
    expect(products.map((p) => p.spu.id)).toEqual(['10003', '10007']);
    expect(count).toBe(2);
    expect(products[0]!.spu.title).toBe('改过的标题');
    expect(products[1]!.skus.map((s) => s.price)).toContain('1.50');
    expect(await maxUpdateTime(conn, ['inc'])).toEqual(later);
    expect(await maxUpdateTime(conn, ['no-such-tenant'])).toBeNull();
  });

  it('reports orphan SKUs and options, never yields them, and passes bad rows on for the transformer to report', async () => {
    await writeProductsToMysql(
      conn,
      [
        {
          spu: { tenant_id: 'bad', id: 'ok', title: '好商品' },
          skus: [{ tenant_id: 'bad', id: 's1', spu_id: 'ok', price: '10' }],
          options: [],
        },
        {
          spu: { tenant_id: 'bad', id: 'untitled', title: null, title_en: null },
          skus: [],
          options: [],
        },
        {
          spu: { tenant_id: 'bad', id: 'messy', title: '乱', specs_json: '[{"name": ' },
          skus: [{ tenant_id: 'bad', id: 's2', spu_id: 'messy', price: '-3.00' }],
          options: [
            {
              tenant_id: 'bad',
              id: 'o1',
              spu_id: 'messy',
              position: 1,
              name: 'color',
              values_json: 'not json',
            },
          ],
        },
        { spu: { tenant_id: 'bad', id: '', title: 'empty id' }, skus: [], options: [] },
      ],
      { replaceTenants: ['bad'] },
    );
    await admin.query(
      "INSERT INTO shoplazza_product_sku (tenant_id, id, spu_id, price) VALUES ('bad', 'lost', 'ghost', 5)",
    );
    await admin.query(
      "INSERT INTO shoplazza_product_option (tenant_id, id, spu_id, position, name) VALUES ('bad', 'lost-o', 'ghost2', 1, 'size')",
    );

    const { products, errors } = await readAll({ tenantIds: ['bad'] });
    expect(errors).toEqual([
      expect.objectContaining({
        tenant_id: 'bad',
        spu_id: 'ghost',
        where: 'shoplazza_product_sku[id=lost].spu_id',
      }),
      expect.objectContaining({
        tenant_id: 'bad',
        spu_id: 'ghost2',
        where: 'shoplazza_product_option[id=lost-o].spu_id',
      }),
    ]);
    expect(errors[0]!.reason).toMatch(/orphan SKU: SPU ghost does not exist in tenant bad/);
    expect(products.map((p) => p.spu.id)).toEqual(['', 'messy', 'ok', 'untitled']);

    const results = new Map(products.map((p) => [p.spu.id, transformSpu(p)]));
    expect(results.get('ok')).toMatchObject({ ok: true, warnings: [] });
    expect(results.get('')).toMatchObject({
      ok: false,
      errors: [{ where: 'shoplazza_product_spu[id=].id' }],
    });
    expect(results.get('untitled')).toMatchObject({
      ok: false,
      errors: [{ where: 'shoplazza_product_spu[id=untitled].title' }],
    });
    const messy = results.get('messy')!;
    expect(messy.ok && messy.warnings.map((w) => w.where)).toEqual([
      'shoplazza_product_option[id=o1].values_json',
      'shoplazza_product_sku[id=s2].price',
      'shoplazza_product_spu[id=messy].specs_json',
    ]);
  });

  it('skips deleted SPUs in a full read but yields them incrementally', async () => {
    const [[row]] = await admin.query<mysql.RowDataPacket[]>(
      "SELECT update_time FROM shoplazza_product_spu WHERE tenant_id = '1' AND id = '10000'",
    );
    await admin.query(
      "UPDATE shoplazza_product_spu SET deleted = 1 WHERE tenant_id = '1' AND id = '10000'",
    );
    const full = await readAll({ tenantIds: ['1'] });
    expect(full.count).toBe(119);
    expect(full.products.some((p) => p.spu.id === '10000')).toBe(false);
    const since = new Date((row!.update_time as Date).getTime() - 1000);
    const incremental = await readAll({ tenantIds: ['1'], since });
    expect(incremental.products.find((p) => p.spu.id === '10000')?.spu.deleted).toBe(1);
  });

  it('fails with MYSQL_ERROR naming host:port/database when the server is unreachable or the database is missing', async () => {
    const closed = openMysqlSource({ ...conn, port: 1 });
    await expect(closed.count()).rejects.toMatchObject({
      code: 'MYSQL_ERROR',
      message: expect.stringContaining(`127.0.0.1:1/${database}`),
    });
    await closed.close();
    const noDb = openMysqlSource({ ...conn, database: `${database}_missing` });
    await expect(noDb.count()).rejects.toMatchObject({
      code: 'MYSQL_ERROR',
      message: expect.stringMatching(/does not exist; create it with `rwb db schema/),
    });
    await noDb.close();
  });
});
