/**
 * Compare over a whole query set: the Compare columns evaluated with eval.run (a job), then per
 * query the baseline score and each config's score and delta, wins/losses/ties and significance
 * per config; the table sorts and filters.
 */
import type { z } from 'zod';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, Operations } from '../../engine/api/index.ts';
import type { JobSnapshot } from '../../engine/jobs/job.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError, type ApiError } from '../api/errors.ts';
import { toConfigRef, type ColumnChoice } from './compare.ts';
import { applyJobEvent } from './ingest.ts';
import type { QuerySetInfo } from './tune.ts';

export type EvalResult = z.output<Operations['eval.run']['result']>;
export type Comparison = EvalResult['comparisons'][number];

export type SortKey = 'query' | 'baseline' | `delta:${number}`;
export type OutcomeFilter = 'all' | 'wins' | 'losses' | 'ties' | 'changed';

/** A query's condensed-list value and upper bound of the metric (absent for older runs). */
export type QueryRange = { condensed: number; upper: number } | null;

export interface QueryRow {
  query: string;
  language: string;
  baseline: number | null;
  baselineRange: QueryRange;
  /** One per non-baseline column. */
  scores: Array<{
    score: number | null;
    delta: number | null;
    outcome: 'win' | 'loss' | 'tie' | null;
    range: QueryRange;
  }>;
}

const rangeOf = (r: { condensed: number; upper: number } | undefined): QueryRange =>
  r ? { condensed: r.condensed, upper: r.upper } : null;

/** One row per query from the comparisons of every column against the first. */
export function queryRows(comparisons: readonly Comparison[]): QueryRow[] {
  const first = comparisons[0];
  if (!first) return [];
  return first.queries.map((q) => ({
    query: q.query,
    language: q.language,
    baseline: q.scoreA,
    baselineRange: rangeOf(q.rangeA),
    scores: comparisons.map((c) => {
      const row = c.queries.find((r) => r.query === q.query);
      return {
        score: row?.scoreB ?? null,
        delta: row?.delta ?? null,
        outcome: row?.outcome ?? null,
        range: rangeOf(row?.rangeB),
      };
    }),
  }));
}

export function filterAndSort(
  rows: readonly QueryRow[],
  options: {
    sort: SortKey;
    descending: boolean;
    text: string;
    outcome: OutcomeFilter;
    column: number;
  },
): QueryRow[] {
  const text = options.text.trim().toLowerCase();
  const filtered = rows.filter((row) => {
    if (text && !row.query.toLowerCase().includes(text)) return false;
    const cell = row.scores[options.column];
    switch (options.outcome) {
      case 'wins':
        return cell?.outcome === 'win';
      case 'losses':
        return cell?.outcome === 'loss';
      case 'ties':
        return cell?.outcome === 'tie';
      case 'changed':
        return row.scores.some((s) => s.outcome === 'win' || s.outcome === 'loss');
      default:
        return true;
    }
  });
  const value = (row: QueryRow): number | string => {
    if (options.sort === 'query') return row.query;
    if (options.sort === 'baseline') return row.baseline ?? Number.NEGATIVE_INFINITY;
    return (
      row.scores[Number(options.sort.slice('delta:'.length))]?.delta ?? Number.NEGATIVE_INFINITY
    );
  };
  const sorted = [...filtered].sort((x, y) => {
    const a = value(x);
    const b = value(y);
    const order =
      typeof a === 'string' && typeof b === 'string'
        ? a.localeCompare(b)
        : (a as number) - (b as number);
    return options.descending ? -order : order;
  });
  return sorted;
}

export interface CompareSetState {
  querySet: QuerySetInfo | null;
  metric: string;
  job: JobSnapshot | null;
  result: EvalResult | null;
  error: ApiError | null;
  sort: SortKey;
  descending: boolean;
  text: string;
  outcome: OutcomeFilter;
  column: number;
  setQuerySet(querySet: QuerySetInfo | null): void;
  setMetric(metric: string): void;
  setView(
    view: Partial<Pick<CompareSetState, 'sort' | 'descending' | 'text' | 'outcome' | 'column'>>,
  ): void;
  run(columns: readonly ColumnChoice[], tenant: string): Promise<void>;
  cancel(): Promise<void>;
}

export function createCompareSetStore(client: ApiClient): StoreApi<CompareSetState> {
  let unsubscribe: (() => void) | null = null;
  return createStore<CompareSetState>((set, get) => {
    const follow = (jobId: string) => {
      unsubscribe?.();
      unsubscribe = client.onJob(jobId, (event) => {
        const job = get().job;
        if (!job) return;
        const next = applyJobEvent(job, event);
        set({ job: next });
        if (event.type === 'status' && next.finishedAt) {
          unsubscribe?.();
          unsubscribe = null;
          void client.call('jobs.get', { jobId }).then(
            (snapshot) =>
              set({
                job: snapshot,
                result: snapshot.status === 'succeeded' ? (snapshot.result as EvalResult) : null,
              }),
            () => undefined,
          );
        }
      });
    };
    /** eval.run takes a stored revision or a whole config: resolve working/tuned columns. */
    const evalConfig = async (
      choice: ColumnChoice,
    ): Promise<OpInput<'eval.run'>['configs'][number]> => {
      const ref = toConfigRef(choice);
      if (choice.kind === 'revision')
        return { revisionId: choice.revisionId, label: ref.label ?? choice.revisionId };
      const resolved = await client.call('config.resolve', { choice: ref });
      return { config: resolved.config, label: ref.label ?? resolved.label };
    };
    return {
      querySet: null,
      metric: 'ndcg@10',
      job: null,
      result: null,
      error: null,
      sort: 'delta:0',
      descending: false,
      text: '',
      outcome: 'all',
      column: 0,

      setQuerySet: (querySet) => set({ querySet }),
      setMetric: (metric) => set({ metric }),
      setView: (view) => set(view),

      async run(columns, tenant) {
        const { querySet, metric } = get();
        if (!querySet) return;
        set({ error: null, result: null });
        try {
          const configs = await Promise.all(columns.map(evalConfig));
          const { jobId } = await client.call('eval.run', {
            configs,
            querySetId: querySet.id,
            tenantId: querySet.tenant ?? tenant,
            k: 10,
            metrics: [...new Set([metric, 'ndcg@10', 'p@10', 'mrr'])],
          });
          set({ job: await client.call('jobs.get', { jobId }) });
          follow(jobId);
        } catch (err) {
          set({ error: toApiError(err) });
        }
      },

      async cancel() {
        const job = get().job;
        if (job) await client.call('jobs.cancel', { jobId: job.id }).catch(() => undefined);
      },
    };
  });
}
