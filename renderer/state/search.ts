/**
 * The search playground: tenant, query (checked as you type), language, sort, SKU dimension,
 * filters from facets and typed ranges, the page, and the answer of search.run with explain.
 * Newer requests supersede older ones (aborted, late answers dropped).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput, OpOutput } from '../../engine/api/index.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError } from '../api/errors.ts';
import { dataOf, type Loadable } from './async.ts';
import {
  NO_FILTERS,
  requestFilters,
  setRange,
  toggleRangeBucket,
  toggleValue,
  type FilterSelection,
} from './filters.ts';
import { debounce, latestOnly } from './latest.ts';

export type SearchResult = OpOutput<'search.run'>;
export type SpuHit = SearchResult['results'][number];
export type Facet = SearchResult['facets'][number];
export type QueryCheck = OpOutput<'query.check'>;

export const PAGE_SIZE = 24;
export const CHECK_DELAY_MS = 150;

export interface SearchState {
  tenant: string;
  query: string;
  /** null: detect the language. */
  language: string | null;
  /** null: the config's default sort. */
  sort: string | null;
  /** undefined: the config's default; null: off; else option1..3 or a spec name. */
  skuDimension: string | null | undefined;
  filters: FilterSelection;
  from: number;
  result: Loadable<SearchResult>;
  /** The last syntax check and the text it was made for (highlighting applies only to that text). */
  check: { query: string; answer: QueryCheck } | null;
  /** spu_id whose explain popover is open. */
  explainFor: string | null;
  setTenant(tenant: string): void;
  setQuery(query: string): void;
  setLanguage(language: string | null): void;
  setSort(sort: string | null): void;
  setSkuDimension(dimension: string | null | undefined): void;
  toggleFacetValue(field: string, value: string): void;
  toggleRangeBucket(field: string, bucket: string, bounds: { from?: number; to?: number }): void;
  setRange(field: string, min: number | null, max: number | null): void;
  setFilters(filters: FilterSelection): void;
  run(from?: number): Promise<void>;
  checkNow(): Promise<void>;
  openExplain(spuId: string | null): void;
}

export function buildSearchRequest(
  s: Pick<SearchState, 'tenant' | 'query' | 'language' | 'sort' | 'skuDimension' | 'filters'>,
  from: number,
): OpInput<'search.run'> {
  const filters = requestFilters(s.filters);
  return {
    tenantId: s.tenant,
    query: s.query,
    from,
    size: PAGE_SIZE,
    explain: true,
    ...(filters ? { filters } : {}),
    ...(s.language ? { language: s.language } : {}),
    ...(s.sort ? { sort: s.sort } : {}),
    ...(s.skuDimension !== undefined ? { skuFilterDimension: s.skuDimension } : {}),
  };
}

export function createSearchStore(
  client: ApiClient,
  options: { checkDelayMs?: number } = {},
): StoreApi<SearchState> {
  const searches = latestOnly();
  const checks = latestOnly();
  return createStore<SearchState>((set, get) => {
    const check = async () => {
      const signal = checks.start();
      const { query } = get();
      if (query.trim() === '') {
        set({ check: null });
        return;
      }
      try {
        const answer = await client.call('query.check', { query }, { signal });
        if (checks.isCurrent(signal)) set({ check: { query, answer } });
      } catch {
        // A failed check only loses the highlighting; the search itself reports real errors.
      }
    };
    const scheduleCheck = debounce(() => void check(), options.checkDelayMs ?? CHECK_DELAY_MS);
    const rerun = () => void get().run(0);

    return {
      tenant: '',
      query: '',
      language: null,
      sort: null,
      skuDimension: undefined,
      filters: NO_FILTERS,
      from: 0,
      result: { state: 'idle' },
      check: null,
      explainFor: null,

      setTenant(tenant) {
        // Facet values belong to one tenant's catalog.
        set({ tenant, filters: NO_FILTERS });
        rerun();
      },
      setQuery(query) {
        set({ query });
        scheduleCheck();
      },
      setLanguage(language) {
        set({ language });
        rerun();
      },
      setSort(sort) {
        set({ sort });
        rerun();
      },
      setSkuDimension(skuDimension) {
        set({ skuDimension });
        rerun();
      },
      toggleFacetValue(field, value) {
        set({ filters: toggleValue(get().filters, field, value) });
        rerun();
      },
      toggleRangeBucket(field, bucket, bounds) {
        set({ filters: toggleRangeBucket(get().filters, field, bucket, bounds) });
        rerun();
      },
      setRange(field, min, max) {
        set({ filters: setRange(get().filters, field, min, max) });
        rerun();
      },
      setFilters(filters) {
        set({ filters });
        rerun();
      },

      async run(from = 0) {
        const state = get();
        if (!state.tenant) return;
        const signal = searches.start();
        scheduleCheck.flush();
        const previous = dataOf(state.result);
        set({ from, result: { state: 'loading', previous }, explainFor: null });
        try {
          const data = await client.call('search.run', buildSearchRequest(state, from), { signal });
          if (searches.isCurrent(signal)) set({ result: { state: 'ready', data } });
        } catch (err) {
          if (!searches.isCurrent(signal)) return;
          set({ result: { state: 'error', error: toApiError(err), previous } });
        }
      },

      checkNow: check,
      openExplain: (explainFor) => set({ explainFor }),
    };
  });
}
