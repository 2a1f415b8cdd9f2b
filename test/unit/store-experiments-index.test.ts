/**
 * Experiment listings read the summary index, not the records: a store in the layout before the
 * index (records only) gets one on its first listing, and afterwards 5,000 runs and 5,000
 * snapshots list with every record file's content destroyed (same inode, size and mtime, so only
 * a read could notice) — proof that no run or snapshot is read. A record that really changes
 * (an annotation: a new file by atomic rename) is re-read.
 */
import { mkdir, mkdtemp, open, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPERIMENTS_SCHEMA_VERSION } from '../../engine/eval/experiments.ts';
import { ExperimentStore } from '../../engine/eval/store/experiment-store.ts';

const COUNT = 5000;
let dir: string;
let store: ExperimentStore;
let revisionId: string;

const pad = (i: number) => String(i).padStart(5, '0');
const runId = (i: number) => `run-20240101-${pad(i)}-aaaaaa`;
const snapId = (i: number) => `snap-20240101-${pad(i)}-bbbbbb`;
/** Whole seconds, so setting the same time again gives back the identical mtime. */
const timeOf = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 1000);

async function writeOldLayout(): Promise<void> {
  await mkdir(path.join(dir, 'runs'), { recursive: true });
  await mkdir(path.join(dir, 'snapshots'), { recursive: true });
  for (let i = 0; i < COUNT; i++) {
    const createdAt = timeOf(i).toISOString();
    const run = {
      schemaVersion: EXPERIMENTS_SCHEMA_VERSION,
      id: runId(i),
      kind: 'eval',
      revisionId,
      querySet: { name: i % 2 === 0 ? 'even' : 'odd' },
      createdAt,
      metrics: ['ndcg@10'],
      means: { 'ndcg@10': i / COUNT },
      validQueries: 10,
      totalQueries: 10,
      byLanguage: {},
      annotations: [],
    };
    const snapshot = {
      schemaVersion: EXPERIMENTS_SCHEMA_VERSION,
      id: snapId(i),
      revisionId,
      createdAt,
      k: 3,
      queries: [
        {
          query: `q${i}`,
          docs: [
            { id: 'a', position: 1 },
            { id: 'b', position: 2 },
          ],
        },
      ],
    };
    const runFile = path.join(dir, 'runs', `${run.id}.json`);
    const snapFile = path.join(dir, 'snapshots', `${snapshot.id}.json`);
    await writeFile(runFile, JSON.stringify(run, null, 2));
    await writeFile(snapFile, JSON.stringify(snapshot, null, 2));
    await utimes(runFile, timeOf(i), timeOf(i));
    await utimes(snapFile, timeOf(i), timeOf(i));
  }
}

/** Overwrites a file's bytes in place, keeping inode, size and mtime. */
async function destroyInPlace(file: string): Promise<void> {
  const before = await stat(file);
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.alloc(before.size, 0x78), 0, before.size, 0);
  } finally {
    await handle.close();
  }
  await utimes(file, before.atime, before.mtime);
  const after = await stat(file);
  expect([after.ino, after.size, after.mtimeMs]).toEqual([before.ino, before.size, before.mtimeMs]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-index-'));
  store = new ExperimentStore(dir);
  revisionId = (await store.createRevision({ a: 1 }, { note: 'base' })).revision.id;
  await writeOldLayout();
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('experiment summary index', () => {
  it('builds the index from a store written in the old layout (records only)', async () => {
    expect(await readdir(dir)).not.toContain('index');
    const listed = await store.list();
    expect(listed.problems).toEqual([]);
    expect(listed.runs).toHaveLength(COUNT);
    expect(listed.snapshots).toHaveLength(COUNT);
    expect(listed.snapshots[7]).toMatchObject({ id: snapId(7), queryCount: 1 });
    expect(listed.runs[0]).not.toHaveProperty('result');
    expect((await readdir(path.join(dir, 'index'))).sort()).toEqual([
      'revisions.json',
      'runs.json',
      'snapshots.json',
    ]);
  }, 120_000);

  it('lists 5,000 runs and snapshots without reading a single record', async () => {
    for (let i = 0; i < COUNT; i++) {
      await destroyInPlace(path.join(dir, 'snapshots', `${snapId(i)}.json`));
      await destroyInPlace(path.join(dir, 'runs', `${runId(i)}.json`));
    }
    const listed = await store.list();
    expect(listed.problems).toEqual([]);
    expect(listed.runs.map((r) => r.id)).toEqual(Array.from({ length: COUNT }, (_, i) => runId(i)));
    expect(listed.snapshots).toHaveLength(COUNT);
    const odd = await store.list({ querySet: 'odd' });
    expect(odd.runs).toHaveLength(COUNT / 2);
    const history = await store.scoreHistory('ndcg@10');
    expect(history).toHaveLength(COUNT);
    expect(history[COUNT - 1]).toMatchObject({ value: (COUNT - 1) / COUNT, revisionNote: 'base' });
    // A fresh store object (another process) uses the same index.
    expect((await new ExperimentStore(dir).list()).problems).toEqual([]);
    // Reading a destroyed record itself does fail: the listing above really did not read them.
    await expect(store.getRun(runId(3))).rejects.toThrow(/not valid JSON/);
  }, 120_000);

  it('re-reads a record that changed, drops one that is gone and picks up a new one', async () => {
    const fresh = path.join(dir, 'fresh');
    const small = new ExperimentStore(fresh);
    const rev = (await small.createRevision({ b: 2 })).revision.id;
    const record = (id: string) => ({
      schemaVersion: EXPERIMENTS_SCHEMA_VERSION,
      id,
      kind: 'eval',
      revisionId: rev,
      createdAt: new Date().toISOString(),
      metrics: ['p@5'],
      means: { 'p@5': 0.5 },
      validQueries: 1,
      totalQueries: 1,
      byLanguage: {},
      annotations: [],
    });
    await mkdir(path.join(fresh, 'runs'), { recursive: true });
    await writeFile(path.join(fresh, 'runs', 'run-1.json'), JSON.stringify(record('run-1')));
    await writeFile(path.join(fresh, 'runs', 'run-2.json'), JSON.stringify(record('run-2')));
    expect((await small.list()).runs.map((r) => r.annotations.length)).toEqual([0, 0]);
    await small.annotate('run-1', 'title boost 4');
    await rm(path.join(fresh, 'runs', 'run-2.json'));
    await writeFile(path.join(fresh, 'runs', 'run-3.json'), JSON.stringify(record('run-3')));
    const listed = await small.list();
    expect(listed.runs.map((r) => [r.id, r.annotations.map((a) => a.text)])).toEqual([
      ['run-1', ['title boost 4']],
      ['run-3', []],
    ]);
  });
});
