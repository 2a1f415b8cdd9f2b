/**
 * The MySQL source: SPUs of shoplazza_product_spu joined with their SKUs and options by
 * tenant_id + spu_id (seed §3.2 step 1–2), yielded one SourceProduct at a time.
 *
 * Memory stays bounded by reading in keyset pages (`WHERE tenant_id = ? AND id > ? ORDER BY id
 * LIMIT n`) instead of one long streaming result set: a long-held server-side cursor breaks when the
 * consumer is slow (embedding, ES back-pressure) for longer than the server's net_write_timeout,
 * while a page query holds nothing between pages. Each page's SKUs and options are fetched with one
 * `spu_id IN (…)` query each on the (tenant_id, spu_id) indexes.
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { MysqlConnection } from '../config/connections.ts';
import { connectMysql, mysqlError } from './mysql-connect.ts';
import { OPTION_COLUMNS, OPTION_TABLE, SKU_COLUMNS, SKU_TABLE, SPU_COLUMNS, SPU_TABLE } from './schema.ts';
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
function spuFilter(opts: SourceOptions): { sql: string; params: unknown[] } {
  // Callers alias the SPU table as `p`; the SKU subquery must not capture an unqualified tenant_id.
  const a = 'p.';
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (!includesDeleted(opts)) clauses.push(`${a}deleted = 0`);
  if (opts.since) {
    clauses.push(
      `(${a}update_time > ? OR ${a}id IN (SELECT k.spu_id FROM \`${SKU_TABLE}\` k WHERE k.tenant_id = ${a}tenant_id AND k.update_time > ?))`,
    );
    params.push(opts.since, opts.since);
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
    if (opts.since && table === SKU_TABLE) {
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
  const connect = () => (connection ??= connectMysql(conn));
  const report = opts.onRowError ?? (() => undefined);

  async function count(): Promise<number> {
    const c = await connect();
    try {
      const tenants = await listTenants(c, opts);
      if (tenants.length === 0) return 0;
      const filter = spuFilter(opts);
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
    let stage = 'orphan check';
    try {
      await reportOrphans(c, opts, report);
      const filter = spuFilter(opts);
      for (const tenant of await listTenants(c, opts)) {
        // The first page starts at >= '' so that an SPU with an empty id is read (and reported).
        let after: string | null = null;
        for (;;) {
          throwIfAborted(opts.signal, 'Reading from MySQL');
          stage = `read of tenant ${tenant} after SPU "${after ?? ''}"`;
          const [spus]: [RowDataPacket[], unknown] = await c.query<RowDataPacket[]>(
            `SELECT ${SPU_COLUMNS.join(', ')} FROM \`${SPU_TABLE}\` p WHERE p.tenant_id = ? AND p.id ${after === null ? '>=' : '>'} ?${filter.sql} ORDER BY p.id LIMIT ${pageSize}`,
            [tenant, after ?? '', ...filter.params],
          );
          if (spus.length === 0) break;
          const ids: string[] = spus.map((s: RowDataPacket) => String(s.id));
          const [skus] = await c.query<RowDataPacket[]>(
            `SELECT ${SKU_COLUMNS.join(', ')} FROM \`${SKU_TABLE}\` WHERE tenant_id = ? AND spu_id IN (?) ORDER BY spu_id, id`,
            [tenant, ids],
          );
          const [options] = await c.query<RowDataPacket[]>(
            `SELECT ${OPTION_COLUMNS.join(', ')} FROM \`${OPTION_TABLE}\` WHERE tenant_id = ? AND spu_id IN (?) ORDER BY spu_id, position, id`,
            [tenant, ids],
          );
          const skusBySpu = groupBySpu(skus as unknown as SkuRow[]);
          const optionsBySpu = groupBySpu(options as unknown as OptionRow[]);
          for (const spu of spus as unknown as SpuRow[]) {
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

  return { count, products, close };
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
    const [rows] = await c.query<RowDataPacket[]>(
      `SELECT GREATEST(COALESCE((SELECT MAX(update_time) FROM \`${SPU_TABLE}\` ${where}), '1000-01-01'),
                       COALESCE((SELECT MAX(update_time) FROM \`${SKU_TABLE}\` ${where}), '1000-01-01')) AS t`,
      [...params, ...params],
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
