/**
 * Engine-side hybrid fusion (ranking.fusion linear / rrf) on a real Elasticsearch (RWB_ES_URL).
 *
 * For every fusion method, the expected page is computed here, independently of the engine's
 * fusion code: the lexical list is Elasticsearch's text-only search (kNN off, explain for the
 * scores), the kNN list is exact cosine over the indexed vectors (ES's cosine score is
 * (1 + cos) / 2), and the fusion formulas are written out again below. Then:
 * - the searcher's page (ids, order, fused scores, explain parts) is that expected page;
 * - the total counts lexical matches ∪ kNN top k under the filters, like the sum request;
 * - `rwb serve` (SearchService from an exported bundle), the eval runner and the tuner's path
 *   (runEvaluation) return the same ids in the same order;
 * - no hit of the other tenant ever appears.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import { exportBundle } from '../../engine/config/bundle.ts';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import type { FusionSettings } from '../../engine/config/search-config-schema.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex } from '../../engine/es/index.ts';
import { runEvaluation } from '../../engine/eval/runner.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import type { QueryEmbedder } from '../../engine/query/query-parser.ts';
import { search, type SearchDependencies } from '../../engine/search/searcher.ts';
import { SearchService } from '../../engine/serve/search-service.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { prng, unit } from '../helpers/seeded.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

const PER_TENANT = 150;
const WINDOW = 20;
const PAGE = 10;

/** A query vector derived from the text, stable across runs. */
function vectorOf(text: string): number[] {
  const random = prng([...text].reduce((h, ch) => (h * 31 + ch.codePointAt(0)!) >>> 0, 7));
  return unit([random() - 0.5, random() - 0.5, random() - 0.5, random() - 0.5]);
}
const embedder: QueryEmbedder = async (text) => Float32Array.from(vectorOf(text));

function catalog(): ProductDoc[] {
  const random = prng(29);
  const docs: ProductDoc[] = [];
  for (const product of generateDemoCatalog({ tenants: ['A', 'B'], spusPerTenant: PER_TENANT })) {
    const result = transformSpu(product);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const doc = result.doc;
    if (doc.tenant_id === 'B') doc.spu_id = `B-${doc.spu_id}`;
    doc.title_embedding = unit([random() - 0.5, random() - 0.5, random() - 0.5, random() - 0.5]);
    docs.push(doc);
  }
  return docs;
}

// ---- The fusion formulas, written out independently of engine/search/fusion.ts ----
type Scored = Array<{ id: string; score: number }>;

function normalised(list: Scored, how: FusionSettings['normalizer']): Map<string, number> {
  const scores = list.map((x) => x.score);
  const out = new Map<string, number>();
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  const l2 = Math.sqrt(scores.reduce((s, x) => s + x * x, 0));
  const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((s, x) => s + (x - mean) ** 2, 0) / scores.length);
  for (const { id, score } of list) {
    const value =
      how === 'minmax'
        ? max === min
          ? 1
          : (score - min) / (max - min)
        : how === 'l2'
          ? score / l2
          : how === 'zscore'
            ? sd === 0
              ? 0
              : (score - mean) / sd
            : score;
    out.set(id, value);
  }
  return out;
}

function expectedFusion(
  lexical: Scored,
  knn: Scored,
  weights: [number, number],
  settings: FusionSettings,
): Scored {
  const ids = [...new Set([...lexical.map((x) => x.id), ...knn.map((x) => x.id)])];
  const rank = (list: Scored, id: string) => list.findIndex((x) => x.id === id) + 1;
  const [wl, wk] = weights;
  let scoreOf: (id: string) => number;
  if (settings.method === 'rrf') {
    scoreOf = (id) => {
      const rl = rank(lexical, id);
      const rk = rank(knn, id);
      return (
        (rl > 0 ? wl / (settings.rankConstant + rl) : 0) +
        (rk > 0 ? wk / (settings.rankConstant + rk) : 0)
      );
    };
  } else {
    const nl = normalised(lexical, settings.normalizer);
    const nk = normalised(knn, settings.normalizer);
    scoreOf = (id) => {
      const a = nl.get(id) ?? 0;
      const b = nk.get(id) ?? 0;
      if (settings.combination === 'arithmetic') return (wl * a + wk * b) / (wl + wk);
      if (a <= 0 || b <= 0) return 0;
      if (settings.combination === 'geometric') return (a ** wl * b ** wk) ** (1 / (wl + wk));
      return (wl + wk) / (wl / a + wk / b);
    };
  }
  const best = (id: string) => Math.min(...[rank(lexical, id), rank(knn, id)].filter((r) => r > 0));
  return ids
    .map((id) => ({ id, score: scoreOf(id), best: best(id) }))
    .sort((x, y) => y.score - x.score || x.best - y.best || (x.id < y.id ? -1 : 1))
    .map(({ id, score }) => ({ id, score }));
}

