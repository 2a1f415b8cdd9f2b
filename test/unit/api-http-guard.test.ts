/**
 * Who may drive the browser-mode API, over real HTTP as curl or another page would send it: the
 * per-launch token, the Origin / Sec-Fetch-Site checks, JSON-only POSTs, no CORS headers, and the
 * API's `{code, message}` shape for every refusal down to Node's parser (413/414/431/400).
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiContext } from '../../engine/api/context.ts';
import {
  createHttpServer,
  startHttpServer,
  type RunningHttpServer,
} from '../../engine/http/server.ts';
import {
  generateApiToken,
  isApiPath,
  judgeApiRequest,
  tokensMatch,
} from '../../engine/http/api-guard.ts';
import { withApiToken } from '../../engine/http/static-files.ts';

const ctx = createApiContext({
  mode: 'browser',
  es: { url: 'http://127.0.0.1:1', insecure: false, requestTimeoutMs: 2000 },
});
let server: RunningHttpServer;
let origin: string;
/** Every response of this file, to check that none carried a CORS header. */
const seen: Array<{ what: string; headers: http.IncomingHttpHeaders }> = [];

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${origin}${path}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        seen.push({ what: `${method} ${path.slice(0, 60)}`, headers: res.headers });
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes on a socket, for requests Node's own client would refuse to send. */
function sendRaw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(origin).port), '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(text) : reject(err),
    );
    socket.write(bytes);
  });
}

/** The API error shape: exactly code and message. */
function expectApiError(answer: Answer | string, status: number): void {
  if (typeof answer === 'string') {
    const [head, body] = [
      answer.slice(0, answer.indexOf('\r\n\r\n')),
      answer.slice(answer.indexOf('\r\n\r\n') + 4),
    ];
    expect(head.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(head.toLowerCase()).not.toContain('access-control-');
    const json = JSON.parse(body) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['code', 'message']);
    return;
  }
  expect(answer.status, answer.body).toBe(status);
  const json = JSON.parse(answer.body) as Record<string, unknown>;
  expect(Object.keys(json).sort()).toEqual(['code', 'message']);
  expect(typeof json.message).toBe('string');
}

const json = { 'content-type': 'application/json' };
const withToken = () => ({ ...json, 'x-rwb-token': server.token });

beforeAll(async () => {
  server = await startHttpServer({ ctx, rendererDir: null, port: 0 });
  origin = server.url.replace(/\/$/, '');
});
afterAll(async () => {
  await server.close();
  await ctx.close();
});

