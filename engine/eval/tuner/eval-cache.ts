/**
 * Scores already computed are never computed again: trials revisit parameter values (coordinate
 * ascent steps back, TPE re-proposes, sensitivity probes around the best), and each fold's train
 * set overlaps the others'. Entries are keyed per query by the parameters — or, when the caller
 * supplies `requestKey`, by the search request the parameters produce for that query, so a knob
 * that does not touch a query's request (a zh field boost for an English query) costs nothing.
 */
import { RwbError } from '../../errors.ts';
import type { ParamValues } from './space.ts';
import { paramsKey } from './space-codec.ts';

/** The injected objective: per-query scores of a parameter assignment on some queries. */
export type EvaluateFn = (
  params: ParamValues,
  queries: readonly string[],
  signal?: AbortSignal,
) => Promise<{ perQuery: ReadonlyMap<string, number> }>;

/** Identifies what a query's evaluation depends on; defaults to the parameters. */
export type RequestKeyFn = (params: ParamValues, query: string) => string;

export interface CacheStats {
  /** Query scores asked of the cache. */
  readonly requested: number;
  /** Query scores that had to be evaluated. */
  readonly computed: number;
  /** Calls made to the evaluate function. */
  readonly evaluateCalls: number;
}

export class EvaluationCache {
  private readonly scores = new Map<string, number>();
  private requested = 0;
  private computed = 0;
  private evaluateCalls = 0;

  constructor(private readonly requestKey?: RequestKeyFn) {}

  private keyOf(params: ParamValues, query: string): string {
    const request = this.requestKey ? this.requestKey(params, query) : paramsKey(params);
    return `${request}\u0000${query}`;
  }

  /** Scores of `params` on `queries`, evaluating only the ones not seen before. */
  async scoresFor(
    params: ParamValues,
    queries: readonly string[],
    evaluate: EvaluateFn,
    signal?: AbortSignal,
  ): Promise<Map<string, number>> {
    this.requested += queries.length;
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const query of queries) {
      const cached = this.scores.get(this.keyOf(params, query));
      if (cached === undefined) missing.push(query);
      else out.set(query, cached);
    }
    if (missing.length > 0) {
      this.evaluateCalls++;
      const { perQuery } = await evaluate(params, missing, signal);
      for (const query of missing) {
        const score = perQuery.get(query);
        if (typeof score !== 'number' || !Number.isFinite(score)) {
          throw new RwbError(
            'INTERNAL',
            `the evaluation returned no finite score for query "${query}" (got ${String(score)})`,
            { query },
          );
        }
        this.scores.set(this.keyOf(params, query), score);
        out.set(query, score);
      }
      this.computed += missing.length;
    }
    return out;
  }

  stats(): CacheStats {
    return {
      requested: this.requested,
      computed: this.computed,
      evaluateCalls: this.evaluateCalls,
    };
  }
}
