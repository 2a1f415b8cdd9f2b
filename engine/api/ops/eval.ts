/**
 * Evaluation and tuning in the contract: `eval.run` (job) scores configs on a stored query set and
 * records the runs; `eval.compare` compares two recorded runs; `tune.start` (job) auto-tunes a
 * config over a parameter space with cross-validation and records the tuned revision.
 *
 * Configs, stores, translators and query embedders come from the workbench session, so these
 * operations search exactly like the Search screen and share its caches.
 */
import { z } from 'zod';
import type { SearchConfig } from '../../config/search-config-schema.ts';
import { RwbError } from '../../errors.ts';
import { compareRuns, type RunComparison } from '../../eval/compare.ts';
import { RunResultSchema } from '../../eval/compare-run-result.ts';
import { resolveMetric } from '../../eval/metrics-registry.ts';
import {
  CoverageSchema,
  MetricRangeSchema,
  metricRanges,
  runCoverage,
} from '../../eval/run-unjudged.ts';
import { evaluateAndRecord } from '../../eval/runner-session.ts';
import { loadQuerySetById } from '../../eval/runner-query-sets.ts';
import { TuneReportSchema } from '../../eval/tuner/report.ts';
import { OPTIMIZERS } from '../../eval/tuner/samplers.ts';
import {
  parseParameterSpace,
  parseParameterSpaceText,
  type ParameterSpace,
} from '../../eval/tuner/space.ts';
import { tuneAndRecord } from '../../eval/tuning/tune-session.ts';
import type { VerifyReport } from '../../eval/verify.ts';
import { ProgressMeter } from '../../jobs/job.ts';
import type { ApiContext } from '../context.ts';
import { defineJob, defineOperation } from '../operation.ts';
import { IndexNameSchema, TenantIdSchema } from './common.ts';
import { sessionOf } from './workbench-session.ts';

