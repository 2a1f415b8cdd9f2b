/**
 * The auto-tuner: search a parameter space for the config that maximises a metric over a query
 * set, and say honestly whether the result will hold on queries it did not see.
 *
 * The tuning procedure P(queries) is: an optimiser (TPE, coordinate ascent or random search)
 * explores the space from the base config, scoring each trial on the given queries; then one
 * trial is *selected* — by default with a one-standard-error rule: the trial whose per-query gain
 * over the base has the highest lower bound (mean − seMultiplier × standard error), so a trial
 * must beat the base by more than its noise to be chosen (the base, gain 0 ± 0, wins otherwise:
 * shrinkage toward the base config), and among near-ties the trial nearest the base. `selection:
 * 'best'` picks the highest mean instead (the old behaviour; it overfits ~100 queries).
 *
 * Nested cross-validation estimates what P gains: for each outer fold, P runs on the other folds'
 * queries and its selected trial is scored against the base on the held-out fold (the inner
 * choice never sees those queries). The held-out per-query gains of all folds are pooled into a
 * mean with a bootstrap confidence interval and a paired randomization test. The returned config
 * is P run once more on every query — the very procedure that was estimated. `reliable` says
 * whether the interval lies above 0: the surfaces propose the tuned config as a new revision only
 * then ("safe accept").
 *
 * Every trial is scored on all queries (the cache makes repeats free); evaluation is injected
 * (`evaluate(params, queries)`), so the tuner runs against Elasticsearch, a recorded run or a
 * synthetic objective alike.
 */
