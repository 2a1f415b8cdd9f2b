/**
 * Coordinate ascent with random restarts — the classic learning-to-rank tuner (Metzler & Croft
 * 2007, as in RankLib): move one parameter at a time while the score improves, halve the step when
 * a whole sweep finds nothing, and restart from a random point once the step is tiny, so a local
 * optimum does not end the search. Categorical parameters try every other value.
 *
 * Written as a generator (ask = next point, tell = the score of that point) so the tuner keeps
 * control of evaluation, budgets and cancellation.
 */
import { shuffled, type Random } from '../stats-random.ts';
import type { Dimension, UnitPoint } from './space-codec.ts';
import type { Sampler } from './samplers.ts';
import { randomPoint } from './tpe.ts';

export interface CoordinateAscentOptions {
  /** Where the first climb starts (the base config), normalised. Default: a random point. */
  start?: UnitPoint;
  /** First step, as a fraction of each parameter's range. Default 0.25. */
  initialStep?: number;
  /** A climb ends (and a restart follows) when the step falls below this. Default 1/64. */
  minStep?: number;
  /** Improvement needed to accept a move. Default 1e-9. */
  minImprovement?: number;
}

type Climb = Generator<UnitPoint, never, number>;

function* climb(
  dimensions: readonly Dimension[],
  random: Random,
  options: CoordinateAscentOptions,
): Climb {
  const initialStep = options.initialStep ?? 0.25;
  const minStep = options.minStep ?? 1 / 64;
  const minImprovement = options.minImprovement ?? 1e-9;
  let current: number[] = options.start ? [...options.start] : randomPoint(dimensions, random);
  let currentScore: number = yield current;
  let step = initialStep;

  const tryMove = function* (candidate: number[]): Generator<UnitPoint, boolean, number> {
    const score: number = yield candidate;
    if (score > currentScore + minImprovement) {
      current = candidate;
      currentScore = score;
      return true;
    }
    return false;
  };

  for (;;) {
    let improvedThisSweep = false;
    const order = shuffled(
      dimensions.map((_, i) => i),
      random,
    );
    for (const i of order) {
      const dimension = dimensions[i] as Dimension;
      if (dimension.kind === 'categorical') {
        const here = current[i] as number;
        for (let value = 0; value < dimension.size; value++) {
          if (value === here) continue;
          const candidate = [...current];
          candidate[i] = value;
          if (yield* tryMove(candidate)) improvedThisSweep = true;
        }
        continue;
      }
      for (const direction of [1, -1]) {
        // Keep walking in a direction while it pays (a cheap line search).
        for (;;) {
          const here = current[i] as number;
          const next = Math.min(1, Math.max(0, here + direction * step));
          if (next === here) break;
          const candidate = [...current];
          candidate[i] = next;
          if (!(yield* tryMove(candidate))) break;
          improvedThisSweep = true;
        }
      }
    }
    if (improvedThisSweep) continue;
    step /= 2;
    if (step < minStep) {
      current = randomPoint(dimensions, random);
      currentScore = yield current;
      step = initialStep;
    }
  }
}

export class CoordinateAscentSampler implements Sampler {
  private readonly climb: Climb;
  private pending: UnitPoint | null = null;
  private started = false;
  private lastScore = Number.NEGATIVE_INFINITY;

  constructor(
    dimensions: readonly Dimension[],
    random: Random,
    options: CoordinateAscentOptions = {},
  ) {
    this.climb = climb(dimensions, random, options);
  }

  ask(): UnitPoint {
    const step = this.started ? this.climb.next(this.lastScore) : this.climb.next(0);
    this.started = true;
    this.pending = step.value;
    return step.value;
  }

  /** Only the score of the point last asked for moves the climb; other observations are ignored. */
  tell(point: UnitPoint, score: number): void {
    if (this.pending !== null && point === this.pending) this.lastScore = score;
  }
}
