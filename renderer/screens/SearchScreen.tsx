/**
 * The search playground: the full engine with the working config. Query box with syntax
 * highlighting and parse errors, tenant/language/sort/SKU-dimension selectors, facets and typed
 * filters, result cards with SKU chips and a per-hit score explanation, and query info.
 */
import { useEffect, type FormEvent } from 'react';
import { FacetPanel } from '../components/FacetPanel.tsx';
import { FilterBar } from '../components/FilterBar.tsx';
import { MissingPanel } from '../components/MissingPanel.tsx';
import { QueryBox } from '../components/QueryBox.tsx';
import { QueryInfo } from '../components/QueryInfo.tsx';
import { ResultCard } from '../components/ResultCard.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { formatCount } from '../format.ts';
import { dataOf } from '../state/async.ts';
import { searchConfigOf } from '../state/config.ts';
import { buildSearchRequest, PAGE_SIZE, type Facet } from '../state/search.ts';
import {
  configStore,
  searchStore,
  statusStore,
  useConfig,
  useNavigation,
  useSearch,
} from '../state/stores.ts';
import { NoIndex, TenantSelect, useIndexTenants } from './shared.tsx';

const LANGUAGE_NAMES: Record<string, string> = {
  zh: 'Chinese',
  en: 'English',
  ru: 'Russian',
  ja: 'Japanese',
  ko: 'Korean',
  de: 'German',
  fr: 'French',
  es: 'Spanish',
};

