/**
 * Engine-side hybrid fusion (ranking.fusion linear / rrf): the pure ranking function against
 * values worked out by hand, the plan the builder makes (sub-searches, count request, when fusion
 * applies), tenant isolation of every sub-search, and config errors naming the path.
 */
import { describe, expect, it } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import { defaultSearchConfig, validateSearchConfig } from '../../engine/config/search-config.ts';
import { searchBodies } from '../../engine/search/build-request.ts';
import { fuseRankings, type RankedList } from '../../engine/search/fusion.ts';
import { prepare, seedSearchConfig } from './search-fixtures.ts';

const lists = (
  lexical: Array<[string, number]>,
  knn: Array<[string, number]>,
  weights: [number, number] = [1, 1],
): RankedList[] => [
  {
    source: 'lexical',
    weight: weights[0],
    hits: lexical.map(([key, score]) => ({ key, score })),
  },
  { source: 'text_knn', weight: weights[1], hits: knn.map(([key, score]) => ({ key, score })) },
];

const base = { normalizer: 'minmax', combination: 'arithmetic', rankConstant: 60 } as const;

describe('fuseRankings', () => {
  it('rrf: Σ weight / (rankConstant + rank), absent lists add nothing', () => {
    const fused = fuseRankings(
      lists(
        [
          ['a', 9],
          ['b', 5],
          ['c', 1],
        ],
        [
          ['c', 0.9],
          ['d', 0.8],
          ['a', 0.1],
        ],
        [1, 2],
      ),
      { ...base, method: 'rrf', rankConstant: 10 },
    );
    const expected: Record<string, number> = {
      a: 1 / 11 + 2 / 13,
      b: 1 / 12,
      c: 1 / 13 + 2 / 11,
      d: 2 / 12,
    };
    expect(fused.map((hit) => hit.key)).toEqual(['c', 'a', 'd', 'b']);
    for (const hit of fused) expect(hit.score).toBeCloseTo(expected[hit.key]!, 12);
    const c = fused[0]!;
    expect(c.parts.map((p) => [p.source, p.rank, p.contribution])).toEqual([
      ['lexical', 3, 1 / 13],
      ['text_knn', 1, 2 / 11],
    ]);
  });

  it('linear minmax + weighted arithmetic mean; a list without the doc counts 0', () => {
    const fused = fuseRankings(
      lists(
        [
          ['a', 10],
          ['b', 6],
          ['c', 2],
        ],
        [
          ['b', 0.9],
          ['d', 0.7],
          ['c', 0.5],
        ],
        [1, 3],
      ),
      { ...base, method: 'linear' },
    );
    // lexical minmax: a 1, b 0.5, c 0; kNN minmax: b 1, d 0.5, c 0; weights 1 and 3 over 4.
    const expected: Record<string, number> = {
      a: (1 * 1) / 4,
      b: (1 * 0.5 + 3 * 1) / 4,
      c: 0,
      d: (3 * 0.5) / 4,
    };
    expect(fused.map((hit) => hit.key)).toEqual(['b', 'd', 'a', 'c']);
    for (const hit of fused) expect(hit.score).toBeCloseTo(expected[hit.key]!, 12);
    for (const hit of fused)
      expect(hit.parts.reduce((sum, p) => sum + p.contribution, 0)).toBeCloseTo(hit.score, 12);
  });

  it('l2 and zscore normalise each list by its own scale', () => {
    const input = lists(
      [
        ['a', 3],
        ['b', 4],
      ],
      [
        ['a', 0.6],
        ['b', 0.8],
      ],
    );
    const l2 = fuseRankings(input, { ...base, method: 'linear', normalizer: 'l2' });
    expect(l2.find((h) => h.key === 'b')!.score).toBeCloseTo((4 / 5 + 0.8 / 1) / 2, 12);
    const z = fuseRankings(input, { ...base, method: 'linear', normalizer: 'zscore' });
    // Two values: z = ±1 in each list.
    expect(z.find((h) => h.key === 'b')!.score).toBeCloseTo(1, 12);
    expect(z.find((h) => h.key === 'a')!.score).toBeCloseTo(-1, 12);
  });

  it('geometric and harmonic means: a part of 0 makes 0, otherwise the weighted means', () => {
    const input = lists(
      [
        ['a', 10],
        ['b', 6],
        ['c', 2],
        ['e', 4],
      ],
      [
        ['b', 0.9],
        ['a', 0.5],
        ['e', 0.6],
        ['c', 0.3],
      ],
      [1, 2],
    );
    // minmax lexical: a 1, b 0.5, e 0.25, c 0; kNN: b 1, e 0.5, a 1/3, c 0.
    const geometric = fuseRankings(input, {
      ...base,
      method: 'linear',
      combination: 'geometric',
    });
    const g = (x: number, y: number) => Math.exp((Math.log(x) + 2 * Math.log(y)) / 3);
    expect(geometric.find((h) => h.key === 'b')!.score).toBeCloseTo(g(0.5, 1), 12);
    expect(geometric.find((h) => h.key === 'a')!.score).toBeCloseTo(g(1, 1 / 3), 12);
    expect(geometric.find((h) => h.key === 'c')!.score).toBe(0);
    const harmonic = fuseRankings(input, { ...base, method: 'linear', combination: 'harmonic' });
    const h = (x: number, y: number) => 3 / (1 / x + 2 / y);
    expect(harmonic.find((x) => x.key === 'e')!.score).toBeCloseTo(h(0.25, 0.5), 12);
    expect(harmonic.map((x) => x.key)).toEqual(['b', 'a', 'e', 'c']);
  });

  it('breaks ties by best rank, then key; a list of weight 0 takes no part', () => {
    const fused = fuseRankings(
      lists(
        [
          ['y', 1],
          ['x', 1],
        ],
        [['z', 1]],
        [1, 0],
      ),
      { ...base, method: 'rrf' },
    );
    expect(fused.map((h) => h.key)).toEqual(['y', 'x']);
    expect(fused[0]!.parts).toHaveLength(1);
  });
});

