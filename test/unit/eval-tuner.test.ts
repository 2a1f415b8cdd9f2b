import { describe, expect, it } from 'vitest';
import { RwbError } from '../../engine/errors.ts';
import { EvaluationCache, type EvaluateFn } from '../../engine/eval/tuner/eval-cache.ts';
import { parseTuneReport } from '../../engine/eval/tuner/report.ts';
import { parseParameterSpace, type ParamValues } from '../../engine/eval/tuner/space.ts';
import { tune, type TuneProgressEvent } from '../../engine/eval/tuner/tuner.ts';
import { createRandom } from '../../engine/eval/stats-random.ts';
import { getAtPath } from '../../engine/eval/tuner/config-path.ts';
import { paramsKey } from '../../engine/eval/tuner/space-codec.ts';

const baseConfig = {
  domains: [{ name: 'default', fields: [{ field: 'title_en', boost: 1 }] }],
  query: { knn: { k: 50, boost: 0.2 }, tieBreaker: 0, fuzziness: 'AUTO' },
};

const space = parseParameterSpace({
  parameters: [
    {
      name: 'title',
      path: 'domains.default.fields.title_en.boost',
      type: 'float',
      min: 0.1,
      max: 50,
      log: true,
    },
    { name: 'knnBoost', path: 'query.knn.boost', type: 'float', min: 0, max: 1 },
    { name: 'k', path: 'query.knn.k', type: 'int', min: 10, max: 200, step: 10 },
    { name: 'tie', path: 'query.tieBreaker', type: 'categorical', values: [0, 0.3, 0.7] },
    { name: 'fuzzy', path: 'query.fuzziness', type: 'categorical', values: ['AUTO', '0'] },
  ],
});

const OPTIMUM = { title: 8, knnBoost: 0.6, k: 120, tie: 0.3 };
const queries = Array.from({ length: 24 }, (_, i) => `query ${i}`);

/** Small fixed per-query shifts of the optimum, so queries disagree a little (as real ones do). */
const shifts = new Map(
  queries.map((q, i) => {
    const random = createRandom(`shift-${i}`);
    return [q, { title: random.normal() * 0.15, knn: random.normal() * 0.05 }];
  }),
);

/** A per-query score that peaks at OPTIMUM (plus the query's shift); `fuzzy` is irrelevant. */
function noiselessScore(params: ParamValues, query: string): number {
  const shift = shifts.get(query)!;
  const title = Math.log(params.title as number) - Math.log(OPTIMUM.title) - shift.title;
  const knn = (params.knnBoost as number) - OPTIMUM.knnBoost - shift.knn;
  const k = ((params.k as number) - OPTIMUM.k) / 80;
  const peak = Math.exp(-(title * title) / 0.5 - (knn * knn) / 0.08 - k * k);
  return peak * (params.tie === OPTIMUM.tie ? 1 : 0.85);
}

/** The objective the tuner sees: the peak plus ±0.02 of noise that depends on params and query. */
function syntheticScore(params: ParamValues, query: string): number {
  const noise = createRandom(`${paramsKey(params)}|${query}`).next() - 0.5;
  return noiselessScore(params, query) + noise * 0.04;
}

function countingEvaluator(score = syntheticScore) {
  const calls: string[][] = [];
  const evaluate: EvaluateFn = async (params, subset) => {
    calls.push([...subset]);
    return { perQuery: new Map(subset.map((q) => [q, score(params, q)])) };
  };
  return { evaluate, calls, queriesEvaluated: () => calls.reduce((n, c) => n + c.length, 0) };
}

const optimumMean =
  queries.reduce((s, q) => s + syntheticScore({ ...OPTIMUM, fuzzy: 'AUTO' }, q), 0) /
  queries.length;

