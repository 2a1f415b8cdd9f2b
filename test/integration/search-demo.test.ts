/**
 * The query engine on the demo catalog (zh + en) ingested with the real bge-small-zh model into
 * a real Elasticsearch: domain queries, glossary translation reaching English-only fields, nested
 * specification filters, facets that exclude their own filter, and kNN hybrid ranking weighted by
 * the ranking expression. Expected hits are computed from the indexed documents themselves.
 * Also `rwb search` end to end as a child process.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import type { ProductDoc, SourceProduct } from '../../engine/catalog/types.ts';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { createTextEncoder, fetchModel, type TextEncoder } from '../../engine/embed/index.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { CheckpointStore } from '../../engine/ingest/checkpoint.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import { cachedEmbedder } from '../../engine/query/cached-embedder.ts';
import { createTranslator } from '../../engine/query/translation/create-translator.ts';
import type { SearchResponse } from '../../engine/search/response-schema.ts';
import { search } from '../../engine/search/searcher.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const MODEL = 'bge-small-zh-v15-q';
const missing = [
  await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable()),
  await requireComponent(`ONNX model ${MODEL}`, () => fetchModel(MODEL)),
];

/** An English-only product: its zh fields are empty, so only a translation reaches it. */
const ENGLISH_ONLY: SourceProduct = {
  spu: {
    tenant_id: 'A',
    id: 'en-only-1',
    title_en: 'Quietwave Studio Monitor Headset',
    vendor_en: 'Quietwave',
    brief_en: 'Closed-back monitor headset for mixing',
    create_time: '2024-01-01T00:00:00Z',
    update_time: '2024-01-01T00:00:00Z',
    published: 1,
    deleted: 0,
  },
  skus: [
    { tenant_id: 'A', id: 'en-only-1-s', spu_id: 'en-only-1', price: 199, inventory_quantity: 5 },
  ],
  options: [],
};

let tmp: string;
let index: string;
let client: Client;
let encoder: TextEncoder;
let docsA: ProductDoc[];
let lexical: SearchConfig;
let hybrid: SearchConfig;
let embedder: ReturnType<typeof cachedEmbedder>;

const run = (
  request: Record<string, unknown>,
  config: SearchConfig = lexical,
): Promise<SearchResponse> =>
  search(client, index, { tenantId: 'A', facets: [], ...request }, config, {
    embedder,
    translator: createTranslator(config.query.translation),
    url: esUrl(),
  });

/**
 * The terms ES makes of `text` in `field` of the test index: whatever analyzer detection chose
 * (single characters with core `standard`, words with the rwb-analysis plugin's rwb_jieba).
 */
const tokens = async (field: string, text: string | null | undefined): Promise<string[]> =>
  ((await client.indices.analyze({ index, field, text: text ?? '' })).tokens ?? []).map(
    (t) => t.token,
  );
const hasSpec = (doc: ProductDoc, name: string, values: readonly string[]): boolean =>
  doc.specifications.some((spec) => spec.name === name && values.includes(spec.value));
const countBy = (
  docs: ProductDoc[],
  key: (doc: ProductDoc) => string[],
): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const doc of docs) for (const value of new Set(key(doc))) out[value] = (out[value] ?? 0) + 1;
  return out;
};

