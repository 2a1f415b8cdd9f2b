/**
 * `judgments.queue`: "judge what matters" — the unjudged products in the top k of two compared
 * configs, ordered by how much their grade could move the difference of the metric
 * (engine/eval/judge-queue.ts). The two sides are either two recorded eval runs (Compare's runs)
 * or two configs evaluated now (default: the last accepted revision — the working config's base —
 * against the working config; the working config alone when it has no base). The query set's
 * current ratings decide what is still unjudged. Product titles come from the index.
 */
import type { Client } from '@elastic/elasticsearch';
import { z } from 'zod';
import { docId } from '../../catalog/types.ts';
import { esErrorToRwb } from '../../es/client.ts';
import { RwbError } from '../../errors.ts';
import type { RunResult } from '../../eval/compare-run-result.ts';
import { judgeQueue } from '../../eval/judge-queue.ts';
import { ratingsByQuery } from '../../eval/judgments.ts';
import { resolveMetric } from '../../eval/metrics-registry.ts';
import { runEvaluation } from '../../eval/runner.ts';
import { loadQuerySetById } from '../../eval/runner-query-sets.ts';
import { CoverageSchema, runCoverage } from '../../eval/run-unjudged.ts';
import type { ApiContext } from '../context.ts';
import { defineOperation } from '../operation.ts';
import { IndexNameSchema } from './common.ts';
import { ConfigChoiceSchema, resolveConfig } from './config-resolve.ts';
import { missingIndexAsNotFound, sessionOf } from './workbench-session.ts';

