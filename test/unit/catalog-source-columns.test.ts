/**
 * Which Shoplazza columns the MySQL source requires (the seed's, §3.2) and what it reports when the
 * project's optional columns are missing.
 */
import { describe, expect, it } from 'vitest';
import {
  OPTION_COLUMNS,
  OPTION_TABLE,
  SKU_COLUMNS,
  SKU_TABLE,
  SPU_COLUMNS,
  SPU_TABLE,
} from '../../engine/catalog/schema.ts';
import {
  describeMissingColumns,
  optionalColumns,
  requiredColumns,
  resolveSourceColumns,
} from '../../engine/catalog/source-columns.ts';
import type { SourceTable } from '../../engine/catalog/source-columns.ts';
import { RwbError } from '../../engine/errors.ts';

// The seed's columns, written out from §1.2/§2.1/§3.2 (not derived from the module under test).
const SEED: Record<SourceTable, string[]> = {
  [SPU_TABLE]: [
    'tenant_id',
    'id',
    'title',
    'brief',
    'description',
    'vendor',
    'category_id',
    'category_path',
    'category_name',
    'category_level',
    'create_time',
    'update_time',
  ],
  [SKU_TABLE]: [
    'tenant_id',
    'id',
    'spu_id',
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
  ],
  [OPTION_TABLE]: ['tenant_id', 'id', 'spu_id', 'position', 'name'],
};

const tables = (columns: Record<SourceTable, readonly string[]>) =>
  new Map((Object.keys(columns) as SourceTable[]).map((t) => [t, new Set(columns[t])] as const));
const FULL = { [SPU_TABLE]: SPU_COLUMNS, [SKU_TABLE]: SKU_COLUMNS, [OPTION_TABLE]: OPTION_COLUMNS };

describe('source columns', () => {
  it('requires exactly the seed columns; the rest of the project DDL is optional', () => {
    for (const table of [SPU_TABLE, SKU_TABLE, OPTION_TABLE] as const) {
      expect(new Set(requiredColumns(table))).toEqual(new Set(SEED[table]));
      expect(new Set([...requiredColumns(table), ...optionalColumns(table)])).toEqual(
        new Set(FULL[table]),
      );
    }
    expect(optionalColumns(SPU_TABLE)).toEqual(
      expect.arrayContaining(['title_en', 'specs_json', 'published', 'deleted']),
    );
    expect(optionalColumns(OPTION_TABLE)).toEqual(['name_en', 'values_json']);
  });

  it('reports nothing missing and selects every column of the project DDL', () => {
    const cols = resolveSourceColumns(tables(FULL), 'db');
    expect(cols.report).toEqual({ missing: [], emptyFields: [] });
    expect(cols.select.get(SPU_TABLE)).toEqual(SPU_COLUMNS);
    expect(cols.has(SPU_TABLE, 'deleted')).toBe(true);
  });

  it('on the seed tables selects only their columns and names the empty index fields', () => {
    const cols = resolveSourceColumns(tables(SEED), 'db');
    expect(cols.select.get(SPU_TABLE)).toEqual(SEED[SPU_TABLE]);
    expect(cols.select.get(SKU_TABLE)).toEqual(SEED[SKU_TABLE]);
    expect(cols.has(SPU_TABLE, 'deleted')).toBe(false);
    const missing = cols.report.missing.map((m) => `${m.table}.${m.column}`);
    expect(new Set(missing)).toEqual(
      new Set(
        (Object.keys(FULL) as SourceTable[]).flatMap((t) =>
          FULL[t].filter((c) => !SEED[t].includes(c)).map((c) => `${t}.${c}`),
        ),
      ),
    );
    expect(cols.report.emptyFields).toEqual([
      'brief_en',
      'category_name_en',
      'category_path_en',
      'description_en',
      'handle',
      'tags',
      'title_en',
      'vendor_en',
    ]);
    const lines = describeMissingColumns(cols.report);
    expect(lines).toContain(
      `optional column ${SPU_TABLE}.published is missing: every product counts as published`,
    );
    expect(lines.find((l) => l.includes('.title_en '))).toMatch(
      /index field title_en will be empty/,
    );
  });

  it('keeps category_name_en when category_path_en can supply it', () => {
    const spu = [...SEED[SPU_TABLE], 'category_path_en'];
    const cols = resolveSourceColumns(tables({ ...SEED, [SPU_TABLE]: spu }), 'db');
    const nameEn = cols.report.missing.find((m) => m.column === 'category_name_en');
    expect(nameEn?.emptyFields).toEqual([]);
    expect(cols.report.emptyFields).not.toContain('category_name_en');
    expect(cols.report.emptyFields).not.toContain('category_path_en');
  });

  it('refuses tables without a required column or a missing table, naming each', () => {
    const noTitle = SEED[SPU_TABLE].filter((c) => c !== 'title');
    const noPrice = SEED[SKU_TABLE].filter((c) => c !== 'price' && c !== 'option3');
    let error: unknown;
    try {
      resolveSourceColumns(
        new Map([
          [SPU_TABLE, new Set(noTitle)],
          [SKU_TABLE, new Set(noPrice)],
        ]),
        'shop',
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RwbError);
    expect(error).toMatchObject({ code: 'MYSQL_ERROR' });
    const message = (error as Error).message;
    expect(message).toContain(`${SPU_TABLE} lacks title`);
    expect(message).toContain(`${SKU_TABLE} lacks price, option3`);
    expect(message).toContain(`table ${OPTION_TABLE} does not exist`);
    expect(message).toContain('database "shop"');
  });
});