describe('tune on a synthetic objective with a known optimum', () => {
  it('the default optimiser (TPE, then a coordinate-ascent polish) gets near the optimum', async () => {
    const { evaluate } = countingEvaluator();
    const result = await tune({
      space,
      baseConfig,
      queries,
      evaluate,
      trials: 150,
      folds: 3,
      seed: 1,
    });
    const { report } = result;
    expect(report.trialsRun).toBe(150);
    expect(report.baseScore).toBeLessThan(0.2);
    expect(report.bestScore).toBeGreaterThan(0.9 * optimumMean);
    expect(Math.abs(Math.log((result.bestParams.title as number) / OPTIMUM.title))).toBeLessThan(
      0.5,
    );
    expect(Math.abs((result.bestParams.knnBoost as number) - OPTIMUM.knnBoost)).toBeLessThan(0.2);
    expect(result.bestParams.tie).toBe(0.3);
    // The best config is the base with the best parameters written in; the base is untouched.
    expect(getAtPath(result.bestConfig, 'query.knn.boost')).toEqual({
      found: true,
      value: result.bestParams.knnBoost,
    });
    expect(baseConfig.query.knn.boost).toBe(0.2);
    expect(report.cv.meanValidationGain).toBeGreaterThan(0.5);
    parseTuneReport(JSON.parse(JSON.stringify(report)), 'round trip');
  });

  it('coordinate ascent with restarts also gets near the optimum from the base config', async () => {
    const { evaluate } = countingEvaluator();
    const { report } = await tune({
      space,
      baseConfig,
      queries,
      evaluate,
      // The final run, whose selection is the tuned config, has a quarter of the budget.
      trials: 300,
      folds: 3,
      seed: 2,
      optimizer: 'coordinate-ascent',
    });
    expect(report.optimizer).toBe('coordinate-ascent');
    expect(report.bestScore).toBeGreaterThan(0.9 * optimumMean);
  });

  it('beats random search with the same budget', async () => {
    const run = async (optimizer: 'tpe' | 'random', seed: number) =>
      (
        await tune({
          space,
          baseConfig,
          queries,
          evaluate: countingEvaluator().evaluate,
          trials: 60,
          folds: 1,
          seed,
          optimizer,
          sensitivityPoints: 0,
        })
      ).report.bestScore;
    let tpeWins = 0;
    for (const seed of [1, 2, 3, 4, 5])
      if ((await run('tpe', seed)) > (await run('random', seed))) tpeWins++;
    expect(tpeWins).toBeGreaterThanOrEqual(4);
  });

  it('measures validation on held-out folds only', async () => {
    const { evaluate } = countingEvaluator();
    const { report } = await tune({
      space,
      baseConfig,
      queries,
      evaluate,
      trials: 30,
      folds: 3,
      seed: 5,
      selection: 'best',
    });
    const outer = report.cv.folds.filter((f) => !f.final);
    expect(outer).toHaveLength(3);
    const final = report.cv.folds.at(-1)!;
    expect(final).toMatchObject({ final: true, validationQueries: 0, validationGain: null });
    // The tuned parameters are the final run's selection.
    expect(report.bestTrial).toBe(final.bestTrial);
    expect(report.trials[final.bestTrial]!.fold).toBe(final.fold);
    const validationSets = outer.map((f) => f.validationQueries);
    expect(validationSets.reduce((a, b) => a + b, 0)).toBe(queries.length);
    for (const fold of outer) {
      const best = report.trials[fold.bestTrial]!;
      expect(best.fold).toBe(fold.fold);
      // The fold's best is chosen by train score: no other trial of the fold has a higher one.
      const foldTrials = report.trials.filter((t) => t.fold === fold.fold);
      expect(Math.max(...foldTrials.map((t) => t.train))).toBeCloseTo(best.train, 12);
      expect(fold.validationGain).toBeCloseTo(
        (best.validation ?? 0) - (fold.baseValidation ?? 0),
        12,
      );
      // Train and validation means are over disjoint query sets whose sizes add up to all queries.
      expect(fold.trainQueries + fold.validationQueries).toBe(queries.length);
      const weighted =
        (best.train * fold.trainQueries + (best.validation ?? 0) * fold.validationQueries) /
        queries.length;
      expect(weighted).toBeCloseTo(best.all, 12);
    }
    const gains = outer.map((f) => f.validationGain ?? 0);
    expect(report.cv.meanValidationGain).toBeCloseTo(
      gains.reduce((a, b) => a + b, 0) / gains.length,
      12,
    );
  });

  it('reports no validation without cross-validation (one fold)', async () => {
    const { report } = await tune({
      space,
      baseConfig,
      queries,
      evaluate: countingEvaluator().evaluate,
      trials: 10,
      folds: 1,
      sensitivityPoints: 0,
    });
    expect(report.cv.meanValidationGain).toBeNull();
    expect(report.trials.every((t) => t.validation === null)).toBe(true);
  });

  it('ranks the sensitivity of parameters: an irrelevant one is flat', async () => {
    const { report } = await tune({
      space,
      baseConfig,
      queries,
      evaluate: countingEvaluator().evaluate,
      trials: 40,
      folds: 2,
      seed: 3,
      sensitivityPoints: 5,
    });
    const spread = Object.fromEntries(report.sensitivity.map((s) => [s.parameter, s.spread]));
    // Only the ±0.02 evaluation noise moves the irrelevant knob.
    expect(spread.fuzzy).toBeLessThan(0.02);
    expect(spread.title).toBeGreaterThan(0.3);
    const title = report.sensitivity.find((s) => s.parameter === 'title')!;
    expect(title.points.map((p) => p.value)).toContain(report.bestParams.title);
    expect(title.points[0]?.value).toBe(0.1);
    expect(title.points.at(-1)?.value).toBe(50);
  });
});