function fusionConfig(
  method: 'linear' | 'rrf',
  change: (c: ReturnType<typeof seedSearchConfig>) => void = () => {},
) {
  return seedSearchConfig((c) => {
    c.query.textEmbedding.enabled = true;
    c.ranking.expression = 'bm25() + 2*text_embedding_relevance()';
    c.ranking.fusion = { ...c.ranking.fusion, method, rankWindowSize: 30 };
    c.result.fields = ['spu_id', 'title_zh'];
    change(c);
  });
}

describe('the fusion plan', () => {
  for (const method of ['linear', 'rrf'] as const) {
    it(`${method}: a lexical search, a kNN search and a count request (snapshot)`, async () => {
      const prepared = await prepare(
        {
          tenantId: '1',
          query: '耳机',
          from: 5,
          size: 10,
          filters: { category1_name: '电子产品', tags: ['新品'] },
          facets: ['category1_name'],
        },
        fusionConfig(method),
        { embed: true },
      );
      const fusion = prepared.plan.fusion!;
      expect(fusion.settings.method).toBe(method);
      expect(fusion.window).toBe(30);
      expect(fusion.searches.map((s) => [s.source, s.weight])).toEqual([
        ['lexical', 1],
        ['text_knn', 2],
      ]);
      const [lexical, knn] = fusion.searches.map((s) => s.request) as [
        estypes.SearchRequest,
        estypes.SearchRequest,
      ];
      // Each sub-search ranks its own top window from 0; only the count request aggregates.
      expect([lexical.from, lexical.size, knn.from, knn.size]).toEqual([0, 30, 0, 30]);
      expect(lexical.knn).toBeUndefined();
      expect(lexical.aggs).toBeUndefined();
      expect(knn.query).toBeUndefined();
      expect((knn.knn as estypes.KnnSearch[])[0]!.k).toBe(50);
      expect(fusion.count.size).toBe(0);
      expect(fusion.count.aggs).toBeDefined();
      // The facet's own filter is a post filter for the lexical hits and the count alike.
      expect(lexical.post_filter).toEqual(fusion.count.post_filter);
      expect(searchBodies(prepared)).toHaveLength(3);
      expect(searchBodies(prepared)).toMatchSnapshot();
    });
  }

  it('sends one request when there is nothing to fuse or the order is not by score', async () => {
    const noVector = await prepare({ tenantId: '1', query: '耳机' }, fusionConfig('rrf'));
    expect(noVector.plan.fusion).toBeNull();
    const byPrice = await prepare(
      { tenantId: '1', query: '耳机', sort: 'price:asc' },
      fusionConfig('rrf'),
      { embed: true },
    );
    expect(byPrice.plan.fusion).toBeNull();
    const browse = await prepare({ tenantId: '1', query: '' }, fusionConfig('rrf'), {
      embed: true,
    });
    expect(browse.plan.fusion).toBeNull();
    const sum = await prepare(
      { tenantId: '1', query: '耳机' },
      fusionConfig('rrf', (c) => (c.ranking.fusion.method = 'sum')),
      { embed: true },
    );
    expect(sum.plan.fusion).toBeNull();
    expect(searchBodies(sum)).toEqual([sum.request]);
  });

  it('deepens the window to reach a page past rankWindowSize', async () => {
    const prepared = await prepare(
      { tenantId: '1', query: '耳机', from: 40, size: 20 },
      fusionConfig('linear'),
      { embed: true },
    );
    expect(prepared.plan.fusion!.window).toBe(60);
    for (const search of prepared.plan.fusion!.searches) expect(search.request.size).toBe(60);
  });

  it('adds the image kNN as a third list with its own weight', async () => {
    const prepared = await prepare(
      { tenantId: '1', query: '耳机', imageVector: [0.1, 0.2, 0.3] },
      fusionConfig('rrf', (c) => {
        c.query.imageKnn.enabled = true;
        c.query.imageKnn.model = 'tiny-clip';
        c.ranking.expression =
          'bm25() + 2*text_embedding_relevance() + 0.5*image_embedding_relevance()';
      }),
      { embed: true },
    );
    expect(prepared.plan.fusion!.searches.map((s) => [s.source, s.weight])).toEqual([
      ['lexical', 1],
      ['text_knn', 2],
      ['image_knn', 0.5],
    ]);
  });
});

