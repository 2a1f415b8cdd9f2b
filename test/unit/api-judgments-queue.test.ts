/**
 * "Judge what matters": the queue's order on hand-computed rankings (engine/eval/judge-queue.ts)
 * and the `judgments.queue` operation on recorded runs in a throwaway RWB_HOME (no cluster:
 * details off), including a rating taking an item off the queue and refused inputs.
 */
import { describe, expect, it } from 'vitest';
import { invoke, invokeOperation } from '../../engine/api/invoke.ts';
import { sessionOf } from '../../engine/api/ops/workbench-session.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import type { RwbError } from '../../engine/errors.ts';
import { buildRunResult, type RunResult } from '../../engine/eval/compare-run-result.ts';
import { judgeQueue } from '../../engine/eval/judge-queue.ts';
import { evaluateQuery } from '../../engine/eval/metrics-summary.ts';
import { useThrowawayHome } from '../helpers/throwaway-home.ts';

const ratings = new Map([
  [
    'q',
    new Map([
      ['a', 1],
      ['b', 0],
    ]),
  ],
  ['r', new Map([['c', 1]])],
]);

function run(revisionId: string, hits: Record<string, string[]>): RunResult {
  return buildRunResult({
    revisionId,
    metrics: ['p@2'],
    k: 2,
    queries: Object.entries(hits).map(([query, ids]) => ({
      scored: evaluateQuery({ query, hits: ids, ratings: ratings.get(query)! }, ['p@2'], {
        maxGrade: 3,
      }),
      language: 'en',
      hits: ids,
      tookMs: 1,
      totalMs: 1,
    })),
  });
}

// q: A [a, u], B [u, v]; r: both [c, w]. u, v, w unjudged. p@2, top grade 3, 2 queries count.
const runA = run('A', { q: ['a', 'u'], r: ['c', 'w'] });
const runB = run('B', { q: ['u', 'v'], r: ['c', 'w'] });

describe('judgeQueue', () => {
  it('orders unjudged docs by how far their grade moves the mean difference', () => {
    const queue = judgeQueue({
      metric: 'p@2',
      a: runA,
      b: runB,
      ratings,
      metricOptions: { maxGrade: 3 },
    });
    expect([queue.metric, queue.k, queue.queries, queue.unjudged]).toEqual(['p@2', 2, 2, 3]);
    expect(queue.items).toEqual([
      // v only in B at rank 2: B's q goes 0 → 1/2, A's stays 1/2 → difference moves 1/2, /2 queries
      {
        query: 'q',
        docId: 'v',
        rankA: null,
        rankB: 2,
        reach: 0.25,
        swingA: 0,
        swingB: 0.25,
        counted: true,
      },
      // u: A 1/2 → 1 and B 0 → 1/2 — both sides move alike: reach 0, swing 1/2 / 2 each
      {
        query: 'q',
        docId: 'u',
        rankA: 2,
        rankB: 1,
        reach: 0,
        swingA: 0.25,
        swingB: 0.25,
        counted: true,
      },
      // w: same rank on both sides
      {
        query: 'r',
        docId: 'w',
        rankA: 2,
        rankB: 2,
        reach: 0,
        swingA: 0.25,
        swingB: 0.25,
        counted: true,
      },
    ]);
  });

  it('hits of queries without a positive judgment come after every counted query', () => {
    const withZero = new Map([...ratings, ['z', new Map([['d', 0]])]]);
    const a = buildRunResult({
      revisionId: 'A',
      metrics: ['p@2'],
      k: 2,
      queries: [
        ['z', ['x1', 'd']],
        ['r', ['c', 'w']],
      ].map(([query, ids]) => ({
        scored: evaluateQuery(
          {
            query: query as string,
            hits: ids as string[],
            ratings: withZero.get(query as string)!,
          },
          ['p@2'],
          { maxGrade: 3 },
        ),
        language: 'en',
        hits: ids as string[],
        tookMs: 1,
        totalMs: 1,
      })),
    });
    const queue = judgeQueue({
      metric: 'p@2',
      a,
      ratings: withZero,
      metricOptions: { maxGrade: 3 },
    });
    // x1 (excluded query z, first in order) and w both move p@2 by 1/2 over 1 counted query; x1 is last
    expect(queue.queries).toBe(1);
    expect(queue.items.map((i) => [i.query, i.docId, i.counted])).toEqual([
      ['r', 'w', true],
      ['z', 'x1', false],
    ]);
  });

  it('with one run the reach is the run’s own swing; ndcg moves more near the top', () => {
    const single = judgeQueue({ metric: 'p@2', a: runB, ratings, metricOptions: { maxGrade: 3 } });
    expect(single.items.map((i) => [i.docId, i.reach, i.rankB])).toEqual([
      ['u', 0.25, null],
      ['v', 0.25, null],
      ['w', 0.25, null],
    ]);
    const ndcg = judgeQueue({
      metric: 'ndcg@2:upper',
      a: run('B', { q: ['u', 'v'], r: ['c', 'w'] }),
      ratings,
      metricOptions: { maxGrade: 3 },
      limit: 1,
    });
    // The variant is ignored: the queue works on ndcg@2. u at rank 1 of q outweighs the rest.
    expect(ndcg.metric).toBe('ndcg@2');
    expect(ndcg.items.map((i) => [i.query, i.docId])).toEqual([['q', 'u']]);
    expect(ndcg.unjudged).toBe(3);
  });
});

