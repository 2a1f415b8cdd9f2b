import { z } from 'zod';
import { registerSecret } from '../net/redact.ts';

/** How to reach an Elasticsearch cluster. The embedded default is a local node on 127.0.0.1:9200. */
export const EsConnectionSchema = z
  .object({
    url: z.string().url().default('http://127.0.0.1:9200'),
    apiKey: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    caFile: z.string().min(1).optional(),
    /** Skip TLS verification (self-signed dev clusters only). */
    insecure: z.boolean().default(false),
    requestTimeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();
export type EsConnection = z.infer<typeof EsConnectionSchema>;

export const MysqlConnectionSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().positive().default(3306),
    user: z.string().default('root'),
    password: z.string().default(''),
    database: z.string().default('rwb_demo'),
  })
  .strict();
export type MysqlConnection = z.infer<typeof MysqlConnectionSchema>;

/** Connection settings from the environment, so scripts and CI need no flags. */
export function esConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): EsConnection {
  registerSecret(env.RWB_ES_API_KEY);
  registerSecret(env.RWB_ES_PASSWORD);
  return EsConnectionSchema.parse({
    url: env.RWB_ES_URL ?? undefined,
    apiKey: env.RWB_ES_API_KEY || undefined,
    username: env.RWB_ES_USERNAME || undefined,
    password: env.RWB_ES_PASSWORD || undefined,
    caFile: env.RWB_ES_CA_FILE || undefined,
  });
}

export function mysqlConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): MysqlConnection {
  registerSecret(env.RWB_MYSQL_PASSWORD);
  return MysqlConnectionSchema.parse({
    host: env.RWB_MYSQL_HOST ?? undefined,
    port: env.RWB_MYSQL_PORT ? Number(env.RWB_MYSQL_PORT) : undefined,
    user: env.RWB_MYSQL_USER ?? undefined,
    password: env.RWB_MYSQL_PASSWORD ?? undefined,
    database: env.RWB_MYSQL_DATABASE ?? undefined,
  });
}

/**
 * Splits `http://user:pw@host` into a URL without userinfo and its decoded credentials. Users paste
 * such URLs (Elastic Cloud shows them); the client gets the credentials as auth so that nothing the
 * client echoes (its errors, its connection list) carries them. A URL that does not parse is returned
 * as it is (the schema reports it).
 */
export function splitUrlCredentials(url: string): {
  url: string;
  username?: string;
  password?: string;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (parsed.username === '' && parsed.password === '') return { url };
  const username = safeDecode(parsed.username);
  const password = safeDecode(parsed.password);
  parsed.username = '';
  parsed.password = '';
  // Keep the user's spelling otherwise: URL adds a '/' to a bare origin, drop it again.
  const clean = /^[a-z][a-z0-9+.-]*:\/\/[^/]*$/i.test(url)
    ? parsed.href.replace(/\/$/, '')
    : parsed.href;
  return { url: clean, ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export type EsAuthKind = 'none' | 'apiKey' | 'basic';

/** How a connection authenticates: an API key, a user (flag, env or inside the URL), or not at all. */
export function esAuthKind(conn: Pick<EsConnection, 'url' | 'apiKey' | 'username'>): EsAuthKind {
  if (conn.apiKey) return 'apiKey';
  if (conn.username) return 'basic';
  const fromUrl = splitUrlCredentials(conn.url);
  return fromUrl.username !== undefined || fromUrl.password !== undefined ? 'basic' : 'none';
}
