/**
 * The auto-tuner: search a parameter space for the config that maximises a metric over a query
 * set, with k-fold cross-validation so the reported gain is measured on held-out queries.
 *
 * For each fold an optimiser (TPE, coordinate ascent or random search) gets an equal share of the
 * trial budget and maximises the mean score over the fold's training queries, starting from the
 * base config. Every trial is scored on all queries (the cache makes repeats free), which gives
 * its validation score on the held-out fold at no extra search cost. The fold's best trial by
 * train score, measured on the held-out fold against the base config, is the honest estimate of
 * what tuning gains; the returned parameters are those with the best mean over all queries among
 * every trial of every fold (their own score is optimistic by construction — read the CV gain).
 *
 * Evaluation is injected (`evaluate(params, queries)`), so the tuner runs against Elasticsearch,
 * a recorded run or a synthetic objective alike.
 */
import { isAbortError, RwbError } from '../../errors.ts';
import { mean } from '../stats-significance.ts';
import { createRandom, type Seed } from '../stats-random.ts';
import type { CoordinateAscentOptions } from './coordinate-ascent.ts';
import { EvaluationCache, type EvaluateFn, type RequestKeyFn } from './eval-cache.ts';
import { assignFolds, type Fold } from './folds.ts';
import {
  TUNE_REPORT_SCHEMA_VERSION,
  type FoldReport,
  type StopReason,
  type TrialRecord,
  type TuneReport,
} from './report.ts';
import { createSampler, type OptimizerName } from './samplers.ts';
import { measureSensitivity } from './sensitivity.ts';
import { decodePoint, dimensionsOf, encodeParams, paramsKey } from './space-codec.ts';
import { applyParams, readBaseParams, type ParameterSpace, type ParamValues } from './space.ts';
import type { TpeOptions } from './tpe.ts';

export interface TuneOptions<TConfig> {
  readonly space: ParameterSpace;
  /** The config the parameters are read from and applied to. */
  readonly baseConfig: TConfig;
  /** The query set (query texts); scores are means over these. */
  readonly queries: readonly string[];
  readonly evaluate: EvaluateFn;
  /** Name of the metric `evaluate` returns, for the report. Default: the space's, else ndcg@10. */
  readonly metric?: string;
  /** Trials over all folds together (the base config not counted). Default 100. */
  readonly trials?: number;
  /** Cross-validation folds; 1 = no cross-validation. Default 5. */
  readonly folds?: number;
  readonly optimizer?: OptimizerName;
  readonly seed?: Seed;
  /** A fold stops after this many trials without improving its train score. Default: never. */
  readonly patience?: number;
  /** Improvement of the train score that counts for patience. Default 1e-9. */
  readonly minImprovement?: number;
  /** Values per numeric parameter in the sensitivity analysis; 0 skips it. Default 5. */
  readonly sensitivityPoints?: number;
  /** Cache key of a query's request for given params (see eval-cache.ts). */
  readonly requestKey?: RequestKeyFn;
  /**
   * Reuse a cache across tuning runs with the same base config, query set and metric; the
   * report's `evaluations` then count over every run that used it.
   */
  readonly cache?: EvaluationCache;
  readonly tpe?: TpeOptions;
  readonly coordinateAscent?: Omit<CoordinateAscentOptions, 'start'>;
  readonly onProgress?: (event: TuneProgressEvent) => void;
  readonly signal?: AbortSignal;
}

export type TuneProgressEvent =
  | {
      readonly type: 'trial';
      readonly trial: TrialRecord;
      /** Trials run so far and the budget (base config not counted). */
      readonly done: number;
      readonly total: number;
      readonly foldBestTrain: number;
      readonly improved: boolean;
    }
  | { readonly type: 'fold'; readonly fold: FoldReport }
  | {
      readonly type: 'sensitivity';
      readonly parameter: string;
      readonly done: number;
      readonly total: number;
    };

