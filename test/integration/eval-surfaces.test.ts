/**
 * The evaluation surfaces on the real Elasticsearch with the Icecat catalog (BM25 only, no
 * vectors needed): `rwb eval|tune|judgments|experiments` as child processes, and the contract
 * operations (eval.run, eval.compare, tune.start, judgments.*, experiments.*) through invoke, the
 * way the app calls them. State goes to a throwaway RWB_HOME.
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { invoke } from '../../engine/api/invoke.ts';
import { loadIcecatIntoMysql } from '../../engine/catalog/icecat.ts';
import { parseSearchConfig } from '../../engine/config/search-config-parse.ts';
import type { RunComparison } from '../../engine/eval/compare.ts';
import type { JobEvent } from '../../engine/jobs/job.ts';
import { runIngest } from '../../engine/ingest/pipeline.ts';
import { icecatDir, repoRoot } from '../../engine/paths.ts';
import {
  describeWith,
  esAvailable,
  esUrl,
  mysqlAvailable,
  requireComponent,
} from '../helpers/components.ts';
import { createIngestFixture, type IngestFixture } from '../helpers/ingest-fixtures.ts';

const JUDGMENTS = path.join(icecatDir(), 'judgments.csv');
const missing = [
  await requireComponent('Elasticsearch', () => esAvailable()),
  await requireComponent('MariaDB', mysqlAvailable),
  await requireComponent(`Icecat data (${icecatDir()})`, () => access(JUDGMENTS)),
];
const run = promisify(execFile);
const example = (name: string) => path.join(repoRoot(), 'examples', name);

let fx: IngestFixture;
let home: string;

async function rwb(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [path.join(repoRoot(), 'bin', 'rwb.mjs'), ...args],
      {
        cwd: repoRoot(),
        env: { ...process.env, RWB_HOME: home, RWB_ES_URL: esUrl(), RWB_INDEX: fx.index, CI: '' },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

describeWith(missing, 'eval surfaces on Icecat: CLI and contract operations', () => {
  beforeAll(async () => {
    fx = await createIngestFixture('eval_surfaces');
    home = await mkdtemp(path.join(os.tmpdir(), 'rwb-eval-home-'));
    await loadIcecatIntoMysql(fx.conn, { tenantId: 'icecat' });
    await runIngest(
      {
        source: { kind: 'mysql', connection: fx.conn },
        es: { url: esUrl() },
        index: fx.index,
        recreate: true,
        embedding: { model: null },
      },
      { checkpoints: fx.checkpoints, failuresDir: fx.failuresDir },
    );
  }, 1_200_000);

  afterAll(async () => {
    await fx?.cleanup();
    if (home) await rm(home, { recursive: true, force: true });
  });

  describe('rwb CLI', () => {
    it('evaluates two configs, prints the comparison and records the runs', async () => {
      const args = [
        'eval',
        '--config',
        example('configs/icecat-multifield.json'),
        '--config',
        example('configs/icecat-broken.json'),
        '--judgments',
        JUDGMENTS,
      ];
      const human = await rwb(args);
      expect(human.stderr).not.toMatch(/error \[/);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain('icecat-multifield.json');
      expect(human.stdout).toMatch(
        /paired randomization test: p = [<\d.]+ → significant at α = 0\.05/,
      );
      expect(human.stdout).toMatch(/Not averaged in .*19 queries/);

      const json = await rwb([...args, '--json', '--metric', 'ndcg@10', '--metric', 'p@5']);
      expect(json.code).toBe(0);
      const parsed = JSON.parse(json.stdout) as {
        runs: Array<{
          runId: string;
          result: { metrics: string[]; means: Record<string, number> };
        }>;
        comparisons: RunComparison[];
      };
      expect(parsed.runs).toHaveLength(2);
      expect(parsed.runs[0]!.result.metrics).toEqual(['ndcg@10', 'p@5']);
      expect(parsed.comparisons[0]!.significant).toBe(true);

      const listed = JSON.parse((await rwb(['experiments', 'list', '--json'])).stdout) as {
        revisions: unknown[];
        runs: unknown[];
        snapshots: unknown[];
      };
      expect(listed.revisions).toHaveLength(2);
      expect(listed.runs).toHaveLength(4);
      expect(listed.snapshots).toHaveLength(4);
      const shown = await rwb(['experiments', 'show', parsed.runs[1]!.runId]);
      expect(shown.stdout).toMatch(/ndcg@10\s+0\.\d{4}/);
    }, 300_000);

    it('says clearly that --verify needs the rank-eval module, with a distinct exit code', async () => {
      const verify = await rwb([
        'eval',
        '--config',
        example('configs/icecat-multifield.json'),
        '--judgments',
        JUDGMENTS,
        '--verify',
      ]);
      if (verify.code === 0) {
        // A cluster with the rank-eval module: the numbers must agree.
        expect(verify.stdout).toMatch(/Verification against ES _rank_eval/);
        expect(verify.stdout).not.toContain('DIFFERS');
        return;
      }
      expect(verify.code).toBe(3);
      expect(verify.stderr).toMatch(/does not offer _rank_eval: .*lack the rank-eval module/);
      expect(verify.stderr).not.toMatch(/at .*\.ts:\d+/);
    }, 120_000);

    it('imports judgments, tunes from the stored query set and writes the tuned config', async () => {
      const imported = await rwb([
        'judgments',
        'import',
        JUDGMENTS,
        '--name',
        'icecat',
        '--tenant',
        'icecat',
        '--json',
      ]);
      expect(imported.code).toBe(0);
      const id = (JSON.parse(imported.stdout) as { info: { id: string; queries: number } }).info.id;
      expect(id).toBe('icecat~_~icecat');
      const out = path.join(home, 'tuned.json');
      const tuned = await rwb([
        'tune',
        '--config',
        example('configs/icecat-weak.json'),
        '--query-set',
        id,
        '--space',
        example('spaces/icecat-boosts.yaml'),
        '--trials',
        '8',
        '--folds',
        '2',
        '--out',
        out,
        '--no-record-eval',
        // 8 trials cannot show a reliable gain; this test is about writing the result.
        '--accept-unreliable',
      ]);
      expect(tuned.stderr).not.toMatch(/error \[/);
      expect(tuned.code).toBe(0);
      expect(tuned.stdout).toMatch(
        /Nested-CV gain on 81 held-out queries: [+-]\d\.\d{4} \(\d\.\d{4} → \d\.\d{4}\), 95% CI \[[+-]\d\.\d{4}, [+-]\d\.\d{4}\], p = \d\.\d{4}/,
      );
      expect(tuned.stdout).toMatch(/Verdict: /);
      expect(tuned.stdout).toMatch(/Revisions: base rev-[0-9a-f]{16} → tuned rev-[0-9a-f]{16}/);
      const config = parseSearchConfig(JSON.parse(await readFile(out, 'utf8')));
      expect(config.name).toBe('icecat-weak');
      const exported = path.join(home, 'export.qrels');
      expect((await rwb(['judgments', 'export', id, exported])).code).toBe(0);
      expect((await readFile(exported, 'utf8')).split('\n')[0]).toMatch(/^\S+ 0 \S+ [0-3]$/);
    }, 300_000);

    it('rejects bad input with a message that names it', async () => {
      const bad = await rwb([
        'eval',
        '--config',
        example('configs/icecat-multifield.json'),
        '--judgments',
        JUDGMENTS,
        '--metric',
        'ndcg',
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/metric "ndcg" needs a cutoff/);
      const none = await rwb(['eval', '--config', example('configs/icecat-multifield.json')]);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/--judgments <file> or --query-set <id>/);
    }, 120_000);
  });

  describe('contract operations', () => {
    let ctx: ApiContext;
    let previousHome: string | undefined;

    beforeAll(() => {
      previousHome = process.env.RWB_HOME;
      process.env.RWB_HOME = path.join(home, 'api');
      ctx = createApiContext({
        mode: 'test',
        es: { url: esUrl(), insecure: false, requestTimeoutMs: 60_000 },
        defaultIndex: fx.index,
      });
    });

    afterAll(async () => {
      await ctx?.close();
      if (previousHome === undefined) delete process.env.RWB_HOME;
      else process.env.RWB_HOME = previousHome;
    });

    async function settled<T>(jobId: string): Promise<T> {
      const final = await ctx.jobs.settled(jobId);
      expect(final?.error).toBeNull();
      expect(final?.status).toBe('succeeded');
      return final!.result as T;
    }

    it('imports, lists, rates and exports judgments', async () => {
      const text = await readFile(JUDGMENTS, 'utf8');
      const imported = await invoke(
        'judgments.import',
        { text, format: 'csv', name: 'icecat', tenant: 'icecat' },
        ctx,
      );
      expect(imported.info).toMatchObject({ id: 'icecat~_~icecat', queries: 100, ratings: 2532 });
      expect((await invoke('judgments.list', {}, ctx)).sets.map((s) => s.id)).toEqual([
        'icecat~_~icecat',
      ]);
      const rated = await invoke(
        'judgments.rate',
        { querySetId: 'icecat~_~icecat', query: 'laptop', docId: '999999999', rating: 2 },
        ctx,
      );
      expect(rated.info.ratings).toBe(2533);
      expect(rated.query!.ratings).toContainEqual({ docId: '999999999', rating: 2 });
      await invoke(
        'judgments.rate',
        { querySetId: 'icecat~_~icecat', query: 'laptop', docId: '999999999', rating: null },
        ctx,
      );
      const got = await invoke('judgments.get', { querySetId: 'icecat~_~icecat' }, ctx);
      expect(got.info.ratings).toBe(2532);
      const exported = await invoke(
        'judgments.export',
        { querySetId: 'icecat~_~icecat', format: 'csv' },
        ctx,
      );
      expect(exported.content.split('\n')[0]).toBe('query,docid,rating');
      await expect(
        invoke(
          'judgments.rate',
          { querySetId: 'icecat~_~icecat', query: 'laptop', docId: '1', rating: 9 },
          ctx,
        ),
      ).rejects.toThrow(/outside the scale/);
    });

    it('runs eval.run as a job, compares the recorded runs and diffs the revisions', async () => {
      const multifield = JSON.parse(
        await readFile(example('configs/icecat-multifield.json'), 'utf8'),
      ) as Record<string, unknown>;
      const broken = JSON.parse(
        await readFile(example('configs/icecat-broken.json'), 'utf8'),
      ) as Record<string, unknown>;
      const events: JobEvent[] = [];
      const unsubscribe = ctx.jobs.subscribe((e) => events.push(e));
      const started = await invoke(
        'eval.run',
        {
          configs: [
            { config: multifield, label: 'multifield' },
            { config: broken, label: 'broken' },
          ],
          querySetId: 'icecat~_~icecat',
          tenantId: 'icecat',
          k: 10,
        },
        ctx,
      );
      expect(started.kind).toBe('eval');
      const result = await settled<{
        runs: Array<{ runId: string; revisionId: string }>;
        results: unknown[];
        comparison: RunComparison;
      }>(started.jobId);
      unsubscribe();
      expect(result.results).toHaveLength(2);
      expect(result.comparison.significant).toBe(true);
      expect(events.some((e) => e.type === 'progress' && e.progress.stage === 'search')).toBe(true);

      const compared = await invoke(
        'eval.compare',
        { runA: result.runs[0]!.runId, runB: result.runs[1]!.runId },
        ctx,
      );
      expect((compared as RunComparison).significance!.pValue).toBeLessThan(0.05);
      const diff = await invoke(
        'experiments.diff',
        { a: result.runs[0]!.revisionId, b: result.runs[1]!.revisionId },
        ctx,
      );
      expect((diff as { configChanges: unknown[] }).configChanges.length).toBeGreaterThan(0);
      const listed = await invoke('experiments.list', {}, ctx);
      expect(listed.runs).toHaveLength(2);
      const shown = await invoke('experiments.show', { id: result.runs[0]!.revisionId }, ctx);
      expect((shown as { type: string }).type).toBe('revision');
    }, 120_000);

    it('runs tune.start as a job with per-trial train/held-out scores and records the tuned revision', async () => {
      const weak = JSON.parse(
        await readFile(example('configs/icecat-weak.json'), 'utf8'),
      ) as Record<string, unknown>;
      const space = await readFile(example('spaces/icecat-boosts.yaml'), 'utf8');
      const details: Array<Record<string, unknown>> = [];
      const unsubscribe = ctx.jobs.subscribe((e) => {
        if (e.type === 'progress' && e.progress.detail && 'train' in e.progress.detail)
          details.push(e.progress.detail);
      });
      const started = await invoke(
        'tune.start',
        {
          baseConfig: weak,
          space,
          querySetId: 'icecat~_~icecat',
          tenantId: 'icecat',
          trials: 6,
          folds: 2,
          recordEvaluations: false,
        },
        ctx,
      );
      const result = await settled<{
        revisionId: string;
        baseRevisionId: string;
        report: { trialsRun: number };
      }>(started.jobId);
      unsubscribe();
      expect(result.report.trialsRun).toBe(6);
      expect(details).toHaveLength(6);
      expect(details[0]).toMatchObject({
        train: expect.any(Number),
        validation: expect.any(Number),
        fold: 0,
      });
      const revision = await invoke('experiments.show', { id: result.revisionId }, ctx);
      expect(revision).toMatchObject({ type: 'revision', revision: { id: result.revisionId } });
    }, 180_000);

    it('refuses bad input before starting a job', async () => {
      await expect(
        invoke('eval.run', { configs: [], querySetId: 'x', tenantId: 'icecat' }, ctx),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(
        invoke('eval.run', { configs: [{}], querySetId: 'x', tenantId: 'icecat' }, ctx),
      ).rejects.toThrow(/give a config, a revisionId, or both/);
      await expect(
        invoke(
          'tune.start',
          { baseConfig: {}, space: 'parameters: []', querySetId: 'x', tenantId: 'icecat' },
          ctx,
        ),
      ).rejects.toThrow(/space/);
      await expect(
        invoke(
          'eval.run',
          { configs: [{ config: {} }], querySetId: 'x', tenantId: 'icecat', metrics: ['ndcg'] },
          ctx,
        ),
      ).rejects.toThrow(/needs a cutoff/);
    });
  });
});
