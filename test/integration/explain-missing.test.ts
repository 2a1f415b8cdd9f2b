/**
 * "Why is this product missing" live on a real Elasticsearch (RWB_ES_URL): a throwaway index of
 * demo-catalog products (tenant A) plus a few hand-made ones whose fate is known — matched only by
 * its brief, beyond the window, filtered out, found only by kNN, two of three terms under operator
 * and, `batteries` against `battery` on a standard-analysed index, a fused (rrf) config. Every
 * rank is checked against a real search, every lever by applying it and searching again.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemoCatalog } from '../../engine/catalog/demo-catalog.ts';
import type { ProductDoc } from '../../engine/catalog/types.ts';
import { applyOverrides } from '../../engine/api/ops/config-resolve.ts';
import { parseSearchConfig, type SearchConfig } from '../../engine/config/search-config.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import { coreAnalysis } from '../../engine/es/analysis.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex } from '../../engine/es/index.ts';
import { RwbError } from '../../engine/errors.ts';
import { transformSpu } from '../../engine/ingest/spu-transformer.ts';
import { explainMissing } from '../../engine/search/explain-missing.ts';
import { stemmingAnalyzer } from '../../engine/search/explain-missing-text.ts';
import { search, type SearchDependencies } from '../../engine/search/searcher.ts';
import { englishProduct } from '../helpers/english-product.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

const QUERY_VECTOR = [1, 0, 0, 0];
const unit = (v: number[]): number[] => {
  const norm = Math.hypot(...v);
  return v.map((x) => Math.fround(x / norm));
};

describeWith([missingEs], 'explain-missing on the demo catalog (real Elasticsearch)', () => {
  const index = `rwb_test_explain_missing_${randomUUID().slice(0, 8)}`;
  let client: Client;
  let lexical: SearchConfig;
  let hybrid: SearchConfig;
  let fused: SearchConfig;
  const docs: ProductDoc[] = [];
  const deps: SearchDependencies = {
    languageDetector: null,
    embedder: async () => Float32Array.from(QUERY_VECTOR),
    url: esUrl(),
  };

  const made = (spuId: string, fields: Partial<ProductDoc>, base: ProductDoc): ProductDoc =>
    englishProduct(base, spuId, {
      category1_name: 'Phones',
      title_embedding: unit([0.1, 1, 0.3, 0.2]),
      ...fields,
    });

  beforeAll(async () => {
    client = createEsClient({ url: esUrl() });
    // Standard English analysis: the stemming diagnosis needs an index without stemming.
    await ensureIndex(client, {
      index,
      textDims: 4,
      imageDims: 3,
      url: esUrl(),
      analysis: coreAnalysis(),
    });
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (const product of generateDemoCatalog({ tenants: ['A'], spusPerTenant: 40 })) {
      const result = transformSpu(product);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      result.doc.title_embedding = unit([random() * 0.5, random(), random(), random()]);
      result.doc.category1_name = 'Phones';
      docs.push(result.doc);
    }
    const base = docs[0]!;
    for (let i = 1; i <= 6; i += 1)
      docs.push(made(`TITLE${i}`, { title_en: `zorblat speaker model ${i}` }, base));
    docs.push(
      made(
        'BRIEF',
        { title_en: 'portable music box', brief_en: 'a box that plays every zorblat' },
        base,
      ),
      made('AUDIO', { title_en: 'zorblat headphones', category1_name: 'Audio' }, base),
      made('KNN', { title_en: 'quiet garden lamp', title_embedding: unit(QUERY_VECTOR) }, base),
      made(
        'FAR',
        { title_en: 'ceramic flower pot', title_embedding: unit([-1, 0.2, 0.1, 0]) },
        base,
      ),
      made('TWO', { title_en: 'zorblat turbo mini' }, base),
      made('STEM', { title_en: 'rechargeable battery pack' }, base),
      made(
        'DESC',
        { title_en: 'walnut side table', description_en: 'works with every zorblat' },
        base,
      ),
    );
    const operations = docs.flatMap((doc) => [
      { index: { _index: index, _id: `A:${doc.spu_id}` } },
      doc,
    ]);
    expect((await client.bulk({ operations, refresh: true })).errors).toBe(false);
    const defaults = defaultSearchConfig();
    const shape = {
      ...defaults,
      domains: [
        {
          name: 'default',
          fields: [
            { field: 'title_en', boost: 3 },
            { field: 'brief_en', boost: 0.5 },
          ],
          languageFieldMapping: { en: ['title_en', 'brief_en'] },
        },
      ],
      facets: [],
      query: { ...defaults.query, defaultLanguage: 'en' },
      ranking: { ...defaults.ranking, expression: 'bm25()' },
    };
    lexical = parseSearchConfig(shape);
    const vectors = {
      ...shape.query,
      textEmbedding: { enabled: true, model: 'test-4d', cacheSize: 0 },
      knn: { ...shape.query.knn, k: 3, numCandidates: 500 },
    };
    hybrid = parseSearchConfig({
      ...shape,
      query: vectors,
      ranking: { ...shape.ranking, expression: 'bm25() + 0.2*text_embedding_relevance()' },
    });
    fused = parseSearchConfig({
      ...shape,
      query: vectors,
      ranking: {
        ...shape.ranking,
        expression: 'bm25() + 0.2*text_embedding_relevance()',
        fusion: { ...shape.ranking.fusion, method: 'rrf', rankConstant: 60, rankWindowSize: 20 },
      },
    });
  });

  afterAll(async () => {
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  const rankOf = async (config: SearchConfig, query: string, spu: string, extra = {}) => {
    const response = await search(
      client,
      index,
      { tenantId: 'A', query, size: 100, facets: [], ...extra },
      config,
      deps,
    );
    const at = response.results.findIndex((r) => r.spu_id === spu);
    return at < 0 ? null : at + 1;
  };

  it('a product matched only by its brief: its rank, brief_en against title_en, and a boost that brings it in', async () => {
    const d = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'BRIEF', k: 3 },
      lexical,
      deps,
    );
    expect(d.status).toBe('beyond_k');
    expect(d.rank).toBe(await rankOf(lexical, 'zorblat', 'BRIEF'));
    expect(d.rank).toBeGreaterThan(3);
    expect(Object.keys(d.explain.target!.lexical.fields)).toEqual(['brief_en']);
    expect(Object.keys(d.explain.kth!.lexical.fields)).toEqual(['title_en']);
    expect(d.explain.parts[0]!.part).toBe('lexical:title_en');
    expect(d.summary.join('\n')).toMatch(/matches only brief_en \(boost 0\.5/);
    const lever = d.levers.find((l) => l.path === 'domains.default.fields.brief_en.boost');
    expect(lever?.kind).toBe('field_boost');
    expect(lever!.current).toBe(0.5);
    // Re-searched with the boost applied: within the top 3, as the search below confirms.
    expect(lever!.verified!.rank).toBeLessThanOrEqual(3);
    const tuned = parseSearchConfig(
      applyOverrides(lexical, { 'domains.default.fields.brief_en.boost': lever!.suggested! }),
    );
    expect(await rankOf(tuned, 'zorblat', 'BRIEF')).toBeLessThanOrEqual(3);
  });

  it('a product beyond the window is "beyond_depth"; a deeper look finds its rank', async () => {
    const shallow = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'BRIEF', k: 2, depth: 3 },
      lexical,
      deps,
    );
    expect(shallow.status).toBe('beyond_depth');
    expect(shallow.rank).toBeNull();
    expect(shallow.failures).toEqual([]);
    expect(shallow.matched).toBe(await totalOf(lexical, 'zorblat'));
    expect(shallow.explain.target!.lexical.fields.brief_en).toBeGreaterThan(0);
    const deep = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'BRIEF', k: 2, depth: 50 },
      lexical,
      deps,
    );
    expect(deep.rank).toBe(await rankOf(lexical, 'zorblat', 'BRIEF'));
  });

  const totalOf = async (config: SearchConfig, query: string) =>
    (await search(client, index, { tenantId: 'A', query, size: 0, facets: [] }, config, deps))
      .total;

  it('a filtered-out product names the filter, what it wants and what the product has', async () => {
    const filters = { category1_name: 'Phones' };
    const d = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'AUDIO', filters },
      lexical,
      deps,
    );
    expect(d.status).toBe('not_matched');
    expect(d.failures).toEqual([
      {
        clause: 'filter',
        filter: 'category1_name',
        wants: 'category1_name = Phones',
        has: ['Audio'],
      },
    ]);
    expect(d.levers[0]).toMatchObject({
      kind: 'filter',
      path: 'filters.category1_name',
      exact: true,
    });
    expect(d.summary.join('\n')).toContain(
      'filtered out by category1_name = Phones (it has Audio)',
    );
    // Without the filter it is matched.
    expect(await rankOf(lexical, 'zorblat', 'AUDIO')).not.toBeNull();
  });

  it('a product only kNN finds: kNN rank 1, lexical not matched; one outside the kNN top k fails the kNN clause', async () => {
    const d = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'KNN', k: 3 },
      hybrid,
      deps,
    );
    expect(d.knn).toMatchObject({ field: 'title_embedding', rank: 1, k: 3 });
    expect(d.knn!.cosine).toBeCloseTo(1, 5);
    expect(d.failures).toEqual([
      expect.objectContaining({ clause: 'text', reason: 'no_field_matches' }),
    ]);
    expect(d.rank).toBe(await rankOf(hybrid, 'zorblat', 'KNN'));
    expect(d.summary.join('\n')).toContain('kNN rank 1 (cosine 1), lexical not matched');
    expect(d.explain.target!.knn.text).toBeGreaterThan(0);
    expect(d.explain.target!.lexical.total).toBe(0);

    const far = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'FAR' },
      hybrid,
      deps,
    );
    expect(far.status).toBe('not_matched');
    // Brute force: the rank of FAR by cosine among tenant A.
    const cos = (v: number[]) =>
      v.reduce((s, x, i) => s + x * QUERY_VECTOR[i]!, 0) / Math.hypot(...v);
    const own = cos(docs.find((x) => x.spu_id === 'FAR')!.title_embedding!);
    const expected = 1 + docs.filter((x) => cos(x.title_embedding!) > own).length;
    expect(far.knn!.rank).toBe(expected);
    // The kNN clause of a page of k = 10 results takes max(query.knn.k, 10) = 10 neighbours.
    expect(far.knn!.k).toBe(10);
    expect(far.failures).toContainEqual({ clause: 'knn', knnRank: expected, k: 10 });
    const lever = far.levers.find((l) => l.kind === 'knn_k')!;
    expect(lever.suggested).toBe(expected);
    expect(lever.verified!.rank).not.toBeNull();
    const wider = parseSearchConfig(applyOverrides(hybrid, { 'query.knn.k': expected }));
    const response = await search(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', size: 100, facets: [] },
      wider,
      deps,
    );
    expect(response.results.map((r) => r.spu_id)).toContain('FAR');
  });

  it('two of three terms under operator and: too few terms, and the msm lever lets it match', async () => {
    const strict = parseSearchConfig(
      applyOverrides(lexical, { 'domains.default.operator': 'and' }),
    );
    const d = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat turbo max', spuId: 'TWO' },
      strict,
      deps,
    );
    expect(d.status).toBe('not_matched');
    expect(d.text[0]).toMatchObject({ tokens: 3, required: 3, bestMatched: 2 });
    expect(d.failures[0]).toMatchObject({ clause: 'text', reason: 'too_few_terms' });
    const lever = d.levers.find((l) => l.kind === 'operator')!;
    expect(lever).toMatchObject({
      path: 'domains.default.operator',
      current: 'and',
      suggested: 'or',
    });
    expect(lever.message).toContain('minimum_should_match 66%');
    // Re-searched with operator or: matched.
    expect(lever.verified!.rank).not.toBeNull();
    const relaxed = parseSearchConfig({
      ...strict,
      domains: [{ ...strict.domains[0]!, operator: 'or', minimumShouldMatch: '66%' }],
    });
    // Without the lever it stays out; with it, it is in.
    expect(await rankOf(strict, 'zorblat turbo max', 'TWO')).toBeNull();
    expect(await rankOf(relaxed, 'zorblat turbo max', 'TWO')).not.toBeNull();
  });

  it('terms only in a field no domain searches: which field, and the lever to add it', async () => {
    const d = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'DESC' },
      lexical,
      deps,
    );
    expect(d.status).toBe('not_matched');
    expect(d.failures).toEqual([
      expect.objectContaining({ clause: 'text', reason: 'no_field_matches' }),
    ]);
    expect(d.otherFields).toEqual([{ field: 'description_en', matched: ['zorblat'] }]);
    expect(d.levers).toContainEqual(
      expect.objectContaining({
        kind: 'unsearched_field',
        path: 'domains.default.fields',
        suggested: 'description_en',
      }),
    );
  });

  it('stemming: query `batteries`, title `battery` on a standard-analysed index', async () => {
    const stemmer = await stemmingAnalyzer(client);
    const d = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'batteries', spuId: 'STEM' },
      lexical,
      deps,
    );
    expect(d.englishAnalysis).toBe('standard');
    expect(d.status).toBe('not_matched');
    if (stemmer === null) {
      expect(d.stemming).toEqual([]);
      return;
    }
    expect(d.stemming).toEqual([{ field: 'title_en', query: 'batteries', product: 'battery' }]);
    expect(d.levers).toContainEqual(
      expect.objectContaining({ kind: 'stemming', suggested: stemmer }),
    );
  });

  it('a fused (rrf) config: per sub-search ranks and contributions, and a weight re-fused into the top k', async () => {
    const d = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'BRIEF', k: 3 },
      fused,
      deps,
    );
    expect(d.fusion).toBe('rrf');
    expect(await rankOf(fused, 'zorblat', 'BRIEF', { size: 3 })).toBeNull();
    expect(d.rank).toBeGreaterThan(3);
    expect(d.sources.map((s) => s.source)).toEqual(['lexical', 'text_knn']);
    const lexicalPart = d.sources[0]!;
    expect(lexicalPart.targetRank).toBeGreaterThan(3);
    expect(lexicalPart.targetContribution).toBeCloseTo(1 / (60 + lexicalPart.targetRank!), 9);
    expect(d.status).toBe('beyond_k');
    // Six title matches share its vector and outrank it lexically: no list weight can lift it.
    expect(d.levers.filter((l) => l.kind === 'weight')).toEqual([]);
    // Its brief boost moves it up the lexical list, and the fusion re-run on the moved list ranks it within k.
    const boost = d.levers.find((l) => l.path === 'domains.default.fields.brief_en.boost');
    expect(boost?.kind).toBe('field_boost');
    expect(boost!.message).toMatch(/lexical rank \d+, and the rrf fusion then ranks it [123]$/);
    const boosted = parseSearchConfig(applyOverrides(fused, { [boost!.path!]: boost!.suggested! }));
    expect(await rankOf(boosted, 'zorblat', 'BRIEF', { size: 3 })).not.toBeNull();

    const knnOnly = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'KNN', k: 3 },
      fused,
      deps,
    );
    expect(knnOnly.status).toBe('beyond_k');
    expect(knnOnly.sources[0]).toMatchObject({
      source: 'lexical',
      targetRank: null,
      targetContribution: 0,
    });
    expect(knnOnly.sources[1]).toMatchObject({ source: 'text_knn', targetRank: 1 });
    expect(knnOnly.sources[1]!.targetContribution).toBeCloseTo(0.2 / 61, 9);
    const lever = knnOnly.levers.find((l) => l.kind === 'weight' && l.exact)!;
    expect(lever.path).toBe('ranking.expression.text_embedding_relevance');
    expect(lever.verified!.rank).toBeLessThanOrEqual(3);
    const tuned = parseSearchConfig(applyOverrides(fused, { [lever.path!]: lever.suggested! }));
    // A fused ranking depends on the page (each list is max(rankWindowSize, from + size) deep):
    // the lever is for a page of k = 3, as a metric@3 would search.
    expect(await rankOf(tuned, 'zorblat', 'KNN', { size: 3 })).not.toBeNull();
    expect(await rankOf(fused, 'zorblat', 'KNN', { size: 3 })).toBeNull();
  });

  it('an unknown product is NOT_FOUND, bad input is INVALID_INPUT naming the field', async () => {
    const unknown = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'zorblat', spuId: 'NOPE' },
      lexical,
      deps,
    ).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(RwbError);
    expect((unknown as RwbError).code).toBe('NOT_FOUND');
    // Another tenant's product is unknown too.
    const other = await explainMissing(
      client,
      index,
      { tenantId: 'B', query: 'zorblat', spuId: 'BRIEF' },
      lexical,
      deps,
    ).catch((e: unknown) => e);
    expect((other as RwbError).code).toBe('NOT_FOUND');
    const bad = await explainMissing(
      client,
      index,
      { tenantId: 'A', query: 'x', spuId: 'BRIEF', k: 0 },
      lexical,
      deps,
    ).catch((e: unknown) => e);
    expect((bad as RwbError).code).toBe('INVALID_INPUT');
    expect((bad as RwbError).message).toContain('k');
  });
});
