/**
 * The SearchConfig schema: what an analyst tunes and exports (issue 3, seed §2.2, §4, §5.3).
 * One zod schema per shape; the TypeScript types are inferred from it. Every object is strict, so
 * a typo (`boots: 2`) is reported instead of silently ignored.
 *
 * Cross-field rules (unique domain names, languages that exist, rewrite values that parse, …) live
 * in search-config-rules.ts; field names are checked against the index mapping in
 * search-config-fields.ts. Secrets (the DeepL key) are never part of this schema.
 */
import { z } from 'zod';

export const SEARCH_CONFIG_SCHEMA_VERSION = 2;

export const DEFAULT_RANKING_EXPRESSION = 'bm25() + 0.2*text_embedding_relevance()';

export const LanguageCodeSchema = z
  .string()
  .regex(/^[a-z]{2,3}$/, 'must be a lower-case ISO 639 language code such as "zh", "en" or "ru"');

/** An index field path (`title_zh`, `skus.price`, `title_en.keyword`). */
export const FieldNameSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/,
    'must be an index field name such as "title_zh"',
  );

/** A field name that may end in `.*` (`skus.*`) for result fields. */
export const FieldPatternSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\.\*)?$/,
    'must be an index field name such as "title_zh", optionally ending in ".*"',
  );

/** Domain names appear in queries as `name:value`, so they must be identifiers. */
export const DomainNameSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must be an identifier (letters, digits, "_"), usable as name:value in queries',
  );

/**
 * Analyzers a domain may name (`analyzer`): Elasticsearch's built-in and language analyzers, and
 * the plugin analyzers rwb builds indexes with (engine/es/analysis.ts). rwb's index defines no
 * custom analyzer, so any other name (the seed's `chinese_ecommerce`) would make every search fail.
 */
export const KNOWN_ANALYZERS: ReadonlySet<string> = new Set([
  ...['standard', 'simple', 'whitespace', 'stop', 'keyword', 'pattern', 'fingerprint'],
  ...['arabic', 'armenian', 'basque', 'bengali', 'brazilian', 'bulgarian', 'catalan', 'cjk'],
  ...['czech', 'danish', 'dutch', 'english', 'estonian', 'finnish', 'french', 'galician'],
  ...['german', 'greek', 'hindi', 'hungarian', 'indonesian', 'irish', 'italian', 'latvian'],
  ...['lithuanian', 'norwegian', 'persian', 'portuguese', 'romanian', 'russian', 'serbian'],
  ...['sorani', 'spanish', 'swedish', 'turkish', 'thai'],
  ...['hanlp_index', 'hanlp_standard', 'smartcn', 'ik_max_word', 'ik_smart'],
  // The rwb-analysis plugin of the embedded node (engine/es/analysis-plugin.ts).
  ...['rwb_english', 'rwb_english_light', 'rwb_jieba', 'rwb_smartcn'],
]);

/** `"title_zh^3"` is shorthand for `{ field: "title_zh", boost: 3 }` (the ES notation). */
function expandFieldShorthand(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const caret = value.lastIndexOf('^');
  if (caret < 0) return { field: value };
  const boost = Number(value.slice(caret + 1));
  return {
    field: value.slice(0, caret),
    boost: Number.isNaN(boost) ? value.slice(caret + 1) : boost,
  };
}

export const DomainFieldSchema = z.preprocess(
  expandFieldShorthand,
  z
    .object({
      field: FieldNameSchema,
      boost: z.number().positive().default(1),
    })
    .strict(),
);

/** An ES `minimum_should_match`: "2", "75%", "-1", "3<90%". */
export const MinimumShouldMatchSchema = z
  .string()
  .regex(
    /^(-?\d+%?|(\d+<-?\d+%?)(\s+\d+<-?\d+%?)*)$/,
    'must be an ES minimum_should_match such as "2", "75%" or "3<90%"',
  );

/** ES fuzziness; null: exact terms only. */
export const FuzzinessSchema = z
  .string()
  .regex(/^(0|1|2|AUTO(:\d+,\d+)?)$/, 'must be "0", "1", "2", "AUTO" or "AUTO:low,high"')
  .nullable();

/**
 * How a domain's fields are matched (the ES multi_match `type`, or a `combined_fields` query):
 * best_fields (the best field's score, + tieBreaker × the rest), most_fields (sum over fields),
 * cross_fields / combined_fields (the fields as one big field; combined_fields is BM25F),
 * phrase / phrase_prefix (the words in order, `slop` apart), bool_prefix (the last word as a
 * prefix, for search-as-you-type).
 */
