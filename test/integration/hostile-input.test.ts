/**
 * The hostile-input sweep: JS built-in names, control characters, extreme numbers, oversize and
 * deeply nested values are pushed through every user-supplied name and value position of the
 * production API (`/search`, `/search/image`, `/documents/:spu_id`, the tenant header), of every
 * browser-mode operation (`/api/<op>`, each top-level input key) and of the CLI. The rule checked:
 * no answer is a 5xx (a CLI run never exits 1 or reports INTERNAL), no prototype is polluted, and
 * both servers still answer afterwards. Each sweep also counts its 4xx answers, so a sweep whose
 * requests were all refused for one unrelated reason (a missing token, a wrong route) fails too.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ZodTypeAny } from 'zod';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { OPERATION_NAMES } from '../../engine/api/names.ts';
import { operations } from '../../engine/api/operations.ts';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import { exportBundle, writeBundle } from '../../engine/config/bundle.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { startHttpServer, type RunningHttpServer } from '../../engine/http/server.ts';
import { CheckpointStore } from '../../engine/ingest/checkpoint.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { repoRoot } from '../../engine/paths.ts';
import { startSearchApi, type RunningSearchApi } from '../../engine/serve/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const INDEX = 'rwb_it_hostile_products';
const missing = [await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable())];

/** Names that exist on every plain object's prototype chain (and two that tools treat specially). */
const BUILTIN_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'then',
];
const CONTROL_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\u001b[31mred\u001b[0m',
  '\u001b]0;pwned\u0007',
  'line\r\nX-Injected: 1',
  '\u202etxt.exe',
  '\ud800',
  '\uffff\ufffe',
  '\t \n',
];
const OVERSIZE_STRINGS = ['x'.repeat(100_000), '耳机'.repeat(342), '耳'.repeat(1_001), 'a '.repeat(5_000)];
const STRANGE_DATES = ['2024-02-30', '2023-02-29', '2024-13-01', '2024-01-01T25:00:00Z', '0000-00-00', '+275760-09-13'];

/** Raw JSON texts, so that numbers JSON.stringify cannot write (1e999 → Infinity) and `__proto__` keys get through. */
const RAW_VALUES: string[] = [
  'null',
  'true',
  '0',
  '-1',
  '-0',
  '0.5',
  '1e999',
  '-1e999',
  '1e-400',
  '9007199254740993',
  '2147483648',
  '1e308',
  '[]',
  '{}',
  '[null]',
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '[' + '['.repeat(2_000) + ']'.repeat(2_000) + ']',
  JSON.stringify(Array.from({ length: 5_000 }, (_, i) => `v${i}`)),
  ...[...BUILTIN_NAMES, ...CONTROL_STRINGS, ...OVERSIZE_STRINGS, ...STRANGE_DATES].map((s) => JSON.stringify(s)),
];

/** A JSON object text with `key: <raw value>` added to `base` (the key itself may be hostile). */
function withKey(base: Record<string, unknown>, key: string, rawValue: string): string {
  const head = JSON.stringify(base).slice(0, -1);
  return `${head}${head.length > 1 ? ',' : ''}${JSON.stringify(key)}:${rawValue}}`;
}

/** Top-level keys of an operation's input schema (objects, also behind optional/default/effects). */
function inputKeys(schema: ZodTypeAny): string[] {
  let current: ZodTypeAny = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = current._def as { typeName?: string; innerType?: ZodTypeAny; schema?: ZodTypeAny; in?: ZodTypeAny };
    if (def.typeName === 'ZodObject') return Object.keys((current as unknown as { shape: object }).shape);
    const inner = def.innerType ?? def.schema ?? def.in;
    if (!inner) return [];
    current = inner;
  }
  return [];
}

interface Tally {
  answers: Map<number, number>;
  fiveHundreds: string[];
}
const newTally = (): Tally => ({ answers: new Map(), fiveHundreds: [] });
function record(tally: Tally, status: number, what: string, body: string): void {
  tally.answers.set(status, (tally.answers.get(status) ?? 0) + 1);
  if (status >= 500 && tally.fiveHundreds.length < 20) tally.fiveHundreds.push(`${status} ${what}: ${body.slice(0, 300)}`);
}
function count(tally: Tally, predicate: (status: number) => boolean): number {
  let total = 0;
  for (const [status, n] of tally.answers) if (predicate(status)) total += n;
  return total;
}

