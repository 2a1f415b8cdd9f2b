/**
 * Evaluation and tuning on the real Elasticsearch with the real Icecat catalog and its human
 * judgments: the catalog is ingested into a throwaway index (bge-small-en vectors come from the
 * shared cache under RWB_HOME after the first run), then
 * - metric values are recomputed by hand from a direct search and the raw CSV;
 * - identical requests go to ES once and cached responses are reused;
 * - a deliberately broken config loses significantly against a sound one;
 * - the tuner improves held-out nDCG@10 over a deliberately weak base config;
 * - `--verify` says clearly when the cluster lacks `_rank_eval` (and agrees with it when present);
 * - everything is recorded in the experiment store.
 * CLI and contract operations on top of this are in eval-icecat-surfaces.test.ts.
 */
import { readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ICECAT_PRODUCT_COUNT, loadIcecatIntoMysql } from '../../engine/catalog/icecat.ts';
import { loadSearchConfig } from '../../engine/config/search-config-io.ts';
import type { SearchConfig } from '../../engine/config/search-config-schema.ts';
import { fetchModel } from '../../engine/embed/index.ts';
import { RwbError } from '../../engine/errors.ts';
import { compareRuns } from '../../engine/eval/compare.ts';
import { readJudgmentsFile } from '../../engine/eval/judgments-io.ts';
import type { QuerySet } from '../../engine/eval/judgments.ts';
import { createResponseCache, runEvaluation } from '../../engine/eval/runner.ts';
import { createEvalDependencies } from '../../engine/eval/runner-deps.ts';
import { createQueryEmbedders } from '../../engine/eval/runner-embedders.ts';
import { evaluateAndRecord } from '../../engine/eval/runner-session.ts';
import { ExperimentStore } from '../../engine/eval/store/experiment-store.ts';
import { parseParameterSpaceText } from '../../engine/eval/tuner/space.ts';
import { createTuneEvaluation } from '../../engine/eval/tuning/tune-runner.ts';
import { tuneAndRecord } from '../../engine/eval/tuning/tune-session.ts';
import { detectRankEval, verifyRun } from '../../engine/eval/verify.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { icecatDir, repoRoot } from '../../engine/paths.ts';
import {
  describeWith,
  esAvailable,
  mysqlAvailable,
  esUrl,
  requireComponent,
} from '../helpers/components.ts';
import { createIngestFixture, type IngestFixture } from '../helpers/ingest-fixtures.ts';

const MODEL = 'bge-small-en-v15-q';
const JUDGMENTS = path.join(icecatDir(), 'judgments.csv');
const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('MariaDB', mysqlAvailable),
  await requireComponent(`Icecat data (${icecatDir()})`, () => access(JUDGMENTS)),
  await requireComponent(`ONNX model ${MODEL}`, () => fetchModel(MODEL)),
];

let fx: IngestFixture;
let querySet: QuerySet;
let store: ExperimentStore;
const configs: Record<string, SearchConfig> = {};

/** The CSV read by hand (no quoting in this file): query → doc → rating. */
function csvRatings(): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const line of readFileSync(JUDGMENTS, 'utf8').split(/\r?\n/).slice(1)) {
    if (line.trim() === '') continue;
    const [query, doc, rating] = line.split(',');
    if (!out.has(query!)) out.set(query!, new Map());
    out.get(query!)!.set(doc!, Number(rating));
  }
  return out;
}

const dcgOf = (gains: number[]) =>
  gains.reduce((sum, r, i) => sum + (2 ** r - 1) / Math.log2(i + 2), 0);

