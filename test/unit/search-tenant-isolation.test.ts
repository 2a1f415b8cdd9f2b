/**
 * Tenant isolation at the builder: thousands of random (and hostile) requests. Every request that
 * is accepted must carry exactly its own tenant as the first filter of the query bool and of every
 * kNN clause, mention tenant_id nowhere else, and have no part that escapes the query scope
 * (global aggregations, raw DSL, an index). Every request that is refused must be refused with a
 * typed input error. The live counterpart is test/integration/search-live.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import type { SearchConfig } from '../../engine/config/search-config.ts';
import { RwbError } from '../../engine/errors.ts';
import { build, seedSearchConfig } from './search-fixtures.ts';
import { prng } from '../helpers/seeded.ts';

const TENANTS = ['A', 'B', '1', 'tenant-7', '租户', "x' OR '1'='1", 'a*', '{"term":1}', 'B ', ''];
/** Mostly well-formed parts, with a hostile one mixed in now and then. */
const GOOD_WORDS = [
  '耳机',
  'laptop',
  'brand:芭比',
  'title:"noise cancelling"',
  'title|手机',
  'category:玩具',
  '芭比',
  'B',
  'red shoes',
];
const OPERATORS = ['AND', 'OR', 'ANDNOT', 'RANK'];
const HOSTILE_WORDS = [
  'tenant_id:B',
  '(',
  ')',
  '"',
  '*',
  '\\',
  '{"match_all":{}}',
  'AND',
  'tenant_id',
];
const GOOD_FILTERS: Record<string, (random: () => number) => unknown> = {
  category1_name: (random) => pick(random, ['电子产品', 'B', "x' OR 1=1"]),
  category_name: (random) => [pick(random, ['耳机', '手机']), pick(random, ['B', 'A'])],
  tags: (random) => pick(random, ['新品', ['新品', '包邮']]),
  min_price: (random) => ({ gte: Math.floor(random() * 500) }),
  price: (random) => ({ lt: Math.floor(random() * 500) + 1 }),
  create_time: () => ({ gte: '2023-01-01', lt: '2025-01-01T00:00:00Z' }),
  'skus.option1_value': (random) => pick(random, ['black', 'B']),
  total_inventory: (random) => Math.floor(random() * 100),
};
const HOSTILE_FILTERS = [
  'tenant_id',
  'TENANT_ID',
  '_id',
  '_index',
  'tenant_id.keyword',
  'title_zh',
  '__proto__',
  'constructor',
];
const HOSTILE_VALUES: unknown[] = [
  'B',
  ['A', 'B'],
  { bool: { should: [{ term: { tenant_id: 'B' } }] } },
  {},
  null,
];
const FACETS = [
  'category1_name',
  'specifications',
  'specifications.color',
  'specifications.tenant_id',
  'min_price',
  { field: 'min_price', type: 'range', ranges: [{ key: 'low', to: 50 }] },
];
const HOSTILE_FACETS = [
  'tenant_id',
  { field: 'tenant_id', type: 'terms' },
  { field: 'global', type: 'terms' },
];
const SORTS = ['_score', 'price:asc', 'create_time:desc', 'newest', 'spu_id:desc'];
const HOSTILE_SORTS = ['tenant_id:asc', '_doc', 'tenant_id'];
const EXTRA_KEYS = [
  'query_dsl',
  'index',
  'post_filter',
  'aggs',
  'knn',
  'tenant',
  'tenant_id',
  'routing',
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

const hostile = (random: () => number): boolean => random() < 0.08;

function randomQuery(random: () => number): string {
  const parts: string[] = [];
  const n = 1 + Math.floor(random() * 3);
  for (let i = 0; i < n; i++) {
    if (i > 0 && random() < 0.5) parts.push(pick(random, OPERATORS));
    parts.push(hostile(random) ? pick(random, HOSTILE_WORDS) : pick(random, GOOD_WORDS));
  }
  return parts.join(' ');
}

function randomRequest(random: () => number): Record<string, unknown> {
  const tenantId = hostile(random)
    ? pick(random, ['', 'B ', ' ', '\u0000'])
    : pick(
        random,
        TENANTS.filter((t) => t.trim() === t && t !== ''),
      );
  const request: Record<string, unknown> = { tenantId };
  if (random() < 0.9) request.query = randomQuery(random);
  if (random() < 0.6) {
    const filters: Record<string, unknown> = {};
    const n = 1 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) {
      if (hostile(random)) filters[pick(random, HOSTILE_FILTERS)] = pick(random, HOSTILE_VALUES);
      else {
        const field = pick(random, Object.keys(GOOD_FILTERS));
        filters[field] = GOOD_FILTERS[field]!(random);
      }
    }
    if (random() < 0.5) {
      filters.specifications = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
        name: pick(random, ['color', 'size', 'tenant_id']),
        value: pick(random, ['black', 'white', 'B']),
      }));
    }
    request.filters = filters;
  }
  if (random() < 0.5) {
    request.facets = Array.from({ length: Math.floor(random() * 4) }, () =>
      hostile(random) ? pick(random, HOSTILE_FACETS) : pick(random, FACETS),
    );
  }
  if (random() < 0.4) {
    const one = (): string => (hostile(random) ? pick(random, HOSTILE_SORTS) : pick(random, SORTS));
    request.sort = random() < 0.5 ? one() : [one(), one()];
  }
  if (random() < 0.3) request.imageVector = [random(), random(), random()];
  if (random() < 0.3) request.explain = true;
  if (random() < 0.2) request.language = pick(random, ['zh', 'en', 'ru', 'fr']);
  if (random() < 0.2) request.from = Math.floor(random() * 50);
  if (hostile(random)) request[pick(random, EXTRA_KEYS)] = { term: { tenant_id: 'B' } };
  return request;
}

