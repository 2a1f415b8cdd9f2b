/**
 * Tree-structured Parzen Estimator (Bergstra et al., "Algorithms for Hyper-Parameter
 * Optimization", NIPS 2011), univariate as in hyperopt: each parameter is proposed independently.
 *
 * After a few random start-up trials, the observations are split into the best γ-fraction ("good")
 * and the rest ("bad"). For each dimension a density l(x) is fitted to the good values and g(x) to
 * the bad ones — a mixture of Gaussians truncated to [0, 1] with one kernel per observation plus a
 * broad prior kernel — and among candidates drawn from l the one maximising l(x)/g(x) is taken.
 * Categorical dimensions use smoothed frequency counts instead of kernels.
 *
 * The search maximises the score it is told.
 */
import type { Random } from '../stats-random.ts';
import type { Dimension, UnitPoint } from './space-codec.ts';
import type { Sampler } from './samplers.ts';

export interface TpeOptions {
  /** Random trials before the model is used. Default 10. */
  startupTrials?: number;
  /** Candidates drawn from l(x) per dimension. Default 24. */
  candidates?: number;
  /** Fraction of observations counted as good. Default 0.1 (at least 1, at most 25 of them). */
  gamma?: number;
}

interface Observation {
  readonly point: UnitPoint;
  readonly score: number;
}

const SQRT2 = Math.SQRT2;

/** Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: plenty for a sampler). */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return sign * y;
}

function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / SQRT2));
}

interface Kernel {
  readonly mu: number;
  readonly sigma: number;
  /** Probability mass of the Gaussian inside [0, 1], for truncation. */
  readonly mass: number;
}

/** Parzen estimator on [0, 1]: one kernel per value, bandwidth from neighbour gaps (hyperopt). */
function fitParzen(values: readonly number[]): Kernel[] {
  const mus = [...values, 0.5].sort((a, b) => a - b);
  const minSigma = 1 / Math.min(100, mus.length + 1);
  return mus.map((mu, i) => {
    const left = i === 0 ? mu : mu - (mus[i - 1] as number);
    const right = i === mus.length - 1 ? 1 - mu : (mus[i + 1] as number) - mu;
    const sigma = Math.min(1, Math.max(minSigma, left, right));
    const mass = normalCdf((1 - mu) / sigma) - normalCdf(-mu / sigma);
    return { mu, sigma, mass: Math.max(mass, 1e-12) };
  });
}

function parzenLogDensity(kernels: readonly Kernel[], x: number): number {
  let density = 0;
  for (const k of kernels) {
    const z = (x - k.mu) / k.sigma;
    density += Math.exp(-0.5 * z * z) / (k.sigma * Math.sqrt(2 * Math.PI) * k.mass);
  }
  return Math.log(density / kernels.length + 1e-300);
}

function sampleParzen(kernels: readonly Kernel[], random: Random): number {
  const kernel = kernels[random.int(kernels.length)] as Kernel;
  for (let attempt = 0; attempt < 64; attempt++) {
    const x = kernel.mu + kernel.sigma * random.normal();
    if (x >= 0 && x <= 1) return x;
  }
  return Math.min(1, Math.max(0, kernel.mu));
}

function categoricalLogProbabilities(values: readonly number[], size: number): number[] {
  const counts = new Array<number>(size).fill(1);
  for (const v of values) counts[Math.round(v)]! += 1;
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => Math.log(c / total));
}

function sampleCategorical(logProbabilities: readonly number[], random: Random): number {
  let u = random.next();
  for (let i = 0; i < logProbabilities.length; i++) {
    u -= Math.exp(logProbabilities[i] as number);
    if (u <= 0) return i;
  }
  return logProbabilities.length - 1;
}

export function randomPoint(dimensions: readonly Dimension[], random: Random): number[] {
  return dimensions.map((d) => (d.kind === 'categorical' ? random.int(d.size) : random.next()));
}

export class TpeSampler implements Sampler {
  private readonly history: Observation[] = [];
  private readonly startupTrials: number;
  private readonly candidates: number;
  private readonly gamma: number;

  constructor(
    private readonly dimensions: readonly Dimension[],
    private readonly random: Random,
    options: TpeOptions = {},
  ) {
    this.startupTrials = options.startupTrials ?? 10;
    this.candidates = options.candidates ?? 24;
    this.gamma = options.gamma ?? 0.1;
  }

  tell(point: UnitPoint, score: number): void {
    this.history.push({ point: [...point], score });
  }

  ask(): UnitPoint {
    if (this.history.length < this.startupTrials) return randomPoint(this.dimensions, this.random);
    const sorted = [...this.history].sort((a, b) => b.score - a.score);
    const goodCount = Math.min(25, Math.max(1, Math.ceil(this.gamma * sorted.length)));
    const good = sorted.slice(0, goodCount);
    const bad = sorted.slice(goodCount);
    return this.dimensions.map((dimension, i) => {
      const goodValues = good.map((o) => o.point[i] as number);
      const badValues = bad.map((o) => o.point[i] as number);
      if (dimension.kind === 'categorical') {
        const l = categoricalLogProbabilities(goodValues, dimension.size);
        const g = categoricalLogProbabilities(badValues, dimension.size);
        return this.best(
          () => sampleCategorical(l, this.random),
          (x) => (l[x] as number) - (g[x] as number),
        );
      }
      const l = fitParzen(goodValues);
      const g = fitParzen(badValues);
      return this.best(
        () => sampleParzen(l, this.random),
        (x) => parzenLogDensity(l, x) - parzenLogDensity(g, x),
      );
    });
  }

  /** The candidate with the highest expected-improvement proxy log l(x) − log g(x). */
  private best(draw: () => number, score: (x: number) => number): number {
    let bestValue = draw();
    let bestScore = score(bestValue);
    for (let c = 1; c < this.candidates; c++) {
      const x = draw();
      const s = score(x);
      if (s > bestScore) {
        bestValue = x;
        bestScore = s;
      }
    }
    return bestValue;
  }
}
