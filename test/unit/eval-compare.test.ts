import { describe, expect, it } from 'vitest';
import { evaluateQuery } from '../../engine/eval/metrics-summary.ts';
import {
  buildRunResult,
  parseRunResult,
  type RunQueryInput,
} from '../../engine/eval/compare-run-result.ts';
import { diffFacetCounts } from '../../engine/eval/compare-facets.ts';
import { compareRuns, sortQueryComparisons } from '../../engine/eval/compare.ts';

const judgments: Record<string, Record<string, number>> = {
  laptop: { l1: 3, l2: 2, l3: 0 },
  'tv 4k': { t1: 3, t2: 1 },
  手机: { p1: 3, p2: 2 },
  mouse: { m1: 0 }, // no positive rating: excluded from statistics
};
const languages: Record<string, string> = { laptop: 'en', 'tv 4k': 'en', 手机: 'zh', mouse: 'en' };

function entry(
  query: string,
  hits: string[],
  extra: Partial<Omit<RunQueryInput, 'scored' | 'hits'>> = {},
): RunQueryInput {
  const ratings = new Map(Object.entries(judgments[query] ?? {}));
  return {
    scored: evaluateQuery({ query, hits, ratings }, ['ndcg@3', 'p@3']),
    language: languages[query] ?? null,
    hits,
    tookMs: 5,
    totalMs: 8,
    ...extra,
  };
}

const runA = buildRunResult({
  revisionId: 'rev-a',
  metrics: ['ndcg@3', 'p@3'],
  k: 3,
  startedAt: '2025-01-01T00:00:00.000Z',
  queries: [
    entry('laptop', ['l3', 'l2', 'l1'], { facets: { brand: { acme: 4, zeta: 2 } } }),
    entry('tv 4k', ['t1', 't2', 'x']),
    entry('手机', ['x', 'p2', 'p1']),
    entry('mouse', ['m1', 'x', 'y']),
    entry('only in a', ['z']),
  ],
});
const runB = buildRunResult({
  revisionId: 'rev-b',
  metrics: ['ndcg@3', 'p@3'],
  k: 3,
  startedAt: '2025-01-02T00:00:00.000Z',
  queries: [
    entry('laptop', ['l1', 'l2', 'l3'], {
      tookMs: 9,
      facets: { brand: { acme: 4, zeta: 1, nova: 3 } },
    }),
    entry('tv 4k', ['t1', 't2', 'x'], { tookMs: 9 }),
    entry('手机', ['p1', 'p2', 'x'], { tookMs: 9 }),
    entry('mouse', ['y', 'x', 'm1'], { tookMs: 9 }),
    { query: 'only in b', language: 'en', error: { code: 'ES_ERROR', message: 'boom' } },
  ],
});

describe('buildRunResult', () => {
  it('computes means over valid queries, a per-language breakdown and latency', () => {
    expect(runA.validQueries).toBe(3); // 'only in a' has no judgments, mouse no positive rating
    expect(runA.excluded.map((e) => e.query).sort()).toEqual(['mouse', 'only in a']);
    expect(Object.keys(runA.byLanguage)).toEqual(['en', 'unknown', 'zh']);
    expect(runA.byLanguage.zh?.queries).toBe(1);
    expect(runA.byLanguage.en?.validQueries).toBe(2);
    expect(runA.latency.tookMs).toEqual({ mean: 5, p50: 5, p95: 5, max: 5 });
    expect(runB.failedQueries).toEqual([{ query: 'only in b', code: 'ES_ERROR', message: 'boom' }]);
    expect(() => parseRunResult({ ...runA, k: 0 }, 'stored run')).toThrow(/stored run: .*k/);
  });
});

