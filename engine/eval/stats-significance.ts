/**
 * Paired statistics over per-query metric values of two configs (A = baseline, B = candidate).
 * Every function pairs value i of `a` with value i of `b` (the same query) and works on the
 * differences b − a, so "positive" always means "B is better".
 *
 * - The randomization test is the one IR evaluation recommends (Smucker, Allan & Carterette 2007):
 *   under the null hypothesis the labels A/B of each query are exchangeable, i.e. every difference
 *   may flip its sign. Small query sets are enumerated exactly; larger ones are sampled with a
 *   seeded generator, and the sampled p-value is (hits + 1) / (iterations + 1) so it is never 0
 *   (Phipson & Smyth 2010: a sampled permutation p-value of 0 is always an overstatement).
 * - The bootstrap gives a percentile confidence interval of the mean difference.
 */
import { RwbError } from '../errors.ts';
import { createRandom, type Seed } from './stats-random.ts';

export const DEFAULT_ITERATIONS = 10_000;
export const DEFAULT_CONFIDENCE = 0.95;

/** b − a per pair; both arrays must have the same length and hold finite numbers. */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) {
    throw new RwbError(
      'INVALID_INPUT',
      `paired values must have the same length (A has ${a.length}, B has ${b.length})`,
    );
  }
  return a.map((value, i) => {
    const other = b[i] as number;
    if (!Number.isFinite(value) || !Number.isFinite(other)) {
      throw new RwbError(
        'INVALID_INPUT',
        `paired value ${i} is not a finite number (A=${value}, B=${other})`,
        { index: i },
      );
    }
    return other - value;
  });
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function requirePairs(differences: readonly number[], what: string): void {
  if (differences.length === 0) {
    throw new RwbError('INVALID_INPUT', `${what} needs at least one paired query`);
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RwbError('INVALID_INPUT', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export interface RandomizationTestOptions {
  /** Random sign assignments to sample; when 2^n ≤ iterations every assignment is enumerated. */
  iterations?: number;
  seed?: Seed;
}

export interface RandomizationTestResult {
  /** Two-sided p-value of "mean difference is 0". */
  readonly pValue: number;
  readonly meanDifference: number;
  readonly pairs: number;
  /** Sign assignments looked at (2^n when exact). */
  readonly iterations: number;
  /** True when all 2^n assignments were enumerated (no sampling error). */
  readonly exact: boolean;
}

/** Paired two-sided randomization (sign-flip permutation) test of the mean difference. */
export function pairedRandomizationTest(
  a: readonly number[],
  b: readonly number[],
  options: RandomizationTestOptions = {},
): RandomizationTestResult {
  const differences = pairedDifferences(a, b);
  requirePairs(differences, 'a randomization test');
  const iterations = positiveInteger(options.iterations ?? DEFAULT_ITERATIONS, 'iterations');
  const n = differences.length;
  const observed = Math.abs(differences.reduce((sum, d) => sum + d, 0));
  // Sums that equal the observed one up to rounding must count as "at least as extreme".
  const scale = differences.reduce((sum, d) => sum + Math.abs(d), 0);
  const threshold = observed - 1e-9 * Math.max(1, scale);
  const meanDifference = mean(differences);

  if (n < 31 && 2 ** n <= iterations) {
    const assignments = 2 ** n;
    let extreme = 0;
    for (let mask = 0; mask < assignments; mask++) {
      let sum = 0;
      for (let i = 0; i < n; i++)
        sum += mask & (1 << i) ? -(differences[i] as number) : (differences[i] as number);
      if (Math.abs(sum) >= threshold) extreme++;
    }
    return {
      pValue: extreme / assignments,
      meanDifference,
      pairs: n,
      iterations: assignments,
      exact: true,
    };
  }

  const random = createRandom(options.seed ?? 0);
  let extreme = 0;
  for (let iteration = 0; iteration < iterations; iteration++) {
    let sum = 0;
    for (const d of differences) sum += random.next() < 0.5 ? -d : d;
    if (Math.abs(sum) >= threshold) extreme++;
  }
  return {
    pValue: (extreme + 1) / (iterations + 1),
    meanDifference,
    pairs: n,
    iterations,
    exact: false,
  };
}

export interface BootstrapOptions {
  iterations?: number;
  /** Coverage of the interval, e.g. 0.95. */
  confidence?: number;
  seed?: Seed;
}

export interface BootstrapInterval {
  readonly meanDifference: number;
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  readonly iterations: number;
}

/** Linear interpolation between order statistics (R type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  return low + ((sorted[above] as number) - low) * (position - below);
}

/** Percentile bootstrap confidence interval of the mean paired difference (b − a). */
export function pairedBootstrapCi(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): BootstrapInterval {
  const differences = pairedDifferences(a, b);
  requirePairs(differences, 'a bootstrap interval');
  const iterations = positiveInteger(options.iterations ?? DEFAULT_ITERATIONS, 'iterations');
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (!(confidence > 0 && confidence < 1)) {
    throw new RwbError('INVALID_INPUT', `confidence must lie in (0, 1), got ${confidence}`);
  }
  const random = createRandom(options.seed ?? 0);
  const n = differences.length;
  const means = new Float64Array(iterations);
  for (let iteration = 0; iteration < iterations; iteration++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[random.int(n)] as number;
    means[iteration] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  const tail = (1 - confidence) / 2;
  return {
    meanDifference: mean(differences),
    lower: quantile(sorted, tail),
    upper: quantile(sorted, 1 - tail),
    confidence,
    iterations,
  };
}

export type PairOutcome = 'win' | 'loss' | 'tie';

/** B against A for one pair: a win when B is better by more than epsilon. */
export function pairOutcome(a: number, b: number, epsilon = 0): PairOutcome {
  const delta = b - a;
  if (delta > epsilon) return 'win';
  if (delta < -epsilon) return 'loss';
  return 'tie';
}

export interface WinsLossesTies {
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
}

/** Counts of pairs where B beats A by more than epsilon, loses by more than epsilon, or neither. */
export function winsLossesTies(
  a: readonly number[],
  b: readonly number[],
  epsilon = 0,
): WinsLossesTies {
  if (!(epsilon >= 0)) {
    throw new RwbError('INVALID_INPUT', `epsilon must be ≥ 0, got ${epsilon}`);
  }
  const counts = { wins: 0, losses: 0, ties: 0 };
  pairedDifferences(a, b).forEach((_, i) => {
    const outcome = pairOutcome(a[i] as number, b[i] as number, epsilon);
    if (outcome === 'win') counts.wins++;
    else if (outcome === 'loss') counts.losses++;
    else counts.ties++;
  });
  return counts;
}
