/**
 * Facet counts with kNN on (issue 17 item 6), on a real Elasticsearch (RWB_ES_URL).
 *
 * The rule (docs/serve.md "Facets in hybrid search"): a facet counts the union of the current hits
 * and the hits of the same search without that facet's own filter, where a search's hits are
 * `filters AND (text recall OR kNN top k under those filters)`. The test builds that count by
 * brute force: text recall from Elasticsearch with kNN off (all hits, no window), the kNN top k by
 * exact cosine over the hand-made vectors, the filters evaluated on the indexed documents; then
 * compares every facet value's count, over random filter combinations, with kNN on.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex } from '../../engine/es/index.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import { search, type SearchDependencies } from '../../engine/search/searcher.ts';
import type { SearchResponse } from '../../engine/search/response-schema.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { prng, unit, dot } from '../helpers/seeded.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

const PER_TENANT = 120;
const K = 10;
const CATEGORIES = ['Audio', 'Phones', 'Home'];
const TAGS = ['new', 'sale', 'hot', 'gift'];
const COLORS = ['red', 'blue', 'green', 'black'];
const SIZES = ['S', 'M', 'L'];

type Filters = {
  category1_name?: string[];
  tags?: string[];
  specifications?: Array<{ name: string; value: string }>;
  min_price?: { gte: number };
};
type Facet = 'category1_name' | 'tags' | 'specifications.color' | 'specifications.size';

const specValues = (doc: ProductDoc, name: string): string[] =>
  doc.specifications.filter((spec) => spec.name === name).map((spec) => spec.value);

/** The values `doc` has for a facet field. */
function valuesOf(doc: ProductDoc, facet: Facet): string[] {
  if (facet === 'category1_name') return [doc.category1_name!];
  if (facet === 'tags') return doc.tags ?? [];
  return specValues(doc, facet.slice('specifications.'.length));
}

/** `filters` evaluated on a document; `without` leaves one facet dimension's filter out. */
function passes(doc: ProductDoc, filters: Filters, without?: Facet): boolean {
  const any = (have: readonly string[], want: readonly string[] | undefined): boolean =>
    want === undefined || have.some((value) => want.includes(value));
  if (without !== 'category1_name' && !any(valuesOf(doc, 'category1_name'), filters.category1_name))
    return false;
  if (without !== 'tags' && !any(valuesOf(doc, 'tags'), filters.tags)) return false;
  for (const name of new Set((filters.specifications ?? []).map((spec) => spec.name))) {
    if (without === `specifications.${name}`) continue;
    const want = filters.specifications!.filter((s) => s.name === name).map((s) => s.value);
    if (!any(specValues(doc, name), want)) return false;
  }
  if (filters.min_price !== undefined && (doc.min_price ?? -1) < filters.min_price.gte)
    return false;
  return true;
}

function catalog(): ProductDoc[] {
  const random = prng(17);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const docs: ProductDoc[] = [];
  for (const product of generateDemoCatalog({ tenants: ['A', 'B'], spusPerTenant: PER_TENANT })) {
    const result = transformSpu(product);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const doc = result.doc;
    if (doc.tenant_id === 'B') doc.spu_id = `B-${doc.spu_id}`;
    doc.category1_name = pick(CATEGORIES);
    doc.tags = [...new Set([pick(TAGS), ...(random() < 0.4 ? [pick(TAGS)] : [])])];
    doc.specifications = [
      { sku_id: '', name: 'color', value: pick(COLORS) },
      { sku_id: '', name: 'size', value: pick(SIZES) },
    ];
    doc.min_price = Math.floor(random() * 300);
    doc.title_embedding = unit([random() - 0.5, random() - 0.5, random() - 0.5, random() - 0.5]);
    doc.image_embedding = [
      {
        vector: unit([random() - 0.5, random() - 0.5, random() - 0.5]),
        url: `https://img/${doc.spu_id}.jpg`,
      },
    ];
    docs.push(doc);
  }
  return docs;
}

