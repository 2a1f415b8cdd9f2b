import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiContext } from '../../engine/api/context.ts';
import { apiTokenOf, createHttpServer, startHttpServer } from '../../engine/http/server.ts';
import { resolveInside, RENDERER_CSP } from '../../engine/http/static-files.ts';
import { hostHeaderAllowed } from '../../engine/http/host-check.ts';
import { httpStatusFor } from '../../engine/http/status-codes.ts';

const ctx = createApiContext({ mode: 'browser', es: { url: 'http://127.0.0.1:1', insecure: false, requestTimeoutMs: 2000 } });
let rendererDir: string;
let app: FastifyInstance;
/** What the app's page sends: its token and a JSON content type. */
const authed = () => ({ 'x-rwb-token': apiTokenOf(app), 'content-type': 'application/json' });

beforeAll(async () => {
  rendererDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-renderer-'));
  await fs.mkdir(path.join(rendererDir, 'assets'));
  await fs.writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>rwb</title>');
  await fs.writeFile(path.join(rendererDir, 'assets', 'app-abc.js'), 'console.log(1)');
  await fs.writeFile(path.join(os.tmpdir(), 'rwb-outside-secret.txt'), 'TOP-SECRET-CONTENT-42');
  app = await createHttpServer({ ctx, rendererDir });
});
afterAll(async () => {
  await app.close();
  await ctx.close();
  await fs.rm(rendererDir, { recursive: true, force: true });
});

describe('browser-mode HTTP server', () => {
  it('runs an operation and returns its output as JSON', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/system.status', headers: authed(), payload: {} });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ mode: 'browser', esUrl: 'http://127.0.0.1:1' });
  });

  it('answers malformed JSON with 400 INVALID_INPUT and no stack', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/search.run', headers: authed(), payload: '{"tenantId":' });
    expect(res.statusCode).toBe(400);
    const body = res.json() as Record<string, unknown>;
    expect(body.code).toBe('INVALID_INPUT');
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses non-JSON bodies (no CSRF through simple cross-site requests)', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/jobs.cancel', headers: { ...authed(), 'content-type': 'text/plain' }, payload: '{"jobId":"x"}' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('answers unknown operations with 404 NOT_FOUND', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/search.everything', headers: authed(), payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('maps engine errors to their status: ES unreachable is 503 with the URL in the message', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/index.info', headers: authed(), payload: {} });
    expect(res.statusCode).toBe(503);
    const body = res.json() as { code: string; message: string };
    expect(body.code).toBe('ES_UNREACHABLE');
    expect(body.message).toContain('127.0.0.1:1');
  });

  it('rejects requests whose Host is not a loopback name (DNS rebinding)', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/system.status', headers: { ...authed(), host: 'attacker.example:5173' }, payload: {} });
    expect(res.statusCode).toBe(403);
    expect(hostHeaderAllowed('localhost:5173')).toBe(true);
    expect(hostHeaderAllowed('127.0.0.1')).toBe(true);
    expect(hostHeaderAllowed('[::1]:80')).toBe(true);
    expect(hostHeaderAllowed('127.0.0.1.evil.example')).toBe(false);
    expect(hostHeaderAllowed(undefined)).toBe(false);
  });

  it('serves the renderer with a CSP, app routes fall back to index.html, assets are cacheable', async () => {
    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    // The page carries this launch's token and must not be cached with it.
    expect(index.body).toContain(`<meta name="rwb-api-token" content="${apiTokenOf(app)}" />`);
    expect(index.headers['cache-control']).toBe('no-store');
    const route = await app.inject({ method: 'GET', url: '/search' });
    expect(route.body).toContain('<title>rwb</title>');
    expect(route.body).toContain(apiTokenOf(app));
    const asset = await app.inject({ method: 'GET', url: '/assets/app-abc.js' });
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
  });

  it('never serves files outside the renderer directory', async () => {
    for (const url of ['/../rwb-outside-secret.txt', '/%2e%2e/rwb-outside-secret.txt', '/assets/..%2f..%2frwb-outside-secret.txt']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('TOP-SECRET-CONTENT-42');
    }
    expect(resolveInside('/srv/app', '/../etc/passwd')).toBe('/srv/app/etc/passwd');
    expect(resolveInside('/srv/app', '/a%00b')).toBeNull();
    expect(resolveInside('/srv/app', '/%E0%A4%A')).toBeNull();
  });

  it('maps every error code to a 4xx/5xx status', () => {
    const codes = ['INVALID_INPUT', 'INVALID_CONFIG', 'NOT_FOUND', 'ES_UNREACHABLE', 'ES_ERROR', 'ES_RUNTIME', 'JAVA_MISSING', 'MYSQL_ERROR', 'MODEL_ERROR', 'DOWNLOAD_FAILED', 'BAD_ROW', 'CANCELLED', 'PARSE_ERROR', 'INTERNAL'] as const;
    for (const code of codes) expect(httpStatusFor(code)).toBeGreaterThanOrEqual(400);
    expect(httpStatusFor('INVALID_INPUT')).toBe(400);
    expect(httpStatusFor('INTERNAL')).toBe(500);
  });
});

describe('event stream', () => {
  it('streams job events as SSE and ends open streams when the server closes', async () => {
    const running = await startHttpServer({ ctx, rendererDir: null, port: 0 });
    const res = await fetch(`${running.url}api/events`, { headers: { 'x-rwb-token': running.token } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(': connected')) text += (await reader.read()).value ?? '';
    const { id } = ctx.jobs.start('sse-test', async () => 'done');
    while (!text.includes('"status":"succeeded"')) text += (await reader.read()).value ?? '';
    expect(text).toContain(`event: job\ndata: {"type":"status","jobId":"${id}","kind":"sse-test","status":"queued"}`);
    // Must not hang on the open stream.
    await running.close();
    while (!(await reader.read()).done);
  });
});

describe('API-only server', () => {
  it('says how to build the app when there is no renderer', async () => {
    const apiOnly = await createHttpServer({ ctx, rendererDir: path.join(rendererDir, 'nope') });
    try {
      const res = await apiOnly.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('npm run build');
    } finally {
      await apiOnly.close();
    }
  });
});
