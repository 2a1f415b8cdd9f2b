/**
 * The workbench's state modules over a scripted transport: what each screen sends, how newer
 * requests supersede older ones, and the pure helpers behind facets, highlighting, rank changes,
 * explain bars, virtual lists, comparisons and the auto-tuner's parameter space.
 */
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../engine/api/wire.ts';
import { createApiClient } from '../../renderer/api/client.ts';
import { explainParts } from '../../renderer/components/ExplainBar.tsx';
import { highlightSegments } from '../../renderer/components/QueryBox.tsx';
import { rankChanges } from '../../renderer/components/RankChange.tsx';
import { skuChipLabel } from '../../renderer/components/ResultCard.tsx';
import { visibleRange } from '../../renderer/components/VirtualList.tsx';
import { createAutoTuneStore, spaceFor, type TunableGroup } from '../../renderer/state/autotune.ts';
import { filterAndSort, queryRows, type Comparison } from '../../renderer/state/compare-set.ts';
import { createConfigStore, type Tunable } from '../../renderer/state/config.ts';
import { historyPoints, metricsOf } from '../../renderer/state/experiments.ts';
import {
  filterChips,
  NO_FILTERS,
  requestFilters,
  setRange,
  toggleRangeBucket,
  toggleValue,
} from '../../renderer/state/filters.ts';
import { createJudgmentsStore } from '../../renderer/state/judgments.ts';
import { createSearchStore } from '../../renderer/state/search.ts';
import { createTuneStore } from '../../renderer/state/tune.ts';
import { ok, scriptedTransport, settle } from './renderer-scripted.ts';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('filters', () => {
  it('turns facet clicks into request filters: terms OR within a field, specs by name, one range per field', () => {
    let f = toggleValue(NO_FILTERS, 'category1_name', '耳机');
    f = toggleValue(f, 'category1_name', '音箱');
    f = toggleValue(f, 'specifications.颜色', '黑色');
    f = toggleValue(f, 'specifications.颜色', '白色');
    f = toggleRangeBucket(f, 'min_price', '50-100', { from: 50, to: 100 });
    expect(requestFilters(f)).toEqual({
      category1_name: ['耳机', '音箱'],
      min_price: { gte: 50, lt: 100 },
      specifications: [
        { name: '颜色', value: '黑色' },
        { name: '颜色', value: '白色' },
      ],
    });
    // Same bucket again clears it; another replaces it; typed ranges are inclusive.
    expect(requestFilters(toggleRangeBucket(f, 'min_price', '50-100', {}))).not.toHaveProperty(
      'min_price',
    );
    expect(requestFilters(setRange(f, 'min_price', 10, null))?.min_price).toEqual({ gte: 10 });
    expect(filterChips(f).map((c) => c.label)).toEqual([
      'category1_name: 耳机',
      'category1_name: 音箱',
      'min_price: 50-100',
      '颜色: 黑色',
      '颜色: 白色',
    ]);
    const removed = filterChips(f)[0]!.remove(f);
    expect(requestFilters(removed)?.category1_name).toBe('音箱');
    expect(requestFilters(NO_FILTERS)).toBeUndefined();
  });
});

describe('query box highlighting', () => {
  it('splits the text at token and error boundaries', () => {
    const check = {
      ok: false,
      tokens: [
        { kind: 'domain' as const, start: 0, end: 6 },
        { kind: 'domain-value' as const, start: 6, end: 8 },
        { kind: 'operator' as const, start: 9, end: 12 },
      ],
      error: { message: 'x', kind: 'EXPECTED_TERM', position: 12, length: 0, expected: ['a term'] },
      language: null,
      rewritten: null,
      rewrites: [],
      expression: null,
      translations: {},
      domains: [],
    };
    const segments = highlightSegments('brand:声海 AND ', check);
    expect(segments.map((s) => [s.text, s.kind, s.error])).toEqual([
      ['brand:', 'domain', false],
      ['声海', 'domain-value', false],
      [' ', 'plain', false],
      ['AND', 'operator', false],
      [' ', 'plain', true],
    ]);
    expect(highlightSegments('abc', null)).toEqual([{ text: 'abc', kind: 'plain', error: false }]);
  });
});

