/** The basic search screen: tenant, query, page, results. Newer requests supersede older ones. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpOutput } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError } from '../api/errors.ts';
import type { Loadable } from './async.ts';

export type BasicSearchResult = OpOutput<'search.basic'>;
export type BasicHit = BasicSearchResult['hits'][number];

export const PAGE_SIZE = 24;

export interface SearchState {
  tenant: string;
  query: string;
  from: number;
  result: Loadable<BasicSearchResult>;
  setTenant(tenant: string): void;
  setQuery(query: string): void;
  /** Runs the search for the current tenant/query at `from` (default: first page). */
  run(from?: number): Promise<void>;
}

export function createSearchStore(client: ApiClient): StoreApi<SearchState> {
  let inFlight: AbortController | null = null;
  return createStore<SearchState>((set, get) => ({
    tenant: '',
    query: '',
    from: 0,
    result: { state: 'idle' },
    setTenant: (tenant) => set({ tenant }),
    setQuery: (query) => set({ query }),

    async run(from = 0) {
      const { tenant, query, result } = get();
      inFlight?.abort();
      const controller = new AbortController();
      inFlight = controller;
      const previous = result.state === 'ready' ? result.data : null;
      set({ from, result: { state: 'loading', previous } });
      try {
        const data = await client.call('search.basic', { tenant, query, from, size: PAGE_SIZE }, { signal: controller.signal });
        if (inFlight === controller) set({ result: { state: 'ready', data } });
      } catch (err) {
        if (inFlight !== controller) return;
        set({ result: { state: 'error', error: toApiError(err), previous } });
      } finally {
        if (inFlight === controller) inFlight = null;
      }
    },
  }));
}
