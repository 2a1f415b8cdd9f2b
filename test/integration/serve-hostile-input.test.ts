/**
 * A sweep of hostile names and values through every user-supplied position of the production API
 * (`/search` body fields and keys, the tenant header and query parameter, `/documents/:spu_id`, the
 * multipart parts and the `request` JSON of `/search/image`), against a real `rwb serve` and the
 * real ES. The assertion: not one answer ≥ 500, every refusal in the API's error shape, the server
 * alive afterwards — and both accepted and refused requests happened, so the sweep reached the
 * search and did not merely bounce off the first check.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSearchApi, type RunningSearchApi } from '../../engine/serve/index.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { createServeFixture, type ServeFixture } from '../helpers/serve-fixture.ts';

const missing = [await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable())];

/** Names that fall through to inherited object members, or break string handling. */
const NAMES = [
  'toString',
  '__proto__',
  'constructor',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  'prototype',
  'then',
  'length',
  'specifications.__proto__',
  'specifications.toString',
  'specifications.constructor',
  '',
  ' ',
  '\u0000',
  '\u001b]0;pwned\u0007',
  '\u202e',
  '*',
  '..',
  '%s%n',
  'a'.repeat(5000),
  '名'.repeat(300),
  'category1_name',
];

/** Values of the wrong kind, at the extremes, or oversize. */
const VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  '\u0000\u001b[2J',
  '2024-02-30',
  'x'.repeat(20_000),
  [],
  {},
  [[[[]]]],
  { gte: {} },
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  Array.from({ length: 2000 }, (_, i) => i),
];

interface Outcome {
  what: string;
  status: number;
  body: string;
}

let fixture: ServeFixture;
let api: RunningSearchApi;
const outcomes: Outcome[] = [];
const serverLog: string[] = [];

async function send(what: string, route: string, init: RequestInit): Promise<void> {
  const response = await fetch(`${api.url}${route}`, init);
  outcomes.push({ what, status: response.status, body: await response.text() });
}

const searchBody = (what: string, body: string, tenant = '1') =>
  send(what, '/search', {
    method: 'POST',
    headers: { 'x-tenant-id': tenant, 'content-type': 'application/json' },
    body,
  });

/** Every position of the search body a name can take (as a key or as a value). */
function bodiesForName(name: string): Array<[string, unknown]> {
  return [
    ['query', { query: name }],
    ['query as domain', { query: `${name}:x` }],
    ['filter key', { filters: { [name]: 'x' } }],
    ['filter value', { filters: { category1_name: name } }],
    ['specification name', { filters: { specifications: { name, value: 'x' } } }],
    ['facet', { facets: [name] }],
    ['facet field', { facets: [{ field: name }] }],
    ['sort', { sort: name }],
    ['sort desc', { sort: [`${name}:desc`] }],
    ['skuFilterDimension', { skuFilterDimension: name }],
    ['language', { language: name }],
    ['top-level key', { [name]: 1 }],
  ];
}

/** Every field a value can take. */
function bodiesForValue(value: unknown): Array<[string, unknown]> {
  return [
    ['query', { query: value }],
    ['filters', { filters: value }],
    ['filter value', { filters: { category1_name: value } }],
    ['range bound', { filters: { min_price: { gte: value } } }],
    ['facets', { facets: value }],
    ['sort', { sort: value }],
    ['from', { from: value }],
    ['size', { size: value }],
    ['explain', { explain: value }],
    ['skuFilterDimension', { skuFilterDimension: value }],
  ];
}

