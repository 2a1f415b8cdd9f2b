/** The query module's public surface (seed §4, §5.1). */
export * from './ast.ts';
export {
  parseBooleanExpression,
  DEFAULT_MAX_QUERY_LENGTH,
  DEFAULT_MAX_NESTING_DEPTH,
  type BooleanParseOptions,
} from './boolean-parser.ts';
export { printQuery } from './print.ts';
export {
  QueryParseError,
  isQueryParseError,
  type QueryParseErrorDetails,
  type QueryParseErrorKind,
} from './parse-error.ts';
export {
  compileRewriteDictionary,
  compiledDictionaryFor,
  rewriteQuery,
  originalPosition,
  normalizeRewriteKey,
  type AppliedRewrite,
  type RewriteResult,
  type CompiledRewriteDictionary,
} from './rewrite.ts';
export {
  detectLanguage,
  loadEldDetector,
  type DetectedLanguage,
  type DetectionMethod,
  type LanguageDetectionOptions,
  type LibraryDetection,
  type LibraryDetector,
} from './language-detection.ts';
export { LruCache } from './lru-cache.ts';
export { cachedEmbedder } from './cached-embedder.ts';
export * from './translation/translator.ts';
export { GlossaryTranslator, type GlossaryEntry } from './translation/glossary-translator.ts';
export { CachedTranslator } from './translation/cached-translator.ts';
export { translationTargets } from './translation/targets.ts';
export {
  createTranslator,
  type CreateTranslatorOptions,
  type RemoteTranslatorFactory,
} from './translation/create-translator.ts';
export { analyzeTerms, termKey, type AnalyzedTerm } from './analyze-terms.ts';
export {
  parseQuery,
  findTerm,
  type ParsedQuery,
  type ParseQueryDependencies,
  type QueryEmbedder,
  type QueryTimings,
  type QueryParseMode,
  type ParseFallback,
} from './query-parser.ts';
export { plainTextNode, plainTextOf } from './plain-text.ts';
