import { useEffect, type FormEvent } from 'react';
import { ResultCard } from '../components/ResultCard.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { formatCount } from '../format.ts';
import { dataOf } from '../state/async.ts';
import { PAGE_SIZE } from '../state/search.ts';
import { searchStore, statusStore, useNavigation, useSearch, useStatus } from '../state/stores.ts';

export function SearchScreen() {
  const index = useStatus((s) => s.index);
  const indexData = dataOf(index);
  const tenant = useSearch((s) => s.tenant);
  const query = useSearch((s) => s.query);
  const from = useSearch((s) => s.from);
  const result = useSearch((s) => s.result);
  const go = useNavigation((s) => s.go);
  const tenants = indexData?.tenants ?? [];

  useEffect(() => {
    if (statusStore.getState().index.state === 'idle') void statusStore.getState().loadIndex();
  }, []);
  // Pick the largest tenant once the index is known, and show its catalog straight away.
  useEffect(() => {
    const first = tenants[0];
    if (!tenant && first) {
      searchStore.getState().setTenant(first.tenantId);
      void searchStore.getState().run(0);
    }
  }, [tenant, tenants]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void searchStore.getState().run(0);
  };

  if (index.state === 'error') return <ErrorBanner error={index.error} title="Could not read the index" onRetry={() => void statusStore.getState().loadIndex()} />;
  if (!indexData) return <Loading label="Reading the index…" />;
  if (!indexData.exists || indexData.tenants.length === 0) {
    return (
      <EmptyState
        title={indexData.exists ? `Index “${indexData.index}” has no documents` : `Index “${indexData.index}” does not exist yet`}
        testId="search-no-index"
        action={
          <button type="button" className="button" onClick={() => go('ingest')}>
            Go to Ingest
          </button>
        }
      >
        Search needs an ingested catalog.
      </EmptyState>
    );
  }

  const data = dataOf(result);
  const loading = result.state === 'loading';
  return (
    <div className="search-screen" data-testid="search-screen">
      <p className="note">
        <strong>Basic search</strong>: one multi_match over titles, vendor, category and brief (zh and en), always filtered by tenant. The full query builder with facets and explain replaces it in a later release.
      </p>
      <form className="search-bar" role="search" onSubmit={submit}>
        <label className="field">
          <span>Tenant</span>
          <select
            value={tenant}
            onChange={(e) => {
              searchStore.getState().setTenant(e.target.value);
              void searchStore.getState().run(0);
            }}
            data-testid="tenant-select"
          >
            {tenants.map((t) => (
              <option key={t.tenantId} value={t.tenantId}>
                {t.tenantId} · {formatCount(t.docCount)} products
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>Query</span>
          <input
            type="search"
            value={query}
            placeholder="e.g. 无线耳机 or wireless headphones"
            onChange={(e) => searchStore.getState().setQuery(e.target.value)}
            data-testid="search-input"
            autoFocus
          />
        </label>
        <button type="submit" className="button" data-testid="search-submit" disabled={!tenant}>
          Search
        </button>
      </form>

      {result.state === 'error' ? <ErrorBanner error={result.error} title="Search failed" onRetry={() => void searchStore.getState().run(from)} /> : null}
      {result.state === 'loading' && !data ? <Loading label="Searching…" /> : null}
      {data ? (
        <>
          <div className="result-summary" aria-live="polite" data-testid="search-summary">
            <span>
              <strong data-testid="search-total">{formatCount(data.total)}</strong> products
              {data.total > 0 ? ` · showing ${from + 1}–${Math.min(from + PAGE_SIZE, data.total)}` : ''} · {data.tookMs} ms in Elasticsearch
            </span>
            {loading ? <span className="muted">Updating…</span> : null}
          </div>
          {data.hits.length === 0 ? (
            <EmptyState title="No products match" testId="search-empty">
              Try fewer or other words, or another tenant.
            </EmptyState>
          ) : (
            <div className={`results ${loading ? 'stale' : ''}`} data-testid="search-results">
              {data.hits.map((hit, i) => (
                <ResultCard key={hit.id} hit={hit} rank={from + i + 1} />
              ))}
            </div>
          )}
          {data.total > PAGE_SIZE ? (
            <nav className="pager" aria-label="Result pages">
              <button type="button" className="button secondary" disabled={from === 0 || loading} onClick={() => void searchStore.getState().run(Math.max(0, from - PAGE_SIZE))}>
                Previous
              </button>
              <span className="muted">
                Page {Math.floor(from / PAGE_SIZE) + 1} of {Math.ceil(Math.min(data.total, 10_000) / PAGE_SIZE)}
              </span>
              <button
                type="button"
                className="button secondary"
                disabled={from + PAGE_SIZE >= Math.min(data.total, 10_000) || loading}
                onClick={() => void searchStore.getState().run(from + PAGE_SIZE)}
              >
                Next
              </button>
            </nav>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
