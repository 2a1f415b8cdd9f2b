/**
 * Query embedders for evaluation, one per model and shared by every config and run of a session:
 * a config enabling text embedding is searched with its own model's vectors, and each query text
 * is encoded once per model however many configs, runs or tuner trials ask for it.
 */
import type { TextEncoder, TextEncoderOptions } from '../embed/text-encoder.ts';
import { cachedEmbedder } from '../query/cached-embedder.ts';
import type { QueryEmbedder } from '../query/query-parser.ts';

export interface QueryEmbedderSource {
  /** The cached embedder of `model`, starting its encoder on first use. */
  forModel(model: string): Promise<QueryEmbedder>;
  /** Query texts encoded and served from memory, over all models. */
  stats(): { models: string[]; encoded: number; cached: number };
  close(): Promise<void>;
}

export interface QueryEmbedderOptions {
  /** Query vectors kept per model (LRU). Default 50 000. */
  capacity?: number;
  /** Encoder threads (queries are short; 1–2 is plenty). Default 2. */
  threads?: number;
  executionProvider?: TextEncoderOptions['executionProvider'];
  log?: (message: string) => void;
  /** Replaces engine/embed's createTextEncoder (tests, other runtimes). */
  createEncoder?: (options: TextEncoderOptions) => Promise<TextEncoder>;
}

type CachedEmbedder = ReturnType<typeof cachedEmbedder>;

export function createQueryEmbedders(options: QueryEmbedderOptions = {}): QueryEmbedderSource {
  const encoders = new Map<string, Promise<TextEncoder>>();
  const embedders = new Map<string, CachedEmbedder>();
  const capacity = options.capacity ?? 50_000;

  const encoderFor = (model: string): Promise<TextEncoder> => {
    let pending = encoders.get(model);
    if (!pending) {
      const create =
        options.createEncoder ??
        (async (o: TextEncoderOptions) =>
          (await import('../embed/text-encoder.ts')).createTextEncoder(o));
      pending = create({
        model,
        threads: options.threads ?? 2,
        ...(options.executionProvider && { executionProvider: options.executionProvider }),
        ...(options.log && { log: options.log }),
      });
      // A failed start is not cached: the next run may try again (e.g. after `rwb models fetch`).
      pending.catch(() => encoders.delete(model));
      encoders.set(model, pending);
    }
    return pending;
  };

  return {
    async forModel(model) {
      const existing = embedders.get(model);
      if (existing) return existing;
      const encoder = await encoderFor(model);
      const embedder =
        embedders.get(model) ??
        cachedEmbedder(async (text) => {
          const [vector] = await encoder.encodeQueries([text]);
          return vector!;
        }, capacity);
      embedders.set(model, embedder);
      return embedder;
    },
    stats() {
      let encoded = 0;
      let cached = 0;
      for (const embedder of embedders.values()) {
        const s = embedder.stats();
        encoded += s.misses;
        cached += s.hits;
      }
      return { models: [...embedders.keys()], encoded, cached };
    },
    async close() {
      const started = [...encoders.values()];
      encoders.clear();
      embedders.clear();
      await Promise.all(
        started.map((p) => p.then((encoder) => encoder.close()).catch(() => undefined)),
      );
    },
  };
}
