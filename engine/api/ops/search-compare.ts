/**
 * `search.compare`: one query, two to four configs side by side. The first config is the
 * baseline; every other column says how each hit moved against it (rank change, new), which
 * baseline hits it dropped, how much the top k overlaps (Jaccard@k, RBO) and which facet counts
 * changed. Latency is measured per config (ES `took` and wall time in the workbench).
 */
import { z } from 'zod';
import { diffFacetCounts } from '../../eval/compare-facets.ts';
import type { FacetCounts } from '../../eval/compare-run-result.ts';
import { jaccardAtK, rankBiasedOverlap } from '../../eval/stats-overlap.ts';
import type { SearchResponse, SpuResult } from '../../search/response-schema.ts';
import { search } from '../../search/searcher.ts';
import { FiltersSchema, TenantIdSchema } from '../../search/request-schema.ts';
import { LanguageCodeSchema } from '../../config/search-config-schema.ts';
import { defineOperation } from '../operation.ts';
import { IndexNameSchema } from './common.ts';
import { ConfigChoiceSchema, resolveConfig } from './config-resolve.ts';
import { missingIndexAsNotFound, sessionOf } from './workbench-session.ts';

const CompareHitSchema = z.object({
  spuId: z.string(),
  rank: z.number(),
  titleZh: z.string().nullable(),
  titleEn: z.string().nullable(),
  vendor: z.string().nullable(),
  image: z.string().nullable(),
  minPrice: z.number().nullable(),
  maxPrice: z.number().nullable(),
  score: z.number().nullable(),
  /** Rank in the baseline column; null when the baseline did not return it. */
  baselineRank: z.number().nullable(),
  /** baselineRank − rank: positive moved up. null for new hits and in the baseline itself. */
  change: z.number().nullable(),
  isNew: z.boolean(),
});
export type CompareHit = z.infer<typeof CompareHitSchema>;

const FacetChangeSchema = z.object({
  facet: z.string(),
  value: z.string(),
  baseline: z.number(),
  count: z.number(),
  delta: z.number(),
});

const CompareColumnSchema = z.object({
  label: z.string(),
  revisionId: z.string(),
  total: z.number(),
  tookMs: z.number(),
  latencyMs: z.number(),
  hits: z.array(CompareHitSchema),
  /** Baseline hits (within the shown size) this config no longer returns. */
  dropped: z.array(
    z.object({
      spuId: z.string(),
      baselineRank: z.number(),
      titleZh: z.string().nullable(),
      titleEn: z.string().nullable(),
    }),
  ),
  /** Against the baseline; 1 for the baseline itself. */
  overlap: z.object({ jaccard: z.number(), rbo: z.number(), k: z.number() }),
  facetChanges: z.array(FacetChangeSchema),
  warnings: z.array(z.string()),
});

export const SearchCompareOutputSchema = z.object({
  query: z.string(),
  tenantId: z.string(),
  index: z.string(),
  columns: z.array(CompareColumnSchema),
});
export type SearchCompareOutput = z.infer<typeof SearchCompareOutputSchema>;

export function facetCountsOf(response: SearchResponse): FacetCounts {
  const out: FacetCounts = {};
  for (const facet of response.facets)
    out[facet.field] = Object.fromEntries(
      facet.values.map((v) => [v.label || String(v.value), v.count]),
    );
  return out;
}

function toHit(
  result: SpuResult,
  rank: number,
  baselineRanks: ReadonlyMap<string, number> | null,
): CompareHit {
  const baselineRank = baselineRanks?.get(result.spu_id) ?? null;
  return {
    spuId: result.spu_id,
    rank,
    titleZh: result.titles.zh,
    titleEn: result.titles.en,
    vendor: result.vendor.zh ?? result.vendor.en,
    image: result.image,
    minPrice: result.prices.min,
    maxPrice: result.prices.max,
    score: result.relevance_score,
    baselineRank: baselineRanks ? baselineRank : rank,
    change: baselineRanks && baselineRank !== null ? baselineRank - rank : null,
    isNew: baselineRanks !== null && baselineRank === null,
  };
}

