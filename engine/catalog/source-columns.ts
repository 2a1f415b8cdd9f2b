/**
 * Which columns of the Shoplazza tables the MySQL source needs, and which it can do without.
 *
 * The seed (§3.2) reads Shoplazza's own tables: unsuffixed text columns become the `*_zh` fields and
 * the English fields stay empty. This project's DDL (schema.ts) adds columns the seed's tables do not
 * have (`*_en`, `specs_json`, `published`, `deleted`, …). Those are OPTIONAL: the source asks
 * `information_schema.columns` once which of them exist, selects only those, and reports the rest
 * together with the index fields that stay empty because of it. A missing REQUIRED column (one the
 * seed reads) is a MYSQL_ERROR that names every missing column, before any product is read.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { RwbError } from '../errors.ts';
import {
  OPTION_COLUMNS,
  OPTION_TABLE,
  SKU_COLUMNS,
  SKU_TABLE,
  SPU_COLUMNS,
  SPU_TABLE,
} from './schema.ts';

export type SourceTable = typeof SPU_TABLE | typeof SKU_TABLE | typeof OPTION_TABLE;

interface OptionalColumnSpec {
  table: SourceTable;
  column: string;
  /** Index fields that are empty when the column is missing (and `unless` is missing too). */
  fields: string[];
  /** Another optional column the fields fall back to: they are empty only when both are missing. */
  unless?: string;
  /** What changes, in one sentence for the report. */
  effect: string;
}

/** The project's extra columns; every other column of schema.ts is one the seed reads (required). */
const OPTIONAL: readonly OptionalColumnSpec[] = [
  { table: SPU_TABLE, column: 'handle', fields: ['handle'], effect: 'no URL handle is indexed' },
  ...(['title', 'brief', 'description', 'vendor', 'category_path'] as const).map(
    (base): OptionalColumnSpec => ({
      table: SPU_TABLE,
      column: `${base}_en`,
      fields: [`${base}_en`],
      effect:
        'as in the seed, the English field is empty: English queries then match Latin text in the Chinese fields and kNN only',
    }),
  ),
  {
    table: SPU_TABLE,
    column: 'category_name_en',
    fields: ['category_name_en'],
    unless: 'category_path_en',
    effect: 'category_name_en is the last level of category_path_en when that column exists',
  },
  { table: SPU_TABLE, column: 'tags', fields: ['tags'], effect: 'no tags are indexed' },
  {
    table: SPU_TABLE,
    column: 'image_src',
    fields: [],
    effect: "the product image is the first SKU's image_src",
  },
  {
    table: SPU_TABLE,
    column: 'specs_json',
    fields: [],
    effect: 'specifications hold the SKU options only (no SPU-level attributes)',
  },
  {
    table: SPU_TABLE,
    column: 'published',
    fields: [],
    effect: 'every product counts as published',
  },
  {
    table: SPU_TABLE,
    column: 'deleted',
    fields: [],
    effect:
      'no product counts as deleted: full runs index every row, and incremental runs cannot remove products deleted at the source (re-ingest with --recreate to drop them)',
  },
  { table: SKU_TABLE, column: 'title', fields: [], effect: 'none (SKU titles are not indexed)' },
  { table: SKU_TABLE, column: 'create_time', fields: [], effect: 'none (not indexed)' },
  {
    table: SKU_TABLE,
    column: 'update_time',
    fields: [],
    effect:
      'incremental runs see SPU changes only: a change to a SKU alone (e.g. its price) re-indexes its product only when the SPU row is updated too',
  },
  {
    table: OPTION_TABLE,
    column: 'name_en',
    fields: [],
    effect: 'option names come from `name` only',
  },
  {
    table: OPTION_TABLE,
    column: 'values_json',
    fields: [],
    effect: 'none (the values are read from the SKUs)',
  },
];

const ALL_COLUMNS: ReadonlyMap<SourceTable, readonly string[]> = new Map<
  SourceTable,
  readonly string[]
>([
  [SPU_TABLE, SPU_COLUMNS],
  [SKU_TABLE, SKU_COLUMNS],
  [OPTION_TABLE, OPTION_COLUMNS],
]);

const isOptional = (table: SourceTable, column: string) =>
  OPTIONAL.some((o) => o.table === table && o.column === column);

