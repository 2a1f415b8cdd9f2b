/**
 * Who may drive the browser-mode API. Any web page the user has open can send requests to
 * 127.0.0.1 (no-cors fetch, form posts, sendBeacon, EventSource), so every `/api/*` request must
 * prove it comes from the page this server handed out:
 *
 * - a per-launch random token, injected into the served index.html and sent back in the
 *   `x-rwb-token` header. Other origins cannot read the page (no CORS headers, frame-ancestors
 *   'none') and cannot set custom headers without a preflight we never grant. Not a cookie:
 *   other ports on 127.0.0.1 are the same *site*, so cookies would be sent with their requests.
 * - the `Origin` header, when present, is this server's own origin; `Sec-Fetch-Site`, when
 *   present, is not `cross-site`/`same-site`. Clients that send neither (curl, scripts) still need
 *   the token.
 * - `Content-Type: application/json` on every POST, also an empty one: the content types a page
 *   can send without a preflight are refused.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RwbError } from '../errors.ts';

/** The request header that carries the token (the renderer's http-transport sends it). */
export const API_TOKEN_HEADER = 'x-rwb-token';
/** The `<meta name>` of index.html that carries the token to the page. */
export const API_TOKEN_META = 'rwb-api-token';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22,256}$/;

/** 256 random bits, URL- and HTML-safe (base64url). */
export function generateApiToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A caller-chosen token must be as unguessable as a generated one and safe to put into HTML. */
export function checkApiToken(token: string): string {
  if (!TOKEN_SHAPE.test(token)) {
    throw new RwbError(
      'INVALID_INPUT',
      'The API token must be 22-256 characters of A-Z, a-z, 0-9, "-" and "_" (at least 128 random bits)',
    );
  }
  return token;
}

/** Constant-time comparison; hashing first makes both sides the same length. */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** `/api`, `/api/...`, also percent-encoded spellings the router would decode to those. */
export function isApiPath(url: string): boolean {
  const pathPart = url.split('?')[0]!;
  let decoded = pathPart;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    // Undecodable: judge the raw form (the router will not match it either).
  }
  const lower = decoded.toLowerCase();
  return lower === '/api' || lower.startsWith('/api/');
}

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403 | 415; message: string };

interface GuardInput {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  token: string | undefined;
  contentType: string | undefined;
}

const REFUSED_FETCH_SITES = new Set(['cross-site', 'same-site']);

/** The whole policy as one pure function (unit-tested without a server). */
export function judgeApiRequest(request: GuardInput, expectedToken: string): GuardVerdict {
  if (request.secFetchSite && REFUSED_FETCH_SITES.has(request.secFetchSite.toLowerCase())) {
    return {
      ok: false,
      status: 403,
      message: `Requests from other sites are refused (Sec-Fetch-Site: ${request.secFetchSite}); use the workbench page itself`,
    };
  }
  if (request.origin !== undefined) {
    const own = request.host ? `http://${request.host}`.toLowerCase() : null;
    if (own === null || request.origin.toLowerCase() !== own) {
      return {
        ok: false,
        status: 403,
        message: `Requests from origin "${request.origin.slice(0, 200)}" are refused; only the workbench page itself may call the API`,
      };
    }
  }
  if (request.token === undefined || request.token === '') {
    return {
      ok: false,
      status: 401,
      message: `Missing API token: send the ${API_TOKEN_HEADER} header (the workbench page does this; open it from the URL \`rwb ui\` printed)`,
    };
  }
  if (!tokensMatch(request.token, expectedToken)) {
    return {
      ok: false,
      status: 403,
      message: `Wrong API token: the workbench was restarted since this page was loaded? Reload the page`,
    };
  }
  if (request.method === 'POST' && !isJsonContentType(request.contentType)) {
    return {
      ok: false,
      status: 415,
      message: `POST requests must have Content-Type: application/json (got ${request.contentType ? `"${request.contentType.slice(0, 100)}"` : 'none'})`,
    };
  }
  return { ok: true };
}

export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** One value of a header Node may have joined into an array; a repeated header is refused. */
function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : '\u0000repeated';
  return value;
}

/** Installs the guard on every `/api/*` request, before its body is read. */
export function registerApiGuard(app: FastifyInstance, token: string): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url;
    if (!isApiPath(request.url) && !(route !== undefined && isApiPath(route))) return undefined;
    const verdict = judgeApiRequest(
      {
        method: request.method,
        host: request.headers.host,
        origin: single(request.headers.origin),
        secFetchSite: single(request.headers['sec-fetch-site']),
        token: single(request.headers[API_TOKEN_HEADER]),
        contentType: request.headers['content-type'],
      },
      token,
    );
    if (verdict.ok) return undefined;
    return reply.code(verdict.status).send(new RwbError('INVALID_INPUT', verdict.message).toJSON());
  });
}
