/**
 * "Why is this product missing": the request and the diagnosis of one product for one query under
 * one config (engine/search/explain-missing.ts computes it). One schema per shape; the operation
 * `search.explainMissing`, the CLI and the screens all use these types.
 */
import { z } from 'zod';
import { LanguageCodeSchema } from '../config/search-config-schema.ts';
import { FiltersSchema, TenantIdSchema } from './request-schema.ts';
import { ScoreBreakdownSchema } from './response-schema.ts';

/** The deepest rank looked for (ES index.max_result_window is 10,000). */
export const MAX_EXPLAIN_DEPTH = 10_000;

export const ExplainMissingRequestSchema = z
  .object({
    tenantId: TenantIdSchema,
    query: z.string().max(10_000),
    spuId: z.string().min(1).max(200),
    /** The top k the product should be in (the metric's cut-off). */
    k: z.number().int().min(1).max(100).default(10),
    /** How deep to rank the product ("rank 430" or "beyond 1,000"). */
    depth: z.number().int().min(1).max(MAX_EXPLAIN_DEPTH).default(1000),
    filters: FiltersSchema.optional(),
    language: LanguageCodeSchema.optional(),
  })
  .strict();
export type ExplainMissingRequest = z.input<typeof ExplainMissingRequestSchema>;

export const MissingStatusSchema = z.enum([
  /** It is in the top k: nothing is missing. */
  'in_top_k',
  /** Matched, ranked below k within the depth. */
  'beyond_k',
  /** Matched (it passes every clause) but ranked below the depth (or outside the fusion's windows). */
  'beyond_depth',
  /** Some clause excludes it: see `failures`. */
  'not_matched',
]);
export type MissingStatus = z.infer<typeof MissingStatusSchema>;

export const ClauseFailureSchema = z.discriminatedUnion('clause', [
  z.object({
    clause: z.literal('filter'),
    /** The filter's key as the request names it (`category1_name`, `specifications.color`). */
    filter: z.string(),
    /** What the filter asks for (`category1_name = Phones`). */
    wants: z.string(),
    /** The product's own values of that field. */
    has: z.array(z.string()),
  }),
  z.object({
    clause: z.literal('text'),
    reason: z.enum(['no_field_matches', 'too_few_terms', 'excluded', 'other']),
    detail: z.string(),
  }),
  z.object({
    clause: z.literal('knn'),
    /** Its rank by vector similarity among the filtered tenant products (null: beyond the depth). */
    knnRank: z.number().int().nullable(),
    /** The kNN clause's k: only its top k join the results. */
    k: z.number().int(),
  }),
]);
export type ClauseFailure = z.infer<typeof ClauseFailureSchema>;

export const FieldTermsSchema = z.object({
  field: z.string(),
  /** Field boost × domain boost. */
  boost: z.number(),
  /** The query's tokens as this field analyzes them, that the product's field holds. */
  matched: z.array(z.string()),
  missing: z.array(z.string()),
});

export const TermMatchSchema = z.object({
  domain: z.string(),
  /** The text searched (a translation when the field gets one). */
  text: z.string(),
  type: z.string(),
  operator: z.enum(['or', 'and']),
  minimumShouldMatch: z.string().nullable(),
  /** How many of the tokens a field (or the fields together, for cross/combined types) must hold; null: not computed. */
  required: z.number().int().nullable(),
  tokens: z.number().int(),
  fields: z.array(FieldTermsSchema),
  /** The best a field (or the fields together) matched. */
  bestMatched: z.number().int(),
});
export type TermMatch = z.infer<typeof TermMatchSchema>;

export const StemmingHintSchema = z.object({
  field: z.string(),
  query: z.string(),
  product: z.string(),
});
export type StemmingHint = z.infer<typeof StemmingHintSchema>;

export const OtherFieldMatchSchema = z.object({
  field: z.string(),
  matched: z.array(z.string()),
});