/** Runs the jobs a few at a time (the servers are real; the machine is small). */
async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot(), 'bin', 'rwb.mjs'), ...args], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describeWith(missing, 'hostile input never becomes a 5xx', () => {
  let tmp: string;
  let ctx: ApiContext;
  let browser: RunningHttpServer;
  let serve: RunningSearchApi;
  let bundleFile: string;
  const serverLog: string[] = [];

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-hostile-'));
    // The browser-mode operations keep their state (working config, stores, secrets, local
    // nodes) under RWB_HOME: a throwaway one, so that nothing a sweep stores or stops is real.
    process.env.RWB_HOME = tmp;
    const catalog = path.join(tmp, 'catalog.ndjson');
    const products = [...generateDemoCatalog({ tenants: ['1', '2'], spusPerTenant: 30, seed: 11 })];
    await fs.writeFile(catalog, products.map((product) => JSON.stringify(product)).join('\n'));
    const report = await runIngest(
      { source: { kind: 'file', path: catalog }, es: { url: esUrl() }, index: INDEX, recreate: true, embedding: { model: null } },
      { checkpoints: new CheckpointStore(path.join(tmp, 'checkpoints')), failuresDir: path.join(tmp, 'failures') },
    );
    expect(report.indexed).toBe(products.length);
    const client = createEsClient({ url: esUrl() });
    bundleFile = path.join(tmp, 'bundle.json');
    await writeBundle(bundleFile, await exportBundle({ config: defaultSearchConfig(), index: INDEX, client, url: esUrl() }));
    await client.close();
    serve = await startSearchApi({ bundle: bundleFile, es: { url: esUrl() }, port: 0, log: (line: unknown) => void serverLog.push(String(line)) });
    ctx = createApiContext({ mode: 'browser', es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 }, defaultIndex: INDEX });
    browser = await startHttpServer({ ctx, rendererDir: null, port: 0 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    for (const job of ctx?.jobs.list() ?? []) ctx.jobs.cancel(job.id);
    await ctx?.close();
    await serve?.close();
    const client = createEsClient({ url: esUrl() });
    await client.indices.delete({ index: INDEX, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  const serveRequest = async (tally: Tally, what: string, init: { method?: string; path: string; body?: string; headers?: Record<string, string> }) => {
    const response = await fetch(`${serve.url}${init.path}`, {
      method: init.method ?? 'POST',
      headers: init.body === undefined ? init.headers : { 'content-type': 'application/json', ...init.headers },
      body: init.body,
    });
    record(tally, response.status, what, await response.text());
  };

  it('/search: every key of the request and every name position', async () => {
    const tally = newTally();
    const keys = [...inputKeys(operations['search.run'].input as ZodTypeAny), '__proto__', 'constructor', 'unknownKey'].filter((k) => k !== 'tenantId');
    expect(keys).toEqual(expect.arrayContaining(['query', 'filters', 'facets', 'sort', 'size', 'from']));
    const bodies: Array<[string, string]> = [];
    for (const key of keys) for (const raw of RAW_VALUES) bodies.push([`${key}=${raw.slice(0, 40)}`, withKey({ query: 'phone' }, key, raw)]);
    for (const name of [...BUILTIN_NAMES, ...CONTROL_STRINGS]) {
      const positions: Array<Record<string, unknown>> = [
        { query: `${name}:phone` },
        { query: `title:${name} AND ${name}` },
        { facets: [name] },
        { facets: [{ field: name, type: 'terms' }] },
        { sort: name },
        { sort: [`-${name}`] },
        { skuFilterDimension: name },
        { filters: { specifications: { name, value: name } } },
        { filters: { price: { gte: name } } },
        { language: name },
      ];
      for (const body of positions) bodies.push([`${name} in ${Object.keys(body)[0]}`, JSON.stringify(body)]);
      bodies.push([`filter key ${name}`, withKey({}, 'filters', withKey({}, name, '"x"'))]);
      bodies.push([`range filter ${name}`, withKey({}, 'filters', withKey({}, name, '{"gte":1}'))]);
    }
    for (const date of STRANGE_DATES) bodies.push([`date ${date}`, JSON.stringify({ filters: { create_time: { gte: date } } })]);
    await inBatches(bodies, 8, ([what, body]) => serveRequest(tally, what, { path: '/search', body, headers: { 'x-tenant-id': '1' } }));

    expect(tally.fiveHundreds).toEqual([]);
    expect(count(tally, (s) => s === 200)).toBeGreaterThan(0);
    expect(count(tally, (s) => s >= 400 && s < 500)).toBeGreaterThan(bodies.length / 4);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 600_000);

  it('/search, /documents and /search/image: hostile tenants, ids, headers and uploads', async () => {
    const tally = newTally();
    // (A lone surrogate cannot be written into a URL at all, so it stays out of this list.)
    const hostileTexts = [...BUILTIN_NAMES, ...CONTROL_STRINGS.filter((s) => !/[\ud800-\udfff]/.test(s)), 'x'.repeat(5_000)];
    const jobs: Array<() => Promise<void>> = [];
    for (const tenant of hostileTexts) {
      // fetch refuses header values it cannot send (control characters, non-Latin-1): the query string carries those.
      const viaHeader = /^[\u0020-\u007e]*$/.test(tenant);
      const tenantQuery = `tenant_id=${encodeURIComponent(tenant)}`;
      jobs.push(() => serveRequest(tally, `tenant ${tenant.slice(0, 20)}`, viaHeader ? { path: '/search', body: '{"query":"phone"}', headers: { 'x-tenant-id': tenant } } : { path: `/search?${tenantQuery}`, body: '{"query":"phone"}' }));
      jobs.push(() => serveRequest(tally, `document tenant ${tenant.slice(0, 20)}`, { method: 'GET', path: `/documents/1001?${tenantQuery}` }));
      jobs.push(() => serveRequest(tally, `document id ${tenant.slice(0, 20)}`, { method: 'GET', path: `/documents/${encodeURIComponent(tenant)}?tenant_id=1` }));
    }
    jobs.push(() => serveRequest(tally, 'tenant twice in the query', { path: '/search?tenant_id=1&tenant_id=2', body: '{}' }));
    jobs.push(() => serveRequest(tally, 'tenant as an object', { path: '/search?tenant_id[__proto__]=1', body: '{}' }));
    jobs.push(() => serveRequest(tally, 'document id %00', { method: 'GET', path: '/documents/%00?tenant_id=1' }));
    jobs.push(() => serveRequest(tally, 'document id bad escape', { method: 'GET', path: '/documents/%E0%A4%A?tenant_id=1' }));
    const boundary = 'rwbBoundary';
    const part = (name: string, body: string, extra = '') => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${body}\r\n`;
    const uploads: Array<[string, string, string]> = [
      ['no boundary', 'multipart/form-data', part('image', 'x')],
      ['truncated', `multipart/form-data; boundary=${boundary}`, `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc`],
      ['no parts', `multipart/form-data; boundary=${boundary}`, `--${boundary}--\r\n`],
      ...BUILTIN_NAMES.map((name): [string, string, string] => [`part ${name}`, `multipart/form-data; boundary=${boundary}`, part(name, 'x', '; filename="a.png"') + part('options', '{"__proto__":{"polluted":1}}') + `--${boundary}--\r\n`]),
      ['options not JSON', `multipart/form-data; boundary=${boundary}`, part('image', 'not an image', '; filename="a.png"') + part('options', '{"size": 1e999') + `--${boundary}--\r\n`],
      ['options hostile', `multipart/form-data; boundary=${boundary}`, part('image', 'not an image', '; filename="a.png"') + part('options', '{"facets":["toString"],"filters":{"constructor":"x"}}') + `--${boundary}--\r\n`],
      ['json body', 'application/json', '{"image":"x"}'],
    ];
    for (const [what, type, body] of uploads) jobs.push(() => serveRequest(tally, `upload ${what}`, { path: '/search/image?tenant_id=1', body, headers: { 'content-type': type } }));
    await inBatches(jobs, 8, (job) => job());

    expect(tally.fiveHundreds).toEqual([]);
    expect(count(tally, (s) => s >= 400 && s < 500)).toBeGreaterThan(jobs.length / 2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const health = await fetch(`${serve.url}/health`);
    expect(health.status).toBe(200);
  }, 600_000);

  it('/api/<operation>: every top-level input key of every operation', async () => {
    // Operations that start real work outside this test's throwaway home (a second ES node, a
    // download) or rewire the connection for the rest of the sweep get their own case below.
    const separate = new Set(['es.local.start', 'es.connect', 'ingest.start']);
    const tally = newTally();
    const calls: Array<[string, string]> = [];
    for (const name of OPERATION_NAMES) {
      if (separate.has(name)) continue;
      const op = operations[name] as { input: ZodTypeAny };
      for (const raw of RAW_VALUES.slice(0, 20)) calls.push([name, raw]);
      for (const key of [...inputKeys(op.input), '__proto__', 'constructor']) {
        for (const raw of RAW_VALUES) calls.push([name, withKey({}, key, raw)]);
      }
    }
    const call = async ([name, body]: [string, string]) => {
      const response = await fetch(`${browser.url}api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-rwb-token': browser.token },
        body,
      });
      record(tally, response.status, `${name} ${body.slice(0, 60)}`, await response.text());
    };
    await inBatches(calls, 8, call);
    // The connection and ingest operations, with the connection put back after each call.
    const original = ctx.esConnection();
    for (const name of ['es.connect', 'ingest.start'] as const) {
      const op = operations[name] as { input: ZodTypeAny };
      for (const key of [...inputKeys(op.input), '__proto__']) {
        for (const raw of RAW_VALUES) {
          await call([name, withKey(name === 'ingest.start' ? { index: 'rwb_it_hostile_never', source: { kind: 'file', path: path.join(tmp, 'none.ndjson') } } : {}, key, raw)]);
          await ctx.setEsConnection(original);
        }
      }
    }
    for (const job of ctx.jobs.list()) ctx.jobs.cancel(job.id);

    expect(tally.fiveHundreds).toEqual([]);
    expect(count(tally, (s) => s === 401 || s === 403)).toBe(0);
    expect(count(tally, (s) => s >= 400 && s < 500)).toBeGreaterThan(calls.length / 2);
    expect(count(tally, (s) => s === 200)).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const alive = await fetch(`${browser.url}api/system.status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rwb-token': browser.token },
      body: '{}',
    });
    expect(alive.status).toBe(200);
  }, 900_000);

  it('the CLI: bad input exits 2 (or 0/4), never 1, and never reports an internal error', async () => {
    const env = { RWB_HOME: tmp, RWB_ES_URL: esUrl(), RWB_INDEX: INDEX };
    const judgments = path.join(tmp, 'hostile-judgments.csv');
    await fs.writeFile(judgments, `query,doc_id,rating\n__proto__,1001,3\nconstructor,toString,2\n\u001b]0;pwned\u0007,1001,9\nphone,1001,-1e999\n`);
    const yamlBomb = path.join(tmp, 'bomb.yaml');
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) laughs.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(`*${String.fromCharCode(96 + level)}`).join(',')}]`);
    await fs.writeFile(yamlBomb, laughs.join('\n') + '\n');
    const selfAlias = path.join(tmp, 'self.yaml');
    await fs.writeFile(selfAlias, 'a: &a [*a]\n');
    const empty = path.join(tmp, 'empty.yaml');
    await fs.writeFile(empty, '');
    const runs: string[][] = [
      ['search', '__proto__:phone', '--tenant', '1', '--json'],
      ['search', 'phone', '--tenant', '1', '--facet', 'toString'],
      ['search', 'phone', '--tenant', '1', '--filter', 'constructor=x'],
      ['search', 'phone', '--tenant', '1', '--filter', 'create_time=2024-02-30..2024-03-01'],
      ['search', '耳'.repeat(1_001), '--tenant', '1'],
      ['search', 'phone', '--tenant', '\u001b[31m'],
      ['search', 'phone', '--tenant', '1', '--config', yamlBomb],
      ['search', 'phone', '--tenant', '1', '--config', selfAlias],
      ['search', 'phone', '--tenant', '1', '--config', empty],
      ['search', 'phone', '--tenant', '1', '--config', tmp],
      ['eval', '--config', selfAlias, '--judgments', judgments],
      ['eval', '--config', bundleFile, '--judgments', judgments, '--tenant', '1'],
      ['judgments', 'import', judgments, '--name', '__proto__'],
    ];
    const outcomes: string[] = [];
    for (const args of runs.map((a) => (a[0] === 'search' ? [...a, '--index', INDEX] : a))) {
      const { code, output } = await runCli(args, env);
      // eslint-disable-next-line no-control-regex -- the point is to find raw escape bytes
      const rawEscape = /[\u0007\u001b]/.test(output);
      if (code === 1 || code === null || /INTERNAL|at .*\.ts:\d+/.test(output) || rawEscape) {
        outcomes.push(`${args.join(' ').slice(0, 80)} → exit ${code}${rawEscape ? ' (raw escape bytes in output)' : ''}: ${output.slice(-300)}`);
      }
      expect([0, 2, 4]).toContain(code);
    }
    expect(outcomes).toEqual([]);
  }, 600_000);

  it('logged nothing that looks like a crash', () => {
    expect(serverLog.filter((line) => /INTERNAL|TypeError|RangeError|Maximum call stack/.test(line))).toEqual([]);
  });
});
