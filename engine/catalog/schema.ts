/**
 * DDL of the three Shoplazza source tables (seed §1.1 / §3.1). This module is the source of truth;
 * db/shoplazza.sql is the same text for people who run SQL by hand (a unit test keeps them equal;
 * regenerate with `node bin/rwb.mjs db schema --print > db/shoplazza.sql`). The DDL lives in code so
 * a packaged build that ships only compiled engine files can still create the tables.
 *
 * These tables are a superset of Shoplazza's own (seed §3.2): the MySQL source also reads tables
 * that have only the seed's columns; which of the columns below it requires and which it treats as
 * optional is decided in source-columns.ts.
 *
 * Design choices:
 * - Ids are VARCHAR with a binary collation: merchants' ids are numeric or opaque strings, and keyset
 *   pagination (mysql-source.ts) needs an exact, case-sensitive order.
 * - Text columns are wide (TEXT / MEDIUMTEXT) and nullable on purpose, so that bad data (NULL titles,
 *   absurd lengths) can exist in the source and be reported by the transformer rather than being
 *   silently truncated by MySQL.
 * - `specs_json` / `values_json` are TEXT, not JSON: malformed JSON must be storable and reportable.
 * - Prices are DECIMAL (mysql2 returns them as strings, which the transformer parses exactly once).
 * - Times are DATETIME in UTC (connections use timezone 'Z').
 */
import type { OptionRow, SkuRow, SpuRow } from './types.ts';
import type { Connection, Pool } from 'mysql2/promise';
import { RwbError } from '../errors.ts';

export const SPU_TABLE = 'shoplazza_product_spu';
export const SKU_TABLE = 'shoplazza_product_sku';
export const OPTION_TABLE = 'shoplazza_product_option';

const ID = 'VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL';
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

const SPU_DDL = `CREATE TABLE IF NOT EXISTS \`${SPU_TABLE}\` (
  tenant_id ${ID},
  id ${ID},
  handle VARCHAR(1024) NULL,
  title TEXT NULL COMMENT 'Chinese title (seed §3.2: title -> title_zh)',
  title_en TEXT NULL,
  brief TEXT NULL,
  brief_en TEXT NULL,
  description MEDIUMTEXT NULL,
  description_en MEDIUMTEXT NULL,
  vendor VARCHAR(512) NULL,
  vendor_en VARCHAR(512) NULL,
  category_id VARCHAR(64) NULL,
  category_path VARCHAR(1024) NULL COMMENT 'slash-separated, e.g. 电子产品/音频设备/耳机',
  category_path_en VARCHAR(1024) NULL,
  category_name VARCHAR(255) NULL,
  category_name_en VARCHAR(255) NULL,
  category_level INT NULL,
  tags TEXT NULL COMMENT 'comma-separated',
  image_src VARCHAR(2048) NULL,
  specs_json MEDIUMTEXT NULL COMMENT 'JSON text: [{"name": "...", "value": "..."}]',
  published TINYINT(1) NOT NULL DEFAULT 1,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  create_time DATETIME NULL,
  update_time DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY idx_spu_tenant_update (tenant_id, update_time)
) ${TABLE_OPTIONS}`;

const SKU_DDL = `CREATE TABLE IF NOT EXISTS \`${SKU_TABLE}\` (
  tenant_id ${ID},
  id ${ID},
  spu_id ${ID},
  title VARCHAR(1024) NULL,
  sku VARCHAR(255) NULL COMMENT 'merchant SKU code',
  price DECIMAL(12,2) NULL,
  compare_at_price DECIMAL(12,2) NULL,
  inventory_quantity INT NULL,
  weight DECIMAL(12,3) NULL,
  weight_unit VARCHAR(16) NULL,
  option1 VARCHAR(255) NULL,
  option2 VARCHAR(255) NULL,
  option3 VARCHAR(255) NULL,
  image_src VARCHAR(2048) NULL,
  create_time DATETIME NULL,
  update_time DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY idx_sku_tenant_spu (tenant_id, spu_id),
  KEY idx_sku_tenant_update (tenant_id, update_time)
) ${TABLE_OPTIONS}`;

