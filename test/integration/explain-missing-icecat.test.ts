/**
 * "Why is this product missing" on real Icecat products and their human judgments: a small
 * purpose-built index (the judged products of `laptop` and `batteries` plus 300 others, ingested
 * through the real pipeline with the real bge-small-en model, English analysed by `standard`), the
 * example configs (multifield BM25, hybrid), and the CLI through the operation table. Each case is
 * found in the data by a query the test states, then diagnosed and checked against a real search
 * or a brute-force computation: beyond the window, filtered out, found only by kNN, matched only by
 * its brief, `batteries` against `battery`.
 */
import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { icecatSourceProducts } from '../../engine/catalog/icecat.ts';
import type { SourceProduct } from '../../engine/catalog/types.ts';
import { loadSearchConfig } from '../../engine/config/search-config-io.ts';
import type { SearchConfig } from '../../engine/config/search-config-schema.ts';
import { createTextEncoder, fetchModel, type TextEncoder } from '../../engine/embed/index.ts';
import { coreAnalysis } from '../../engine/es/analysis.ts';
import { ensureIndex } from '../../engine/es/index.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { icecatDir, repoRoot } from '../../engine/paths.ts';
import { cachedEmbedder } from '../../engine/query/cached-embedder.ts';
import { explainMissing } from '../../engine/search/explain-missing.ts';
import { stemmingAnalyzer } from '../../engine/search/explain-missing-text.ts';
import { search, type SearchDependencies } from '../../engine/search/searcher.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';
import { createIngestFixture, type IngestFixture } from '../helpers/ingest-fixtures.ts';
import { readFileSync } from 'node:fs';

const MODEL = 'bge-small-en-v15-q';
const JUDGMENTS = path.join(icecatDir(), 'judgments.csv');
const QUERIES = ['laptop', 'batteries'];
const missing = [
  await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable()),
  await requireComponent(`Icecat data (${icecatDir()})`, () => access(JUDGMENTS)),
  await requireComponent(`ONNX model ${MODEL}`, () => fetchModel(MODEL)),
];
const run = promisify(execFile);

/** query → judged product → grade, read by hand (the file has no quoting). */
function judged(): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const line of readFileSync(JUDGMENTS, 'utf8').split(/\r?\n/).slice(1)) {
    const [query, doc, rating] = line.split(',');
    if (!query || !doc) continue;
    if (!out.has(query)) out.set(query, new Map());
    out.get(query)!.set(doc, Number(rating));
  }
  return out;
}

let fx: IngestFixture;
let encoder: TextEncoder;
let multifield: SearchConfig;
let hybrid: SearchConfig;
let deps: SearchDependencies;
let configFile: string;
const ratings = judged();

const TENANT = 'icecat';

