/**
 * A password in the Elasticsearch URL (or given as the connection's password) must not come out of
 * `rwb serve`: not in the server log of failed requests, not in any response body (errors,
 * /health, /metrics, /docs), not in what the `rwb serve` process prints from start to SIGTERM.
 * ES is real: the shared node (which runs without security and ignores the credentials) for
 * errors ES itself raises, and a closed port for a cluster that cannot be reached.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exportBundle, writeBundle } from '../../engine/config/bundle.ts';
import type { Bundle } from '../../engine/config/bundle-schema.ts';
import { defaultSearchConfig, parseSearchConfig } from '../../engine/config/search-config.ts';
import { startSearchApi, type RunningSearchApi } from '../../engine/serve/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { closingRequest, rawExchange, requestHead } from '../helpers/raw-http.ts';

const missing = [await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable())];
const SENTINEL = 'S3NTINEL-pw';
const SENTINEL_2 = 'S3NTINEL-second';
const withPassword = (url: string) => url.replace('://', `://elastic:${SENTINEL}@`);
const CLOSED = 'http://127.0.0.1:9';

let tmp: string;
let bundle: Bundle;
let bundleFile: string;
const apis: RunningSearchApi[] = [];

/** Every surface a client can read, for one running API; returns all the bodies. */
async function readEverySurface(base: string): Promise<{ statuses: number[]; bodies: string[] }> {
  const form = new FormData();
  form.append('image', new Blob([Buffer.from('png?')], { type: 'image/png' }), 'a.png');
  const requests: Array<[string, RequestInit]> = [
    [
      '/search',
      {
        method: 'POST',
        headers: { 'x-tenant-id': '1', 'content-type': 'application/json' },
        body: '{"query":"耳机"}',
      },
    ],
    ['/search/image', { method: 'POST', headers: { 'x-tenant-id': '1' }, body: form }],
    ['/documents/abc?tenant_id=1', {}],
    ['/health', {}],
    ['/metrics', {}],
    ['/docs/openapi.json', {}],
    ['/docs', {}],
    ['/no-such-route', {}],
  ];
  const statuses: number[] = [];
  const bodies: string[] = [];
  for (const [route, init] of requests) {
    const response = await fetch(`${base}${route}`, init);
    statuses.push(response.status);
    bodies.push(await response.text());
  }
  return { statuses, bodies };
}

describeWith(missing, 'rwb serve: credentials in the ES URL never echo', () => {
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-serve-secrets-'));
    const base = defaultSearchConfig();
    const config = parseSearchConfig({
      ...base,
      query: { ...base.query, textEmbedding: { ...base.query.textEmbedding, enabled: false } },
    });
    // An index that does not exist: ES answers every search with its own error.
    bundle = await exportBundle({ config, index: `rwb_test_serve_secrets_${Date.now()}` });
    bundleFile = path.join(tmp, 'bundle.json');
    await writeBundle(bundleFile, bundle);
  });

  afterAll(async () => {
    for (const api of apis) await api.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('keeps the password out of the log and every answer when ES is unreachable or fails', async () => {
    const targets = [
      { url: withPassword(CLOSED) },
      { url: withPassword(esUrl()) },
      { url: esUrl(), username: 'elastic', password: SENTINEL_2 },
      { url: CLOSED, username: 'elastic', password: SENTINEL_2 },
    ];
    for (const es of targets) {
      const log: string[] = [];
      const api = await startSearchApi({
        bundle,
        es,
        esMaxRetries: 0,
        port: 0,
        embedder: null,
        translator: null,
        log: (line) => log.push(line),
      });
      apis.push(api);
      const { statuses, bodies } = await readEverySurface(api.url);
      // The failures happened (502 from ES, 503 health) and were logged: the check below can fail.
      expect(statuses[0], bodies[0]).toBe(502);
      expect(statuses[3]).toBe(503);
      expect(log.length).toBeGreaterThan(0);
      for (const text of [...bodies, ...log]) {
        expect(text).not.toContain(SENTINEL);
        expect(text).not.toContain(SENTINEL_2);
        expect(text).not.toContain(encodeURIComponent(SENTINEL));
      }
      // Nor does the client learn where the cluster is.
      for (const body of bodies.slice(0, 3)) expect(body).not.toMatch(/127\.0\.0\.1:(9|9250)\b/);
    }
  });

  it('`rwb serve` prints no password from start to SIGTERM, and its limit flags take effect', async () => {
    const child = spawn(
      process.execPath,
      [
        'bin/rwb.mjs',
        'serve',
        '--config',
        bundleFile,
        '--es',
        withPassword(CLOSED),
        '--port',
        '0',
        '--headers-timeout-ms',
        '500',
        '--request-timeout-ms',
        '1000',
      ],
      { env: { ...process.env, RWB_ES_PASSWORD: SENTINEL_2 }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /Listening on (http:\/\/\S+)/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`rwb serve exited (${code}): ${stderr}`)));
    });
    try {
      const { statuses, bodies } = await readEverySurface(base);
      expect(statuses[0]).toBe(502);
      for (const body of bodies) expect(body).not.toContain(SENTINEL);
      // --request-timeout-ms reached the server: a body that stops arriving is answered 408.
      const port = Number(new URL(base).port);
      const slow = await rawExchange(
        port,
        requestHead('POST /search HTTP/1.1', [
          'X-Tenant-ID: 1',
          'Content-Type: application/json',
          'Content-Length: 100',
        ]),
        '{"query":',
      );
      expect(slow.status).toBe(408);
      expect(JSON.parse(slow.body).code).toBe('REQUEST_TIMEOUT');
      expect((await rawExchange(port, closingRequest('GET', '/health'))).status).toBe(503);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/SIGTERM: stopping/);
    // The failed requests were logged to stderr, without the password.
    expect(stderr).toMatch(/\[rwb serve\] 502 ES_UNREACHABLE/);
    expect(stdout + stderr).not.toContain(SENTINEL);
    expect(stdout + stderr).not.toContain(SENTINEL_2);
  });

  it('`rwb serve` refuses inconsistent limit flags with exit 2 before loading anything', async () => {
    const child = spawn(
      process.execPath,
      [
        'bin/rwb.mjs',
        'serve',
        '--config',
        bundleFile,
        '--es',
        withPassword(CLOSED),
        '--headers-timeout-ms',
        '5000',
        '--request-timeout-ms',
        '1000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(2);
    expect(output).toMatch(/headers timeout \(5000 ms\) cannot be longer than the request timeout/);
    expect(output).not.toContain(SENTINEL);
  });
});