export const TextMatchTypeSchema = z.enum([
  'best_fields',
  'most_fields',
  'cross_fields',
  'combined_fields',
  'phrase',
  'phrase_prefix',
  'bool_prefix',
]);
export type TextMatchType = z.infer<typeof TextMatchTypeSchema>;

/**
 * A proximity boost: documents where the query's words stand close together score higher. Added
 * beside the domain's match as a `should` `match_phrase` (with `slop`) on `fields`; it never
 * changes which documents match.
 */
export const ProximitySchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Fields to look for the phrase in; empty → every field of the domain. */
    fields: z.array(FieldNameSchema).default([]),
    /** How many positions apart the words may stand (0: adjacent, in order). */
    slop: z.number().int().min(0).max(50).default(2),
    boost: z.number().positive().max(1000).default(1),
  })
  .strict();

export const DomainSchema = z
  .object({
    name: DomainNameSchema,
    label: z.string().default(''),
    /** Every field the domain searches, with its boost. */
    fields: z.array(DomainFieldSchema).min(1),
    /**
     * Search-time analyzer for every field of the domain (multi_match `analyzer`), one of
     * KNOWN_ANALYZERS; absent → each field's own search analyzer from the mapping.
     */
    analyzer: z.string().min(1).optional(),
    boost: z.number().positive().default(1),
    /** How the fields are matched (see TextMatchTypeSchema). */
    type: TextMatchTypeSchema.default('best_fields'),
    /** `and`: every word must match (per field, or across fields for cross/combined_fields). */
    operator: z.enum(['or', 'and']).default('or'),
    /** Overrides ranking.minimumShouldMatch for this domain. */
    minimumShouldMatch: MinimumShouldMatchSchema.optional(),
    /** Overrides ranking.tieBreaker for this domain (best_fields, most_fields, cross_fields, phrase types). */
    tieBreaker: z.number().min(0).max(1).optional(),
    /** Overrides ranking.fuzziness for this domain (not for phrase, phrase_prefix, cross_fields, combined_fields). */
    fuzziness: FuzzinessSchema.optional(),
    /** Word distance for phrase / phrase_prefix. */
    slop: z.number().int().min(0).max(50).optional(),
    /** Optional phrase-proximity boost (see ProximitySchema). */
    proximity: ProximitySchema.optional(),
    /**
     * Language → the subset of `fields` that holds text in that language. Fields in no language
     * (e.g. `tags`) are searched with the original query whatever its language.
     */
    languageFieldMapping: z.record(LanguageCodeSchema, z.array(FieldNameSchema).min(1)).default({}),
  })
  .strict();

export const RewriteSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Query text → replacement expression, e.g. `"芭比": "brand:芭比 OR name:芭比娃娃"`. */
    dictionary: z.record(z.string(), z.string().trim().min(1)).default({}),
  })
  .strict();

export const TranslationSchema = z
  .object({
    provider: z.enum(['deepl', 'glossary', 'none']).default('glossary'),
    /** Languages to translate into; empty means every supported language. */
    targetLanguages: z.array(LanguageCodeSchema).default([]),
    /** Each entry is one term in several languages: `{ zh: "耳机", en: "headphones" }`. */
    glossary: z.array(z.record(LanguageCodeSchema, z.string().trim().min(1))).default([]),
    /** Translations kept in memory (LRU); 0 disables the cache. */
    cacheSize: z.number().int().nonnegative().default(10_000),
    /** Per-request budget for a remote provider before the query goes on untranslated. */
    timeoutMs: z.number().int().positive().default(1500),
  })
  .strict();

export const TextEmbeddingSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Model id from the embed registry, e.g. "bge-small-zh-v15-q". */
    model: z.string().default('bge-small-zh-v15-q'),
    /** Query vectors kept in memory (LRU). */
    cacheSize: z.number().int().nonnegative().default(10_000),
  })
  .strict();

const knnShape = {
  k: z.number().int().min(1).max(10_000).default(50),
  numCandidates: z.number().int().min(1).max(10_000).default(200),
  boost: z.number().nonnegative().default(0.2),
};

export const KnnSchema = z
  .object({ field: FieldNameSchema.default('title_embedding'), ...knnShape })
  .strict();

export const ImageKnnSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Image tower id or path of a CLIP-style ONNX pair. */
    model: z.string().default(''),
    field: FieldNameSchema.default('image_embedding.vector'),
    ...knnShape,
  })
  .strict();

