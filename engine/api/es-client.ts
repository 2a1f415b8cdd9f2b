/**
 * The API's ES client and error mapping. Kept thin: when engine/es exposes `createEsClient(conn)`,
 * this file delegates to it and the handlers do not change.
 */
import { readFileSync } from 'node:fs';
import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import type { EsConnection } from '../config/connections.ts';
import { RwbError } from '../errors.ts';

export function createApiEsClient(conn: EsConnection): Client {
  const options: ClientOptions = { node: conn.url, requestTimeout: conn.requestTimeoutMs, maxRetries: 1 };
  if (conn.apiKey) options.auth = { apiKey: conn.apiKey };
  else if (conn.username) options.auth = { username: conn.username, password: conn.password ?? '' };
  if (conn.caFile || conn.insecure) {
    options.tls = {
      ...(conn.caFile ? { ca: readFileSync(conn.caFile) } : {}),
      ...(conn.insecure ? { rejectUnauthorized: false } : {}),
    };
  }
  return new Client(options);
}

/** Turns what the ES client throws into an RwbError that says what failed and where. */
export function esError(err: unknown, what: string, url: string): RwbError {
  if (err instanceof RwbError) return err;
  if (err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || err instanceof errors.NoLivingConnectionsError) {
    return new RwbError('ES_UNREACHABLE', `${what}: Elasticsearch at ${url} is not reachable (${err.message})`, { url }, { cause: err });
  }
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? null;
    const type = responseErrorType(err);
    const reason = responseErrorReason(err) ?? err.message;
    if (status === 404 && type === 'index_not_found_exception') {
      return new RwbError('NOT_FOUND', `${what}: ${reason}`, { url, status, type }, { cause: err });
    }
    return new RwbError('ES_ERROR', `${what}: Elasticsearch answered ${status ?? '?'} ${type ?? ''}: ${reason}`.trim(), { url, status, type }, { cause: err });
  }
  if (err instanceof errors.ProductNotSupportedError) {
    return new RwbError('ES_ERROR', `${what}: the server at ${url} is not a supported Elasticsearch (${err.message})`, { url }, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new RwbError('ES_ERROR', `${what}: ${message}`, { url }, { cause: err });
}

function responseErrorType(err: InstanceType<typeof errors.ResponseError>): string | null {
  const body = err.body as { error?: { type?: string } } | undefined;
  return typeof body?.error?.type === 'string' ? body.error.type : null;
}

function responseErrorReason(err: InstanceType<typeof errors.ResponseError>): string | null {
  const body = err.body as { error?: { reason?: string; root_cause?: Array<{ reason?: string }> } } | undefined;
  return body?.error?.reason ?? body?.error?.root_cause?.[0]?.reason ?? null;
}
