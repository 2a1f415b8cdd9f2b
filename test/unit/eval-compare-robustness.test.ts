/**
 * compareRuns' robustness verdict on hand-built runs: does the winner on the standard value still
 * win on condensed lists, and across the bounds (winner's lower mean > loser's upper mean)?
 * Metric p@2, threshold 1, top grade 3 (an unjudged hit at the top grade is relevant).
 */
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../engine/eval/compare.ts';
import { buildRunResult, type RunResult } from '../../engine/eval/compare-run-result.ts';
import { describeRobustness } from '../../engine/eval/compare-robustness.ts';
import { evaluateQuery } from '../../engine/eval/metrics-summary.ts';

type Case = { query: string; ratings: Record<string, number>; hits: string[] };

function run(revisionId: string, cases: Case[]): RunResult {
  return buildRunResult({
    revisionId,
    metrics: ['p@2'],
    k: 2,
    queries: cases.map((c) => ({
      scored: evaluateQuery(
        { query: c.query, hits: c.hits, ratings: new Map(Object.entries(c.ratings)) },
        ['p@2'],
        { maxGrade: 3 },
      ),
      language: 'en',
      hits: c.hits,
      tookMs: 1,
      totalMs: 1,
    })),
  });
}

const q1 = { a: 1, b: 0, c: 1 };
const q2 = { x: 1, y: 0 };

describe('compareRuns robustness', () => {
  it('B wins on standard and condensed lists, but A’s upper bound reaches B’s lower bound', () => {
    // q1: A [a, u] → 1/2, condensed [a] 1, upper 1;   B [a, c] → 1, 1, 1
    // q2: A [y, x] → 1/2, 1/2, 1/2;                    B [x, u2] → 1/2, condensed [x] 1, upper 1
    const a = run('A', [
      { query: 'q1', ratings: q1, hits: ['a', 'u'] },
      { query: 'q2', ratings: q2, hits: ['y', 'x'] },
    ]);
    const b = run('B', [
      { query: 'q1', ratings: q1, hits: ['a', 'c'] },
      { query: 'q2', ratings: q2, hits: ['x', 'u2'] },
    ]);
    const c = compareRuns(a, b, { iterations: 100 });
    const r = c.robustness!;
    expect(r.winner).toBe('B');
    expect(r.standard).toEqual({ meanA: 0.5, meanB: 0.75, meanDelta: 0.25 });
    expect(r.condensed).toEqual({ meanA: 0.75, meanB: 1, meanDelta: 0.25, sameWinner: true });
    // A's upper (1 + 1/2)/2 = 0.75 is not below B's lower 0.75
    expect(r.bounds).toEqual({ lowerA: 0.5, upperA: 0.75, lowerB: 0.75, upperB: 1, holds: false });
    expect(r.verdict).toBe('condensed-only');
    // q1 is B's win, but B's 1 does not exceed A's upper 1; q2 is a tie
    expect([r.decidedQueries, r.settledQueries]).toEqual([1, 0]);
    expect(r.summary).toBe(
      "B beats A on p@2 (Δ +0.2500); on condensed lists too (Δ +0.2500); A's upper bound 0.7500 is not below B's lower bound 0.7500 → not robust to the unjudged hits (0 of 1 decided queries settled whatever the unjudged grades)",
    );
    const row = c.queries.find((q) => q.query === 'q1')!;
    expect(row.rangeA).toEqual({ value: 0.5, condensed: 1, upper: 1 });
    expect(row.rangeB).toEqual({ value: 1, condensed: 1, upper: 1 });
    expect(describeRobustness(r, { a: 'base', b: 'tuned' })).toMatch(/^tuned beats base on p@2/);
  });

  it('a fully judged win is robust and settled', () => {
    const a = run('A', [{ query: 'q1', ratings: q1, hits: ['b', 'a'] }]);
    const b = run('B', [{ query: 'q1', ratings: q1, hits: ['a', 'c'] }]);
    const r = compareRuns(a, b, { iterations: 100 }).robustness!;
    // A 1/2 everywhere, B 1 everywhere: B's lower 1 > A's upper 1/2
    expect(r.verdict).toBe('robust');
    expect(r.bounds.holds).toBe(true);
    expect([r.decidedQueries, r.settledQueries]).toEqual([1, 1]);
    expect(r.summary).toMatch(/→ robust \(1 of 1/);
  });

  it('a win made of unjudged hits is not robust; the baseline can be the winner', () => {
    // A [u, a]: 1/2, condensed [a] 1; B [a, c]: 1, condensed 1 → equal on condensed lists
    const a = run('A', [{ query: 'q1', ratings: q1, hits: ['u', 'a'] }]);
    const b = run('B', [{ query: 'q1', ratings: q1, hits: ['a', 'c'] }]);
    const r = compareRuns(a, b, { iterations: 100 }).robustness!;
    expect(r.winner).toBe('B');
    expect(r.condensed.sameWinner).toBe(false);
    expect(r.verdict).toBe('not-robust');
    expect(r.summary).toContain('but not on condensed lists (Δ +0.0000)');
    const reverse = compareRuns(b, a, { iterations: 100 }).robustness!;
    expect(reverse.winner).toBe('A');
    expect(reverse.standard.meanDelta).toBe(-0.5);
  });

  it('equal means have no winner; runs recorded without companions give no verdict', () => {
    const same = run('A', [{ query: 'q1', ratings: q1, hits: ['a', 'b'] }]);
    expect(
      compareRuns(same, { ...same, revisionId: 'B' }, { iterations: 10 }).robustness?.verdict,
    ).toBe('no-winner');
    const old: RunResult = {
      ...same,
      revisionId: 'old',
      queries: same.queries.map((q) => ({ ...q, scores: { 'p@2': q.scores['p@2']! } })),
    };
    const c = compareRuns(old, same, { iterations: 10 });
    expect(c.robustness).toBeNull();
    expect(c.queries[0]?.rangeA).toBeUndefined();
    expect(c.meanA).toBe(0.5);
  });
});
