/**
 * One writer at a time per stored file, within a process and across processes (the desktop app,
 * browser mode and the CLI can all run at once).
 *
 * - In-process: calls for the same lock run in call order (a promise queue per lock path), so
 *   two ratings fired without waiting apply in the order they were fired.
 * - Across processes: a lock file created atomically (a fully written temp file hard-linked to
 *   the lock name; link fails if the name exists) holding pid, host, time and a random token.
 * - A holder that died (kill -9, crash) leaves its lock behind: on this host a dead pid
 *   (`process.kill(pid, 0)` → ESRCH) makes it stale at once; a lock from another host, or one
 *   that cannot be read, is stale after `staleMs`. Breaking a stale lock happens under a short
 *   "breaker" lock and only if the lock still holds what was judged stale, so two waiters never
 *   both break it and a fresh lock is never removed by mistake.
 * - Waiting is bounded (`timeoutMs`): then a clear error says which lock and who holds it.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RwbError } from '../../errors.ts';
import { processIsDead, tempNameFor } from './atomic-file.ts';

export interface LockOptions {
  /** How long to wait for another process's lock before failing (default 15 s). */
  readonly timeoutMs?: number;
  /** Age after which a lock whose holder cannot be checked counts as abandoned (default 60 s). */
  readonly staleMs?: number;
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly at: string;
  readonly token: string;
  /** This module instance: worker threads share the pid but not the queue below. */
  readonly instance?: string;
}

const INSTANCE = randomBytes(6).toString('hex');

const queues = new Map<string, Promise<void>>();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` holding the lock `lockFile` (in this process and across processes). */
export function withFileLock<T>(
  lockFile: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const key = path.resolve(lockFile);
  // Registered synchronously, so the queue order is the call order.
  const previous = queues.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  return (async () => {
    try {
      await previous;
      const token = await acquire(key, options);
      try {
        return await fn();
      } finally {
        await release(key, token);
      }
    } finally {
      done();
      if (queues.get(key) === tail) queues.delete(key);
    }
  })();
}

/** Creates `target` holding `content`, atomically; false when it already exists. */
async function createExclusive(target: string, content: string): Promise<boolean> {
  const temp = tempNameFor(target);
  await writeFile(temp, content, { flag: 'wx' });
  try {
    await link(temp, target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: O_EXCL create, then write (a reader may briefly see an
    // empty lock, which counts as held until it is staleMs old).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
      try {
        await writeFile(target, content, { flag: 'wx' });
        return true;
      } catch (inner) {
        if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw inner;
      }
    }
    throw err;
  } finally {
    await rm(temp, { force: true });
  }
}

function parseHolder(text: string | null): Holder | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    // pid 0 or below would address a process group in process.kill: not a holder we can check.
    return Number.isInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.host === 'string'
      ? (value as Holder)
      : null;
  } catch {
    return null;
  }
}

async function readText(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch(() => null);
}

async function isStale(file: string, holder: Holder | null, staleMs: number): Promise<boolean> {
  if (holder && holder.host === os.hostname()) {
    // This module instance only holds it through the queue we are past (a lock left by a failed
    // release); another thread of this process shares our pid and is alive.
    if (holder.pid === process.pid) return holder.instance === INSTANCE;
    return processIsDead(holder.pid);
  }
  const info = await stat(file).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > staleMs;
}

/** Removes `file` only if it still holds `seen` (the text judged stale). */
async function breakStale(file: string, seen: string | null): Promise<void> {
  const breaker = `${file}.break`;
  const me = JSON.stringify({
    pid: process.pid,
    host: os.hostname(),
    at: new Date().toISOString(),
  });
  if (!(await createExclusive(breaker, me))) {
    // Breaking takes microseconds; a breaker older than 5 s belongs to a process that died in it.
    const info = await stat(breaker).catch(() => null);
    if (info && Date.now() - info.mtimeMs > 5_000) await rm(breaker, { force: true });
    return;
  }
  try {
    if ((await readText(file)) === seen) await rm(file, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
}

async function acquire(file: string, options: LockOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const staleMs = options.staleMs ?? 60_000;
  const token = randomBytes(8).toString('hex');
  const mine = JSON.stringify({
    pid: process.pid,
    host: os.hostname(),
    at: new Date().toISOString(),
    token,
    instance: INSTANCE,
  } satisfies Holder);
  await mkdir(path.dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let pause = 2;
  for (;;) {
    if (await createExclusive(file, mine)) return token;
    const seen = await readText(file);
    const holder = parseHolder(seen);
    if (seen !== null && (await isStale(file, holder, staleMs))) {
      await breakStale(file, seen);
      continue;
    }
    if (Date.now() > deadline) {
      const who = holder
        ? `process ${holder.pid} on ${holder.host} since ${holder.at}`
        : 'an unknown holder';
      throw new RwbError(
        'STORE_BUSY',
        `the local store is busy: ${file} is held by ${who} (waited ${Math.round(timeoutMs / 1000)} s); if no rwb process is running, delete that file`,
        { lock: file, ...(holder && { holder }) },
      );
    }
    await sleep(pause + Math.random() * pause);
    pause = Math.min(pause * 2, 50);
  }
}

async function release(file: string, token: string): Promise<void> {
  // Only our own lock: if it was (wrongly) broken and re-taken, the new holder keeps it.
  if (parseHolder(await readText(file))?.token === token) await rm(file, { force: true });
}
