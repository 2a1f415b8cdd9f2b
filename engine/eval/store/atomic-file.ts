/**
 * Crash-safe file replacement: the bytes go to a sibling temp file that is fsynced, renamed over
 * the target and then the directory is fsynced, so after a crash (or kill -9) a reader sees either
 * the old file or the new one — never half of one — and an acknowledged write survives power loss.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** `<file>.<pid>.<random>.tmp`: the pid lets a later sweep tell a dead writer's leftovers. */
export function tempNameFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

const TEMP_NAME = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Makes a rename durable: the directory entry itself must reach the disk. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) and file systems cannot open or fsync a directory; the rename is
    // still atomic there, only its durability across power loss is weaker.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EACCES') throw err;
  } finally {
    await handle?.close();
  }
}

/** Replaces `file` with `data` atomically and durably (temp + fsync + rename + fsync of the dir). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = tempNameFor(file);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
}

/** Removes a file durably; false when it was not there. */
export async function removeFileDurably(file: string): Promise<boolean> {
  try {
    await rm(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  await syncDirectory(path.dirname(file));
  return true;
}

/** True when no process with this pid runs on this machine (EPERM: it runs, as another user). */
export function processIsDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Deletes temp files that writers killed mid-write left in `dir`. A temp file is only removed when
 * its writer's pid is dead here and it is a minute old (a live writer on another machine sharing
 * the directory could have a pid that is free here), or when it is a day old whatever its pid.
 */
export async function sweepTempFiles(dir: string, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (!info) continue;
    const age = now - info.mtimeMs;
    const pid = Number(match[1]);
    if ((age > 60_000 && pid !== process.pid && processIsDead(pid)) || age > 86_400_000) {
      await rm(file, { force: true });
      removed += 1;
    }
  }
  return removed;
}