describe('tenant isolation of every sub-search', () => {
  it('each body carries its own tenant first in the query filter or in every kNN filter', async () => {
    const queries = ['耳机', 'laptop OR 手机', 'title:"noise cancelling"', '芭比 RANK 玩具'];
    const tenants = ['A', 'B', '租户', "x' OR '1'='1"];
    let checked = 0;
    for (const method of ['linear', 'rrf'] as const) {
      for (const tenantId of tenants) {
        for (const query of queries) {
          const prepared = await prepare(
            {
              tenantId,
              query,
              filters: { category1_name: '电子产品' },
              facets: ['category1_name', 'specifications'],
              imageVector: [0.3, 0.2, 0.1],
            },
            fusionConfig(method, (c) => {
              c.query.imageKnn.enabled = true;
              c.query.imageKnn.model = 'tiny-clip';
            }),
            { embed: true },
          );
          const tenant = { term: { tenant_id: tenantId } };
          const bodies = searchBodies(prepared);
          expect(bodies.length).toBeGreaterThanOrEqual(3);
          for (const body of bodies) {
            const filters = body.query?.bool?.filter;
            if (body.query !== undefined) expect((filters as unknown[])[0]).toEqual(tenant);
            for (const clause of (body.knn as estypes.KnnSearch[] | undefined) ?? [])
              expect((clause.filter as unknown[])[0]).toEqual(tenant);
            expect(body.query !== undefined || body.knn !== undefined).toBe(true);
            const other = JSON.stringify(body).match(/"tenant_id":"((?:[^"\\]|\\.)*)"/g) ?? [];
            for (const mention of other)
              expect(mention).toBe(`"tenant_id":${JSON.stringify(tenantId)}`);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2 * 4 * 4 * 3);
  });
});

describe('fusion settings are checked, naming the path', () => {
  function problems(change: (fusion: Record<string, unknown>) => void): string[] {
    const config = structuredClone(defaultSearchConfig()) as unknown as {
      ranking: { fusion: Record<string, unknown> };
    };
    change(config.ranking.fusion);
    const result = validateSearchConfig(config);
    return result.ok ? [] : result.issues.map((issue) => `${issue.path} ${issue.message}`);
  }

  it('rejects a rank constant below 1, a window of 0, an unknown method', () => {
    expect(problems((f) => (f.rankConstant = 0))).toEqual([
      'ranking.fusion.rankConstant must be >= 1',
    ]);
    expect(problems((f) => (f.rankWindowSize = 0))).toEqual([
      'ranking.fusion.rankWindowSize must be >= 1',
    ]);
    expect(problems((f) => (f.method = 'borda'))[0]).toMatch(/^ranking\.fusion\.method /);
  });

  it('rejects zscore with a geometric or harmonic mean', () => {
    expect(
      problems((f) => {
        f.method = 'linear';
        f.normalizer = 'zscore';
        f.combination = 'geometric';
      }),
    ).toEqual([
      'ranking.fusion.combination "geometric" needs positive scores and zscore gives negative ones; use "arithmetic" or another normalizer',
    ]);
  });
});
