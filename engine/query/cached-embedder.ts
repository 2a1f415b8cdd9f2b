import { LruCache } from './lru-cache.ts';
import type { QueryEmbedder } from './query-parser.ts';

/**
 * Wraps a query embedder with an in-memory LRU (config.query.textEmbedding.cacheSize): popular
 * queries repeat, and encoding is the slowest step of parsing. Concurrent requests for the same
 * text share one encoding. The cached vector is shared, so callers must not mutate it.
 */
export function cachedEmbedder(
  embed: QueryEmbedder,
  capacity: number,
): QueryEmbedder & { stats(): { size: number; hits: number; misses: number } } {
  const cache = new LruCache<string, Float32Array>(capacity);
  const inFlight = new Map<string, Promise<Float32Array>>();
  const wrapped = async (
    text: string,
    options?: { signal?: AbortSignal },
  ): Promise<Float32Array> => {
    const cached = cache.get(text);
    if (cached !== undefined) return cached;
    const pending = inFlight.get(text);
    if (pending !== undefined) return pending;
    const promise = embed(text, options)
      .then((vector) => {
        cache.set(text, vector);
        return vector;
      })
      .finally(() => inFlight.delete(text));
    inFlight.set(text, promise);
    return promise;
  };
  return Object.assign(wrapped, {
    stats: () => ({ size: cache.size, hits: cache.hits, misses: cache.misses }),
  });
}
