/**
 * The search request (seed §8.3): one zod schema, types inferred from it. Shapes only: which field
 * names exist and fit (checked against the mapping) and the config's size limits are checked by
 * `parseSearchRequest` in request.ts, which every entry point goes through.
 */
import { z } from 'zod';
import { LanguageCodeSchema, RangeBucketSchema } from '../config/search-config-schema.ts';
import { hasIsoDateShape, isoDateProblem } from './dates.ts';

/**
 * An ISO date that is a real calendar date (`2024-02-30`, hour 25 and the like are refused here,
 * naming the value, rather than by ES with a 502). filters.ts turns a space before the time into
 * `T` for ES (kept out of this schema: a transform would hide the issue from union reporting).
 */
export const IsoDateSchema = z.string().superRefine((text, ctx) => {
  const problem = isoDateProblem(text);
  if (problem === null) return;
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: hasIsoDateShape(text)
      ? `${JSON.stringify(text)} is not a valid date: ${problem}`
      : 'must be a number or an ISO date such as "2024-01-31" or "2024-01-31T08:00:00Z"',
  });
});

export const RangeBoundSchema = z.union([z.number().finite(), IsoDateSchema]);

/** `{gte, gt, lte, lt}`: at least one bound; numbers or ISO dates (seed §8.3.3). */
export const RangeFilterSchema = z
  .object({
    gte: RangeBoundSchema.optional(),
    gt: RangeBoundSchema.optional(),
    lte: RangeBoundSchema.optional(),
    lt: RangeBoundSchema.optional(),
  })
  .strict()
  .refine(
    (range) => Object.values(range).some((bound) => bound !== undefined),
    'needs at least one of "gte", "gt", "lte", "lt"',
  )
  .refine(
    (range) => range.gte === undefined || range.gt === undefined,
    'cannot have both "gte" and "gt"',
  )
  .refine(
    (range) => range.lte === undefined || range.lt === undefined,
    'cannot have both "lte" and "lt"',
  );

export const SpecificationPairSchema = z
  .object({
    name: z.string().min(1).max(256),
    value: z.string().min(1).max(256),
  })
  .strict();

/** One `{name, value}` or a list: same name → OR, different names → AND (seed §8.3.3.1). */
export const SpecificationsFilterSchema = z.union([
  SpecificationPairSchema,
  z.array(SpecificationPairSchema).min(1).max(100),
]);

export const FilterScalarSchema = z.union([
  z.string().min(1).max(1024),
  z.number().finite(),
  z.boolean(),
]);

/** A value (term), a list of values (terms, any matches) or a range. */
export const FilterValueSchema = z.union([
  FilterScalarSchema,
  z.array(FilterScalarSchema).min(1).max(1024),
  RangeFilterSchema,
]);

/** Field name → filter; the key `specifications` takes specification pairs. */
export const FiltersSchema = z
  .object({ specifications: SpecificationsFilterSchema.optional() })
  .catchall(FilterValueSchema);

export const FacetConfigRequestSchema = z
  .object({
    /** A field, `specifications` (every name) or `specifications.<name>`. */
    field: z.string().min(1).max(300),
    /** Default: `range` when `ranges` is given, else `terms`. */
    type: z.enum(['terms', 'range']).optional(),
    label: z.string().max(200).optional(),
    size: z.number().int().min(1).max(1000).optional(),
    ranges: z.array(RangeBucketSchema).min(1).max(100).optional(),
  })
  .strict();

/** `"category1_name"`, `"specifications"`, `"specifications.color"`, or a FacetConfig. */
export const FacetRequestSchema = z.union([z.string().min(1).max(300), FacetConfigRequestSchema]);

/** `_score`, `field`, `field:asc`, `field:desc`, or the id of a sort option of the config. */
export const SortRequestSchema = z.union([
  z.string().min(1).max(200),
  z.array(z.string().min(1).max(200)).min(1).max(10),
]);

export const TenantIdSchema = z
  .string()
  .min(1, 'is required')
  .max(64)
  .regex(
    /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u,
    'must not start or end with spaces or contain control characters',
  );

export const SearchRequestSchema = z
  .object({
    tenantId: TenantIdSchema,
    query: z.string().max(10_000).default(''),
    filters: FiltersSchema.optional(),
    /** Absent: the config's default facets; `[]`: none. */
    facets: z.array(FacetRequestSchema).max(50).optional(),
    /** Absent: the config's default sort. */
    sort: SortRequestSchema.optional(),
    from: z.number().int().min(0).default(0),
    /** Absent: the config's result.defaultSize; at most result.maxSize. 0 returns facets only. */
    size: z.number().int().min(0).optional(),
    /** option1..option3 or a specification name; null turns the config's default off. */
    skuFilterDimension: z.string().min(1).max(256).nullable().optional(),
    /** Treat the query as this language instead of detecting it. */
    language: LanguageCodeSchema.optional(),
    /** Per hit: the score split into lexical (per field), kNN and function parts. */
    explain: z.boolean().default(false),
    highlight: z.boolean().default(true),
    /** Query vector of an uploaded image (image tower), searched via nested kNN. */
    imageVector: z.array(z.number().finite()).min(1).max(4096).optional(),
  })
  .strict();

export type SearchRequestInput = z.input<typeof SearchRequestSchema>;
export type SearchRequest = z.output<typeof SearchRequestSchema>;
export type RangeFilter = z.output<typeof RangeFilterSchema>;
export type SpecificationPair = z.output<typeof SpecificationPairSchema>;
export type FilterScalar = z.output<typeof FilterScalarSchema>;
export type FilterValue = z.output<typeof FilterValueSchema>;
export type FacetRequest = z.output<typeof FacetRequestSchema>;
export type FacetConfigRequest = z.output<typeof FacetConfigRequestSchema>;
