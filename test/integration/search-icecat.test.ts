/**
 * The query engine on the real Icecat catalog (19,406 English products) loaded into MariaDB and
 * ingested with the real bge-small-en model into a real Elasticsearch: domain queries, nested
 * specification filters, facets that exclude their own filter, kNN hybrid for a query with no
 * lexical match, and the tenant filter. Expected counts come from the same products transformed
 * in memory. The vector cache under RWB_HOME is shared, so only the first run embeds.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ICECAT_PRODUCT_COUNT,
  icecatSourceProducts,
  loadIcecatIntoMysql,
} from '../../engine/catalog/icecat.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { createTextEncoder, fetchModel, type TextEncoder } from '../../engine/embed/index.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import { icecatDir } from '../../engine/paths.ts';
import { cachedEmbedder } from '../../engine/query/cached-embedder.ts';
import type { SearchResponse } from '../../engine/search/response-schema.ts';
import { search } from '../../engine/search/searcher.ts';
import {
  describeWith,
  esAvailable,
  esUrl,
  mysqlAvailable,
  requireComponent,
} from '../helpers/components.ts';
import { createIngestFixture, type IngestFixture } from '../helpers/ingest-fixtures.ts';

const MODEL = 'bge-small-en-v15-q';
const missing = [
  await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable()),
  await requireComponent('MariaDB', mysqlAvailable),
  await requireComponent(`Icecat data (${icecatDir()})`, () =>
    access(path.join(icecatDir(), 'products-1.json')),
  ),
  await requireComponent(`ONNX model ${MODEL}`, () => fetchModel(MODEL)),
];

let fx: IngestFixture;
let docs: ProductDoc[];
let encoder: TextEncoder;
let lexical: SearchConfig;
let hybrid: SearchConfig;
let embedder: ReturnType<typeof cachedEmbedder>;

const run = (
  request: Record<string, unknown>,
  config: SearchConfig = lexical,
): Promise<SearchResponse> =>
  search(fx.es, fx.index, { tenantId: 'icecat', facets: [], ...request }, config, {
    embedder,
    languageDetector: null,
    url: esUrl(),
  });

/** Lower-cased words as the `standard` analyzer cuts English text. */
const words = (text: string | null | undefined): Set<string> =>
  new Set((text ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
const hasSpec = (doc: ProductDoc, name: string, values: readonly string[]): boolean =>
  doc.specifications.some((spec) => spec.name === name && values.includes(spec.value));
const countBy = (
  list: ProductDoc[],
  key: (doc: ProductDoc) => string[],
): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const doc of list) for (const value of new Set(key(doc))) out[value] = (out[value] ?? 0) + 1;
  return out;
};
const topCounts = (counts: Record<string, number>, n: number): Array<[string, number]> =>
  Object.entries(counts)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, n);