function Selectors() {
  const config = searchConfigOf(dataOf(useConfig((s) => s.working)));
  const language = useSearch((s) => s.language);
  const sort = useSearch((s) => s.sort);
  const dimension = useSearch((s) => s.skuDimension);
  const facets = dataOf(useSearch((s) => s.result))?.facets ?? [];
  const languages = config?.query.supportedLanguages ?? ['zh', 'en'];
  const specNames = facets
    .filter((f) => f.field.startsWith('specifications.'))
    .map((f) => f.field.slice('specifications.'.length));
  const dimensionValue =
    dimension === undefined ? '__default' : dimension === null ? '__none' : dimension;
  const configDefault = config?.result.skuFilterDimension ?? null;
  return (
    <>
      <label className="field narrow-select">
        <span>Language</span>
        <select
          value={language ?? ''}
          onChange={(e) => searchStore.getState().setLanguage(e.target.value || null)}
          data-testid="language-select"
        >
          <option value="">Detect</option>
          {languages.map((l) => (
            <option key={l} value={l}>
              {LANGUAGE_NAMES[l] ?? l} ({l})
            </option>
          ))}
        </select>
      </label>
      <label className="field narrow-select">
        <span>Sort</span>
        <select
          value={sort ?? ''}
          onChange={(e) => searchStore.getState().setSort(e.target.value || null)}
          data-testid="sort-select"
        >
          <option value="">Config default</option>
          {(config?.sort.options ?? []).map((o) => (
            <option key={o.id} value={o.id}>
              {o.label || o.id}
            </option>
          ))}
        </select>
      </label>
      <label className="field narrow-select">
        <span>SKU chips by</span>
        <select
          value={dimensionValue}
          onChange={(e) => {
            const v = e.target.value;
            searchStore
              .getState()
              .setSkuDimension(v === '__default' ? undefined : v === '__none' ? null : v);
          }}
          data-testid="sku-dimension-select"
        >
          <option value="__default">
            Config default{configDefault ? ` (${configDefault})` : ' (all SKUs)'}
          </option>
          <option value="__none">All SKUs</option>
          <option value="option1">option1</option>
          <option value="option2">option2</option>
          <option value="option3">option3</option>
          {specNames.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

function rangeBounds(field: string, bucket: string): { from?: number; to?: number } {
  const config = searchConfigOf(dataOf(configStore.getState().working));
  for (const facet of config?.facets ?? []) {
    if (facet.type !== 'range' || facet.field !== field) continue;
    const range = facet.ranges.find((r) => r.key === bucket);
    if (range)
      return {
        ...(range.from !== undefined ? { from: range.from } : {}),
        ...(range.to !== undefined ? { to: range.to } : {}),
      };
  }
  return {};
}

function onFacetToggle(facet: Facet, value: string): void {
  const store = searchStore.getState();
  if (facet.type === 'range')
    store.toggleRangeBucket(facet.field, value, rangeBounds(facet.field, value));
  else store.toggleFacetValue(facet.field, value);
}

function Results() {
  const result = useSearch((s) => s.result);
  const from = useSearch((s) => s.from);
  const explainFor = useSearch((s) => s.explainFor);
  const dimension = useSearch((s) => s.skuDimension);
  const filters = useSearch((s) => s.filters);
  const config = searchConfigOf(dataOf(useConfig((s) => s.working)));
  const data = dataOf(result);
  const loading = result.state === 'loading';
  const chipDimension =
    dimension === undefined ? (config?.result.skuFilterDimension ?? null) : dimension;
  const run = (page: number) => void searchStore.getState().run(page);

  if (!data) {
    if (result.state === 'error')
      return <ErrorBanner error={result.error} title="Search failed" onRetry={() => run(from)} />;
    return <Loading label="Searching…" />;
  }
  const lastPage = Math.min(data.total, 10_000);
  return (
    <>
      {result.state === 'error' ? (
        <ErrorBanner error={result.error} title="Search failed" onRetry={() => run(from)} />
      ) : null}
      <QueryInfo result={data} />
      <div className="playground-body">
        <aside className="playground-side" aria-label="Facets and filters">
          <FilterBar
            filters={filters}
            onChange={(f) => searchStore.getState().setFilters(f)}
            onRange={(field, min, max) => searchStore.getState().setRange(field, min, max)}
          />
          <FacetPanel
            facets={data.facets}
            filters={filters}
            onToggle={onFacetToggle}
            disabled={loading}
          />
        </aside>
        <section className="playground-results" aria-label="Results">
          <div className="result-summary" aria-live="polite" data-testid="search-summary">
            <span>
              <strong data-testid="search-total">{formatCount(data.total)}</strong> products
              {data.total > 0
                ? ` · showing ${from + 1}–${Math.min(from + PAGE_SIZE, data.total)}`
                : ''}
            </span>
            {loading ? <span className="muted">Updating…</span> : null}
          </div>
          {data.results.length === 0 ? (
            <EmptyState title="No products match" testId="search-empty">
              Try fewer or other words, remove a filter, or another tenant.
            </EmptyState>
          ) : (
            <div className={`results ${loading ? 'stale' : ''}`} data-testid="search-results">
              {data.results.map((hit, i) => (
                <ResultCard
                  key={hit.spu_id}
                  hit={hit}
                  rank={from + i + 1}
                  skuDimension={chipDimension}
                  explainOpen={explainFor === hit.spu_id}
                  onExplain={(open) => searchStore.getState().openExplain(open ? hit.spu_id : null)}
                />
              ))}
            </div>
          )}
          {data.total > PAGE_SIZE ? (
            <nav className="pager" aria-label="Result pages">
              <button
                type="button"
                className="button secondary"
                disabled={from === 0 || loading}
                onClick={() => run(Math.max(0, from - PAGE_SIZE))}
              >
                Previous
              </button>
              <span className="muted">
                Page {Math.floor(from / PAGE_SIZE) + 1} of {Math.ceil(lastPage / PAGE_SIZE)}
              </span>
              <button
                type="button"
                className="button secondary"
                disabled={from + PAGE_SIZE >= lastPage || loading}
                onClick={() => run(from + PAGE_SIZE)}
              >
                Next
              </button>
            </nav>
          ) : null}
        </section>
      </div>
      <SearchMissing />
    </>
  );
}

const WORKING_TARGET = [{ label: 'working config' }] as const;

/** The diagnosis of a product for the search on screen (its query, filters and language). */
function SearchMissing() {
  const state = useSearch((s) => s);
  const { filters, language } = buildSearchRequest(state, 0);
  return (
    <MissingPanel
      screen="search"
      tenantId={state.tenant}
      query={state.query}
      targets={WORKING_TARGET}
      request={{ ...(filters ? { filters } : {}), ...(language ? { language } : {}) }}
    />
  );
}

export function SearchScreen() {
  const { index, tenants } = useIndexTenants();
  const tenant = useSearch((s) => s.tenant);
  const query = useSearch((s) => s.query);
  const check = useSearch((s) => s.check);
  const go = useNavigation((s) => s.go);
  const working = useConfig((s) => s.working);

  useEffect(() => {
    if (configStore.getState().working.state === 'idle') void configStore.getState().load();
  }, []);
  // The working config changed elsewhere (Tune, a checkout): show what it finds now.
  const workingRevision = dataOf(working)?.revisionId;
  useEffect(() => {
    const state = searchStore.getState();
    const shown = dataOf(state.result)?.config.revisionId;
    if (workingRevision && state.tenant && shown && shown !== workingRevision)
      void state.run(state.from);
  }, [workingRevision]);
  // Pick the largest tenant once the index is known, and show its catalog straight away.
  useEffect(() => {
    const first = tenants[0];
    if (!tenant && first) searchStore.getState().setTenant(first.tenantId);
  }, [tenant, tenants]);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    void searchStore.getState().run(0);
  };

  if (index.state === 'error')
    return (
      <ErrorBanner
        error={index.error}
        title="Could not read the index"
        onRetry={() => void statusStore.getState().loadIndex()}
      />
    );
  const info = dataOf(index);
  if (!info) return <Loading label="Reading the index…" />;
  if (!info.exists || info.tenants.length === 0)
    return <NoIndex info={info} onIngest={() => go('ingest')} />;

  return (
    <div className="search-screen" data-testid="search-screen">
      {working.state === 'error' ? (
        <ErrorBanner
          error={working.error}
          title="Could not load the working config"
          onRetry={() => void configStore.getState().load()}
        />
      ) : null}
      <form className="search-bar playground-bar" role="search" onSubmit={submit}>
        <div className="playground-query">
          <QueryBox
            value={query}
            onChange={(q) => searchStore.getState().setQuery(q)}
            onSubmit={() => submit()}
            check={check?.answer ?? null}
            checkedText={check?.query ?? null}
            placeholder="e.g. 无线耳机, wireless headphones, brand:声海 AND 耳机 ANDNOT 有线"
          />
          <button type="submit" className="button" data-testid="search-submit" disabled={!tenant}>
            Search
          </button>
        </div>
        <div className="playground-selectors">
          <TenantSelect
            tenants={tenants}
            value={tenant}
            onChange={(t) => searchStore.getState().setTenant(t)}
          />
          <Selectors />
        </div>
        <p className="hint syntax-hint">
          Syntax: <code>AND</code> <code>OR</code> <code>ANDNOT</code> <code>RANK</code>,{' '}
          <code>( )</code>, <code>"a phrase"</code>, <code>domain:value</code> with the config’s
          domains. Enter searches.
        </p>
      </form>
      {tenant ? <Results /> : <Loading label="Choosing a tenant…" />}
    </div>
  );
}