function randomConfig(random: () => number): SearchConfig {
  return seedSearchConfig((c) => {
    c.query.textEmbedding.enabled = random() < 0.5;
    c.query.imageKnn.enabled = random() < 0.5;
    c.query.imageKnn.model = 'tiny-clip';
    c.ranking.functions.forEach((fn) => (fn.enabled = random() < 0.5));
    c.ranking.expression = pick(random, [
      'bm25() + 0.2*text_embedding_relevance()',
      'bm25() + 0.3*image_embedding_relevance() + text_embedding_relevance()',
      '0.5*bm25() + 0.1*timeliness(create_time)',
      'text_embedding_relevance()',
    ]);
  });
}

/** Every object in `node` that has a `tenant_id` key, with the path to it. */
function tenantMentions(
  node: unknown,
  path = '$',
): Array<{ path: string; owner: Record<string, unknown> }> {
  if (node === null || typeof node !== 'object') return [];
  const out: Array<{ path: string; owner: Record<string, unknown> }> = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'tenant_id') out.push({ path, owner: node as Record<string, unknown> });
    out.push(...tenantMentions(value, `${path}.${key}`));
  }
  return out;
}

function hasKey(node: unknown, wanted: string): boolean {
  if (node === null || typeof node !== 'object') return false;
  return Object.entries(node).some(([key, value]) => key === wanted || hasKey(value, wanted));
}

const TOP_LEVEL_KEYS = new Set([
  'from',
  'size',
  'track_total_hits',
  '_source',
  'sort',
  'query',
  'knn',
  'post_filter',
  'aggs',
  'track_scores',
  'highlight',
  'explain',
]);

function assertIsolated(body: estypes.SearchRequest, tenantId: string): void {
  const tenantTerm = { term: { tenant_id: tenantId } };
  for (const key of Object.keys(body))
    expect(TOP_LEVEL_KEYS.has(key), `unexpected top-level key ${key}`).toBe(true);
  const knn = (body.knn ?? []) as estypes.KnnSearch[];
  if (body.query === undefined) {
    expect(knn.length).toBeGreaterThan(0);
  } else {
    expect(Object.keys(body.query)).toEqual(['bool']);
    const filter = body.query.bool!.filter as estypes.QueryDslQueryContainer[];
    expect(filter[0]).toEqual(tenantTerm);
    expect(body.query.bool!.must_not).toBeUndefined();
  }
  for (const clause of knn)
    expect((clause.filter as estypes.QueryDslQueryContainer[])[0]).toEqual(tenantTerm);
  // tenant_id appears only in the tenant terms the builder placed: the query's and each kNN's.
  const mentions = tenantMentions(body);
  expect(mentions.length).toBe((body.query === undefined ? 0 : 1) + knn.length);
  for (const mention of mentions) expect(mention.owner).toEqual({ tenant_id: tenantId });
  expect(hasKey(body.aggs, 'global')).toBe(false);
  expect(hasKey(body, 'index')).toBe(false);
}

describe('tenant isolation at the builder (randomized)', () => {
  it('every accepted request is scoped to its tenant; every refused one is a typed input error', async () => {
    const random = prng(20240521);
    const configs = Array.from({ length: 8 }, () => randomConfig(random));
    let accepted = 0;
    const refusedCodes = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const request = randomRequest(random);
      const config = pick(random, configs);
      let body: estypes.SearchRequest;
      try {
        body = await build(request, config, { embed: random() < 0.5 });
      } catch (err) {
        expect(err, JSON.stringify(request)).toBeInstanceOf(RwbError);
        const code = (err as RwbError).code;
        expect(['INVALID_INPUT', 'PARSE_ERROR'], `${code}: ${(err as Error).message}`).toContain(
          code,
        );
        refusedCodes.set(code, (refusedCodes.get(code) ?? 0) + 1);
        continue;
      }
      accepted++;
      assertIsolated(body, request.tenantId as string);
    }
    // The generator must exercise both paths, or the test proves nothing.
    expect(accepted).toBeGreaterThan(1000);
    expect(refusedCodes.get('INVALID_INPUT') ?? 0).toBeGreaterThan(300);
  }, 120_000);

  it('refuses every way of naming tenant_id in a request', async () => {
    const attempts: Array<Record<string, unknown>> = [
      { filters: { tenant_id: 'B' } },
      { filters: { tenant_id: ['A', 'B'] } },
      { facets: ['tenant_id'] },
      { sort: 'tenant_id:asc' },
      { tenant_id: 'B' },
      { tenantId: ['A', 'B'] },
      { tenantId: { term: 'B' } },
      JSON.parse('{"tenantId":"A","filters":{"__proto__":{"tenant_id":"B"}}}') as Record<
        string,
        unknown
      >,
    ];
    for (const attempt of attempts) {
      const error = await build({ tenantId: 'A', ...attempt }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error, JSON.stringify(attempt)).toBeInstanceOf(RwbError);
      expect((error as RwbError).code).toBe('INVALID_INPUT');
    }
  });

  it('a query that spells a tenant is text or a parse error, never a filter', async () => {
    const strict = seedSearchConfig((c) => (c.query.parseMode = 'strict'));
    await expect(build({ tenantId: 'A', query: 'tenant_id:B' }, strict)).rejects.toMatchObject({
      code: 'PARSE_ERROR',
    });
    // Lenient (the default) searches the same characters as plain text: still tenant A only.
    assertIsolated(await build({ tenantId: 'A', query: 'tenant_id:B' }), 'A');
    const body = await build({ tenantId: 'A', query: '"tenant_id:B"' });
    assertIsolated(body, 'A');
  });
});
