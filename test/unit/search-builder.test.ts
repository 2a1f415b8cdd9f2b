/**
 * The query builder on the seed's examples (003 §4.1, §5.1–§5.3, §8.3): a snapshot of each
 * generated request (reviewable ES JSON) plus assertions on the parts that carry the semantics.
 */
import { describe, expect, it } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import { RwbError } from '../../engine/errors.ts';
import { build, prepare, rootBool, seedSearchConfig } from './search-fixtures.ts';

type Query = estypes.QueryDslQueryContainer;

/** The function_score's query, or the query itself when no function is on. */
function recallOf(body: estypes.SearchRequest): Query {
  const must = rootBool(body).must as Query[];
  expect(must).toHaveLength(1);
  const functionScore = must[0]!.function_score as estypes.QueryDslFunctionScoreQuery | undefined;
  return functionScore?.query ?? must[0]!;
}

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

describe('filters', () => {
  it('groups specifications: same name OR, different names AND, each a nested query', async () => {
    const body = await build({
      tenantId: '1',
      facets: [],
      filters: {
        specifications: [
          { name: 'color', value: 'white' },
          { name: 'size', value: '256GB' },
          { name: 'color', value: 'black' },
        ],
      },
    });
    expect(rootBool(body).filter).toEqual([
      TENANT,
      {
        nested: {
          path: 'specifications',
          query: {
            bool: {
              filter: [
                { term: { 'specifications.name': 'color' } },
                { terms: { 'specifications.value': ['white', 'black'] } },
              ],
            },
          },
        },
      },
      {
        nested: {
          path: 'specifications',
          query: {
            bool: {
              filter: [
                { term: { 'specifications.name': 'size' } },
                { term: { 'specifications.value': '256GB' } },
              ],
            },
          },
        },
      },
    ]);
  });

  it('builds term, terms, range (numbers and dates) and nested-field filters', async () => {
    const body = await build({
      tenantId: '1',
      facets: [],
      filters: {
        category1_name: '电子产品',
        tags: ['新品', '包邮'],
        price: { gte: 50, lt: 200 },
        create_time: { gte: '2023-01-01' },
        'skus.option1_value': 'black',
      },
    });
    expect(rootBool(body).filter).toEqual([
      TENANT,
      { term: { category1_name: '电子产品' } },
      { terms: { tags: ['新品', '包邮'] } },
      { range: { min_price: { gte: 50, lt: 200 } } },
      { range: { create_time: { gte: '2023-01-01' } } },
      { nested: { path: 'skus', query: { term: { 'skus.option1_value': 'black' } } } },
    ]);
  });

  it('moves a faceted filter to post_filter and counts each facet without its own filter', async () => {
    const body = await build({
      tenantId: '1',
      query: '耳机',
      filters: {
        category1_name: '电子产品',
        specifications: { name: 'color', value: 'black' },
        tags: '新品',
      },
      facets: ['category1_name', 'specifications.color'],
    });
    const colorFilter = {
      nested: {
        path: 'specifications',
        query: {
          bool: {
            filter: [
              { term: { 'specifications.name': 'color' } },
              { term: { 'specifications.value': 'black' } },
            ],
          },
        },
      },
    };
    // tags has no facet: it stays in the query.
    expect(rootBool(body).filter).toEqual([TENANT, { term: { tags: '新品' } }]);
    expect(body.post_filter).toEqual({
      bool: { filter: [colorFilter, { term: { category1_name: '电子产品' } }] },
    });
    const aggs = body.aggs as Record<string, estypes.AggregationsAggregationContainer>;
    expect(aggs.facet_0!.filter).toEqual({ bool: { filter: [colorFilter] } });
    expect(aggs.facet_1!.filter).toEqual({
      bool: { filter: [{ term: { category1_name: '电子产品' } }] },
    });
  });

  it('the "specifications" facet gives each selected name its own aggregation without that name', async () => {
    const body = await build({
      tenantId: '1',
      filters: {
        specifications: [
          { name: 'color', value: 'black' },
          { name: 'size', value: 'L' },
        ],
      },
      facets: ['specifications'],
    });
    const aggs = body.aggs as Record<string, estypes.AggregationsAggregationContainer>;
    expect(Object.keys(aggs)).toEqual(['facet_0', 'facet_1', 'facet_2']);
    const filterNames = (agg: estypes.AggregationsAggregationContainer): string[] =>
      ((agg.filter?.bool?.filter ?? []) as Query[]).map(
        (q) =>
          (q.nested!.query.bool!.filter as Query[])[0]!.term![
            'specifications.name'
          ] as unknown as string,
      );
    expect(filterNames(aggs.facet_0!)).toEqual(['size']);
    expect(filterNames(aggs.facet_1!)).toEqual(['color']);
    expect(filterNames(aggs.facet_2!)).toEqual(['color', 'size']);
    const names = aggs.facet_2!.aggs!.specs!.aggs!.names!.terms!;
    expect(names.exclude).toEqual(['color', 'size']);
  });
});

