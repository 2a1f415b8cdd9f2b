/**
 * The store's primitives on real files: atomic durable writes, the per-file lock (in-process
 * order, cross-process exclusion, stale-lock recovery, bounded wait) and the sweep of temp files
 * that killed writers leave behind.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepTempFiles, writeFileAtomic } from '../../engine/eval/store/atomic-file.ts';
import { withFileLock } from '../../engine/eval/store/file-lock.ts';
import { RwbError } from '../../engine/errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid that certainly belongs to no running process: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temp file', async () => {
    const file = path.join(dir, 'atomic', 'a.json');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, 'second');
    expect(await readFile(file, 'utf8')).toBe('second');
    expect(await readdir(path.dirname(file))).toEqual(['a.json']);
  });
});

describe('withFileLock', () => {
  it('runs read-modify-write cycles one at a time, in call order', async () => {
    const file = path.join(dir, 'counter.txt');
    await writeFile(file, '');
    const bump = (n: number) =>
      withFileLock(`${file}.lock`, async () => {
        const text = await readFile(file, 'utf8');
        await writeFileAtomic(file, `${text}${n},`);
      });
    await Promise.all(Array.from({ length: 100 }, (_, n) => bump(n)));
    const order = (await readFile(file, 'utf8')).split(',').filter(Boolean).map(Number);
    expect(order).toEqual(Array.from({ length: 100 }, (_, n) => n));
  });

  it('releases the lock when the work throws', async () => {
    const lock = path.join(dir, 'throws.lock');
    await expect(
      withFileLock(lock, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await withFileLock(lock, async () => 'again', { timeoutMs: 200 })).toBe('again');
  });

  it('takes over a lock whose holder died (kill -9 leaves it behind)', async () => {
    const lock = path.join(dir, 'stale.lock');
    const pid = await deadPid();
    await writeFile(
      lock,
      JSON.stringify({ pid, host: os.hostname(), at: new Date().toISOString(), token: 'x' }),
    );
    expect(await withFileLock(lock, async () => 'mine', { timeoutMs: 1000 })).toBe('mine');
    expect(await readdir(dir)).not.toContain('stale.lock');
  });

  it('waits a bounded time for a live holder, then names it', async () => {
    const lock = path.join(dir, 'live.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await writeFile(
        lock,
        JSON.stringify({ pid: child.pid, host: os.hostname(), at: 'then', token: 'y' }),
      );
      const err = await withFileLock(lock, async () => 'never', { timeoutMs: 300 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RwbError);
      expect((err as RwbError).code).toBe('STORE_BUSY');
      expect((err as RwbError).message).toContain(`held by process ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
    }
    // The holder is gone now: its lock is stale and the next writer gets through.
    expect(await withFileLock(lock, async () => 'after', { timeoutMs: 1000 })).toBe('after');
  });

  it('does not break a lock of another thread of this process (same pid)', async () => {
    const lock = path.join(dir, 'thread.lock');
    const holder = { pid: process.pid, host: os.hostname(), at: 'now', token: 't', instance: 'x' };
    await writeFile(lock, JSON.stringify(holder));
    await expect(withFileLock(lock, async () => 'no', { timeoutMs: 200 })).rejects.toThrow(/busy/);
    await rm(lock);
  });

  it('treats a lock from another host as held until it is older than staleMs', async () => {
    const lock = path.join(dir, 'foreign.lock');
    await writeFile(lock, JSON.stringify({ pid: 1, host: 'elsewhere', at: 'now', token: 'z' }));
    await expect(
      withFileLock(lock, async () => 'no', { timeoutMs: 200, staleMs: 60_000 }),
    ).rejects.toThrow(/busy/);
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    expect(await withFileLock(lock, async () => 'yes', { timeoutMs: 1000, staleMs: 60_000 })).toBe(
      'yes',
    );
  });
});

describe('sweepTempFiles', () => {
  it('removes old temp files of dead writers and keeps everything else', async () => {
    const sweep = path.join(dir, 'sweep');
    await writeFileAtomic(path.join(sweep, 'keep.json'), '{}');
    const dead = await deadPid();
    const old = new Date(Date.now() - 120_000);
    const deadTemp = path.join(sweep, `keep.json.${dead}.0123abcd.tmp`);
    const liveTemp = path.join(sweep, `keep.json.${process.pid}.0123abce.tmp`);
    const freshTemp = path.join(sweep, `keep.json.${dead}.0123abcf.tmp`);
    for (const f of [deadTemp, liveTemp, freshTemp]) await writeFile(f, '{"half');
    await utimes(deadTemp, old, old);
    await utimes(liveTemp, old, old);
    expect(await sweepTempFiles(sweep)).toBe(1);
    expect((await readdir(sweep)).sort()).toEqual(
      ['keep.json', path.basename(liveTemp), path.basename(freshTemp)].sort(),
    );
  });
});