describe('compareRuns', () => {
  const comparison = compareRuns(runA, runB, { iterations: 1000, seed: 1 });

  it('pairs queries by text and scores B against A on the chosen metric', () => {
    expect(comparison.metric).toBe('ndcg@3');
    expect(comparison.onlyInA).toEqual(['only in a']);
    expect(comparison.onlyInB).toEqual(['only in b']);
    expect(comparison.pairs).toBe(3);
    expect(comparison).toMatchObject({ wins: 2, losses: 0, ties: 1 });
    const laptop = comparison.queries.find((q) => q.query === 'laptop');
    expect(laptop?.scoreB).toBeCloseTo(1, 12);
    expect(laptop?.delta).toBeCloseTo((laptop?.scoreB ?? 0) - (laptop?.scoreA ?? 0), 12);
    const mouse = comparison.queries.find((q) => q.query === 'mouse');
    expect(mouse).toMatchObject({ delta: null, outcome: null, skipReason: 'excluded' });
    // Overlap needs no judgments: same three docs, reversed.
    expect(mouse?.jaccard).toBe(1);
    expect(mouse?.rbo).toBeLessThan(1);
  });

  it('reports the exact randomization p-value and a bootstrap interval of the mean delta', () => {
    // Three pairs, one delta 0: 8 sign assignments, exact enumeration.
    expect(comparison.significance?.exact).toBe(true);
    const deltas = comparison.queries.flatMap((q) => (q.delta === null ? [] : [q.delta]));
    const observed = Math.abs(deltas.reduce((s, d) => s + d, 0));
    let extreme = 0;
    for (let mask = 0; mask < 8; mask++) {
      const sum = deltas.reduce((s, d, i) => s + (mask & (1 << i) ? -d : d), 0);
      if (Math.abs(sum) >= observed - 1e-12) extreme++;
    }
    expect(comparison.significance?.pValue).toBe(extreme / 8);
    expect(comparison.significant).toBe(false);
    expect(comparison.meanDelta).toBeCloseTo(deltas.reduce((s, d) => s + d, 0) / 3, 12);
    expect(comparison.interval?.lower).toBeLessThanOrEqual(comparison.meanDelta ?? 0);
    expect(comparison.interval?.upper).toBeGreaterThanOrEqual(comparison.meanDelta ?? 0);
  });

  it('breaks results down by language and carries latency and facet changes', () => {
    expect(comparison.byLanguage.map((l) => [l.language, l.pairs, l.wins])).toEqual([
      ['en', 2, 1],
      ['zh', 1, 1],
    ]);
    expect(comparison.latency.b.tookMs.mean).toBe(9);
    expect(comparison.facetChanges).toBe(1);
    const laptop = comparison.queries.find((q) => q.query === 'laptop');
    expect(laptop?.facetDiff?.appeared).toEqual([{ facet: 'brand', value: 'nova', count: 3 }]);
  });

  it('finds a deliberately broken config significantly worse', () => {
    const queries = Array.from({ length: 30 }, (_, i) => `q${i}`);
    for (const q of queries) judgments[q] = { [`${q}-good`]: 3, [`${q}-ok`]: 1 };
    const good = buildRunResult({
      revisionId: 'good',
      metrics: ['ndcg@3'],
      k: 3,
      queries: queries.map((q) => entry(q, [`${q}-good`, `${q}-ok`, 'x'])),
    });
    const broken = buildRunResult({
      revisionId: 'broken',
      metrics: ['ndcg@3'],
      k: 3,
      queries: queries.map((q, i) =>
        entry(q, i % 5 === 0 ? [`${q}-good`, `${q}-ok`, 'x'] : ['x', 'y', `${q}-ok`]),
      ),
    });
    const result = compareRuns(good, broken, { iterations: 2000, seed: 4 });
    expect(result.losses).toBe(24);
    expect(result.ties).toBe(6);
    expect(result.significant).toBe(true);
    expect(result.significance?.pValue).toBeLessThan(0.001);
    expect(result.interval?.upper).toBeLessThan(0);
  });

  it('sorts per-query rows, skipped rows last', () => {
    const byDelta = sortQueryComparisons(comparison.queries, 'delta', 'desc');
    expect(byDelta.at(-1)?.query).toBe('mouse');
    const deltas = byDelta.slice(0, 3).map((q) => q.delta as number);
    expect(deltas).toEqual([...deltas].sort((x, y) => y - x));
    expect(sortQueryComparisons(comparison.queries, 'query', 'asc').map((q) => q.query)).toEqual([
      'laptop',
      'mouse',
      'tv 4k',
      '手机',
    ]);
  });

  it('refuses a metric neither run computed a quality value for', () => {
    const noQuality = { ...runA, metrics: ['unrated@3'] };
    expect(() => compareRuns(noQuality, runB)).toThrow(/share no quality metric/);
    expect(() => compareRuns(runA, runB, { metric: 'bogus' })).toThrow(/unknown metric/);
  });
});

describe('diffFacetCounts', () => {
  it('lists changed, appeared and disappeared values and whole facets', () => {
    const diff = diffFacetCounts(
      { brand: { acme: 5, zeta: 2, gone: 1 }, color: { red: 3 }, size: { s: 0 } },
      { brand: { acme: 2, zeta: 2, nova: 4 }, price: { '0-10': 7 }, size: { s: 2 } },
    );
    expect(diff.changed).toEqual([
      { facet: 'brand', value: 'acme', countA: 5, countB: 2, delta: -3 },
    ]);
    expect(diff.appeared).toEqual([
      { facet: 'price', value: '0-10', count: 7 },
      { facet: 'brand', value: 'nova', count: 4 },
      { facet: 'size', value: 's', count: 2 },
    ]);
    expect(diff.disappeared).toEqual([
      { facet: 'color', value: 'red', count: 3 },
      { facet: 'brand', value: 'gone', count: 1 },
    ]);
    expect(diff.facetsAppeared).toEqual(['price', 'size']);
    expect(diff.facetsDisappeared).toEqual(['color']);
    expect(diff.unchanged).toBe(1);
  });
});