describe('sort, paging and limits', () => {
  it('aliases price to min_price, adds the spu_id tie-break and tracks scores', async () => {
    const body = await build({ tenantId: '1', query: '手机', sort: ['price:desc', '_score'] });
    expect(body.sort).toEqual([
      { min_price: { order: 'desc', missing: '_last' } },
      { _score: { order: 'desc' } },
      { spu_id: { order: 'asc' } },
    ]);
    expect(body.track_scores).toBeUndefined();
    const byDate = await build({ tenantId: '1', sort: 'create_time:desc' });
    expect(byDate.sort).toEqual([
      { create_time: { order: 'desc', missing: '_last' } },
      { spu_id: { order: 'asc' } },
    ]);
    expect(byDate.track_scores).toBe(true);
  });

  it('expands sort option ids of the config and sorts nested fields with a nested sort', async () => {
    expect((await build({ tenantId: '1', sort: 'newest' })).sort).toEqual([
      { create_time: { order: 'desc', missing: '_last' } },
      { spu_id: { order: 'asc' } },
    ]);
    expect((await build({ tenantId: '1', sort: 'skus.price:asc' })).sort).toEqual([
      { 'skus.price': { order: 'asc', missing: '_last', mode: 'min', nested: { path: 'skus' } } },
      { spu_id: { order: 'asc' } },
    ]);
  });

  it('takes from/size with the config default and limits', async () => {
    const config = seedSearchConfig((c) => {
      c.result.defaultSize = 7;
      c.result.maxSize = 30;
    });
    expect(await build({ tenantId: '1', from: 20 }, config)).toMatchObject({ from: 20, size: 7 });
    await expect(build({ tenantId: '1', size: 31 }, config)).rejects.toThrow(
      /size: 31 .*result\.maxSize = 30/,
    );
    await expect(build({ tenantId: '1', from: 9_990, size: 20 }, config)).rejects.toThrow(
      /from \+ size must be at most 10000/,
    );
  });
});

describe('bad requests name the field', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'unknown filter field',
      { filters: { colour: 'red' } },
      /filters\.colour: "colour" is not a field of the index mapping/,
    ],
    [
      'text field as term filter',
      { filters: { title_zh: '耳机' } },
      /filters\.title_zh: .*exact-value field.*text field/,
    ],
    [
      'tenant_id as a filter',
      { filters: { tenant_id: '2' } },
      /filters\.tenant_id: .*tenant is given by tenantId only/,
    ],
    [
      'range on a keyword',
      { filters: { category1_name: { gte: 1 } } },
      /filters\.category1_name: .*number or date field/,
    ],
    [
      'range without bounds',
      { filters: { min_price: {} } },
      /filters\.min_price needs at least one of "gte", "gt", "lte", "lt"/,
    ],
    [
      'range with a word',
      { filters: { min_price: { gte: 'cheap' } } },
      /filters\.min_price\.gte must be a number or an ISO date/,
    ],
    [
      'date string on a number field',
      { filters: { min_price: { gte: '2024-01-01' } } },
      /filters\.min_price\.gte: "min_price" is a number field/,
    ],
    [
      'not a number on a number field',
      { filters: { total_inventory: 'lots' } },
      /filters\.total_inventory: "total_inventory" is a number field/,
    ],
    [
      'specification without value',
      { filters: { specifications: { name: 'color' } } },
      /filters\.specifications\.value is required/,
    ],
    ['unknown facet field', { facets: ['colour'] }, /facets\[0\]\.field: "colour" is not a field/],
    [
      'range facet without ranges',
      { facets: [{ field: 'max_price', type: 'range' }] },
      /facets\[0\]: a range facet on "max_price" needs "ranges"/,
    ],
    [
      'unknown sort field',
      { sort: 'popularity:desc' },
      /sort: "popularity" is not a field of the index mapping/,
    ],
    ['malformed sort', { sort: ['price:up'] }, /sort\[0\]: "price:up" is not a sort/],
    ['unsupported language', { language: 'fr' }, /language: "fr" is not a supported language/],
    ['image search off', { imageVector: [1, 2, 3] }, /imageVector: image search is off/],
    ['unknown request key', { tenant: '2' }, /has unknown key\(s\) "tenant"/],
  ];
  for (const [name, extra, message] of cases) {
    it(name, async () => {
      const error = await build({ tenantId: '1', ...extra }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(RwbError);
      expect((error as RwbError).code).toBe('INVALID_INPUT');
      expect((error as RwbError).message).toMatch(message);
    });
  }

  it('requires a tenant', async () => {
    await expect(build({ query: 'x' })).rejects.toThrow(/tenantId is required/);
    await expect(build({ tenantId: '' })).rejects.toThrow(/tenantId must not be empty/);
    await expect(build({ tenantId: ' 1' })).rejects.toThrow(
      /tenantId must not start or end with spaces/,
    );
  });

  it('reports an unknown domain in the query as a parse error with its position', async () => {
    await expect(build({ tenantId: '1', query: 'colour:red' })).rejects.toMatchObject({
      code: 'PARSE_ERROR',
    });
  });
});

describe('language override and warnings', () => {
  it('treats every term as the given language and translates from it', async () => {
    const detected = await prepare({ tenantId: '1', query: '耳机' });
    expect(detected.parsed.language.language).toBe('zh');
    expect(detected.parsed.translations).toEqual({ en: 'headphones' });

    const forced = await prepare({ tenantId: '1', query: '耳机', language: 'en' });
    expect(forced.languageOverridden).toBe(true);
    expect(forced.parsed.language).toMatchObject({ language: 'en', confidence: 1 });
    expect(forced.parsed.terms[0]!.language.language).toBe('en');
    // As English text there is no glossary entry to translate from: every field gets the original.
    expect(forced.parsed.translations).toEqual({});
    const recall = recallOf(forced.request);
    expect(recall.multi_match!.query).toBe('耳机');
    expect(recall.multi_match!.fields).toEqual(
      expect.arrayContaining(['title_zh^3', 'title_en^3']),
    );
  });

  it('warns when text embedding is on but no embedder was given', async () => {
    const config = seedSearchConfig((c) => (c.query.textEmbedding.enabled = true));
    const prepared = await prepare({ tenantId: '1', query: '手机' }, config);
    expect(prepared.parsed.warnings).toContain(
      'Text embedding is enabled but no embedder was given: searching without a query vector',
    );
    expect(prepared.request.knn).toBeUndefined();
  });
});
