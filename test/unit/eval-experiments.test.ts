import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRunResult, type RunResult } from '../../engine/eval/compare-run-result.ts';
import { diffRankings, diffSnapshot } from '../../engine/eval/compare-snapshot.ts';
import { evaluateQuery } from '../../engine/eval/metrics-summary.ts';
import { diffConfigs } from '../../engine/eval/experiments-diff.ts';
import { snapshotQueriesFromRun } from '../../engine/eval/experiments-records.ts';
import { canonicalJson, revisionIdOf } from '../../engine/eval/experiments.ts';
import { ExperimentStore } from '../../engine/eval/store/experiment-store.ts';
import { parseParameterSpace } from '../../engine/eval/tuner/space.ts';
import { tune } from '../../engine/eval/tuner/tuner.ts';
import { prng as seededRandom } from '../helpers/seeded.ts';

const baseConfig = {
  name: 'base',
  domains: [
    {
      name: 'default',
      boost: 1,
      fields: [
        { field: 'title_en', boost: 3 },
        { field: 'brief_en', boost: 1 },
      ],
    },
    { name: 'brand', boost: 1.5, fields: [{ field: 'vendor_en', boost: 1 }] },
  ],
  query: { supportedLanguages: ['zh', 'en'], knn: { k: 50 }, fuzziness: 'AUTO' },
};
const tunedConfig = {
  name: 'base',
  domains: [
    { name: 'brand', boost: 1.5, fields: [{ field: 'vendor_en', boost: 1 }] },
    {
      name: 'default',
      boost: 1,
      fields: [
        { field: 'title_en', boost: 4.5 },
        { field: 'brief_en', boost: 1 },
        { field: 'tags', boost: 1 },
      ],
    },
  ],
  query: { supportedLanguages: ['zh', 'en', 'ru'], knn: { k: 80 } },
};

const judged = new Map([
  [
    'laptop',
    new Map([
      ['l1', 3],
      ['l2', 1],
    ]),
  ],
  ['phone, cheap', new Map([['p1', 2]])],
]);

function run(revisionId: string, rankings: Record<string, string[]>): RunResult {
  return buildRunResult({
    revisionId,
    metrics: ['ndcg@3'],
    k: 3,
    querySet: { name: 'icecat', tenant: 'acme' },
    queries: Object.entries(rankings).map(([query, hits]) => ({
      scored: evaluateQuery({ query, hits, ratings: judged.get(query) ?? new Map() }, ['ndcg@3']),
      language: 'en',
      hits,
      tookMs: 3,
      totalMs: 4,
    })),
  });
}

let dir = '';
let store: ExperimentStore;
let tick = 0;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-experiments-'));
  tick = 0;
  // A clock that advances a minute per call keeps ordering deterministic.
  store = new ExperimentStore(dir, () => new Date(Date.UTC(2025, 0, 1, 0, tick++)));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** canonicalJson as first written (a key-sorting replacer): the text revision ids hash. */
function replacerCanonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, node: unknown) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(node).sort())
      sorted[key] = (node as Record<string, unknown>)[key];
    return sorted;
  });
}

describe('canonical JSON', () => {
  it('writes exactly the key-sorting replacer text (revision ids stay what they were)', () => {
    const random = seededRandom(7);
    const leaf = (): unknown => {
      const pick = Math.floor(random() * 9);
      return [
        () => random() * 200 - 100,
        () => Math.floor(random() * 1e6),
        () => `s"${Math.floor(random() * 99)}\n\u2028中`,
        () => random() < 0.5,
        () => null,
        () => undefined,
        () => Number.NaN,
        () => new Date(Math.floor(random() * 1e12)),
        () => -0,
      ][pick]!();
    };
    const tree = (depth: number): unknown => {
      if (depth === 0 || random() < 0.3) return leaf();
      if (random() < 0.4)
        return Array.from({ length: Math.floor(random() * 5) }, () => tree(depth - 1));
      const keys = ['b', 'a', 'z', '10', '2', 'é', 'A', '__proto_'];
      const node: Record<string, unknown> = {};
      for (const key of keys) if (random() < 0.5) node[key] = tree(depth - 1);
      return node;
    };
    for (let i = 0; i < 300; i++) {
      const value = tree(5);
      expect(canonicalJson(value)).toBe(replacerCanonicalJson(value));
    }
    for (const value of [baseConfig, tunedConfig, { v: [1e21, 1e-7, 0.1 + 0.2, -0] }, 'x', 3])
      expect(canonicalJson(value)).toBe(replacerCanonicalJson(value));
    expect(revisionIdOf(baseConfig)).toBe(
      `rev-${createHash('sha256').update(replacerCanonicalJson(baseConfig)).digest('hex').slice(0, 16)}`,
    );
  });
});

