/**
 * The production search API (`rwb serve`): fastify over a SearchService.
 *
 *   POST /search               JSON SearchRequest without tenantId
 *   POST /search/image         multipart: `image` file + optional `request` JSON
 *   GET  /documents/:spu_id    one product
 *   POST /v1/search, POST /v1/search/image, GET /v1/documents/:spu_id
 *                              the same in the seed's storefront shape (§8.1/§8.3; storefront-v1.ts)
 *   GET  /health               ES reachable, index there and compatible, models loaded (200/503)
 *   GET  /metrics              Prometheus text
 *   GET  /docs, /docs/openapi.json
 *
 * The tenant comes from `X-Tenant-ID` or `?tenant_id=` on every search/document route. Errors are
 * JSON `{code, message, details?}`; stacks stay in the server log.
 */
import multipart from '@fastify/multipart';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { redactSecrets } from '../net/redact.ts';
import { apiErrorReply, ClientRequestError, invalidInput } from './api-errors.ts';
import { createClientErrorHandler } from '../net/http-client-errors.ts';
import { readImageUpload } from './image-upload.ts';
import { deadlineCheckIntervalMs, resolveServeLimits, type ServeLimits } from './limits.ts';
import { buildOpenApiDocument, renderDocsPage } from './openapi.ts';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.ts';
import type { SearchService } from './search-service.ts';
import type { ServeMetrics } from './serve-metrics.ts';
import { toStorefrontResponse, toStorefrontSpu, withStorefrontRequest } from './storefront-v1.ts';
import { distinctHeaders, tenantFromRequest } from './tenant.ts';

export interface ServeAppOptions extends Partial<ServeLimits> {
  service: SearchService;
  metrics: ServeMetrics;
  /** Server-side log of faults (default: stderr). Lines arrive with credentials redacted. */
  log?: (message: string) => void;
  /** Secrets to keep out of the log and of answers besides URL credentials (ES password, API key). */
  secrets?: readonly string[];
}

const SPU_ID = /^[^\p{Cc}]{1,256}$/u;

/** Aborts when the client goes away before the answer is sent, so ES work is not wasted. */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** fastify's own rejections (bad JSON, wrong content type, too large) in the API's error shape. */
function frameworkError(err: FastifyError, limits: ServeLimits): ClientRequestError | null {
  const status = err.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  if (status === 413)
    return new ClientRequestError(
      413,
      'PAYLOAD_TOO_LARGE',
      `The body is larger than ${limits.bodyLimit} bytes`,
      { where: 'body' },
    );
  if (status === 415)
    return new ClientRequestError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Request rejected: ${err.message}; send application/json`,
    );
  return new ClientRequestError(400, 'INVALID_INPUT', `Request rejected: ${err.message}`);
}

export async function createServeApp(options: ServeAppOptions): Promise<FastifyInstance> {
  const { service, metrics, secrets = [], log: rawLog, ...limitOptions } = options;
  const limits = resolveServeLimits(limitOptions);
  const write = rawLog ?? ((message: string) => process.stderr.write(`${message}\n`));
  // Stacks and driver messages may spell the ES URL with its password: nothing logged unredacted.
  const log = (message: string) => write(redactSecrets(message, secrets));
  const esUrls = [service.esUrl];

  const sendError = (reply: FastifyReply, err: unknown): FastifyReply => {
    const { status, body, serverFault } = apiErrorReply(err, esUrls);
    if (serverFault) {
      const cause = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`[rwb serve] ${status} ${body.code}: ${cause}`);
    }
    const safeBody = { ...body, message: redactSecrets(body.message, secrets) };
    return reply.code(status).type('application/json; charset=utf-8').send(safeBody);
  };

  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyLimit,
    forceCloseConnections: true,
    // Long enough for any 256-character spu_id percent-encoded; the URL limit bounds it anyway.
    routerOptions: { maxParamLength: limits.maxUrlLength },
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: deadlineCheckIntervalMs(limits),
    },
    clientErrorHandler: createClientErrorHandler(limits, (status) =>
      metrics.observeRefusal(String(status)),
    ),
  });
  app.server.maxConnections = limits.maxConnections;
  app.server.on('drop', () => metrics.observeRefusal('max_connections'));
  app.removeContentTypeParser(['text/plain']);
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: {
      fileSize: limits.maxImageBytes,
      files: 1,
      fields: 4,
      fieldSize: 64 * 1024,
      parts: 5,
      headerPairs: 20,
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    const length = request.raw.url?.length ?? 0;
    if (length > limits.maxUrlLength) {
      return sendError(
        reply,
        new ClientRequestError(
          414,
          'URI_TOO_LONG',
          `The URL is longer than ${limits.maxUrlLength} characters`,
        ),
      );
    }
    return undefined;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError, _request, reply) =>
    sendError(reply, frameworkError(err, limits) ?? err),
  );
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      code: 'NOT_FOUND',
      message: `No route ${request.method} ${request.url.split('?')[0]}; see /docs`,
    }),
  );

  app.post('/search', async (request, reply) => {
    try {
      const tenant = tenantFromRequest(distinctHeaders(request.raw), request.query);
      return await service.search(tenant, request.body, clientGone(reply));
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post('/search/image', async (request, reply) => {
    try {
      const tenant = tenantFromRequest(distinctHeaders(request.raw), request.query);
      const upload = await readImageUpload(request, limits.maxImageBytes);
      return await service.searchByImage(tenant, upload.image, upload.options, clientGone(reply));
    } catch (err) {
      return sendError(reply, err);
    }
  });

  const documentOf = async (request: FastifyRequest<{ Params: { spu_id: string } }>) => {
    const tenant = tenantFromRequest(distinctHeaders(request.raw), request.query);
    const spuId = request.params.spu_id;
    if (!SPU_ID.test(spuId))
      throw invalidInput('spu_id: must be 1–256 characters without control characters', 'spu_id');
    return service.document(tenant, spuId);
  };

  app.get<{ Params: { spu_id: string } }>('/documents/:spu_id', async (request, reply) => {
    try {
      return await documentOf(request);
    } catch (err) {
      return sendError(reply, err);
    }
  });

  // The seed's storefront shape (§8.1/§8.3), versioned by path so the routes above keep today's
  // shape: a mapping over the same SearchService, not a second search.
  app.post('/v1/search', async (request, reply) => {
    try {
      const tenant = tenantFromRequest(distinctHeaders(request.raw), request.query);
      const signal = clientGone(reply);
      const response = await withStorefrontRequest(request.body, (body) =>
        service.search(tenant, body, signal),
      );
      return toStorefrontResponse(response, service.config.query.rewrite);
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post('/v1/search/image', async (request, reply) => {
    try {
      const tenant = tenantFromRequest(distinctHeaders(request.raw), request.query);
      const upload = await readImageUpload(request, limits.maxImageBytes);
      const signal = clientGone(reply);
      const response = await withStorefrontRequest(
        upload.options,
        (options) => service.searchByImage(tenant, upload.image, options, signal),
        'request',
      );
      return toStorefrontResponse(response, service.config.query.rewrite);
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get<{ Params: { spu_id: string } }>('/v1/documents/:spu_id', async (request, reply) => {
    try {
      return toStorefrontSpu(await documentOf(request));
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get('/health', async (_request, reply) => {
    const report = await service.health();
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  app.get('/metrics', async (_request, reply) =>
    reply.type(PROMETHEUS_CONTENT_TYPE).send(metrics.render()),
  );

  const document = buildOpenApiDocument();
  const page = renderDocsPage(document);
  app.get('/docs/openapi.json', async () => document);
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));

  return app;
}