describeWith(missing, 'eval on Icecat (real ES, 19,406 products, human judgments)', () => {
  beforeAll(async () => {
    fx = await createIngestFixture('eval_icecat');
    await loadIcecatIntoMysql(fx.conn, { tenantId: 'icecat' });
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
    querySet = (await readJudgmentsFile(JUDGMENTS, { name: 'icecat' })).querySet;
    store = new ExperimentStore(path.join(fx.tmp, 'experiments'));
    for (const name of ['multifield', 'broken', 'weak', 'hybrid']) {
      configs[name] = await loadSearchConfig(
        path.join(repoRoot(), 'examples', 'configs', `icecat-${name}.json`),
      );
    }
  }, 1_800_000);

  afterAll(async () => {
    await fx?.cleanup();
  });

  it('computes nDCG@10, P@10, MRR and unrated@10 that match a hand computation on the raw hits', async () => {
    const out = await runEvaluation(fx.es, {
      index: fx.index,
      tenantId: 'icecat',
      querySet,
      configs: [{ revisionId: 'multifield', config: configs.multifield! }],
      k: 10,
      metrics: ['ndcg@10', 'p@10', 'mrr@10'],
      keepRequests: true,
    });
    const result = out.results[0]!;
    const raw = csvRatings();
    expect(result.queries).toHaveLength(raw.size);
    expect(result.failedQueries).toEqual([]);

    const allZero = [...raw]
      .filter(([, r]) => ![...r.values()].some((v) => v > 0))
      .map(([q]) => q)
      .sort();
    expect(result.excluded.map((e) => e.query).sort()).toEqual(allZero);
    expect(result.validQueries).toBe(raw.size - allZero.length);
    const valid = result.queries.filter((q) => q.excluded === null);
    const meanByHand = valid.reduce((s, q) => s + q.scores['ndcg@10']!, 0) / valid.length;
    expect(result.means['ndcg@10']).toBeCloseTo(meanByHand, 12);
    expect(Object.keys(result.byLanguage)).toEqual(['en']);

    const checked = valid
      .filter((q) => q.hits.some((id) => (raw.get(q.query)!.get(id) ?? 0) > 0))
      .slice(0, 5);
    expect(checked.length).toBe(5);
    for (const q of checked) {
      const body = out.requests![0]!.queries.find((r) => r.query === q.query)!.body;
      const direct = await fx.es.search({ index: fx.index, ...body });
      // The runner reads ids from doc values, never `_source`.
      expect(direct.hits.hits.every((h) => h._source === undefined)).toBe(true);
      const ids = direct.hits.hits.map((h) => (h.fields as { spu_id: string[] }).spu_id[0]!);
      expect(q.hits, q.query).toEqual(ids);
      const ratings = raw.get(q.query)!;
      const top = ids.slice(0, 10);
      const ideal = dcgOf([...ratings.values()].sort((a, b) => b - a).slice(0, top.length));
      const ndcg = dcgOf(top.map((id) => ratings.get(id) ?? 0)) / ideal;
      expect(q.scores['ndcg@10'], q.query).toBeCloseTo(ndcg, 12);
      const relevant = top.filter((id) => (ratings.get(id) ?? 0) >= 1);
      expect(q.scores['p@10'], q.query).toBeCloseTo(relevant.length / top.length, 12);
      const first = top.findIndex((id) => (ratings.get(id) ?? 0) >= 1);
      expect(q.scores['mrr@10'], q.query).toBeCloseTo(first < 0 ? 0 : 1 / (first + 1), 12);
      expect(q.scores['unrated@10'], q.query).toBe(top.filter((id) => !ratings.has(id)).length);
      expect(q.totalHits).toBe(
        typeof direct.hits.total === 'number' ? direct.hits.total : direct.hits.total!.value,
      );
    }
    const withFacets = result.queries.filter((q) => q.facets?.category1_name);
    expect(withFacets.length).toBeGreaterThan(50);
    expect(result.latency.totalMs.mean).toBeGreaterThan(0);
    expect(out.snapshots[0]!.queries[0]!.docs[0]!.score).toBeGreaterThan(0);
  });

  it('sends identical requests once and reuses cached responses in a later run', async () => {
    const cache = createResponseCache();
    const twin = [
      { revisionId: 'a', config: configs.multifield! },
      { revisionId: 'b', config: structuredClone(configs.multifield!) },
    ];
    const first = await runEvaluation(fx.es, {
      index: fx.index,
      tenantId: 'icecat',
      querySet,
      configs: twin,
      responseCache: cache,
      batchSize: 40,
    });
    expect(first.stats).toMatchObject({
      searches: 200,
      distinctRequests: 100,
      executed: 100,
      fromCache: 0,
      msearchCalls: 3,
    });
    expect(first.results[1]!.means).toEqual(first.results[0]!.means);
    const again = await runEvaluation(fx.es, {
      index: fx.index,
      tenantId: 'icecat',
      querySet,
      configs: twin.slice(0, 1),
      responseCache: cache,
    });
    expect(again.stats).toMatchObject({ executed: 0, fromCache: 100, msearchCalls: 0 });
    expect(again.results[0]!.means).toEqual(first.results[0]!.means);
  });

  it('searches a hybrid config with its own model and encodes each query once across runs', async () => {
    const embedders = createQueryEmbedders({ threads: 1 });
    try {
      const dependencies = createEvalDependencies(fx.es, fx.index, { embedders });
      const run = () =>
        runEvaluation(fx.es, {
          index: fx.index,
          tenantId: 'icecat',
          querySet,
          configs: [
            { revisionId: 'multifield', config: configs.multifield! },
            { revisionId: 'hybrid', config: configs.hybrid! },
          ],
          dependencies,
          facets: false,
        });
      const first = await run();
      expect(first.warnings.flatMap((w) => w.messages)).toEqual([]);
      expect(embedders.stats()).toMatchObject({
        models: [MODEL],
        encoded: querySet.queries.length,
      });
      const [bm25, hybrid] = first.results;
      const changed = hybrid!.queries.filter(
        (q, i) => q.hits.join() !== bm25!.queries[i]!.hits.join(),
      );
      expect(changed.length).toBeGreaterThan(20);
      await run();
      expect(embedders.stats().encoded).toBe(querySet.queries.length);
    } finally {
      await embedders.close();
    }
  });

  it('finds a deliberately broken config significantly worse and records both runs', async () => {
    const session = await evaluateAndRecord({
      client: fx.es,
      store,
      index: fx.index,
      tenantId: 'icecat',
      querySet,
      configs: [
        { config: configs.multifield!, label: 'multifield' },
        { config: configs.broken!, label: 'broken' },
      ],
      k: 10,
      compare: { seed: 7 },
    });
    const [comparison] = session.comparisons;
    expect(comparison!.metric).toBe('ndcg@10');
    expect(comparison!.meanB!).toBeLessThan(comparison!.meanA! - 0.2);
    expect(comparison!.significance!.pValue).toBeLessThan(0.05);
    expect(comparison!.significant).toBe(true);
    expect(comparison!.losses).toBeGreaterThan(comparison!.wins);
    expect(comparison!.facetChanges).toBeGreaterThan(0);
    expect(comparison!.overlap.meanJaccard!).toBeLessThan(0.5);
    expect(session.unknownDocIds).toEqual([]);
    const listed = await store.list();
    expect(listed.runs.map((r) => r.revisionId).sort()).toEqual(
      session.runs.map((r) => r.revision.id).sort(),
    );
    expect(listed.snapshots).toHaveLength(2);
    const shown = await store.show(session.runs[1]!.record.id);
    expect(shown.type === 'run' && shown.run.result?.means['ndcg@10']).toBe(
      session.runs[1]!.result.means['ndcg@10'],
    );
    // The stored runs compare the same way as the live ones.
    const stored = compareRuns(session.runs[0]!.result, session.runs[1]!.result, { seed: 7 });
    expect(stored.significance!.pValue).toBe(comparison!.significance!.pValue);
  });

  it('keys tuner trials by the built request: a knob no query reaches costs nothing', async () => {
    const space = parseParameterSpaceText(`
parameters:
  - { path: domains.brand.boost, type: float, min: 0.5, max: 5 }
  - { path: domains.default.fields.title_en.boost, type: float, min: 0.5, max: 10 }
`);
    const objective = createTuneEvaluation(fx.es, {
      index: fx.index,
      tenantId: 'icecat',
      querySet,
      baseConfig: configs.multifield!,
      space,
      metric: 'ndcg@10',
    });
    const base = { 'domains.brand.boost': 1.5, 'domains.default.fields.title_en.boost': 3 };
    const queries = ['laptop', 'headphones'];
    const scores = await objective.evaluate(base, queries);
    expect(scores.perQuery.size).toBe(2);
    const key = (params: typeof base) => objective.requestKey(params, 'laptop');
    expect(key(base)).toMatch(/^request:/);
    expect(key({ ...base, 'domains.brand.boost': 4 })).toBe(key(base));
    expect(key({ ...base, 'domains.default.fields.title_en.boost': 6 })).not.toBe(key(base));
    // A query never evaluated has no parse yet: its key falls back to the parameters.
    expect(objective.requestKey(base, 'ssd')).toMatch(/^params:/);
  });

  it('tunes a deliberately weak config to a better held-out nDCG@10 and records the new revision', async () => {
    const space = parseParameterSpaceText(
      readFileSync(path.join(repoRoot(), 'examples', 'spaces', 'icecat-boosts.yaml'), 'utf8'),
    );
    const progress: number[] = [];
    const result = await tuneAndRecord({
      client: fx.es,
      store,
      index: fx.index,
      tenantId: 'icecat',
      querySet,
      baseConfig: configs.weak!,
      baseLabel: 'weak',
      space,
      trials: 30,
      folds: 3,
      seed: 0,
      onProgress: (e) => {
        if (e.type === 'trial') progress.push(e.done);
      },
    });
    const { report } = result;
    expect(report.trialsRun).toBe(30);
    expect(progress.at(-1)).toBe(30);
    // Three outer folds and the final run on every query.
    expect(report.cv.folds).toHaveLength(4);
    expect(report.cv.meanValidationGain!).toBeGreaterThan(0.01);
    expect(report.cv.meanBestValidation!).toBeGreaterThan(report.cv.meanBaseValidation!);
    // Nested CV: a real gain over the weak base, on queries each fold's tuning never saw.
    const outer = report.cv.outer!;
    expect(outer.queries).toBe(81);
    expect(outer.ci.lower).toBeGreaterThan(0);
    expect(outer.pValue).toBeLessThan(0.05);
    expect(result.verdict).toBe('reliable-gain');
    expect(result.proposed).toBe(true);
    expect(result.queriesLeftOut).toHaveLength(19);
    expect(result.changed).toBe(true);
    expect(result.revision.parent).toBe(result.baseRevision.id);
    expect(result.evalRuns!.tuned.means['ndcg@10']!).toBeGreaterThan(
      result.evalRuns!.base.means['ndcg@10']!,
    );
    const diff = await store.diffRevisions(result.baseRevision.id, result.revision.id);
    expect(diff.configChanges.length).toBeGreaterThan(0);
    expect(diff.metrics!.changes.find((c) => c.metric === 'ndcg@10')!.delta!).toBeGreaterThan(0);
    const tuneRun = await store.getRun(result.tuneRun.id);
    expect(tuneRun.tune!.baseRevisionId).toBe(result.baseRevision.id);
  }, 600_000);

  it('verifies against _rank_eval where the cluster has it, and says so clearly where it does not', async () => {
    const availability = await detectRankEval(fx.es, fx.index, esUrl());
    if (!availability.available) {
      expect(availability.reason).toMatch(/rank-eval module/);
      const attempt = evaluateAndRecord({
        client: fx.es,
        url: esUrl(),
        store,
        index: fx.index,
        tenantId: 'icecat',
        querySet,
        configs: [{ config: configs.multifield! }],
        verify: true,
      });
      await expect(attempt).rejects.toThrow(RwbError);
      await expect(attempt).rejects.toMatchObject({
        code: 'ES_ERROR',
        message: expect.stringContaining('_rank_eval'),
      });
      return;
    }
    const out = await runEvaluation(fx.es, {
      index: fx.index,
      tenantId: 'icecat',
      querySet,
      configs: [{ revisionId: 'multifield', config: configs.multifield! }],
      keepRequests: true,
    });
    const report = await verifyRun(fx.es, {
      index: fx.index,
      tenantId: 'icecat',
      run: out.results[0]!,
      requests: out.requests![0]!.queries,
      querySet,
    });
    expect(report.agrees).toBe(true);
  });
});
