/**
 * The query builder on the seed's examples (003 §4.1, §5.1–§5.3, §8.3): a snapshot of each
 * generated request (reviewable ES JSON) plus assertions on the parts that carry the semantics.
 */
import { describe, expect, it } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import { build, prepare, recallOf, rootBool, seedSearchConfig } from './search-fixtures.ts';

type Query = estypes.QueryDslQueryContainer;

const TENANT = { term: { tenant_id: '1' } };

describe('seed examples (snapshots)', () => {
  const examples: Array<[string, Record<string, unknown>, { embed?: boolean }?]> = [
    [
      '§5.2 default domain, category filter and kNN',
      { tenantId: '1', query: '手机', filters: { category_name: '手机' } },
      { embed: true },
    ],
    [
      '§5.1 AND / OR / ANDNOT',
      { tenantId: '1', query: 'laptop AND (gaming OR professional) ANDNOT cheap' },
    ],
    ['§5.1 RANK', { tenantId: '1', query: '手机 RANK 蓝牙耳机' }],
    ['§4.1 rewrite to domains (芭比)', { tenantId: '1', query: '芭比' }],
    ['§4.1 partial rewrite (消防 车)', { tenantId: '1', query: '消防 车' }],
    ['§5 domain query title:蓝牙耳机', { tenantId: '1', query: 'title:蓝牙耳机' }],
    [
      '§5 brand|耐克 AND category|运动鞋',
      { tenantId: '1', query: 'brand|耐克 AND category|运动鞋' },
    ],
    ['phrase', { tenantId: '1', query: 'title:"noise cancelling"' }],
    [
      '§8.3.3.1 single specification',
      { tenantId: '1', query: '', filters: { specifications: { name: 'color', value: 'white' } } },
    ],
    [
      '§8.3.3.1 several specifications',
      {
        tenantId: '1',
        query: '手机',
        filters: {
          specifications: [
            { name: 'color', value: 'white' },
            { name: 'size', value: '256GB' },
            { name: 'color', value: 'black' },
          ],
        },
      },
    ],
    [
      '§8.3.3 range filters',
      {
        tenantId: '1',
        query: '耳机',
        filters: { min_price: { gte: 50, lte: 200 }, create_time: { gte: '2023-01-01T00:00:00Z' } },
      },
    ],
    [
      '§8.3.2 simple facets',
      {
        tenantId: '1',
        query: '耳机',
        facets: ['category1_name', 'category2_name', 'specifications'],
      },
    ],
    [
      '§8.3.2 advanced facets',
      {
        tenantId: '1',
        query: '耳机',
        facets: [
          { field: 'category1_name', size: 15, type: 'terms' },
          {
            field: 'min_price',
            type: 'range',
            ranges: [
              { key: '0-50', to: 50 },
              { key: '50-100', from: 50, to: 100 },
            ],
          },
          'specifications.color',
        ],
      },
    ],
    [
      'facets with their own filters selected',
      {
        tenantId: '1',
        query: '耳机',
        filters: {
          category1_name: '电子产品',
          specifications: { name: 'color', value: 'black' },
          tags: ['新品', '包邮'],
        },
        facets: ['category1_name', 'specifications'],
      },
    ],
    [
      'facets with their own filters selected, text and image kNN',
      {
        tenantId: '1',
        query: '耳机',
        imageVector: [0.1, 0.2, 0.3],
        filters: {
          category1_name: '电子产品',
          specifications: { name: 'color', value: 'black' },
          tags: ['新品'],
        },
        facets: ['category1_name', 'specifications'],
      },
      { embed: true },
    ],
    [
      '§8.3.5 sku_filter_dimension with sort',
      { tenantId: '1', query: '手机', skuFilterDimension: 'color', sort: 'price:asc' },
    ],
    ['image kNN', { tenantId: '1', query: '', imageVector: [0.1, 0.2, 0.3] }],
  ];

  for (const [name, request, options] of examples) {
    it(name, async () => {
      const config = seedSearchConfig((c) => {
        c.query.textEmbedding.enabled = true;
        c.query.imageKnn.enabled = true;
        c.query.imageKnn.model = 'tiny-clip';
        c.ranking.expression =
          'bm25() + 0.2*text_embedding_relevance() + 0.5*image_embedding_relevance()';
        // Keep the snapshots about the query: few _source fields, facets only when asked.
        c.result.fields = ['spu_id', 'title_zh', 'title_en'];
      });
      const body = await build({ facets: [], ...request }, config, options);
      expect(body).toMatchSnapshot();
    });
  }
});