describeWith(missing, 'query engine on the demo catalog (zh + en, bge-small-zh, real ES)', () => {
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-search-demo-'));
    index = `rwb_test_search_demo_${path.basename(tmp).slice(-6).toLowerCase()}`;
    const products = [
      ...generateDemoCatalog({ tenants: ['A', 'B'], spusPerTenant: 120, seed: 11 }),
      ENGLISH_ONLY,
    ];
    const file = path.join(tmp, 'demo.ndjson');
    await fs.writeFile(file, products.map((product) => JSON.stringify(product)).join('\n'));
    // The vector cache under RWB_HOME is shared on purpose: a second run embeds nothing.
    const report = await runIngest(
      {
        source: { kind: 'file', path: file },
        es: { url: esUrl() },
        index,
        recreate: true,
        embedding: { model: MODEL },
      },
      {
        checkpoints: new CheckpointStore(path.join(tmp, 'checkpoints')),
        failuresDir: path.join(tmp, 'failures'),
      },
    );
    expect(report.indexed).toBe(products.length);
    docsA = products
      .filter((product) => product.spu.tenant_id === 'A')
      .map((product) => {
        const result = transformSpu(product);
        if (!result.ok) throw new Error(JSON.stringify(result.errors));
        return result.doc;
      });
    client = createEsClient({ url: esUrl() });
    encoder = await createTextEncoder({ model: MODEL });
    embedder = cachedEmbedder(async (text) => (await encoder.encodeQueries([text]))[0]!, 100);
    const base = defaultSearchConfig();
    lexical = parseSearchConfig({ ...base, result: { ...base.result, maxSize: 500 } });
    hybrid = parseSearchConfig({
      ...lexical,
      query: { ...lexical.query, textEmbedding: { enabled: true, model: MODEL, cacheSize: 100 } },
    });
  }, 600_000);

  afterAll(async () => {
    await client?.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await client?.close();
    await encoder?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('searches only the domain a query names (title:, brand:)', async () => {
    const title = await run({ query: 'title:耳机', size: 500 });
    const queryTerms = new Set(await tokens('title_zh', '耳机'));
    const expectedTitle: ProductDoc[] = [];
    for (const doc of docsA)
      if ((await tokens('title_zh', doc.title_zh)).some((t) => queryTerms.has(t)))
        expectedTitle.push(doc);
    expect(title.total).toBe(expectedTitle.length);
    expect(new Set(title.results.map((r) => r.spu_id))).toEqual(
      new Set(expectedTitle.map((d) => d.spu_id)),
    );

    const brand = await run({ query: 'brand:Aurora', size: 500 });
    const aurora = docsA.filter((doc) => doc.vendor_en === 'Aurora');
    expect(aurora.length).toBeGreaterThan(0);
    expect(brand.total).toBe(aurora.length);
    expect(brand.results.every((r) => r.vendor.en === 'Aurora')).toBe(true);
  });

  it('combines domains with phrases and ANDNOT', async () => {
    const response = await run({
      query: 'title:"Bluetooth Headphones" ANDNOT brand:Aurora',
      size: 500,
    });
    const expected = docsA.filter(
      (doc) =>
        (doc.title_en ?? '').toLowerCase().includes('bluetooth headphones') &&
        doc.vendor_en !== 'Aurora',
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(new Set(response.results.map((r) => r.spu_id))).toEqual(
      new Set(expected.map((d) => d.spu_id)),
    );
    expect(response.query.expression).toBe('title:"Bluetooth Headphones" ANDNOT brand:Aurora');
  });

  it('reaches English-only fields from a Chinese query through a glossary entry', async () => {
    const request = { query: '监听耳麦', filters: { spu_id: 'en-only-1' } };
    const without = await run(request);
    expect(without.total).toBe(0);
    const withGlossary = parseSearchConfig({
      ...lexical,
      query: {
        ...lexical.query,
        translation: {
          ...lexical.query.translation,
          glossary: [{ zh: '监听耳麦', en: 'studio monitor headset' }],
        },
      },
    });
    const found = await run(request, withGlossary);
    expect(found.results.map((r) => r.spu_id)).toEqual(['en-only-1']);
    expect(found.query.language.language).toBe('zh');
    expect(found.query.translations).toEqual({ en: 'studio monitor headset' });
    expect(found.results[0]!.highlights.title_en?.[0]).toContain('<em>');
  });

  it('filters nested specifications: same name OR, different names AND', async () => {
    const response = await run({
      query: '',
      size: 500,
      filters: {
        specifications: [
          { name: '颜色', value: '红色' },
          { name: '颜色', value: '黑色' },
          { name: '保修', value: '2年' },
        ],
      },
    });
    const expected = docsA.filter(
      (doc) => hasSpec(doc, '颜色', ['红色', '黑色']) && hasSpec(doc, '保修', ['2年']),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(response.total).toBe(expected.length);
    expect(new Set(response.results.map((r) => r.spu_id))).toEqual(
      new Set(expected.map((d) => d.spu_id)),
    );
  });

  it('counts facets with every filter except their own', async () => {
    const response = await run({
      query: '',
      size: 0,
      filters: { specifications: { name: '颜色', value: '红色' } },
      facets: ['category1_name', 'specifications.颜色'],
    });
    const red = docsA.filter((doc) => hasSpec(doc, '颜色', ['红色']));
    expect(response.total).toBe(red.length);
    const category = response.facets.find((facet) => facet.field === 'category1_name')!;
    expect(Object.fromEntries(category.values.map((v) => [v.value, v.count]))).toEqual(
      countBy(red, (doc) => (doc.category1_name ? [doc.category1_name] : [])),
    );
    const colors = response.facets.find((facet) => facet.field === 'specifications.颜色')!;
    const allColors = countBy(docsA, (doc) =>
      doc.specifications.filter((s) => s.name === '颜色').map((s) => s.value),
    );
    const top = Object.entries(allColors)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .slice(0, colors.values.length);
    expect(colors.values.map((v) => [v.value, v.count])).toEqual(top);
    expect(colors.values.find((v) => v.value === '红色')?.selected).toBe(true);
    expect(colors.values.filter((v) => v.selected)).toHaveLength(1);
  });

  it('finds the semantically right products by kNN when no word overlaps, weighted by the expression', async () => {
    const query = '听音乐';
    expect((await run({ query })).total).toBe(0);
    const found = await run({ query, size: 5, explain: true }, hybrid);
    expect(found.query.ranking.knn.text).toBe(true);
    const audio = new Set(['耳机', '蓝牙音箱']);
    expect(found.results.slice(0, 3).map((r) => r.category.name.zh)).toSatisfy((names: string[]) =>
      names.every((n) => audio.has(n)),
    );
    const top = found.results[0]!;
    expect(top.explain!.lexical.total).toBe(0);
    expect(top.explain!.knn.text).toBeGreaterThan(0);

    const heavier = parseSearchConfig({
      ...hybrid,
      ranking: { ...hybrid.ranking, expression: 'bm25() + 1.0*text_embedding_relevance()' },
    });
    const weighted = await run({ query, size: 5, explain: true }, heavier);
    expect(weighted.results[0]!.spu_id).toBe(top.spu_id);
    expect(weighted.results[0]!.relevance_score! / top.relevance_score!).toBeCloseTo(5, 3);
  });

  it('adds lexical and kNN scores when both recall a product', async () => {
    const response = await run({ query: '蓝牙耳机', size: 3, explain: true }, hybrid);
    const top = response.results[0]!;
    expect(top.explain!.lexical.total).toBeGreaterThan(0);
    expect(top.explain!.knn.text).toBeGreaterThan(0);
    const parts = top.explain!;
    expect(
      parts.lexical.total + parts.knn.text + parts.knn.image + parts.functions + parts.other,
    ).toBeCloseTo(top.relevance_score!, 4);
    expect(top.titles.zh).toMatch(/耳机/);
  });

  it('rwb search prints a table and the API JSON', async () => {
    const config = path.join(tmp, 'config.json');
    await fs.writeFile(
      config,
      JSON.stringify({
        ...lexical,
        query: {
          ...lexical.query,
          translation: {
            ...lexical.query.translation,
            glossary: [{ zh: '监听耳麦', en: 'studio monitor headset' }],
          },
        },
      }),
    );
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['bin/rwb.mjs', 'search', ...args], {
        encoding: 'utf8',
        env: { ...process.env, RWB_ES_URL: esUrl() },
        timeout: 120_000,
      });
    const json = cli([
      '监听耳麦',
      '--tenant',
      'A',
      '--index',
      index,
      '--config',
      config,
      '--filter',
      'spu_id=en-only-1',
      '--json',
    ]);
    expect(json.status, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as SearchResponse;
    expect(parsed.results.map((r) => r.spu_id)).toEqual(['en-only-1']);
    const table = cli([
      'brand:Aurora',
      '--tenant',
      'A',
      '--index',
      index,
      '--size',
      '3',
      '--facet',
      'category1_name',
    ]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^Language: +en /m);
    expect(table.stdout).toMatch(/^Rank +SPU +Title +Price +Score$/m);
    expect(table.stdout.split('\n').filter((line) => /^\d+ {2,}\d+ /.test(line))).toHaveLength(3);
    expect(table.stdout).toMatch(/^Facet .*category1_name.*电子产品 \(\d+\)/m);
    const bad = cli(['x', '--tenant', 'A', '--index', index, '--filter', 'nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--filter "nope": expected field=value/);
  });
});