describe('small pure helpers', () => {
  it('rank changes, explain parts, SKU chips and the virtual window', () => {
    expect(rankChanges(['c', 'a', 'x'], ['a', 'b', 'c'])).toEqual([
      { change: 2, isNew: false },
      { change: -1, isNew: false },
      { change: null, isNew: true },
    ]);
    const parts = explainParts({
      total: 10,
      lexical: { total: 7, fields: { title_zh: 5, brief_zh: 1 } },
      knn: { text: 2, image: 0 },
      functions: 1,
      other: 0,
    });
    expect(parts.map((p) => [p.key, p.value])).toEqual([
      ['lex:title_zh', 5],
      ['lex:brief_zh', 1],
      ['lex:rest', 1],
      ['knn:text', 2],
      ['functions', 1],
    ]);
    const sku = {
      sku_id: '1',
      sku_code: 'C1',
      price: 9,
      compare_at_price: null,
      stock: 1,
      weight: null,
      weight_unit: null,
      options: [
        { name: '颜色', value: '黑' },
        { name: '尺码', value: 'M' },
      ],
      image: null,
    };
    expect([
      skuChipLabel(sku, null),
      skuChipLabel(sku, 'option2'),
      skuChipLabel(sku, '颜色'),
      skuChipLabel(sku, '材质'),
    ]).toEqual(['黑 / M', 'M', '黑', null]);
    expect(visibleRange(0, 100, 20, 1000, 2)).toEqual([0, 7]);
    expect(visibleRange(400, 100, 20, 1000, 2)).toEqual([18, 27]);
    expect(visibleRange(19_900, 200, 20, 1000, 2)).toEqual([993, 1000]);
  });
});

describe('search store', () => {
  it('checks the query as you type (debounced) and keeps the check with the text it was made for', async () => {
    const { transport, calls } = scriptedTransport({
      'query.check': (input) =>
        ok({ ok: true, tokens: [], error: null, echo: (input as { query: string }).query }),
    });
    const store = createSearchStore(createApiClient(transport), { checkDelayMs: 5 });
    store.getState().setQuery('耳');
    store.getState().setQuery('耳机');
    await wait(30);
    expect(calls.filter((c) => c.name === 'query.check').map((c) => c.input)).toEqual([
      { query: '耳机' },
    ]);
    expect(store.getState().check?.query).toBe('耳机');
  });

  it('a facet click filters, resets the page and searches again', async () => {
    const { transport, calls } = scriptedTransport({
      'search.run': () => ok({ total: 1, results: [], facets: [] }),
    });
    const store = createSearchStore(createApiClient(transport));
    store.setState({ tenant: 't1', from: 48 });
    store.getState().toggleFacetValue('specifications.颜色', '黑色');
    await settle();
    expect(calls.at(-1)!.input).toMatchObject({
      from: 0,
      filters: { specifications: [{ name: '颜色', value: '黑色' }] },
    });
    store.getState().setSkuDimension(null);
    await settle();
    expect(calls.at(-1)!.input).toMatchObject({ skuFilterDimension: null });
  });
});

const tunable: Tunable = {
  path: 'domains.title.boost',
  label: 'title domain',
  group: 'Domain boosts',
  kind: 'number',
  value: 2,
  min: 0.1,
  max: 10,
  step: 0.1,
};

describe('tune store', () => {
  it('debounces slider moves, aborts the superseded requests and charts each repaint', async () => {
    const previews: Array<(e: Envelope<unknown>) => void> = [];
    const { transport, calls } = scriptedTransport({
      'search.run': () => ok({ results: [] }),
      'tune.preview': () => new Promise((resolve) => previews.push(resolve)),
    });
    const store = createTuneStore(createApiClient(transport), { debounceMs: 5 });
    store.setState({
      tenant: 't1',
      query: '耳机',
      querySet: {
        id: 'qs',
        name: 'qs',
        tenant: 't1',
        file: '',
        queries: 3,
        ratings: 9,
        updatedAt: '',
      },
    });
    store.getState().setValue(tunable, 3);
    store.getState().setValue(tunable, 4);
    await wait(30);
    const runs = calls.filter((c) => c.name === 'search.run');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.input).toMatchObject({
      tenantId: 't1',
      query: '耳机',
      overrides: { 'domains.title.boost': 4 },
      facets: [],
    });
    store.getState().setValue(tunable, 5);
    await wait(30);
    const previewCalls = calls.filter((c) => c.name === 'tune.preview');
    expect(previewCalls).toHaveLength(2);
    expect(previewCalls[0]!.signal?.aborted).toBe(true);
    expect(previewCalls[1]!.input).toMatchObject({
      querySetId: 'qs',
      metric: 'ndcg@10',
      overrides: { 'domains.title.boost': 5 },
    });
    previews[0]!(ok({ mean: 0.1 }));
    previews[1]!(ok({ mean: 0.7 }));
    await settle();
    expect(store.getState().history.map((p) => [p.mean, p.path, p.value])).toEqual([
      [0.7, 'domains.title.boost', 5],
    ]);
    const preview = store.getState().preview;
    expect(preview.state === 'ready' && preview.data.inputAt).toBeGreaterThan(0);
    // Back to the config's own value: no override left.
    store.getState().setValue(tunable, 2);
    expect(store.getState().overrides).toEqual({});
  });
});

