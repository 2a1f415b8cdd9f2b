import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractZip, listZipEntries, safeEntryPath } from '../../engine/net/zip.ts';

const unixFile = (mode: number) => ({ os: 3, attrs: (0o100000 | mode) << 16 });

describe('extractZip', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rwb-zip-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('extracts stored and deflated entries, strips the top folder and keeps exec bits', async () => {
    const big = 'elasticsearch '.repeat(5000);
    const zip = zipSync({
      'elasticsearch-8.0.0/bin/elasticsearch': [
        strToU8('#!/bin/sh\necho hi\n'),
        { level: 0, ...unixFile(0o755) },
      ],
      'elasticsearch-8.0.0/lib/server.txt': [strToU8(big), { level: 9, ...unixFile(0o644) }],
      'elasticsearch-8.0.0/config/empty.yml': [new Uint8Array(0), unixFile(0o600)],
    });
    const file = path.join(dir, 'es.zip');
    await writeFile(file, zip);

    const entries = await listZipEntries(file);
    expect(entries.map((e) => e.name).sort()).toEqual([
      'elasticsearch-8.0.0/bin/elasticsearch',
      'elasticsearch-8.0.0/config/empty.yml',
      'elasticsearch-8.0.0/lib/server.txt',
    ]);

    const progress: number[] = [];
    const out = path.join(dir, 'out');
    await extractZip(file, out, {
      stripComponents: 1,
      onProgress: (p) => progress.push(p.entriesDone),
    });

    expect(await readFile(path.join(out, 'bin/elasticsearch'), 'utf8')).toBe(
      '#!/bin/sh\necho hi\n',
    );
    expect(await readFile(path.join(out, 'lib/server.txt'), 'utf8')).toBe(big);
    expect(await readFile(path.join(out, 'config/empty.yml'), 'utf8')).toBe('');
    expect((await stat(path.join(out, 'bin/elasticsearch'))).mode & 0o777).toBe(0o755);
    // Readable by everyone, so an unprivileged ES user can load the runtime.
    expect((await stat(path.join(out, 'lib/server.txt'))).mode & 0o777).toBe(0o644);
    expect((await stat(path.join(out, 'config/empty.yml'))).mode & 0o444).toBe(0o444);
    expect(progress).toEqual([1, 2, 3]);
  });

  it('refuses entries that would escape the destination', async () => {
    const file = path.join(dir, 'evil.zip');
    await writeFile(file, zipSync({ 'top/../../evil.sh': strToU8('x') }));
    await expect(extractZip(file, path.join(dir, 'out'), { stripComponents: 1 })).rejects.toThrow(
      /unsafe path/,
    );
  });

  it('rejects a file that is not a zip with a clear error', async () => {
    const file = path.join(dir, 'broken.zip');
    await writeFile(file, 'this is an HTML error page, not a zip');
    await expect(listZipEntries(file)).rejects.toThrow(/end-of-central-directory/);
  });
});

describe('safeEntryPath', () => {
  it('strips leading components and ignores the stripped folder itself', () => {
    expect(safeEntryPath('/d', 'es-8/bin/x', 1)).toBe(path.join('/d', 'bin', 'x'));
    expect(safeEntryPath('/d', 'es-8/', 1)).toBeNull();
  });
  it('rejects absolute and drive-letter paths', () => {
    expect(() => safeEntryPath('/d', '/etc/passwd', 0)).toThrow(/unsafe/);
    expect(() => safeEntryPath('/d', 'C:/x', 0)).toThrow(/unsafe/);
  });
});
