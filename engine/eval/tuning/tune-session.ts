/**
 * One tuning run as the CLI and the app run it: the base config becomes a revision, the tuner
 * searches the space against Elasticsearch with nested cross-validation, and the tune (with its
 * report) is recorded. Safe accept: the tuned config becomes a new revision (parent: the base) only
 * when the outer-fold gain's confidence interval lies above 0 (or on explicit request); otherwise
 * the verdict says why not and the numbers are in the report. A proposed config and its base are
 * then evaluated on the whole query set and recorded too, so `experiments diff` shows the config
 * change next to the metric change.
 *
 * Queries whose judgments cannot rank anything (no rating above 0) are left out of tuning: they
 * score 0 under every config and would only dilute the objective.
 */
import type { Client } from '@elastic/elasticsearch';
import type { SearchConfig } from '../../config/search-config-schema.ts';
import { RwbError } from '../../errors.ts';
import type { SearchDependencies } from '../../search/searcher.ts';
import { canonicalJson, type Revision, type RunRecord } from '../experiments.ts';
import { queriesWithNoPositiveRating, type QuerySet } from '../judgments.ts';
import type { MetricOptions } from '../metrics.ts';
import { resolveMetric } from '../metrics-registry.ts';
import { runEvaluation, type ConfigDependencies } from '../runner.ts';
import type { QueryEmbedderSource } from '../runner-embedders.ts';
import type { ExperimentStore } from '../store/experiment-store.ts';
import type { TuneReport } from '../tuner/report.ts';
import type { OptimizerName } from '../tuner/samplers.ts';
import type { ParameterSpace, ParamValues } from '../tuner/space.ts';
import { tune, type TuneProgressEvent } from '../tuner/tuner.ts';
import { createTuneEvaluation, searchDepthOf, type TuneEvaluationStats } from './tune-runner.ts';

export interface TuneSessionOptions {
  readonly client: Client;
  readonly url?: string;
  readonly store: ExperimentStore;
  readonly index: string;
  readonly tenantId: string;
  readonly querySet: QuerySet;
  readonly baseConfig: SearchConfig;
  /** Label of the base config (file name), kept as its revision note when new. */
  readonly baseLabel?: string;
  readonly space: ParameterSpace;
  /** Default: the space's metric, else ndcg@10. */
  readonly metric?: string;
  readonly metricOptions?: MetricOptions;
  readonly trials?: number;
  readonly folds?: number;
  readonly optimizer?: OptimizerName;
  readonly seed?: number | string;
  readonly patience?: number;
  readonly embedder?: QueryEmbedderSource;
  readonly searchDeps?: Omit<SearchDependencies, 'embedder' | 'signal'>;
  /** Per-config search dependencies (see runEvaluation); replaces embedder and searchDeps. */
  readonly dependencies?: ConfigDependencies;
  /** Evaluate base and tuned configs on all queries and record those runs. Default true. */
  readonly recordEvaluations?: boolean;
  readonly note?: string;
  /**
   * Propose (record as a revision) a tuned config whose outer-fold gain is not reliable too.
   * Default false: only a gain whose confidence interval lies above 0 is proposed.
   */
  readonly acceptUnreliable?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: TuneProgressEvent) => void;
}

/**
 * What the tuning says about its result:
 *  - `reliable-gain`: the nested-CV gain's interval lies above 0 — proposed as a new revision;
 *  - `no-reliable-gain`: the tuned parameters differ but their held-out gain may be noise;
 *  - `not-assessed`: no cross-validation (folds = 1), so nothing says the gain holds;
 *  - `no-change`: the procedure kept the base parameters.
 */
export type TuneVerdict = 'reliable-gain' | 'no-reliable-gain' | 'not-assessed' | 'no-change';

export interface TuneSessionResult {
  readonly baseRevision: Revision;
  /** The proposed tuned revision; the base revision when nothing was proposed. */
  readonly revision: Revision;
  /** A tuned revision was proposed (recorded with the base as its parent). */
  readonly changed: boolean;
  readonly verdict: TuneVerdict;
  /** The tuned config was proposed: `reliable-gain`, or any change with acceptUnreliable. */
  readonly proposed: boolean;
  readonly report: TuneReport;
  readonly bestParams: ParamValues;
  readonly bestConfig: SearchConfig;
  readonly tuneRun: RunRecord;
  /** Full-query-set eval runs of base and tuned config (when recorded). */
  readonly evalRuns: { base: RunRecord; tuned: RunRecord } | null;
  readonly queriesLeftOut: string[];
  readonly evaluation: TuneEvaluationStats;
  readonly failures: Array<{ query: string; message: string }>;
}

function formatGain(gain: number | null): string {
  return gain === null ? 'n/a' : `${gain >= 0 ? '+' : ''}${gain.toFixed(4)}`;
}

