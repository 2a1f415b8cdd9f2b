import { describe, expect, it } from 'vitest';
import { crossValidateGrid } from '../../bench/embedding-models-cv.ts';
import { assignFolds } from '../../engine/eval/tuner/folds.ts';

const queries = ['a', 'b', 'c', 'd'];

describe('crossValidateGrid', () => {
  it('scores each query with the point chosen on the other folds', () => {
    // Point 0 wins on a, b; point 1 wins on c, d. With 2 folds, the point chosen on one half is
    // the one that is best on that half, and the other half is scored with it.
    const scores = [
      [1, 1, 0, 0],
      [0, 0, 0.9, 0.9],
    ];
    const cv = crossValidateGrid(scores, queries, 2, 0);
    const folds = assignFolds(queries, 2, 0);
    const position = new Map(queries.map((q, i) => [q, i]));
    const expected = new Array<number>(4);
    folds.forEach((fold, f) => {
      const mean = (p: number) =>
        fold.train.reduce((s, q) => s + scores[p]![position.get(q)!]!, 0) / fold.train.length;
      const pick = mean(1) > mean(0) + 1e-12 ? 1 : 0;
      expect(cv.chosen[f]).toBe(pick);
      for (const q of fold.validation)
        expected[position.get(q)!] = scores[pick]![position.get(q)!]!;
    });
    expect(cv.heldOut).toEqual(expected);
    expect(cv.heldOutMean).toBeCloseTo(expected.reduce((s, v) => s + v, 0) / 4, 12);
    // In-sample best: point 0 (mean 0.5) over point 1 (mean 0.45).
    expect(cv.bestInSample).toEqual({ index: 0, mean: 0.5 });
  });

  it('held-out is worse than in-sample when the best point only fits the queries it saw', () => {
    // Each point is perfect on one query and useless elsewhere: in-sample looks good (0.25 for
    // every point), but no point chosen without a query scores that query.
    const scores = queries.map((_, p) => queries.map((__, q) => (p === q ? 1 : 0)));
    const cv = crossValidateGrid(scores, queries, 4, 0);
    expect(cv.bestInSample.mean).toBe(0.25);
    expect(cv.heldOutMean).toBe(0);
  });

  it('breaks ties towards the earlier grid point', () => {
    const cv = crossValidateGrid(
      [
        [0.5, 0.5, 0.5, 0.5],
        [0.5, 0.5, 0.5, 0.5],
      ],
      queries,
      2,
    );
    expect(cv.chosen).toEqual([0, 0]);
  });

  it('refuses scores that do not line up with the queries', () => {
    expect(() => crossValidateGrid([[1, 2]], queries, 2)).toThrow(/2 scores for 4 queries/);
  });
});