describe('tuner mechanics', () => {
  it('is deterministic for a seed and differs for another', async () => {
    const run = (seed: number) =>
      tune({
        space,
        baseConfig,
        queries,
        evaluate: countingEvaluator().evaluate,
        trials: 24,
        folds: 3,
        seed,
      });
    const [first, again, other] = await Promise.all([run(9), run(9), run(10)]);
    expect(again.report).toEqual(first.report);
    expect(other.report.trials.map((t) => t.params)).not.toEqual(
      first.report.trials.map((t) => t.params),
    );
  });

  it('stops a fold early when the train score stops improving', async () => {
    const flat = countingEvaluator(() => 0.5);
    const events: TuneProgressEvent[] = [];
    const { report } = await tune({
      space,
      baseConfig,
      queries,
      evaluate: flat.evaluate,
      trials: 90,
      folds: 3,
      patience: 4,
      sensitivityPoints: 0,
      onProgress: (e) => events.push(e),
    });
    // Three outer folds and the final run.
    expect(report.cv.folds.map((f) => [f.stopReason, f.trials])).toEqual([
      ['patience', 4],
      ['patience', 4],
      ['patience', 4],
      ['patience', 4],
    ]);
    expect(report.trialsRun).toBe(16);
    expect(events.filter((e) => e.type === 'trial')).toHaveLength(16);
    expect(events.filter((e) => e.type === 'fold')).toHaveLength(4);
    // Nothing beats the base: the base parameters are kept (the final run's base trial).
    expect(report.trials[report.bestTrial]!.isBase).toBe(true);
    expect(report.bestParams).toEqual(report.baseParams);
  });

  it('stops when every point of a small space has been tried', async () => {
    const tiny = parseParameterSpace({
      parameters: [
        { name: 'tie', path: 'query.tieBreaker', type: 'categorical', values: [0, 0.3] },
        { name: 'fuzzy', path: 'query.fuzziness', type: 'categorical', values: ['AUTO', '0'] },
      ],
    });
    const byTie = countingEvaluator((params) => (params.tie === 0.3 ? 0.6 : 0.4));
    const { report } = await tune({
      space: tiny,
      baseConfig,
      queries,
      evaluate: byTie.evaluate,
      trials: 50,
      folds: 1,
    });
    expect(report.cv.folds[0]?.stopReason).toBe('space-exhausted');
    expect(report.trialsRun).toBe(3);
    expect(report.bestParams.tie).toBe(0.3);
  });

  it('cancels between trials and while an evaluation is running', async () => {
    const controller = new AbortController();
    const counting = countingEvaluator();
    const pending = tune({
      space,
      baseConfig,
      queries,
      evaluate: counting.evaluate,
      trials: 100,
      folds: 2,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'trial' && e.done === 7) controller.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED', details: { trialsRun: 7 } });
    expect(counting.calls).toHaveLength(8); // the base config + 7 trials, nothing after the abort

    const inFlight = new AbortController();
    let started = 0;
    const slow: EvaluateFn = (_params, subset, signal) =>
      new Promise((resolve, reject) => {
        if (++started === 3) setTimeout(() => inFlight.abort(), 0);
        const timer = setTimeout(
          () => resolve({ perQuery: new Map(subset.map((q) => [q, 0.5])) }),
          20,
        );
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        });
      });
    const error = await tune({
      space,
      baseConfig,
      queries,
      evaluate: slow,
      trials: 50,
      folds: 1,
      signal: inFlight.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RwbError);
    expect((error as RwbError).code).toBe('CANCELLED');
  });

  it('caches scores per (params, query) and per request key', async () => {
    const counting = countingEvaluator();
    const { report } = await tune({
      space,
      baseConfig,
      queries,
      evaluate: counting.evaluate,
      trials: 30,
      folds: 3,
      seed: 4,
    });
    expect(report.evaluations.computed).toBe(counting.queriesEvaluated());
    // Every distinct parameter set (trials of all folds, base config once, sensitivity probes)
    // was evaluated exactly once per query.
    const evaluated = new Set(report.trials.map((t) => paramsKey(t.params)));
    for (const s of report.sensitivity) {
      for (const p of s.points)
        evaluated.add(paramsKey({ ...report.bestParams, [s.parameter]: p.value }));
    }
    expect(report.evaluations.computed).toBe(evaluated.size * queries.length);
    expect(report.evaluations.requested).toBeGreaterThan(report.evaluations.computed);

    // A request key that ignores `fuzzy` for every query: flipping it costs nothing.
    const shared = new EvaluationCache(
      (params, query) => `${query}|${params.title}|${params.knnBoost}|${params.k}|${params.tie}`,
    );
    const keyed = countingEvaluator();
    const first = { title: 1, knnBoost: 0.5, k: 50, tie: 0 };
    await shared.scoresFor({ ...first, fuzzy: 'AUTO' }, queries, keyed.evaluate);
    await shared.scoresFor({ ...first, fuzzy: '0' }, queries, keyed.evaluate);
    expect(keyed.calls).toHaveLength(1);
    expect(shared.stats()).toEqual({ requested: 48, computed: 24, evaluateCalls: 1 });
  });

  it('rejects an evaluation that leaves queries unscored and bad budgets', async () => {
    const partial: EvaluateFn = async (_params, subset) => ({
      perQuery: new Map(subset.slice(1).map((q) => [q, 1])),
    });
    await expect(
      tune({ space, baseConfig, queries, evaluate: partial, trials: 5, folds: 1 }),
    ).rejects.toThrow(/no finite score for query/);
    await expect(
      tune({
        space,
        baseConfig,
        queries,
        evaluate: countingEvaluator().evaluate,
        trials: 2,
        folds: 3,
      }),
    ).rejects.toThrow(/trials \(2\) must be at least 4 \(one per outer fold and one for the final run\)/);
  });
});
