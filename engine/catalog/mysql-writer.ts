/**
 * Writes SourceProducts into the Shoplazza tables with multi-row INSERTs (used by the demo and
 * Icecat loaders). The tenants being loaded are replaced, so a re-run leaves no stale rows.
 */
import type { Connection } from 'mysql2/promise';
import type { MysqlConnection } from '../config/connections.ts';
import { connectMysql, mysqlError } from './mysql-connect.ts';
import { OPTION_COLUMNS, OPTION_TABLE, SKU_COLUMNS, SKU_TABLE, SPU_COLUMNS, SPU_TABLE, applySchema } from './schema.ts';
import { throwIfAborted, toDate } from './source.ts';
import type { SourceProduct } from './types.ts';

export interface LoadProgress {
  spus: number;
  skus: number;
  options: number;
}

export interface WriteProductsOptions {
  /** Delete these tenants' rows in all three tables before inserting. */
  replaceTenants?: string[];
  /** SPUs per INSERT batch (default 500). */
  batchSize?: number;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

const TIME_COLUMNS = new Set(['create_time', 'update_time']);
const FLAG_DEFAULTS: Record<string, number> = { published: 1, deleted: 0 };

function rowValues<R extends object>(row: R, columns: readonly string[]): unknown[] {
  return columns.map((column) => {
    const value = (row as Record<string, unknown>)[column];
    if (value === undefined || value === null) return FLAG_DEFAULTS[column] ?? null;
    if (TIME_COLUMNS.has(column)) return toDate(value as string | Date);
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value;
  });
}

async function insertRows(
  c: Connection,
  table: string,
  columns: readonly string[],
  rows: unknown[][],
): Promise<void> {
  if (rows.length === 0) return;
  await c.query(`INSERT INTO \`${table}\` (${columns.join(', ')}) VALUES ?`, [rows]);
}

/**
 * Creates the database/tables if needed, replaces `replaceTenants`, and inserts every product.
 * Returns the row counts written.
 */
export async function writeProductsToMysql(
  conn: MysqlConnection,
  products: Iterable<SourceProduct> | AsyncIterable<SourceProduct>,
  opts: WriteProductsOptions = {},
): Promise<LoadProgress> {
  const batchSize = opts.batchSize ?? 500;
  const c = await connectMysql(conn, { withDatabase: false });
  const done: LoadProgress = { spus: 0, skus: 0, options: 0 };
  let stage = 'schema creation';
  try {
    await applySchema(c, conn.database);
    if (opts.replaceTenants?.length) {
      stage = `removal of tenant(s) ${opts.replaceTenants.join(', ')}`;
      for (const table of [SKU_TABLE, OPTION_TABLE, SPU_TABLE]) {
        await c.query(`DELETE FROM \`${table}\` WHERE tenant_id IN (?)`, [opts.replaceTenants]);
      }
    }
    let spus: unknown[][] = [];
    let skus: unknown[][] = [];
    let options: unknown[][] = [];
    const flush = async () => {
      stage = `insert after ${done.spus} SPUs`;
      await insertRows(c, SPU_TABLE, SPU_COLUMNS, spus);
      await insertRows(c, SKU_TABLE, SKU_COLUMNS, skus);
      await insertRows(c, OPTION_TABLE, OPTION_COLUMNS, options);
      done.spus += spus.length;
      done.skus += skus.length;
      done.options += options.length;
      spus = [];
      skus = [];
      options = [];
      opts.onProgress?.({ ...done });
    };
    for await (const p of products) {
      spus.push(rowValues(p.spu, SPU_COLUMNS));
      for (const sku of p.skus) skus.push(rowValues(sku, SKU_COLUMNS));
      for (const option of p.options) options.push(rowValues(option, OPTION_COLUMNS));
      if (spus.length >= batchSize) {
        throwIfAborted(opts.signal, 'Loading into MySQL');
        await flush();
      }
    }
    await flush();
    return done;
  } catch (err) {
    throw mysqlError(err, conn, stage);
  } finally {
    await c.end().catch(() => undefined);
  }
}