/** How a query that does not parse as an expression is treated (see QuerySettings.parseMode). */
export const ParseModeSchema = z.enum(['strict', 'lenient']);
export type ParseMode = z.infer<typeof ParseModeSchema>;

export const QuerySettingsSchema = z
  .object({
    supportedLanguages: z.array(LanguageCodeSchema).min(1).default(['zh', 'en', 'ru']),
    defaultLanguage: LanguageCodeSchema.default('zh'),
    maxQueryLength: z.number().int().min(1).max(10_000).default(1000),
    maxNestingDepth: z.number().int().min(1).max(128).default(32),
    /**
     * `lenient`: a query that is not a valid expression (or names an unknown domain) is searched
     * as plain text, with the parse error as a warning — shoppers type `6" tablet` or `Note:10`.
     * `strict`: such a query is a PARSE_ERROR (the workbench's expression box shows it).
     */
    parseMode: ParseModeSchema.default('lenient'),
    rewrite: RewriteSchema.default({}),
    translation: TranslationSchema.default({}),
    textEmbedding: TextEmbeddingSchema.default({}),
    knn: KnnSchema.default({}),
    imageKnn: ImageKnnSchema.default({}),
  })
  .strict();

const rankingFunctionBase = {
  enabled: z.boolean().default(true),
  field: FieldNameSchema,
  weight: z.number().positive().default(1),
};

/** Freshness: score decays with distance from `origin` (ES decay function). */
export const DecayFunctionSchema = z
  .object({
    type: z.literal('decay'),
    ...rankingFunctionBase,
    curve: z.enum(['gauss', 'exp', 'linear']).default('gauss'),
    origin: z.string().min(1).default('now'),
    scale: z.string().min(1),
    offset: z.string().min(1).default('0d'),
    decay: z.number().gt(0).lt(1).default(0.5),
  })
  .strict();

/** Popularity: score from a numeric field such as total_inventory or sales. */
export const FieldValueFactorFunctionSchema = z
  .object({
    type: z.literal('field_value_factor'),
    ...rankingFunctionBase,
    factor: z.number().positive().default(1),
    modifier: z
      .enum(['none', 'log', 'log1p', 'log2p', 'ln', 'ln1p', 'ln2p', 'square', 'sqrt', 'reciprocal'])
      .default('log1p'),
    missing: z.number().default(0),
  })
  .strict();

export const RankingFunctionSchema = z.discriminatedUnion('type', [
  DecayFunctionSchema,
  FieldValueFactorFunctionSchema,
]);

/**
 * How the lexical and the kNN results become one ranking.
 *  - `sum` (schema version 1's only way): one ES request, ES adds `w·bm25` and `w·similarity`.
 *  - `linear`: lexical and each kNN search run apart (same filters, top `rankWindowSize` each);
 *    each list's scores are normalised (`normalizer`) and combined by the weighted `combination`
 *    mean, the weights being the ranking expression's (bm25 / text / image coefficients).
 *  - `rrf`: reciprocal rank fusion, Σ weight / (rankConstant + rank), same weights.
 */
export const FusionSchema = z
  .object({
    method: z.enum(['sum', 'linear', 'rrf']).default('sum'),
    normalizer: z.enum(['minmax', 'l2', 'zscore', 'none']).default('minmax'),
    combination: z.enum(['arithmetic', 'geometric', 'harmonic']).default('arithmetic'),
    rankConstant: z.number().int().min(1).max(10_000).default(60),
    /** How deep each sub-search goes (raised to from + size when a page reaches deeper). */
    rankWindowSize: z.number().int().min(1).max(10_000).default(100),
  })
  .strict();
export type FusionSettings = z.infer<typeof FusionSchema>;

export const RankingSchema = z
  .object({
    expression: z.string().trim().min(1).default(DEFAULT_RANKING_EXPRESSION),
    description: z.string().optional(),
    functions: z.array(RankingFunctionSchema).default([]),
    /**
     * The numeric field `field_value()` scores when the expression names none (seed §5.3 writes
     * `field_value()` bare), e.g. "total_inventory" or a sales count. Unset: a bare
     * `field_value()` is a config error.
     */
    popularityField: FieldNameSchema.optional(),
    scoreMode: z.enum(['multiply', 'sum', 'avg', 'first', 'max', 'min']).default('sum'),
    boostMode: z.enum(['multiply', 'replace', 'sum', 'avg', 'max', 'min']).default('multiply'),
    tieBreaker: z.number().min(0).max(1).default(0),
    /**
     * Every domain's minimum_should_match unless the domain sets its own. Absent (the seed's
     * multi_match, schema version 2 on): any one word matches, more words score higher.
     * Configs of schema version 1 meant "75%" when they left it out; loading one writes that in.
     */
    minimumShouldMatch: MinimumShouldMatchSchema.optional(),
    /** null: exact terms only. */
    fuzziness: FuzzinessSchema.default(null),
    fusion: FusionSchema.default({}),
  })
  .strict();