const OPTION_DDL = `CREATE TABLE IF NOT EXISTS \`${OPTION_TABLE}\` (
  tenant_id ${ID},
  id ${ID},
  spu_id ${ID},
  position TINYINT NOT NULL COMMENT 'option slot 1..3, matches shoplazza_product_sku.option1..3',
  name VARCHAR(255) NOT NULL,
  name_en VARCHAR(255) NULL,
  values_json TEXT NULL COMMENT 'JSON text: ["black", "white"]',
  PRIMARY KEY (tenant_id, id),
  KEY idx_option_tenant_spu (tenant_id, spu_id)
) ${TABLE_OPTIONS}`;

/** The columns of each table, in DDL order: what the source selects and the writer inserts. */
export const SPU_COLUMNS = [
  'tenant_id',
  'id',
  'handle',
  'title',
  'title_en',
  'brief',
  'brief_en',
  'description',
  'description_en',
  'vendor',
  'vendor_en',
  'category_id',
  'category_path',
  'category_path_en',
  'category_name',
  'category_name_en',
  'category_level',
  'tags',
  'image_src',
  'specs_json',
  'published',
  'deleted',
  'create_time',
  'update_time',
] as const satisfies readonly (keyof SpuRow)[];
export const SKU_COLUMNS = [
  'tenant_id',
  'id',
  'spu_id',
  'title',
  'sku',
  'price',
  'compare_at_price',
  'inventory_quantity',
  'weight',
  'weight_unit',
  'option1',
  'option2',
  'option3',
  'image_src',
  'create_time',
  'update_time',
] as const satisfies readonly (keyof SkuRow)[];
export const OPTION_COLUMNS = [
  'tenant_id',
  'id',
  'spu_id',
  'position',
  'name',
  'name_en',
  'values_json',
] as const satisfies readonly (keyof OptionRow)[];

export const SCHEMA_STATEMENTS: readonly string[] = [SPU_DDL, SKU_DDL, OPTION_DDL];

/** The DDL as one SQL script (the content of db/shoplazza.sql). */
export function renderSchemaSql(): string {
  const header = [
    '-- Shoplazza source tables for Relevance Workbench (seed §1.1 / §3.1).',
    '-- Generated from engine/catalog/schema.ts: `node bin/rwb.mjs db schema --print > db/shoplazza.sql`.',
    '-- Apply with `rwb db schema --database <db>` (creates the database too) or run inside a chosen database.',
    '',
  ].join('\n');
  return `${header}\n${SCHEMA_STATEMENTS.map((s) => `${s};\n`).join('\n')}`;
}

const DATABASE_NAME = /^[A-Za-z0-9_$]{1,64}$/;

/** Backtick-quotes a database name after checking it is a plain identifier. */
export function quoteDatabaseName(database: string): string {
  if (!DATABASE_NAME.test(database)) {
    throw new RwbError(
      'INVALID_INPUT',
      `Invalid MySQL database name "${database}": use letters, digits, "_" or "$" (at most 64 characters).`,
    );
  }
  return `\`${database}\``;
}

/**
 * Creates `database` (utf8mb4) and the three tables if they do not exist, then makes it the
 * connection's current database. Safe to run again.
 */
export async function applySchema(conn: Connection | Pool, database: string): Promise<void> {
  const db = quoteDatabaseName(database);
  await conn.query(
    `CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  for (const statement of SCHEMA_STATEMENTS) {
    // Qualified names, so this works on a pool as well as on a single connection.
    await conn.query(
      statement.replace('CREATE TABLE IF NOT EXISTS `', `CREATE TABLE IF NOT EXISTS ${db}.\``),
    );
  }
  if (!('getConnection' in conn)) await conn.query(`USE ${db}`);
}
