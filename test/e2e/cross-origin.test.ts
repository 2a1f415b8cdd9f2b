/**
 * Other pages cannot drive browser mode. A running workbench (real engine, real ES, the built
 * renderer) and an attacker page served from another loopback origin — 127.0.0.1 on another port
 * (same site) and localhost (cross site) — in the same Chromium. The page tries fetch (cors and
 * no-cors), form posts, sendBeacon, EventSource and reading or framing the app page against
 * config.set, config.export and es.local.stop. Checked on the server's side (every such request
 * refused, the working config and the export list unchanged) and on the page's (nothing readable),
 * and the app itself keeps working in the same browser.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { startHttpServer, type RunningHttpServer } from '../../engine/http/server.ts';
import { buildRenderer } from '../../engine/cli/commands/app.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { createFixtureIndex, deleteFixtureIndex, E2E_INDEX } from './fixtures.ts';

const CHROMIUM = process.env.RWB_CHROMIUM ?? '/usr/bin/chromium';
const INDEX = `${E2E_INDEX}_xorigin`;

const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('Chromium', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} not found (apt-get install -y chromium)`);
  }),
];

/** What the attacker page could see of each attempt. */
interface Attempt {
  attack: string;
  outcome: string;
  /** Anything the page could read from the answer (null when nothing). */
  readable: string | null;
}

/** One request as the workbench server saw it. */
interface Seen {
  method: string;
  url: string;
  status: number | null;
  origin: string | undefined;
}

/**
 * The attacker: every way a page can send a request without the user's help. `target` is the
 * workbench origin. Sets window.__attempts when all attempts have settled.
 */
function attackerPage(target: string): string {
  const script = `
const target = ${JSON.stringify(target)};
const attempts = [];
const api = (op, attack) => target + '/api/' + op + '?attack=' + attack;
async function tryFetch(attack, url, init) {
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    attempts.push({ attack, outcome: 'response ' + res.type + ' ' + res.status, readable: text || null });
  } catch (err) {
    attempts.push({ attack, outcome: 'error ' + err.name, readable: null });
  }
}
function submitForm(attack, op, enctype, name, value) {
  return new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.name = 'sink-' + attack;
    document.body.appendChild(frame);
    frame.addEventListener('load', () => {
      let readable = null;
      try { readable = frame.contentDocument ? frame.contentDocument.body.textContent : null; } catch (err) { readable = null; }
      attempts.push({ attack, outcome: 'form submitted', readable: readable || null });
      resolve();
    }, { once: true });
    const form = document.createElement('form');
    form.method = 'POST';
    form.enctype = enctype;
    form.action = api(op, attack);
    form.target = frame.name;
    const input = document.createElement('input');
    input.name = name;
    input.value = value;
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
  });
}
function beacon(attack, op, body) {
  try {
    attempts.push({ attack, outcome: 'beacon queued ' + navigator.sendBeacon(api(op, attack), body), readable: null });
  } catch (err) {
    attempts.push({ attack, outcome: 'beacon error ' + err.name, readable: null });
  }
}
function eventSource(attack) {
  return new Promise((resolve) => {
    const source = new EventSource(target + '/api/events?attack=' + attack);
    let readable = null;
    source.onmessage = (event) => { readable = (readable || '') + event.data; };
    source.addEventListener('job', (event) => { readable = (readable || '') + event.data; });
    source.onerror = () => {
      source.close();
      attempts.push({ attack, outcome: 'eventsource error', readable });
      resolve();
    };
  });
}
function framePage(attack) {
  return new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.src = target + '/?attack=' + attack;
    frame.addEventListener('load', () => {
      let readable = null;
      try { readable = frame.contentDocument ? frame.contentDocument.documentElement.outerHTML : null; } catch (err) { readable = null; }
      attempts.push({ attack, outcome: 'frame loaded', readable });
      resolve();
    }, { once: true });
    document.body.appendChild(frame);
  });
}
const overrides = JSON.stringify({ overrides: { 'domains.default.fields.title_zh.boost': 42 } });
(async () => {
  await tryFetch('fetch-cors-json', api('config.set', 'fetch-cors-json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: overrides });
  await tryFetch('fetch-cors-text', api('config.set', 'fetch-cors-text'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: overrides });
  await tryFetch('fetch-cors-guessed-token', api('config.export', 'fetch-cors-guessed-token'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-rwb-token': 'guess' }, body: '{}' });
  await tryFetch('fetch-nocors-empty', api('es.local.stop', 'fetch-nocors-empty'), { method: 'POST', mode: 'no-cors' });
  await tryFetch('fetch-nocors-text', api('config.export', 'fetch-nocors-text'), { method: 'POST', mode: 'no-cors', body: '{}' });
  await tryFetch('fetch-nocors-json', api('config.set', 'fetch-nocors-json'), { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/json' }, body: overrides });
  await tryFetch('fetch-cors-page', target + '/?attack=fetch-cors-page', {});
  await tryFetch('fetch-nocors-page', target + '/?attack=fetch-nocors-page', { mode: 'no-cors' });
  await tryFetch('fetch-cors-events', target + '/api/events?attack=fetch-cors-events', {});
  await submitForm('form-text', 'config.set', 'text/plain', overrides.slice(0, -1) + ',"pad":"', '"}');
  await submitForm('form-urlencoded', 'config.export', 'application/x-www-form-urlencoded', 'format', 'json');
  beacon('beacon-empty', 'es.local.stop', undefined);
  beacon('beacon-text', 'config.set', overrides);
  beacon('beacon-json-blob', 'config.export', new Blob(['{}'], { type: 'application/json' }));
  await eventSource('eventsource');
  await framePage('frame-page');
  window.__attempts = attempts;
})();
`;
  return `<!doctype html><html><head><title>attacker</title></head><body><script>${script}</script></body></html>`;
}

