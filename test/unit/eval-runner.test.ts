/**
 * The pure parts of the evaluation runner: which config changes reach the parser (parse-cache
 * key), request hashing, building a request from a cached parse exactly like the searcher does,
 * doc ids from hits, batching and bounded concurrency, facet counts, metric defaults.
 */
import type { estypes } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import type { SearchConfig } from '../../engine/config/search-config-schema.ts';
import { RwbError } from '../../engine/errors.ts';
import { evalMetricNames } from '../../engine/eval/runner.ts';
import { facetCountsOf } from '../../engine/eval/runner-facets.ts';
import { batchesOf, mapLimited } from '../../engine/eval/runner-msearch.ts';
import { hitIdOf, hitSpuIdOf as docIdOf, idOnlyRequest } from '../../engine/search/hit-id.ts';
import {
  assertKFits,
  createParseCache,
  parseCacheKey,
  parseKeyOf,
  planEvalRequest,
  prepareEvalRequest,
  requestHash,
  type EvalRequestOptions,
} from '../../engine/eval/runner-prepare.ts';
import type { SearchPlan } from '../../engine/search/build-request.ts';

const OPTIONS: EvalRequestOptions = { tenantId: 'icecat', k: 10, facets: true, explain: false };

function edited(change: (config: SearchConfig) => void): SearchConfig {
  const config = defaultSearchConfig();
  change(config);
  return config;
}

describe('parse-cache key', () => {
  it('ignores what only the query builder reads (boosts, kNN, ranking, facets)', () => {
    const base = parseKeyOf(defaultSearchConfig());
    expect(parseKeyOf(edited((c) => (c.domains[0]!.fields[0]!.boost = 9)))).toBe(base);
    expect(parseKeyOf(edited((c) => (c.domains[1]!.boost = 7)))).toBe(base);
    expect(parseKeyOf(edited((c) => (c.query.knn.k = 120)))).toBe(base);
    expect(parseKeyOf(edited((c) => (c.ranking.tieBreaker = 0.5)))).toBe(base);
    expect(parseKeyOf(edited((c) => (c.facets = [])))).toBe(base);
  });

  it('changes with what the parser reads (rewrite, languages, embedding, domains)', () => {
    const base = parseKeyOf(defaultSearchConfig());
    const changed = [
      edited((c) => (c.query.rewrite.dictionary = { tv: 'television' })),
      edited((c) => (c.query.defaultLanguage = 'en')),
      edited((c) => (c.query.textEmbedding.enabled = true)),
      edited((c) => (c.query.textEmbedding.model = 'bge-small-en-v15-q')),
      edited((c) => (c.domains[1]!.name = 'headline')),
      edited((c) => (c.domains[0]!.languageFieldMapping = { en: ['title_en'] })),
    ].map(parseKeyOf);
    for (const key of changed) expect(key).not.toBe(base);
    expect(new Set(changed).size).toBe(changed.length);
  });

  it('keys parses per query text', () => {
    const config = defaultSearchConfig();
    expect(parseCacheKey(config, 'laptop')).not.toBe(parseCacheKey(config, 'laptops'));
  });
});

describe('request hash', () => {
  it('does not depend on key order and sees every value', () => {
    const a: estypes.SearchRequest = { size: 10, query: { match: { title_en: 'tv' } }, from: 0 };
    const b: estypes.SearchRequest = { from: 0, query: { match: { title_en: 'tv' } }, size: 10 };
    expect(requestHash(a)).toBe(requestHash(b));
    expect(requestHash({ ...a, size: 11 })).not.toBe(requestHash(a));
    expect(requestHash({ ...a, query: { match: { title_en: 'tvs' } } })).not.toBe(requestHash(a));
  });
});

