/**
 * The hostile-input sweep of the workbench surfaces: JS built-in names, control characters, extreme
 * numbers, oversize and deeply nested values are pushed through every top-level input key of every
 * browser-mode operation (`/api/<op>`, over real HTTP with the launch token) and through the CLI's
 * arguments and input files. The rule checked: no answer is a 5xx (a CLI run never exits 1, reports
 * INTERNAL or lets a raw escape byte through), no prototype is polluted, and the server still
 * answers afterwards. The sweep also counts 200s and 4xx answers, so one whose requests were all
 * refused for one unrelated reason (a missing token, a wrong route) fails too. The production API
 * (`rwb serve`) has its own sweep in serve-hostile-input.test.ts.
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
const OVERSIZE_STRINGS = [
  'x'.repeat(100_000),
  '耳机'.repeat(342),
  '耳'.repeat(1_001),
  'a '.repeat(5_000),
];
const STRANGE_DATES = [
  '2024-02-30',
  '2023-02-29',
  '2024-13-01',
  '2024-01-01T25:00:00Z',
  '0000-00-00',
  '+275760-09-13',
];

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
  ...[...BUILTIN_NAMES, ...CONTROL_STRINGS, ...OVERSIZE_STRINGS, ...STRANGE_DATES].map((s) =>
    JSON.stringify(s),
  ),
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
    const def = current._def as {
      typeName?: string;
      innerType?: ZodTypeAny;
      schema?: ZodTypeAny;
      in?: ZodTypeAny;
    };
    if (def.typeName === 'ZodObject')
      return Object.keys((current as unknown as { shape: object }).shape);
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
  if (status >= 500 && tally.fiveHundreds.length < 20)
    tally.fiveHundreds.push(`${status} ${what}: ${body.slice(0, 300)}`);
}
function count(tally: Tally, predicate: (status: number) => boolean): number {
  let total = 0;
  for (const [status, n] of tally.answers) if (predicate(status)) total += n;
  return total;
}

/** Runs the jobs a few at a time (the servers are real; the machine is small). */
async function inBatches<T>(
  items: T[],
  size: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
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
  let bundleFile: string;
  let previousHome: string | undefined;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-hostile-'));
    // The browser-mode operations keep their state (working config, stores, secrets, local
    // nodes) under RWB_HOME: a throwaway one, so that nothing a sweep stores or stops is real.
    previousHome = process.env.RWB_HOME;
    process.env.RWB_HOME = tmp;
    const catalog = path.join(tmp, 'catalog.ndjson');
    const products = [...generateDemoCatalog({ tenants: ['1', '2'], spusPerTenant: 30, seed: 11 })];
    await fs.writeFile(catalog, products.map((product) => JSON.stringify(product)).join('\n'));
    const report = await runIngest(
      {
        source: { kind: 'file', path: catalog },
        es: { url: esUrl() },
        index: INDEX,
        recreate: true,
        embedding: { model: null },
      },
      {
        checkpoints: new CheckpointStore(path.join(tmp, 'checkpoints')),
        failuresDir: path.join(tmp, 'failures'),
      },
    );
    expect(report.indexed).toBe(products.length);
    const client = createEsClient({ url: esUrl() });
    bundleFile = path.join(tmp, 'bundle.json');
    await writeBundle(
      bundleFile,
      await exportBundle({ config: defaultSearchConfig(), index: INDEX, client, url: esUrl() }),
    );
    await client.close();
    ctx = createApiContext({
      mode: 'browser',
      es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 },
      defaultIndex: INDEX,
    });
    browser = await startHttpServer({ ctx, rendererDir: null, port: 0 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    for (const job of ctx?.jobs.list() ?? []) ctx.jobs.cancel(job.id);
    await ctx?.close();
    const client = createEsClient({ url: esUrl() });
    await client.indices.delete({ index: INDEX, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    // Files share one process (singleFork): the home goes back for the files after this one.
    if (previousHome === undefined) delete process.env.RWB_HOME;
    else process.env.RWB_HOME = previousHome;
  });

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
    // search.run's nested name positions (the workbench's search path, with its working config).
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
        { filters: { create_time: { gte: STRANGE_DATES[0] } } },
      ];
      for (const position of positions)
        calls.push(['search.run', JSON.stringify({ tenantId: '1', ...position })]);
      calls.push(['search.run', withKey({ tenantId: '1' }, 'filters', withKey({}, name, '"x"'))]);
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
          await call([
            name,
            withKey(
              name === 'ingest.start'
                ? {
                    index: 'rwb_it_hostile_never',
                    source: { kind: 'file', path: path.join(tmp, 'none.ndjson') },
                  }
                : {},
              key,
              raw,
            ),
          ]);
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
    await fs.writeFile(
      judgments,
      `query,doc_id,rating\n__proto__,1001,3\nconstructor,toString,2\n\u001b]0;pwned\u0007,1001,9\nphone,1001,-1e999\n`,
    );
    const yamlBomb = path.join(tmp, 'bomb.yaml');
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++)
      laughs.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(',')}]`,
      );
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
        outcomes.push(
          `${args.join(' ').slice(0, 80)} → exit ${code}${rawEscape ? ' (raw escape bytes in output)' : ''}: ${output.slice(-300)}`,
        );
      }
      expect([0, 2, 4]).toContain(code);
    }
    expect(outcomes).toEqual([]);
  }, 600_000);
});
