/**
 * The other writers of the local store as transactions: slider moves sent at once all land in the
 * working config (each applies on top of the previous one), saving a revision while sliders move
 * keeps both, and checkpoint saves fired without waiting leave the last one, whole.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiContext } from '../../engine/api/context.ts';
import { useThrowawayHome } from '../helpers/throwaway-home.ts';
import { invoke } from '../../engine/api/invoke.ts';
import { CheckpointStore } from '../../engine/ingest/checkpoint.ts';

let home: string;
let ctx: ApiContext;

const throwaway = useThrowawayHome('rwb-writers-');
beforeAll(() => {
  ctx = throwaway.ctx();
  home = throwaway.home();
});

const valueOf = (w: { tunables: Array<{ path: string; value: unknown }> }, p: string) =>
  w.tunables.find((t) => t.path === p)?.value;

describe('working config transactions', () => {
  it('keeps every one of several slider moves sent at once', async () => {
    await invoke('config.set', { reset: true }, ctx);
    const moves: Array<Record<string, number | boolean>> = [
      { 'domains.title.boost': 3.5 },
      { 'ranking.fusion.rankConstant': 7 },
      { 'ranking.functions.create_time.enabled': true },
    ];
    await Promise.all(moves.map((overrides) => invoke('config.set', { overrides }, ctx)));
    const working = await invoke('config.get', undefined, ctx);
    expect(valueOf(working, 'domains.title.boost')).toBe(3.5);
    expect(valueOf(working, 'ranking.fusion.rankConstant')).toBe(7);
    // The stored file holds the same, whole.
    const file = path.join(home, 'state', 'workbench', 'default', 'working-config.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { config: { ranking: unknown } };
    expect(stored.config.ranking).toMatchObject({ fusion: { rankConstant: 7 } });
  });

  it('saves a revision and moves a slider at once without losing either', async () => {
    const [saved] = await Promise.all([
      invoke('config.save', { note: 'while moving' }, ctx),
      invoke('config.set', { overrides: { 'domains.title.boost': 5 } }, ctx),
    ]);
    const working = await invoke('config.get', undefined, ctx);
    expect(valueOf(working, 'domains.title.boost')).toBe(5);
    const listed = await invoke('config.list', undefined, ctx);
    expect(listed.revisions.map((r) => r.id)).toContain(saved.revision.id);
    // The slider move came after the save: the working config is based on it and differs.
    expect(working).toMatchObject({ baseRevisionId: saved.revision.id, dirty: true });
  });
});

describe('checkpoint transactions', () => {
  it('keeps the last of 50 saves fired without waiting, whole, and clears', async () => {
    const dir = path.join(home, 'checkpoints');
    const store = new CheckpointStore(dir);
    const key = 'k';
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.save({ key, finished: i, lastId: `id${i}`, since: null, updatedAt: 'now' }),
      ),
    );
    expect(await store.load(key)).toMatchObject({ finished: 49, lastId: 'id49' });
    expect(await readdir(dir)).toEqual(['ingest-k.json']);
    await store.clear(key);
    expect(await store.load(key)).toBeNull();
  });
});
