/**
 * The on-disk embedding cache with the real zh model: a second run over unchanged products
 * computes no vector, and returns exactly the vectors of the first run.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createCachedTextEncoder,
  createTextEncoder,
  fetchModel,
} from '../../engine/embed/index.ts';
import { describeWith, requireComponent } from '../helpers/components.ts';

const missing = await requireComponent('bge-small-zh-v15-q model', () =>
  fetchModel('bge-small-zh-v15-q'),
);

const titles = [
  '索尼 无线蓝牙降噪耳机',
  '北欧风布艺沙发',
  'iPhone 15 透明手机壳',
  '儿童保温杯',
  '运动鞋 男 透气',
];

describeWith([missing], 'embedding cache with bge-small-zh-v15-q', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-embcache-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const open = async () =>
    createCachedTextEncoder(
      await createTextEncoder({ model: 'bge-small-zh-v15-q', threads: 2, log: () => {} }),
      {
        dir,
      },
    );

  it('computes only what it has not seen, across runs', async () => {
    const run1 = await open();
    const first = await run1.encodeDocuments(titles);
    expect(run1.stats()).toMatchObject({ hits: 0, misses: 5 });
    const [q1] = await run1.encodeQueries(['蓝牙耳机']);
    expect(run1.stats()).toMatchObject({ hits: 0, misses: 6 });
    await run1.close();

    // A re-ingest: the same products plus one new, and the same query.
    const run2 = await open();
    expect(run2.cache.size).toBe(6);
    const second = await run2.encodeDocuments([...titles, '一次性医用口罩']);
    const [q2] = await run2.encodeQueries(['蓝牙耳机']);
    expect(run2.stats()).toMatchObject({ hits: 6, misses: 1 });
    first.forEach((v, i) => expect(Array.from(second[i]!)).toEqual(Array.from(v)));
    expect(Array.from(q2!)).toEqual(Array.from(q1!));
    expect(second[5]).toHaveLength(512);
    await run2.close();
  });

  it('survives a torn write at the end of the file', async () => {
    const file = path.join(dir, 'bge-small-zh-v15-q.vec');
    await fs.appendFile(file, Buffer.alloc(100, 1));
    const run3 = await open();
    expect(run3.cache.openInfo.truncatedBytes).toBe(100);
    await run3.encodeDocuments(titles);
    expect(run3.stats()).toMatchObject({ hits: 5, misses: 0 });
    await run3.close();
  });
});
