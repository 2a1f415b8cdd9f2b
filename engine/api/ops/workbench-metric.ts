/**
 * `tune.preview`: the mean metric of a query set for one config (working / revision / inline +
 * slider overrides), fast enough to repaint while a slider moves. One msearch for the whole set,
 * hits trimmed to ids, no facets or highlights; a superseded call is aborted through the signal.
 * Results are not recorded (eval.run is the recorded, full evaluation).
 */
import { stat } from 'node:fs/promises';
import type { estypes } from '@elastic/elasticsearch';
import { z } from 'zod';
import { esErrorToRwb } from '../../es/client.ts';
import { RwbError } from '../../errors.ts';
import { ratingsByQuery, type QuerySet } from '../../eval/judgments.ts';
import { loadQuerySetById } from '../../eval/runner-query-sets.ts';
import type { QuerySetStore } from '../../eval/store/query-set-store.ts';
import { resolveMetric } from '../../eval/metrics-registry.ts';
import { evaluateQuery, summarize, type QueryScores } from '../../eval/metrics-summary.ts';
import { prepareSearch } from '../../search/searcher.ts';
import { defineOperation } from '../operation.ts';
import { IndexNameSchema } from './common.ts';
import { ConfigRefSchema, OverridesSchema, resolveConfig } from './config-resolve.ts';
import { missingIndexAsNotFound, sessionOf } from './workbench-session.ts';

/**
 * Query sets by id, re-read only when their file changed: a slider drag asks many times a second,
 * and listing the store reads every set.
 */
const querySetCache = new WeakMap<
  object,
  Map<string, { file: string; mtimeMs: number; querySet: QuerySet }>
>();

async function cachedQuerySet(store: QuerySetStore, id: string): Promise<QuerySet> {
  let byId = querySetCache.get(store);
  if (!byId) querySetCache.set(store, (byId = new Map()));
  const hit = byId.get(id);
  if (hit) {
    const mtimeMs = await stat(hit.file).then(
      (s) => s.mtimeMs,
      () => -1,
    );
    if (mtimeMs === hit.mtimeMs) return hit.querySet;
  }
  const { querySet, info } = await loadQuerySetById(store, id);
  const mtimeMs = (await stat(info.file)).mtimeMs;
  byId.set(id, { file: info.file, mtimeMs, querySet });
  return querySet;
}

const PreviewOutputSchema = z.object({
  metric: z.string(),
  /** Mean over the queries with at least one positive judgment; null when none has. */
  mean: z.number().nullable(),
  validQueries: z.number(),
  totalQueries: z.number(),
  perQuery: z.array(
    z.object({
      query: z.string(),
      score: z.number().nullable(),
      /** Returned hits within the metric's depth that have no rating. */
      unrated: z.number(),
      excluded: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  revisionId: z.string(),
  tookMs: z.number(),
  latencyMs: z.number(),
});

export const tunePreview = defineOperation({
  description:
    'Mean metric (e.g. ndcg@10) of a stored query set for a config plus slider overrides, in one msearch; for live repaint while tuning.',
  input: z
    .object({
      /** A stored query set (id or name, as judgments.list lists them). */
      querySetId: z.string().min(1).max(400),
      metric: z.string().min(1).max(40).default('ndcg@10'),
      config: ConfigRefSchema.optional(),
      overrides: OverridesSchema.optional(),
      /** Tenant to search (default: the query set's tenant). */
      tenantId: z.string().min(1).max(64).optional(),
      index: IndexNameSchema.optional(),
    })
    .strict(),
  output: PreviewOutputSchema,
  handler: async (input, ctx, extras) => {
    const started = performance.now();
    const session = sessionOf(ctx);
    const set = await cachedQuerySet(session.querySets, input.querySetId);
    const tenantId = input.tenantId ?? set.tenant;
    if (!tenantId)
      throw new RwbError(
        'INVALID_INPUT',
        `tune.preview: query set "${set.name}" names no tenant; pass tenantId`,
      );
    const index = input.index ?? set.index ?? ctx.defaultIndex;
    const metric = resolveMetric(input.metric);
    const size = Math.max(metric.k ?? 10, 10);
    // Coverage for the Judgments screen: how many of the hits the metric looks at are unrated.
    const unratedMetric = resolveMetric(`unrated@${metric.k ?? size}`);
    const resolved = await resolveConfig(ctx, input.config, input.overrides, index);
    const deps = await session.searchDependencies(resolved.config, index, extras.signal);

    const prepared = await Promise.all(
      set.queries.map(async (q) => {
        try {
          const p = await prepareSearch(
            { tenantId, query: q.text, size, facets: [], highlight: false },
            resolved.config,
            deps,
          );
          return {
            request: { ...p.request, _source: ['spu_id'] } as estypes.SearchRequest,
            error: null,
          };
        } catch (err) {
          return { request: null, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    const searches: estypes.MsearchRequestItem[] = [];
    for (const p of prepared)
      if (p.request) searches.push({ index }, p.request as estypes.MsearchMultisearchBody);
    let responses: estypes.MsearchResponseItem[] = [];
    let tookMs = 0;
    if (searches.length > 0) {
      try {
        const answer = await ctx.esClient().msearch({ searches }, { signal: extras.signal });
        responses = answer.responses;
        tookMs = answer.took ?? 0;
      } catch (err) {
        if (extras.signal?.aborted)
          throw new RwbError('CANCELLED', 'tune.preview was superseded', undefined, { cause: err });
        throw missingIndexAsNotFound(
          esErrorToRwb(
            err,
            ctx.esConnection().url,
            `evaluating query set "${set.name}" on ${index}`,
          ),
          index,
        );
      }
    }
    const ratings = ratingsByQuery(set);
    const scored: QueryScores[] = [];
    const perQuery: z.input<typeof PreviewOutputSchema>['perQuery'] = [];
    let next = 0;
    for (const [i, q] of set.queries.entries()) {
      const p = prepared[i]!;
      let error = p.error;
      let hits: string[] = [];
      if (p.request) {
        const item = responses[next++];
        if (!item || 'error' in item)
          error = item ? (item.error.reason ?? item.error.type) : 'no answer';
        else
          hits = item.hits.hits.map(
            (h) => (h._source as { spu_id?: string } | undefined)?.spu_id ?? h._id ?? '',
          );
      }
      if (error !== null) {
        perQuery.push({ query: q.text, score: null, unrated: 0, excluded: null, error });
        continue;
      }
      const scores = evaluateQuery(
        { query: q.text, hits, ratings: ratings.get(q.text) ?? new Map() },
        [metric, unratedMetric],
      );
      scored.push(scores);
      perQuery.push({
        query: q.text,
        score: scores.excluded ? null : (scores.scores[metric.name] ?? null),
        unrated: scores.scores[unratedMetric.name] ?? 0,
        excluded: scores.excluded,
        error: null,
      });
    }
    const summary = summarize(scored);
    return {
      metric: metric.name,
      mean: summary.means[metric.name] ?? null,
      validQueries: summary.validQueries,
      totalQueries: set.queries.length,
      perQuery,
      revisionId: resolved.revisionId,
      tookMs,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
    };
  },
});
