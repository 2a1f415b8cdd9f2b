/**
 * The production search API (`rwb serve`): fastify over a SearchService.
 *
 *   POST /search               JSON SearchRequest without tenantId
 *   POST /search/image         multipart: `image` file + optional `request` JSON
 *   GET  /documents/:spu_id    one product
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
import { RwbError } from '../errors.ts';
import { apiErrorReply, invalidInput } from './api-errors.ts';
import { buildOpenApiDocument, renderDocsPage } from './openapi.ts';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.ts';
import type { SearchService } from './search-service.ts';
import type { ServeMetrics } from './serve-metrics.ts';
import { tenantFromRequest } from './tenant.ts';

export interface ServeAppOptions {
  service: SearchService;
  metrics: ServeMetrics;
  /** Server-side log of faults (default: stderr). */
  log?: (message: string) => void;
  /** Largest JSON body (default 1 MiB). */
  bodyLimit?: number;
  /** Largest uploaded image (default 10 MiB). */
  maxImageBytes?: number;
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

function sendError(
  reply: FastifyReply,
  err: unknown,
  esUrls: string[],
  log: (message: string) => void,
): FastifyReply {
  const { status, body, serverFault } = apiErrorReply(err, esUrls);
  if (serverFault) {
    const cause = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`[rwb serve] ${status} ${body.code}: ${cause}`);
  }
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Fastify's own rejections (bad JSON, wrong content type, too large) in the API's error shape. */
function frameworkError(
  err: FastifyError,
): { status: number; code: string; message: string } | null {
  const status = err.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  if (status === 413)
    return { status, code: 'PAYLOAD_TOO_LARGE', message: `Request rejected: ${err.message}` };
  if (status === 415)
    return {
      status,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `Request rejected: ${err.message}; send application/json`,
    };
  return { status, code: 'INVALID_INPUT', message: `Request rejected: ${err.message}` };
}

async function readImageUpload(
  request: FastifyRequest,
): Promise<{ image: Buffer; options: Record<string, unknown> }> {
  if (!request.isMultipart()) {
    throw new RwbError(
      'INVALID_INPUT',
      'POST /search/image takes multipart/form-data with an "image" file part',
      { where: 'body' },
    );
  }
  let image: Buffer | null = null;
  let options: Record<string, unknown> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'image') {
        part.file.resume();
        throw invalidInput(
          `Unexpected file part "${part.fieldname}"; the image goes in the "image" part`,
          part.fieldname,
        );
      }
      image = await part.toBuffer();
    } else if (part.fieldname === 'request') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(part.value));
      } catch (err) {
        throw invalidInput(`request: not valid JSON (${(err as Error).message})`, 'request');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw invalidInput('request: must be a JSON object of search options', 'request');
      }
      options = parsed as Record<string, unknown>;
    } else {
      throw invalidInput(
        `Unexpected form field "${part.fieldname}" (allowed: image, request)`,
        part.fieldname,
      );
    }
  }
  if (image === null || image.length === 0)
    throw invalidInput('image: the "image" file part is missing or empty', 'image');
  return { image, options };
}

export async function createServeApp(options: ServeAppOptions): Promise<FastifyInstance> {
  const { service, metrics } = options;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const esUrls = [service.esUrl];
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    forceCloseConnections: true,
  });
  app.removeContentTypeParser(['text/plain']);
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: {
      fileSize: options.maxImageBytes ?? 10 * 1024 * 1024,
      files: 1,
      fields: 4,
      fieldSize: 64 * 1024,
      parts: 5,
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError, _request, reply) => {
    const known = frameworkError(err);
    if (known !== null)
      return reply.code(known.status).send({ code: known.code, message: known.message });
    return sendError(reply, err, esUrls, log);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      code: 'NOT_FOUND',
      message: `No route ${request.method} ${request.url.split('?')[0]}; see /docs`,
    }),
  );

  app.post('/search', async (request, reply) => {
    try {
      const tenant = tenantFromRequest(request.headers, request.query);
      return await service.search(tenant, request.body, clientGone(reply));
    } catch (err) {
      return sendError(reply, err, esUrls, log);
    }
  });

  app.post('/search/image', async (request, reply) => {
    try {
      const tenant = tenantFromRequest(request.headers, request.query);
      const { image, options: searchOptions } = await readImageUpload(request);
      return await service.searchByImage(tenant, image, searchOptions, clientGone(reply));
    } catch (err) {
      const tooLarge = (err as FastifyError).code === 'FST_REQ_FILE_TOO_LARGE';
      if (tooLarge) {
        return reply.code(413).send({
          code: 'PAYLOAD_TOO_LARGE',
          message: `image: larger than ${options.maxImageBytes ?? 10 * 1024 * 1024} bytes`,
        });
      }
      const known = frameworkError(err as FastifyError);
      if (known !== null && !(err instanceof RwbError))
        return reply.code(known.status).send({ code: known.code, message: known.message });
      return sendError(reply, err, esUrls, log);
    }
  });

  app.get<{ Params: { spu_id: string } }>('/documents/:spu_id', async (request, reply) => {
    try {
      const tenant = tenantFromRequest(request.headers, request.query);
      const spuId = request.params.spu_id;
      if (!SPU_ID.test(spuId))
        throw invalidInput('spu_id: must be 1–256 characters without control characters', 'spu_id');
      return await service.document(tenant, spuId);
    } catch (err) {
      return sendError(reply, err, esUrls, log);
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
