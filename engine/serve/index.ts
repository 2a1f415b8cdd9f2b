/**
 * The production search API: load a bundle as is, start the models, listen.
 *
 *   const api = await startSearchApi({ bundle: 'export/bundle.json', es: { url }, port: 8080 });
 *   … api.url …
 *   await api.close();
 */
import type { FastifyInstance } from 'fastify';
import { loadBundle } from '../config/bundle.ts';
import type { Bundle } from '../config/bundle-schema.ts';
import { RwbError, toRwbError } from '../errors.ts';
import { SearchService, type SearchServiceOptions } from './search-service.ts';
import { ServeMetrics } from './serve-metrics.ts';
import { resolveServeLimits } from './limits.ts';
import { createServeApp, type ServeAppOptions } from './server.ts';

export {
  SearchService,
  type SearchServiceOptions,
  type HealthReport,
  type SearchStage,
} from './search-service.ts';
export { ServeMetrics } from './serve-metrics.ts';
export { createServeApp, type ServeAppOptions } from './server.ts';
export {
  buildOpenApiDocument,
  renderDocsPage,
  SearchApiRequestSchema,
  ImageSearchOptionsSchema,
} from './openapi.ts';
export { tenantFromRequest, TENANT_HEADER, TENANT_QUERY_PARAM } from './tenant.ts';
export { apiErrorReply, ApiErrorSchema, type ApiError } from './api-errors.ts';
export { DEFAULT_SERVE_LIMITS, resolveServeLimits, type ServeLimits } from './limits.ts';

export interface StartSearchApiOptions
  extends
    Omit<SearchServiceOptions, 'bundle' | 'onStage'>,
    Omit<ServeAppOptions, 'service' | 'metrics'> {
  /** A bundle, or the path of a bundle file. */
  bundle: Bundle | string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface RunningSearchApi {
  url: string;
  app: FastifyInstance;
  service: SearchService;
  metrics: ServeMetrics;
  close(): Promise<void>;
}

export async function startSearchApi(options: StartSearchApiOptions): Promise<RunningSearchApi> {
  const bundle =
    typeof options.bundle === 'string' ? await loadBundle(options.bundle) : options.bundle;
  const metrics = new ServeMetrics();
  const {
    bundle: _bundle,
    host: _host,
    port: _port,
    log,
    secrets,
    bodyLimit,
    maxImageBytes,
    maxUrlLength,
    maxHeaderBytes,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs,
    maxConnections,
    ...serviceOptions
  } = options;
  // Checked before the models load: a bad flag should not cost the seconds a model takes.
  const limits = resolveServeLimits({
    bodyLimit,
    maxImageBytes,
    maxUrlLength,
    maxHeaderBytes,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs,
    maxConnections,
  });
  const service = await SearchService.create({
    ...serviceOptions,
    bundle,
    onStage: metrics.observeStage,
  });
  metrics.watchVectorCache(() => service.vectorCacheStats());
  const host = options.host ?? '127.0.0.1';
  let app: FastifyInstance | null = null;
  try {
    app = await createServeApp({
      service,
      metrics,
      ...limits,
      ...(log === undefined ? {} : { log }),
      // The connection's own secrets are redacted verbatim too, wherever a driver echoes them.
      secrets: [
        ...(secrets ?? []),
        ...[options.es.password, options.es.apiKey].filter((s): s is string => !!s),
      ],
    });
    await app.listen({ host, port: options.port ?? 8080 });
  } catch (err) {
    await app?.close();
    await service.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new RwbError(
        'INVALID_INPUT',
        `Port ${options.port} on ${host} is already in use; pass another with --port (0 picks a free one)`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new RwbError('INVALID_INPUT', `Cannot listen on ${host}: no such local address`);
    }
    throw toRwbError(err);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const running = app;
  return {
    url: `http://${shownHost}:${port}`,
    app: running,
    service,
    metrics,
    async close() {
      await running.close();
      await service.close();
    },
  };
}
