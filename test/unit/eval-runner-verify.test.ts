/**
 * `--verify`: which parts of a runner request go into `_rank_eval`, and how ES's per-query answer
 * is compared with ours (to 1e-9, unrated counts included). The ES answers here are shaped like
 * real `_rank_eval` responses (details keyed by request id, metric_score, unrated_docs, failures).
 */
import { describe, expect, it } from 'vitest';
import { buildRunResult } from '../../engine/eval/compare-run-result.ts';
import { evaluateQuery } from '../../engine/eval/metrics-summary.ts';
import { rankEvalMetricFor } from '../../engine/eval/metrics-rank-eval.ts';
import { compareWithRankEval, rankEvalQueryOf } from '../../engine/eval/verify.ts';

function run() {
  const ratings = new Map([
    ['a', 3],
    ['b', 0],
    ['c', 2],
  ]);
  const queries = [
    { query: 'q one', hits: ['a', 'x', 'c'] },
    { query: 'q two', hits: ['b', 'c', 'a'] },
  ].map(({ query, hits }) => ({
    scored: evaluateQuery({ query, hits, ratings }, ['ndcg@10', 'p@10']),
    language: 'en',
    hits,
    tookMs: 1,
    totalMs: 2,
  }));
  return buildRunResult({ revisionId: 'rev-test', metrics: ['ndcg@10', 'p@10'], k: 10, queries });
}

const IDS = new Map([
  ['q one', 'q0'],
  ['q two', 'q1'],
]);

describe('rated requests for _rank_eval', () => {
  it('drops what ES refuses in a rated request and keeps the ranking parts', () => {
    const query = rankEvalQueryOf({
      size: 10,
      from: 0,
      query: { match_all: {} },
      knn: [{ field: 'v', query_vector: [1], k: 10, num_candidates: 20 }],
      post_filter: { term: { a: 1 } },
      sort: ['_score'],
      aggs: { f: { terms: { field: 'c' } } },
      highlight: { fields: { t: {} } },
      explain: true,
      _source: ['spu_id'],
    }) as unknown as Record<string, unknown>;
    expect(Object.keys(query).sort()).toEqual([
      'from',
      'knn',
      'post_filter',
      'query',
      'size',
      'sort',
    ]);
  });
});

describe('comparing with ES per query', () => {
  const result = run();
  const ndcg = rankEvalMetricFor('ndcg@10')!;

  it('agrees when ES reports the same scores and unrated counts', () => {
    const scores = result.queries.map((q) => q.scores['ndcg@10']!);
    const verification = compareWithRankEval(result, 'ndcg@10', ndcg, IDS, {
      details: {
        q0: {
          metric_score: scores[0]! + 1e-12,
          unrated_docs: [{ _index: 'i', _id: 'icecat:x' }],
          hits: [],
          metric_details: {},
        },
        q1: { metric_score: scores[1]!, unrated_docs: [], hits: [], metric_details: {} },
      },
      failures: {},
    });
    expect(verification.agrees).toBe(true);
    expect(verification.queries).toBe(2);
    expect(verification.maxAbsDiff).toBeLessThan(1e-11);
    expect(verification.mismatches).toEqual([]);
  });

  it('reports a query whose score or unrated count differs, and ES failures', () => {
    const [one, two] = result.queries.map((q) => q.scores['ndcg@10']!);
    const verification = compareWithRankEval(result, 'ndcg@10', ndcg, IDS, {
      details: {
        q0: {
          metric_score: one! + 1e-6,
          unrated_docs: [{ _index: 'i', _id: 'icecat:x' }],
          hits: [],
          metric_details: {},
        },
        q1: {
          metric_score: two!,
          unrated_docs: [{ _index: 'i', _id: 'icecat:z' }],
          hits: [],
          metric_details: {},
        },
      },
      failures: {},
    });
    expect(verification.agrees).toBe(false);
    expect(verification.mismatches.map((m) => m.query)).toEqual(['q one', 'q two']);
    expect(verification.mismatches[0]!.diff).toBeCloseTo(1e-6, 12);
    expect(verification.mismatches[1]).toMatchObject({ unratedOurs: 0, unratedEs: 1 });

    const failed = compareWithRankEval(result, 'ndcg@10', ndcg, IDS, {
      details: {
        q0: {
          metric_score: one!,
          unrated_docs: [{ _index: 'i', _id: 'icecat:x' }],
          hits: [],
          metric_details: {},
        },
      },
      failures: { q1: { error: { type: 'search_phase_execution_exception' } } },
    });
    expect(failed.agrees).toBe(false);
    expect(failed.esFailures).toEqual([
      { query: 'q two', message: expect.stringContaining('search_phase_execution_exception') },
    ]);
  });

  it('does not call a comparison of nothing an agreement', () => {
    const verification = compareWithRankEval(result, 'ndcg@10', ndcg, new Map(), {
      details: {},
      failures: {},
    });
    expect(verification.queries).toBe(0);
    expect(verification.agrees).toBe(false);
  });
});