const throwaway = useThrowawayHome('rwb-queue-');

async function failure(input: unknown): Promise<RwbError> {
  try {
    await invokeOperation('judgments.queue', input, throwaway.ctx());
  } catch (err) {
    return err as RwbError;
  }
  throw new Error(`judgments.queue accepted ${JSON.stringify(input)}`);
}

describe('judgments.queue', () => {
  it('queues the unjudged hits of two recorded runs; a rating takes its item off', async () => {
    const ctx = throwaway.ctx();
    const imported = await invoke(
      'judgments.import',
      {
        text: 'query,docid,rating\nq,a,1\nq,b,0\nr,c,1\n',
        format: 'csv',
        name: 'queue',
        tenant: 't1',
      },
      ctx,
    );
    const store = sessionOf(ctx).experiments;
    const { revision } = await store.createRevision(defaultSearchConfig(), { note: 'base' });
    const recordedA = await store.recordRun({ ...runA, revisionId: revision.id });
    const recordedB = await store.recordRun({ ...runB, revisionId: revision.id });
    const input = {
      querySetId: imported.info.id,
      metric: 'p@2',
      runs: { a: recordedA.id, b: recordedB.id },
      details: false,
    };
    const queue = await invoke('judgments.queue', input, ctx);
    expect(queue).toMatchObject({ metric: 'p@2', k: 2, source: 'runs', queries: 2, unjudged: 3 });
    expect(queue.items.map((i) => [i.query, i.docId, i.reach, i.product])).toEqual([
      ['q', 'v', 0.25, null],
      ['q', 'u', 0, null],
      ['r', 'w', 0, null],
    ]);
    // A: q has 1 of 2 unjudged, r 1 of 2 → coverage 0.5, warned below 0.8
    expect(queue.coverage.a).toMatchObject({ k: 2, coverage: 0.5, low: true });

    await invoke(
      'judgments.rate',
      { querySetId: imported.info.id, query: 'q', docId: 'v', rating: 3 },
      ctx,
    );
    const after = await invoke('judgments.queue', input, ctx);
    expect(after.unjudged).toBe(2);
    expect(after.items.map((i) => i.docId)).toEqual(['u', 'w']);
  });

  it('refuses runs and configs together, count metrics, and unknown runs', async () => {
    const both = await failure({ querySetId: 'queue', runs: { a: 'x' }, configs: {} });
    expect(both.code).toBe('INVALID_INPUT');
    expect(both.message).toMatch(/give runs or configs, not both/);
    const unrated = await failure({ querySetId: 'queue', metric: 'unrated@10', runs: { a: 'x' } });
    expect(unrated.message).toMatch(/not a quality metric/);
    const missing = await failure({ querySetId: 'queue', runs: { a: 'run-nope' }, details: false });
    expect(['NOT_FOUND', 'INVALID_INPUT']).toContain(missing.code);
  });
});
