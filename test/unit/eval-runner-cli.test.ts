/**
 * What the eval CLI and the judgments operations do without a cluster: tables, the comparison
 * summary, and rating one document in a query set.
 */
import { describe, expect, it } from 'vitest';
import {
  formatComparison,
  formatTable,
  pValue,
  signed,
} from '../../engine/cli/commands/eval-tables.ts';
import { buildRunResult } from '../../engine/eval/compare-run-result.ts';
import { compareRuns } from '../../engine/eval/compare.ts';
import {
  DEFAULT_SCALE,
  JUDGMENTS_SCHEMA_VERSION,
  type QuerySet,
} from '../../engine/eval/judgments.ts';
import { evaluateQuery } from '../../engine/eval/metrics-summary.ts';
import { withRating } from '../../engine/eval/runner-query-sets.ts';

describe('tables', () => {
  it('pads columns, left-aligns text and right-aligns numbers', () => {
    const text = formatTable(
      ['config', 'ndcg@10'],
      [
        ['a', '0.5000'],
        ['longer', '0.25'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'config  ndcg@10',
      '------  -------',
      'a        0.5000',
      'longer     0.25',
    ]);
  });

  it('formats signs and small p-values', () => {
    expect(signed(0.25)).toBe('+0.2500');
    expect(signed(-0.1, 2)).toBe('-0.10');
    expect(signed(null)).toBe('—');
    expect(pValue(0.00001)).toBe('<0.0001');
    expect(pValue(0.0312)).toBe('0.0312');
  });
});

function resultOf(revisionId: string, rankings: Record<string, string[]>) {
  const ratings = new Map([
    ['good', 3],
    ['ok', 1],
  ]);
  return buildRunResult({
    revisionId,
    metrics: ['ndcg@10'],
    k: 10,
    queries: Object.entries(rankings).map(([query, hits]) => ({
      scored: evaluateQuery({ query, hits, ratings }, ['ndcg@10']),
      language: 'en',
      hits,
      tookMs: 1,
      totalMs: 1,
    })),
  });
}

describe('comparison summary', () => {
  it('states means, delta, wins/losses/ties, the p-value verdict, overlap and the movers', () => {
    const queries = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
    const a = resultOf('rev-a', Object.fromEntries(queries.map((q) => [q, ['good', 'ok']])));
    const b = resultOf('rev-b', Object.fromEntries(queries.map((q) => [q, ['x', 'ok', 'good']])));
    const text = formatComparison(compareRuns(a, b, { seed: 1 }), 'base', 'broken');
    expect(text).toContain('broken vs base (baseline), 6 paired queries');
    expect(text).toMatch(/mean 1\.0000 → 0\.\d{4}/);
    expect(text).toContain('wins 0 · losses 6 · ties 0');
    expect(text).toMatch(/p = 0\.03\d+ → significant at α = 0\.05/);
    expect(text).toContain('Biggest changes:');
    expect(text).toMatch(/q1\s+en\s+1\.0000/);
  });
});

function querySet(): QuerySet {
  return {
    schemaVersion: JUDGMENTS_SCHEMA_VERSION,
    name: 'set',
    scale: DEFAULT_SCALE,
    queries: [{ text: 'tv', ratings: [{ docId: '1', rating: 2 }] }],
  };
}

describe('rating one document', () => {
  it('updates, adds and removes ratings without touching the original', () => {
    const original = querySet();
    const updated = withRating(original, 'tv', '1', 3);
    expect(updated.queries[0]!.ratings).toEqual([{ docId: '1', rating: 3 }]);
    expect(original.queries[0]!.ratings).toEqual([{ docId: '1', rating: 2 }]);
    const added = withRating(updated, 'tv', '2', 0);
    expect(added.queries[0]!.ratings).toHaveLength(2);
    const newQuery = withRating(added, 'laptop', '9', 1);
    expect(newQuery.queries.map((q) => q.text)).toEqual(['tv', 'laptop']);
    const removed = withRating(newQuery, 'tv', '1', null);
    expect(removed.queries[0]!.ratings).toEqual([{ docId: '2', rating: 0 }]);
    expect(withRating(original, 'unknown', '1', null)).toBe(original);
  });

  it('refuses a rating outside the scale, naming the set', () => {
    expect(() => withRating(querySet(), 'tv', '1', 4)).toThrow(
      /outside the scale 0–3 of query set "set"/,
    );
    expect(() => withRating(querySet(), 'tv', '1', 1.5)).toThrow(/outside the scale/);
  });
});
