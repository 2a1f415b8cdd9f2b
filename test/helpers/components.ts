/**
 * Real components for tests. Locally, a missing component skips the suite with a clear message;
 * under CI=true it fails the run, because CI must never pass by skipping (see README "Tests").
 */
import { describe } from 'vitest';

export const isCI = process.env.CI === 'true' || process.env.CI === '1';

export function esUrl(): string {
  return process.env.RWB_ES_URL ?? 'http://127.0.0.1:9200';
}

export function mysqlOptions() {
  return {
    host: process.env.RWB_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.RWB_MYSQL_PORT ?? 3306),
    user: process.env.RWB_MYSQL_USER ?? 'root',
    password: process.env.RWB_MYSQL_PASSWORD ?? '',
  };
}

/**
 * Runs `check`; returns null when the component is there, else the reason. Under CI a missing
 * component throws, which fails the file at collection time.
 */
export async function requireComponent(name: string, check: () => Promise<unknown>): Promise<string | null> {
  try {
    await check();
    return null;
  } catch (err) {
    const reason = `${name} is not available: ${err instanceof Error ? err.message : String(err)}`;
    if (isCI) throw new Error(`${reason} (CI=true: a missing real component fails the run)`);
    console.warn(`[skip] ${reason}`);
    return reason;
  }
}

/** describe() that is skipped (locally) when any of the given component checks failed. */
export function describeWith(missing: Array<string | null>, name: string, fn: () => void): void {
  const reasons = missing.filter((m): m is string => m !== null);
  if (reasons.length > 0) describe.skip(`${name} (skipped: ${reasons.join('; ')})`, fn);
  else describe(name, fn);
}

export async function esAvailable(url = esUrl()): Promise<void> {
  const res = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}/_cluster/health → ${res.status}`);
}

export async function mysqlAvailable(): Promise<void> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({ ...mysqlOptions(), connectTimeout: 5000 });
  await conn.end();
}
