/**
 * A run's metrics beside what they do not know (run-unjudged.ts) and the CLI table built from it.
 */
import { describe, expect, it } from 'vitest';
import { formatComparison, formatUnjudgedTable } from '../../engine/cli/commands/eval-tables.ts';
import { minCoverageFlag } from '../../engine/cli/commands/eval-shared.ts';
import { compareRuns } from '../../engine/eval/compare.ts';
import {
  buildRunResult,
  RunResultSchema,
  type RunResult,
} from '../../engine/eval/compare-run-result.ts';
import { evaluateQuery } from '../../engine/eval/metrics-summary.ts';
import { metricRanges, runCoverage } from '../../engine/eval/run-unjudged.ts';

function run(revisionId: string, hits: Record<string, string[]>): RunResult {
  const ratings = new Map([
    ['a', 3],
    ['b', 1],
    ['c', 0],
  ]);
  return buildRunResult({
    revisionId,
    metrics: ['ndcg@4', 'p@4'],
    k: 4,
    queries: Object.entries(hits).map(([query, ids]) => ({
      scored: evaluateQuery({ query, hits: ids, ratings }, ['ndcg@4', 'p@4'], { maxGrade: 3 }),
      language: 'en',
      hits: ids,
      tookMs: 1,
      totalMs: 1,
    })),
  });
}

describe('run coverage and metric ranges', () => {
  // q1: 2 of 4 unjudged → coverage 0.5; q2: all judged → 1; mean 0.75
  const partly = run('A', { q1: ['a', 'u1', 'b', 'u2'], q2: ['a', 'b', 'c'] });

  it('coverage is the mean of 1 − unrated@k/k over the queries that count, warned below 0.8', () => {
    const coverage = runCoverage(partly);
    expect(coverage).toMatchObject({
      k: 4,
      coverage: 0.75,
      minCoverage: 0.8,
      lowQueries: 1,
      low: true,
    });
    expect(coverage.warning).toMatch(
      /^only 75% of the top 4 hits are judged \(below 80%; 1 of 2 queries below\)/,
    );
    const lenient = runCoverage(partly, { minCoverage: 0.7 });
    expect([lenient.low, lenient.warning, lenient.lowQueries]).toEqual([false, null, 1]);
  });

  it('metricRanges gives standard, condensed and upper means per quality metric', () => {
    const ranges = metricRanges(partly);
    expect(ranges.map((r) => r.metric)).toEqual(['ndcg@4', 'p@4']);
    // p@4: q1 2/4 standard, condensed [a,b] 2/2, upper 4/4; q2 [a,b,c] 2/3 throughout
    const p = ranges[1]!;
    expect(p.value).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
    expect(p.condensed).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(p.upper).toBeCloseTo((1 + 2 / 3) / 2, 12);
  });

  it('runs stored before the companions still load and show dashes', () => {
    const old = RunResultSchema.parse({
      ...partly,
      queries: partly.queries.map((q) => ({
        ...q,
        scores: {
          'ndcg@4': q.scores['ndcg@4'],
          'p@4': q.scores['p@4'],
          'unrated@4': q.scores['unrated@4'],
        },
      })),
      means: { 'ndcg@4': partly.means['ndcg@4'], 'p@4': partly.means['p@4'], 'unrated@4': 1 },
    });
    expect(metricRanges(old)[0]).toMatchObject({ metric: 'ndcg@4', condensed: null, upper: null });
    const table = formatUnjudgedTable([{ label: 'old', result: old }]);
    expect(table).toMatch(/old\s+ndcg@4\s+0\.\d{4}\s+—\s+0\.\d{4} – —/);
  });

  it('the CLI table flags low coverage and the comparison prints the robustness verdict', () => {
    const table = formatUnjudgedTable([{ label: 'partly', result: partly }]);
    expect(table).toContain('partly  p@4');
    expect(table).toMatch(/0\.75 !/);
    expect(table).toMatch(/warning: partly: only 75% of the top 4 hits are judged/);
    const judged = run('B', { q1: ['a', 'b', 'c'], q2: ['a', 'b', 'c'] });
    const text = formatComparison(compareRuns(partly, judged, { iterations: 50 }), 'base', 'cand');
    expect(text).toMatch(/unjudged hits: (cand|base) beats (base|cand) on ndcg@4/);
    expect(minCoverageFlag(undefined)).toBe(0.8);
    expect(minCoverageFlag('0.5')).toBe(0.5);
    expect(() => minCoverageFlag('1.5')).toThrow(/--min-coverage must be a share between 0 and 1/);
  });
});
