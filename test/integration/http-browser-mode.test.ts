/**
 * Browser mode against the real Elasticsearch: the contract over HTTP on a small fixture index,
 * and `rwb ui` as a user starts it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { createHttpServer } from '../../engine/http/server.ts';
import { repoRoot } from '../../engine/paths.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { createFixtureIndex, deleteFixtureIndex, FIXTURE_PRODUCTS } from '../e2e/fixtures.ts';

const INDEX = 'rwb_it_http_products';
const missingEs = await requireComponent('Elasticsearch', () => esAvailable());

describeWith([missingEs], 'browser mode over HTTP with the real ES', () => {
  let ctx: ApiContext;
  let app: FastifyInstance;
  const post = async (op: string, payload: unknown) => {
    const res = await app.inject({ method: 'POST', url: `/api/${op}`, payload: payload as object });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  beforeAll(async () => {
    // search.run uses the session's working config, kept under RWB_HOME: start from the default.
    process.env.RWB_HOME = await mkdtemp(path.join(os.tmpdir(), 'rwb-http-it-'));
    await createFixtureIndex(esUrl(), INDEX);
    ctx = createApiContext({ mode: 'browser', es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 }, defaultIndex: INDEX });
    app = await createHttpServer({ ctx, rendererDir: null });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    await deleteFixtureIndex(esUrl(), INDEX);
  });

  it('es.status: reachable, a health colour and an 8.x version', async () => {
    const { status, body } = await post('es.status', {});
    expect(status).toBe(200);
    expect(body).toMatchObject({ reachable: true, url: esUrl(), error: null });
    expect(['green', 'yellow']).toContain(body.health);
    expect(String(body.version)).toMatch(/^8\./);
  });

  it('index.info: documents per tenant and the analyzers read from the mapping', async () => {
    const { body } = await post('index.info', {});
    const perTenant = (t: string) => FIXTURE_PRODUCTS.filter((p) => p.tenant_id === t).length;
    expect(body).toMatchObject({ index: INDEX, exists: true, docCount: FIXTURE_PRODUCTS.length, createdByRwb: false });
    expect(body.tenants).toEqual([
      { tenantId: '1', docCount: perTenant('1') },
      { tenantId: '2', docCount: perTenant('2') },
    ]);
    expect(body.analysis).toMatchObject({ zh: { index: 'standard', search: 'standard' }, en: { index: 'standard', search: 'standard' }, source: 'mapping' });
  });

  it('index.info of a missing index says it does not exist', async () => {
    const { status, body } = await post('index.info', { index: 'rwb_it_no_such_index' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ exists: false, docCount: 0, tenants: [] });
  });

  it('search.run finds by Chinese and English words with facets and never crosses tenants', async () => {
    // Core `standard` analysis splits Han text into single characters, so 耳机 also matches 机械键盘
    // (on 机) — but below the two earphones, which match both characters.
    const zh = await post('search.run', { tenantId: '1', query: '耳机' });
    const zhHits = zh.body.results as Array<{ spu_id: string }>;
    expect(zhHits.slice(0, 2).map((h) => h.spu_id).sort()).toEqual(['1001', '1004']);
    const tenantOne = new Set(FIXTURE_PRODUCTS.filter((p) => p.tenant_id === '1').map((p) => p.spu_id));
    expect(zhHits.every((h) => tenantOne.has(h.spu_id))).toBe(true);
    expect(zh.body.query).toMatchObject({ language: { language: 'zh' } });
    const en = await post('search.run', { tenantId: '2', query: 'headset', explain: true });
    const enHits = en.body.results as Array<{ spu_id: string; titles: { zh: string }; prices: { min: number }; relevance_score: number; explain: { total: number } }>;
    expect(enHits.map((h) => h.spu_id)).toEqual(['2001']);
    expect(enHits[0]).toMatchObject({ titles: { zh: '头戴式游戏耳机 带麦克风' }, prices: { min: 279 } });
    expect(enHits[0]!.relevance_score).toBeGreaterThan(0);
    expect(enHits[0]!.explain.total).toBeCloseTo(enHits[0]!.relevance_score, 3);
    const all = await post('search.run', { tenantId: '2', query: '' });
    expect(all.body.total).toBe(3);
  });

  it('search.run on a missing index is 404 NOT_FOUND that says to ingest first', async () => {
    const { status, body } = await post('search.run', { tenantId: '1', query: 'x', index: 'rwb_it_no_such_index' });
    expect(status).toBe(404);
    expect(body.code).toBe('NOT_FOUND');
    expect(String(body.message)).toMatch(/ingest/);
  });

  it('es.connect to a dead URL reports it unreachable, and back again', async () => {
    const dead = await post('es.connect', { url: 'http://127.0.0.1:1' });
    expect(dead.body).toMatchObject({ reachable: false, error: { code: 'ES_UNREACHABLE' } });
    const back = await post('es.connect', { url: esUrl() });
    expect(back.body.reachable).toBe(true);
  });
});

describeWith([missingEs], '`rwb ui`', () => {
  it('prints its URL, serves the contract, and stops on SIGINT with exit code 0', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot(), 'bin', 'rwb.mjs'), 'ui', '--port', '0', '--renderer-dir', path.join(repoRoot(), 'renderer')], {
      env: { ...process.env, RWB_ES_URL: esUrl() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /running at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`rwb ui exited with ${code}: ${out}`)));
    });
    const res = await fetch(`${url}api/system.status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await res.json()).toMatchObject({ mode: 'browser', esUrl: esUrl() });
    const page = await fetch(url);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses a bad port with a usage error', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot(), 'bin', 'rwb.mjs'), 'ui', '--port', 'http'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/--port must be a whole number from 0 to 65535, got "http"/);
  });
});
