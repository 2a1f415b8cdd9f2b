/**
 * The one place an Elasticsearch client is made. Every cluster — the embedded node or a user's own
 * (API key, basic auth, private CA) — is reached the same way through an EsConnection.
 */
import { readFileSync } from 'node:fs';
import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import { EsConnectionSchema, splitUrlCredentials, type EsConnection } from '../config/connections.ts';
import { RwbError } from '../errors.ts';
import { queryRefusalOf } from './query-refusals.ts';
import { redactSecrets, redactUrl, registerSecret } from '../net/redact.ts';

export interface EsClusterInfo {
  url: string;
  clusterName: string;
  /** The lowest version among the nodes (what every request must be compatible with). */
  version: string;
  health: 'green' | 'yellow' | 'red';
  nodes: number;
}

/** Builds a client for `conn` (parsed with the connection schema, so defaults apply). */
export function createEsClient(conn: Partial<EsConnection> & { url?: string }): Client {
  const c = EsConnectionSchema.parse(conn);
  // Credentials inside the URL become auth, and the client only ever sees the bare URL, so that its
  // own errors and connection list cannot echo them. Explicit flags/env win over the URL's.
  const fromUrl = splitUrlCredentials(c.url);
  const username = c.username ?? fromUrl.username;
  const password = c.username ? c.password : (c.password ?? fromUrl.password);
  for (const secret of [c.apiKey, password]) registerSecret(secret);
  const options: ClientOptions = { node: fromUrl.url, requestTimeout: c.requestTimeoutMs, maxRetries: 2 };
  if (c.apiKey) options.auth = { apiKey: c.apiKey };
  else if (username !== undefined || password !== undefined) options.auth = { username: username ?? '', password: password ?? '' };
  if (c.caFile || c.insecure) {
    let ca: Buffer | undefined;
    if (c.caFile) {
      try {
        ca = readFileSync(c.caFile);
      } catch (err) {
        throw new RwbError(
          'INVALID_CONFIG',
          `Cannot read the Elasticsearch CA file ${c.caFile}: ${(err as Error).message}`,
          {
            caFile: c.caFile,
          },
        );
      }
    }
    options.tls = { ...(ca ? { ca } : {}), rejectUnauthorized: !c.insecure };
  }
  return new Client(options);
}

function unreachable(rawUrl: string, reason: string, cause: unknown): RwbError {
  const url = redactUrl(rawUrl);
  return new RwbError(
    'ES_UNREACHABLE',
    `Elasticsearch at ${url} is not reachable (${redactSecrets(reason)}). Start the local node with \`rwb es start\`, ` +
      'or point --es / RWB_ES_URL at a running cluster.',
    { url },
    { cause },
  );
}

/**
 * Turns a client error into an RwbError that names the URL (credentials redacted); connection
 * problems become ES_UNREACHABLE.
 */
export function esErrorToRwb(err: unknown, rawUrl: string, what: string): RwbError {
  if (err instanceof RwbError) return err;
  if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError) {
    return unreachable(rawUrl, err.message, err);
  }
  if (err instanceof errors.TimeoutError)
    return unreachable(rawUrl, `no answer within the request timeout during ${what}`, err);
  const url = redactUrl(rawUrl);
  if (err instanceof errors.ResponseError) {
    // Too many clauses is about the query the user wrote: bad input, not a cluster failure.
    const refusal = queryRefusalOf(err.meta?.body);
    if (refusal !== null) return refusal;
    const status = err.statusCode ?? 0;
    if (status === 401 || status === 403) {
      return new RwbError(
        'ES_ERROR',
        `Elasticsearch at ${url} refused ${what} (HTTP ${status}): check the API key or username/password (RWB_ES_API_KEY, RWB_ES_USERNAME/RWB_ES_PASSWORD) and their privileges.`,
        { url, status },
        { cause: err },
      );
    }
    const body = err.meta?.body as { error?: { type?: string; reason?: string } } | undefined;
    const reason = body?.error ? `${body.error.type}: ${body.error.reason}` : err.message;
    return new RwbError(
      'ES_ERROR',
      `Elasticsearch at ${url} failed ${what} (HTTP ${status}): ${reason}`,
      { url, status },
      { cause: err },
    );
  }
  if (err instanceof Error)
    return new RwbError(
      'ES_ERROR',
      `Elasticsearch at ${url}: ${what} failed: ${err.message}`,
      { url },
      { cause: err },
    );
  return new RwbError('ES_ERROR', `Elasticsearch at ${url}: ${what} failed: ${String(err)}`, {
    url,
  });
}

/**
 * Checks that the cluster answers and returns who it is. Uses `_cluster/health` and `_nodes`
 * (the integ-test-zip runtime answers 405 on `GET /`). Throws ES_UNREACHABLE with the URL and a hint.
 */
export async function assertEsReachable(client: Client, rawUrl: string): Promise<EsClusterInfo> {
  const url = redactUrl(rawUrl);
  try {
    // No retries here: a refused connection should be reported at once, not after the retry budget.
    const health = await client.cluster.health({}, { maxRetries: 0 });
    const nodes = await client.nodes.info({
      node_id: '_all',
      metric: '_none',
      filter_path: ['nodes.*.version'],
    });
    const versions = Object.values(nodes.nodes ?? {})
      .map((n) => n.version)
      .filter((v): v is string => typeof v === 'string');
    const version = versions.sort(compareVersions)[0] ?? 'unknown';
    if (!version.startsWith('8.')) {
      throw new RwbError(
        'ES_ERROR',
        `Elasticsearch at ${url} is version ${version}; Relevance Workbench works with 8.x clusters (its 8.x client refuses other majors).`,
        { url, version },
      );
    }
    return {
      url,
      clusterName: health.cluster_name,
      version,
      health: health.status.toLowerCase() as EsClusterInfo['health'],
      nodes: health.number_of_nodes,
    };
  } catch (err) {
    throw esErrorToRwb(err, rawUrl, 'the health check');
  }
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
