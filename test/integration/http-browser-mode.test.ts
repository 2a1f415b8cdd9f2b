/**
 * Browser mode against the real Elasticsearch: the contract over HTTP on a small fixture index,
 * and `rwb ui` as a user starts it and stops it (SIGINT/SIGTERM, also after a search that loaded
 * the query encoder's worker threads).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { fetchModel } from '../../engine/embed/index.ts';
import { apiTokenOf, createHttpServer } from '../../engine/http/server.ts';
import { paths, repoRoot } from '../../engine/paths.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { createFixtureIndex, deleteFixtureIndex, FIXTURE_PRODUCTS } from '../e2e/fixtures.ts';

const INDEX = 'rwb_it_http_products';
const VECTOR_INDEX = 'rwb_it_ui_signals';
const MODEL = 'bge-small-zh-v15-q';
const missingEs = await requireComponent('Elasticsearch', () => esAvailable());
const missingModel = await requireComponent(`${MODEL} model`, () => fetchModel(MODEL));
// Read now: the suites below point RWB_HOME at throwaway directories.
const modelsDir = paths.models();

describeWith([missingEs], 'browser mode over HTTP with the real ES', () => {
  let ctx: ApiContext;
  let app: FastifyInstance;
  const post = async (op: string, payload: unknown) => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/${op}`,
      headers: { 'x-rwb-token': apiTokenOf(app) },
      payload: payload as object,
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  // Files share one process (singleFork): the home is put back for the files after this one.
  const previousHome = process.env.RWB_HOME;
  beforeAll(async () => {
    // search.run uses the session's working config, kept under RWB_HOME: start from the default.
    process.env.RWB_HOME = await mkdtemp(path.join(os.tmpdir(), 'rwb-http-it-'));
    await createFixtureIndex(esUrl(), INDEX);
    ctx = createApiContext({
      mode: 'browser',
      es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 },
      defaultIndex: INDEX,
    });
    app = await createHttpServer({ ctx, rendererDir: null });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    await deleteFixtureIndex(esUrl(), INDEX);
    if (previousHome === undefined) delete process.env.RWB_HOME;
    else process.env.RWB_HOME = previousHome;
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
    expect(body).toMatchObject({
      index: INDEX,
      exists: true,
      docCount: FIXTURE_PRODUCTS.length,
      createdByRwb: false,
    });
    expect(body.tenants).toEqual([
      { tenantId: '1', docCount: perTenant('1') },
      { tenantId: '2', docCount: perTenant('2') },
    ]);
    expect(body.analysis).toMatchObject({
      zh: { index: 'standard', search: 'standard' },
      en: { index: 'standard', search: 'standard' },
      source: 'mapping',
    });
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
    expect(
      zhHits
        .slice(0, 2)
        .map((h) => h.spu_id)
        .sort(),
    ).toEqual(['1001', '1004']);
    const tenantOne = new Set(
      FIXTURE_PRODUCTS.filter((p) => p.tenant_id === '1').map((p) => p.spu_id),
    );
    expect(zhHits.every((h) => tenantOne.has(h.spu_id))).toBe(true);
    expect(zh.body.query).toMatchObject({ language: { language: 'zh' } });
    const en = await post('search.run', { tenantId: '2', query: 'headset', explain: true });
    const enHits = en.body.results as Array<{
      spu_id: string;
      titles: { zh: string };
      prices: { min: number };
      relevance_score: number;
      explain: { total: number };
    }>;
    expect(enHits.map((h) => h.spu_id)).toEqual(['2001']);
    expect(enHits[0]).toMatchObject({
      titles: { zh: '头戴式游戏耳机 带麦克风' },
      prices: { min: 279 },
    });
    expect(enHits[0]!.relevance_score).toBeGreaterThan(0);
    expect(enHits[0]!.explain.total).toBeCloseTo(enHits[0]!.relevance_score, 3);
    const all = await post('search.run', { tenantId: '2', query: '' });
    expect(all.body.total).toBe(3);
  });

  it('search.run on a missing index is 404 NOT_FOUND that says to ingest first', async () => {
    const { status, body } = await post('search.run', {
      tenantId: '1',
      query: 'x',
      index: 'rwb_it_no_such_index',
    });
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

interface RunningUi {
  child: ChildProcessWithoutNullStreams;
  url: string;
  token: string;
  output: () => string;
}

/** `rwb ui --port 0` as a user starts it; resolves once it printed its URL and served its page. */
async function startUi(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningUi> {
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot(), 'bin', 'rwb.mjs'),
      'ui',
      '--port',
      '0',
      '--renderer-dir',
      path.join(repoRoot(), 'renderer'),
      ...args,
    ],
    {
      env: { ...process.env, RWB_ES_URL: esUrl(), CI: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
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
  // The token comes the way the app gets it: from the served page.
  const page = await (await fetch(url)).text();
  const token = /<meta name="rwb-api-token" content="([A-Za-z0-9_-]+)"/.exec(page)?.[1];
  if (!token) throw new Error(`no API token in the page: ${page.slice(0, 300)}`);
  return { child, url, token, output: () => out };
}

async function callUi(
  ui: RunningUi,
  op: string,
  input: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${ui.url}api/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-rwb-token': ui.token },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Sends `signal` and waits for the exit; fails when the process is still there after 5 s. */
async function stopWithin5s(ui: RunningUi, signal: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) =>
    ui.child.on('exit', (code) => resolve(code)),
  );
  ui.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const tooLate = new Promise<'still running'>(
    (resolve) => (timer = setTimeout(() => resolve('still running'), 5000)),
  );
  const outcome = await Promise.race([exited, tooLate]);
  clearTimeout(timer);
  if (outcome === 'still running') {
    ui.child.kill('SIGKILL');
    throw new Error(`rwb ui still running 5 s after ${signal}: ${ui.output()}`);
  }
  return outcome;
}