describe('config store', () => {
  it('applies overrides, saves with a note and reports a refused change where it happened', async () => {
    const { transport, calls } = scriptedTransport({
      'config.set': (input) =>
        (input as { overrides?: Record<string, number> }).overrides?.['bad']
          ? {
              ok: false,
              error: { code: 'INVALID_INPUT', message: 'override "bad": no such setting' },
            }
          : ok({ revisionId: 'rev-2', dirty: true, tunables: [] }),
      'config.save': () =>
        ok({
          revision: { id: 'rev-2' },
          created: true,
          working: { revisionId: 'rev-2', dirty: false, tunables: [] },
        }),
      'config.list': () =>
        ok({ revisions: [], baseRevisionId: null, workingRevisionId: 'rev-2', problems: [] }),
    });
    const store = createConfigStore(createApiClient(transport));
    expect(await store.getState().apply({ 'domains.title.boost': 3 })).toBe(true);
    expect(store.getState().working).toMatchObject({ state: 'ready', data: { dirty: true } });
    expect(await store.getState().apply({ bad: 1 })).toBe(false);
    expect(store.getState().actionError?.message).toMatch(/no such setting/);
    await store.getState().save('tuned');
    expect(calls.find((c) => c.name === 'config.save')?.input).toEqual({ note: 'tuned' });
    expect(store.getState().working).toMatchObject({ data: { dirty: false } });
  });
});

describe('judgments store', () => {
  const detail = {
    info: { id: 'qs', name: 'qs', tenant: 't1', file: '', queries: 1, ratings: 1, updatedAt: '' },
    querySet: {
      schemaVersion: 1,
      name: 'qs',
      scale: { min: 0, max: 3 },
      queries: [{ text: '耳机', ratings: [{ docId: 'a', rating: 2 }] }],
    },
  };
  it('rates the hit under the cursor with the keyboard, moves on, and folds the answer into the set', async () => {
    const { transport, calls } = scriptedTransport({
      'judgments.list': () => ok({ sets: [detail.info], problems: [] }),
      'judgments.get': () => ok(detail),
      'tune.preview': () => ok({ mean: 1, perQuery: [] }),
      'search.run': () => ok({ results: [{ spu_id: 'a' }, { spu_id: 'b' }, { spu_id: 'c' }] }),
      'judgments.rate': (input) => {
        const { docId, rating } = input as { docId: string; rating: number };
        return ok({
          info: { ...detail.info, ratings: 2 },
          query: {
            text: '耳机',
            ratings: [
              { docId: 'a', rating: 2 },
              { docId, rating },
            ],
          },
        });
      },
    });
    const store = createJudgmentsStore(createApiClient(transport));
    await store.getState().loadSets();
    await settle();
    expect(calls.find((c) => c.name === 'search.run')?.input).toMatchObject({
      tenantId: 't1',
      query: '耳机',
      size: 10,
    });
    store.getState().moveCursor(1);
    await store.getState().rateAtCursor(3);
    expect(calls.find((c) => c.name === 'judgments.rate')?.input).toEqual({
      querySetId: 'qs',
      query: '耳机',
      docId: 'b',
      rating: 3,
    });
    expect(store.getState().cursor).toBe(2);
    const q =
      store.getState().detail.state === 'ready'
        ? (store.getState().detail as { data: typeof detail }).data.querySet.queries[0]
        : null;
    expect(q?.ratings).toEqual([
      { docId: 'a', rating: 2 },
      { docId: 'b', rating: 3 },
    ]);
    store.getState().moveCursor(10);
    expect(store.getState().cursor).toBe(2);
  });
});

