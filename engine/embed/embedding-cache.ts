/**
 * On-disk embedding cache: one append-only file per model, `<dir>/<modelId>.vec`, loaded into a
 * Map on open. Records are fixed-size (32-byte SHA-256 of the exact model input + dims float32),
 * so a crash can only leave a partial last record, which open() cuts off before appending again.
 * Each write is one append of whole records (O_APPEND), so two processes sharing a cache do not
 * interleave inside a record.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RwbError } from '../errors.ts';
import { paths } from '../paths.ts';
import type { TextEncoder } from './text-encoder.ts';

const MAGIC = Buffer.from('RWBVEC1\n', 'ascii');
const HEADER_BYTES = 16;
const KEY_BYTES = 32;

/** SHA-256 of the exact text the model sees, as hex. */
export function cacheKey(modelInput: string): string {
  return createHash('sha256').update(modelInput, 'utf8').digest('hex');
}

export interface CacheOpenInfo {
  records: number;
  /** Bytes of an incomplete last record that were cut off (left by a crash mid-write). */
  truncatedBytes: number;
}

export class EmbeddingCache {
  private constructor(
    readonly file: string,
    readonly dims: number,
    private readonly vectors: Map<string, Float32Array>,
    private handle: fs.FileHandle | null,
    readonly openInfo: CacheOpenInfo,
  ) {}

  static async open(dir: string, modelId: string, dims: number): Promise<EmbeddingCache> {
    if (!/^[\w.-]+$/.test(modelId))
      throw new RwbError('INVALID_INPUT', `Model id "${modelId}" cannot name a cache file`);
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, `${modelId}.vec`);
    const recordBytes = KEY_BYTES + dims * 4;
    const vectors = new Map<string, Float32Array>();
    let truncatedBytes = 0;
    let records = 0;

    const existing = await fs.readFile(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (existing === null || existing.length < HEADER_BYTES) {
      // New file, or one that crashed before its header was complete: start it afresh.
      const header = Buffer.alloc(HEADER_BYTES);
      MAGIC.copy(header, 0);
      header.writeUInt32LE(dims, 8);
      await fs.writeFile(file, header);
      truncatedBytes = existing?.length ?? 0;
    } else {
      if (!existing.subarray(0, MAGIC.length).equals(MAGIC)) {
        throw new RwbError(
          'INVALID_CONFIG',
          `${file} is not an embedding cache file (bad header); move it away`,
        );
      }
      const fileDims = existing.readUInt32LE(8);
      if (fileDims !== dims) {
        throw new RwbError(
          'INVALID_CONFIG',
          `${file} holds ${fileDims}-d vectors but ${modelId} makes ${dims}-d; move it away`,
        );
      }
      const body = existing.length - HEADER_BYTES;
      records = Math.floor(body / recordBytes);
      truncatedBytes = body - records * recordBytes;
      for (let r = 0; r < records; r++) {
        const at = HEADER_BYTES + r * recordBytes;
        const key = existing.toString('hex', at, at + KEY_BYTES);
        // Copy into an aligned buffer: the record's offset is not a multiple of 4 in general.
        const vector = new Float32Array(dims);
        Buffer.from(vector.buffer).set(existing.subarray(at + KEY_BYTES, at + recordBytes));
        vectors.set(key, vector);
      }
      if (truncatedBytes > 0) await fs.truncate(file, HEADER_BYTES + records * recordBytes);
    }
    const handle = await fs.open(file, 'a');
    return new EmbeddingCache(file, dims, vectors, handle, { records, truncatedBytes });
  }

  get size(): number {
    return this.vectors.size;
  }

  /** A copy of the cached vector (callers may modify what they get). */
  get(key: string): Float32Array | undefined {
    return this.vectors.get(key)?.slice();
  }

  has(key: string): boolean {
    return this.vectors.has(key);
  }

  /** Adds vectors not cached yet and appends them to the file in one write. */
  async putMany(
    entries: ReadonlyArray<readonly [key: string, vector: Float32Array]>,
  ): Promise<void> {
    if (!this.handle) throw new RwbError('INTERNAL', `Embedding cache ${this.file} is closed`);
    const fresh = entries.filter(([key]) => !this.vectors.has(key));
    if (fresh.length === 0) return;
    const recordBytes = KEY_BYTES + this.dims * 4;
    const out = Buffer.alloc(fresh.length * recordBytes);
    fresh.forEach(([key, vector], i) => {
      if (vector.length !== this.dims) {
        throw new RwbError(
          'INTERNAL',
          `Vector of ${vector.length} dims offered to a ${this.dims}-d cache (${this.file})`,
        );
      }
      const at = i * recordBytes;
      out.write(key, at, KEY_BYTES, 'hex');
      Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(out, at + KEY_BYTES);
      this.vectors.set(key, vector.slice());
    });
    await this.handle.write(out);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}

export interface CacheStats {
  /** Texts served from the cache (including repeats within one call). */
  hits: number;
  /** Texts whose vector was computed. */
  misses: number;
  /** Same as misses, in the words of an ingest report. */
  computed: number;
  /** Same as hits, in the words of an ingest report. */
  cached: number;
}

export interface CachedTextEncoder extends TextEncoder {
  readonly cache: EmbeddingCache;
  /** Counts since creation: hits were served from the cache, misses were computed. */
  stats(): CacheStats;
}

/**
 * Wraps an encoder so that a text already encoded by this model (now or in an earlier run) is
 * never computed again. Only misses reach the inner encoder; duplicates within a call are
 * computed once. close() closes the cache and the inner encoder.
 */
export async function createCachedTextEncoder(
  encoder: TextEncoder & { queryPrefix?: string; documentPrefix?: string },
  opts: { dir?: string } = {},
): Promise<CachedTextEncoder> {
  const cache = await EmbeddingCache.open(
    opts.dir ?? paths.embeddingCache(),
    encoder.modelId,
    encoder.dims,
  );
  let hits = 0;
  let misses = 0;
  // The exact model input of a query includes the instruction prefix; an encoder that does not
  // say its prefix gets a marker that keeps query and document keys apart.
  const queryInput = (text: string) => (encoder.queryPrefix ?? '\u0000query\u0000') + text;
  // Same for documents: E5 reads "passage: " + text, and that is what its key must hash.
  const documentInput = (text: string) => (encoder.documentPrefix ?? '') + text;

  async function throughCache(
    texts: string[],
    modelInput: (text: string) => string,
    compute: (misses: string[]) => Promise<Float32Array[]>,
  ): Promise<Float32Array[]> {
    const keys = texts.map((t) => cacheKey(modelInput(t)));
    const missTexts = new Map<string, string>();
    keys.forEach((key, i) => {
      if (!cache.has(key) && !missTexts.has(key)) missTexts.set(key, texts[i]!);
    });
    if (missTexts.size > 0) {
      const computed = await compute([...missTexts.values()]);
      await cache.putMany([...missTexts.keys()].map((key, i) => [key, computed[i]!] as const));
    }
    misses += missTexts.size;
    hits += texts.length - missTexts.size;
    return keys.map((key) => cache.get(key)!);
  }

  return {
    modelId: encoder.modelId,
    dims: encoder.dims,
    executionProvider: encoder.executionProvider,
    cache,
    stats: () => ({ hits, misses, computed: misses, cached: hits }),
    encodeDocuments: (texts, o) =>
      throughCache(texts, documentInput, (misses) => encoder.encodeDocuments(misses, o)),
    encodeQueries: (texts) =>
      throughCache(texts, queryInput, (misses) => encoder.encodeQueries(misses)),
    close: async () => {
      await cache.close();
      await encoder.close();
    },
  };
}
