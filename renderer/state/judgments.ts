/**
 * Judgments: stored query sets (list, import, export), the selected set's queries with coverage
 * (ratings, and unrated hits in the top k under the working config), and rating the current
 * query's hits 0–3 with the keyboard (j/k move, 0–3 rate).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, OpOutput } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError, type ApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';
import { latestOnly } from './latest.ts';
import type { SearchResult } from './search.ts';
import type { MetricPreview, QuerySetInfo } from './tune.ts';

export type QuerySetDetail = OpOutput<'judgments.get'>;
export type ImportResult = OpOutput<'judgments.import'>;
export type JudgmentFormat = OpInput<'judgments.export'>['format'];

export const RATING_DEPTH = 10;
export const RATING_VALUES = [0, 1, 2, 3] as const;

export interface JudgmentsState {
  sets: Loadable<OpOutput<'judgments.list'>>;
  selectedId: string | null;
  detail: Loadable<QuerySetDetail>;
  coverage: Loadable<MetricPreview>;
  /** Index into the selected set's queries. */
  queryIndex: number;
  /** A query typed by the analyst that the set does not hold yet. */
  newQuery: string;
  hits: Loadable<SearchResult>;
  /** Row of `hits` the keyboard acts on. */
  cursor: number;
  rateError: ApiError | null;
  importing: boolean;
  importResult: ImportResult | null;
  importError: ApiError | null;
  loadSets(): Promise<void>;
  select(id: string | null): Promise<void>;
  selectQuery(index: number): Promise<void>;
  searchNewQuery(text: string): Promise<void>;
  moveCursor(delta: number): void;
  setCursor(index: number): void;
  rate(docId: string, rating: number | null): Promise<boolean>;
  rateAtCursor(rating: number): Promise<boolean>;
  importJudgments(input: OpInput<'judgments.import'>): Promise<ImportResult | null>;
  exportJudgments(format: JudgmentFormat): Promise<OpOutput<'judgments.export'> | null>;
  loadCoverage(): Promise<void>;
}

/** The query text on screen: the selected stored query, or the typed new one. */
export function currentQueryText(
  state: Pick<JudgmentsState, 'detail' | 'queryIndex' | 'newQuery'>,
): string | null {
  if (state.newQuery.trim()) return state.newQuery.trim();
  const detail = dataOf(state.detail);
  return detail?.querySet.queries[state.queryIndex]?.text ?? null;
}

/** docId → rating of the current query. */
export function ratingsOf(
  state: Pick<JudgmentsState, 'detail' | 'queryIndex' | 'newQuery'>,
): Map<string, number> {
  const text = currentQueryText(state);
  const query = dataOf(state.detail)?.querySet.queries.find((q) => q.text === text);
  return new Map((query?.ratings ?? []).map((r) => [r.docId, r.rating]));
}

/** The set's detail after `judgments.rate` answered for query `text` (from here or the queue). */
export function withRating(
  detail: QuerySetDetail,
  text: string,
  answer: OpOutput<'judgments.rate'>,
): QuerySetDetail {
  const queries = detail.querySet.queries.filter((q) => q.text !== text);
  const at = detail.querySet.queries.findIndex((q) => q.text === text);
  if (answer.query) {
    const updated = {
      ...(detail.querySet.queries[at] ?? {}),
      text: answer.query.text,
      ratings: answer.query.ratings,
    };
    if (at >= 0) queries.splice(at, 0, updated);
    else queries.push(updated);
  }
  return { info: answer.info, querySet: { ...detail.querySet, queries } };
}

