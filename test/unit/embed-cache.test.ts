import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EmbeddingCache,
  cacheKey,
  createCachedTextEncoder,
} from '../../engine/embed/embedding-cache.ts';
import type { TextEncoder } from '../../engine/embed/text-encoder.ts';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-cache-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const vec = (...values: number[]) => Float32Array.from(values);

describe('EmbeddingCache', () => {
  it('keys by SHA-256 of the exact text', () => {
    expect(cacheKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(cacheKey('abc ')).not.toBe(cacheKey('abc'));
  });

  it('keeps vectors across reopen, bit for bit', async () => {
    const a = await EmbeddingCache.open(dir, 'm', 3);
    await a.putMany([
      [cacheKey('x'), vec(0.1, -0.2, 0.3)],
      [cacheKey('y'), vec(1, 0, 0)],
    ]);
    await a.close();
    const b = await EmbeddingCache.open(dir, 'm', 3);
    expect(b.size).toBe(2);
    expect(b.openInfo).toEqual({ records: 2, truncatedBytes: 0 });
    expect(Array.from(b.get(cacheKey('x'))!)).toEqual(Array.from(vec(0.1, -0.2, 0.3)));
    await b.close();
  });

  it('does not append a key twice', async () => {
    const c = await EmbeddingCache.open(dir, 'm', 2);
    await c.putMany([[cacheKey('x'), vec(1, 0)]]);
    await c.putMany([[cacheKey('x'), vec(0, 1)]]);
    await c.close();
    const size = (await fs.stat(path.join(dir, 'm.vec'))).size;
    expect(size).toBe(16 + 32 + 2 * 4);
  });

  it('tolerates a torn last record after a crash and keeps appending in step', async () => {
    const c = await EmbeddingCache.open(dir, 'm', 4);
    await c.putMany([[cacheKey('kept'), vec(1, 2, 3, 4)]]);
    await c.close();
    // A crash mid-write: half a record at the end.
    await fs.appendFile(path.join(dir, 'm.vec'), Buffer.alloc(20, 7));
    const reopened = await EmbeddingCache.open(dir, 'm', 4);
    expect(reopened.openInfo).toEqual({ records: 1, truncatedBytes: 20 });
    await reopened.putMany([[cacheKey('after'), vec(5, 6, 7, 8)]]);
    await reopened.close();
    const last = await EmbeddingCache.open(dir, 'm', 4);
    expect(last.openInfo.truncatedBytes).toBe(0);
    expect(Array.from(last.get(cacheKey('kept'))!)).toEqual([1, 2, 3, 4]);
    expect(Array.from(last.get(cacheKey('after'))!)).toEqual([5, 6, 7, 8]);
    await last.close();
  });

  it('refuses a file of another dimension or format, naming it', async () => {
    const c = await EmbeddingCache.open(dir, 'm', 4);
    await c.close();
    await expect(EmbeddingCache.open(dir, 'm', 8)).rejects.toThrow(
      /m\.vec holds 4-d vectors but m makes 8-d/,
    );
    await fs.writeFile(path.join(dir, 'bad.vec'), 'something else entirely');
    await expect(EmbeddingCache.open(dir, 'bad', 4)).rejects.toThrow(/not an embedding cache file/);
  });

  it('hands out copies', async () => {
    const c = await EmbeddingCache.open(dir, 'm', 2);
    await c.putMany([[cacheKey('x'), vec(1, 0)]]);
    c.get(cacheKey('x'))![0] = 99;
    expect(c.get(cacheKey('x'))![0]).toBe(1);
    await c.close();
  });
});

/** An encoder that records what it was asked to compute (cache logic only; real models in integration). */
function countingEncoder() {
  const computed: string[] = [];
  const encoder: TextEncoder & { queryPrefix: string } = {
    modelId: 'counting',
    dims: 2,
    executionProvider: 'cpu',
    queryPrefix: 'Q: ',
    encodeDocuments: async (texts) => {
      computed.push(...texts);
      return texts.map((t) => vec(t.length, 1));
    },
    encodeQueries: async (texts) => {
      computed.push(...texts.map((t) => `Q: ${t}`));
      return texts.map((t) => vec(t.length, -1));
    },
    close: async () => {},
  };
  return { encoder, computed };
}

describe('createCachedTextEncoder', () => {
  it('computes only misses, once per distinct text, and counts hits and misses', async () => {
    const { encoder, computed } = countingEncoder();
    const cached = await createCachedTextEncoder(encoder, { dir });
    const first = await cached.encodeDocuments(['a', 'bb', 'a']);
    expect(computed).toEqual(['a', 'bb']);
    expect(first.map((v) => v[0])).toEqual([1, 2, 1]);
    expect(cached.stats()).toMatchObject({ hits: 1, misses: 2 });
    await cached.encodeDocuments(['bb', 'ccc']);
    expect(computed).toEqual(['a', 'bb', 'ccc']);
    expect(cached.stats()).toEqual({ hits: 2, misses: 3, computed: 3, cached: 2 });
    await cached.close();
  });

  it('keys queries by their exact model input (with the prefix), apart from documents', async () => {
    const { encoder, computed } = countingEncoder();
    const cached = await createCachedTextEncoder(encoder, { dir });
    await cached.encodeDocuments(['shoe']);
    const [q] = await cached.encodeQueries(['shoe']);
    expect(q![1]).toBe(-1);
    expect(computed).toEqual(['shoe', 'Q: shoe']);
    expect(cached.cache.has(cacheKey('Q: shoe'))).toBe(true);
    await cached.close();
  });

  it('keys documents by their exact model input too (E5-style document prefix)', async () => {
    const computed: string[] = [];
    const e5Like: TextEncoder & { queryPrefix: string; documentPrefix: string } = {
      modelId: 'prefixed',
      dims: 2,
      executionProvider: 'cpu',
      queryPrefix: 'query: ',
      documentPrefix: 'passage: ',
      encodeDocuments: async (texts) => {
        computed.push(...texts.map((t) => `passage: ${t}`));
        return texts.map((t) => vec(t.length, 1));
      },
      encodeQueries: async (texts) => {
        computed.push(...texts.map((t) => `query: ${t}`));
        return texts.map((t) => vec(t.length, -1));
      },
      close: async () => {},
    };
    const cached = await createCachedTextEncoder(e5Like, { dir });
    await cached.encodeDocuments(['shoe']);
    await cached.encodeQueries(['shoe']);
    expect(computed).toEqual(['passage: shoe', 'query: shoe']);
    expect(cached.cache.has(cacheKey('passage: shoe'))).toBe(true);
    expect(cached.cache.has(cacheKey('query: shoe'))).toBe(true);
    // The key is what the model read, never the bare text.
    expect(cached.cache.has(cacheKey('shoe'))).toBe(false);
    await cached.close();
  });

  it('a second run over the same texts computes nothing', async () => {
    const run1 = countingEncoder();
    const c1 = await createCachedTextEncoder(run1.encoder, { dir });
    await c1.encodeDocuments(['a', 'b']);
    await c1.close();
    const run2 = countingEncoder();
    const c2 = await createCachedTextEncoder(run2.encoder, { dir });
    await c2.encodeDocuments(['b', 'a']);
    expect(run2.computed).toEqual([]);
    expect(c2.stats()).toMatchObject({ hits: 2, misses: 0 });
    await c2.close();
  });
});
