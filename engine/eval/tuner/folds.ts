/**
 * k-fold cross-validation over queries. The tuner optimises on k − 1 folds and measures on the
 * held-out one, so the gain it reports is on queries the search never saw — tuning on 50 queries
 * and reporting the score on the same 50 flatters every config.
 *
 * Assignment is a seeded shuffle of the sorted query texts dealt round-robin, so folds differ in
 * size by at most one and do not depend on the order queries came in.
 */
import { RwbError } from '../../errors.ts';
import { createRandom, shuffled, type Seed } from '../stats-random.ts';

export interface Fold {
  readonly index: number;
  /** Queries the optimiser sees. */
  readonly train: readonly string[];
  /** Held-out queries; empty when there is a single fold (no cross-validation). */
  readonly validation: readonly string[];
}

/** Splits queries into k folds; k = 1 means "no cross-validation": train on all, validate on none. */
export function assignFolds(queries: readonly string[], k: number, seed: Seed = 0): Fold[] {
  const unique = [...new Set(queries)].sort();
  if (!Number.isInteger(k) || k < 1) {
    throw new RwbError('INVALID_INPUT', `folds must be a positive integer, got ${k}`);
  }
  if (unique.length === 0) throw new RwbError('INVALID_INPUT', 'cannot tune on zero queries');
  if (k === 1) return [{ index: 0, train: unique, validation: [] }];
  if (k > unique.length) {
    throw new RwbError(
      'INVALID_INPUT',
      `${k} folds need at least ${k} queries, but the query set has ${unique.length}`,
    );
  }
  const order = shuffled(unique, createRandom(seed).fork('folds'));
  const buckets: string[][] = Array.from({ length: k }, () => []);
  order.forEach((query, i) => buckets[i % k]!.push(query));
  return buckets.map((validation, index) => {
    const held = new Set(validation);
    return {
      index,
      train: unique.filter((q) => !held.has(q)),
      validation: [...validation].sort(),
    };
  });
}