describeWith([missingEs], 'facet counts with kNN on (real Elasticsearch)', () => {
  const index = `rwb_test_facets_knn_${randomUUID().slice(0, 8)}`;
  let client: Client;
  let docsA: ProductDoc[];
  let config: SearchConfig;
  let queryVector: number[] = [1, 0, 0, 0];
  const withKnn = (): SearchDependencies => ({
    languageDetector: null,
    embedder: async () => Float32Array.from(queryVector),
    url: esUrl(),
  });
  const textOnly: SearchDependencies = { languageDetector: null, url: esUrl() };

  beforeAll(async () => {
    client = createEsClient({ url: esUrl() });
    await ensureIndex(client, { index, textDims: 4, imageDims: 3, url: esUrl() });
    const docs = catalog();
    docsA = docs.filter((doc) => doc.tenant_id === 'A');
    const operations = docs.flatMap((doc) => [
      { index: { _index: index, _id: `${doc.tenant_id}:${doc.spu_id}` } },
      doc,
    ]);
    expect((await client.bulk({ operations, refresh: true })).errors).toBe(false);
    const base = defaultSearchConfig();
    config = parseSearchConfig({
      ...base,
      query: {
        ...base.query,
        textEmbedding: { enabled: true, model: 'test-4d', cacheSize: 0 },
        // Exact kNN (every candidate seen) with a small k, so the top k is a real selection.
        knn: { ...base.query.knn, k: K, numCandidates: 1000 },
        imageKnn: {
          ...base.query.imageKnn,
          enabled: true,
          model: 'test-3d',
          k: K,
          numCandidates: 1000,
        },
      },
      result: { ...base.result, maxSize: 500 },
    });
  });

  afterAll(async () => {
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  /** Brute force: the tenant-A documents of `filters AND (text OR kNN top k)`. */
  async function hitsOf(
    query: string,
    filters: Filters,
    imageVector: number[] | undefined,
    without?: Facet,
  ): Promise<{ hits: Set<ProductDoc>; knnOnly: Set<ProductDoc> }> {
    const kept = docsA.filter((doc) => passes(doc, filters, without));
    const textFilters = without === undefined ? filters : dropFilter(filters, without);
    const text: SearchResponse = await search(
      client,
      index,
      { tenantId: 'A', query, filters: textFilters, facets: [], size: 500 },
      config,
      textOnly,
    );
    expect(text.total).toBe(text.results.length);
    const textIds = new Set(text.results.map((result) => result.spu_id));
    const top = (score: (doc: ProductDoc) => number): ProductDoc[] =>
      [...kept].sort((a, b) => score(b) - score(a)).slice(0, K);
    const knn = new Set(top((doc) => dot(doc.title_embedding!, queryVector)));
    if (imageVector !== undefined) {
      for (const doc of top((doc) => dot(doc.image_embedding![0]!.vector, imageVector)))
        knn.add(doc);
    }
    const hits = new Set(kept.filter((doc) => textIds.has(doc.spu_id) || knn.has(doc)));
    const knnOnly = new Set([...knn].filter((doc) => !textIds.has(doc.spu_id)));
    return { hits, knnOnly };
  }

  function dropFilter(filters: Filters, facet: Facet): Filters {
    const out: Filters = { ...filters };
    if (facet === 'category1_name' || facet === 'tags') delete out[facet];
    else {
      const name = facet.slice('specifications.'.length);
      const rest = (filters.specifications ?? []).filter((spec) => spec.name !== name);
      if (rest.length > 0) out.specifications = rest;
      else delete out.specifications;
    }
    return out;
  }

  it('counts every facet value as the hits with and without its own filter do (random filters)', async () => {
    const random = prng(2026);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const some = (list: readonly string[]): string[] => [
      ...new Set([pick(list), ...(random() < 0.3 ? [pick(list)] : [])]),
    ];
    const words = [
      ...new Set(
        docsA.flatMap((doc) => (doc.title_en ?? '').toLowerCase().match(/[a-z]{4,}/g) ?? []),
      ),
    ];
    let knnOnlyCounted = 0;
    let checkedValues = 0;
    for (let round = 0; round < 14; round++) {
      const filters: Filters = {};
      if (random() < 0.6) filters.category1_name = some(CATEGORIES);
      if (random() < 0.6) filters.tags = some(TAGS);
      const specs: Array<{ name: string; value: string }> = [];
      if (random() < 0.6) specs.push(...some(COLORS).map((value) => ({ name: 'color', value })));
      if (random() < 0.3) specs.push({ name: 'size', value: pick(SIZES) });
      if (specs.length > 0) filters.specifications = specs;
      if (random() < 0.3) filters.min_price = { gte: Math.floor(random() * 100) };
      const query = pick(words);
      const imageVector =
        random() < 0.4 ? unit([random() - 0.5, random() - 0.5, random() - 0.5]) : undefined;
      queryVector = unit([random() - 0.5, random() - 0.5, random() - 0.5, random() - 0.5]);
      // Odd rounds ask for every specification at once ('specifications').
      const specFacets =
        round % 2 === 1 ? ['specifications'] : ['specifications.color', 'specifications.size'];
      const request = {
        tenantId: 'A',
        query,
        filters,
        size: K,
        facets: ['category1_name', 'tags', ...specFacets].map((field) => ({ field, size: 20 })),
        ...(imageVector === undefined ? {} : { imageVector }),
      };
      const where = JSON.stringify({ ...request, queryVector });

      const response = await search(client, index, request, config, withKnn());
      expect(response.query.ranking.knn, where).toEqual({
        text: true,
        image: imageVector !== undefined,
      });
      const current = await hitsOf(query, filters, imageVector);
      expect(response.total, where).toBe(current.hits.size);
      const currentIds = new Set([...current.hits].map((doc) => doc.spu_id));
      for (const result of response.results)
        expect(currentIds.has(result.spu_id), where).toBe(true);

      for (const facet of [
        'category1_name',
        'tags',
        'specifications.color',
        'specifications.size',
      ] as const) {
        const without = await hitsOf(query, filters, imageVector, facet);
        const counted = new Set([...without.hits, ...current.hits]);
        const expected = new Map<string, number>();
        for (const doc of counted)
          for (const value of new Set(valuesOf(doc, facet)))
            expected.set(value, (expected.get(value) ?? 0) + 1);
        const shown = response.facets.find((f) => f.field === facet);
        const actual = new Map<string, number>();
        for (const value of shown?.values ?? [])
          if (value.count > 0) actual.set(String(value.value), value.count);
        expect(Object.fromEntries([...actual].sort()), `${facet} in ${where}`).toEqual(
          Object.fromEntries([...expected].sort()),
        );
        checkedValues += expected.size;
        // A kNN-only hit that the facet's own filter keeps out of the hits, counted all the same.
        knnOnlyCounted += [...without.knnOnly].filter(
          (doc) => without.hits.has(doc) && !current.hits.has(doc),
        ).length;
      }
    }
    expect(checkedValues).toBeGreaterThan(100);
    expect(knnOnlyCounted).toBeGreaterThan(0);
  });
});