describe('the API token', () => {
  it('is required: a request without it gets 401 in the API shape, also for unknown operations', async () => {
    for (const path of [
      '/api/system.status',
      '/api/config.export',
      '/api/no.such.op',
      '/%61pi/system.status',
    ]) {
      const answer = await send('POST', path, json, '{}');
      expectApiError(answer, 401);
      expect(answer.body).toContain('x-rwb-token');
    }
    // A body-less POST, as a no-cors fetch or sendBeacon sends it, gets no further.
    expectApiError(await send('POST', '/api/es.local.stop'), 401);
  });

  it('must be the right one: a wrong, empty-looking or repeated token gets 403 (401 when empty)', async () => {
    expectApiError(
      await send(
        'POST',
        '/api/system.status',
        { ...json, 'x-rwb-token': generateApiToken() },
        '{}',
      ),
      403,
    );
    expectApiError(
      await send(
        'POST',
        '/api/system.status',
        { ...json, 'x-rwb-token': server.token.slice(0, -1) },
        '{}',
      ),
      403,
    );
    expectApiError(
      await send(
        'POST',
        '/api/system.status',
        { ...json, 'x-rwb-token': [server.token, server.token] },
        '{}',
      ),
      403,
    );
    expectApiError(
      await send('POST', '/api/system.status', { ...json, 'x-rwb-token': '' }, '{}'),
      401,
    );
  });

  it('lets the right token through, with or without our own Origin', async () => {
    const plain = await send('POST', '/api/system.status', withToken(), '{}');
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.body)).toMatchObject({ mode: 'browser' });
    const sameOrigin = await send(
      'POST',
      '/api/system.status',
      { ...withToken(), origin, 'sec-fetch-site': 'same-origin' },
      '{}',
    );
    expect(sameOrigin.status).toBe(200);
  });

  it('guards the event stream too', async () => {
    expectApiError(await send('GET', '/api/events'), 401);
    expectApiError(await send('GET', '/api/events', { 'x-rwb-token': generateApiToken() }), 403);
    const controller = new AbortController();
    const res = await fetch(`${origin}/api/events`, {
      headers: { 'x-rwb-token': server.token },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
  });

  it('is generated per server (256 random bits) unless one is given; a weak one is refused', async () => {
    const other = await createHttpServer({ ctx, rendererDir: null });
    const given = generateApiToken();
    const chosen = await createHttpServer({ ctx, rendererDir: null, token: given });
    try {
      expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const otherToken = (
        await other.inject({
          method: 'POST',
          url: '/api/system.status',
          headers: withToken(),
          payload: {},
        })
      ).statusCode;
      expect(otherToken).toBe(403);
      expect(
        (
          await chosen.inject({
            method: 'POST',
            url: '/api/system.status',
            headers: { ...json, 'x-rwb-token': given },
            payload: {},
          })
        ).statusCode,
      ).toBe(200);
    } finally {
      await other.close();
      await chosen.close();
    }
    await expect(
      createHttpServer({ ctx, rendererDir: null, token: 'secret' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      createHttpServer({ ctx, rendererDir: null, token: '"><script>alert(1)</script><x y="1234' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('origin checks', () => {
  it('refuses a foreign Origin even with the right token', async () => {
    const port = new URL(origin).port;
    for (const foreign of [
      'http://127.0.0.1:1',
      `http://localhost:${port}`,
      `https://127.0.0.1:${port}`,
      'null',
      'http://evil.example',
    ]) {
      expectApiError(
        await send('POST', '/api/system.status', { ...withToken(), origin: foreign }, '{}'),
        403,
      );
    }
  });

  it('refuses cross-site and same-site requests (another port on 127.0.0.1 is the same site)', async () => {
    for (const site of ['cross-site', 'same-site']) {
      expectApiError(
        await send('POST', '/api/system.status', { ...withToken(), 'sec-fetch-site': site }, '{}'),
        403,
      );
    }
  });
});

describe('JSON only', () => {
  it('refuses every POST without Content-Type: application/json with 415, also an empty one', async () => {
    expectApiError(await send('POST', '/api/system.status', { 'x-rwb-token': server.token }), 415);
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
    ]) {
      expectApiError(
        await send(
          'POST',
          '/api/system.status',
          { 'x-rwb-token': server.token, 'content-type': type },
          '{}',
        ),
        415,
      );
    }
    expect(
      (
        await send(
          'POST',
          '/api/system.status',
          { 'x-rwb-token': server.token, 'content-type': 'application/json; charset=utf-8' },
          '{}',
        )
      ).status,
    ).toBe(200);
  });
});

describe('oversize requests answer in the API shape', () => {
  it('413 for a body over 4 MiB', async () => {
    expectApiError(
      await send(
        'POST',
        '/api/system.status',
        withToken(),
        `{"pad":"${'x'.repeat(4 * 1024 * 1024 + 10)}"}`,
      ),
      413,
    );
  });

  it('414 for a long URL, also one past Node parser limit', async () => {
    expectApiError(await send('GET', `/api/events?${'a'.repeat(10_000)}`), 414);
    expectApiError(
      await sendRaw(`GET /api/events?${'a'.repeat(40_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
      414,
    );
  });

  it('431 for headers past the limit, 400 for a malformed request, and the server lives on', async () => {
    expectApiError(
      await sendRaw(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(40_000)}\r\n\r\n`),
      431,
    );
    expectApiError(await sendRaw('NOT A REQUEST\r\n\r\n'), 400);
    expect((await send('POST', '/api/system.status', withToken(), '{}')).status).toBe(200);
  });
});

describe('the policy as a function', () => {
  const ok = {
    method: 'POST',
    host: '127.0.0.1:5173',
    origin: undefined,
    secFetchSite: undefined,
    contentType: 'application/json',
  };
  it('checks site, origin, token and content type in that order', () => {
    const token = generateApiToken();
    expect(judgeApiRequest({ ...ok, token }, token)).toEqual({ ok: true });
    expect(judgeApiRequest({ ...ok, token, origin: 'http://127.0.0.1:5173' }, token)).toEqual({
      ok: true,
    });
    expect(judgeApiRequest({ ...ok, token, origin: 'HTTP://127.0.0.1:5173' }, token)).toEqual({
      ok: true,
    });
    expect(judgeApiRequest({ ...ok, token, origin: 'http://127.0.0.1:5174' }, token)).toMatchObject(
      { ok: false, status: 403 },
    );
    expect(
      judgeApiRequest({ ...ok, token, host: undefined, origin: 'http://127.0.0.1:5173' }, token),
    ).toMatchObject({ ok: false, status: 403 });
    expect(
      judgeApiRequest({ ...ok, token: undefined, secFetchSite: 'cross-site' }, token),
    ).toMatchObject({ ok: false, status: 403 });
    expect(judgeApiRequest({ ...ok, token: undefined }, token)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(judgeApiRequest({ ...ok, token, method: 'GET', contentType: undefined }, token)).toEqual(
      { ok: true },
    );
    expect(judgeApiRequest({ ...ok, token, contentType: undefined }, token)).toMatchObject({
      ok: false,
      status: 415,
    });
  });

  it('compares tokens of any length and knows API paths in any spelling', () => {
    const token = generateApiToken();
    expect(tokensMatch(token, token)).toBe(true);
    expect(tokensMatch(`${token}x`, token)).toBe(false);
    expect(tokensMatch('', token)).toBe(false);
    expect(isApiPath('/api/x?y')).toBe(true);
    expect(isApiPath('/API/x')).toBe(true);
    expect(isApiPath('/%61pi')).toBe(true);
    expect(isApiPath('/apis')).toBe(false);
    expect(isApiPath('/assets/api/x.js')).toBe(false);
  });

  it('puts the token into the head of the page', () => {
    expect(withApiToken('<html><head lang="x"><title>t</title></head></html>', 'T0k')).toBe(
      '<html><head lang="x"><meta name="rwb-api-token" content="T0k" /><title>t</title></head></html>',
    );
    expect(withApiToken('<p>no head</p>', 'T0k')).toBe(
      '<meta name="rwb-api-token" content="T0k" /><p>no head</p>',
    );
  });
});

describe('no CORS', () => {
  it('answers preflights without any access-control-* header', async () => {
    const preflight = await send('OPTIONS', '/api/system.status', {
      origin: 'http://127.0.0.1:1',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, x-rwb-token',
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expectApiError(await send('OPTIONS', '/'), 404);
  });

  it('never sent an access-control-* header on any response of this file (runs last)', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const { what, headers } of seen) {
      expect(
        Object.keys(headers).filter((h) => h.startsWith('access-control-')),
        what,
      ).toEqual([]);
    }
  });
});