describe('preparing evaluation requests', () => {
  const noDetector = { languageDetector: null } as const;

  it('asks for k hits without highlight, ids only, tenant filtered, facets as asked', async () => {
    const prepared = await prepareEvalRequest('laptop', defaultSearchConfig(), OPTIONS, noDetector);
    expect(prepared.body.size).toBe(10);
    expect(prepared.body.from).toBe(0);
    expect(prepared.body.highlight).toBeUndefined();
    expect(prepared.body.explain).toBeUndefined();
    // Ids from doc values: no stored field (_source, _id) is read per hit.
    expect(prepared.body._source).toBe(false);
    expect(prepared.body.stored_fields).toBe('_none_');
    expect(prepared.body.docvalue_fields).toEqual(['tenant_id', 'spu_id']);
    expect(JSON.stringify(prepared.body.query)).toContain('"tenant_id":"icecat"');
    expect(prepared.body.aggs).toBeDefined();
    expect(prepared.plan.facets.length).toBeGreaterThan(0);
    const bare = await prepareEvalRequest(
      'laptop',
      defaultSearchConfig(),
      { ...OPTIONS, facets: false, explain: true },
      noDetector,
    );
    expect(bare.body.aggs).toBeUndefined();
    expect(bare.body.explain).toBe(true);
  });

  it('builds the same request from a cached parse as from a fresh one', async () => {
    const cache = createParseCache();
    const config = defaultSearchConfig();
    const fresh = await prepareEvalRequest('usb cable', config, OPTIONS, noDetector, cache);
    expect(cache.size).toBe(1);
    const again = await prepareEvalRequest('usb cable', config, OPTIONS, noDetector, cache);
    expect(again.hash).toBe(fresh.hash);
    expect(again.body).toEqual(fresh.body);
    expect(cache.hits).toBe(1);

    // A boost change reuses the parse but yields another request.
    const boosted = edited((c) => (c.domains[0]!.fields[0]!.boost = 11));
    const viaCache = await prepareEvalRequest('usb cable', boosted, OPTIONS, noDetector, cache);
    const direct = await prepareEvalRequest('usb cable', boosted, OPTIONS, noDetector);
    expect(cache.size).toBe(1);
    expect(viaCache.hash).toBe(direct.hash);
    expect(viaCache.hash).not.toBe(fresh.hash);
  });

  it('plans synchronously from a parse (what the tuner keys requests by)', async () => {
    const config = defaultSearchConfig();
    const cache = createParseCache();
    const prepared = await prepareEvalRequest('hdmi', config, OPTIONS, noDetector, cache);
    const parsed = cache.get(parseCacheKey(config, 'hdmi'))!;
    expect(planEvalRequest(parsed, 'hdmi', config, OPTIONS).hash).toBe(prepared.hash);
  });

  it('refuses a k above the config page size, naming the config', () => {
    const config = defaultSearchConfig();
    expect(() => assertKFits(config.result.maxSize + 1, config, 'rev-x')).toThrow(RwbError);
    expect(() => assertKFits(config.result.maxSize + 1, config, 'rev-x')).toThrow(/rev-x.*maxSize/);
    expect(() => assertKFits(config.result.maxSize, config, 'rev-x')).not.toThrow();
  });
});

describe('doc ids of hits', () => {
  it('prefers _source.spu_id and strips the tenant prefix of _id otherwise', () => {
    expect(docIdOf({ _index: 'i', _id: 'icecat:1', _source: { spu_id: '77' } }, 'icecat')).toBe(
      '77',
    );
    expect(docIdOf({ _index: 'i', _id: 'icecat:42' }, 'icecat')).toBe('42');
    expect(docIdOf({ _index: 'i', _id: 'other:42' }, 'icecat')).toBe('other:42');
    expect(docIdOf({ _index: 'i', _id: 'x', _source: { spu_id: 5 } }, 'icecat')).toBe('5');
  });

  it('reads the doc values an id-only search returns (no _id, no _source)', () => {
    const hit = { _index: 'i', fields: { tenant_id: ['icecat'], spu_id: ['1418540'] } };
    expect(docIdOf(hit, 'icecat')).toBe('1418540');
    expect(hitIdOf(hit)).toBe('icecat:1418540');
    expect(hitIdOf({ _index: 'i', _id: 'icecat:9', fields: { spu_id: ['1'] } })).toBe('icecat:9');
    expect(hitIdOf({ _index: 'i', fields: { spu_id: ['1'] } })).toBe('');
  });

  it('strips what a ranking does not read from a request', () => {
    const body = idOnlyRequest({
      query: { match_all: {} },
      size: 100,
      _source: ['title_en'],
      highlight: { fields: { title_en: {} } },
      fields: ['x'],
    });
    expect(body).toEqual({
      query: { match_all: {} },
      size: 100,
      _source: false,
      stored_fields: '_none_',
      docvalue_fields: ['tenant_id', 'spu_id'],
    });
  });
});

describe('batching', () => {
  it('splits into consecutive batches of at most n', () => {
    expect(batchesOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batchesOf([], 3)).toEqual([]);
  });

  it('runs at most `limit` at once and keeps the order of results', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimited([5, 1, 4, 2, 3], 2, async (n, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return `${i}:${n}`;
    });
    expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3']);
    expect(peak).toBe(2);
  });
});

describe('facet counts', () => {
  it('flattens terms facets to field → value → count', () => {
    const plan = {
      resolved: { request: { filters: undefined }, filters: [], facets: [] },
      facets: [
        {
          name: 'facet_0',
          facet: { kind: 'terms', field: 'category1_name', label: 'c', size: 10 },
        },
      ],
    } as unknown as SearchPlan;
    const aggregations = {
      facet_0: {
        doc_count: 9,
        values: {
          buckets: [
            { key: 'Computers', doc_count: 6 },
            { key: 'Phones', doc_count: 3 },
          ],
        },
      },
    };
    expect(facetCountsOf(aggregations, plan)).toEqual({
      category1_name: { Computers: 6, Phones: 3 },
    });
    expect(facetCountsOf(undefined, plan)).toBeUndefined();
  });
});

describe('metric names', () => {
  it('defaults to the standard metrics at k and canonicalises given names', () => {
    expect(evalMetricNames(5)).toEqual(['ndcg@5', 'p@5', 'recall@5', 'mrr@5', 'err@5', 'ap@5']);
    expect(evalMetricNames(10, ['NDCG@10', 'precision@5', 'ndcg@10', 'mrr'])).toEqual([
      'ndcg@10',
      'p@5',
      'mrr',
    ]);
    expect(() => evalMetricNames(10, ['ndcg'])).toThrow(/needs a cutoff/);
  });
});
