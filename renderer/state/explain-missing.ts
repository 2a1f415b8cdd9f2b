/**
 * "Why is this product missing" for the Search and Compare screens: the product id (typed, or
 * picked from the products judged for the query in the stored query sets) and the diagnosis of
 * `search.explainMissing` per config. One store per screen, so each keeps its own product.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, OpOutput } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';
import { latestOnly } from './latest.ts';

export type Diagnosis = OpOutput<'search.explainMissing'>;
type ConfigRef = NonNullable<OpInput<'search.explainMissing'>['config']>;

export interface JudgedProduct {
  spuId: string;
  grade: number;
  querySet: string;
}

export interface MissingTarget {
  /** Shown above the diagnosis (a compare column's label). */
  label: string;
  config?: ConfigRef;
  overrides?: Record<string, number | boolean | string>;
}

/** What the screen's search adds (its filters and language), so the diagnosis is of that search. */
export type MissingRequestExtras = Pick<OpInput<'search.explainMissing'>, 'filters' | 'language'>;

export interface ExplainMissingState {
  spuId: string;
  k: number;
  judged: Loadable<JudgedProduct[]>;
  /** One diagnosis per target, in the targets' order. */
  result: Loadable<Array<{ label: string; diagnosis: Diagnosis }>>;
  setSpuId(spuId: string): void;
  setK(k: number): void;
  /** The products judged for `query` (best grade first) in every stored query set. */
  loadJudged(query: string): Promise<void>;
  run(
    tenantId: string,
    query: string,
    targets: readonly MissingTarget[],
    request?: MissingRequestExtras,
  ): Promise<void>;
  clear(): void;
}

export function createExplainMissingStore(client: ApiClient): StoreApi<ExplainMissingState> {
  const calls = latestOnly();
  const judgedCalls = latestOnly();
  return createStore<ExplainMissingState>((set, get) => ({
    spuId: '',
    k: 10,
    judged: { state: 'idle' },
    result: { state: 'idle' },
    setSpuId: (spuId) => set({ spuId }),
    setK: (k) => set({ k }),
    clear: () => set({ result: { state: 'idle' } }),

    async loadJudged(query) {
      const signal = judgedCalls.start();
      const text = query.trim();
      if (text === '') {
        set({ judged: { state: 'ready', data: [] } });
        return;
      }
      set({ judged: { state: 'loading', previous: dataOf(get().judged) } });
      try {
        const { sets } = await client.call('judgments.list', {}, { signal });
        const found: JudgedProduct[] = [];
        for (const stored of sets) {
          const { querySet } = await client.call(
            'judgments.get',
            { querySetId: stored.id },
            { signal },
          );
          const match = querySet.queries.find((q) => q.text.trim() === text);
          for (const rating of match?.ratings ?? [])
            found.push({ spuId: rating.docId, grade: rating.rating, querySet: stored.name });
        }
        found.sort((a, b) => b.grade - a.grade || (a.spuId < b.spuId ? -1 : 1));
        if (judgedCalls.isCurrent(signal)) set({ judged: { state: 'ready', data: found } });
      } catch (err) {
        if (judgedCalls.isCurrent(signal))
          set({ judged: { state: 'error', error: toApiError(err), previous: null } });
      }
    },

    async run(tenantId, query, targets, request = {}) {
      const spuId = get().spuId.trim();
      if (!tenantId || spuId === '' || targets.length === 0) return;
      const signal = calls.start();
      set({ result: { state: 'loading', previous: dataOf(get().result) } });
      try {
        const data = await Promise.all(
          targets.map(async (target) => ({
            label: target.label,
            diagnosis: await client.call(
              'search.explainMissing',
              {
                tenantId,
                query,
                spuId,
                k: get().k,
                ...request,
                ...(target.config ? { config: target.config } : {}),
                ...(target.overrides ? { overrides: target.overrides } : {}),
              },
              { signal },
            ),
          })),
        );
        if (calls.isCurrent(signal)) set({ result: { state: 'ready', data } });
      } catch (err) {
        if (calls.isCurrent(signal))
          set({ result: { state: 'error', error: toApiError(err), previous: null } });
      }
    },
  }));
}
