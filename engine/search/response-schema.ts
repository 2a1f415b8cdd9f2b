/**
 * The search response (seed §8.1): external-friendly, no ES internals (_id, _source, _score).
 * zod schemas so the API layer can validate and document it; types are inferred.
 */
import { z } from 'zod';

const Bilingual = z.object({ zh: z.string().nullable(), en: z.string().nullable() });

export const SkuResultSchema = z.object({
  sku_id: z.string(),
  sku_code: z.string().nullable(),
  price: z.number().nullable(),
  compare_at_price: z.number().nullable(),
  stock: z.number(),
  weight: z.number().nullable(),
  weight_unit: z.string().nullable(),
  /** Option name (`color`, or `option1` when the SPU names none) → value, in option order. */
  options: z.array(z.object({ name: z.string(), value: z.string() })),
  image: z.string().nullable(),
});

/** One sub-search's part in an engine-side fusion (engine/search/fusion.ts). */
export const FusionPartSchema = z.object({
  source: z.enum(['lexical', 'text_knn', 'image_knn']),
  weight: z.number(),
  /** The sub-search's own score; null when it did not return the product. */
  score: z.number().nullable(),
  /** 1-based rank in that sub-search; null when absent. */
  rank: z.number().int().nullable(),
  /** What the fusion combined: the normalised score (linear) or 1/(rankConstant + rank) (rrf). */
  normalized: z.number(),
  /** This part's share of `total`. */
  contribution: z.number(),
});

/**
 * The score of one hit split by where it came from. With `sum` fusion (one ES request) the parts
 * add up to `total`. With `linear` / `rrf` fusion, `lexical`, `knn`, `functions` and `other` split
 * the sub-searches' own scores, and `fusion.parts[].contribution` add up to `total`.
 */
export const ScoreBreakdownSchema = z.object({
  total: z.number(),
  lexical: z.object({ total: z.number(), fields: z.record(z.string(), z.number()) }),
  knn: z.object({ text: z.number(), image: z.number() }),
  functions: z.number(),
  /** Anything the explanation did not attribute (e.g. the constant score of a browse). */
  other: z.number(),
  fusion: z
    .object({
      method: z.enum(['linear', 'rrf']),
      parts: z.array(FusionPartSchema),
    })
    .optional(),
});

export const SpuResultSchema = z.object({
  spu_id: z.string(),
  handle: z.string().nullable(),
  titles: Bilingual,
  brief: Bilingual,
  vendor: Bilingual,
  category: z.object({
    name: Bilingual,
    path: Bilingual,
    /** category1_name … category3_name, those present. */
    levels: z.array(z.string()),
  }),
  tags: z.array(z.string()),
  prices: z.object({
    min: z.number().nullable(),
    max: z.number().nullable(),
    compare_at: z.number().nullable(),
  }),
  image: z.string().nullable(),
  create_time: z.string().nullable(),
  total_inventory: z.number().nullable(),
  skus: z.array(SkuResultSchema),
  relevance_score: z.number().nullable(),
  /** Field → fragments with `<em>` around matches (HTML-escaped). */
  highlights: z.record(z.string(), z.array(z.string())),
  explain: ScoreBreakdownSchema.optional(),
});

export const FacetValueSchema = z.object({
  value: z.union([z.string(), z.number()]),
  label: z.string(),
  count: z.number(),
  selected: z.boolean(),
});

export const FacetResultSchema = z.object({
  /** The request's facet field: `category1_name`, `min_price`, `specifications.color`. */
  field: z.string(),
  label: z.string(),
  type: z.enum(['terms', 'range']),
  values: z.array(FacetValueSchema),
  /** Products counted by this facet (all filters except its own). */
  total_count: z.number().optional(),
});

const AppliedRewriteSchema = z.object({
  key: z.string(),
  value: z.string(),
  mode: z.enum(['exact', 'partial']),
});

export const QueryInfoSchema = z.object({
  original: z.string(),
  rewritten: z.string(),
  rewrites: z.array(AppliedRewriteSchema),
  /** The boolean expression as the engine understood it (canonical text), '' when browsing. */
  expression: z.string(),
  /** The typed AST (see engine/query/ast.ts), null when browsing. */
  ast: z.unknown(),
  /** How the text was parsed: `strict` / `lenient` (config.query.parseMode) or `text`. */
  parse_mode: z.enum(['strict', 'lenient', 'text']).optional(),
  /**
   * Set when a lenient parse found no valid expression (or an unknown domain) and searched the
   * text as plain text: the parse error, as a warning rather than a failure.
   */
  parse_error: z
    .object({
      message: z.string(),
      kind: z.string(),
      position: z.number(),
      length: z.number(),
      expected: z.array(z.string()),
    })
    .nullable()
    .optional(),
  language: z.object({
    language: z.string(),
    confidence: z.number(),
    method: z.string(),
    overridden: z.boolean(),
  }),
  /** Language → the default-domain text translated. */
  translations: z.record(z.string(), z.string()),
  ranking: z.object({
    expression: z.string(),
    bm25: z.number(),
    text_embedding: z.number(),
    image_embedding: z.number(),
    knn: z.object({ text: z.boolean(), image: z.boolean() }),
    /**
     * The config's ranking.fusion.method, and whether this search was fused in the engine
     * (false for `sum`, and for a linear / rrf config when there was nothing to fuse: no text,
     * no kNN list, or a sort other than by score).
     */
    fusion: z.object({ method: z.enum(['sum', 'linear', 'rrf']), fused: z.boolean() }),
  }),
  sort: z.array(z.string()),
  /** Milliseconds Elasticsearch reports for the search. */
  took: z.number(),
  timings: z.record(z.string(), z.number()),
  warnings: z.array(z.string()),
});

export const SearchResponseSchema = z.object({
  results: z.array(SpuResultSchema),
  total: z.number(),
  /** `gte` when ES stopped counting (never with the builder's track_total_hits: true). */
  total_relation: z.enum(['eq', 'gte']),
  from: z.number(),
  size: z.number(),
  facets: z.array(FacetResultSchema),
  query: QueryInfoSchema,
  suggestions: z.array(z.string()),
  related_searches: z.array(z.string()),
});

export type SkuResult = z.infer<typeof SkuResultSchema>;
export type SpuResult = z.infer<typeof SpuResultSchema>;
export type ScoreBreakdown = z.infer<typeof ScoreBreakdownSchema>;
export type FacetValue = z.infer<typeof FacetValueSchema>;
export type FacetResult = z.infer<typeof FacetResultSchema>;
export type QueryInfo = z.infer<typeof QueryInfoSchema>;
export type SearchResponse = z.infer<typeof SearchResponseSchema>;