describeWith(missing, 'rwb serve: hostile names and values never become a 5xx', () => {
  beforeAll(async () => {
    fixture = await createServeFixture('serve-sweep');
    api = await startSearchApi({
      bundle: fixture.bundle,
      es: { url: esUrl() },
      port: 0,
      embedder: null,
      translator: null,
      log: (line) => serverLog.push(line),
    });
  }, 300_000);

  afterAll(async () => {
    await api?.close();
    await fixture?.cleanup();
  });

  it('answers every search-body position with 200 or a 4xx', async () => {
    for (const name of NAMES) {
      for (const [position, body] of bodiesForName(name))
        await searchBody(
          `name ${JSON.stringify(name.slice(0, 20))} as ${position}`,
          JSON.stringify(body),
        );
    }
    for (const value of VALUES) {
      for (const [position, body] of bodiesForValue(value))
        await searchBody(
          `value ${JSON.stringify(value)?.slice(0, 20)} as ${position}`,
          JSON.stringify(body),
        );
    }
    for (const raw of [
      'null',
      '[]',
      '"x"',
      '1',
      '{',
      '{"query":"a","query":"b"}',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
    ])
      await searchBody(`raw body ${raw.slice(0, 20)}`, raw);
  });

  it('answers every tenant, query-string and document-id position with 200 or a 4xx', async () => {
    for (const name of NAMES) {
      const encoded = encodeURIComponent(name);
      await searchBody(`?tenant_id=${name.slice(0, 20)}`, '{}');
      await send(`tenant query ${name.slice(0, 20)}`, `/search?tenant_id=${encoded}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      await send(`query-string key ${name.slice(0, 20)}`, `/search?${encoded}=1&tenant_id=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (name.length > 0 && /^[\x20-\x7e]*$/.test(name) && name.length < 4000)
        await searchBody(`tenant header ${name.slice(0, 20)}`, '{}', name);
      if (name.length > 0 && name !== '..')
        await send(`spu_id ${name.slice(0, 20)}`, `/documents/${encoded}?tenant_id=1`, {});
      await send(
        `tenant for a document ${name.slice(0, 20)}`,
        `/documents/x?tenant_id=${encoded}`,
        {},
      );
    }
    await send('query-string array', '/search?tenant_id[]=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await send('query-string object', '/search?tenant_id[a]=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
  });

  it('answers every multipart position of /search/image with a 4xx', async () => {
    const upload = (what: string, fields: Array<[string, string | Blob]>) => {
      const form = new FormData();
      for (const [name, value] of fields) form.append(name, value);
      return send(what, '/search/image', {
        method: 'POST',
        headers: { 'x-tenant-id': '1' },
        body: form,
      });
    };
    const image = new Blob([Buffer.from('not an image')], { type: 'image/png' });
    for (const name of NAMES) {
      await upload(`file part named ${name.slice(0, 20)}`, [[name, image]]);
      await upload(`field named ${name.slice(0, 20)}`, [
        [name, 'x'],
        ['image', image],
      ]);
      for (const [position, body] of bodiesForName(name).slice(0, 6))
        await upload(`request ${position} ${name.slice(0, 20)}`, [
          ['request', JSON.stringify(body)],
          ['image', image],
        ]);
    }
    for (const value of VALUES)
      await upload(`request ${JSON.stringify(value)?.slice(0, 20)}`, [
        ['request', JSON.stringify(value) ?? 'undefined'],
        ['image', image],
      ]);
  });

  it('answers a long CJK query that would pass the cluster clause limit with 400 naming it', async () => {
    const response = await fetch(`${api.url}/search`, {
      method: 'POST',
      headers: { 'x-tenant-id': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '蓝牙耳机无线降噪'.repeat(86).slice(0, 684) }),
    });
    const body = (await response.json()) as { code: string; message: string };
    expect(response.status).toBe(400);
    expect(body.code).toBe('INVALID_INPUT');
    expect(body.message).toMatch(/max_clause_count/);
  });

  it('never answered 5xx, refused in the API shape, reached the search, and is alive', async () => {
    const serverErrors = outcomes.filter((outcome) => outcome.status >= 500);
    expect(serverErrors.map((o) => `${o.status} ${o.what}: ${o.body.slice(0, 200)}`)).toEqual([]);
    expect(serverLog).toEqual([]);
    const refused = outcomes.filter((outcome) => outcome.status >= 400);
    const accepted = outcomes.filter((outcome) => outcome.status === 200);
    expect(refused.length).toBeGreaterThan(100);
    expect(accepted.length).toBeGreaterThan(50);
    for (const outcome of refused) {
      const body = JSON.parse(outcome.body) as Record<string, unknown>;
      expect(typeof body.code, outcome.what).toBe('string');
      expect(typeof body.message, outcome.what).toBe('string');
    }
    const health = await fetch(`${api.url}/health`);
    expect(health.status).toBe(200);
  });
});