const QualityMetricSchema = z
  .string()
  .min(1)
  .max(40)
  .superRefine((name, ctx) => {
    try {
      const metric = resolveMetric(name);
      if (!metric.quality)
        ctx.addIssue({ code: 'custom', message: `${name} is not a quality metric` });
      else if (metric.k === undefined)
        ctx.addIssue({ code: 'custom', message: `${name}: give a cutoff, e.g. ${metric.kind}@10` });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

const RunIdSchema = z.string().min(1).max(100);

export const JudgmentsQueueInputSchema = z
  .object({
    querySetId: z.string().min(1).max(400),
    metric: QualityMetricSchema.default('ndcg@10'),
    /** Two recorded eval runs (A = baseline); B may be left out for one run's own queue. */
    runs: z.object({ a: RunIdSchema, b: RunIdSchema.optional() }).strict().optional(),
    /** Two configs evaluated now; default A = the working config's base revision, B = working. */
    configs: z
      .object({ a: ConfigChoiceSchema.optional(), b: ConfigChoiceSchema.optional() })
      .strict()
      .optional(),
    tenantId: z.string().min(1).max(64).optional(),
    index: IndexNameSchema.optional(),
    /** Items returned, best first. */
    limit: z.number().int().min(1).max(1000).default(100),
    /** Look up each product's title and image in the index (needs the cluster). */
    details: z.boolean().default(true),
    minCoverage: z.number().min(0).max(1).optional(),
  })
  .strict()
  .refine((input) => !(input.runs && input.configs), {
    message: 'give runs or configs, not both',
    path: ['configs'],
  });

const ProductSchema = z.object({
  title: z.string().nullable(),
  vendor: z.string().nullable(),
  image: z.string().nullable(),
});

export const JudgmentsQueueOutputSchema = z.object({
  metric: z.string(),
  k: z.number().int().positive(),
  source: z.enum(['runs', 'configs']),
  /** What A and B are (revision ids or labels); b null for a single run. */
  labels: z.object({ a: z.string(), b: z.string().nullable() }),
  /** Queries averaged: reach and swing are in units of the mean metric over these. */
  queries: z.number().int().min(0),
  /** Unjudged (query, product) pairs in either top k, before the limit. */
  unjudged: z.number().int().min(0),
  coverage: z.object({ a: CoverageSchema, b: CoverageSchema.nullable() }),
  items: z.array(
    z.object({
      query: z.string(),
      docId: z.string(),
      rankA: z.number().int().positive().nullable(),
      rankB: z.number().int().positive().nullable(),
      /** How far its grade can move the mean difference B − A. */
      reach: z.number().min(0),
      swingA: z.number().min(0),
      swingB: z.number().min(0),
      /** The query counts in the means today (items of queries that do not come last). */
      counted: z.boolean(),
      /** Null when details were not asked for or the product is not in the index. */
      product: ProductSchema.nullable(),
    }),
  ),
});
export type JudgmentsQueueOutput = z.infer<typeof JudgmentsQueueOutputSchema>;
type Input = z.output<typeof JudgmentsQueueInputSchema>;

async function recordedRuns(
  ctx: ApiContext,
  runs: NonNullable<Input['runs']>,
): Promise<{ a: RunResult; b?: RunResult }> {
  const store = sessionOf(ctx).experiments;
  const load = async (id: string, where: string) => {
    const run = await store.getRun(id);
    if (!run.result) {
      throw new RwbError(
        'INVALID_INPUT',
        `${where}: run ${run.id} (${run.kind}) kept no per-query results; use eval runs`,
        { path: where },
      );
    }
    return run.result;
  };
  const a = await load(runs.a, 'runs.a');
  return runs.b === undefined ? { a } : { a, b: await load(runs.b, 'runs.b') };
}

async function productDetails(
  client: Client,
  index: string,
  tenantId: string,
  ids: readonly string[],
  url: string,
): Promise<Map<string, z.infer<typeof ProductSchema>>> {
  const found = new Map<string, z.infer<typeof ProductSchema>>();
  if (ids.length === 0) return found;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  try {
    const response = await client.mget<Record<string, unknown>>({
      index,
      ids: ids.map((id) => docId(tenantId, id)),
      _source_includes: ['title_en', 'title_zh', 'vendor_en', 'vendor_zh', 'image_src'],
    });
    response.docs.forEach((doc, i) => {
      if (!('found' in doc) || !doc.found || !doc._source) return;
      const s = doc._source;
      found.set(ids[i]!, {
        title: text(s.title_en) ?? text(s.title_zh),
        vendor: text(s.vendor_en) ?? text(s.vendor_zh),
        image: text(s.image_src),
      });
    });
  } catch (err) {
    throw missingIndexAsNotFound(esErrorToRwb(err, url, `reading products of ${index}`), index);
  }
  return found;
}

export const judgmentsQueue = defineOperation({
  description:
    'Judge what matters: unjudged products in the top k of two compared configs (recorded runs, or configs evaluated now: the last accepted revision against the working config), ordered by how much their grade could move the difference in the metric.',
  input: JudgmentsQueueInputSchema,
  output: JudgmentsQueueOutputSchema,
  handler: async (input, ctx, extras) => {
    const session = sessionOf(ctx);
    const { querySet } = await loadQuerySetById(session.querySets, input.querySetId);
    const metric = resolveMetric(resolveMetric(input.metric).base);
    const k = metric.k!;
    let a: RunResult;
    let b: RunResult | undefined;
    let labels: { a: string; b: string | null };
    let tenantId = input.tenantId ?? querySet.tenant;
    let index = input.index ?? querySet.index ?? ctx.defaultIndex;
    if (input.runs) {
      ({ a, b } = await recordedRuns(ctx, input.runs));
      labels = { a: a.revisionId, b: b?.revisionId ?? null };
      tenantId = input.tenantId ?? a.querySet?.tenant ?? tenantId;
      index = input.index ?? a.querySet?.index ?? index;
    } else {
      if (!tenantId) {
        throw new RwbError(
          'INVALID_INPUT',
          `judgments.queue: query set "${querySet.name}" names no tenant; pass tenantId`,
          { path: 'tenantId' },
        );
      }
      const working = await session.working();
      const refA =
        input.configs?.a ??
        (working.baseRevisionId
          ? { revisionId: working.baseRevisionId, label: 'accepted' }
          : undefined);
      const refB = input.configs?.b ?? (refA ? { label: 'working' } : undefined);
      const sides = refB ? [refA ?? {}, refB] : [{ label: 'working' }];
      const resolved = [];
      for (const side of sides) {
        const { overrides, ...ref } = side as z.infer<typeof ConfigChoiceSchema>;
        resolved.push(await resolveConfig(ctx, ref, overrides, index));
      }
      const client = ctx.esClient();
      try {
        const output = await runEvaluation(client, {
          index,
          tenantId,
          querySet,
          configs: resolved.map((r, i) => ({
            revisionId: `${i}:${r.revisionId}`,
            config: r.config,
          })),
          k,
          metrics: [metric.name],
          facets: false,
          dependencies: (config) => session.searchDependencies(config, index, extras.signal),
          batchSize: 200,
          ...(extras.signal && { signal: extras.signal }),
        });
        a = output.results[0]!;
        b = output.results[1];
      } catch (err) {
        throw missingIndexAsNotFound(
          esErrorToRwb(
            err,
            ctx.esConnection().url,
            `evaluating query set "${querySet.name}" on ${index}`,
          ),
          index,
        );
      }
      labels = { a: resolved[0]!.label, b: resolved[1]?.label ?? null };
    }
    const queue = judgeQueue({
      metric: metric.name,
      a,
      ...(b && { b }),
      ratings: ratingsByQuery(querySet),
      metricOptions: { maxGrade: querySet.scale.max },
      limit: input.limit,
    });
    const details =
      input.details && tenantId
        ? await productDetails(
            ctx.esClient(),
            index,
            tenantId,
            [...new Set(queue.items.map((item) => item.docId))],
            ctx.esConnection().url,
          )
        : new Map<string, z.infer<typeof ProductSchema>>();
    const coverageOf = (run: RunResult) =>
      runCoverage(run, {
        k,
        ...(input.minCoverage !== undefined && { minCoverage: input.minCoverage }),
      });
    return {
      metric: queue.metric,
      k,
      source: input.runs ? ('runs' as const) : ('configs' as const),
      labels,
      queries: queue.queries,
      unjudged: queue.unjudged,
      coverage: { a: coverageOf(a), b: b ? coverageOf(b) : null },
      items: queue.items.map((item) => ({ ...item, product: details.get(item.docId) ?? null })),
    };
  },
});
