/**
 * `search.basic`: a deliberately simple multi_match over the bilingual text fields, tenant filter
 * always applied. It exists so the app is usable end to end before the full query builder
 * (engine/search, issue 3) replaces it as `search.run`.
 */
import { z } from 'zod';
import type { estypes } from '@elastic/elasticsearch';
import { esError } from '../es-client.ts';
import { defineOperation } from '../operation.ts';
import { IndexNameSchema, TenantIdSchema } from './common.ts';

export const BasicSearchInputSchema = z
  .object({
    tenant: TenantIdSchema,
    query: z.string().max(500, 'a query is at most 500 characters').default(''),
    size: z.number().int().min(1).max(100).default(20),
    from: z.number().int().min(0).max(10_000).default(0),
    index: IndexNameSchema.optional(),
  })
  .strict();
export type BasicSearchInput = z.output<typeof BasicSearchInputSchema>;

const BasicHitSchema = z.object({
  id: z.string(),
  score: z.number().nullable(),
  tenantId: z.string().nullable(),
  spuId: z.string().nullable(),
  titleZh: z.string().nullable(),
  titleEn: z.string().nullable(),
  vendorZh: z.string().nullable(),
  vendorEn: z.string().nullable(),
  categoryPathZh: z.string().nullable(),
  categoryPathEn: z.string().nullable(),
  minPrice: z.number().nullable(),
  maxPrice: z.number().nullable(),
  imageSrc: z.string().nullable(),
});
export type BasicHit = z.infer<typeof BasicHitSchema>;

/** Field boosts of the basic search: titles first, then vendor, category and brief. */
export const BASIC_SEARCH_FIELDS = [
  'title_zh^3',
  'title_en^3',
  'vendor_zh^2',
  'vendor_en^2',
  'category_name_zh^1.5',
  'category_name_en^1.5',
  'category_path_zh',
  'category_path_en',
  'brief_zh',
  'brief_en',
] as const;

const SOURCE_FIELDS = [
  'tenant_id',
  'spu_id',
  'title_zh',
  'title_en',
  'vendor_zh',
  'vendor_en',
  'category_path_zh',
  'category_path_en',
  'min_price',
  'max_price',
  'image_src',
];

export function buildBasicSearchRequest(input: BasicSearchInput, index: string): estypes.SearchRequest {
  const text = input.query.trim();
  const must: estypes.QueryDslQueryContainer = text
    ? { multi_match: { query: text, fields: [...BASIC_SEARCH_FIELDS], type: 'best_fields', operator: 'or', lenient: true } }
    : { match_all: {} };
  return {
    index,
    from: input.from,
    size: input.size,
    track_total_hits: true,
    _source: SOURCE_FIELDS,
    query: { bool: { filter: [{ term: { tenant_id: input.tenant } }], must: [must] } },
  };
}

type SourceDoc = Partial<Record<(typeof SOURCE_FIELDS)[number], unknown>>;

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function toBasicHit(hit: estypes.SearchHit<SourceDoc>): BasicHit {
  const s = hit._source ?? {};
  return {
    id: hit._id ?? '',
    score: hit._score ?? null,
    tenantId: str(s.tenant_id),
    spuId: str(s.spu_id),
    titleZh: str(s.title_zh),
    titleEn: str(s.title_en),
    vendorZh: str(s.vendor_zh),
    vendorEn: str(s.vendor_en),
    categoryPathZh: str(s.category_path_zh),
    categoryPathEn: str(s.category_path_en),
    minPrice: num(s.min_price),
    maxPrice: num(s.max_price),
    imageSrc: str(s.image_src),
  };
}

export const searchBasic = defineOperation({
  description: 'Basic search (multi_match over titles, vendor, category, brief in zh and en) within one tenant.',
  input: BasicSearchInputSchema,
  output: z.object({
    index: z.string(),
    total: z.number(),
    tookMs: z.number(),
    hits: z.array(BasicHitSchema),
  }),
  handler: async (input, ctx) => {
    const index = input.index ?? ctx.defaultIndex;
    const request = buildBasicSearchRequest(input, index);
    try {
      const response = await ctx.esClient().search<SourceDoc>(request);
      const total = typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
      return { index, total, tookMs: response.took, hits: response.hits.hits.map(toBasicHit) };
    } catch (err) {
      throw esError(err, `Searching ${index} for tenant ${input.tenant}`, ctx.esConnection().url);
    }
  },
});
