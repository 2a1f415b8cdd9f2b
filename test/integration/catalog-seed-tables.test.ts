/**
 * Ingest from tables that have ONLY the seed's columns (Shoplazza's own tables, seed §3.2), on the
 * real MariaDB and Elasticsearch: none of the project's extra columns (*_en, specs_json, published,
 * deleted, name_en, values_json, handle, tags, SPU image_src, SKU title/times) exist, ids are BIGINT.
 * Products must be indexed with every field the seed's columns feed, and the run must say which
 * optional columns are missing and which index fields stay empty — in the report and on the CLI.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openMysqlSource } from '../../engine/catalog/mysql-source.ts';
import { optionalColumns } from '../../engine/catalog/source-columns.ts';
import type { SourceTable } from '../../engine/catalog/source-columns.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import type { IngestOptionsInput } from '../../engine/ingest/options.ts';
import { repoRoot } from '../../engine/paths.ts';
import {
  describeWith,
  esAvailable,
  esUrl,
  mysqlAvailable,
  mysqlOptions,
  requireComponent,
} from '../helpers/components.ts';
import { createIngestFixture, type IngestFixture } from '../helpers/ingest-fixtures.ts';

const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('MariaDB', mysqlAvailable),
];
const run = promisify(execFile);

// The seed's tables, written from §1.2/§2.1/§3.2 and not from engine/catalog/schema.ts: ids as
// BIGINT (as a shop platform keeps them), no *_en columns, no flags, no JSON columns.
const SEED_DDL = [
  `CREATE TABLE shoplazza_product_spu (
     tenant_id BIGINT NOT NULL, id BIGINT NOT NULL,
     title VARCHAR(512) NULL, brief VARCHAR(1024) NULL, description TEXT NULL, vendor VARCHAR(255) NULL,
     category_id BIGINT NULL, category_path VARCHAR(1024) NULL, category_name VARCHAR(255) NULL,
     category_level INT NULL, create_time DATETIME NULL, update_time DATETIME NULL,
     PRIMARY KEY (tenant_id, id)) DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE shoplazza_product_sku (
     tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, spu_id BIGINT NOT NULL,
     sku VARCHAR(255) NULL, price DECIMAL(12,2) NULL, compare_at_price DECIMAL(12,2) NULL,
     inventory_quantity INT NULL, weight DECIMAL(12,3) NULL, weight_unit VARCHAR(16) NULL,
     option1 VARCHAR(255) NULL, option2 VARCHAR(255) NULL, option3 VARCHAR(255) NULL,
     image_src VARCHAR(2048) NULL,
     PRIMARY KEY (tenant_id, id), KEY (tenant_id, spu_id)) DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE shoplazza_product_option (
     tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, spu_id BIGINT NOT NULL,
     position INT NOT NULL, name VARCHAR(255) NOT NULL,
     PRIMARY KEY (tenant_id, id), KEY (tenant_id, spu_id)) DEFAULT CHARSET=utf8mb4`,
];

/** Past 2^53: must arrive as the exact text, not a rounded number. */
const BIG_SPU = '9007199254740993';
const T0 = '2024-05-01 10:00:00';

let fx: IngestFixture;

function options(extra: Partial<IngestOptionsInput> = {}): IngestOptionsInput {
  return {
    source: { kind: 'mysql', connection: fx.conn },
    es: { url: esUrl() },
    index: fx.index,
    embedding: { model: null },
    ...extra,
  };
}
const hooks = () => ({ checkpoints: fx.checkpoints, failuresDir: fx.failuresDir });

async function getDoc(id: string): Promise<ProductDoc> {
  return (await fx.es.get<ProductDoc>({ index: fx.index, id }))._source!;
}