describe('compare over a query set', () => {
  const comparison = (deltas: Array<[string, number | null, number | null]>) =>
    ({
      queries: deltas.map(([query, a, b]) => ({
        query,
        language: 'zh',
        scoreA: a,
        scoreB: b,
        delta: a === null || b === null ? null : b - a,
        outcome: a === null || b === null ? null : b > a ? 'win' : b < a ? 'loss' : 'tie',
      })),
    }) as unknown as Comparison;
  it('rows per query with every config, sorted and filtered', () => {
    const rows = queryRows([
      comparison([
        ['耳机', 0.5, 0.9],
        ['键盘', 0.8, 0.4],
        ['帐篷', 0.6, 0.6],
      ]),
    ]);
    expect(
      filterAndSort(rows, {
        sort: 'delta:0',
        descending: true,
        text: '',
        outcome: 'all',
        column: 0,
      }).map((r) => r.query),
    ).toEqual(['耳机', '帐篷', '键盘']);
    expect(
      filterAndSort(rows, {
        sort: 'query',
        descending: false,
        text: '',
        outcome: 'losses',
        column: 0,
      }).map((r) => r.query),
    ).toEqual(['键盘']);
    expect(
      filterAndSort(rows, {
        sort: 'baseline',
        descending: false,
        text: '帐',
        outcome: 'all',
        column: 0,
      }).map((r) => r.query),
    ).toEqual(['帐篷']);
    expect(
      filterAndSort(rows, {
        sort: 'query',
        descending: false,
        text: '',
        outcome: 'changed',
        column: 0,
      }),
    ).toHaveLength(2);
  });
});

describe('auto-tuner', () => {
  it('builds the parameter space from the chosen slider groups (log scale for positive boosts)', () => {
    const tunables: Tunable[] = [
      tunable,
      {
        ...tunable,
        path: 'domains.default.fields.title_zh.boost',
        group: 'Field boosts · default',
      },
      { ...tunable, path: 'query.knn.boost', group: 'kNN', min: 0 },
      {
        ...tunable,
        path: 'ranking.functions.create_time.enabled',
        group: 'Ranking functions',
        kind: 'boolean',
        value: false,
      },
    ];
    const space = spaceFor(
      tunables,
      new Set<TunableGroup>(['Domain boosts', 'kNN', 'Ranking functions']),
    );
    expect(space.parameters).toEqual([
      { path: 'domains.title.boost', type: 'float', min: 0.1, max: 10, log: true, step: 0.1 },
      { path: 'query.knn.boost', type: 'float', min: 0, max: 10, log: false, step: 0.1 },
      { path: 'ranking.functions.create_time.enabled', type: 'bool' },
    ]);
  });

  it('searches text matching as categorical (type, operator) and whole-number slop as int', () => {
    const base = {
      label: 'x',
      group: 'Text matching · default',
      min: 0,
      max: 0,
      step: 0,
    };
    const tunables = [
      {
        ...base,
        path: 'domains.default.type',
        kind: 'choice' as const,
        value: 'best_fields',
        options: ['best_fields', 'combined_fields', 'phrase'],
      },
      {
        ...base,
        path: 'domains.default.operator',
        kind: 'choice' as const,
        value: 'or',
        options: ['or', 'and'],
      },
      {
        ...base,
        path: 'domains.default.proximity.boost',
        kind: 'number' as const,
        value: 1,
        min: 0.1,
        max: 10,
        step: 0.1,
      },
      {
        ...base,
        path: 'domains.default.proximity.slop',
        kind: 'number' as const,
        value: 2,
        min: 0,
        max: 10,
        step: 1,
      },
      { ...tunable, path: 'query.knn.boost', group: 'kNN', min: 0 },
    ];
    expect(spaceFor(tunables, new Set<TunableGroup>(['Text matching'])).parameters).toEqual([
      {
        path: 'domains.default.type',
        type: 'categorical',
        values: ['best_fields', 'combined_fields', 'phrase'],
        default: 'best_fields',
      },
      {
        path: 'domains.default.operator',
        type: 'categorical',
        values: ['or', 'and'],
        default: 'or',
      },
      // The slider's value is the default: a base config without proximity has no value there.
      {
        path: 'domains.default.proximity.boost',
        type: 'float',
        min: 0.1,
        max: 10,
        log: true,
        step: 0.1,
        default: 1,
      },
      { path: 'domains.default.proximity.slop', type: 'int', min: 0, max: 10, default: 2 },
    ]);
  });

  it('charts trials from job progress, takes the result when the job ends and accepts it', async () => {
    const accepted: string[] = [];
    const { transport, emit } = scriptedTransport({
      'tune.start': () => ok({ jobId: 'j1', kind: 'tune' }),
      'jobs.get': () =>
        ok({
          id: 'j1',
          kind: 'tune',
          label: 't',
          status: 'succeeded',
          progress: null,
          startedAt: '',
          finishedAt: 'x',
          error: null,
          result: { revisionId: 'rev-t', changed: true, report: {} },
          log: [],
          failedItems: [],
          failedItemsTotal: 0,
        }),
    });
    const store = createAutoTuneStore(
      createApiClient(transport),
      async (id) => (accepted.push(id), true),
    );
    await store.getState().start({ baseConfig: {}, querySetId: 'qs', tenantId: 't1' }, [tunable]);
    store.setState({ job: { ...store.getState().job!, status: 'running', finishedAt: null } });
    emit({
      type: 'progress',
      jobId: 'j1',
      kind: 'tune',
      progress: {
        total: 6,
        done: 1,
        failed: 0,
        etaSeconds: null,
        rate: null,
        detail: { trial: 0, fold: 0, train: 0.5, validation: 0.4, all: 0.45 },
      },
    });
    emit({
      type: 'progress',
      jobId: 'j1',
      kind: 'tune',
      progress: {
        total: 6,
        done: 2,
        failed: 0,
        etaSeconds: null,
        rate: null,
        detail: { trial: 1, fold: 0, train: 0.6, validation: null, all: 0.5 },
      },
    });
    expect(store.getState().trials).toEqual([
      { trial: 0, fold: 0, train: 0.5, validation: 0.4, all: 0.45 },
      { trial: 1, fold: 0, train: 0.6, validation: null, all: 0.5 },
    ]);
    emit({ type: 'status', jobId: 'j1', kind: 'tune', status: 'succeeded' });
    await settle();
    expect(store.getState().result?.revisionId).toBe('rev-t');
    await store.getState().accept();
    expect(accepted).toEqual(['rev-t']);
    expect(store.getState().accepted).toBe(true);
  });
});

