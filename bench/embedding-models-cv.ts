/**
 * Choosing one parameter value from a small grid without flattering it: k-fold cross-validation
 * over queries. Each grid point is scored once per query (the searches do not depend on the
 * folds); for every fold the point with the best mean on the other folds is chosen and its scores
 * on the held-out fold are kept. Every query is thus scored by a value chosen without it, and
 * the mean of those held-out scores is what a user would see on new queries of the same kind.
 */
import { assignFolds } from '../engine/eval/tuner/folds.ts';

export interface GridCvResult {
  /** Held-out score of each query (same order as `queries`), from the point chosen without it. */
  heldOut: number[];
  heldOutMean: number;
  /** Index of the grid point each fold chose, in fold order. */
  chosen: number[];
  /** The point with the best mean over all queries (in-sample: optimistic, for reference). */
  bestInSample: { index: number; mean: number };
}

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * `scores[p][q]`: the score of grid point p on query q (queries[q]). Ties go to the earlier
 * point, so list the grid in order of preference (e.g. the simplest value first).
 */
export function crossValidateGrid(
  scores: readonly (readonly number[])[],
  queries: readonly string[],
  folds: number,
  seed = 0,
): GridCvResult {
  if (scores.length === 0) throw new Error('crossValidateGrid: empty grid');
  for (const row of scores) {
    if (row.length !== queries.length)
      throw new Error(`crossValidateGrid: ${row.length} scores for ${queries.length} queries`);
  }
  const position = new Map(queries.map((q, i) => [q, i]));
  const meanOver = (point: number, subset: readonly string[]) =>
    meanOf(subset.map((q) => scores[point]![position.get(q)!]!));
  const best = (subset: readonly string[]) => {
    let index = 0;
    let value = -Infinity;
    scores.forEach((_, p) => {
      const m = meanOver(p, subset);
      if (m > value + 1e-12) {
        value = m;
        index = p;
      }
    });
    return { index, mean: value };
  };

  const heldOut = new Array<number>(queries.length).fill(Number.NaN);
  const chosen: number[] = [];
  for (const fold of assignFolds(queries, folds, seed)) {
    const { index } = best(fold.train);
    chosen.push(index);
    for (const q of fold.validation) heldOut[position.get(q)!] = scores[index]![position.get(q)!]!;
  }
  return { heldOut, heldOutMean: meanOf(heldOut), chosen, bestInSample: best(queries) };
}
