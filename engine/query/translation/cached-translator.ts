import { LruCache } from '../lru-cache.ts';
import type { TranslateOptions, TranslationRequest, Translator } from './translator.ts';

/**
 * Remembers translations (including "none available") so a repeated query costs no API call, and
 * joins concurrent requests for the same text instead of sending them twice.
 */
export class CachedTranslator implements Translator {
  readonly provider: string;
  private readonly cache: LruCache<string, string | null>;
  private readonly inFlight = new Map<string, Promise<string | null>>();

  constructor(
    private readonly inner: Translator,
    capacity: number,
  ) {
    this.provider = inner.provider;
    this.cache = new LruCache(capacity);
  }

  get stats(): { size: number; hits: number; misses: number } {
    return { size: this.cache.size, hits: this.cache.hits, misses: this.cache.misses };
  }

  async translate(request: TranslationRequest, options?: TranslateOptions): Promise<string | null> {
    const key = `${request.from ?? ''}\u0000${request.to}\u0000${request.text}`;
    // Null is a cached answer ("no translation"); undefined means not cached.
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const promise = this.inner
      .translate(request, options)
      .then((result) => {
        this.cache.set(key, result);
        return result;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }
}