const MetricNameSchema = z
  .string()
  .min(1)
  .max(40)
  .superRefine((name, ctx) => {
    try {
      resolveMetric(name);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

export const QuerySetIdSchema = z.string().min(1).max(400);

const EvalConfigInputSchema = z
  .object({
    /** A stored revision; with `config`, the revision the config was derived from (its parent). */
    revisionId: z.string().min(1).max(100).optional(),
    /** A SearchConfig; absent: the stored revision's config. */
    config: z.record(z.string(), z.unknown()).optional(),
    /** Shown in tables and kept as the note of a new revision. */
    label: z.string().max(200).optional(),
  })
  .strict()
  .refine((c) => c.revisionId !== undefined || c.config !== undefined, {
    message: 'give a config, a revisionId, or both',
  });

export const EvalRunInputSchema = z
  .object({
    configs: z.array(EvalConfigInputSchema).min(1).max(10),
    querySetId: QuerySetIdSchema,
    k: z.number().int().min(1).max(100).default(10),
    /** Default: ndcg, p, recall, mrr, err and ap at k. */
    metrics: z.array(MetricNameSchema).min(1).max(20).optional(),
    tenantId: TenantIdSchema,
    index: IndexNameSchema.optional(),
    snapshot: z.boolean().default(true),
    explain: z.boolean().default(false),
    verify: z.boolean().default(false),
    note: z.string().max(2000).optional(),
    /** Warn when the judged share of the top k is below this (default 0.8). */
    minCoverage: z.number().min(0).max(1).optional(),
  })
  .strict();

const ComparisonSchema = z.custom<RunComparison>(
  (v) => typeof v === 'object' && v !== null && 'queries' in v,
);

export const EvalRunResultSchema = z.object({
  runs: z.array(
    z.object({
      label: z.string(),
      revisionId: z.string(),
      newRevision: z.boolean(),
      runId: z.string(),
      snapshotId: z.string().nullable(),
      warnings: z.array(z.string()),
    }),
  ),
  /** One per config, in the order given. */
  results: z.array(RunResultSchema),
  /** Per config: each quality metric's standard (= lower), condensed-list and upper means. */
  unjudged: z.array(z.array(MetricRangeSchema)),
  /** Per config: judged coverage of the top k and its warning. */
  coverage: z.array(CoverageSchema),
  /** With 2 configs: the second against the first; null with one config. */
  comparison: ComparisonSchema.nullable(),
  /** Every config after the first against the first. */
  comparisons: z.array(ComparisonSchema),
  unknownDocIds: z.array(z.object({ query: z.string(), docId: z.string() })),
  verification: z.custom<VerifyReport[]>((v) => Array.isArray(v)).nullable(),
  stats: z.record(z.string(), z.number()),
});

async function resolveEvalConfig(
  ctx: ApiContext,
  entry: z.output<typeof EvalConfigInputSchema>,
  index: string,
  position: number,
): Promise<{ config: SearchConfig; label: string; parent: string | null }> {
  const session = sessionOf(ctx);
  const where = `configs[${position}]`;
  if (entry.config !== undefined) {
    const parent = entry.revisionId
      ? (await session.experiments.getRevision(entry.revisionId)).id
      : null;
    const config = await session.parseConfig(entry.config, index, where);
    return { config, label: entry.label ?? `${where}${parent ? ` (from ${parent})` : ''}`, parent };
  }
  const revision = await session.experiments.getRevision(entry.revisionId!);
  const config = await session.parseConfig(revision.config, index, `revision ${revision.id}`);
  return { config, label: entry.label ?? revision.id, parent: revision.parent };
}

export const evalRun = defineJob({
  description:
    'Evaluate configs on a stored query set (msearch in batches): per-query metrics, means, per-language breakdown, latency; records each run and snapshot; with 2+ configs compares each with the first.',
  jobKind: 'eval',
  input: EvalRunInputSchema,
  result: EvalRunResultSchema,
  label: (input) => `Evaluate ${input.configs.length} config(s) on ${input.querySetId}`,
  run: async (input, ctx, job) => {
    const session = sessionOf(ctx);
    const index = input.index ?? ctx.defaultIndex;
    const { querySet } = await loadQuerySetById(session.querySets, input.querySetId);
    const configs = [];
    for (const [i, entry] of input.configs.entries()) {
      const resolved = await resolveEvalConfig(ctx, entry, index, i);
      configs.push({ ...resolved, note: resolved.label });
    }
    const meter = new ProgressMeter();
    const result = await evaluateAndRecord({
      client: ctx.esClient(),
      url: ctx.esConnection().url,
      store: session.experiments,
      index,
      tenantId: input.tenantId,
      querySet,
      configs,
      k: input.k,
      ...(input.metrics && { metrics: input.metrics }),
      dependencies: (config) => session.searchDependencies(config, index),
      snapshot: input.snapshot,
      explain: input.explain,
      verify: input.verify,
      ...(input.note !== undefined && { note: input.note }),
      signal: job.signal,
      onProgress: (p) =>
        job.emit({
          type: 'progress',
          progress: meter.update({ total: p.total, done: p.done, failed: 0, stage: p.stage }),
        }),
    });
    return {
      runs: result.runs.map((r) => ({
        label: r.label,
        revisionId: r.revision.id,
        newRevision: r.createdRevision,
        runId: r.record.id,
        snapshotId: r.snapshotId ?? null,
        warnings: r.warnings,
      })),
      results: result.runs.map((r) => r.result),
      unjudged: result.runs.map((r) => metricRanges(r.result)),
      coverage: result.runs.map((r) =>
        runCoverage(r.result, {
          ...(input.minCoverage !== undefined && { minCoverage: input.minCoverage }),
        }),
      ),
      comparison: result.comparisons.length === 1 ? result.comparisons[0]! : null,
      comparisons: result.comparisons,
      unknownDocIds: result.unknownDocIds,
      verification: result.verification,
      stats: { ...result.stats },
    };
  },
});

export const evalCompare = defineOperation({
  description:
    'Compare two recorded eval runs (B against baseline A): per-query deltas, wins/losses/ties, paired randomization test, bootstrap CI, Jaccard/RBO, facet changes.',
  input: z
    .object({
      runA: z.string().min(1).max(100),
      runB: z.string().min(1).max(100),
      metric: MetricNameSchema.optional(),
      /** |delta| ≤ epsilon is a tie. */
      epsilon: z.number().min(0).max(1).optional(),
    })
    .strict(),
  output: ComparisonSchema,
  handler: async (input, ctx) => {
    const store = sessionOf(ctx).experiments;
    const [a, b] = [await store.getRun(input.runA), await store.getRun(input.runB)];
    for (const run of [a, b]) {
      if (!run.result) {
        throw new RwbError(
          'INVALID_INPUT',
          `run ${run.id} (${run.kind}) kept no per-query results; compare eval runs`,
        );
      }
    }
    return compareRuns(a.result!, b.result!, {
      ...(input.metric !== undefined && { metric: input.metric }),
      ...(input.epsilon !== undefined && { epsilon: input.epsilon }),
    });
  },
});

function spaceOf(space: string | Record<string, unknown>): ParameterSpace {
  return typeof space === 'string'
    ? parseParameterSpaceText(space, 'space')
    : parseParameterSpace(space, 'space');
}

export const TuneStartInputSchema = z
  .object({
    baseConfig: z.record(z.string(), z.unknown()),
    /** The parameter space: YAML/JSON text or the parsed object. */
    space: z
      .union([z.string().min(1).max(200_000), z.record(z.string(), z.unknown())])
      .superRefine((space, ctx) => {
        try {
          spaceOf(space);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    querySetId: QuerySetIdSchema,
    trials: z.number().int().min(1).max(5000).default(100),
    folds: z.number().int().min(1).max(20).default(5),
    metric: MetricNameSchema.default('ndcg@10'),
    tenantId: TenantIdSchema,
    index: IndexNameSchema.optional(),
    optimizer: z.enum(OPTIMIZERS).default('hybrid'),
    seed: z.union([z.number().int(), z.string().max(100)]).default(0),
    patience: z.number().int().min(1).max(5000).optional(),
    /** Evaluate and record base and tuned config on all queries afterwards. */
    recordEvaluations: z.boolean().default(true),
    note: z.string().max(2000).optional(),
    /** Propose the tuned config even when its held-out gain is not reliable. */
    acceptUnreliable: z.boolean().default(false),
  })
  .strict()
  .refine((input) => input.trials >= (input.folds === 1 ? 1 : input.folds + 1), {
    message: 'trials must be at least folds + 1 (one run per outer fold and the final run)',
    path: ['trials'],
  });

export const TuneStartResultSchema = z.object({
  revisionId: z.string(),
  baseRevisionId: z.string(),
  /** A tuned revision was proposed (false: revisionId is the base). */
  changed: z.boolean(),
  /** reliable-gain | no-reliable-gain | not-assessed | no-change (see tune-session.ts). */
  verdict: z.enum(['reliable-gain', 'no-reliable-gain', 'not-assessed', 'no-change']),
  proposed: z.boolean(),
  runId: z.string(),
  evalRunIds: z.object({ base: z.string(), tuned: z.string() }).nullable(),
  report: TuneReportSchema,
  bestConfig: z.record(z.string(), z.unknown()),
  queriesLeftOut: z.array(z.string()),
});

export const tuneStart = defineJob({
  description:
    'Auto-tune a config over a parameter space on a stored query set (TPE + coordinate ascent, nested CV, early stopping); progress per trial with train/held-out scores; records the tuned revision only when its held-out gain is reliable (or acceptUnreliable).',
  jobKind: 'tune',
  input: TuneStartInputSchema,
  result: TuneStartResultSchema,
  label: (input) => `Tune ${input.metric} on ${input.querySetId} (${input.trials} trials)`,
  run: async (input, ctx, job) => {
    const session = sessionOf(ctx);
    const index = input.index ?? ctx.defaultIndex;
    const { querySet } = await loadQuerySetById(session.querySets, input.querySetId);
    const baseConfig = await session.parseConfig(input.baseConfig, index, 'baseConfig');
    const meter = new ProgressMeter();
    const sensitivityMeter = new ProgressMeter();
    const result = await tuneAndRecord({
      client: ctx.esClient(),
      url: ctx.esConnection().url,
      store: session.experiments,
      index,
      tenantId: input.tenantId,
      querySet,
      baseConfig,
      space: spaceOf(input.space),
      metric: input.metric,
      trials: input.trials,
      folds: input.folds,
      optimizer: input.optimizer,
      seed: input.seed,
      ...(input.patience !== undefined && { patience: input.patience }),
      dependencies: (config) => session.searchDependencies(config, index),
      recordEvaluations: input.recordEvaluations,
      ...(input.note !== undefined && { note: input.note }),
      acceptUnreliable: input.acceptUnreliable,
      signal: job.signal,
      onProgress: (event) => {
        if (event.type === 'trial') {
          const { trial } = event;
          job.emit({
            type: 'progress',
            progress: meter.update({
              total: event.total,
              done: event.done,
              failed: 0,
              stage: `trial ${event.done}/${event.total} · fold ${trial.fold}`,
              detail: {
                trial: trial.trial,
                fold: trial.fold,
                train: trial.train,
                validation: trial.validation,
                all: trial.all,
                foldBestTrain: event.foldBestTrain,
                improved: event.improved,
              },
            }),
          });
        } else if (event.type === 'fold') {
          const f = event.fold;
          job.emit({
            type: 'log',
            level: 'info',
            message: `fold ${f.fold}: train ${f.baseTrain.toFixed(4)} → ${f.bestTrain.toFixed(4)}, held-out ${f.baseValidation?.toFixed(4) ?? '—'} → ${f.bestValidation?.toFixed(4) ?? '—'} (${f.stopReason})`,
          });
        } else {
          job.emit({
            type: 'progress',
            progress: sensitivityMeter.update({
              total: event.total,
              done: event.done,
              failed: 0,
              stage: `sensitivity · ${event.parameter}`,
              detail: { parameter: event.parameter },
            }),
          });
        }
      },
    });
    return {
      revisionId: result.revision.id,
      baseRevisionId: result.baseRevision.id,
      changed: result.changed,
      verdict: result.verdict,
      proposed: result.proposed,
      runId: result.tuneRun.id,
      evalRunIds: result.evalRuns
        ? { base: result.evalRuns.base.id, tuned: result.evalRuns.tuned.id }
        : null,
      report: result.report,
      bestConfig: result.bestConfig as unknown as Record<string, unknown>,
      queriesLeftOut: result.queriesLeftOut,
    };
  },
});
