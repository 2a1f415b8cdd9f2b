/** Public surface of the embedding module (text + image encoders, model registry, cache). */
export {
  createTextEncoder,
  defaultThreadCount,
  type OnnxTextEncoder,
  type TextEncoder,
  type TextEncoderOptions,
} from './text-encoder.ts';
export {
  createCachedTextEncoder,
  EmbeddingCache,
  cacheKey,
  type CachedTextEncoder,
  type CacheStats,
} from './embedding-cache.ts';
export {
  createImageEncoder,
  type ImageEmbeddingResult,
  type ImageEncoder,
  type ImageEncoderOptions,
} from './image-encoder.ts';
export {
  DEFAULT_MODEL_IDS,
  TEXT_MODELS,
  fetchModel,
  getModelInfo,
  getModelSpec,
  installedModelFiles,
  listModels,
  type InstalledModelFiles,
  type ModelListing,
  type TextModelSpec,
} from './registry.ts';
export type { ExecutionProvider, ExecutionProviderRequest } from './execution-provider.ts';
export { dot, l2Normalize, vectorNorm } from './batching.ts';
