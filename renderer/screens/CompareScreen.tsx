/**
 * Compare: 2–4 configs side by side for one query — rank-change arrows and NEW markers against
 * the first column, the baseline hits each config dropped, Jaccard@10 and RBO, latency, and the
 * facet counts that changed — and the same configs over a whole query set.
 */
import { useEffect, type FormEvent } from 'react';
import { MissingPanel } from '../components/MissingPanel.tsx';
import { RankChange } from '../components/RankChange.tsx';
import { Thumbnail } from '../components/ResultCard.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { formatCount, formatPriceRange } from '../format.ts';
import { dataOf } from '../state/async.ts';
import { shortRevision, type RevisionInfo } from '../state/config.ts';
import {
  choiceKey,
  choiceLabel,
  MAX_COLUMNS,
  MIN_COLUMNS,
  type ColumnChoice,
  toConfigRef,
  type CompareColumn,
} from '../state/compare.ts';
import {
  compareStore,
  configStore,
  tuneStore,
  useCompare,
  useConfig,
  useTune,
} from '../state/stores.ts';
import { CompareQuerySet } from './CompareQuerySet.tsx';
import { TenantSelect, useIndexTenants } from './shared.tsx';

function ColumnPicker({
  index,
  choice,
  revisions,
}: {
  index: number;
  choice: ColumnChoice;
  revisions: RevisionInfo[];
}) {
  const overrides = useTune((s) => s.overrides);
  const columns = useCompare((s) => s.columns);
  const hasTuned = Object.keys(overrides).length > 0;
  const onChange = (value: string) => {
    if (value === 'working') compareStore.getState().setColumn(index, { kind: 'working' });
    else if (value === 'tuned')
      compareStore.getState().setColumn(index, { kind: 'tuned', overrides });
    else compareStore.getState().setColumn(index, { kind: 'revision', revisionId: value.slice(4) });
  };
  return (
    <div className="column-picker">
      <label className="field">
        <span>{index === 0 ? 'Baseline' : `Config ${index + 1}`}</span>
        <select
          value={choiceKey(choice)}
          onChange={(e) => onChange(e.target.value)}
          data-testid={`compare-config-${index}`}
        >
          <option value="working">Working config</option>
          {hasTuned || choice.kind === 'tuned' ? (
            <option value="tuned">
              {choice.kind === 'tuned'
                ? choiceLabel(choice)
                : `Working + ${Object.keys(overrides).length} Tune slider changes`}
            </option>
          ) : null}
          {revisions.map((r) => (
            <option key={r.id} value={`rev:${r.id}`}>
              {shortRevision(r.id)} · {r.note || r.name || 'no note'}
            </option>
          ))}
        </select>
      </label>
      {columns.length > MIN_COLUMNS ? (
        <button
          type="button"
          className="icon-button"
          aria-label={`Remove config ${index + 1}`}
          onClick={() => compareStore.getState().removeColumn(index)}
        >
          ×
        </button>
      ) : null}
    </div>
  );
}

function Overlap({ column, baseline }: { column: CompareColumn; baseline: boolean }) {
  return (
    <dl className="column-stats">
      <div>
        <dt>Found</dt>
        <dd>{formatCount(column.total)}</dd>
      </div>
      <div>
        <dt>Latency</dt>
        <dd data-testid="compare-latency">
          {column.latencyMs} ms <span className="muted">(ES {column.tookMs})</span>
        </dd>
      </div>
      {baseline ? null : (
        <>
          <div>
            <dt>Jaccard@{column.overlap.k}</dt>
            <dd data-testid="compare-jaccard">{column.overlap.jaccard.toFixed(2)}</dd>
          </div>
          <div>
            <dt>RBO</dt>
            <dd data-testid="compare-rbo">{column.overlap.rbo.toFixed(2)}</dd>
          </div>
        </>
      )}
    </dl>
  );
}