const METHODS: Array<Partial<FusionSettings> & { name: string }> = [
  { name: 'rrf k=60', method: 'rrf', rankConstant: 60 },
  { name: 'rrf k=2', method: 'rrf', rankConstant: 2 },
  { name: 'linear minmax arithmetic', method: 'linear', normalizer: 'minmax' },
  { name: 'linear l2 geometric', method: 'linear', normalizer: 'l2', combination: 'geometric' },
  { name: 'linear zscore arithmetic', method: 'linear', normalizer: 'zscore' },
  { name: 'linear minmax harmonic', method: 'linear', combination: 'harmonic' },
  { name: 'linear none arithmetic', method: 'linear', normalizer: 'none' },
];

describeWith([missingEs], 'hybrid fusion in the engine (real Elasticsearch)', () => {
  const index = `rwb_test_fusion_${randomUUID().slice(0, 8)}`;
  let client: Client;
  let docsA: ProductDoc[];
  let queries: string[];
  const WEIGHTS: [number, number] = [1, 3];

  const configWith = (fusion: Partial<FusionSettings>, embed = true): SearchConfig => {
    const base = defaultSearchConfig();
    return parseSearchConfig({
      ...base,
      query: {
        ...base.query,
        textEmbedding: { enabled: embed, model: 'test-4d', cacheSize: 0 },
        // Exact kNN (every candidate seen), k = the window, so the kNN list is a real top k.
        knn: { ...base.query.knn, k: WINDOW, numCandidates: 1000 },
      },
      ranking: {
        ...base.ranking,
        expression: `bm25() + ${WEIGHTS[1]}*text_embedding_relevance()`,
        fusion: { ...base.ranking.fusion, rankWindowSize: WINDOW, ...fusion },
      },
      result: { ...base.result, maxSize: 500 },
    });
  };
  const deps: SearchDependencies = { languageDetector: null, embedder, url: esUrl() };

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
    // Queries: words of the catalog's own titles, so the lexical lists are long and varied.
    const words = new Map<string, number>();
    for (const doc of docsA)
      for (const word of (doc.title_en ?? '').toLowerCase().split(/[^a-z]+/))
        if (word.length > 3) words.set(word, (words.get(word) ?? 0) + 1);
    queries = [...words]
      .filter(([, n]) => n >= 3)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 6)
      .map(([word]) => word);
    expect(queries.length).toBe(6);
  });

  afterAll(async () => {
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  /** The two lists the expected fusion reads: ES lexical (kNN off) and exact cosine. */
  async function subLists(query: string, filters: Record<string, unknown>) {
    const text = await search(
      client,
      index,
      { tenantId: 'A', query, filters, facets: [], size: 500, explain: true },
      configWith({ method: 'sum' }, false),
      deps,
    );
    const lexicalAll = text.results.map((r) => ({ id: r.spu_id, score: r.explain!.total }));
    const kept = docsA.filter((doc) =>
      filters.category1_name === undefined ? true : doc.category1_name === filters.category1_name,
    );
    const q = vectorOf(query);
    const knn = kept
      .map((doc) => ({
        id: doc.spu_id,
        score: (1 + doc.title_embedding!.reduce((s, x, i) => s + x * q[i]!, 0)) / 2,
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, WINDOW);
    return { lexical: lexicalAll.slice(0, WINDOW), lexicalAll, knn };
  }

  for (const { name, ...fusion } of METHODS) {
    it(`${name}: the page is the fusion of the sub-results, on every surface`, async () => {
      const config = configWith(fusion);
      const settings = config.ranking.fusion;
      const service = await SearchService.create({
        bundle: await exportBundle({ config, index, textDims: 4, imageDims: 3 }),
        es: { url: esUrl() },
        embedder,
        translator: null,
      });
      try {
        for (const [i, query] of queries.entries()) {
          const filters = i % 2 === 0 ? {} : { category1_name: docsA[i]!.category1_name };
          const { lexical, lexicalAll, knn } = await subLists(query, filters);
          const expected = expectedFusion(lexical, knn, WEIGHTS, settings);
          const from = i % 3 === 2 ? 5 : 0;
          const got = await search(
            client,
            index,
            { tenantId: 'A', query, filters, facets: [], from, size: PAGE, explain: true },
            config,
            deps,
          );
          expect(got.query.warnings.join(' ')).not.toMatch(/fusion/i);
          expect(got.query.ranking.fusion).toEqual({ method: settings.method, fused: true });
          const page = expected.slice(from, from + PAGE);
          expect(got.results.map((r) => r.spu_id)).toEqual(page.map((x) => x.id));
          got.results.forEach((result, j) => {
            const explain = result.explain!;
            expect(explain.fusion?.method).toBe(settings.method);
            expect(explain.total).toBeCloseTo(page[j]!.score, 5);
            const parts = explain.fusion!.parts;
            expect(parts.reduce((s, p) => s + p.contribution, 0)).toBeCloseTo(explain.total, 9);
            const lexicalPart = parts.find((p) => p.source === 'lexical')!;
            const own = lexical.find((x) => x.id === result.spu_id);
            // The page's documents were fetched: titles, and highlights where the text matched.
            expect(result.titles.en ?? result.titles.zh).toBeTruthy();
            if (own === undefined) expect(result.highlights).toEqual({});
            else expect(Object.keys(result.highlights).length).toBeGreaterThan(0);
            if (own === undefined) expect(lexicalPart.score).toBeNull();
            // The expected list read ES scores through explain (rounded to 1e-6).
            else expect(lexicalPart.score!).toBeCloseTo(own.score, 5);
          });
          // Total: lexical matches ∪ kNN top k, under the same filters.
          const union = new Set([...lexicalAll.map((x) => x.id), ...knn.map((x) => x.id)]);
          expect(got.total).toBe(union.size);

          // rwb serve ranks the same page.
          const served = await service.search('A', { query, filters, from, size: PAGE });
          expect(served.results.map((r) => r.spu_id)).toEqual(page.map((x) => x.id));
        }

        // The eval runner (and so tune.preview and the tuner) ranks the same top k.
        const output = await runEvaluation(client, {
          index,
          tenantId: 'A',
          querySet: {
            schemaVersion: 1,
            name: 'fusion',
            scale: { min: 0, max: 3 },
            queries: queries.map((text) => ({
              text,
              ratings: [{ docId: docsA[0]!.spu_id, rating: 1 }],
            })),
          },
          configs: [{ revisionId: 'fused', config }],
          k: PAGE,
          facets: false,
          embedder,
          searchDeps: { languageDetector: null },
        });
        for (const [i, query] of queries.entries()) {
          const top = await search(
            client,
            index,
            { tenantId: 'A', query, facets: [], size: PAGE },
            config,
            deps,
          );
          expect(output.results[0]!.queries[i]!.hits).toEqual(top.results.map((r) => r.spu_id));
          expect(top.results.every((r) => !r.spu_id.startsWith('B-'))).toBe(true);
        }
      } finally {
        await service.close();
      }
    });
  }

  it('facets come from the count request and agree with the sum request', async () => {
    const query = queries[0]!;
    const request = { tenantId: 'A', query, facets: ['category1_name'], size: PAGE };
    const fused = await search(client, index, request, configWith({ method: 'rrf' }), deps);
    const summed = await search(client, index, request, configWith({ method: 'sum' }), deps);
    expect(fused.query.ranking.fusion).toEqual({ method: 'rrf', fused: true });
    expect(summed.query.ranking.fusion).toEqual({ method: 'sum', fused: false });
    expect(fused.total).toBe(summed.total);
    expect(fused.facets).toEqual(summed.facets);
    expect(fused.facets[0]!.values.reduce((s, v) => s + v.count, 0)).toBe(fused.total);
  });
});
