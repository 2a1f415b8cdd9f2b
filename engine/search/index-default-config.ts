/**
 * The starting SearchConfig for an index: the built-in default, with query embeddings switched on
 * when the index holds title vectors of a known model (the embedded default ingests with
 * bge-small-zh, and the default ranking expression `bm25() + 0.2*text_embedding_relevance()` is
 * meant to use them). An index without vectors, or one that cannot be read, keeps the plain default.
 */
import type { Client } from '@elastic/elasticsearch';
import { defaultSearchConfig, type SearchConfig } from '../config/search-config.ts';

export interface IndexDefaultConfig {
  config: SearchConfig;
  /** The text model whose vectors the index holds, when the config uses it. */
  textModel: string | null;
  /** False when the index could not be read (the caller may try again later). */
  indexRead: boolean;
}

export async function defaultConfigForIndex(
  client: Client,
  index: string,
): Promise<IndexDefaultConfig> {
  const config = defaultSearchConfig();
  try {
    // One quick look (no retries): this runs when a screen or command starts and must not stall.
    const res = await client.indices.getMapping({ index }, { maxRetries: 0, requestTimeout: 3000 });
    const meta = Object.values(res)[0]?.mappings?._meta as { text_model?: unknown } | undefined;
    const model = typeof meta?.text_model === 'string' && meta.text_model ? meta.text_model : null;
    if (model) config.query.textEmbedding = { ...config.query.textEmbedding, enabled: true, model };
    return { config, textModel: model, indexRead: true };
  } catch {
    return { config, textModel: null, indexRead: false };
  }
}