describeWith(missing, 'browser mode refuses other origins (Chromium)', () => {
  let tmp: string;
  let ctx: ApiContext;
  let server: RunningHttpServer;
  let attacker: http.Server;
  let attackerPort: number;
  let browser: Browser;
  const seen: Seen[] = [];

  /** The legitimate way in: the token the page carries. */
  async function call(op: string, input: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${server.url}api/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rwb-token': server.token },
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, `${op}: ${JSON.stringify(body)}`).toBe(200);
    return body;
  }

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-e2e-xorigin-'));
    process.env.RWB_HOME = path.join(tmp, 'home');
    const rendererDir = path.join(tmp, 'renderer');
    await buildRenderer(() => undefined, rendererDir);
    await createFixtureIndex(esUrl(), INDEX);
    // The result fields the default config names beyond the small fixture's, so that config.export
    // works here: what the attacks aim at must be something that would succeed if it ran.
    const es = new Client({ node: esUrl() });
    await es.indices
      .putMapping({
        index: INDEX,
        properties: {
          handle: { type: 'keyword' },
          compare_at_price: { type: 'double' },
          option1_name: { type: 'keyword' },
          option2_name: { type: 'keyword' },
          option3_name: { type: 'keyword' },
          skus: { type: 'nested', properties: { sku_id: { type: 'keyword' } } },
        },
      })
      .finally(() => es.close());
    ctx = createApiContext({
      mode: 'browser',
      es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 },
      defaultIndex: INDEX,
    });
    server = await startHttpServer({ ctx, rendererDir, port: 0 });
    // Recorded on arrival; the status once the answer is complete (null for a stream still open).
    server.app.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const entry: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        status: null,
        origin: req.headers.origin,
      };
      seen.push(entry);
      res.on('finish', () => (entry.status = res.statusCode));
    });
    const page = attackerPage(server.url.replace(/\/$/, ''));
    attacker = http.createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page),
    );
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerPort = (attacker.address() as AddressInfo).port;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await server?.close();
    await ctx?.close();
    await deleteFixtureIndex(esUrl(), INDEX);
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it.each([
    ['same-site: 127.0.0.1 on another port', '127.0.0.1'],
    ['cross-site: localhost', 'localhost'],
  ])('%s: nothing runs, nothing leaks', async (_label, attackerHost) => {
    const before = {
      working: await call('config.get', {}),
      exports: await call('config.exports', {}),
    };
    const from = seen.length;
    const page = await browser.newPage();
    try {
      await page.goto(`http://${attackerHost}:${attackerPort}/`);
      await page.waitForFunction(
        () => (window as unknown as { __attempts?: unknown }).__attempts !== undefined,
        undefined,
        { timeout: 60_000 },
      );
      const attempts = (await page.evaluate(
        () => (window as unknown as { __attempts: Attempt[] }).__attempts,
      )) as Attempt[];

      // The page could read nothing: no API answer, no token, not the app page.
      expect(attempts.length).toBe(16);
      for (const attempt of attempts) {
        expect(attempt.readable ?? '', `${attempt.attack}: ${attempt.outcome}`).not.toContain(
          server.token,
        );
        expect(attempt.readable ?? '', `${attempt.attack}: ${attempt.outcome}`).not.toMatch(
          /"(code|mode|exports|config)"|rwb-api-token|<div id="root">/,
        );
      }
      expect(attempts.find((a) => a.attack === 'fetch-cors-json')?.outcome).toBe('error TypeError');
      expect(attempts.find((a) => a.attack === 'fetch-cors-page')?.outcome).toBe('error TypeError');
      expect(attempts.find((a) => a.attack === 'fetch-nocors-empty')?.outcome).toBe(
        'response opaque 0',
      );

      // Server side: the beacons arrive when the browser gets to them; every attempt that reached
      // the API was refused before anything ran.
      const attacks = () => seen.slice(from).filter((s) => s.url.includes('attack='));
      const arrived = (name: string) => attacks().filter((s) => s.url.includes(`attack=${name}`));
      for (const name of [
        'beacon-empty',
        'beacon-text',
        'fetch-nocors-empty',
        'fetch-nocors-text',
        'fetch-nocors-json',
        'fetch-cors-text',
        'form-text',
        'form-urlencoded',
        'eventsource',
      ]) {
        await expect
          .poll(() => arrived(name).length, {
            message: `${name} never reached the server`,
            timeout: 15_000,
          })
          .toBeGreaterThan(0);
      }
      // A JSON fetch needs a preflight, which gets no CORS answer, so the POST itself never comes.
      expect(arrived('fetch-cors-json').map((s) => s.method)).toEqual(['OPTIONS']);
      const apiAttempts = attacks().filter((s) => s.url.startsWith('/api'));
      for (const request of apiAttempts) {
        expect(
          [401, 403, 415],
          `${request.method} ${request.url} from ${request.origin}`,
        ).toContain(request.status);
      }
      expect(apiAttempts.every((r) => r.origin !== undefined)).toBe(true);

      // And nothing changed: the working config and the export list are as before.
      expect(await call('config.get', {})).toEqual(before.working);
      expect(await call('config.exports', {})).toEqual(before.exports);
    } finally {
      await page.close();
    }
  });

  it('the app itself still works in the same browser, and what the attacks aimed at does change state', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      await page.goto(`${server.url}#/connections`);
      await page.locator('[data-testid=app-ready]').waitFor({ state: 'attached' });
      // A call through the app's own transport (token from the page) succeeds.
      await expect
        .poll(() => page.getByTestId('es-health').getAttribute('data-health'), { timeout: 30_000 })
        .toMatch(/green|yellow/);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
    // The observers above can see a change: the same operations, with the token, do change state.
    const exportsBefore = (await call('config.exports', {})).exports as unknown[];
    await call('config.export', {});
    expect(((await call('config.exports', {})).exports as unknown[]).length).toBe(
      exportsBefore.length + 1,
    );
    const workingBefore = await call('config.get', {});
    await call('config.set', { overrides: { 'domains.default.fields.title_zh.boost': 42 } });
    expect(await call('config.get', {})).not.toEqual(workingBefore);
  });
});
