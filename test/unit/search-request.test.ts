/**
 * Request handling of the builder: filters, sort, paging limits, language override, and the
 * INVALID_INPUT messages that name the offending field.
 */
import { describe, expect, it } from 'vitest';
import type { estypes } from '@elastic/elasticsearch';
import { RwbError } from '../../engine/errors.ts';
import { build, prepare, recallOf, rootBool, seedSearchConfig } from './search-fixtures.ts';

type Query = estypes.QueryDslQueryContainer;

const TENANT = { term: { tenant_id: '1' } };

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
    const strict = seedSearchConfig((c) => (c.query.parseMode = 'strict'));
    await expect(build({ tenantId: '1', query: 'colour:red' }, strict)).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      details: { kind: 'UNKNOWN_DOMAIN', position: 0 },
    });
    // Lenient (the default): the same text is searched as plain text, the error is a warning.
    const lenient = await prepare({ tenantId: '1', query: 'colour:red' });
    expect(lenient.parsed.parseFallback).toMatchObject({ kind: 'UNKNOWN_DOMAIN', position: 0 });
    expect(recallOf(lenient.request).multi_match!.query).toBe('colour:red');
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
