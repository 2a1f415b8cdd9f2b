/**
 * engine/search on a real Elasticsearch (RWB_ES_URL): a fresh index from the mapping, the demo
 * catalog for tenants A and B (300 SPUs, transformed by the SPU transformer) plus small
 * hand-made vectors. Expected hits and facet counts are computed from the indexed documents.
 */
import { randomUUID } from 'node:crypto';
import type { Client, estypes } from '@elastic/elasticsearch';
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
import type { QueryEmbedder } from '../../engine/query/query-parser.ts';
import {
  formatSearchResponse,
  prepareSearch,
  search,
  type SearchDependencies,
} from '../../engine/search/searcher.ts';
import type { SearchResponse } from '../../engine/search/response-schema.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { prng } from '../helpers/seeded.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

const PER_TENANT = 150;
const MARKER = 'tenant-marker';

function unit(v: number[]): number[] {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** The demo catalog; tenant B's SPU ids, a tag and a spec carry a B so any leak is visible. */
function catalog(): ProductDoc[] {
  const random = prng(7);
  const docs: ProductDoc[] = [];
  for (const product of generateDemoCatalog({ tenants: ['A', 'B'], spusPerTenant: PER_TENANT })) {
    const result = transformSpu(product);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const doc = result.doc;
    if (doc.tenant_id === 'B') {
      doc.spu_id = `B-${doc.spu_id}`;
      doc.tags = [...(doc.tags ?? []), 'B-only'];
    }
    doc.specifications.push({ sku_id: '', name: MARKER, value: doc.tenant_id });
    doc.title_embedding = unit([random() + 0.01, random(), random(), random()]);
    doc.image_embedding = [
      { vector: unit([random() + 0.01, random(), random()]), url: `https://img/${doc.spu_id}.jpg` },
    ];
    docs.push(doc);
  }
  return docs;
}

const tokens = (text: string | null | undefined): string[] =>
  (text ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
const hasSpec = (doc: ProductDoc, name: string, values: readonly string[]): boolean =>
  doc.specifications.some((spec) => spec.name === name && values.includes(spec.value));
const ids = (response: SearchResponse): string[] => response.results.map((r) => r.spu_id);

describeWith([missingEs], 'engine/search on a real Elasticsearch', () => {
  const index = `rwb_test_search_${randomUUID().slice(0, 8)}`;
  let client: Client;
  let docs: ProductDoc[];
  let docsA: ProductDoc[];
  let config: SearchConfig;
  /** The query vector a test wants next (kNN tests set it). */
  let nextVector: number[] = [1, 0, 0, 0];
  const embedder: QueryEmbedder = async () => Float32Array.from(nextVector);
  const deps = (): SearchDependencies => ({ languageDetector: null, embedder, url: esUrl() });
  const run = (
    request: Record<string, unknown>,
    cfg: SearchConfig = config,
  ): Promise<SearchResponse> => search(client, index, request, cfg, deps());

  beforeAll(async () => {
    client = createEsClient({ url: esUrl() });
    await ensureIndex(client, { index, textDims: 4, imageDims: 3, url: esUrl() });
    docs = catalog();
    docsA = docs.filter((doc) => doc.tenant_id === 'A');
    const operations = docs.flatMap((doc) => [
      { index: { _index: index, _id: `${doc.tenant_id}:${doc.spu_id}` } },
      doc,
    ]);
    const bulk = await client.bulk({ operations, refresh: true });
    expect(bulk.errors).toBe(false);
    config = parseSearchConfig({
      ...defaultSearchConfig(),
      query: {
        ...defaultSearchConfig().query,
        textEmbedding: { enabled: true, model: 'test-4d', cacheSize: 0 },
        imageKnn: { ...defaultSearchConfig().query.imageKnn, enabled: true, model: 'test-3d' },
      },
      result: { ...defaultSearchConfig().result, maxSize: 500 },
    });
  });

  afterAll(async () => {
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  it('never returns tenant B documents, facets or counts to tenant A (2000 random requests)', async () => {
    const random = prng(99);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const words = [
      ...new Set(
        docs.flatMap((doc) => [
          ...tokens(doc.title_en),
          ...tokens(doc.vendor_en),
          doc.category3_name ?? '',
        ]),
      ),
    ].filter((word) => word !== '');
    const facets = [
      'category1_name',
      'specifications',
      'tags',
      `specifications.${MARKER}`,
      'min_price',
    ];
    let nonEmpty = 0;
    for (let i = 0; i < 2000; i++) {
      const query = Array.from({ length: 1 + Math.floor(random() * 2) }, () =>
        random() < 0.1 ? 'B-only' : pick(words),
      ).join(random() < 0.3 ? ' OR ' : ' ');
      const request: Record<string, unknown> = {
        tenantId: 'A',
        query: random() < 0.15 ? '' : query,
        facets: [pick(facets), pick(facets)],
        size: 50,
      };
      const filters: Record<string, unknown> = {};
      if (random() < 0.3) filters.min_price = { gte: Math.floor(random() * 200) };
      if (random() < 0.2) filters.tags = ['B-only', pick(['新品', '包邮'])];
      if (random() < 0.2) filters.specifications = { name: MARKER, value: pick(['A', 'B']) };
      if (random() < 0.2) filters.category1_name = pick(docs).category1_name;
      if (Object.keys(filters).length > 0) request.filters = filters;
      if (random() < 0.3) request.imageVector = unit([random() + 0.01, random(), random()]);
      if (random() < 0.2) request.sort = pick(['price:asc', 'create_time:desc']);
      nextVector = unit([random() + 0.01, random(), random(), random()]);

      const prepared = await prepareSearch(request, config, deps());
      const raw = await client.search<Partial<ProductDoc>>({ ...prepared.request, index });
      for (const hit of raw.hits.hits)
        expect(hit._id!.startsWith('A:'), JSON.stringify(request)).toBe(true);
      const formatted = formatSearchResponse(prepared, raw as estypes.SearchResponse<unknown>);
      expect(formatted.total).toBeLessThanOrEqual(PER_TENANT);
      for (const result of formatted.results) expect(result.spu_id.startsWith('B-')).toBe(false);
      for (const facet of formatted.facets) {
        for (const value of facet.values) {
          const leaked =
            value.value === 'B-only' ||
            (facet.field === `specifications.${MARKER}` && value.value === 'B');
          // A value the request itself selected is listed (count 0) so it can be deselected.
          expect(
            leaked && value.count > 0,
            `${facet.field}=${value.value} in ${JSON.stringify(request)}`,
          ).toBe(false);
        }
      }
      if (formatted.results.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(150);
  }, 360_000); // 2,000 sequential searches: minutes on a loaded 2-core machine

  it('answers a domain query with exactly the documents whose field matches', async () => {
    const vendor = docsA.find((doc) => (doc.vendor_en ?? '').split(' ').length === 1)!.vendor_en!;
    const response = await run({ tenantId: 'A', query: `brand:${vendor}`, size: 200, facets: [] });
    const expected = docsA.filter((doc) => tokens(doc.vendor_en).includes(vendor.toLowerCase()));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(response).sort()).toEqual(expected.map((doc) => doc.spu_id).sort());
    expect(response.results[0]!.highlights.vendor_en?.[0]).toContain(`<em>${vendor}</em>`);

    // ANDNOT: same brand, minus titles with one of its words.
    const word = tokens(expected[0]!.title_en).find((token) => token !== vendor.toLowerCase())!;
    const narrowed = await run({
      tenantId: 'A',
      query: `brand:${vendor} ANDNOT title:${word}`,
      size: 200,
      facets: [],
    });
    const narrowedExpected = expected.filter(
      (doc) => !tokens(doc.title_en).includes(word) && !tokens(doc.title_zh).includes(word),
    );
    expect(ids(narrowed).sort()).toEqual(narrowedExpected.map((doc) => doc.spu_id).sort());
    expect(narrowed.query.expression).toBe(`brand:${vendor} ANDNOT title:${word}`);
  });

  it('filters by specifications: same name OR, different names AND (nested)', async () => {
    const filter = [
      { name: '颜色', value: '白色' },
      { name: '颜色', value: '黑色' },
      { name: '尺码', value: 'M' },
    ];
    const response = await run({
      tenantId: 'A',
      filters: { specifications: filter },
      size: 200,
      facets: [],
    });
    const expected = docsA.filter(
      (doc) => hasSpec(doc, '颜色', ['白色', '黑色']) && hasSpec(doc, '尺码', ['M']),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(response.total).toBe(expected.length);
    expect(ids(response).sort()).toEqual(expected.map((doc) => doc.spu_id).sort());
  });

  it('counts each facet without its own filter, so a selected value keeps its siblings', async () => {
    const withWhite = docsA.filter((doc) => hasSpec(doc, '颜色', ['白色']));
    const category = withWhite[0]!.category1_name!;
    const response = await run({
      tenantId: 'A',
      filters: { specifications: { name: '颜色', value: '白色' }, category1_name: category },
      facets: ['specifications.颜色', 'category1_name', 'specifications'],
      size: 200,
    });
    const inCategory = docsA.filter((doc) => doc.category1_name === category);
    const hits = inCategory.filter((doc) => hasSpec(doc, '颜色', ['白色']));
    expect(response.total).toBe(hits.length);

    const color = response.facets.find((facet) => facet.field === 'specifications.颜色')!;
    expect(color.values.length).toBeGreaterThan(1);
    for (const value of color.values) {
      expect(value.count, String(value.value)).toBe(
        inCategory.filter((doc) => hasSpec(doc, '颜色', [String(value.value)])).length,
      );
      expect(value.selected).toBe(value.value === '白色');
    }
    const categories = response.facets.find((facet) => facet.field === 'category1_name')!;
    expect(categories.values.length).toBeGreaterThan(1);
    for (const value of categories.values) {
      expect(value.count).toBe(
        withWhite.filter((doc) => doc.category1_name === value.value).length,
      );
    }
    // Other specification names are counted under every filter, per product.
    const others = response.facets.filter(
      (f) => f.field.startsWith('specifications.') && f.field !== 'specifications.颜色',
    );
    expect(others.length).toBeGreaterThan(0);
    expect(response.facets.filter((f) => f.field === 'specifications.颜色')).toHaveLength(1);
    for (const facet of others) {
      const name = facet.field.slice('specifications.'.length);
      for (const value of facet.values) {
        expect(value.count, `${name}=${value.value}`).toBe(
          hits.filter((doc) => hasSpec(doc, name, [String(value.value)])).length,
        );
      }
    }
  });

  it('filters by date and price ranges and sorts by price and date', async () => {
    const since = '2024-06-01T00:00:00Z';
    const byPrice = await run({
      tenantId: 'A',
      filters: { create_time: { gte: since }, price: { gte: 50, lt: 400 } },
      sort: 'price:asc',
      size: 200,
      facets: [],
    });
    const expected = docsA.filter(
      (doc) =>
        Date.parse(doc.create_time!) >= Date.parse(since) &&
        doc.min_price! >= 50 &&
        doc.min_price! < 400,
    );
    expect(byPrice.total).toBe(expected.length);
    const prices = byPrice.results.map((r) => r.prices.min!);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(byPrice.query.sort).toEqual(['min_price:asc']);

    const newest = await run({ tenantId: 'A', sort: 'create_time:desc', size: 20, facets: [] });
    const times = newest.results.map((r) => Date.parse(r.create_time!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(newest.results[0]!.create_time).toBe(
      docsA.map((doc) => doc.create_time!).sort((a, b) => Date.parse(b) - Date.parse(a))[0],
    );
  });

  it('finds the nearest title vector and the nearest image vector with kNN', async () => {
    const target = docsA[17]!;
    nextVector = target.title_embedding!;
    const text = await run({ tenantId: 'A', query: 'zzzqqq', facets: [] });
    expect(text.query.ranking.knn).toEqual({ text: true, image: false });
    expect(text.results[0]!.spu_id).toBe(target.spu_id);
    expect(text.results.every((r) => !r.spu_id.startsWith('B-'))).toBe(true);

    const imageTarget = docsA[42]!;
    const image = await run({
      tenantId: 'A',
      imageVector: imageTarget.image_embedding![0]!.vector,
      size: 5,
      facets: [],
    });
    expect(image.query.ranking.knn).toEqual({ text: false, image: true });
    expect(image.results[0]!.spu_id).toBe(imageTarget.spu_id);
    expect(image.results).toHaveLength(5);
  });

  /**
   * Runs `query` with explain under `ranked` and checks each part against an independent
   * computation: lexical = the score of the same query under `bm25Only`, kNN = weight × ES cosine,
   * functions = what multiply added to BM25 + the additive 0.3 × decay. Returns how many hits kNN found.
   */
  async function checkExplained(
    ranked: SearchConfig,
    bm25Only: SearchConfig,
    query: string,
    queryVector: number[],
    label: string,
  ): Promise<number> {
    nextVector = queryVector;
    const response = await run(
      { tenantId: 'A', query, explain: true, size: 40, facets: [] },
      ranked,
    );
    const lexicalOnly = await run({ tenantId: 'A', query, size: 200, facets: [] }, bm25Only);
    const bm25 = new Map(lexicalOnly.results.map((r) => [r.spu_id, r.relevance_score!]));
    const byId = new Map(docsA.map((doc) => [doc.spu_id, doc]));
    // ES decay: gauss with scale 90d, decay 0.5 around now; log1p is log10(1 + x).
    const sigma2 = -((90 * 86_400_000) ** 2) / (2 * Math.log(0.5));
    const gauss = (time: string): number =>
      Math.exp(-((Date.now() - Date.parse(time)) ** 2) / (2 * sigma2));
    const cosine = (a: number[], b: number[]): number =>
      a.reduce((sum, x, i) => sum + x * b[i]!, 0);

    expect(response.results.length, label).toBeGreaterThan(3);
    let knnSeen = 0;
    for (const result of response.results) {
      const parts = result.explain!;
      const doc = byId.get(result.spu_id)!;
      expect(parts.total, label).toBeCloseTo(result.relevance_score!, 4);
      const sum =
        parts.lexical.total + parts.knn.text + parts.knn.image + parts.functions + parts.other;
      expect(sum, label).toBeCloseTo(result.relevance_score!, 3);
      // Lexical = the plain BM25 score of the same query.
      const q = bm25.get(result.spu_id) ?? 0;
      expect(parts.lexical.total, label).toBeCloseTo(q, 3);
      for (const key of Object.keys(parts.lexical.fields)) {
        // combined_fields reports the fields it scored as one, joined by "+".
        for (const field of key.split('+')) {
          expect(field, label).toMatch(
            /^(title|brief|description|vendor|category_path|category_name)_(zh|en)$|^tags$/,
          );
        }
      }
      // kNN = weight × ES cosine score (1 + cos) / 2, for the documents kNN found.
      if (parts.knn.text > 0) {
        knnSeen++;
        expect(parts.knn.text, label).toBeCloseTo(
          (0.4 * (1 + cosine(queryVector, doc.title_embedding!))) / 2,
          4,
        );
      }
      // Functions = what multiply added to BM25 (score mode sum) + the additive 0.3 × decay.
      const g = gauss(doc.create_time!);
      const factor = g + Math.log10(1 + doc.total_inventory);
      const expectedFunctions = q > 0 ? q * factor - q + 0.3 * g : 0;
      expect(parts.functions, label).toBeCloseTo(expectedFunctions, 2);
      expect(parts.knn.image, label).toBe(0);
    }
    expect(
      response.results.some((r) => r.explain!.lexical.total > 0),
      label,
    ).toBe(true);
    return knnSeen;
  }

  function explainConfigs(
    change: (domain: SearchConfig['domains'][number]) => void = () => {},
  ): [SearchConfig, SearchConfig] {
    const domains = structuredClone(config.domains);
    change(domains.find((domain) => domain.name === 'default')!);
    const ranked = parseSearchConfig({
      ...config,
      domains,
      ranking: {
        ...config.ranking,
        expression: 'bm25() + 0.4*text_embedding_relevance() + 0.3*timeliness(create_time)',
        functions: config.ranking.functions.map((fn) => ({ ...fn, enabled: true })),
        tieBreaker: 0.3,
      },
    });
    const bm25Only = parseSearchConfig({
      ...ranked,
      ranking: { ...ranked.ranking, expression: 'bm25()', functions: [] },
    });
    return [ranked, bm25Only];
  }

  it('explains each score as lexical, kNN and function parts, each matching an independent computation', async () => {
    const [ranked, bm25Only] = explainConfigs();
    const query = tokens(docsA[3]!.title_en).slice(0, 2).join(' ');
    const knnSeen = await checkExplained(
      ranked,
      bm25Only,
      query,
      docsA[3]!.title_embedding!,
      'best_fields',
    );
    expect(knnSeen).toBeGreaterThan(0);
  });

  it('explains every text match type and the proximity boost the same way', async () => {
    const types = [
      'most_fields',
      'cross_fields',
      'combined_fields',
      'phrase',
      'phrase_prefix',
      'bool_prefix',
    ] as const;
    const doc = docsA[3]!;
    const words = tokens(doc.title_en).slice(0, 2);
    for (const type of types) {
      for (const proximity of [false, true]) {
        const [ranked, bm25Only] = explainConfigs((domain) => {
          domain.type = type;
          if (proximity)
            domain.proximity = {
              enabled: true,
              fields: ['title_en', 'title_zh'],
              slop: 2,
              boost: 2,
            };
        });
        // Prefix types get the last word cut short, so the prefix part is exercised.
        const last = words[1]!;
        const query = type.endsWith('_prefix')
          ? `${words[0]} ${last.slice(0, Math.max(2, last.length - 2))}`
          : words.join(' ');
        await checkExplained(
          ranked,
          bm25Only,
          query,
          doc.title_embedding!,
          `${type}${proximity ? ' + proximity' : ''}`,
        );
      }
    }
  });

  it('keeps one SKU per value of sku_filter_dimension', async () => {
    const multi = docsA.find(
      (doc) => doc.option1_name === '颜色' && doc.option2_name !== null && doc.skus.length > 2,
    )!;
    const response = await run({
      tenantId: 'A',
      query: `"${multi.title_zh}"`,
      skuFilterDimension: '颜色',
      size: 5,
      facets: [],
    });
    const result = response.results.find((r) => r.spu_id === multi.spu_id)!;
    const colors = new Set(multi.skus.map((s) => s.option1_value));
    expect(result.skus.map((s) => s.options[0]!.value)).toEqual([...colors]);
    expect(result.skus.length).toBeLessThan(multi.skus.length);
  });

  it('maps an ES rejection to a typed error naming the cluster', async () => {
    await expect(
      run({ tenantId: 'A', imageVector: [1, 2, 3, 4, 5], facets: [] }),
    ).rejects.toMatchObject({ code: 'ES_ERROR' });
  });
});
