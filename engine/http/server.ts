/**
 * Browser mode: the contract over HTTP. `POST /api/<operation>` runs one operation (JSON in, JSON
 * out, errors as `{code, message, details}` with a matching status), `GET /api/events` streams
 * every JobEvent as server-sent events, and everything else is the built renderer. Every `/api/*`
 * request must carry this launch's token and come from our own origin (see api-guard.ts); every
 * refusal, down to Node's parser errors, answers in the same `{code, message}` shape.
 */
import { existsSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { RwbError, toRwbError } from '../errors.ts';
import { OPERATION_NAMES } from '../api/names.ts';
import { invokeOperation } from '../api/invoke.ts';
import { HTTP_API_PREFIX, HTTP_EVENTS_PATH } from '../api/wire.ts';
import type { ApiContext } from '../api/context.ts';
import { httpStatusFor } from './status-codes.ts';
import { registerStaticRoutes } from './static-files.ts';
import { registerEventStream } from './events.ts';
import { isLoopbackHost, hostHeaderAllowed } from './host-check.ts';
import { checkApiToken, generateApiToken, registerApiGuard } from './api-guard.ts';
import { handleClientError, handleFrameworkError, MAX_URL_LENGTH } from './client-errors.ts';

export interface HttpServerOptions {
  ctx: ApiContext;
  /** Directory of the built renderer; null serves the API only. */
  rendererDir?: string | null;
  /** The interface the server will bind; a loopback bind also rejects foreign Host headers. */
  host?: string;
  /** Called with errors that reached the client as INTERNAL (the client never sees stacks). */
  onInternalError?: (err: unknown) => void;
  /** Milliseconds between SSE keep-alive comments. */
  heartbeatMs?: number;
  /** The token `/api/*` requests must present; a fresh random one when not given. */
  token?: string;
}

const tokens = new WeakMap<FastifyInstance, string>();

/** The API token a server created by createHttpServer requires. */
export function apiTokenOf(app: FastifyInstance): string {
  const token = tokens.get(app);
  if (token === undefined) throw new RwbError('INTERNAL', 'Not a browser-mode server');
  return token;
}

/** The routes of one operation, e.g. `/api/search.basic`. */
export function httpRouteFor(name: string): string {
  return `${HTTP_API_PREFIX}${name}`;
}

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { ctx } = options;
  const host = options.host ?? '127.0.0.1';
  const reportInternal = options.onInternalError ?? ((err: unknown) => console.error('[rwb http] internal error:', err));
  const token = options.token === undefined ? generateApiToken() : checkApiToken(options.token);
  // forceCloseConnections: Ctrl-C must not wait out a browser's keep-alive connections (72 s by default).
  const app = Fastify({
    logger: false,
    bodyLimit: 4 * 1024 * 1024,
    forceCloseConnections: true,
    clientErrorHandler: handleClientError,
    frameworkErrors: handleFrameworkError,
  });
  tokens.set(app, token);
  // JSON only: a cross-site form or text/plain POST (no CORS preflight) is refused with 415.
  app.removeContentTypeParser(['text/plain']);

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.length > MAX_URL_LENGTH) {
      return reply.code(414).send({ code: 'INVALID_INPUT', message: `Request URL too long (limit ${MAX_URL_LENGTH} characters)` });
    }
    return undefined;
  });

  if (isLoopbackHost(host)) {
    // DNS rebinding: a web page served from evil.example resolving to 127.0.0.1 must not reach us.
    app.addHook('onRequest', async (request, reply) => {
      if (!hostHeaderAllowed(request.headers.host)) {
        return reply.code(403).send({ code: 'INVALID_INPUT', message: `Host "${request.headers.host ?? ''}" is not allowed; open the app via 127.0.0.1 or localhost` });
      }
      return undefined;
    });
  }

  registerApiGuard(app, token);

  app.setErrorHandler((err: FastifyError, _request, reply) => {
    // Fastify's own 4xx (bad JSON, wrong content type, body too large) are input errors.
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ code: 'INVALID_INPUT', message: `Request rejected: ${err.message}` });
    }
    reportInternal(err);
    return reply.code(500).send({ code: 'INTERNAL', message: 'Internal error in the workbench server (see its console)' });
  });

  for (const name of OPERATION_NAMES) {
    app.post(httpRouteFor(name), async (request, reply) => {
      // A client that hung up (a superseded slider request) aborts the operation's ES work.
      const hangUp = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) hangUp.abort();
      });
      try {
        const output = await invokeOperation(name, request.body, ctx, { signal: hangUp.signal });
        return reply.code(200).send(output ?? null);
      } catch (err) {
        const error = toRwbError(err);
        if (error.code === 'INTERNAL') reportInternal(error.cause ?? error);
        return reply.code(httpStatusFor(error.code)).send(error.toJSON());
      }
    });
  }
  registerEventStream(app, ctx, { path: HTTP_EVENTS_PATH, heartbeatMs: options.heartbeatMs ?? 15_000 });

  app.post(`${HTTP_API_PREFIX}*`, async (request, reply) => {
    const name = request.url.slice(HTTP_API_PREFIX.length).split('?')[0];
    const error = new RwbError('NOT_FOUND', `Unknown operation "${name}" (known: ${OPERATION_NAMES.join(', ')})`);
    return reply.code(404).send(error.toJSON());
  });

  if (options.rendererDir && existsSync(options.rendererDir)) {
    registerStaticRoutes(app, options.rendererDir, token);
  } else {
    app.get('/', async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('Relevance Workbench API is running, but the app (out/renderer) is not built. Run `npm run build`, then reload.'),
    );
  }
  // Methods and paths no route takes (OPTIONS preflights included): the API shape, no CORS headers.
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}` }),
  );
  return app;
}

export interface RunningHttpServer {
  app: FastifyInstance;
  url: string;
  /** The token the served page carries and every `/api/*` call must present. */
  token: string;
  close(): Promise<void>;
}

/** Creates and binds the server; `port: 0` picks a free port. */
export async function startHttpServer(options: HttpServerOptions & { port?: number }): Promise<RunningHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const app = await createHttpServer({ ...options, host });
  try {
    await app.listen({ host, port: options.port ?? 5173 });
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new RwbError('INVALID_INPUT', `Port ${options.port} on ${host} is already in use; pass another with --port (0 picks a free one)`);
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new RwbError('INVALID_INPUT', `Cannot bind ${host}: no such local address (use 127.0.0.1)`);
    }
    throw toRwbError(err);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shownHost}:${port}/`, token: apiTokenOf(app), close: () => app.close() };
}
