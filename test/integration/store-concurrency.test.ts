/**
 * The local store under concurrent writers, with real processes and real files:
 *
 * 1. Two writer processes (the operation table, through tsx), the "UI path" (`judgments.rate`
 *    through the operation table in this process, fired without waiting, as the Judgments screen
 *    does) and `rwb judgments import --merge` (the real CLI) change one query set at once:
 *    1,000 pairs, each rated twice by its one owner, plus 200 imported pairs. Afterwards every
 *    pair holds its owner's last rating and every imported pair its imported one.
 * 2. 50 times: a writer rates and annotates in a tight loop and is killed with SIGKILL at a random
 *    moment. Every time the store opens, every acknowledged write is there, no file is half
 *    written, and the next writer is not blocked by the dead one's lock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiContext } from '../../engine/api/context.ts';
import { useThrowawayHome } from '../helpers/throwaway-home.ts';
import { invokeOperation } from '../../engine/api/invoke.ts';
import { EXPERIMENTS_SCHEMA_VERSION } from '../../engine/eval/experiments.ts';
import { JUDGMENTS_SCHEMA_VERSION, type QuerySet } from '../../engine/eval/judgments.ts';
import { ExperimentStore } from '../../engine/eval/store/experiment-store.ts';
import { QuerySetStore } from '../../engine/eval/store/query-set-store.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const writerScript = path.join(repo, 'test/helpers/store-writer.ts');
let home: string;
let ctx: ApiContext;

function newSet(name: string): QuerySet {
  return {
    schemaVersion: JUDGMENTS_SCHEMA_VERSION,
    name,
    scale: { min: 0, max: 3, labels: {} },
    tenant: 't1',
    index: 'products',
    queries: [],
  };
}

function startWriter(job: unknown): {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, JSON.stringify(job)], {
    cwd: repo,
    env: { ...process.env, RWB_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`writer failed: ${stderr}\n`);
      resolve(code);
    }),
  );
  return { child, lines, exited };
}

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const readFileSyncText = (file: string): string => readFileSync(file, 'utf8');

const ratingsOf = (set: QuerySet) =>
  new Map(set.queries.flatMap((q) => q.ratings.map((r) => [`${q.text}|${r.docId}`, r.rating])));

const throwaway = useThrowawayHome('rwb-store-conc-', { defaultIndex: 'unused' });
beforeAll(() => {
  ctx = throwaway.ctx();
  home = throwaway.home();
});

describe('store concurrency across processes', () => {
  it('keeps the last rating of 1,000 pairs rated by two processes and the UI during an import', async () => {
    const store = new QuerySetStore();
    const { id } = await store.save(newSet('shared'));
    // Owner w (writer 0, writer 1, ui) rates its pairs twice; queries are shared, so the owners'
    // pairs interleave inside every query. The second rating is the last, and differs.
    const owners = [
      { name: 'w0', count: 300 },
      { name: 'w1', count: 300 },
      { name: 'ui', count: 400 },
    ];
    const expected = new Map<string, number>();
    const jobs = owners.map(({ name, count }) => {
      const pairs: Array<[string, string, number]> = [];
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < count; i++) {
          const query = `q${i % 25}`;
          const rating = (i + round * 2) % 4;
          pairs.push([query, `${name}-${i}`, rating]);
          expected.set(`${query}|${name}-${i}`, rating);
        }
      }
      return { name, pairs };
    });
    const importCsv = path.join(home, 'shared.csv');
    const importRows = Array.from({ length: 200 }, (_, i) => `q${i % 25},imp-${i},${(i + 1) % 4}`);
    await writeFile(importCsv, ['query,docid,rating', ...importRows].join('\n'));
    for (let i = 0; i < 200; i++) expected.set(`q${i % 25}|imp-${i}`, (i + 1) % 4);

    const writers = jobs
      .filter((j) => j.name !== 'ui')
      .map((j) => startWriter({ mode: 'rate', querySetId: id, pairs: j.pairs }));
    // The import and the UI start once the writer processes are writing.
    // Read without the lock: thanks to atomic renames the file is always a whole document.
    const ref = { name: 'shared', tenant: 't1', index: 'products' };
    await until(async () => ratingsOf(await store.load(ref)).size > 20, 'the writers to start');
    const importer = spawn(
      process.execPath,
      [
        path.join(repo, 'bin/rwb.mjs'),
        'judgments',
        'import',
        importCsv,
        '--name',
        'shared',
        '--tenant',
        't1',
        '--index',
        'products',
        '--merge',
      ],
      { cwd: repo, env: { ...process.env, RWB_HOME: home }, stdio: 'ignore' },
    );
    const imported = new Promise<number | null>((resolve) => importer.on('exit', resolve));
    const uiJob = jobs.find((j) => j.name === 'ui')!;
    // Fired without waiting, like key presses on the Judgments screen.
    const uiCalls = uiJob.pairs.map(([query, docId, rating]) =>
      invokeOperation('judgments.rate', { querySetId: id, query, docId, rating }, ctx),
    );
    await Promise.all(uiCalls);
    expect(await imported).toBe(0);
    expect(await Promise.all(writers.map((w) => w.exited))).toEqual([0, 0]);
    for (const w of writers) expect(w.lines).toContain('done');

    const final = (await invokeOperation('judgments.get', { querySetId: id }, ctx)) as {
      querySet: QuerySet;
    };
    const actual = ratingsOf(final.querySet);
    expect(actual.size).toBe(1200);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  }, 600_000);

  it('survives 50 writers killed with SIGKILL at random moments', async () => {
    const querySets = new QuerySetStore();
    const experiments = new ExperimentStore();
    const { id } = await querySets.save(newSet('churn'));
    const revision = (await experiments.createRevision({ churn: true })).revision.id;
    const runId = 'run-20240101-000000-cccccc';
    await mkdir(path.join(experiments.dir, 'runs'), { recursive: true });
    await writeFile(
      path.join(experiments.dir, 'runs', `${runId}.json`),
      JSON.stringify({
        schemaVersion: EXPERIMENTS_SCHEMA_VERSION,
        id: runId,
        kind: 'eval',
        revisionId: revision,
        createdAt: new Date().toISOString(),
        metrics: ['ndcg@10'],
        means: { 'ndcg@10': 0.5 },
        validQueries: 1,
        totalQueries: 1,
        byLanguage: {},
        annotations: [],
      }),
    );
    const acked = new Map<string, number>();
    const notes = new Set<string>();
    for (let round = 0; round < 50; round++) {
      const tag = `k${round}`;
      const writer = startWriter({ mode: 'churn', querySetId: id, runId, tag });
      // Past the dead writer's lock (if it held one) and into the loop, then a random moment.
      await until(() => writer.lines.includes('ack 0'), `writer ${round} to write`, 60_000);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
      writer.child.kill('SIGKILL');
      expect(await writer.exited).toBeNull();
      const acks = writer.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
      const last = Math.max(...acks);
      for (let n = 0; n <= last; n++) {
        acked.set(`churn|${tag}-${n}`, n % 4);
        if (n % 5 === 0) notes.add(`${tag}-${n}`);
      }

      // The store opens, holds every acknowledged write, and only whole files.
      const { querySet } = await querySets.updateById(id, (set) => set);
      const stored = ratingsOf(querySet);
      for (const [pair, rating] of acked) expect(stored.get(pair), pair).toBe(rating);
      // Beyond the acknowledged ones, at most the write in flight when the writer died.
      const mine = [...stored.keys()].filter((k) => k.startsWith(`churn|${tag}-`));
      expect(mine.length - (last + 1)).toBeLessThanOrEqual(1);
      const run = await experiments.getRun(runId);
      const texts = new Set(run.annotations.map((a) => a.text));
      for (const note of notes) expect(texts.has(note), note).toBe(true);
      for (const dir of [querySets.dir, path.join(experiments.dir, 'runs')]) {
        for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json'))) {
          expect(() => JSON.parse(readFileSyncText(path.join(dir, name)))).not.toThrow();
        }
      }
      expect((await querySets.list()).problems).toEqual([]);
      expect((await experiments.list()).problems).toEqual([]);
    }
    expect(acked.size).toBeGreaterThanOrEqual(50);
  }, 900_000);
});
