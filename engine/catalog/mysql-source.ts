/**
 * The MySQL source: SPUs of shoplazza_product_spu joined with their SKUs and options by
 * tenant_id + spu_id (seed §3.2 step 1–2), yielded one SourceProduct at a time.
 *
 * Memory stays bounded by reading in keyset pages (`WHERE tenant_id = ? AND id > ? ORDER BY id
 * LIMIT n`) instead of one long streaming result set: a long-held server-side cursor breaks when the
 * consumer is slow (embedding, ES back-pressure) for longer than the server's net_write_timeout,
 * while a page query holds nothing between pages. Each page's SKUs and options are fetched with one
 * `spu_id IN (…)` query each on the (tenant_id, spu_id) indexes.
 *
 * The tables may be Shoplazza's own (the seed's columns only) or this project's DDL: the columns are
 * looked up once per source (source-columns.ts) and only those that exist are selected; filters on
 * optional columns (`deleted`, SKU `update_time`) apply only where the column exists.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { MysqlConnection } from '../config/connections.ts';
import { connectMysql, mysqlError } from './mysql-connect.ts';
import { OPTION_TABLE, SKU_TABLE, SPU_TABLE } from './schema.ts';
import { inspectSourceColumns } from './source-columns.ts';
import type { SourceColumns, SourceColumnsReport, SourceTable } from './source-columns.ts';
import { includesDeleted, throwIfAborted } from './source.ts';
import type { ProductSource, SourceOptions } from './source.ts';
import type { OptionRow, RowError, SkuRow, SourceProduct, SpuRow } from './types.ts';

export interface MysqlSourceOptions extends SourceOptions {
  /** SPUs per page (default 500). */
  pageSize?: number;
  /** At most this many orphan rows are reported one by one; the rest in one summary (default 1000). */
  maxOrphanReports?: number;
}

/** WHERE fragments shared by count() and the page query, so both select the same SPUs. */
function spuFilter(opts: SourceOptions, cols: SourceColumns): { sql: string; params: unknown[] } {
  // Callers alias the SPU table as `p`; the SKU subquery must not capture an unqualified tenant_id.
  const a = 'p.';
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (!includesDeleted(opts) && cols.has(SPU_TABLE, 'deleted')) clauses.push(`${a}deleted = 0`);
  if (opts.since) {
    if (cols.has(SKU_TABLE, 'update_time')) {
      clauses.push(
        `(${a}update_time > ? OR ${a}id IN (SELECT k.spu_id FROM \`${SKU_TABLE}\` k WHERE k.tenant_id = ${a}tenant_id AND k.update_time > ?))`,
      );
      params.push(opts.since, opts.since);
    } else {
      clauses.push(`${a}update_time > ?`);
      params.push(opts.since);
    }
  }
  return { sql: clauses.length ? ` AND ${clauses.join(' AND ')}` : '', params };
}

async function listTenants(c: Connection, opts: SourceOptions): Promise<string[]> {
  if (opts.tenantIds) return [...opts.tenantIds].sort();
  const [rows] = await c.query<RowDataPacket[]>(
    `SELECT DISTINCT tenant_id FROM \`${SPU_TABLE}\` ORDER BY tenant_id`,
  );
  return rows.map((r) => String(r.tenant_id));
}

/**
 * Shoplazza's tables may hold ids as BIGINT (mysql2 then returns numbers or, past 2^53, strings);
 * the rest of ingest compares ids as text, so they are made text here, once. NULL stays NULL for
 * the transformer to report.
 */
function idsAsText<T>(rows: RowDataPacket[], idColumns: readonly string[]): T[] {
  for (const row of rows) {
    for (const column of idColumns) {
      const value: unknown = row[column];
      if (value !== null && value !== undefined && typeof value !== 'string')
        row[column] = String(value);
    }
  }
  return rows as unknown as T[];
}

function groupBySpu<T extends { spu_id: string }>(rows: T[]): Map<string, T[]> {
  const bySpu = new Map<string, T[]>();
  for (const row of rows) {
    const list = bySpu.get(row.spu_id);
    if (list) list.push(row);
    else bySpu.set(row.spu_id, [row]);
  }
  return bySpu;
}