export const PartComparisonSchema = z.object({
  /** `lexical:title_en`, `knn:text`, `knn:image`, `functions`, `other`. */
  part: z.string(),
  target: z.number(),
  kth: z.number(),
  /** target − kth: negative is what it lacks. */
  delta: z.number(),
});
export type PartComparison = z.infer<typeof PartComparisonSchema>;

export const SourceRankSchema = z.object({
  source: z.enum(['lexical', 'text_knn', 'image_knn']),
  weight: z.number(),
  /** Rank in this sub-search's list (null: not in its window). */
  targetRank: z.number().int().nullable(),
  targetContribution: z.number(),
  kthRank: z.number().int().nullable(),
  kthContribution: z.number(),
  /** This sub-search's window (how deep its list is fused). */
  window: z.number().int(),
});
export type SourceRank = z.infer<typeof SourceRankSchema>;

export const LeverSchema = z.object({
  kind: z.enum([
    'filter',
    'field_boost',
    'unsearched_field',
    'stemming',
    'operator',
    'knn_k',
    'weight',
    'window',
    'none',
  ]),
  message: z.string(),
  /** The config path (or `filters.<key>`) to change; null when none applies. */
  path: z.string().nullable(),
  current: z.union([z.number(), z.string()]).nullable(),
  suggested: z.union([z.number(), z.string()]).nullable(),
  /** true: recomputed exactly (a fusion re-run, a filter test); false: estimated from the explain of the top k. */
  exact: z.boolean(),
  /**
   * The config with this lever applied, searched again: the product's rank then (null: still not
   * within the depth). null when the lever was not re-searched (a filter, the analysis, a field to add).
   */
  verified: z.object({ rank: z.number().int().nullable() }).nullable(),
});
export type Lever = z.infer<typeof LeverSchema>;

export const HitRefSchema = z.object({
  spuId: z.string(),
  rank: z.number().int(),
  score: z.number(),
  title: z.string().nullable(),
});

export const ExplainMissingSchema = z.object({
  query: z.string(),
  tenantId: z.string(),
  spuId: z.string(),
  title: z.string().nullable(),
  k: z.number().int(),
  depth: z.number().int(),
  fusion: z.enum(['sum', 'linear', 'rrf']),
  status: MissingStatusSchema,
  /** 1-based rank under the config; null when not matched or beyond the depth. */
  rank: z.number().int().nullable(),
  score: z.number().nullable(),
  /** How many products the query matches (the search's total). */
  matched: z.number().int(),
  /** The k-th hit (null when fewer than k match). */
  kth: HitRefSchema.nullable(),
  failures: z.array(ClauseFailureSchema),
  text: z.array(TermMatchSchema),
  /** Query tokens found in text fields that no domain searches. */
  otherFields: z.array(OtherFieldMatchSchema),
  stemming: z.array(StemmingHintSchema),
  /** The English analysis of the index (`_meta.analysis.en.family`), null when unknown. */
  englishAnalysis: z.string().nullable(),
  knn: z
    .object({
      field: z.string(),
      /** Cosine similarity of the query vector and the product's vector (null: no vector). */
      cosine: z.number().nullable(),
      /** Rank by that similarity among the filtered tenant products (null: beyond the depth or no vector). */
      rank: z.number().int().nullable(),
      k: z.number().int(),
    })
    .nullable(),
  explain: z.object({
    target: ScoreBreakdownSchema.nullable(),
    kth: ScoreBreakdownSchema.nullable(),
    /** Sorted by delta, weakest part first. */
    parts: z.array(PartComparisonSchema),
  }),
  /** Per sub-search of an engine-side fusion (linear / rrf); empty for `sum`. */
  sources: z.array(SourceRankSchema),
  levers: z.array(LeverSchema),
  /** The diagnosis in sentences, most telling first. */
  summary: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type ExplainMissing = z.infer<typeof ExplainMissingSchema>;
