/**
 * The "judge what matters" queue's state: it asks judgments.queue for the selected set, moves a
 * cursor with the keyboard's actions, rates the item under it through judgments.rate, takes it off
 * the list and tells the judgments store — scripted transport, no engine, no React.
 */
import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../renderer/api/client.ts';
import { createJudgeQueueStore } from '../../renderer/state/judge-queue.ts';
import { ok, scriptedTransport } from './renderer-scripted.ts';

const coverage = {
  k: 10,
  coverage: 0.7,
  minCoverage: 0.8,
  lowQueries: 3,
  low: true,
  warning: 'low',
};
const item = (query: string, docId: string, reach: number) => ({
  query,
  docId,
  rankA: 1,
  rankB: null,
  reach,
  swingA: reach,
  swingB: 0,
  counted: true,
  product: { title: `title of ${docId}`, vendor: null, image: null },
});
const queue = {
  metric: 'ndcg@10',
  k: 10,
  source: 'configs',
  labels: { a: 'accepted', b: 'working' },
  queries: 80,
  unjudged: 3,
  coverage: { a: coverage, b: coverage },
  items: [item('tv', 'd1', 0.01), item('tv', 'd2', 0.005), item('radio', 'd3', 0.001)],
};

describe('judge queue store', () => {
  it('loads the queue, rates under the cursor, drops the rated item and reports it', async () => {
    const { transport, calls } = scriptedTransport({
      'judgments.queue': () => ok(queue),
      'judgments.rate': (input) => {
        const { query, docId, rating } = input as { query: string; docId: string; rating: number };
        return ok({
          info: { id: 'qs', name: 'qs', file: '', queries: 2, ratings: 5, updatedAt: '' },
          query: { text: query, ratings: [{ docId, rating }] },
        });
      },
    });
    const rated: Array<[string, string]> = [];
    const store = createJudgeQueueStore(createApiClient(transport), (id, query) =>
      rated.push([id, query]),
    );
    await store.getState().load('qs', 't1');
    expect(calls[0]).toMatchObject({
      name: 'judgments.queue',
      input: { querySetId: 'qs', metric: 'ndcg@10', tenantId: 't1' },
    });
    expect(store.getState().queue.state).toBe('ready');

    store.getState().moveCursor(1);
    expect(await store.getState().rateAtCursor(2)).toBe(true);
    expect(calls.at(-1)).toMatchObject({
      name: 'judgments.rate',
      input: { querySetId: 'qs', query: 'tv', docId: 'd2', rating: 2 },
    });
    const after = store.getState().queue;
    expect(after.state === 'ready' && after.data.items.map((i) => i.docId)).toEqual(['d1', 'd3']);
    expect(after.state === 'ready' && after.data.unjudged).toBe(2);
    expect(store.getState().cursor).toBe(1);
    expect(rated).toEqual([['qs', 'tv']]);

    // The cursor stays inside the list; rating the last item leaves the cursor on the new last.
    store.getState().moveCursor(5);
    expect(store.getState().cursor).toBe(1);
    await store.getState().rateAtCursor(0);
    expect(store.getState().cursor).toBe(0);
  });
});