describe('revisions', () => {
  it('are content-addressed, immutable and linked to their parent', async () => {
    const first = await store.createRevision(baseConfig, { note: 'baseline' });
    expect(first.created).toBe(true);
    expect(first.revision.id).toBe(revisionIdOf(baseConfig));
    expect(first.revision.id).toMatch(/^rev-[0-9a-f]{16}$/);
    // Same content in another key order is the same revision; the first note is kept.
    const reordered = JSON.parse(canonicalJson(baseConfig)) as object;
    const again = await store.createRevision(reordered, { note: 'other note' });
    expect(again).toEqual({ revision: first.revision, created: false });

    const child = await store.createRevision(tunedConfig, {
      parent: first.revision.id.slice(0, 8),
      note: 'tuned',
    });
    expect(child.revision.parent).toBe(first.revision.id);
    await expect(store.createRevision({ x: 1 }, { parent: 'rev-nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(store.createRevision([1, 2])).rejects.toThrow(/JSON object/);
    await expect(store.getRevision('rev-')).rejects.toThrow(/matches 2 revisions/);
    expect((await store.getRevision(child.revision.id.slice(0, 10))).note).toBe('tuned');
  });

  it('detects a hand-edited revision and lists it as a problem without hiding the rest', async () => {
    const { revision } = await store.createRevision(baseConfig, { note: 'baseline' });
    await store.createRevision(tunedConfig, { parent: revision.id });
    const file = path.join(dir, 'revisions', `${revision.id}.json`);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { config: { name: string } };
    stored.config.name = 'edited';
    await writeFile(file, JSON.stringify(stored));
    await writeFile(
      path.join(dir, 'revisions', 'rev-future.json'),
      JSON.stringify({ schemaVersion: 9 }),
    );
    const listed = await store.list();
    expect(listed.revisions).toHaveLength(1);
    expect(listed.problems.map((p) => p.message).join('\n')).toMatch(/does not match revision id/);
    expect(listed.problems.map((p) => p.message).join('\n')).toMatch(/schemaVersion 9 is newer/);
    await expect(store.getRevision(revision.id)).rejects.toThrow(/edited/);
  });
});

describe('runs, snapshots and history', () => {
  it('records runs with annotations and lists them as a score history', async () => {
    const base = (await store.createRevision(baseConfig, { note: 'baseline' })).revision;
    const tuned = (
      await store.createRevision(tunedConfig, { parent: base.id, note: 'title boost, comma' })
    ).revision;
    await expect(
      store.recordRun(run('rev-0000000000000000', { laptop: [] })),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const runA = await store.recordRun(
      run(base.id, { laptop: ['l2', 'x', 'l1'], 'phone, cheap': ['x', 'p1'] }),
    );
    const runB = await store.recordRun(
      run(tuned.id, { laptop: ['l1', 'l2'], 'phone, cheap': ['p1'] }),
      { note: 'after' },
    );
    await store.annotate(runB.id, 'boosted titles, "a lot"');
    await expect(store.annotate(runB.id, '  ')).rejects.toThrow(/needs some text/);

    const history = await store.scoreHistory('ndcg@3', { querySet: 'icecat' });
    expect(history.map((p) => [p.revisionId, p.parent])).toEqual([
      [base.id, null],
      [tuned.id, base.id],
    ]);
    expect(history[1]?.value).toBe(1);
    expect(history[0]?.value).toBeLessThan(1);
    expect(history[1]?.annotations.map((a) => a.text)).toEqual(['boosted titles, "a lot"']);
    expect(await store.scoreHistory('ndcg@3', { querySet: 'other' })).toEqual([]);

    const listed = await store.list({ querySet: 'acme/icecat' });
    expect(listed.runs.map((r) => r.id)).toEqual([runA.id, runB.id]);
    expect(listed.runs[0]).not.toHaveProperty('result');
    const shown = await store.show(base.id);
    expect(shown.type === 'revision' && shown.children.map((c) => c.id)).toEqual([tuned.id]);
    expect(shown.type === 'revision' && shown.runs.map((r) => r.id)).toEqual([runA.id]);
    const shownRun = await store.show(runB.id);
    expect(shownRun.type === 'run' && shownRun.run.result?.queries).toHaveLength(2);
  });

  it('diffs two revisions: config paths, metric means and a per-query comparison', async () => {
    const base = (await store.createRevision(baseConfig)).revision;
    const tuned = (await store.createRevision(tunedConfig, { parent: base.id })).revision;
    const noRuns = await store.diffRevisions(base.id, tuned.id);
    expect(noRuns.metrics).toBeNull();
    expect(noRuns.comparison).toBeNull();
    await store.recordRun(run(base.id, { laptop: ['l2', 'x', 'l1'], 'phone, cheap': ['x', 'p1'] }));
    await store.recordRun(run(tuned.id, { laptop: ['l1', 'l2'], 'phone, cheap': ['p1'] }));
    const diff = await store.diffRevisions(base.id, tuned.id, { compare: { iterations: 100 } });
    expect(diff.configChanges).toEqual([
      {
        path: 'domains',
        kind: 'changed',
        before: ['default', 'brand'],
        after: ['brand', 'default'],
      },
      { path: 'domains.default.fields.tags', kind: 'added', after: { field: 'tags', boost: 1 } },
      { path: 'domains.default.fields.title_en.boost', kind: 'changed', before: 3, after: 4.5 },
      { path: 'query.fuzziness', kind: 'removed', before: 'AUTO' },
      { path: 'query.knn.k', kind: 'changed', before: 50, after: 80 },
      {
        path: 'query.supportedLanguages',
        kind: 'changed',
        before: ['zh', 'en'],
        after: ['zh', 'en', 'ru'],
      },
    ]);
    expect(diff.metrics?.querySet).toBe('acme/icecat');
    const ndcg = diff.metrics?.changes.find((c) => c.metric === 'ndcg@3');
    expect(ndcg?.b).toBe(1);
    expect(ndcg?.delta).toBeCloseTo(1 - (ndcg?.a ?? 0), 12);
    expect(diff.comparison).toMatchObject({ pairs: 2, wins: 2, losses: 0 });
  });

  it('keeps snapshots of the top k with positions and explain, diffable against a later run', async () => {
    const base = (await store.createRevision(baseConfig)).revision;
    const before = run(base.id, { laptop: ['l2', 'x', 'l1', 'y'], 'phone, cheap': ['x', 'p1'] });
    const recorded = await store.recordRun(before);
    const queries = snapshotQueriesFromRun(before);
    queries[0] = {
      ...queries[0]!,
      docs: queries[0]!.docs.map((d, i) => ({
        ...d,
        score: 10 - i,
        explain: {
          value: 10 - i,
          description: 'sum of:',
          details: [{ value: 1, description: 'idf' }],
        },
      })),
    };
    const snapshot = await store.recordSnapshot({
      revisionId: base.id,
      runId: recorded.id,
      k: 3,
      queries,
      note: 'before tuning',
    });
    expect(snapshot.queries[0]?.docs.map((d) => [d.id, d.position])).toEqual([
      ['l2', 1],
      ['x', 2],
      ['l1', 3],
    ]);
    expect(snapshot.queries[0]?.docs[0]?.explain?.details?.[0]?.description).toBe('idf');
    expect((await store.getSnapshot(snapshot.id)).queries).toEqual(snapshot.queries);
    expect((await store.list()).snapshots.map((s) => [s.id, s.queryCount])).toEqual([
      [snapshot.id, 2],
    ]);

    const later = run(base.id, { laptop: ['l1', 'l2', 'z'], 'phone, cheap': ['x', 'p1'] });
    const diff = diffSnapshot(snapshot, later);
    const laptop = diff.queries.find((q) => q.query === 'laptop');
    expect(laptop?.entered).toEqual([{ id: 'z', position: 3 }]);
    expect(laptop?.left).toEqual([{ id: 'x', position: 2 }]);
    expect(laptop?.moved).toEqual([
      { id: 'l1', from: 3, to: 1 },
      { id: 'l2', from: 1, to: 2 },
    ]);
    expect(diff.changedQueries).toBe(1);
    expect(diff.queries.find((q) => q.query === 'phone, cheap')?.rbo).toBeCloseTo(1, 12);
    await expect(
      store.recordSnapshot({ revisionId: base.id, runId: 'run-missing', k: 3, queries }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('records a tuning run with its report and exports the history as JSON and CSV', async () => {
    const base = (await store.createRevision(baseConfig, { note: 'baseline' })).revision;
    const space = parseParameterSpace({
      metric: 'ndcg@3',
      parameters: [
        { path: 'domains.default.fields.title_en.boost', type: 'float', min: 1, max: 10 },
      ],
    });
    const queries = ['laptop', 'phone, cheap', 'tv'];
    const result = await tune({
      space,
      baseConfig,
      queries,
      trials: 6,
      folds: 3,
      seed: 1,
      sensitivityPoints: 3,
      evaluate: async (params, subset) => ({
        perQuery: new Map(
          subset.map((q) => [
            q,
            1 - Math.abs((params['domains.default.fields.title_en.boost'] as number) - 6) / 10,
          ]),
        ),
      }),
    });
    const tuned = (
      await store.createRevision(result.bestConfig, { parent: base.id, note: 'tuned' })
    ).revision;
    const tuneRun = await store.recordTune({
      baseRevisionId: base.id,
      revisionId: tuned.id,
      report: result.report,
    });
    expect(tuneRun.kind).toBe('tune');
    expect(tuneRun.means).toEqual({ 'ndcg@3': result.report.bestScore });
    const listed = await store.list();
    expect(listed.runs[0]?.validationGain).toBe(result.report.cv.meanValidationGain);
    expect((await store.getRun(tuneRun.id)).tune?.report.trials).toHaveLength(
      result.report.trials.length,
    );

    await store.recordRun(run(base.id, { laptop: ['l1'] }), { note: 'eval' });
    const exported = JSON.parse(await store.exportHistory()) as {
      schemaVersion: number;
      revisions: unknown[];
      runs: unknown[];
      snapshots: unknown[];
    };
    expect(exported.schemaVersion).toBe(1);
    expect(exported.revisions).toHaveLength(2);
    expect(exported.runs).toHaveLength(2);
    const csv = await store.exportHistory({ format: 'csv' });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'created_at,run_id,kind,query_set,revision_id,parent,revision_note,metric,value,annotations',
    );
    // The tune's metric, then the eval run's ndcg@3, its condensed and upper values, unrated@3.
    expect(lines).toHaveLength(6);
    expect(lines.map((line) => line.split(',')[7])).toEqual([
      'metric',
      'ndcg@3',
      'ndcg@3',
      'ndcg@3:condensed',
      'ndcg@3:upper',
      'unrated@3',
    ]);
    expect(lines[1]).toContain(',tune,');
    expect(lines[1]).toContain(`,${tuned.id},${base.id},tuned,ndcg@3,`);
    await expect(store.exportHistory({ format: 'xml' })).rejects.toThrow(/use json or csv/);
  });
});

describe('diffConfigs', () => {
  it('matches identity arrays by key, compares value arrays whole and others by position', () => {
    expect(diffConfigs({ a: [{ x: 1 }, { x: 2 }] }, { a: [{ x: 1 }, { x: 3 }, { x: 4 }] })).toEqual(
      [
        { path: 'a[1].x', kind: 'changed', before: 2, after: 3 },
        { path: 'a[2]', kind: 'added', after: { x: 4 } },
      ],
    );
    expect(
      diffConfigs({ f: [{ field: 'a.b', boost: 1 }] }, { f: [{ field: 'a.b', boost: 2 }] }),
    ).toEqual([{ path: 'f["a.b"].boost', kind: 'changed', before: 1, after: 2 }]);
    expect(diffConfigs({ s: 1 }, { s: 1 })).toEqual([]);
    expect(diffConfigs(1, 2)).toEqual([{ path: '(root)', kind: 'changed', before: 1, after: 2 }]);
  });
});

describe('diffRankings', () => {
  it('lists entered, left and moved docs', () => {
    const diff = diffRankings('q', ['a', 'b', 'c'], ['c', 'a', 'd'], 3);
    expect(diff.entered).toEqual([{ id: 'd', position: 3 }]);
    expect(diff.left).toEqual([{ id: 'b', position: 2 }]);
    expect(diff.moved).toEqual([
      { id: 'c', from: 3, to: 1 },
      { id: 'a', from: 1, to: 2 },
    ]);
    expect(diff.jaccard).toBe(2 / 4);
    expect(diffRankings('q', ['a', 'b'], ['a', 'b'], 2).unchanged).toBe(true);
  });
});
