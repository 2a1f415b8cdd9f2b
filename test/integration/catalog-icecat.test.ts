/**
 * The full Icecat catalog (19,406 products) into the real MariaDB and back through the MySQL source
 * and the transformer. Skips locally without the data or MariaDB; fails under CI.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ICECAT_PRODUCT_COUNT, loadIcecatIntoMysql } from '../../engine/catalog/icecat.ts';
import { openMysqlSource } from '../../engine/catalog/mysql-source.ts';
import type { RowError } from '../../engine/catalog/types.ts';
import type { MysqlConnection } from '../../engine/config/connections.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import { icecatDir } from '../../engine/paths.ts';
import {
  describeWith,
  mysqlAvailable,
  mysqlOptions,
  requireComponent,
} from '../helpers/components.ts';

const missing = [
  await requireComponent('MariaDB', mysqlAvailable),
  await requireComponent(`Icecat data (${icecatDir()})`, () =>
    access(path.join(icecatDir(), 'products-1.json')),
  ),
];
const database = `rwb_test_catalog_${Math.random().toString(36).slice(2, 10)}`;
const conn: MysqlConnection = { ...mysqlOptions(), database };

describeWith(missing, 'Icecat loader (real MariaDB, full data)', () => {
  let loaded: Awaited<ReturnType<typeof loadIcecatIntoMysql>>;
  const loadErrors: RowError[] = [];
  let progressCalls = 0;

  beforeAll(async () => {
    loaded = await loadIcecatIntoMysql(conn, {
      tenantId: 'ice',
      onRowError: (e) => loadErrors.push(e),
      onProgress: () => (progressCalls += 1),
    });
  });

  afterAll(async () => {
    const admin = await mysql.createConnection(mysqlOptions());
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  });

  it('loads all 19,406 products as SPUs with one SKU each', async () => {
    expect(loadErrors).toEqual([]);
    expect(loaded).toEqual({
      spus: ICECAT_PRODUCT_COUNT,
      skus: ICECAT_PRODUCT_COUNT,
      options: 0,
      files: 4,
    });
    expect(progressCalls).toBeGreaterThan(10);
    const admin = await mysql.createConnection({ ...mysqlOptions(), database });
    try {
      const [[counts]] = await admin.query<mysql.RowDataPacket[]>(
        `SELECT (SELECT COUNT(*) FROM shoplazza_product_spu WHERE tenant_id = 'ice') AS spus,
                (SELECT COUNT(*) FROM shoplazza_product_sku WHERE tenant_id = 'ice') AS skus,
                (SELECT COUNT(*) FROM shoplazza_product_spu WHERE tenant_id = 'ice' AND title IS NULL AND title_en IS NOT NULL) AS english_only,
                (SELECT COUNT(*) FROM shoplazza_product_spu WHERE tenant_id = 'ice' AND category_path_en IS NOT NULL) AS categorised`,
      );
      expect(Number(counts!.spus)).toBe(ICECAT_PRODUCT_COUNT);
      expect(Number(counts!.skus)).toBe(ICECAT_PRODUCT_COUNT);
      expect(Number(counts!.english_only)).toBe(ICECAT_PRODUCT_COUNT);
      // The title heuristic categorises most products (about 85% on this data).
      expect(Number(counts!.categorised)).toBeGreaterThan(ICECAT_PRODUCT_COUNT * 0.8);
    } finally {
      await admin.end();
    }
  });

  it('streams back through the MySQL source; every product transforms, and a known product is mapped right', async () => {
    const errors: RowError[] = [];
    const source = openMysqlSource(conn, { tenantIds: ['ice'], onRowError: (e) => errors.push(e) });
    let documents = 0;
    let xerox: ProductDoc | undefined;
    try {
      expect(await source.count()).toBe(ICECAT_PRODUCT_COUNT);
      for await (const p of source.products()) {
        const r = transformSpu(p);
        if (!r.ok) throw new Error(`rejected ${p.spu.id}: ${JSON.stringify(r.errors)}`);
        documents += 1;
        if (p.spu.id === '3920564') xerox = r.doc;
      }
    } finally {
      await source.close();
    }
    expect(errors).toEqual([]);
    expect(documents).toBe(ICECAT_PRODUCT_COUNT);
    expect(xerox).toMatchObject({
      tenant_id: 'ice',
      spu_id: '3920564',
      title_zh: null,
      title_en: 'Xerox 006R90321 toner cartridge Original Black 6 pc(s)',
      brief_en: 'Toner (6 Per Box) for CopyCentre C65 Digital Copier',
      vendor_en: 'Xerox',
      category1_name: 'Printing Supplies',
      category2_name: 'Toner cartridge',
      create_time: '2009-12-10T00:00:00.000Z',
      min_price: 49.95,
      max_price: 49.95,
      sku_prices: [49.95],
      skus: [expect.objectContaining({ sku_id: '3920564', sku_code: '006R90321', price: 49.95 })],
    });
    expect(xerox!.specifications).toEqual(
      expect.arrayContaining([
        { sku_id: '', name: 'printing_colours', value: 'Black' },
        { sku_id: '', name: 'black_toner_page_yield', value: '23000' },
      ]),
    );
  });
});
