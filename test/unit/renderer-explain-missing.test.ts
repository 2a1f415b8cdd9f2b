/** The explain-missing store of the Search and Compare screens, through a scripted transport whose answers pass the operation's output schema. */
import { describe, expect, it } from 'vitest';
import { SearchExplainMissingOutputSchema } from '../../engine/api/ops/search-explain-missing.ts';
import { createApiClient } from '../../renderer/api/client.ts';
import { createExplainMissingStore } from '../../renderer/state/explain-missing.ts';
import { fail, ok, scriptedTransport } from './renderer-scripted.ts';

const diagnosis = (label: string) =>
  SearchExplainMissingOutputSchema.parse({
    query: 'laptop',
    tenantId: 'icecat',
    spuId: '42',
    title: 'HP notebook',
    k: 10,
    depth: 1000,
    fusion: 'sum',
    status: 'not_matched',
    rank: null,
    score: null,
    matched: 120,
    kth: { spuId: '7', rank: 10, score: 20.1, title: 'Laptop sleeve' },
    failures: [
      { clause: 'text', reason: 'no_field_matches', detail: 'no searched field holds `laptop`' },
    ],
    text: [],
    otherFields: [],
    stemming: [],
    englishAnalysis: 'standard',
    knn: null,
    explain: { target: null, kth: null, parts: [] },
    sources: [],
    levers: [
      {
        kind: 'none',
        message: 'no single lever found from the explain',
        path: null,
        current: null,
        suggested: null,
        exact: false,
        verified: null,
      },
    ],
    summary: ['not matched'],
    warnings: [],
    index: 'search_products',
    config: { label, revisionId: 'rev-1' },
  });

describe('explain-missing store', () => {
  it('sends the product, k, each target config and the search extras; keeps one diagnosis per target', async () => {
    const { transport, calls } = scriptedTransport({
      'search.explainMissing': (input) =>
        ok(diagnosis((input as { config?: { label?: string } }).config?.label ?? 'working')),
    });
    const store = createExplainMissingStore(createApiClient(transport));
    store.getState().setSpuId(' 42 ');
    await store
      .getState()
      .run(
        'icecat',
        'laptop',
        [
          { label: 'baseline', config: { label: 'baseline', revisionId: 'rev-9' } },
          { label: 'working' },
        ],
        { filters: { category1_name: 'Computers' } },
      );
    expect(calls.map((c) => c.input)).toEqual([
      {
        tenantId: 'icecat',
        query: 'laptop',
        spuId: '42',
        k: 10,
        filters: { category1_name: 'Computers' },
        config: { label: 'baseline', revisionId: 'rev-9' },
      },
      {
        tenantId: 'icecat',
        query: 'laptop',
        spuId: '42',
        k: 10,
        filters: { category1_name: 'Computers' },
      },
    ]);
    const result = store.getState().result;
    expect(result.state).toBe('ready');
    expect(result.state === 'ready' && result.data.map((d) => d.label)).toEqual([
      'baseline',
      'working',
    ]);
  });

  it('does not call without a product id; an unknown product is an error state', async () => {
    const { transport, calls } = scriptedTransport({
      'search.explainMissing': () =>
        fail('NOT_FOUND', 'Product 42 of tenant icecat is not in index x'),
    });
    const store = createExplainMissingStore(createApiClient(transport));
    await store.getState().run('icecat', 'laptop', [{ label: 'working' }]);
    expect(calls).toEqual([]);
    store.getState().setSpuId('42');
    await store.getState().run('icecat', 'laptop', [{ label: 'working' }]);
    const result = store.getState().result;
    expect(result.state === 'error' && result.error.code).toBe('NOT_FOUND');
  });

  it('lists the products judged for the query in every query set, best grade first', async () => {
    const sets = [
      { id: 's1', file: 'a.json', name: 'icecat', queries: 2, ratings: 3, updatedAt: '2026-01-01' },
      { id: 's2', file: 'b.json', name: 'extra', queries: 1, ratings: 1, updatedAt: '2026-01-01' },
    ];
    const querySets: Record<string, unknown> = {
      s1: {
        schemaVersion: 1,
        name: 'icecat',
        scale: { min: 0, max: 3 },
        queries: [
          {
            text: 'laptop',
            ratings: [
              { docId: '1', rating: 1 },
              { docId: '2', rating: 3 },
            ],
          },
          { text: 'mouse', ratings: [{ docId: '9', rating: 3 }] },
        ],
      },
      s2: {
        schemaVersion: 1,
        name: 'extra',
        scale: { min: 0, max: 3 },
        queries: [{ text: 'laptop', ratings: [{ docId: '3', rating: 2 }] }],
      },
    };
    const { transport } = scriptedTransport({
      'judgments.list': () => ok({ sets, problems: [] }),
      'judgments.get': (input) => {
        const id = (input as { querySetId: string }).querySetId;
        return ok({ info: sets.find((s) => s.id === id), querySet: querySets[id] });
      },
    });
    const store = createExplainMissingStore(createApiClient(transport));
    await store.getState().loadJudged(' laptop ');
    const judged = store.getState().judged;
    expect(judged.state === 'ready' && judged.data).toEqual([
      { spuId: '2', grade: 3, querySet: 'icecat' },
      { spuId: '3', grade: 2, querySet: 'extra' },
      { spuId: '1', grade: 1, querySet: 'icecat' },
    ]);
  });
});