/** Reports SKUs and options whose SPU does not exist (they can never be indexed). */
async function reportOrphans(
  c: Connection,
  opts: MysqlSourceOptions,
  cols: SourceColumns,
  report: (e: RowError) => void,
): Promise<void> {
  const limit = opts.maxOrphanReports ?? 1000;
  for (const [table, label] of [
    [SKU_TABLE, 'SKU'],
    [OPTION_TABLE, 'option'],
  ] as const) {
    const where: string[] = ['s.id IS NULL'];
    const params: unknown[] = [];
    if (opts.tenantIds) {
      where.push('o.tenant_id IN (?)');
      params.push(opts.tenantIds.length ? opts.tenantIds : ['']);
    }
    if (opts.since && table === SKU_TABLE && cols.has(SKU_TABLE, 'update_time')) {
      where.push('o.update_time > ?');
      params.push(opts.since);
    }
    const from = `FROM \`${table}\` o LEFT JOIN \`${SPU_TABLE}\` s ON s.tenant_id = o.tenant_id AND s.id = o.spu_id WHERE ${where.join(' AND ')}`;
    const [rows] = await c.query<RowDataPacket[]>(
      `SELECT o.tenant_id, o.id, o.spu_id ${from} ORDER BY o.tenant_id, o.id LIMIT ${limit + 1}`,
      params,
    );
    for (const row of rows.slice(0, limit)) {
      report({
        tenant_id: String(row.tenant_id),
        spu_id: String(row.spu_id),
        where: `${table}[id=${row.id}].spu_id`,
        reason: `orphan ${label}: SPU ${row.spu_id} does not exist in tenant ${row.tenant_id}; the ${label} is skipped`,
      });
    }
    if (rows.length > limit) {
      const [[total]] = await c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n ${from}`, params);
      report({
        tenant_id: null,
        spu_id: null,
        where: `${table}.spu_id`,
        reason: `${Number(total?.n) - limit} more orphan ${label} rows not listed individually`,
      });
    }
  }
}

/**
 * Opens the MySQL source. The connection is made lazily by count()/products(); close() ends it.
 * Errors (unreachable server, missing database/tables) are RwbError('MYSQL_ERROR').
 */
export function openMysqlSource(
  conn: MysqlConnection,
  opts: MysqlSourceOptions = {},
): ProductSource {
  const pageSize = opts.pageSize ?? 500;
  let connection: Promise<Connection> | null = null;
  let columns: Promise<SourceColumns> | null = null;
  const connect = () => (connection ??= connectMysql(conn));
  // Looked up once per source; a failed lookup is not cached, so a retry asks again.
  const columnsOf = (c: Connection) =>
    (columns ??= inspectSourceColumns(c, conn.database).catch((err: unknown) => {
      columns = null;
      throw err;
    }));
  const report = opts.onRowError ?? (() => undefined);
  const selectOf = (cols: SourceColumns, table: SourceTable, alias = '') =>
    (cols.select.get(table) ?? []).map((column) => `${alias}${column}`).join(', ');

  async function count(): Promise<number> {
    const c = await connect();
    try {
      const cols = await columnsOf(c);
      const tenants = await listTenants(c, opts);
      if (tenants.length === 0) return 0;
      const filter = spuFilter(opts, cols);
      const [rows] = await c.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM \`${SPU_TABLE}\` p WHERE p.tenant_id IN (?)${filter.sql}`,
        [tenants, ...filter.params],
      );
      return Number(rows[0]?.n ?? 0);
    } catch (err) {
      throw mysqlError(err, conn, 'count of SPUs');
    }
  }

  async function* products(): AsyncGenerator<SourceProduct> {
    const c = await connect();
    let stage = 'column check';
    try {
      const cols = await columnsOf(c);
      stage = 'orphan check';
      await reportOrphans(c, opts, cols, report);
      const filter = spuFilter(opts, cols);
      for (const tenant of await listTenants(c, opts)) {
        // The first page has no lower bound, so an SPU with an empty id is read (and reported) and
        // numeric ids are not compared with a string.
        let after: string | null = null;
        for (;;) {
          throwIfAborted(opts.signal, 'Reading from MySQL');
          stage = `read of tenant ${tenant} after SPU "${after ?? ''}"`;
          const [rows]: [RowDataPacket[], unknown] = await c.query<RowDataPacket[]>(
            `SELECT ${selectOf(cols, SPU_TABLE, 'p.')} FROM \`${SPU_TABLE}\` p WHERE p.tenant_id = ?${after === null ? '' : ' AND p.id > ?'}${filter.sql} ORDER BY p.id LIMIT ${pageSize}`,
            after === null ? [tenant, ...filter.params] : [tenant, after, ...filter.params],
          );
          if (rows.length === 0) break;
          const spus = idsAsText<SpuRow>(rows, ['tenant_id', 'id']);
          const ids: string[] = spus.map((s) => String(s.id));
          const [skus] = await c.query<RowDataPacket[]>(
            `SELECT ${selectOf(cols, SKU_TABLE)} FROM \`${SKU_TABLE}\` WHERE tenant_id = ? AND spu_id IN (?) ORDER BY spu_id, id`,
            [tenant, ids],
          );
          const [options] = await c.query<RowDataPacket[]>(
            `SELECT ${selectOf(cols, OPTION_TABLE)} FROM \`${OPTION_TABLE}\` WHERE tenant_id = ? AND spu_id IN (?) ORDER BY spu_id, position, id`,
            [tenant, ids],
          );
          const skusBySpu = groupBySpu(idsAsText<SkuRow>(skus, ['tenant_id', 'id', 'spu_id']));
          const optionsBySpu = groupBySpu(
            idsAsText<OptionRow>(options, ['tenant_id', 'id', 'spu_id']),
          );
          for (const spu of spus) {
            yield {
              spu,
              skus: skusBySpu.get(spu.id) ?? [],
              options: optionsBySpu.get(spu.id) ?? [],
            };
          }
          after = ids[ids.length - 1]!;
          if (spus.length < pageSize) break;
        }
      }
    } catch (err) {
      throw mysqlError(err, conn, stage);
    }
  }

  async function close(): Promise<void> {
    const pending = connection;
    connection = null;
    if (pending) await (await pending.catch(() => null))?.end().catch(() => undefined);
  }

  /** Which optional columns the tables lack and which index fields stay empty (ingest report). */
  async function columnReport(): Promise<SourceColumnsReport> {
    const c = await connect();
    try {
      return (await columnsOf(c)).report;
    } catch (err) {
      throw mysqlError(err, conn, 'column check');
    }
  }

  return { count, products, close, columnReport };
}

