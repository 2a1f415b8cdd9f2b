/**
 * The embedding stage of ingest: which text of a document is embedded, and the cached encoder
 * that turns a batch of those texts into title_embedding vectors (unchanged texts are never
 * encoded twice: the on-disk cache is keyed by model + content hash).
 */
import type { ProductDoc } from '../catalog/types.ts';
import { createTextEncoder, createCachedTextEncoder, getModelInfo } from '../embed/index.ts';
import type { IngestOptions } from './options.ts';

export interface DocumentEmbedder {
  modelId: string;
  dims: number;
  executionProvider: string;
  /** The text embedded for a document, or null when it has none. */
  textFor(doc: ProductDoc): string | null;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
  stats(): { computed: number; cached: number };
  close(): Promise<void>;
}

export async function openDocumentEmbedder(cfg: IngestOptions['embedding']): Promise<DocumentEmbedder> {
  const model = cfg.model!;
  const info = getModelInfo(model);
  const base = await createTextEncoder({ model, executionProvider: cfg.executionProvider, threads: cfg.threads });
  const cached = await createCachedTextEncoder(base, { dir: cfg.cacheDir });
  // The title in the model's own language first, then the other one.
  const order: Array<keyof ProductDoc> = info.language === 'en' ? ['title_en', 'title_zh'] : ['title_zh', 'title_en'];
  return {
    modelId: base.modelId,
    dims: base.dims,
    executionProvider: base.executionProvider,
    textFor(doc) {
      for (const field of order) {
        const v = doc[field];
        if (typeof v === 'string' && v.trim()) return v.trim();
      }
      return null;
    },
    async embed(texts, signal) {
      const vectors = await cached.encodeDocuments(texts, { signal });
      return vectors.map(compactVector);
    },
    stats: () => cached.stats(),
    close: () => cached.close(),
  };
}

/**
 * Unit vectors have components in [-1, 1]; 7 decimals keep them far beyond float32 resolution
 * in cosine terms while halving the JSON that goes over the wire to ES.
 */
export function compactVector(v: Float32Array): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.round(v[i]! * 1e7) / 1e7;
  return out;
}
