import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, PrefixTracker, checkpointKey } from '../../engine/ingest/checkpoint.ts';

describe('PrefixTracker', () => {
  it('advances the prefix only over contiguous finished items and remembers the last id', () => {
    const t = new PrefixTracker();
    t.finish(2, 'b', 'indexed');
    t.finish(3, 'c', 'failed');
    expect(t.finished).toBe(0);
    expect(t.lastId).toBeNull();
    t.finish(1, 'a', 'indexed');
    expect(t.finished).toBe(3);
    expect(t.lastId).toBe('c'); // a rejected product can end the prefix: its id must be known
    t.finish(5, 'e', 'deleted');
    expect(t.finished).toBe(3);
    expect(t.aheadOutcomes()).toEqual({ indexed: 0, deleted: 1, failed: 0 });
  });

  it('starts from a checkpoint and ignores items at or below it', () => {
    const t = new PrefixTracker(10, 'j');
    t.finish(9, 'i', 'indexed');
    expect(t.finished).toBe(10);
    expect(t.lastId).toBe('j');
    t.finish(11, 'k', 'indexed');
    expect(t.finished).toBe(11);
    expect(t.aheadOutcomes()).toEqual({ indexed: 0, deleted: 0, failed: 0 });
  });
});

describe('CheckpointStore', () => {
  it('saves concurrently without losing the last write, loads and clears', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-cp-'));
    try {
      const store = new CheckpointStore(dir);
      const key = checkpointKey({ a: 1 });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.save({ key, finished: i, lastId: `id${i}`, since: null, updatedAt: 'now' })),
      );
      expect(await store.load(key)).toMatchObject({ finished: 19, lastId: 'id19' });
      expect(await store.load(checkpointKey({ a: 2 }))).toBeNull();
      await store.clear(key);
      expect(await store.load(key)).toBeNull();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
