/**
 * Caches the live metric keeps between runs (engine/eval/runner-caches.ts), on a real
 * Elasticsearch (RWB_ES_URL):
 * - with engine-side fusion, moving a fusion lever sends no search at all and a field boost
 *   sends only the lexical sub-searches; the answers equal a run without caches;
 * - a write to the index (a new judged product, a deletion) drops them: the next run searches
 *   again and sees the change;
 * - `tune.preview` reports what it sent and what it reused, and its mean follows the index.
 * A throwaway index of demo products plus hand-made ones, a deterministic 4-d query embedder.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { invoke } from '../../engine/api/invoke.ts';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import type { FusionSettings } from '../../engine/config/search-config-schema.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex } from '../../engine/es/index.ts';
import type { QuerySet } from '../../engine/eval/judgments.ts';
import {
  IndexBoundCaches,
  indexGeneration,
  type RunCaches,
} from '../../engine/eval/runner-caches.ts';
import { runEvaluation } from '../../engine/eval/runner.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import type { QueryEmbedder } from '../../engine/query/query-parser.ts';
import { englishProduct } from '../helpers/english-product.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { prng, unit } from '../helpers/seeded.ts';
import { useThrowawayHome } from '../helpers/throwaway-home.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

function vectorOf(text: string): number[] {
  const random = prng([...text].reduce((h, ch) => (h * 31 + ch.codePointAt(0)!) >>> 0, 11));
  return unit([random() - 0.5, random() - 0.5, random() - 0.5, random() - 0.5]);
}
const embedder: QueryEmbedder = async (text) => Float32Array.from(vectorOf(text));

describeWith([missingEs], 'caches kept between evaluation runs (real Elasticsearch)', () => {
  const index = `rwb_test_runcache_${randomUUID().slice(0, 8)}`;
  let client: Client;
  let base: ProductDoc;
  const session = useThrowawayHome('rwb-runcache-', {
    esUrl: esUrl(),
    defaultIndex: index,
    requestTimeoutMs: 30_000,
  });
  const queries = ['zorblat speaker', 'zorblat', 'walnut table'];
  const querySet: QuerySet = {
    schemaVersion: 1,
    name: 'runcache',
    scale: { min: 0, max: 3 },
    queries: queries.map((text) => ({
      text,
      ratings: [
        { docId: 'Z1', rating: 3 },
        { docId: 'Z9', rating: 3 },
        { docId: 'W1', rating: 2 },
      ],
    })),
  };

  const configWith = (fusion: Partial<FusionSettings>, titleBoost = 3): SearchConfig => {
    const defaults = defaultSearchConfig();
    return parseSearchConfig({
      ...defaults,
      domains: [
        {
          name: 'default',
          fields: [
            { field: 'title_en', boost: titleBoost },
            { field: 'brief_en', boost: 1 },
          ],
          languageFieldMapping: { en: ['title_en', 'brief_en'] },
        },
      ],
      facets: [],
      query: {
        ...defaults.query,
        defaultLanguage: 'en',
        textEmbedding: { enabled: true, model: 'test-4d', cacheSize: 0 },
        knn: { ...defaults.query.knn, k: 20, numCandidates: 1000 },
      },
      ranking: {
        ...defaults.ranking,
        expression: 'bm25() + 2*text_embedding_relevance()',
        fusion: { ...defaults.ranking.fusion, rankWindowSize: 20, ...fusion },
      },
    });
  };

  const made = (spuId: string, title: string, brief = ''): ProductDoc =>
    englishProduct(base, spuId, {
      title_en: title,
      brief_en: brief,
      title_embedding: vectorOf(title),
    });

  const run = (config: SearchConfig, caches?: RunCaches) =>
    runEvaluation(client, {
      index,
      tenantId: 'A',
      querySet,
      configs: [{ revisionId: 'r', config }],
      k: 10,
      metrics: ['ndcg@10'],
      facets: false,
      embedder,
      searchDeps: { languageDetector: null },
      ...(caches && { responseCache: caches.responses, parseCache: caches.parses }),
    });

  beforeAll(async () => {
    client = createEsClient({ url: esUrl() });
    await ensureIndex(client, { index, textDims: 4, imageDims: 3, url: esUrl() });
    const docs: ProductDoc[] = [];
    for (const product of generateDemoCatalog({ tenants: ['A'], spusPerTenant: 30 })) {
      const result = transformSpu(product);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      docs.push({ ...result.doc, title_embedding: vectorOf(result.doc.title_en ?? '') });
    }
    base = docs[0]!;
    for (let i = 1; i <= 5; i += 1) docs.push(made(`Z${i}`, `zorblat speaker model ${i}`));
    docs.push(made('W1', 'walnut side table', 'holds a zorblat'));
    const operations = docs.flatMap((doc) => [
      { index: { _index: index, _id: `A:${doc.spu_id}` } },
      doc,
    ]);
    expect((await client.bulk({ operations, refresh: true })).errors).toBe(false);
  }, 120_000);

  afterAll(async () => {
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  it('a fusion lever sends nothing, a field boost only the lexical searches; answers as uncached', async () => {
    const kept = new IndexBoundCaches();
    const cachesNow = () => kept.forIndex(client, index);
    const rrf = configWith({ method: 'rrf', rankConstant: 60 });
    const first = await run(rrf, await cachesNow());
    // Per query a lexical and a kNN search; none cached yet.
    expect(first.stats.executed).toBe(queries.length * 2);
    expect(first.stats.fromCache).toBe(0);

    for (const moved of [
      configWith({ method: 'rrf', rankConstant: 5 }),
      configWith({ method: 'linear', normalizer: 'minmax' }),
    ]) {
      const cached = await run(moved, await cachesNow());
      expect(cached.stats.executed).toBe(0);
      expect(cached.stats.fromCache).toBe(queries.length * 2);
      const fresh = await run(moved);
      expect(cached.results[0]!.queries.map((q) => q.hits)).toEqual(
        fresh.results[0]!.queries.map((q) => q.hits),
      );
      expect(cached.results[0]!.means).toEqual(fresh.results[0]!.means);
    }

    const boosted = await run(
      configWith({ method: 'rrf', rankConstant: 60 }, 7),
      await cachesNow(),
    );
    expect(boosted.stats.executed).toBe(queries.length);
    expect(boosted.stats.fromCache).toBe(queries.length);
  });

  it('a write to the index drops them: the next run searches again and sees the change', async () => {
    const kept = new IndexBoundCaches();
    const config = configWith({ method: 'rrf', rankConstant: 60 });
    const before = await indexGeneration(client, index);
    expect(before).not.toBeNull();
    const caches = await kept.forIndex(client, index);
    const first = await run(config, caches);
    const again = await kept.forIndex(client, index);
    expect(again).toBe(caches);
    expect(first.results[0]!.queries[0]!.hits).not.toContain('Z9');

    // A judged-relevant product arrives.
    await client.index({
      index,
      id: 'A:Z9',
      // Lexically a zorblat speaker, and the query's own vector: first in both lists.
      document: { ...made('Z9', 'zorblat speaker'), title_embedding: vectorOf('zorblat speaker') },
      refresh: true,
    });
    expect(await indexGeneration(client, index)).not.toBe(before);
    const after = await kept.forIndex(client, index);
    expect(after).not.toBe(caches);
    const second = await run(config, after);
    expect(second.stats.fromCache).toBe(0);
    expect(second.results[0]!.queries[0]!.hits).toContain('Z9');

    // And leaves again.
    await client.delete({ index, id: 'A:Z9', refresh: true });
    const dropped = await kept.forIndex(client, index);
    expect(dropped).not.toBe(after);
    const third = await run(config, dropped);
    expect(third.results[0]!.queries[0]!.hits).not.toContain('Z9');
    // No index: nothing is kept, the run itself reports the missing index.
    expect(await indexGeneration(client, `${index}_missing`)).toBeNull();
  });

  it('tune.preview says what it sent and reused, and follows the index', async () => {
    const imported = await invoke(
      'judgments.import',
      {
        text: 'query,docid,rating\nzorblat speaker,Z1,3\nzorblat speaker,Z8,3\nwalnut table,W1,2\n',
        format: 'csv',
        name: 'runcache-preview',
        tenant: 'A',
        index,
      },
      session.ctx(),
    );
    // Lexical only (no query embedder in this session): one search per query.
    const lexical = configWith({ method: 'sum' });
    const config = {
      ...lexical,
      query: {
        ...lexical.query,
        textEmbedding: { ...lexical.query.textEmbedding, enabled: false },
      },
    } as unknown as Record<string, unknown>;
    const preview = () =>
      invoke('tune.preview', { querySetId: imported.info.id, config: { config } }, session.ctx());
    const first = await preview();
    expect(first.searches).toEqual({ sent: 2, cached: 0 });
    const second = await preview();
    expect(second.searches).toEqual({ sent: 0, cached: 2 });
    expect(second.mean).toBe(first.mean);

    await client.index({
      index,
      id: 'A:Z8',
      document: made('Z8', 'zorblat speaker eight'),
      refresh: true,
    });
    const third = await preview();
    expect(third.searches.sent).toBe(2);
    expect(third.mean!).toBeGreaterThan(first.mean!);
  });
});