describeWith(missing, "ingest from the seed's Shoplazza tables (only the seed's columns)", () => {
  beforeAll(async () => {
    fx = await createIngestFixture('seed_tables');
    for (const ddl of SEED_DDL) await fx.sql(ddl);
    await fx.sql(
      `INSERT INTO shoplazza_product_spu VALUES
         (1, 101, '蓝牙耳机', '高品质蓝牙耳机', '<p>降噪</p>', '品牌A', 31, '电子产品/音频设备/耳机', '耳机', 3, ?, ?),
         (1, ${BIG_SPU}, '机械键盘', NULL, NULL, 'KeyCo', 32, '电子产品/外设', NULL, NULL, ?, ?),
         (1, 103, '运动水杯', '大容量', NULL, NULL, NULL, NULL, NULL, NULL, ?, ?),
         (2, 101, '另一家店的耳机', NULL, NULL, '品牌B', 31, '电子产品/音频设备/耳机', '耳机', 3, ?, ?)`,
      [T0, T0, T0, T0, T0, T0, T0, T0],
    );
    await fx.sql(
      `INSERT INTO shoplazza_product_sku VALUES
         (1, 1001, 101, 'SKU-101-B', 199.99, 249.99, 50, 0.2, 'kg', 'black', 'L', NULL, 'https://img.example/101-b.jpg'),
         (1, 1002, 101, 'SKU-101-W', 299.99, NULL, 5, 0.2, 'kg', 'white', 'L', NULL, NULL),
         (1, 2001, ${BIG_SPU}, 'KB-1', 89.00, NULL, 7, 900, 'g', NULL, NULL, NULL, 'https://img.example/kb.jpg'),
         (2, 1001, 101, 'B-1', 10.00, NULL, 1, NULL, NULL, 'red', NULL, NULL, NULL)`,
    );
    await fx.sql(
      `INSERT INTO shoplazza_product_option VALUES
         (1, 1, 101, 1, 'color'), (1, 2, 101, 2, 'size'), (2, 1, 101, 1, '颜色')`,
    );
  });

  afterAll(async () => {
    await fx?.cleanup();
  });

  it('indexes every product with the fields the seed columns feed, and reports the missing optional columns', async () => {
    const report = await runIngest(options(), hooks());
    expect(report).toMatchObject({ total: 4, indexed: 4, failed: 0, warnings: 0 });

    const missingColumns = report.sourceColumns!.missing.map((m) => `${m.table}.${m.column}`);
    const tables: SourceTable[] = [
      'shoplazza_product_spu',
      'shoplazza_product_sku',
      'shoplazza_product_option',
    ];
    expect(new Set(missingColumns)).toEqual(
      new Set(tables.flatMap((t) => optionalColumns(t).map((c) => `${t}.${c}`))),
    );
    expect(report.sourceColumns!.emptyFields).toEqual(
      expect.arrayContaining(['title_en', 'brief_en', 'vendor_en', 'category_name_en', 'tags']),
    );

    const doc = await getDoc('1:101');
    expect(doc).toMatchObject({
      tenant_id: '1',
      spu_id: '101',
      title_zh: '蓝牙耳机',
      brief_zh: '高品质蓝牙耳机',
      description_zh: '<p>降噪</p>',
      vendor_zh: '品牌A',
      category_id: '31',
      category_path_zh: '电子产品/音频设备/耳机',
      category_name: '耳机',
      category_level: 3,
      category1_name: '电子产品',
      category2_name: '音频设备',
      category3_name: '耳机',
      option1_name: 'color',
      option2_name: 'size',
      min_price: 199.99,
      max_price: 299.99,
      compare_at_price: 249.99,
      sku_prices: [199.99, 299.99],
      total_inventory: 55,
      create_time: '2024-05-01T10:00:00.000Z',
      image_src: 'https://img.example/101-b.jpg',
    });
    expect(doc.title_en ?? null).toBeNull();
    expect(doc.tags ?? []).toEqual([]);
    expect(doc.skus[0]).toMatchObject({
      sku_id: '1001',
      sku_code: 'SKU-101-B',
      price: 199.99,
      stock: 50,
      weight: 0.2,
      weight_unit: 'kg',
      option1_value: 'black',
      option2_value: 'L',
    });
    expect(doc.specifications).toEqual(
      expect.arrayContaining([
        { sku_id: '1001', name: 'color', value: 'black' },
        { sku_id: '1002', name: 'size', value: 'L' },
      ]),
    );

    const big = await getDoc(`1:${BIG_SPU}`);
    expect(big).toMatchObject({
      spu_id: BIG_SPU,
      vendor_zh: 'KeyCo',
      category_name: '外设',
      category_level: 2,
    });
    expect(big.skus.map((s) => s.sku_id)).toEqual(['2001']);
    // Tenants stay apart although their SPU and SKU ids are the same.
    expect((await getDoc('2:101')).skus).toMatchObject([{ sku_id: '1001', sku_code: 'B-1' }]);
    expect((await getDoc('2:101')).option1_name).toBe('颜色');
  });

  it('runs incrementally on SPU update_time (the seed SKU table has no update_time)', async () => {
    const later = '2024-06-01 08:00:00';
    await fx.sql(
      `UPDATE shoplazza_product_spu SET title = '蓝牙耳机 二代', update_time = ? WHERE tenant_id = 1 AND id = 101`,
      [later],
    );
    await fx.sql(`UPDATE shoplazza_product_sku SET price = 1.00 WHERE tenant_id = 1 AND id = 2001`);
    const report = await runIngest(options({ incremental: true }), hooks());
    expect(report).toMatchObject({ total: 1, indexed: 1, failed: 0 });
    expect((await getDoc('1:101')).title_zh).toBe('蓝牙耳机 二代');
    // As reported: a SKU-only change is not seen until its SPU row changes.
    expect((await getDoc(`1:${BIG_SPU}`)).min_price).toBe(89);
  });

  it("`rwb ingest` takes the seed's --db-* flags and prints the missing columns", async () => {
    const index = `${fx.index}_cli`;
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [
          path.join(repoRoot(), 'bin', 'rwb.mjs'),
          'ingest',
          '--db-host',
          mysqlOptions().host,
          '--db-port',
          String(mysqlOptions().port),
          '--db-database',
          fx.database,
          '--db-username',
          mysqlOptions().user,
          '--db-password',
          mysqlOptions().password,
          '--tenant',
          '2',
          '--es',
          esUrl(),
          '--index',
          index,
          '--no-embeddings',
        ],
        { env: { ...process.env, RWB_HOME: fx.tmp, CI: '' }, timeout: 110_000 },
      );
      const out = `${stdout}\n${stderr}`;
      expect(stdout).toMatch(/1 indexed, 0 failed/);
      expect(out).toMatch(
        /lack \d+ optional columns; index fields left empty for every product: .*title_en/,
      );
      expect(out).toContain(
        'optional column shoplazza_product_spu.published is missing: every product counts as published',
      );
      expect((await fx.es.count({ index })).count).toBe(1);
    } finally {
      await fx.es.indices.delete({ index, ignore_unavailable: true });
    }
  });

  it('refuses tables without a required seed column, naming it, before reading any product', async () => {
    await fx.sql('ALTER TABLE shoplazza_product_sku DROP COLUMN weight_unit');
    const source = openMysqlSource(fx.conn);
    try {
      await expect(source.count()).rejects.toMatchObject({
        code: 'MYSQL_ERROR',
        message: expect.stringContaining('shoplazza_product_sku lacks weight_unit'),
      });
    } finally {
      await source.close();
    }
  });
});
