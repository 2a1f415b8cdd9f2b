/**
 * The optimisers behind the tuner, all behind one ask/tell interface: the tuner asks for a point,
 * evaluates it (with caching, budgets and cancellation that the optimisers never see) and tells
 * the score back. Every sampler maximises and draws its randomness from the seeded generator it is
 * given, so a seed reproduces a whole tuning run.
 */
import { RwbError } from '../../errors.ts';
import type { Random } from '../stats-random.ts';
import { CoordinateAscentSampler, type CoordinateAscentOptions } from './coordinate-ascent.ts';
import type { Dimension, UnitPoint } from './space-codec.ts';
import { randomPoint, TpeSampler, type TpeOptions } from './tpe.ts';

export interface Sampler {
  /** The next point to evaluate. */
  ask(): UnitPoint;
  /** The score of a point (asked for, or evaluated elsewhere such as the base config). */
  tell(point: UnitPoint, score: number): void;
}

export const OPTIMIZERS = ['hybrid', 'tpe', 'coordinate-ascent', 'random'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Uniform random search: the baseline every smarter optimiser must beat. */
export class RandomSampler implements Sampler {
  constructor(
    private readonly dimensions: readonly Dimension[],
    private readonly random: Random,
  ) {}

  ask(): UnitPoint {
    return randomPoint(this.dimensions, this.random);
  }

  tell(): void {}
}

/**
 * TPE to explore, then coordinate ascent from the best point found to polish. TPE finds the right
 * region quickly but converges slowly inside it and can lock onto a wrong categorical value once
 * its "good" set agrees on one; a local climb that tries every other value fixes both.
 */
export class HybridSampler implements Sampler {
  private readonly tpe: TpeSampler;
  private polish: CoordinateAscentSampler | null = null;
  private readonly told = new Set<string>();
  private best: { point: UnitPoint; score: number } | null = null;

  constructor(
    private readonly dimensions: readonly Dimension[],
    private readonly random: Random,
    /** Distinct points told before switching to the climb. */
    private readonly exploreTrials: number,
    tpe: TpeOptions = {},
    private readonly coordinateAscent: Omit<CoordinateAscentOptions, 'start'> = {},
  ) {
    this.tpe = new TpeSampler(dimensions, random.fork('explore'), tpe);
  }

  ask(): UnitPoint {
    if (this.polish === null && (this.told.size < this.exploreTrials || this.best === null)) {
      return this.tpe.ask();
    }
    this.polish ??= new CoordinateAscentSampler(this.dimensions, this.random.fork('polish'), {
      initialStep: 0.125,
      ...this.coordinateAscent,
      start: this.best!.point,
    });
    return this.polish.ask();
  }

  tell(point: UnitPoint, score: number): void {
    this.told.add(JSON.stringify(point));
    if (this.best === null || score > this.best.score) this.best = { point, score };
    if (this.polish) this.polish.tell(point, score);
    else this.tpe.tell(point, score);
  }
}

export interface SamplerOptions {
  /** The base config's point: where coordinate ascent starts its first climb. */
  start?: UnitPoint;
  /** Trials the sampler will be asked for (the hybrid splits it between its phases). */
  budget?: number;
  /** Share of the budget the hybrid spends exploring with TPE. Default 0.6. */
  exploreShare?: number;
  tpe?: TpeOptions;
  coordinateAscent?: Omit<CoordinateAscentOptions, 'start'>;
}

export function createSampler(
  name: OptimizerName,
  dimensions: readonly Dimension[],
  random: Random,
  options: SamplerOptions = {},
): Sampler {
  switch (name) {
    case 'hybrid':
      return new HybridSampler(
        dimensions,
        random,
        Math.ceil((options.exploreShare ?? 0.6) * (options.budget ?? 100)),
        options.tpe,
        options.coordinateAscent,
      );
    case 'tpe':
      return new TpeSampler(dimensions, random, options.tpe);
    case 'coordinate-ascent':
      return new CoordinateAscentSampler(dimensions, random, {
        ...options.coordinateAscent,
        ...(options.start && { start: options.start }),
      });
    case 'random':
      return new RandomSampler(dimensions, random);
    default:
      throw new RwbError(
        'INVALID_INPUT',
        `unknown optimizer "${String(name)}"; choose one of ${OPTIMIZERS.join(', ')}`,
      );
  }
}
