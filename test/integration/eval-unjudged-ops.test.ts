/**
 * Metrics that admit unjudged results, live on a real Elasticsearch (RWB_ES_URL): `tune.preview`
 * returns the condensed-list mean, the upper bound and the judged coverage that the pure metric
 * functions give for the hits the cluster returns, and `judgments.queue` lists exactly the
 * unjudged products of the two configs' top k, with their titles from the index, and drops one
 * once it is rated. A throwaway index of demo products plus hand-made ones; a throwaway RWB_HOME.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { invoke } from '../../engine/api/invoke.ts';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import { coreAnalysis } from '../../engine/es/analysis.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex } from '../../engine/es/index.ts';
import { resolveMetric } from '../../engine/eval/metrics-registry.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import { englishProduct } from '../helpers/english-product.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

describeWith([missingEs], 'unjudged hits in tune.preview and judgments.queue (real ES)', () => {
  const index = `rwb_test_unjudged_${randomUUID().slice(0, 8)}`;
  let client: Client;
  let ctx: ApiContext;
  let home: string;
  let previousHome: string | undefined;
  const configWith = (briefBoost: number) => {
    const defaults = defaultSearchConfig();
    return {
      ...defaults,
      domains: [
        {
          name: 'default',
          fields: [
            { field: 'title_en', boost: 3 },
            { field: 'brief_en', boost: briefBoost },
          ],
          languageFieldMapping: { en: ['title_en', 'brief_en'] },
        },
      ],
      facets: [],
      query: { ...defaults.query, defaultLanguage: 'en' },
      ranking: { ...defaults.ranking, expression: 'bm25()' },
    } as unknown as Record<string, unknown>;
  };
  const titleFirst = configWith(0.5);
  const briefFirst = configWith(20);

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'rwb-unjudged-'));
    previousHome = process.env.RWB_HOME;
    process.env.RWB_HOME = home;
    client = createEsClient({ url: esUrl() });
    await ensureIndex(client, {
      index,
      textDims: 4,
      imageDims: 3,
      url: esUrl(),
      analysis: coreAnalysis(),
    });
    const docs: ProductDoc[] = [];
    for (const product of generateDemoCatalog({ tenants: ['A'], spusPerTenant: 20 })) {
      const result = transformSpu(product);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      docs.push(result.doc);
    }
    const base = docs[0]!;
    const made = (spuId: string, title: string, brief = '') =>
      englishProduct(base, spuId, { title_en: title, brief_en: brief });
    for (let i = 1; i <= 6; i += 1) docs.push(made(`T${i}`, `zorblat speaker model ${i}`));
    docs.push(made('B1', 'portable music box', 'a box for every zorblat zorblat'));
    docs.push(made('B2', 'walnut side table', 'holds a zorblat'));
    const operations = docs.flatMap((doc) => [
      { index: { _index: index, _id: `A:${doc.spu_id}` } },
      doc,
    ]);
    expect((await client.bulk({ operations, refresh: true })).errors).toBe(false);
    ctx = createApiContext({
      mode: 'test',
      es: { url: esUrl(), insecure: false, requestTimeoutMs: 30_000 },
      defaultIndex: index,
    });
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
    if (previousHome === undefined) delete process.env.RWB_HOME;
    else process.env.RWB_HOME = previousHome;
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('tune.preview: condensed, upper and coverage equal the metric functions on the hits', async () => {
    const imported = await invoke(
      'judgments.import',
      {
        text: 'query,docid,rating\nzorblat,T1,3\nzorblat,T2,2\nzorblat,T3,0\nzorblat,B2,1\n',
        format: 'csv',
        name: 'unjudged',
        tenant: 'A',
        index,
      },
      ctx,
    );
    const preview = await invoke(
      'tune.preview',
      { querySetId: imported.info.id, metric: 'ndcg@5', config: { config: titleFirst } },
      ctx,
    );
    const searched = await invoke(
      'search.run',
      { tenantId: 'A', query: 'zorblat', size: 10, config: { config: titleFirst } } as never,
      ctx,
    );
    const hits = (searched as { results: Array<{ spu_id: string }> }).results.map((r) => r.spu_id);
    const ranking = {
      hits,
      ratings: new Map([
        ['T1', 3],
        ['T2', 2],
        ['T3', 0],
        ['B2', 1],
      ]),
    };
    const options = { maxGrade: 3 };
    const expected = ['ndcg@5', 'ndcg@5:condensed', 'ndcg@5:upper'].map((m) =>
      resolveMetric(m).compute(ranking, options),
    );
    const unrated = hits.slice(0, 5).filter((id) => !ranking.ratings.has(id)).length;
    expect(unrated).toBeGreaterThan(0);
    expect(preview.mean).toBeCloseTo(expected[0]!, 12);
    expect(preview.condensed).toBeCloseTo(expected[1]!, 12);
    expect(preview.upper).toBeCloseTo(expected[2]!, 12);
    expect(preview.upper!).toBeGreaterThan(preview.mean!);
    expect(preview.coverage).toMatchObject({ k: 5, coverage: 1 - unrated / 5 });
    expect(preview.coverage.low).toBe(1 - unrated / 5 < 0.8);
    expect(preview.perQuery[0]).toMatchObject({ query: 'zorblat', unrated });
  });

  it('judgments.queue: the unjudged products of both top k, titled, and a rating takes one off', async () => {
    const input = {
      querySetId: 'unjudged',
      metric: 'ndcg@5',
      tenantId: 'A',
      configs: {
        a: { config: titleFirst, label: 'title' },
        b: { config: briefFirst, label: 'brief' },
      },
    };
    const queue = await invoke('judgments.queue', input, ctx);
    expect(queue.labels).toEqual({ a: 'title', b: 'brief' });
    const judged = new Set(['T1', 'T2', 'T3', 'B2']);
    expect(queue.items.length).toBe(queue.unjudged);
    expect(queue.items.length).toBeGreaterThan(0);
    for (const item of queue.items) {
      expect(judged.has(item.docId)).toBe(false);
      expect(item.rankA !== null || item.rankB !== null).toBe(true);
      expect(item.product?.title).toMatch(/zorblat|music box/);
    }
    const reaches = queue.items.map((i) => i.reach);
    expect(reaches).toEqual([...reaches].sort((x, y) => y - x));
    // B1 (brief only) is in the brief-first config's top 5, not in the title-first one's.
    const b1 = queue.items.find((i) => i.docId === 'B1');
    expect(b1).toMatchObject({ rankA: null });
    expect(b1!.rankB).not.toBeNull();

    const first = queue.items[0]!;
    await invoke(
      'judgments.rate',
      { querySetId: 'unjudged', query: first.query, docId: first.docId, rating: 3 },
      ctx,
    );
    const after = await invoke('judgments.queue', input, ctx);
    expect(after.unjudged).toBe(queue.unjudged - 1);
    expect(after.items.some((i) => i.docId === first.docId)).toBe(false);
  });
});
