/**
 * `tune.preview`: the mean metric of a query set for one config (working / revision / inline +
 * slider overrides), fast enough to repaint while a slider moves. It runs the eval runner (the
 * same _msearch path, fusion and scoring as eval.run and the tuner), hits trimmed to ids, no
 * facets; a superseded call is aborted through the signal. Parses and sub-search answers are kept
 * between calls while the index does not change (runner-caches.ts): a move searches only the
 * sub-searches it changed (none for a fusion weight).
 * Results are not recorded (eval.run is the recorded, full evaluation).
 */
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { esErrorToRwb } from '../../es/client.ts';
import { RwbError } from '../../errors.ts';
import type { QuerySet } from '../../eval/judgments.ts';
import { runEvaluation, type EvaluationOutput } from '../../eval/runner.ts';
import { loadQuerySetById } from '../../eval/runner-query-sets.ts';
import type { QuerySetStore } from '../../eval/store/query-set-store.ts';
import { resolveMetric } from '../../eval/metrics-registry.ts';
import { companionNames } from '../../eval/metrics-unjudged.ts';
import { CoverageSchema, runCoverage } from '../../eval/run-unjudged.ts';
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
  /** Mean of the condensed-list values (unjudged hits removed before scoring). */
  condensed: z.number().nullable(),
  /** Mean of the upper bounds (unjudged hits at the top grade); `mean` is the lower bound. */
  upper: z.number().nullable(),
  /** Judged share of the top k with the warning when it is below `minCoverage`. */
  coverage: CoverageSchema,
  validQueries: z.number(),
  totalQueries: z.number(),
  perQuery: z.array(
    z.object({
      query: z.string(),
      score: z.number().nullable(),
      condensed: z.number().nullable(),
      upper: z.number().nullable(),
      /** Returned hits within the metric's depth that have no rating. */
      unrated: z.number(),
      excluded: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  revisionId: z.string(),
  tookMs: z.number(),
  latencyMs: z.number(),
  /** Distinct searches of this call: sent to ES, and answered by the session's cache. */
  searches: z.object({ sent: z.number().int(), cached: z.number().int() }),
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
      /** Warn below this judged share of the top k (default 0.8). */
      minCoverage: z.number().min(0).max(1).optional(),
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
    const [resolved, caches] = await Promise.all([
      resolveConfig(ctx, input.config, input.overrides, index),
      // What the last moves already parsed and searched, while the index is unchanged.
      session.runCaches(index, extras.signal),
    ]);
    const deps = await session.searchDependencies(resolved.config, index, extras.signal);
    // The eval runner (one _msearch path, fusion included) so the sliders' metric is the one
    // eval.run and the tuner compute for the same config.
    let output: EvaluationOutput;
    try {
      output = await runEvaluation(ctx.esClient(), {
        index,
        tenantId,
        querySet: set,
        configs: [{ revisionId: resolved.revisionId, config: resolved.config }],
        k: size,
        // The base metric too, so its condensed and upper companions are computed.
        metrics: [...new Set([metric.base, metric.name, unratedMetric.name])],
        facets: false,
        dependencies: async () => deps,
        // Batches leave while later queries are still being planned (ES works meanwhile).
        batchSize: 25,
        concurrency: 4,
        responseCache: caches.responses,
        parseCache: caches.parses,
        ...(extras.signal && { signal: extras.signal }),
      });
    } catch (err) {
      if (extras.signal?.aborted)
        throw new RwbError('CANCELLED', 'tune.preview was superseded', undefined, { cause: err });
      throw missingIndexAsNotFound(
        esErrorToRwb(err, ctx.esConnection().url, `evaluating query set "${set.name}" on ${index}`),
        index,
      );
    }
    const run = output.results[0]!;
    // Condensed / upper values of the metric's own base (`ndcg@10` for `ndcg@10:upper` too).
    const names = companionNames(metric.base);
    const counted = (q: (typeof run.queries)[number], name: string) =>
      q.error !== undefined || q.excluded !== null ? null : (q.scores[name] ?? null);
    const perQuery = run.queries.map((q) => ({
      query: q.query,
      score: counted(q, metric.name),
      condensed: counted(q, names.condensed),
      upper: counted(q, names.upper),
      unrated: q.scores[unratedMetric.name] ?? 0,
      excluded: q.excluded,
      error: q.error === undefined ? null : q.error.message,
    }));
    return {
      metric: metric.name,
      mean: run.means[metric.name] ?? null,
      condensed: run.means[names.condensed] ?? null,
      upper: run.means[names.upper] ?? null,
      coverage: runCoverage(run, {
        k: metric.k ?? size,
        ...(input.minCoverage !== undefined && { minCoverage: input.minCoverage }),
      }),
      validQueries: run.validQueries,
      totalQueries: set.queries.length,
      perQuery,
      revisionId: resolved.revisionId,
      tookMs: Math.round(output.stats.searchMs * 10) / 10,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
      searches: { sent: output.stats.executed, cached: output.stats.fromCache },
    };
  },
});