import { isAbortError, RwbError } from '../../errors.ts';
import { mean, pairedBootstrapCi, pairedRandomizationTest } from '../stats-significance.ts';
import { createRandom, type Seed } from '../stats-random.ts';
import type { CoordinateAscentOptions } from './coordinate-ascent.ts';
import { EvaluationCache, type EvaluateFn, type RequestKeyFn } from './eval-cache.ts';
import { assignFolds, type Fold } from './folds.ts';
import {
  TUNE_REPORT_SCHEMA_VERSION,
  type FoldReport,
  type OuterEstimate,
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
  /**
   * How a run's trial is chosen: `one-se` (default) — the highest lower bound of the per-query
   * gain over the base (mean − seMultiplier × SE), nearest the base among near-ties; `best` —
   * the highest mean.
   */
  readonly selection?: SelectionRule;
  /** The k of the one-SE rule. Default 1. */
  readonly seMultiplier?: number;
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

export type SelectionRule = 'one-se' | 'best';

/** Lower bounds this close count as a tie, broken by the distance to the base. */
const NEAR_TIE = 1e-4;

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
  const selection: SelectionRule = options.selection ?? 'one-se';
  const seMultiplier = options.seMultiplier ?? 1;
  if (!(seMultiplier >= 0) || !Number.isFinite(seMultiplier)) {
    throw new RwbError('INVALID_INPUT', `seMultiplier must be a number ≥ 0, got ${seMultiplier}`);
  }
  // One run per outer fold, and the final run on every query.
  const runs = foldCount === 1 ? 1 : foldCount + 1;
  if (budget < runs) {
    throw new RwbError(
      'INVALID_INPUT',
      `trials (${budget}) must be at least ${runs} (one per outer fold and one for the final run)`,
    );
  }
  const patience = options.patience;
  if (patience !== undefined) positiveInteger(patience, 'patience');
  const minImprovement = options.minImprovement ?? 1e-9;
  const sensitivityPoints = positiveInteger(options.sensitivityPoints ?? 5, 'sensitivityPoints', 0);
  const folds = assignFolds(options.queries, foldCount, seed);
  const allQueries = [...folds[0]!.train, ...folds[0]!.validation].sort();
  // The final run: every query to train on, nothing held out (its score is in-sample).
  const finalRun: Fold = {
    index: foldCount === 1 ? 0 : foldCount,
    train: allQueries,
    validation: [],
  };
  const plan: Fold[] = foldCount === 1 ? [finalRun] : [...folds, finalRun];
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
  /** Per-query scores of each trial (by global trial number). */
  const trialScores: Array<ReadonlyMap<string, number>> = [];
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
    trialScores.push(scores);
    return trial;
  };

  /** The selection rule's value of a trial on `queries` (higher is better). */
  const selectionValue = (trial: TrialRecord, queries: readonly string[]): number => {
    if (selection === 'best') return trial.train;
    const scores = trialScores[trial.trial]!;
    const gains = queries.map((q) => (scores.get(q) as number) - (baseScores.get(q) as number));
    const std = sampleStd(gains) ?? 0;
    return mean(gains) - (seMultiplier * std) / Math.sqrt(gains.length);
  };
  const distanceToBase = (trial: TrialRecord): number => {
    const point = encodeParams(space, trial.params);
    return Math.hypot(...point.map((u, i) => u - (basePoint[i] ?? 0)));
  };
  /** The trial a run keeps: see `selection`. The base (foldTrial 0) is always a candidate. */
  const select = (candidates: readonly TrialRecord[], queries: readonly string[]): TrialRecord => {
    const valued = candidates.map((trial) => ({ trial, value: selectionValue(trial, queries) }));
    const top = Math.max(...valued.map((v) => v.value));
    const near = valued.filter(
      (v) => v.value >= top - (selection === 'best' ? minImprovement : NEAR_TIE),
    );
    // Nearest the base among near-ties; then the earliest trial.
    near.sort(
      (a, b) => distanceToBase(a.trial) - distanceToBase(b.trial) || a.trial.trial - b.trial.trial,
    );
    return near[0]!.trial;
  };

  for (const fold of plan) {
    const runBudget = Math.floor(budget / runs) + (plan.indexOf(fold) < budget % runs ? 1 : 0);
    const sampler = createSampler(optimizer, dimensions, random.fork(`fold-${fold.index}`), {
      start: basePoint,
      budget: runBudget,
      ...(options.tpe && { tpe: options.tpe }),
      ...(options.coordinateAscent && { coordinateAscent: options.coordinateAscent }),
    });
    const baseTrial = record(fold, 0, base.values, baseScores);
    sampler.tell(basePoint, baseTrial.train);
    const seen = new Map<string, number>([[paramsKey(base.values), baseTrial.train]]);
    const runTrials: TrialRecord[] = [baseTrial];
    let best = baseTrial;
    let sinceImprovement = 0;
    let repeated = 0;
    let foldTrials = 0;
    let stopReason: StopReason = 'budget';

    while (foldTrials < runBudget) {
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
      runTrials.push(trial);
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

    const chosen = select(runTrials, fold.train);
    const report: FoldReport = {
      fold: fold.index,
      trainQueries: fold.train.length,
      validationQueries: fold.validation.length,
      trials: foldTrials,
      stopReason,
      bestTrial: chosen.trial,
      baseTrain: baseTrial.train,
      bestTrain: chosen.train,
      baseValidation: baseTrial.validation,
      bestValidation: chosen.validation,
      validationGain:
        chosen.validation === null || baseTrial.validation === null
          ? null
          : chosen.validation - baseTrial.validation,
      final: fold === finalRun,
    };
    foldReports.push(report);
    options.onProgress?.({ type: 'fold', fold: report });
  }

  const finalReport = foldReports[foldReports.length - 1]!;
  const bestOverall = trials[finalReport.bestTrial]!;
  const bestParams = bestOverall.params;
  const outerReports = foldReports.filter((f) => !f.final);
  const outer = outerEstimate(outerReports, folds, trialScores, baseScores);
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

  const gains = outerReports.flatMap((f) => (f.validationGain === null ? [] : [f.validationGain]));
  const validationMean = (pick: (f: FoldReport) => number | null) => {
    const values = outerReports.flatMap((f) => {
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
      ...(outer === null ? {} : { outer }),
    },
    selection: { rule: selection, seMultiplier },
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

/**
 * The nested-CV estimate: per query, the score of the trial its outer fold selected (without
 * seeing it) minus the base's, pooled over the folds; mean, 95% bootstrap interval, paired
 * randomization test. null without cross-validation.
 */
function outerEstimate(
  reports: readonly FoldReport[],
  folds: readonly Fold[],
  trialScores: ReadonlyArray<ReadonlyMap<string, number>>,
  baseScores: ReadonlyMap<string, number>,
): OuterEstimate | null {
  if (reports.length === 0) return null;
  const base: number[] = [];
  const tuned: number[] = [];
  for (const report of reports) {
    const fold = folds[report.fold]!;
    const scores = trialScores[report.bestTrial]!;
    for (const query of fold.validation) {
      base.push(baseScores.get(query) as number);
      tuned.push(scores.get(query) as number);
    }
  }
  if (base.length < 2) return null;
  const interval = pairedBootstrapCi(base, tuned, { iterations: 10_000, seed: 'outer' });
  const test = pairedRandomizationTest(base, tuned, { iterations: 10_000, seed: 'outer' });
  return {
    queries: base.length,
    baseMean: mean(base),
    tunedMean: mean(tuned),
    meanGain: interval.meanDifference,
    ci: { lower: interval.lower, upper: interval.upper, confidence: interval.confidence },
    pValue: test.pValue,
    reliable: interval.lower > 0,
  };
}
