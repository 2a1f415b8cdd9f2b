/**
 * The image stage of ingest: the SPU image and each SKU's own image are encoded by a CLIP-style
 * vision tower into `image_embedding` [{vector, url}]. An image that cannot be loaded (missing file,
 * HTTP error, timeout, not an image) is a warning for that product, never a failure of the run.
 */
import type { ProductDoc, RowError } from '../catalog/types.ts';
import { createImageEncoder, type ImageEncoder } from '../embed/index.ts';
import type { IngestOptions } from './options.ts';
import { compactVector } from './embedding-stage.ts';

export interface ImageEmbedder {
  modelId: string;
  dims: number;
  executionProvider: string;
  /** Fills `image_embedding` of each document in place; returns one warning per failed image. */
  embedInto(docs: ProductDoc[], signal?: AbortSignal): Promise<RowError[]>;
  stats(): { images: number; failed: number };
  close(): Promise<void>;
}

/** Distinct image URLs of a product: its own image first, then the SKUs' images. */
export function imageUrlsOf(doc: ProductDoc, max: number): string[] {
  const urls = [doc.image_src, ...doc.skus.map((s) => s.image_src)].filter((u): u is string => typeof u === 'string' && u.trim() !== '');
  return [...new Set(urls)].slice(0, max);
}

export async function openImageEmbedder(cfg: NonNullable<IngestOptions['imageEmbedding']>): Promise<ImageEmbedder> {
  const encoder: ImageEncoder = await createImageEncoder({
    visionModelPath: cfg.visionModelPath,
    imageSize: cfg.imageSize,
    executionProvider: cfg.executionProvider,
  });
  let images = 0;
  let failed = 0;
  return {
    modelId: cfg.modelId,
    dims: encoder.dims,
    executionProvider: encoder.executionProvider,
    async embedInto(docs, signal) {
      const wanted = docs.map((doc) => imageUrlsOf(doc, cfg.maxImagesPerProduct));
      const all = [...new Set(wanted.flat())];
      if (all.length === 0) return [];
      const results = await encoder.encodeImages(all, { timeoutMs: cfg.timeoutMs, signal });
      const byUrl = new Map(results.map((r) => [r.url, r]));
      const warnings: RowError[] = [];
      docs.forEach((doc, i) => {
        const embedded: NonNullable<ProductDoc['image_embedding']> = [];
        for (const url of wanted[i]!) {
          const r = byUrl.get(url);
          images += 1;
          if (r && 'vector' in r) embedded.push({ vector: compactVector(r.vector), url });
          else {
            failed += 1;
            warnings.push({ tenant_id: doc.tenant_id, spu_id: doc.spu_id, where: `image ${url}`, reason: r && 'error' in r ? r.error : 'not encoded' });
          }
        }
        if (embedded.length > 0) doc.image_embedding = embedded;
      });
      return warnings;
    },
    stats: () => ({ images, failed }),
    close: () => encoder.close(),
  };
}
