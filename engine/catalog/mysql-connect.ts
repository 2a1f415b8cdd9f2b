/**
 * Opening MySQL/MariaDB connections with the settings every catalog module shares, and turning
 * driver errors into RwbErrors that say which server and database failed and what to do about it.
 */
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import type { MysqlConnection } from '../config/connections.ts';
import { RwbError } from '../errors.ts';

export function describeMysql(conn: MysqlConnection, withDatabase = true): string {
  return `${conn.user}@${conn.host}:${conn.port}${withDatabase ? `/${conn.database}` : ''}`;
}

/** Driver options used by every catalog connection. */
function driverOptions(conn: MysqlConnection, withDatabase: boolean): ConnectionOptions {
  return {
    host: conn.host,
    port: conn.port,
    user: conn.user,
    password: conn.password,
    database: withDatabase ? conn.database : undefined,
    charset: 'utf8mb4_unicode_ci',
    // DATETIME columns hold UTC; without this mysql2 reads them in the machine's local zone.
    timezone: 'Z',
    // Ids and counts beyond 2^53 arrive as exact strings instead of rounded numbers.
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: 10_000,
  };
}

/**
 * Connects to the server. With `withDatabase: false` no database is selected (for creating one).
 * Throws RwbError('MYSQL_ERROR') with host:port/database and a hint.
 */
export async function connectMysql(
  conn: MysqlConnection,
  opts: { withDatabase?: boolean } = {},
): Promise<Connection> {
  const withDatabase = opts.withDatabase ?? true;
  try {
    return await mysql.createConnection(driverOptions(conn, withDatabase));
  } catch (err) {
    throw mysqlError(err, conn, 'connect', withDatabase);
  }
}

/** Maps a mysql2 error to RwbError('MYSQL_ERROR') naming the server, the database and a hint. */
export function mysqlError(
  err: unknown,
  conn: MysqlConnection,
  action: string,
  withDatabase = true,
): RwbError {
  if (err instanceof RwbError) return err;
  const e = err as { code?: string; message?: string; sqlMessage?: string };
  const where = withDatabase
    ? describeMysql(conn)
    : `${describeMysql(conn, false)} (database ${conn.database})`;
  const detail = e.sqlMessage ?? e.message ?? String(err);
  const hint = hintFor(e.code, conn);
  return new RwbError(
    'MYSQL_ERROR',
    `MySQL ${action} failed at ${where}: ${detail}${hint ? ` (${hint})` : ''}`,
    { code: e.code, host: conn.host, port: conn.port, database: conn.database },
    { cause: err },
  );
}

function hintFor(code: string | undefined, conn: MysqlConnection): string | null {
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      return `is a MySQL/MariaDB server running on ${conn.host}:${conn.port}? Set --mysql-host/--mysql-port or RWB_MYSQL_HOST/RWB_MYSQL_PORT`;
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return 'check --mysql-user/--mysql-password or RWB_MYSQL_USER/RWB_MYSQL_PASSWORD';
    case 'ER_BAD_DB_ERROR':
      return `database "${conn.database}" does not exist; create it with \`rwb db schema --database ${conn.database}\` or load data with \`rwb db load-demo\``;
    case 'ER_NO_SUCH_TABLE':
      return `the Shoplazza tables are missing in "${conn.database}"; create them with \`rwb db schema --database ${conn.database}\``;
    default:
      return null;
  }
}

/**
 * Runs `fn` with a fresh connection and always closes it. Errors from `fn` that are driver errors
 * become MYSQL_ERROR with `action` in the message.
 */
export async function withMysql<T>(
  conn: MysqlConnection,
  action: string,
  fn: (c: Connection) => Promise<T>,
  opts: { withDatabase?: boolean } = {},
): Promise<T> {
  const c = await connectMysql(conn, opts);
  try {
    return await fn(c);
  } catch (err) {
    throw mysqlError(err, conn, action, opts.withDatabase ?? true);
  } finally {
    await c.end().catch(() => undefined);
  }
}
