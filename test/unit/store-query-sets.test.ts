/**
 * The query set store as a transaction per change: ratings fired without waiting all land (the
 * last of each pair wins), imports merge or refuse without losing a concurrent rating, two
 * creating saves never both succeed, and a set written by the store before locks existed (plain
 * versioned JSON) opens, rates and lists unchanged.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JUDGMENTS_SCHEMA_VERSION, type QuerySet } from '../../engine/eval/judgments.ts';
import {
  importIntoStore,
  updateQuerySetById,
  withRating,
} from '../../engine/eval/runner-query-sets.ts';
import { QuerySetStore, mergeQuerySets } from '../../engine/eval/store/query-set-store.ts';

let dir: string;
let store: QuerySetStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-qs-'));
  store = new QuerySetStore(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const emptySet = (name: string): QuerySet => ({
  schemaVersion: JUDGMENTS_SCHEMA_VERSION,
  name,
  scale: { min: 0, max: 3, labels: {} },
  tenant: 't1',
  index: 'products',
  queries: [],
});

const ratingsOf = (set: QuerySet) =>
  Object.fromEntries(
    set.queries.flatMap((q) => q.ratings.map((r) => [`${q.text}|${r.docId}`, r.rating])),
  );

describe('QuerySetStore transactions', () => {
  it('keeps every one of 300 ratings fired without waiting, the last of each pair winning', async () => {
    const info = await store.save(emptySet('fast'));
    const expected: Record<string, number> = {};
    const pending: Array<Promise<unknown>> = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) {
        const rating = (i + round) % 4;
        expected[`q${i % 10}|d${i}`] = rating;
        pending.push(
          updateQuerySetById(store, info.id, (set) =>
            withRating(set, `q${i % 10}`, `d${i}`, rating),
          ),
        );
      }
    }
    await Promise.all(pending);
    const { querySet } = await updateQuerySetById(store, info.id, (set) => set);
    expect(ratingsOf(querySet)).toEqual(expected);
    // No lock or temp file is left behind.
    expect(await readdir(dir)).toEqual([`${info.id}.json`]);
  });

  it('merges an import into a set being rated at the same time', async () => {
    const info = await store.save(emptySet('merge'));
    const ratings = Array.from({ length: 50 }, (_, i) =>
      updateQuerySetById(store, info.id, (set) => withRating(set, 'shoes', `ui-${i}`, 2)),
    );
    const csv = ['query,docid,rating', ...Array.from({ length: 50 }, (_, i) => `shoes,imp-${i},1`)];
    const imported = importIntoStore(store, {
      text: csv.join('\n'),
      format: 'csv',
      name: 'merge',
      tenant: 't1',
      index: 'products',
      merge: true,
    });
    await Promise.all([...ratings, imported]);
    const { querySet } = await updateQuerySetById(store, info.id, (set) => set);
    expect(Object.keys(ratingsOf(querySet))).toHaveLength(100);
  });

  it('lets exactly one of two concurrent creating saves win', async () => {
    const results = await Promise.allSettled([
      store.save(emptySet('race')),
      store.save(emptySet('race')),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/already exists/);
  });

  it('refuses to merge sets of different scales', () => {
    const other = { ...emptySet('x'), scale: { min: 0, max: 1, labels: {} } };
    expect(() => mergeQuerySets(emptySet('x'), other)).toThrow(/scale/);
  });

  it('opens, rates and lists a set written before the store had locks', async () => {
    const old = {
      ...emptySet('legacy'),
      queries: [{ text: 'tv', ratings: [{ docId: 'a', rating: 3 }] }],
    };
    const file = path.join(dir, 't1~products~legacy.json');
    await writeFile(file, JSON.stringify(old, null, 2));
    const { querySet } = await updateQuerySetById(store, 'legacy', (set) =>
      withRating(set, 'tv', 'b', 1),
    );
    expect(ratingsOf(querySet)).toEqual({ 'tv|a': 3, 'tv|b': 1 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ name: 'legacy' });
    expect((await store.list()).sets.map((s) => [s.id, s.ratings])).toEqual([
      ['t1~products~legacy', 2],
    ]);
  });

  it('refuses an id that is not one (no path outside the store)', async () => {
    await expect(store.updateById('../etc/passwd', (s) => s)).rejects.toThrow(/not a query set id/);
  });
});