/** The columns the seed's tables have and the source cannot work without, per table. */
export function requiredColumns(table: SourceTable): string[] {
  return (ALL_COLUMNS.get(table) ?? []).filter((c) => !isOptional(table, c));
}

/** The project's extra columns of `table`: read when present, reported when absent. */
export function optionalColumns(table: SourceTable): string[] {
  return OPTIONAL.filter((o) => o.table === table).map((o) => o.column);
}

export interface MissingColumn {
  table: SourceTable;
  column: string;
  /** Index fields that stay empty for every product because of it. */
  emptyFields: string[];
  effect: string;
}

/** What the source found in information_schema; part of the ingest report. */
export interface SourceColumnsReport {
  /** Optional columns the tables do not have. Empty when the tables have the full project DDL. */
  missing: MissingColumn[];
  /** Union of the missing columns' empty fields, sorted. */
  emptyFields: string[];
}

/** The columns the source selects, per table, and what their absence means. */
export interface SourceColumns {
  select: ReadonlyMap<SourceTable, readonly string[]>;
  has(table: SourceTable, column: string): boolean;
  report: SourceColumnsReport;
}

/**
 * Builds SourceColumns from the column names each table has (lower-cased comparison: MySQL column
 * names are case-insensitive). Throws MYSQL_ERROR naming every missing table or required column.
 */
export function resolveSourceColumns(
  present: ReadonlyMap<SourceTable, ReadonlySet<string>>,
  database: string,
): SourceColumns {
  const problems: string[] = [];
  for (const [table] of ALL_COLUMNS) {
    const have = present.get(table);
    if (!have || have.size === 0) {
      problems.push(`table ${table} does not exist`);
      continue;
    }
    const lacking = requiredColumns(table).filter((c) => !have.has(c));
    if (lacking.length) problems.push(`${table} lacks ${lacking.join(', ')}`);
  }
  if (problems.length) {
    throw new RwbError(
      'MYSQL_ERROR',
      `The Shoplazza tables in database "${database}" cannot be read: ${problems.join('; ')}. ` +
        `Required are the seed's columns: ${[...ALL_COLUMNS.keys()].map((t) => `${t}(${requiredColumns(t).join(', ')})`).join('; ')}. ` +
        `Create the tables with \`rwb db schema --database ${database}\`, or point --database at the database that has them.`,
      { database, problems },
    );
  }
  const has = (table: SourceTable, column: string) => present.get(table)?.has(column) === true;
  const select = new Map<SourceTable, readonly string[]>();
  for (const [table, columns] of ALL_COLUMNS)
    select.set(
      table,
      columns.filter((c) => has(table, c)),
    );
  const missing: MissingColumn[] = OPTIONAL.filter((o) => !has(o.table, o.column)).map((o) => ({
    table: o.table,
    column: o.column,
    emptyFields: o.unless && has(o.table, o.unless) ? [] : o.fields,
    effect: o.effect,
  }));
  const emptyFields = [...new Set(missing.flatMap((m) => m.emptyFields))].sort();
  return { select, has, report: { missing, emptyFields } };
}

/** Reads the three tables' columns from information_schema (one query) and resolves them. */
export async function inspectSourceColumns(
  c: Connection,
  database: string,
): Promise<SourceColumns> {
  const [rows] = await c.query<RowDataPacket[]>(
    'SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN (?)',
    [[...ALL_COLUMNS.keys()]],
  );
  const present = new Map<SourceTable, Set<string>>();
  for (const row of rows) {
    const table = [...ALL_COLUMNS.keys()].find((t) => t === String(row.t).toLowerCase());
    if (!table) continue;
    const set = present.get(table) ?? new Set<string>();
    set.add(String(row.c).toLowerCase());
    present.set(table, set);
  }
  return resolveSourceColumns(present, database);
}

/** One line per missing optional column, for logs and the CLI. */
export function describeMissingColumns(report: SourceColumnsReport): string[] {
  return report.missing.map(
    (m) =>
      `optional column ${m.table}.${m.column} is missing: ${m.emptyFields.length ? `index field${m.emptyFields.length > 1 ? 's' : ''} ${m.emptyFields.join(', ')} will be empty; ` : ''}${m.effect}`,
  );
}