function Column({ column, index }: { column: CompareColumn; index: number }) {
  const baseline = index === 0;
  return (
    <section className="compare-column" data-testid="compare-column" aria-label={column.label}>
      <header className="compare-column-head">
        <h2>{column.label}</h2>
        <code className="muted small">{shortRevision(column.revisionId)}</code>
      </header>
      <Overlap column={column} baseline={baseline} />
      {column.warnings.map((w) => (
        <p key={w} className="qi-warning small">
          {w}
        </p>
      ))}
      {column.hits.length === 0 ? <p className="muted">No results.</p> : null}
      <ol className="compare-hits">
        {column.hits.map((h) => (
          <li
            key={h.spuId}
            className={`compare-hit ${h.isNew ? 'is-new' : ''}`}
            data-testid="compare-hit"
            data-spu-id={h.spuId}
          >
            <span className="rank">#{h.rank}</span>
            {baseline ? (
              <span className="rank-change none" aria-hidden="true" />
            ) : (
              <RankChange change={h.change} isNew={h.isNew} />
            )}
            <Thumbnail src={h.image} alt="" size="small" />
            <span className="compare-hit-text">
              <span className="compare-title" lang={h.titleZh ? 'zh' : 'en'}>
                {h.titleZh ?? h.titleEn ?? h.spuId}
              </span>
              <span className="muted small">
                {[h.vendor, formatPriceRange(h.minPrice, h.maxPrice)].filter(Boolean).join(' · ')}
              </span>
            </span>
            <span className="score">{h.score?.toFixed(2) ?? '—'}</span>
          </li>
        ))}
      </ol>
      {column.dropped.length ? (
        <div className="dropped" data-testid="compare-dropped">
          <h3>Dropped from the baseline ({column.dropped.length})</h3>
          <ul>
            {column.dropped.map((d) => (
              <li key={d.spuId}>
                <span className="rank-change down">was #{d.baselineRank}</span>{' '}
                {d.titleZh ?? d.titleEn ?? d.spuId}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {!baseline ? (
        <div className="facet-diff" data-testid="compare-facet-diff">
          <h3>Facet counts that changed</h3>
          {column.facetChanges.length === 0 ? (
            <p className="muted small">None</p>
          ) : (
            <table className="table compact">
              <thead>
                <tr>
                  <th scope="col">Facet value</th>
                  <th scope="col" className="num">
                    Baseline
                  </th>
                  <th scope="col" className="num">
                    Here
                  </th>
                </tr>
              </thead>
              <tbody>
                {column.facetChanges.slice(0, 12).map((c) => (
                  <tr key={`${c.facet}:${c.value}`}>
                    <td>
                      <span className="muted">{c.facet.replace(/^specifications\./, '')}:</span>{' '}
                      {c.value}
                    </td>
                    <td className="num">{c.baseline}</td>
                    <td className={`num ${c.delta > 0 ? 'up' : 'down'}`}>
                      {c.count} ({c.delta > 0 ? '+' : ''}
                      {c.delta})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ) : null}
    </section>
  );
}

export function CompareScreen() {
  const { tenants } = useIndexTenants();
  const tenant = useCompare((s) => s.tenant);
  const query = useCompare((s) => s.query);
  const columns = useCompare((s) => s.columns);
  const result = useCompare((s) => s.result);
  const revisions = dataOf(useConfig((s) => s.revisions))?.revisions ?? [];
  const data = dataOf(result);

  useEffect(() => {
    if (configStore.getState().revisions.state === 'idle')
      void configStore.getState().loadRevisions();
  }, []);
  useEffect(() => {
    if (!tenant && tenants[0]) compareStore.getState().setTenant(tenants[0].tenantId);
  }, [tenant, tenants]);
  const latestRevision = revisions[0]?.id ?? null;
  useEffect(() => compareStore.getState().applyDefaultColumns(latestRevision), [latestRevision]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void compareStore.getState().run();
  };
  const tunedOverrides = tuneStore.getState().overrides;

  return (
    <div className="compare-screen" data-testid="compare-screen">
      <form className="search-bar compare-toolbar" onSubmit={submit}>
        <TenantSelect
          tenants={tenants}
          value={tenant}
          onChange={(t) => compareStore.getState().setTenant(t)}
          testId="compare-tenant"
        />
        <label className="field grow">
          <span>Query</span>
          <input
            value={query}
            onChange={(e) => compareStore.getState().setQuery(e.target.value)}
            placeholder="one query, every config"
            data-testid="compare-query"
          />
        </label>
        <button type="submit" className="button" data-testid="compare-run" disabled={!tenant}>
          Compare
        </button>
        <div className="column-pickers">
          {columns.map((c, i) => (
            <ColumnPicker key={i} index={i} choice={c} revisions={revisions} />
          ))}
          {columns.length < MAX_COLUMNS ? (
            <button
              type="button"
              className="button secondary small add-column"
              onClick={() =>
                compareStore
                  .getState()
                  .addColumn(
                    Object.keys(tunedOverrides).length
                      ? { kind: 'tuned', overrides: tunedOverrides }
                      : { kind: 'working' },
                  )
              }
              data-testid="compare-add"
            >
              + Add config
            </button>
          ) : null}
        </div>
      </form>
      {result.state === 'error' ? (
        <ErrorBanner
          error={result.error}
          title="Comparison failed"
          onRetry={() => void compareStore.getState().run()}
        />
      ) : null}
      {!data && result.state === 'loading' ? (
        <Loading label="Searching with every config…" />
      ) : null}
      {!data && result.state === 'idle' ? (
        <EmptyState title="Pick a tenant and a query">
          Each column searches with one config; the first is the baseline the others are measured
          against.
        </EmptyState>
      ) : null}
      {data ? (
        <div
          className={`compare-columns cols-${data.columns.length} ${result.state === 'loading' ? 'stale' : ''}`}
          data-testid="compare-columns"
        >
          {data.columns.map((c, i) => (
            <Column key={i} column={c} index={i} />
          ))}
        </div>
      ) : null}
      {tenant ? (
        <MissingPanel
          screen="compare"
          tenantId={tenant}
          query={query}
          targets={columns.map((choice) => {
            const { label, overrides, revisionId } = toConfigRef(choice);
            return {
              label: label ?? choiceLabel(choice),
              config: revisionId ? { revisionId, label } : { label },
              ...(overrides ? { overrides } : {}),
            };
          })}
        />
      ) : null}
      <CompareQuerySet />
    </div>
  );
}