/**
 * The incremental-sync watermark: the latest update_time among the tenants' SPUs and SKUs (SKU
 * changes such as a new price must also trigger a re-index). Null when there are no rows.
 */
export async function maxUpdateTime(
  conn: MysqlConnection,
  tenantIds?: string[],
): Promise<Date | null> {
  const c = await connectMysql(conn);
  try {
    const where = tenantIds ? 'WHERE tenant_id IN (?)' : '';
    const params = tenantIds ? [tenantIds.length ? tenantIds : ['']] : [];
    const withSkus = (await inspectSourceColumns(c, conn.database)).has(SKU_TABLE, 'update_time');
    const latest = (table: string) =>
      `COALESCE((SELECT MAX(update_time) FROM \`${table}\` ${where}), '1000-01-01')`;
    const [rows] = await c.query<RowDataPacket[]>(
      withSkus
        ? `SELECT GREATEST(${latest(SPU_TABLE)}, ${latest(SKU_TABLE)}) AS t`
        : `SELECT ${latest(SPU_TABLE)} AS t`,
      withSkus ? [...params, ...params] : params,
    );
    const value = rows[0]?.t as Date | string | null | undefined;
    const date =
      value instanceof Date
        ? value
        : value
          ? new Date(`${String(value).replace(' ', 'T')}Z`)
          : null;
    return date && date.getUTCFullYear() > 1000 ? date : null;
  } catch (err) {
    throw mysqlError(err, conn, 'watermark query');
  } finally {
    await c.end().catch(() => undefined);
  }
}