describe('structure: filters AND (text_recall OR embedding_recall)', () => {
  it('puts the tenant first in the query filters and in the kNN filter', async () => {
    const config = seedSearchConfig((c) => (c.query.textEmbedding.enabled = true));
    const body = await build(
      { tenantId: '1', query: '手机', filters: { category_name: '手机' } },
      config,
      { embed: true },
    );
    expect(rootBool(body).filter).toEqual([TENANT, { term: { category_name: '手机' } }]);
    const knn = body.knn as estypes.KnnSearch[];
    expect(knn).toHaveLength(1);
    expect(knn[0]).toMatchObject({
      field: 'title_embedding',
      k: 50,
      num_candidates: 200,
      boost: 0.2,
    });
    expect(knn[0]!.filter).toEqual([TENANT, { term: { category_name: '手机' } }]);
    expect(knn[0]!.query_vector).toHaveLength(4);
  });

  it('keeps a post-filtered filter out of the kNN filter that feeds its own facet', async () => {
    const config = seedSearchConfig((c) => (c.query.textEmbedding.enabled = true));
    const category = { term: { category1_name: '电子产品' } };
    const tags = { term: { tags: '新品' } };
    const body = await build(
      {
        tenantId: '1',
        query: '耳机',
        filters: { category1_name: '电子产品', tags: ['新品'], min_price: { gte: 5 } },
        facets: ['category1_name', 'tags'],
      },
      config,
      { embed: true },
    );
    const price = (rootBool(body).filter as Query[])[1]!;
    expect(rootBool(body).filter).toEqual([TENANT, price]);
    expect(body.post_filter).toEqual({ bool: { filter: [category, tags] } });
    const knn = body.knn as estypes.KnnSearch[];
    // The weighted clause under every filter (the hits), then per post-filtered dimension a
    // boost-0 clause without that dimension's filter (its facet's kNN hits).
    expect(knn.map((clause) => [clause.boost, clause.filter])).toEqual([
      [0.2, [TENANT, category, tags, price]],
      [0, [TENANT, tags, price]],
      [0, [TENANT, category, price]],
    ]);
    for (const clause of knn) {
      expect(clause.query_vector).toEqual(knn[0]!.query_vector);
      expect([clause.k, clause.num_candidates]).toEqual([knn[0]!.k, knn[0]!.num_candidates]);
    }
    // Without requested facets every filter stays a pre-filter and there is one kNN clause.
    const plain = await build(
      { tenantId: '1', query: '耳机', filters: { category1_name: '电子产品' }, facets: [] },
      config,
      { embed: true },
    );
    expect(plain.post_filter).toBeUndefined();
    expect((plain.knn as estypes.KnnSearch[]).map((clause) => clause.filter)).toEqual([
      [TENANT, category],
    ]);
  });

  it('routes the original text to the detected language and the translation to the other', async () => {
    const body = await build({ tenantId: '1', query: '耳机' });
    const recall = recallOf(body);
    const queries = recall.dis_max!.queries as Query[];
    expect(queries.map((q) => q.multi_match!.query)).toEqual(['耳机', 'headphones']);
    expect(queries[0]!.multi_match!.fields).toContain('title_zh^3');
    expect(queries[0]!.multi_match!.fields).toContain('tags');
    expect(queries[0]!.multi_match!.fields).not.toContain('title_en^3');
    expect(queries[1]!.multi_match!.fields).toEqual(
      expect.arrayContaining(['title_en^3', 'brief_en^1.5']),
    );
    expect(queries[1]!.multi_match!.fields).not.toContain('title_zh^3');
  });

  it('searches every language with the original text when there is no translation', async () => {
    const body = await build({ tenantId: '1', query: 'iphone' });
    const recall = recallOf(body);
    expect(recall.multi_match!.query).toBe('iphone');
    expect(recall.multi_match!.fields).toEqual(
      expect.arrayContaining(['title_zh^3', 'title_en^3', 'tags']),
    );
  });

  it('multiplies field boosts by the domain boost and applies tie_breaker, msm and fuzziness', async () => {
    const config = seedSearchConfig((c) => {
      c.ranking.tieBreaker = 0.3;
      c.ranking.minimumShouldMatch = '2';
      c.ranking.fuzziness = 'AUTO';
    });
    const recall = recallOf(await build({ tenantId: '1', query: 'title:iphone' }, config));
    expect(recall.multi_match).toEqual({
      query: 'iphone',
      fields: ['title_zh^2', 'title_en^2'],
      type: 'best_fields',
      tie_breaker: 0.3,
      minimum_should_match: '2',
      fuzziness: 'AUTO',
    });
  });

  it('maps AND → must, OR → should, ANDNOT → must_not, RANK → should', async () => {
    const recall = recallOf(
      await build({ tenantId: '1', query: '(a OR b) AND c ANDNOT d RANK e' }),
    );
    // RANK binds loosest: must [(a OR b) AND (c ANDNOT d)], should [e].
    const rank = recall.bool!;
    expect(rank.should).toHaveLength(1);
    const and = (rank.must as Query[])[0]!.bool!;
    const [or, andNot] = and.must as Query[];
    expect(or!.bool!.minimum_should_match).toBe(1);
    expect(or!.bool!.should).toHaveLength(2);
    expect((andNot!.bool!.must_not as Query[])[0]!.multi_match!.query).toBe('d');
  });

  it('uses phrase multi_match for quoted text', async () => {
    const recall = recallOf(await build({ tenantId: '1', query: '"noise cancelling"' }));
    expect(recall.multi_match).toMatchObject({ type: 'phrase', query: 'noise cancelling' });
    expect(recall.multi_match).not.toHaveProperty('minimum_should_match');
  });

  it('wraps the recall in function_score with the enabled functions only', async () => {
    const config = seedSearchConfig((c) => {
      c.ranking.functions[0]!.enabled = true;
      c.ranking.boostMode = 'sum';
    });
    const must = rootBool(await build({ tenantId: '1', query: '耳机' }, config)).must as Query[];
    const fs = must[0]!.function_score as estypes.QueryDslFunctionScoreQuery;
    expect(fs.functions).toEqual([
      {
        gauss: { create_time: { origin: 'now', scale: '90d', offset: '0d', decay: 0.5 } },
        weight: 1,
      },
    ]);
    expect(fs.boost_mode).toBe('sum');
  });

  it('sets the BM25 weight as the text query boost and the kNN weight as knn.boost', async () => {
    const config = seedSearchConfig((c) => {
      c.query.textEmbedding.enabled = true;
      c.ranking.expression = '2 * bm25() + text_embedding_relevance() * 0.7';
    });
    const body = await build({ tenantId: '1', query: 'iphone' }, config, { embed: true });
    expect(recallOf(body).multi_match!.boost).toBe(2);
    expect((body.knn as estypes.KnnSearch[])[0]!.boost).toBe(0.7);
  });

  it('adds timeliness(field) as an optional clause scoring only the decay', async () => {
    const config = seedSearchConfig(
      (c) => (c.ranking.expression = 'bm25() + 0.3*timeliness(create_time)'),
    );
    const bool = rootBool(await build({ tenantId: '1', query: 'iphone' }, config));
    expect(bool.should).toEqual([
      {
        function_score: {
          query: { match_all: {} },
          functions: [
            {
              gauss: { create_time: { origin: 'now', scale: '90d', offset: '0d', decay: 0.5 } },
              weight: 0.3,
            },
          ],
          boost_mode: 'replace',
        },
      },
    ]);
  });

  it('omits kNN when the expression has no text_embedding_relevance()', async () => {
    const config = seedSearchConfig((c) => {
      c.query.textEmbedding.enabled = true;
      c.ranking.expression = 'bm25()';
    });
    const body = await build({ tenantId: '1', query: '手机' }, config, { embed: true });
    expect(body.knn).toBeUndefined();
  });

  it('image-only search has no query (a match_all would pull in everything) and kNN on the nested vector', async () => {
    const config = seedSearchConfig((c) => {
      c.query.imageKnn.enabled = true;
      c.query.imageKnn.model = 'tiny-clip';
      c.ranking.expression = 'bm25() + image_embedding_relevance()';
    });
    const prepared = await prepare(
      { tenantId: '1', imageVector: [0.1, 0.2, 0.3], size: 60 },
      config,
    );
    expect(prepared.request.query).toBeUndefined();
    const knn = prepared.request.knn as estypes.KnnSearch[];
    expect(knn).toEqual([
      {
        field: 'image_embedding.vector',
        query_vector: [0.1, 0.2, 0.3],
        k: 60,
        num_candidates: 200,
        boost: 1,
        filter: [TENANT],
      },
    ]);
  });

  it('browses (match_all under the filters) when there is no text and no vector', async () => {
    const body = await build({ tenantId: '1', query: '   ' });
    expect(rootBool(body)).toEqual({ filter: [TENANT], must: [{ match_all: {} }] });
    expect(body.highlight).toBeUndefined();
  });
});
