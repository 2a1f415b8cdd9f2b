/**
 * "Judge what matters" on the Judgments screen: the `judgments.queue` answer for the selected
 * query set (the last accepted revision against the working config, evaluated now), a keyboard
 * cursor, and rating the item under it 0–3 like the rating pane (j/k move, 0–3 rate and move on,
 * x skips). A rated item leaves the list; the judgments store hears of the rating.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, OpOutput } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError, type ApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';
import { latestOnly } from './latest.ts';

export type JudgeQueueResult = OpOutput<'judgments.queue'>;
export type JudgeQueueItem = JudgeQueueResult['items'][number];

export interface JudgeQueueState {
  queue: Loadable<JudgeQueueResult>;
  querySetId: string | null;
  metric: string;
  cursor: number;
  rateError: ApiError | null;
  load(querySetId: string, tenantId?: string | null): Promise<void>;
  setMetric(metric: string): void;
  moveCursor(delta: number): void;
  setCursor(index: number): void;
  /** Rates the item under the cursor and takes it off the list. */
  rateAtCursor(rating: number): Promise<boolean>;
}

export function createJudgeQueueStore(
  client: ApiClient,
  onRated: (querySetId: string, query: string, answer: OpOutput<'judgments.rate'>) => void,
): StoreApi<JudgeQueueState> {
  const calls = latestOnly();
  // One rating at a time, in key-press order (as in the rating pane).
  let ratings: Promise<unknown> = Promise.resolve();
  let lastTenant: string | null = null;
  return createStore<JudgeQueueState>((set, get) => ({
    queue: { state: 'idle' },
    querySetId: null,
    metric: 'ndcg@10',
    cursor: 0,
    rateError: null,

    async load(querySetId, tenantId = lastTenant) {
      lastTenant = tenantId ?? null;
      const signal = calls.start();
      set({
        querySetId,
        queue: { state: 'loading', previous: dataOf(get().queue) },
        rateError: null,
      });
      const input: OpInput<'judgments.queue'> = {
        querySetId,
        metric: get().metric,
        ...(tenantId ? { tenantId } : {}),
      };
      try {
        const data = await client.call('judgments.queue', input, { signal });
        if (!calls.isCurrent(signal)) return;
        set({ queue: { state: 'ready', data }, cursor: 0 });
      } catch (err) {
        if (calls.isCurrent(signal))
          set({ queue: { state: 'error', error: toApiError(err), previous: null } });
      }
    },

    setMetric(metric) {
      set({ metric });
      const id = get().querySetId;
      if (id) void get().load(id);
    },

    moveCursor(delta) {
      const count = dataOf(get().queue)?.items.length ?? 0;
      if (count) set({ cursor: Math.max(0, Math.min(count - 1, get().cursor + delta)) });
    },
    setCursor: (cursor) => set({ cursor }),

    async rateAtCursor(rating) {
      const data = dataOf(get().queue);
      const querySetId = get().querySetId;
      const item = data?.items[get().cursor];
      if (!data || !item || !querySetId) return false;
      set({ rateError: null });
      try {
        const call = ratings.then(() =>
          client.call('judgments.rate', {
            querySetId,
            query: item.query,
            docId: item.docId,
            rating,
          }),
        );
        ratings = call.catch(() => undefined);
        const answer = await call;
        const now = dataOf(get().queue);
        if (now) {
          const items = now.items.filter(
            (i) => !(i.query === item.query && i.docId === item.docId),
          );
          set({
            queue: {
              state: 'ready',
              data: { ...now, items, unjudged: Math.max(0, now.unjudged - 1) },
            },
            cursor: Math.min(get().cursor, Math.max(0, items.length - 1)),
          });
        }
        onRated(querySetId, item.query, answer);
        return true;
      } catch (err) {
        set({ rateError: toApiError(err) });
        return false;
      }
    },
  }));
}