export function createJudgmentsStore(client: ApiClient): StoreApi<JudgmentsState> {
  const searches = latestOnly();
  const coverageCalls = latestOnly();
  // Ratings go out one after another: in browser mode two quick key presses travel as separate
  // HTTP requests that could overtake each other, and the last press must be the rating kept.
  let ratings: Promise<unknown> = Promise.resolve();
  return createStore<JudgmentsState>((set, get) => {
    const selectedInfo = (): QuerySetInfo | null => dataOf(get().detail)?.info ?? null;
    const searchFor = async (text: string | null) => {
      const info = selectedInfo();
      if (!text || !info) {
        set({ hits: { state: 'idle' } });
        return;
      }
      const signal = searches.start();
      set({ hits: { state: 'loading', previous: dataOf(get().hits) }, cursor: 0 });
      try {
        const data = await client.call(
          'search.run',
          {
            tenantId: info.tenant ?? '',
            query: text,
            size: RATING_DEPTH,
            facets: [],
            highlight: false,
            ...(info.index ? { index: info.index } : {}),
          },
          { signal },
        );
        if (searches.isCurrent(signal)) set({ hits: { state: 'ready', data } });
      } catch (err) {
        if (searches.isCurrent(signal))
          set({ hits: { state: 'error', error: toApiError(err), previous: null } });
      }
    };
    return {
      sets: { state: 'idle' },
      selectedId: null,
      detail: { state: 'idle' },
      coverage: { state: 'idle' },
      queryIndex: 0,
      newQuery: '',
      hits: { state: 'idle' },
      cursor: 0,
      rateError: null,
      importing: false,
      importResult: null,
      importError: null,

      async loadSets() {
        set({ sets: { state: 'loading', previous: dataOf(get().sets) } });
        try {
          const data = await client.call('judgments.list');
          set({ sets: { state: 'ready', data } });
          if (!get().selectedId && data.sets[0]) await get().select(data.sets[0].id);
        } catch (err) {
          set({ sets: { state: 'error', error: toApiError(err), previous: dataOf(get().sets) } });
        }
      },

      async select(id) {
        set({
          selectedId: id,
          queryIndex: 0,
          newQuery: '',
          hits: { state: 'idle' },
          coverage: { state: 'idle' },
        });
        if (!id) {
          set({ detail: { state: 'idle' } });
          return;
        }
        set({ detail: { state: 'loading', previous: null } });
        try {
          const data = await client.call('judgments.get', { querySetId: id });
          if (get().selectedId !== id) return;
          set({ detail: { state: 'ready', data } });
          void get().loadCoverage();
          await searchFor(currentQueryText(get()));
        } catch (err) {
          set({ detail: { state: 'error', error: toApiError(err), previous: null } });
        }
      },

      async selectQuery(index) {
        set({ queryIndex: index, newQuery: '' });
        await searchFor(currentQueryText(get()));
      },

      async searchNewQuery(text) {
        set({ newQuery: text });
        await searchFor(currentQueryText(get()));
      },

      moveCursor(delta) {
        const count = dataOf(get().hits)?.results.length ?? 0;
        if (count) set({ cursor: Math.max(0, Math.min(count - 1, get().cursor + delta)) });
      },
      setCursor: (cursor) => set({ cursor }),

      async rate(docId, rating) {
        const info = selectedInfo();
        const text = currentQueryText(get());
        if (!info || !text) return false;
        set({ rateError: null });
        try {
          const call = ratings.then(() =>
            client.call('judgments.rate', { querySetId: info.id, query: text, docId, rating }),
          );
          ratings = call.catch(() => undefined);
          const answer = await call;
          const detail = dataOf(get().detail);
          if (detail) {
            const next = withRating(detail, text, answer);
            // A typed query that got its first rating is now part of the set: select it.
            const newIndex = next.querySet.queries.findIndex((q) => q.text === text);
            set({
              detail: { state: 'ready', data: next },
              ...(get().newQuery && newIndex >= 0 ? { newQuery: '', queryIndex: newIndex } : {}),
            });
          }
          void get().loadCoverage();
          return true;
        } catch (err) {
          set({ rateError: toApiError(err) });
          return false;
        }
      },

      async rateAtCursor(rating) {
        const hit = dataOf(get().hits)?.results[get().cursor];
        if (!hit) return false;
        const ok = await get().rate(hit.spu_id, rating);
        if (ok) get().moveCursor(1);
        return ok;
      },

      async importJudgments(input) {
        set({ importing: true, importError: null, importResult: null });
        try {
          const importResult = await client.call('judgments.import', input);
          set({ importing: false, importResult });
          await get().loadSets();
          await get().select(importResult.info.id);
          return importResult;
        } catch (err) {
          set({ importing: false, importError: toApiError(err) });
          return null;
        }
      },

      async exportJudgments(format) {
        const id = get().selectedId;
        if (!id) return null;
        try {
          return await client.call('judgments.export', { querySetId: id, format });
        } catch (err) {
          set({ rateError: toApiError(err) });
          return null;
        }
      },

      async loadCoverage() {
        const info = selectedInfo();
        if (!info?.tenant) return;
        const signal = coverageCalls.start();
        set({ coverage: { state: 'loading', previous: dataOf(get().coverage) } });
        try {
          const data = await client.call(
            'tune.preview',
            {
              querySetId: info.id,
              metric: `ndcg@${RATING_DEPTH}`,
              tenantId: info.tenant,
              ...(info.index ? { index: info.index } : {}),
            },
            { signal },
          );
          if (coverageCalls.isCurrent(signal)) set({ coverage: { state: 'ready', data } });
        } catch (err) {
          if (coverageCalls.isCurrent(signal))
            set({ coverage: { state: 'error', error: toApiError(err), previous: null } });
        }
      },
    };
  });
}
