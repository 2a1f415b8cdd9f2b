/**
 * Tune: slider positions (config path → value) on top of the working config, with the current
 * query's results and the query set's mean metric repainted as a slider moves. Each move is
 * debounced briefly; a newer move aborts the requests of the older one. Every repaint records
 * how long it took from the slider input it reflects (performance marks for the bench).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, OpOutput } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';
import type { Overrides, Tunable } from './config.ts';
import { debounce, latestOnly } from './latest.ts';
import type { SearchResult } from './search.ts';

export type MetricPreview = OpOutput<'tune.preview'>;
export type QuerySetInfo = OpOutput<'judgments.list'>['sets'][number];

export const LIVE_RESULTS_SIZE = 10;
export const SLIDER_DEBOUNCE_MS = 30;
export const DEFAULT_METRIC = 'ndcg@10';

/** One repaint of the metric while sliding: what changed and what the set scored. */
export interface MetricPoint {
  step: number;
  mean: number | null;
  /** The slider that moved (path) and its value, null for the baseline point. */
  path: string | null;
  value: number | boolean | string | null;
}

/** A live answer plus the time of the slider input it reflects (performance.now()). */
export interface Live<T> {
  data: T;
  inputAt: number | null;
}

export interface TuneState {
  tenant: string;
  query: string;
  querySet: QuerySetInfo | null;
  metric: string;
  overrides: Overrides;
  results: Loadable<Live<SearchResult>>;
  /** Results of the working config without overrides, for rank changes. */
  baseline: SearchResult | null;
  preview: Loadable<Live<MetricPreview>>;
  baselinePreview: MetricPreview | null;
  history: MetricPoint[];
  setTenant(tenant: string): void;
  setQuery(query: string): void;
  setQuerySet(ref: QuerySetInfo | null): void;
  setMetric(metric: string): void;
  /** A slider moved: schedules the live results and metric for the new position. */
  setValue(tunable: Tunable, value: number | boolean | string): void;
  resetValue(path: string): void;
  resetAll(): void;
  /** Fetches baseline and live results/metric for the current positions. */
  refresh(): Promise<void>;
  /** Forgets positions after they were applied to the working config. */
  clearAfterApply(): void;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function mark(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function')
    performance.mark(name);
}

export function createTuneStore(
  client: ApiClient,
  options: { debounceMs?: number } = {},
): StoreApi<TuneState> {
  const resultsCalls = latestOnly();
  const previewCalls = latestOnly();
  let step = 0; // x of the last point on the metric chart

  return createStore<TuneState>((set, get) => {
    const searchInput = (withOverrides: boolean): OpInput<'search.run'> => {
      const { tenant, query, overrides } = get();
      return {
        tenantId: tenant,
        query,
        size: LIVE_RESULTS_SIZE,
        facets: [],
        highlight: false,
        ...(withOverrides && Object.keys(overrides).length ? { overrides } : {}),
      };
    };
    const previewInput = (withOverrides: boolean): OpInput<'tune.preview'> | null => {
      const { querySet, metric, overrides, tenant } = get();
      if (!querySet) return null;
      return {
        querySetId: querySet.id,
        metric,
        tenantId: querySet.tenant ?? tenant,
        ...(withOverrides && Object.keys(overrides).length ? { overrides } : {}),
      };
    };

    const liveResults = async (inputAt: number | null) => {
      if (!get().tenant) return;
      const signal = resultsCalls.start();
      set({ results: { state: 'loading', previous: dataOf(get().results) } });
      try {
        const data = await client.call('search.run', searchInput(true), { signal });
        if (resultsCalls.isCurrent(signal))
          set({ results: { state: 'ready', data: { data, inputAt } } });
      } catch (err) {
        if (resultsCalls.isCurrent(signal))
          set({
            results: { state: 'error', error: toApiError(err), previous: dataOf(get().results) },
          });
      }
    };

    const livePreview = async (
      inputAt: number | null,
      moved: { path: string; value: number | boolean | string } | null,
    ) => {
      const input = previewInput(true);
      if (!input) return;
      const signal = previewCalls.start();
      set({ preview: { state: 'loading', previous: dataOf(get().preview) } });
      try {
        const data = await client.call('tune.preview', input, { signal });
        if (!previewCalls.isCurrent(signal)) return;
        // The chart shows slider moves; a refresh without a move only repaints the number.
        const history = moved
          ? [
              ...get().history,
              { step: ++step, mean: data.mean, path: moved.path, value: moved.value },
            ].slice(-200)
          : get().history;
        set({ preview: { state: 'ready', data: { data, inputAt } }, history });
      } catch (err) {
        if (previewCalls.isCurrent(signal))
          set({
            preview: { state: 'error', error: toApiError(err), previous: dataOf(get().preview) },
          });
      }
    };

    const update = debounce(
      (inputAt: number, moved: { path: string; value: number | boolean | string } | null) => {
        void liveResults(inputAt);
        void livePreview(inputAt, moved);
      },
      options.debounceMs ?? SLIDER_DEBOUNCE_MS,
    );

    const baselineRun = async () => {
      const tasks: Array<Promise<void>> = [];
      if (get().tenant) {
        tasks.push(
          client.call('search.run', searchInput(false)).then(
            (baseline) => set({ baseline }),
            () => set({ baseline: null }),
          ),
        );
      }
      const input = previewInput(false);
      if (input) {
        tasks.push(
          client.call('tune.preview', input).then(
            (baselinePreview) => {
              // The first point is where the sliders start (the working config); with no slider
              // moved, a refresh starts the chart over from the current working config.
              const fresh = get().history.length === 0 || Object.keys(get().overrides).length === 0;
              const history = fresh
                ? [{ step: (step = 0), mean: baselinePreview.mean, path: null, value: null }]
                : get().history;
              set({ baselinePreview, history });
            },
            () => set({ baselinePreview: null }),
          ),
        );
      }
      await Promise.all(tasks);
    };

    return {
      tenant: '',
      query: '',
      querySet: null,
      metric: DEFAULT_METRIC,
      overrides: {},
      results: { state: 'idle' },
      baseline: null,
      preview: { state: 'idle' },
      baselinePreview: null,
      history: [],

      setTenant(tenant) {
        set({ tenant });
        void get().refresh();
      },
      setQuery(query) {
        set({ query });
      },
      setQuerySet(querySet) {
        set({ querySet, history: [], preview: { state: 'idle' }, baselinePreview: null });
        void get().refresh();
      },
      setMetric(metric) {
        set({ metric, history: [] });
        void get().refresh();
      },
      setValue(tunable, value) {
        const inputAt = now();
        mark('rwb:slider-input');
        const overrides = { ...get().overrides };
        if (value === tunable.value) delete overrides[tunable.path];
        else overrides[tunable.path] = value;
        set({ overrides });
        update(inputAt, { path: tunable.path, value });
      },
      resetValue(path) {
        const { [path]: _dropped, ...overrides } = get().overrides;
        set({ overrides });
        update(now(), null);
      },
      resetAll() {
        set({ overrides: {} });
        update(now(), null);
      },
      async refresh() {
        update.cancel();
        await Promise.all([baselineRun(), liveResults(null), livePreview(null, null)]);
      },
      clearAfterApply() {
        set({ overrides: {}, history: [] });
        void get().refresh();
      },
    };
  });
}