describeWith([missingEs], '`rwb ui`', () => {
  it('prints its URL, serves the page with a per-launch token and the contract behind it, and stops on SIGINT with exit code 0', async () => {
    const ui = await startUi([], { RWB_HOME: await mkdtemp(path.join(os.tmpdir(), 'rwb-ui-it-')) });
    expect(ui.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await callUi(ui, 'system.status', {});
    expect(res.body).toMatchObject({ mode: 'browser', esUrl: esUrl() });
    // curl without the token is refused.
    const anonymous = await fetch(`${ui.url}api/system.status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    const page = await fetch(ui.url);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    // Another launch, another token.
    const second = await startUi([], {
      RWB_HOME: await mkdtemp(path.join(os.tmpdir(), 'rwb-ui-it-')),
    });
    expect(second.token).not.toBe(ui.token);
    expect(await stopWithin5s(second, 'SIGTERM')).toBe(0);
    expect(await stopWithin5s(ui, 'SIGINT')).toBe(0);
  });

  it('refuses a bad port with a usage error', async () => {
    const child = spawn(
      process.execPath,
      [path.join(repoRoot(), 'bin', 'rwb.mjs'), 'ui', '--port', 'http'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/--port must be a whole number from 0 to 65535, got "http"/);
  });
});

describeWith(
  [missingEs, missingModel],
  '`rwb ui` stops after a search that loaded the query encoder',
  () => {
    beforeAll(async () => {
      // An index whose mapping names its text model: the working config then embeds queries, which
      // starts the ONNX worker threads that once kept the process alive after SIGTERM.
      const client = new Client({ node: esUrl() });
      try {
        await client.indices.delete({ index: VECTOR_INDEX, ignore_unavailable: true });
        await client.indices.create({
          index: VECTOR_INDEX,
          mappings: {
            _meta: { text_model: MODEL },
            properties: {
              tenant_id: { type: 'keyword' },
              spu_id: { type: 'keyword' },
              title_zh: { type: 'text', analyzer: 'standard' },
              title_embedding: {
                type: 'dense_vector',
                dims: 512,
                index: true,
                similarity: 'cosine',
              },
            },
          },
        });
        await client.index({
          index: VECTOR_INDEX,
          id: '1:1',
          document: { tenant_id: '1', spu_id: '1', title_zh: '无线蓝牙耳机' },
          refresh: 'wait_for',
        });
      } finally {
        await client.close();
      }
    });
    afterAll(async () => {
      const client = new Client({ node: esUrl() });
      await client.indices
        .delete({ index: VECTOR_INDEX, ignore_unavailable: true })
        .finally(() => client.close());
    });

    it.each(['SIGTERM', 'SIGINT'] as const)(
      'exits with code 0 within 5 s of %s, having closed everything itself',
      async (signal) => {
        const home = await mkdtemp(path.join(os.tmpdir(), 'rwb-ui-signal-'));
        await symlink(modelsDir, path.join(home, 'models'));
        const ui = await startUi(['--index', VECTOR_INDEX], { RWB_HOME: home });
        const search = await callUi(ui, 'search.run', {
          tenantId: '1',
          query: '耳机',
          facets: [],
          highlight: false,
        });
        expect(search.status, JSON.stringify(search.body)).toBe(200);
        expect(search.body.total).toBe(1);
        // The query really went through the encoder (its worker threads are running now).
        expect(search.body.query).toMatchObject({ ranking: { knn: { text: true } } });
        expect(await stopWithin5s(ui, signal)).toBe(0);
        // Stopped by closing what it holds, not by the grace-period fallback.
        expect(ui.output()).not.toMatch(/Something still held the process|Shutdown took too long/);
      },
    );
  },
);
