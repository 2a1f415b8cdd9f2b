/**
 * Experiments: the history of config revisions and runs, a metric over time with the runs'
 * notes, annotating a run, and the diff of two revisions (config changes + metric changes).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpOutput } from '../../engine/api/index.ts';
import type { RevisionSummary, RunSummary } from '../../engine/eval/experiments-records.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError, type ApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';

export type RevisionDiff = OpOutput<'experiments.diff'>;

export interface History {
  revisions: RevisionSummary[];
  runs: RunSummary[];
  problems: Array<{ file: string; message: string }>;
}

export interface HistoryPoint {
  x: number;
  runId: string;
  at: string;
  kind: string;
  revisionId: string;
  value: number | null;
  /** The metric's condensed-list mean and upper bound; null for runs recorded before them. */
  condensed: number | null;
  upper: number | null;
  notes: string[];
}

export interface ExperimentsState {
  history: Loadable<History>;
  metric: string;
  querySet: string | null;
  a: string | null;
  b: string | null;
  diff: Loadable<RevisionDiff>;
  noteError: ApiError | null;
  load(): Promise<void>;
  setMetric(metric: string): void;
  setQuerySet(label: string | null): void;
  pick(side: 'a' | 'b', revisionId: string | null): void;
  loadDiff(): Promise<void>;
  annotate(runId: string, text: string): Promise<boolean>;
}

export function querySetLabelOf(run: RunSummary): string {
  const qs = run.querySet;
  return qs ? [qs.tenant, qs.index, qs.name].filter(Boolean).join('/') : '(none)';
}

/** Metrics any run recorded, quality metrics first (ndcg@10 when present). */
export function metricsOf(runs: readonly RunSummary[]): string[] {
  const names = new Set<string>();
  for (const run of runs)
    for (const name of Object.keys(run.means))
      // Condensed / upper values (`ndcg@10:upper`) are drawn beside their metric, not picked.
      if (!name.startsWith('unrated') && !name.includes(':')) names.add(name);
  return [...names].sort((x, y) =>
    x === 'ndcg@10' ? -1 : y === 'ndcg@10' ? 1 : x.localeCompare(y),
  );
}

/** The runs of one query set in time order, with the metric and the notes worth showing. */
export function historyPoints(
  runs: readonly RunSummary[],
  metric: string,
  querySet: string | null,
): HistoryPoint[] {
  return runs
    .filter((r) => querySet === null || querySetLabelOf(r) === querySet)
    .slice()
    .sort((x, y) => x.createdAt.localeCompare(y.createdAt))
    .map((r, i) => ({
      x: i + 1,
      runId: r.id,
      at: r.createdAt,
      kind: r.kind,
      revisionId: r.revisionId,
      value: r.means[metric] ?? null,
      condensed: r.means[`${metric}:condensed`] ?? null,
      upper: r.means[`${metric}:upper`] ?? null,
      notes: [...(r.note ? [r.note] : []), ...r.annotations.map((a) => a.text)],
    }));
}

export function createExperimentsStore(client: ApiClient): StoreApi<ExperimentsState> {
  return createStore<ExperimentsState>((set, get) => ({
    history: { state: 'idle' },
    metric: 'ndcg@10',
    querySet: null,
    a: null,
    b: null,
    diff: { state: 'idle' },
    noteError: null,

    async load() {
      set({ history: { state: 'loading', previous: dataOf(get().history) } });
      try {
        const data = (await client.call('experiments.list', {})) as unknown as History;
        set({ history: { state: 'ready', data } });
        const { a, b, querySet } = get();
        // Sensible first view: the latest query set, and the two newest revisions side by side.
        if (querySet === null && data.runs.length)
          set({ querySet: querySetLabelOf(data.runs[data.runs.length - 1]!) });
        if (!a && !b && data.revisions.length >= 2) {
          set({
            a: data.revisions[data.revisions.length - 2]!.id,
            b: data.revisions[data.revisions.length - 1]!.id,
          });
          void get().loadDiff();
        }
        const metrics = metricsOf(data.runs);
        if (metrics.length && !metrics.includes(get().metric)) set({ metric: metrics[0]! });
      } catch (err) {
        set({
          history: { state: 'error', error: toApiError(err), previous: dataOf(get().history) },
        });
      }
    },
    setMetric: (metric) => set({ metric }),
    setQuerySet: (querySet) => set({ querySet }),
    pick(side, revisionId) {
      set(side === 'a' ? { a: revisionId } : { b: revisionId });
      void get().loadDiff();
    },
    async loadDiff() {
      const { a, b } = get();
      if (!a || !b) {
        set({ diff: { state: 'idle' } });
        return;
      }
      set({ diff: { state: 'loading', previous: null } });
      try {
        set({
          diff: {
            state: 'ready',
            data: await client.call('experiments.diff', { a, b, metric: get().metric }),
          },
        });
      } catch (err) {
        set({ diff: { state: 'error', error: toApiError(err), previous: null } });
      }
    },
    async annotate(runId, text) {
      set({ noteError: null });
      try {
        await client.call('experiments.annotate', { runId, text });
        await get().load();
        return true;
      } catch (err) {
        set({ noteError: toApiError(err) });
        return false;
      }
    },
  }));
}