describeWith(missing, 'explain-missing on Icecat (real ES, real model, human judgments)', () => {
  beforeAll(async () => {
    fx = await createIngestFixture('explain_missing_icecat');
    const wanted = new Set(QUERIES.flatMap((q) => [...(ratings.get(q)?.keys() ?? [])]));
    const picked: SourceProduct[] = [];
    let background = 0;
    for await (const product of icecatSourceProducts()) {
      if (wanted.has(product.spu.id)) picked.push(product);
      else if (background < 300) {
        picked.push(product);
        background += 1;
      }
    }
    const file = path.join(fx.tmp, 'icecat-subset.ndjson');
    await writeFile(file, picked.map((p) => JSON.stringify(p)).join('\n'));
    // Standard English analysis (no stemming): the index the stemming case is about.
    await ensureIndex(fx.es, {
      index: fx.index,
      textDims: 384,
      textModel: MODEL,
      url: esUrl(),
      analysis: coreAnalysis(),
    });
    const report = await runIngest(
      {
        source: { kind: 'file', path: file },
        es: { url: esUrl() },
        index: fx.index,
        embedding: { model: MODEL },
      },
      { checkpoints: fx.checkpoints, failuresDir: fx.failuresDir },
    );
    expect(report.indexed).toBe(picked.length);
    await fx.es.indices.refresh({ index: fx.index });
    const configs = path.join(repoRoot(), 'examples', 'configs');
    configFile = path.join(configs, 'icecat-multifield.json');
    multifield = await loadSearchConfig(configFile);
    hybrid = await loadSearchConfig(path.join(configs, 'icecat-hybrid.json'));
    encoder = await createTextEncoder({ model: MODEL });
    deps = {
      languageDetector: null,
      embedder: cachedEmbedder(async (text) => (await encoder.encodeQueries([text]))[0]!, 100),
      url: esUrl(),
    };
  }, 900_000);

  afterAll(async () => {
    await encoder?.close();
    await fx?.cleanup();
  });

  const ranking = async (config: SearchConfig, query: string, extra = {}) =>
    (
      await search(
        fx.es,
        fx.index,
        { tenantId: TENANT, query, size: 100, facets: [], ...extra },
        config,
        deps,
      )
    ).results.map((r) => r.spu_id);

  const diagnose = (config: SearchConfig, query: string, spuId: string, extra = {}) =>
    explainMissing(fx.es, fx.index, { tenantId: TENANT, query, spuId, ...extra }, config, deps);

  it('a judged-relevant product beyond the window: "beyond_depth" when shallow, its real rank when deep', async () => {
    const ids = await ranking(multifield, 'laptop');
    const grades = ratings.get('laptop')!;
    const at = ids.findIndex((id, i) => i >= 10 && (grades.get(id) ?? 0) >= 1);
    expect(at).toBeGreaterThanOrEqual(10);
    const spu = ids[at]!;
    const shallow = await diagnose(multifield, 'laptop', spu, { depth: at });
    expect(shallow.status).toBe('beyond_depth');
    expect(shallow.failures).toEqual([]);
    const deep = await diagnose(multifield, 'laptop', spu);
    expect(deep.status).toBe('beyond_k');
    expect(deep.rank).toBe(at + 1);
    expect(deep.kth!.spuId).toBe(ids[9]);
    // The parts add up to each total.
    for (const b of [deep.explain.target!, deep.explain.kth!])
      expect(b.lexical.total + b.knn.text + b.functions + b.other).toBeCloseTo(b.total, 3);
  });

  it('a product filtered out: the filter, what it wants and the category the product has', async () => {
    const [top] = await ranking(multifield, 'laptop');
    const own = (
      await fx.es.get<{ category1_name: string }>({ index: fx.index, id: `${TENANT}:${top}` })
    )._source!.category1_name;
    const other = own === 'Computers' ? 'Cases & Bags' : 'Computers';
    const d = await diagnose(multifield, 'laptop', top!, { filters: { category1_name: other } });
    expect(d.status).toBe('not_matched');
    expect(d.failures).toEqual([
      {
        clause: 'filter',
        filter: 'category1_name',
        wants: `category1_name = ${other}`,
        has: [own],
      },
    ]);
    expect(
      await ranking(multifield, 'laptop', { filters: { category1_name: other } }),
    ).not.toContain(top);
  });

  it('a judged-relevant product only kNN finds: its kNN rank is the brute-force cosine rank, lexical not matched', async () => {
    const lexicalIds = new Set(await ranking(multifield, 'laptop'));
    const grades = ratings.get('laptop')!;
    const candidates = [...grades]
      .filter(([id, g]) => g >= 2 && !lexicalIds.has(id))
      .map(([id]) => id);
    expect(candidates.length).toBeGreaterThan(0);
    const spu = candidates[0]!;
    const d = await diagnose(hybrid, 'laptop', spu);
    expect(d.failures).toContainEqual(
      expect.objectContaining({ clause: 'text', reason: 'no_field_matches' }),
    );
    // Brute force over every product of the index.
    const query = Array.from((await encoder.encodeQueries(['laptop']))[0]!);
    const all = await fx.es.search<{ spu_id: string; title_embedding: number[] }>({
      index: fx.index,
      size: 1000,
      _source: ['spu_id', 'title_embedding'],
      query: { term: { tenant_id: TENANT } },
    });
    const cos = (v: number[]) =>
      v.reduce((s, x, i) => s + x * query[i]!, 0) / Math.hypot(...v) / Math.hypot(...query);
    const scored = all.hits.hits.map((h) => ({
      id: h._source!.spu_id,
      c: cos(h._source!.title_embedding),
    }));
    const mine = scored.find((s) => s.id === spu)!.c;
    expect(d.knn!.cosine).toBeCloseTo(mine, 4);
    expect(d.knn!.rank).toBe(1 + scored.filter((s) => s.c > mine).length);
    if (d.knn!.rank! <= d.knn!.k) {
      expect(d.summary.join('\n')).toContain(`kNN rank ${d.knn!.rank}`);
      expect(d.summary.join('\n')).toContain('lexical not matched');
      expect(d.rank).not.toBeNull();
    } else
      expect(d.levers).toContainEqual(
        expect.objectContaining({ kind: 'knn_k', suggested: d.knn!.rank }),
      );
  });

  it('a product matched only by its brief: brief_en against the k-th hit title_en, and the boost lever', async () => {
    const others = multifield.domains[0]!.fields.map((f) => f.field).filter(
      (f) => f !== 'brief_en',
    );
    const onlyBrief = await fx.es.search<{ spu_id: string }>({
      index: fx.index,
      size: 1,
      _source: ['spu_id'],
      query: {
        bool: {
          filter: [{ term: { tenant_id: TENANT } }],
          must: [{ match: { brief_en: 'laptop' } }],
          must_not: others.map((field) => ({ match: { [field]: 'laptop' } })),
        },
      },
    });
    const spu = onlyBrief.hits.hits[0]?._source?.spu_id;
    expect(spu).toBeDefined();
    const d = await diagnose(multifield, 'laptop', spu!);
    expect(d.status).toBe('beyond_k');
    expect(Object.keys(d.explain.target!.lexical.fields)).toEqual(['brief_en']);
    expect(d.explain.kth!.lexical.fields.title_en).toBeGreaterThan(0);
    expect(d.summary.join('\n')).toContain('matches only brief_en (boost 1.5');
    expect(d.text[0]!.fields.find((f) => f.field === 'brief_en')!.matched).toEqual(['laptop']);
    const brief = d.levers.find((l) => l.path === 'domains.default.fields.brief_en.boost')!;
    expect(Number(brief.suggested)).toBeGreaterThan(1.5);
    // The estimate is re-searched: the rank it reports is the rank a search with that boost gives.
    const boosted = await loadSearchConfig(configFile);
    boosted.domains[0]!.fields.find((f) => f.field === 'brief_en')!.boost = Number(brief.suggested);
    const at = (await ranking(boosted, 'laptop')).indexOf(spu!);
    expect(brief.verified).toEqual({ rank: at < 0 ? null : at + 1 });
  });

  it('stemming on the standard-analysed index: query `batteries`, title `battery`', async () => {
    const stemmer = await stemmingAnalyzer(fx.es);
    const fields = multifield.domains[0]!.fields.map((f) => f.field);
    const batteryOnly = await fx.es.search<{ spu_id: string }>({
      index: fx.index,
      size: 1,
      _source: ['spu_id'],
      query: {
        bool: {
          filter: [{ term: { tenant_id: TENANT } }],
          must: [{ match: { title_en: 'battery' } }],
          must_not: fields.map((field) => ({ match: { [field]: 'batteries' } })),
        },
      },
    });
    const spu = batteryOnly.hits.hits[0]?._source?.spu_id;
    expect(spu).toBeDefined();
    const d = await diagnose(multifield, 'batteries', spu!);
    expect(d.englishAnalysis).toBe('standard');
    expect(d.status).toBe('not_matched');
    if (stemmer === null) return;
    const hint = d.stemming.find((h) => h.field === 'title_en');
    expect(hint?.query).toBe('batteries');
    expect(hint?.product.toLowerCase()).toBe('battery');
    expect(d.levers).toContainEqual(
      expect.objectContaining({ kind: 'stemming', suggested: stemmer }),
    );
  });

  it('rwb explain-missing: the diagnosis as text and JSON, NOT_FOUND (exit 1) for an unknown product, exit 2 for bad input', async () => {
    const bin = path.join(repoRoot(), 'bin', 'rwb.mjs');
    const env = { ...process.env, RWB_ES_URL: esUrl() };
    const args = [
      'explain-missing',
      '--tenant',
      TENANT,
      '--index',
      fx.index,
      '--config',
      configFile,
    ];
    const [top10] = [(await ranking(multifield, 'laptop'))[12]!];
    const text = await run('node', [bin, ...args, 'laptop', top10], { env });
    expect(text.stdout).toContain('Verdict:      rank 13');
    expect(text.stdout).toContain('Levers:');
    const json = await run('node', [bin, ...args, '--json', 'laptop', top10], { env });
    const parsed = JSON.parse(json.stdout) as {
      rank: number;
      status: string;
      config: { label: string };
    };
    expect(parsed).toMatchObject({ rank: 13, status: 'beyond_k' });
    const unknown = await run('node', [bin, ...args, 'laptop', 'NO-SUCH-PRODUCT'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((unknown as { code: number }).code).toBe(1);
    expect((unknown as { stderr: string }).stderr).toContain('NOT_FOUND');
    const bad = await run('node', [bin, ...args, '--depth', '0', 'laptop', top10], { env }).catch(
      (e: { code: number }) => e,
    );
    expect((bad as { code: number }).code).toBe(2);
  }, 120_000);
});