describe('experiments history', () => {
  it('orders runs in time per query set with their metric and notes', () => {
    const run = (id: string, at: string, ndcg: number, note?: string) =>
      ({
        id,
        kind: 'eval',
        revisionId: `rev-${id}`,
        createdAt: at,
        querySet: { name: 'qs', tenant: 't1' },
        metrics: ['ndcg@10'],
        means: { 'ndcg@10': ndcg, 'unrated@10': 2 },
        validQueries: 1,
        totalQueries: 1,
        byLanguage: {},
        annotations: note ? [{ at, text: note }] : [],
        schemaVersion: 1,
      }) as never;
    const runs = [run('b', '2025-01-02', 0.6, 'title up'), run('a', '2025-01-01', 0.5)];
    expect(metricsOf(runs)).toEqual(['ndcg@10']);
    expect(
      historyPoints(runs, 'ndcg@10', 't1/qs').map((p) => [p.x, p.runId, p.value, p.notes]),
    ).toEqual([
      [1, 'a', 0.5, []],
      [2, 'b', 0.6, ['title up']],
    ]);
    expect(historyPoints(runs, 'ndcg@10', 'other')).toEqual([]);
  });

  it('keeps condensed / upper values beside their metric, out of the metric picker', () => {
    const run = {
      id: 'c',
      kind: 'eval',
      revisionId: 'rev-c',
      createdAt: '2025-01-03',
      querySet: { name: 'qs', tenant: 't1' },
      metrics: ['ndcg@10'],
      means: { 'ndcg@10': 0.5, 'ndcg@10:condensed': 0.6, 'ndcg@10:upper': 0.8, 'unrated@10': 2 },
      validQueries: 1,
      totalQueries: 1,
      byLanguage: {},
      annotations: [],
      schemaVersion: 1,
    } as never;
    expect(metricsOf([run])).toEqual(['ndcg@10']);
    expect(
      historyPoints([run], 'ndcg@10', null).map((p) => [p.value, p.condensed, p.upper]),
    ).toEqual([[0.5, 0.6, 0.8]]);
  });
});