export async function tuneAndRecord(options: TuneSessionOptions): Promise<TuneSessionResult> {
  const { client, store } = options;
  const metric = resolveMetric(options.metric ?? options.space.metric ?? 'ndcg@10').name;
  if (!resolveMetric(metric).quality) {
    throw new RwbError('INVALID_INPUT', `${metric} is a count, not a quality metric to maximise`);
  }
  const leftOut = new Set(queriesWithNoPositiveRating(options.querySet));
  const queries = options.querySet.queries.map((q) => q.text).filter((q) => !leftOut.has(q));
  if (queries.length === 0) {
    throw new RwbError(
      'INVALID_INPUT',
      `query set "${options.querySet.name}" has no query with a rating above 0; nothing to tune on`,
    );
  }
  const { revision: baseRevision } = await store.createRevision(options.baseConfig, {
    note: options.baseLabel ?? 'tuning base',
  });
  const objective = createTuneEvaluation(client, {
    index: options.index,
    tenantId: options.tenantId,
    querySet: options.querySet,
    baseConfig: options.baseConfig,
    space: options.space,
    metric,
    ...(options.metricOptions && { metricOptions: options.metricOptions }),
    ...(options.embedder && { embedder: options.embedder }),
    ...(options.searchDeps && { searchDeps: options.searchDeps }),
    ...(options.dependencies && { dependencies: options.dependencies }),
  });
  const result = await tune<SearchConfig>({
    space: options.space,
    baseConfig: options.baseConfig,
    queries,
    evaluate: objective.evaluate,
    requestKey: objective.requestKey,
    metric,
    ...(options.trials !== undefined && { trials: options.trials }),
    ...(options.folds !== undefined && { folds: options.folds }),
    ...(options.optimizer && { optimizer: options.optimizer }),
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.patience !== undefined && { patience: options.patience }),
    ...(options.onProgress && { onProgress: options.onProgress }),
    ...(options.signal && { signal: options.signal }),
  });
  const bestConfig = objective.configFor(result.bestParams);
  const { report } = result;
  const outer = report.cv.outer ?? null;
  const differs = canonicalJson(result.bestParams) !== canonicalJson(report.baseParams);
  const verdict: TuneVerdict = !differs
    ? 'no-change'
    : outer === null
      ? 'not-assessed'
      : outer.reliable
        ? 'reliable-gain'
        : 'no-reliable-gain';
  const proposed = verdict === 'reliable-gain' || (differs && (options.acceptUnreliable ?? false));
  const revision = proposed
    ? (
        await store.createRevision(bestConfig, {
          parent: baseRevision.id,
          note:
            `tuned ${metric} on "${options.querySet.name}": ${report.trialsRun} trials, ${report.folds} folds, ` +
            (outer === null
              ? `no outer estimate`
              : `outer-CV gain ${formatGain(outer.meanGain)} [${formatGain(outer.ci.lower)}, ${formatGain(outer.ci.upper)}]`) +
            (verdict === 'reliable-gain' ? '' : ` (${verdict}, accepted on request)`),
        })
      ).revision
    : baseRevision;
  const tuneRun = await store.recordTune({
    baseRevisionId: baseRevision.id,
    revisionId: revision.id,
    report,
    querySet: { name: options.querySet.name, tenant: options.tenantId, index: options.index },
    ...(options.note !== undefined && { note: options.note }),
  });

  let evalRuns: TuneSessionResult['evalRuns'] = null;
  if (proposed && (options.recordEvaluations ?? true)) {
    const k = searchDepthOf(metric);
    const output = await runEvaluation(client, {
      index: options.index,
      tenantId: options.tenantId,
      querySet: options.querySet,
      configs: [
        { revisionId: baseRevision.id, config: options.baseConfig },
        { revisionId: revision.id, config: bestConfig },
      ],
      k,
      metrics: [...new Set([metric, ...['ndcg', 'p', 'recall', 'mrr'].map((m) => `${m}@${k}`)])],
      ...(options.metricOptions && { metricOptions: options.metricOptions }),
      ...(options.embedder && { embedder: options.embedder }),
      ...(options.searchDeps && { searchDeps: options.searchDeps }),
      ...(options.dependencies && { dependencies: options.dependencies }),
      ...(options.signal && { signal: options.signal }),
    });
    const note = options.note ?? `evaluation after tuning (${tuneRun.id})`;
    evalRuns = {
      base: await store.recordRun(output.results[0]!, { note }),
      tuned: await store.recordRun(output.results[1]!, { note }),
    };
  }
  return {
    baseRevision,
    revision,
    changed: revision.id !== baseRevision.id,
    verdict,
    proposed,
    report,
    bestParams: result.bestParams,
    bestConfig,
    tuneRun,
    evalRuns,
    queriesLeftOut: [...leftOut],
    evaluation: objective.stats(),
    failures: objective.failures(),
  };
}