/** The columns of a comparison from the responses (baseline first); pure, for tests. */
export function compareResponses(
  runs: ReadonlyArray<{
    label: string;
    revisionId: string;
    latencyMs: number;
    response: SearchResponse;
  }>,
  k: number,
): SearchCompareOutput['columns'] {
  const [baseline] = runs;
  if (!baseline) return [];
  const baselineIds = baseline.response.results.map((r) => r.spu_id);
  const baselineRanks = new Map(baselineIds.map((id, i) => [id, i + 1]));
  const baselineFacets = facetCountsOf(baseline.response);
  return runs.map((run, column) => {
    const ids = run.response.results.map((r) => r.spu_id);
    const isBaseline = column === 0;
    const seen = new Set(ids);
    const diff = isBaseline ? null : diffFacetCounts(baselineFacets, facetCountsOf(run.response));
    const facetChanges = diff
      ? [
          ...diff.changed.map((c) => ({
            facet: c.facet,
            value: c.value,
            baseline: c.countA,
            count: c.countB,
            delta: c.delta,
          })),
          ...diff.appeared.map((c) => ({
            facet: c.facet,
            value: c.value,
            baseline: 0,
            count: c.count,
            delta: c.count,
          })),
          ...diff.disappeared.map((c) => ({
            facet: c.facet,
            value: c.value,
            baseline: c.count,
            count: 0,
            delta: -c.count,
          })),
        ]
      : [];
    return {
      label: run.label,
      revisionId: run.revisionId,
      total: run.response.total,
      tookMs: run.response.query.took,
      latencyMs: run.latencyMs,
      hits: run.response.results.map((r, i) => toHit(r, i + 1, isBaseline ? null : baselineRanks)),
      dropped: isBaseline
        ? []
        : baseline.response.results
            .map((r, i) => ({
              spuId: r.spu_id,
              baselineRank: i + 1,
              titleZh: r.titles.zh,
              titleEn: r.titles.en,
            }))
            .filter((d) => !seen.has(d.spuId)),
      overlap: {
        jaccard: jaccardAtK(baselineIds, ids, k),
        rbo: rankBiasedOverlap(baselineIds, ids, { k }),
        k,
      },
      facetChanges,
      warnings: run.response.query.warnings,
    };
  });
}

export const searchCompare = defineOperation({
  description:
    'One query with 2–4 configs side by side: rank changes and new/dropped hits against the first, Jaccard@k/RBO, latency, facet-count changes.',
  input: z
    .object({
      tenantId: TenantIdSchema,
      query: z.string().max(10_000).default(''),
      filters: FiltersSchema.optional(),
      language: LanguageCodeSchema.optional(),
      configs: z
        .array(ConfigChoiceSchema)
        .min(2, 'compare at least 2 configs')
        .max(4, 'compare at most 4 configs'),
      size: z.number().int().min(1).max(100).default(20),
      /** Depth of the overlap measures. */
      k: z.number().int().min(1).max(100).default(10),
      index: IndexNameSchema.optional(),
    })
    .strict(),
  output: SearchCompareOutputSchema,
  handler: async (input, ctx, extras) => {
    const index = input.index ?? ctx.defaultIndex;
    const session = sessionOf(ctx);
    const request = {
      tenantId: input.tenantId,
      query: input.query,
      size: input.size,
      ...(input.filters ? { filters: input.filters } : {}),
      ...(input.language ? { language: input.language } : {}),
    };
    const runs = await Promise.all(
      input.configs.map(async ({ overrides, ...ref }, i) => {
        const resolved = await resolveConfig(ctx, ref, overrides, index);
        const deps = await session.searchDependencies(resolved.config, index, extras.signal);
        const started = performance.now();
        const response = await search(ctx.esClient(), index, request, resolved.config, deps).catch(
          (err: unknown) => {
            throw missingIndexAsNotFound(err, index);
          },
        );
        const label = ref.label ?? (i === 0 ? 'baseline' : resolved.label);
        return {
          label,
          revisionId: resolved.revisionId,
          latencyMs: Math.round((performance.now() - started) * 10) / 10,
          response,
        };
      }),
    );
    return {
      query: input.query,
      tenantId: input.tenantId,
      index,
      columns: compareResponses(runs, input.k),
    };
  },
});