const facetBase = {
  label: z.string().default(''),
  size: z.number().int().min(1).max(1000).default(10),
};

export const RangeBucketSchema = z
  .object({
    key: z.string().min(1),
    from: z.number().optional(),
    to: z.number().optional(),
  })
  .strict()
  .refine((bucket) => bucket.from !== undefined || bucket.to !== undefined, {
    message: 'needs "from", "to" or both',
  });

export const FacetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('terms'), field: FieldNameSchema, ...facetBase }).strict(),
  z
    .object({
      type: z.literal('range'),
      field: FieldNameSchema,
      ...facetBase,
      ranges: z.array(RangeBucketSchema).min(1),
    })
    .strict(),
  /** All specification names with their values, or one name (`color`) when `name` is set. */
  z
    .object({ type: z.literal('specifications'), name: z.string().min(1).optional(), ...facetBase })
    .strict(),
]);

/** `_score`, or `field:asc` / `field:desc`. */
export const SortExpressionSchema = z
  .string()
  .regex(
    /^(_score|[A-Za-z_][A-Za-z0-9_.]*:(asc|desc))$/,
    'must be "_score" or "field:asc" / "field:desc"',
  );

export const SortOptionSchema = z
  .object({
    id: z.string().min(1),
    label: z.string().default(''),
    by: z.array(SortExpressionSchema).min(1),
  })
  .strict();

export const SortSettingsSchema = z
  .object({
    default: z.array(SortExpressionSchema).min(1).default(['_score']),
    options: z.array(SortOptionSchema).default([]),
  })
  .strict();

/** `_source` fields a result needs (seed §8): titles, brief, vendor, category, prices, image, SKUs. */
export const DEFAULT_RESULT_FIELDS: readonly string[] = [
  'spu_id',
  'handle',
  'title_zh',
  'title_en',
  'brief_zh',
  'brief_en',
  'vendor_zh',
  'vendor_en',
  'category_name_zh',
  'category_name_en',
  'category_path_zh',
  'category_path_en',
  'category1_name',
  'tags',
  'image_src',
  'min_price',
  'max_price',
  'compare_at_price',
  'total_inventory',
  'create_time',
  'option1_name',
  'option2_name',
  'option3_name',
  'skus',
  'specifications',
];

export const ResultSettingsSchema = z
  .object({
    /** `_source` fields returned per hit. */
    fields: z
      .array(FieldPatternSchema)
      .min(1)
      .default([...DEFAULT_RESULT_FIELDS]),
    defaultSize: z.number().int().min(1).max(1000).default(20),
    maxSize: z.number().int().min(1).max(10_000).default(100),
    /** Keep one SKU per value of this dimension: option1..option3 or a specification name. */
    skuFilterDimension: z.string().min(1).nullable().default(null),
  })
  .strict();

export const SearchConfigObjectSchema = z
  .object({
    schemaVersion: z.literal(SEARCH_CONFIG_SCHEMA_VERSION),
    name: z.string().min(1).default('default'),
    description: z.string().optional(),
    domains: z.array(DomainSchema).min(1),
    query: QuerySettingsSchema.default({}),
    ranking: RankingSchema.default({}),
    facets: z.array(FacetSchema).default([]),
    sort: SortSettingsSchema.default({}),
    result: ResultSettingsSchema.default({}),
  })
  .strict();

export type SearchConfig = z.infer<typeof SearchConfigObjectSchema>;
/** What a config file may contain: defaults and shorthands not yet filled in. */
export type SearchConfigInput = z.input<typeof SearchConfigObjectSchema>;
export type DomainConfig = z.infer<typeof DomainSchema>;
export type DomainField = z.infer<typeof DomainFieldSchema>;
export type QuerySettings = z.infer<typeof QuerySettingsSchema>;
export type TranslationSettings = z.infer<typeof TranslationSchema>;
export type RankingSettings = z.infer<typeof RankingSchema>;
export type RankingFunction = z.infer<typeof RankingFunctionSchema>;
export type FacetConfig = z.infer<typeof FacetSchema>;
export type SortOption = z.infer<typeof SortOptionSchema>;
export type ResultSettings = z.infer<typeof ResultSettingsSchema>;