describeWith(missing, 'query engine on Icecat (19,406 products, bge-small-en, real ES)', () => {
  beforeAll(async () => {
    fx = await createIngestFixture('search_icecat');
    const loaded = await loadIcecatIntoMysql(fx.conn, { tenantId: 'icecat' });
    expect(loaded.spus).toBe(ICECAT_PRODUCT_COUNT);
    const report = await runIngest(
      {
        source: { kind: 'mysql', connection: fx.conn },
        es: { url: esUrl() },
        index: fx.index,
        recreate: true,
        embedding: { model: MODEL },
      },
      { checkpoints: fx.checkpoints, failuresDir: fx.failuresDir },
    );
    expect(report.indexed).toBe(ICECAT_PRODUCT_COUNT);
    docs = [];
    for await (const product of icecatSourceProducts({ tenantId: 'icecat' })) {
      const result = transformSpu(product);
      if (result.ok) docs.push(result.doc);
    }
    encoder = await createTextEncoder({ model: MODEL });
    embedder = cachedEmbedder(async (text) => (await encoder.encodeQueries([text]))[0]!, 1000);
    const base = defaultSearchConfig();
    lexical = parseSearchConfig({
      ...base,
      query: { ...base.query, defaultLanguage: 'en' },
      result: { ...base.result, maxSize: 1000 },
    });
    hybrid = parseSearchConfig({
      ...lexical,
      query: { ...lexical.query, textEmbedding: { enabled: true, model: MODEL, cacheSize: 1000 } },
    });
  }, 1_800_000);

  afterAll(async () => {
    await encoder?.close();
    await fx?.cleanup();
  });

  it('searches the brand domain only (brand:Xerox)', async () => {
    const response = await run({ query: 'brand:Xerox', size: 0 });
    const expected = docs.filter(
      (doc) => words(doc.vendor_en).has('xerox') || words(doc.vendor_zh).has('xerox'),
    );
    expect(expected.length).toBeGreaterThan(100);
    expect(response.total).toBe(expected.length);
    const page = await run({ query: 'brand:Xerox', size: 50 });
    expect(page.results.every((r) => (r.vendor.en ?? '').toLowerCase().includes('xerox'))).toBe(
      true,
    );
  });

  it('combines title: and ANDNOT brand: exactly', async () => {
    const response = await run({ query: 'title:toner ANDNOT brand:Xerox', size: 0 });
    const expected = docs.filter(
      (doc) => words(doc.title_en).has('toner') && !words(doc.vendor_en).has('xerox'),
    );
    expect(expected.length).toBeGreaterThan(100);
    expect(response.total).toBe(expected.length);
  });

  it('filters nested specifications (same name OR, different names AND) under a text query', async () => {
    const filters = {
      specifications: [
        { name: 'printing_colours', value: 'Black' },
        { name: 'printing_colours', value: 'Cyan' },
        { name: 'print_technology', value: 'Laser printing' },
      ],
    };
    const response = await run({ query: 'title:toner', size: 1000, filters });
    const expected = docs.filter(
      (doc) =>
        words(doc.title_en).has('toner') &&
        hasSpec(doc, 'printing_colours', ['Black', 'Cyan']) &&
        hasSpec(doc, 'print_technology', ['Laser printing']),
    );
    expect(expected.length).toBeGreaterThan(20);
    expect(response.total).toBe(expected.length);
    expect(new Set(response.results.map((r) => r.spu_id))).toEqual(
      new Set(expected.map((d) => d.spu_id)),
    );
  });

  it('counts facets with all filters but their own', async () => {
    const response = await run({
      query: '',
      size: 0,
      filters: {
        category1_name: 'Printing Supplies',
        specifications: { name: 'printing_colours', value: 'Black' },
      },
      facets: [
        { field: 'category1_name', size: 30 },
        { field: 'specifications.printing_colours', size: 10 },
      ],
    });
    const inCategory = docs.filter((doc) => doc.category1_name === 'Printing Supplies');
    const black = docs.filter((doc) => hasSpec(doc, 'printing_colours', ['Black']));
    expect(response.total).toBe(inCategory.filter((doc) => black.includes(doc)).length);
    const categories = response.facets.find((facet) => facet.field === 'category1_name')!;
    expect(categories.values.map((v) => [v.value, v.count])).toEqual(
      topCounts(
        countBy(black, (doc) => (doc.category1_name ? [doc.category1_name] : [])),
        30,
      ),
    );
    const colours = response.facets.find(
      (facet) => facet.field === 'specifications.printing_colours',
    )!;
    expect(colours.values.map((v) => [v.value, v.count])).toEqual(
      topCounts(
        countBy(inCategory, (doc) =>
          doc.specifications.filter((s) => s.name === 'printing_colours').map((s) => s.value),
        ),
        10,
      ),
    );
  });

  it('finds the semantically right products by kNN when (almost) no product has the word', async () => {
    const query = 'earbuds';
    const text = (doc: (typeof docs)[number]) =>
      words(`${doc.title_en} ${doc.brief_en} ${doc.description_en} ${doc.category_path_en}`);
    expect(docs.some((doc) => text(doc).has('earbuds'))).toBe(false);
    // With English stemming (rwb_english, what the embedded node picks) `earbuds` also matches
    // the one product whose brief says "Earbud"; with standard analysis nothing matches.
    const mapping = await fx.es.indices.getMapping({ index: fx.index });
    const meta = Object.values(mapping)[0]!.mappings._meta as {
      analysis?: { en?: { family?: string } };
    };
    const stemmed = (meta.analysis?.en?.family ?? 'standard') !== 'standard';
    const lexical = await run({ query });
    expect(lexical.total).toBe(stemmed ? docs.filter((doc) => text(doc).has('earbud')).length : 0);
    const found = await run({ query, size: 5, explain: true }, hybrid);
    const audio = found.results.filter((r) =>
      /head(phone|set)|earphone|in-ear|ear ?buds?/i.test(`${r.titles.en} ${r.category.path.en}`),
    );
    expect(audio.length, found.results.map((r) => r.titles.en).join(' | ')).toBeGreaterThanOrEqual(
      4,
    );
    // Most of the top 5 come from kNN alone: no lexical score at all.
    const knnOnly = found.results.filter((r) => r.explain!.lexical.total === 0);
    expect(knnOnly.length).toBeGreaterThanOrEqual(4);
    for (const r of knnOnly) expect(r.explain!.knn.text).toBeGreaterThan(0);
  });

  it('lets the ranking expression weight kNN against BM25', async () => {
    const query = 'wireless mouse';
    const lexicalTop = (await run({ query, size: 10 })).results.map((r) => r.spu_id);
    const knnHeavy = parseSearchConfig({
      ...hybrid,
      ranking: { ...hybrid.ranking, expression: 'bm25() + 50*text_embedding_relevance()' },
    });
    const blended = await run({ query, size: 10, explain: true }, knnHeavy);
    const knnShare = blended.results.map((r) => r.explain!.knn.text / r.relevance_score!);
    expect(Math.min(...knnShare)).toBeGreaterThan(0.5);
    expect(blended.results.map((r) => r.spu_id)).not.toEqual(lexicalTop);
    expect(
      blended.results.filter((r) => /mouse|mice/i.test(r.titles.en ?? '')).length,
    ).toBeGreaterThanOrEqual(8);
  });

  it('returns nothing to another tenant', async () => {
    const response = await search(
      fx.es,
      fx.index,
      { tenantId: 'someone-else', query: 'toner' },
      hybrid,
      { embedder, url: esUrl() },
    );
    expect(response.total).toBe(0);
    expect(response.results).toEqual([]);
  });
});