export interface TuneResult<TConfig> {
  readonly report: TuneReport;
  readonly bestParams: ParamValues;
  /** The base config with the best parameters applied (a new object). */
  readonly bestConfig: TConfig;
}

/** Proposals in a row that decode to already-tried parameters before a fold gives up. */
const MAX_REPEATED_PROPOSALS = 1000;

function meanOf(scores: ReadonlyMap<string, number>, queries: readonly string[]): number {
  return mean(queries.map((q) => scores.get(q) as number));
}

function sampleStd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

function positiveInteger(value: number, name: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RwbError('INVALID_INPUT', `${name} must be an integer ≥ ${min}, got ${value}`);
  }
  return value;
}

/** Runs the tuner; throws RwbError CANCELLED (details: trials done) when the signal aborts. */
export async function tune<TConfig>(options: TuneOptions<TConfig>): Promise<TuneResult<TConfig>> {
  const { space, signal } = options;
  const seed = options.seed ?? 0;
  const optimizer = options.optimizer ?? 'hybrid';
  const foldCount = positiveInteger(options.folds ?? 5, 'folds');
  const budget = positiveInteger(options.trials ?? 100, 'trials');
  if (budget < foldCount) {
    throw new RwbError('INVALID_INPUT', `trials (${budget}) must be at least folds (${foldCount})`);
  }
  const patience = options.patience;
  if (patience !== undefined) positiveInteger(patience, 'patience');
  const minImprovement = options.minImprovement ?? 1e-9;
  const sensitivityPoints = positiveInteger(options.sensitivityPoints ?? 5, 'sensitivityPoints', 0);
  const folds = assignFolds(options.queries, foldCount, seed);
  const allQueries = [...folds[0]!.train, ...folds[0]!.validation].sort();
  const cache = options.cache ?? new EvaluationCache(options.requestKey);
  const dimensions = dimensionsOf(space);
  const random = createRandom(seed);

  const base = readBaseParams(options.baseConfig, space);
  const warnings = [
    ...base.warnings,
    ...base.missing.map(
      (name) =>
        `${name}: the base config has no value and the space no default; left unset in the base trial`,
    ),
  ];
  const basePoint = encodeParams(space, base.values);

  let trialsRun = 0;
  const cancelled = () =>
    new RwbError('CANCELLED', `tuning cancelled after ${trialsRun} of ${budget} trials`, {
      trialsRun,
    });
  const scoresFor = async (params: ParamValues) => {
    if (signal?.aborted) throw cancelled();
    try {
      return await cache.scoresFor(params, allQueries, options.evaluate, signal);
    } catch (err) {
      if (signal?.aborted || isAbortError(err)) throw cancelled();
      throw err;
    }
  };

  const baseScores = await scoresFor(base.values);
  const trials: TrialRecord[] = [];
  const foldReports: FoldReport[] = [];
  const record = (
    fold: Fold,
    foldTrial: number,
    params: ParamValues,
    scores: ReadonlyMap<string, number>,
  ): TrialRecord => {
    const trial: TrialRecord = {
      trial: trials.length,
      fold: fold.index,
      foldTrial,
      isBase: foldTrial === 0,
      params: { ...params },
      train: meanOf(scores, fold.train),
      validation: fold.validation.length === 0 ? null : meanOf(scores, fold.validation),
      all: meanOf(scores, allQueries),
    };
    trials.push(trial);
    return trial;
  };

  for (const fold of folds) {
    const foldBudget = Math.floor(budget / foldCount) + (fold.index < budget % foldCount ? 1 : 0);
    const sampler = createSampler(optimizer, dimensions, random.fork(`fold-${fold.index}`), {
      start: basePoint,
      budget: foldBudget,
      ...(options.tpe && { tpe: options.tpe }),
      ...(options.coordinateAscent && { coordinateAscent: options.coordinateAscent }),
    });
    const baseTrial = record(fold, 0, base.values, baseScores);
    sampler.tell(basePoint, baseTrial.train);
    const seen = new Map<string, number>([[paramsKey(base.values), baseTrial.train]]);
    let best = baseTrial;
    let sinceImprovement = 0;
    let repeated = 0;
    let foldTrials = 0;
    let stopReason: StopReason = 'budget';

    while (foldTrials < foldBudget) {
      if (signal?.aborted) throw cancelled();
      const point = sampler.ask();
      const params = decodePoint(space, point);
      const key = paramsKey(params);
      const known = seen.get(key);
      if (known !== undefined) {
        sampler.tell(point, known);
        if (++repeated >= MAX_REPEATED_PROPOSALS) {
          stopReason = 'space-exhausted';
          break;
        }
        continue;
      }
      repeated = 0;
      const trial = record(fold, foldTrials + 1, params, await scoresFor(params));
      foldTrials++;
      trialsRun++;
      seen.set(key, trial.train);
      sampler.tell(point, trial.train);
      const improved = trial.train > best.train + minImprovement;
      if (improved) {
        best = trial;
        sinceImprovement = 0;
      } else {
        sinceImprovement++;
      }
      options.onProgress?.({
        type: 'trial',
        trial,
        done: trialsRun,
        total: budget,
        foldBestTrain: best.train,
        improved,
      });
      if (patience !== undefined && sinceImprovement >= patience) {
        stopReason = 'patience';
        break;
      }
    }

    const report: FoldReport = {
      fold: fold.index,
      trainQueries: fold.train.length,
      validationQueries: fold.validation.length,
      trials: foldTrials,
      stopReason,
      bestTrial: best.trial,
      baseTrain: baseTrial.train,
      bestTrain: best.train,
      baseValidation: baseTrial.validation,
      bestValidation: best.validation,
      validationGain:
        best.validation === null || baseTrial.validation === null
          ? null
          : best.validation - baseTrial.validation,
    };
    foldReports.push(report);
    options.onProgress?.({ type: 'fold', fold: report });
  }

  // Earliest trial wins ties, so the base config is kept unless something is strictly better.
  const bestOverall = trials.reduce((a, b) => (b.all > a.all + minImprovement ? b : a));
  const bestParams = bestOverall.params;
  const sensitivity =
    sensitivityPoints === 0
      ? []
      : await measureSensitivity({
          space,
          best: bestParams,
          points: sensitivityPoints,
          score: async (params) => meanOf(await scoresFor(params), allQueries),
          onParameter: (parameter, done, total) =>
            options.onProgress?.({ type: 'sensitivity', parameter, done, total }),
        });

  const gains = foldReports.flatMap((f) => (f.validationGain === null ? [] : [f.validationGain]));
  const validationMean = (pick: (f: FoldReport) => number | null) => {
    const values = foldReports.flatMap((f) => {
      const v = pick(f);
      return v === null ? [] : [v];
    });
    return values.length === 0 ? null : mean(values);
  };
  const report: TuneReport = {
    schemaVersion: TUNE_REPORT_SCHEMA_VERSION,
    metric: options.metric ?? space.metric ?? 'ndcg@10',
    optimizer,
    seed,
    folds: foldCount,
    queries: allQueries.length,
    trialsBudget: budget,
    trialsRun,
    baseParams: { ...base.values },
    bestParams: { ...bestParams },
    baseScore: meanOf(baseScores, allQueries),
    bestScore: bestOverall.all,
    bestTrial: bestOverall.trial,
    cv: {
      meanValidationGain: gains.length === 0 ? null : mean(gains),
      stdValidationGain: sampleStd(gains),
      meanBaseValidation: validationMean((f) => f.baseValidation),
      meanBestValidation: validationMean((f) => f.bestValidation),
      folds: foldReports,
    },
    trials,
    sensitivity,
    evaluations: cache.stats(),
    warnings,
  };
  return {
    report,
    bestParams,
    bestConfig: applyParams(options.baseConfig, space, bestParams),
  };
}
