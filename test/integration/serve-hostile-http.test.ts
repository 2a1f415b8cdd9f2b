/**
 * `rwb serve` against clients that break HTTP on purpose, over real sockets, against the real ES:
 * a body that stops arriving, headers that never end, idle kept-alive sockets, more connections
 * than allowed, repeated and non-ASCII tenant headers, a 100 kB URL and 100 kB of headers,
 * malformed framing, oversize JSON bodies. Every answer is a 4xx in the API's `{code, message}`
 * shape (or a closed socket where no answer is possible), and after each one the server still
 * answers /health with 200. Multipart uploads: serve-hostile-multipart.test.ts.
 */
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Bundle } from '../../engine/config/bundle-schema.ts';
import { startSearchApi, type RunningSearchApi } from '../../engine/serve/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { createServeFixture, type ServeFixture } from '../helpers/serve-fixture.ts';
import { closingRequest, rawExchange, requestHead } from '../helpers/raw-http.ts';
import { expectAlive, expectApiError } from '../helpers/serve-assertions.ts';

const missing = [await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable())];

let fixture: ServeFixture;
let bundle: Bundle;
let api: RunningSearchApi;
let port: number;
const log: string[] = [];

describeWith(missing, 'rwb serve: hostile HTTP clients get 4xx answers and cannot hold it', () => {
  beforeAll(async () => {
    fixture = await createServeFixture('serve-hostile');
    expect(fixture.indexed).toBe(10);
    bundle = fixture.bundle;
    api = await startSearchApi({
      bundle,
      es: { url: esUrl() },
      port: 0,
      embedder: null,
      translator: null,
      headersTimeoutMs: 500,
      requestTimeoutMs: 1000,
      keepAliveTimeoutMs: 1000,
      log: (line) => log.push(line),
    });
    port = Number(new URL(api.url).port);
  }, 300_000);

  afterAll(async () => {
    await api?.close();
    await fixture?.cleanup();
  });

  it('answers a normal search (the baseline the refusals are measured against)', async () => {
    const response = await rawExchange(
      port,
      closingRequest('POST', '/search', ['X-Tenant-ID: 1', 'Content-Type: application/json'], '{}'),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).results.length).toBeGreaterThan(0);
  });

  it('closes a connection whose body stops arriving (Content-Length 100, 9 bytes sent) with 408', async () => {
    const head = requestHead('POST /search HTTP/1.1', [
      'X-Tenant-ID: 1',
      'Content-Type: application/json',
      'Content-Length: 100',
    ]);
    const response = await rawExchange(port, head, '{"query":');
    expectApiError(response, 408, 'REQUEST_TIMEOUT');
    await expectAlive(api);
  });

  it('closes a connection whose headers never end with 408', async () => {
    const response = await rawExchange(
      port,
      'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: 1\r\n',
    );
    expectApiError(response, 408, 'REQUEST_TIMEOUT');
    const silent = await rawExchange(port);
    expect(silent.raw === '' || silent.status === 408).toBe(true);
    await expectAlive(api);
    // Refusals that never reached a route are counted too (the body timeout above, these two).
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const timeouts = /^rwb_http_refused_total\{reason="408"\} (\d+)$/m.exec(metrics);
    expect(Number(timeouts?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('closes an idle kept-alive connection after its request was answered', async () => {
    const response = await rawExchange(port, requestHead('GET /health HTTP/1.1'));
    expect(response.status).toBe(200);
    expect(response.headers.connection).toBe('keep-alive');
    await expectAlive(api);
  });

  it('refuses a repeated X-Tenant-ID (which Node would join into "1, 2") and a repeated ?tenant_id=', async () => {
    for (const target of ['/search', '/search/image']) {
      const response = await rawExchange(
        port,
        closingRequest(
          'POST',
          target,
          ['X-Tenant-ID: 1', 'X-Tenant-ID: 2', 'Content-Type: application/json'],
          '{}',
        ),
      );
      expect(expectApiError(response, 400, 'INVALID_INPUT')).toBe(
        'X-Tenant-ID is given more than once',
      );
    }
    const document = await rawExchange(
      port,
      closingRequest('GET', '/documents/x', ['X-Tenant-ID: 1', 'x-tenant-id: 1']),
    );
    expect(expectApiError(document, 400, 'INVALID_INPUT')).toMatch(/X-Tenant-ID/);
    const query = await rawExchange(
      port,
      closingRequest(
        'POST',
        '/search?tenant_id=1&tenant_id=2',
        ['Content-Type: application/json'],
        '{}',
      ),
    );
    expect(expectApiError(query, 400, 'INVALID_INPUT')).toBe('?tenant_id is given more than once');
    await expectAlive(api);
  });

  it('refuses X-Tenant-ID bytes outside ASCII (UTF-8 and Latin-1) with 400 naming the header', async () => {
    const utf8 = Buffer.concat([Buffer.from('X-Tenant-ID: '), Buffer.from('租户', 'utf8')]);
    const latin1 = Buffer.concat([Buffer.from('X-Tenant-ID: caf'), Buffer.from([0xe9])]);
    for (const header of [utf8, latin1]) {
      const response = await rawExchange(
        port,
        closingRequest('POST', '/search', [header, 'Content-Type: application/json'], '{}'),
      );
      expect(expectApiError(response, 400, 'INVALID_INPUT')).toMatch(
        /^X-Tenant-ID must be printable ASCII/,
      );
    }
    // The same id percent-encoded in the query string is a valid (if unknown) tenant.
    const viaQuery = await rawExchange(
      port,
      closingRequest(
        'POST',
        `/search?tenant_id=${encodeURIComponent('租户')}`,
        ['Content-Type: application/json'],
        '{}',
      ),
    );
    expect(viaQuery.status).toBe(200);
    expect(JSON.parse(viaQuery.body).total).toBe(0);
    await expectAlive(api);
  });

  it('answers a 100 kB URL with 414 and 100 kB of headers with 431, in the API shape', async () => {
    const longUrl = await rawExchange(
      port,
      closingRequest('GET', `/documents/${'a'.repeat(100_000)}`),
    );
    expectApiError(longUrl, 414, 'URI_TOO_LONG');
    // Between the URL limit (8 KiB) and the header limit (16 KiB): refused by the app, same shape.
    const mediumUrl = await rawExchange(
      port,
      closingRequest('GET', `/health?x=${'a'.repeat(10_000)}`),
    );
    expectApiError(mediumUrl, 414, 'URI_TOO_LONG');
    const oneHugeHeader = await rawExchange(
      port,
      closingRequest('GET', '/health', [`X-Filler: ${'b'.repeat(100_000)}`]),
    );
    expectApiError(oneHugeHeader, 431, 'HEADERS_TOO_LARGE');
    const manyHeaders = Array.from({ length: 2000 }, (_, i) => `X-Filler-${i}: ${'c'.repeat(40)}`);
    expectApiError(
      await rawExchange(port, closingRequest('GET', '/health', manyHeaders)),
      431,
      'HEADERS_TOO_LARGE',
    );
    await expectAlive(api);
  });

  it('answers malformed HTTP framing (bad header names, smuggling-style lengths) with 400 in the API shape', async () => {
    const framings = [
      'GET /health HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n',
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Bell: a\u0007b\r\n\r\n',
      'POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      'POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'GARBAGE\r\n\r\n',
    ];
    for (const request of framings) {
      const response = await rawExchange(port, request);
      expect(expectApiError(response, 400, 'INVALID_INPUT'), request).toMatch(
        /^Malformed HTTP request/,
      );
      await expectAlive(api);
    }
  });

  it('answers a too-large JSON body with 413 and a non-JSON body with 415, in the API shape', async () => {
    const big = JSON.stringify({ query: 'x'.repeat(1024 * 1024 + 10) });
    const tooLarge = await rawExchange(
      port,
      closingRequest('POST', '/search', ['X-Tenant-ID: 1', 'Content-Type: application/json'], big),
    );
    expectApiError(tooLarge, 413, 'PAYLOAD_TOO_LARGE');
    const text = await rawExchange(
      port,
      closingRequest('POST', '/search', ['X-Tenant-ID: 1', 'Content-Type: text/plain'], 'hello'),
    );
    expectApiError(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectAlive(api);
  });

  it('bounds concurrent connections and serves again once they are gone', async () => {
    const limited = await startSearchApi({
      bundle,
      es: { url: esUrl() },
      port: 0,
      embedder: null,
      translator: null,
      maxConnections: 3,
      log: () => undefined,
    });
    const limitedPort = Number(new URL(limited.url).port);
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const socket = net.connect(limitedPort, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        held.push(socket);
      }
      await new Promise<void>((resolve, reject) =>
        limited.app.server.getConnections((err, count) =>
          err ? reject(err) : resolve(expect(count).toBe(3)),
        ),
      );
      const refused = await rawExchange(limitedPort, closingRequest('GET', '/health'));
      expect(refused.status).toBeNull();
      for (const socket of held) socket.destroy();
      // Wait (without a clock) until the server has seen the closes.
      for (;;) {
        const count = await new Promise<number>((resolve, reject) =>
          limited.app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
        );
        if (count === 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const again = await rawExchange(limitedPort, closingRequest('GET', '/health'));
      expect(again.status).toBe(200);
      const metrics = await rawExchange(limitedPort, closingRequest('GET', '/metrics'));
      expect(metrics.body).toMatch(/^rwb_http_refused_total\{reason="max_connections"\} 1$/m);
    } finally {
      for (const socket of held) socket.destroy();
      await limited.close();
    }
  });
});
