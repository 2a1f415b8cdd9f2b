/**
 * Tune: a slider for every boost and weight of the working config. Moving one repaints the
 * current query's results and the query set's mean metric (debounced; older requests aborted),
 * charts the metric over the moves, and lets the analyst apply the positions to the working
 * config and save it as a revision. The auto-tuner panel runs tune.start as a job.
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { Card } from '../components/Card.tsx';
import { MetricChart } from '../components/MetricChart.tsx';
import { PaintMark } from '../components/PaintMark.tsx';
import { RankChange, rankChanges } from '../components/RankChange.tsx';
import { Slider } from '../components/Slider.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { dataOf } from '../state/async.ts';
import type { Tunable } from '../state/config.ts';
import type { MetricPreview, QuerySetInfo } from '../state/tune.ts';
import { configStore, tuneStore, useConfig, useNavigation, useTune } from '../state/stores.ts';
import { AutoTuner } from './TuneAutoTuner.tsx';
import { QuerySetPicker } from './QuerySetPicker.tsx';
import { TenantSelect, useIndexTenants } from './shared.tsx';

const METRICS = ['ndcg@10', 'ndcg@5', 'p@5', 'p@10', 'mrr', 'err@10', 'ap', 'recall@10'];

function SliderGroups({ tunables }: { tunables: Tunable[] }) {
  const overrides = useTune((s) => s.overrides);
  const groups = useMemo(() => {
    const map = new Map<string, Tunable[]>();
    for (const t of tunables) map.set(t.group, [...(map.get(t.group) ?? []), t]);
    return [...map.entries()];
  }, [tunables]);
  return (
    <div className="slider-groups" data-testid="slider-groups">
      {groups.map(([group, items], i) => {
        const moved = items.filter((t) => overrides[t.path] !== undefined).length;
        return (
          <details key={group} className="slider-group" open={i < 2 || moved > 0}>
            <summary>
              {group} <span className="muted small">({items.length})</span>
              {moved ? <span className="badge moved-badge">{moved} moved</span> : null}
            </summary>
            {items.map((t) => (
              <Slider
                key={t.path}
                tunable={t}
                value={overrides[t.path] ?? t.value}
                onChange={(v) => tuneStore.getState().setValue(t, v)}
                onReset={() => tuneStore.getState().resetValue(t.path)}
              />
            ))}
          </details>
        );
      })}
    </div>
  );
}

/** The live metric's condensed-list mean, bounds and judged coverage (warned when low). */
function UnjudgedNote({ data }: { data: MetricPreview }) {
  const f = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(4));
  const c = data.coverage;
  return (
    <div className="muted small" data-testid="tune-metric-unjudged">
      <span title="mean with the unjudged hits removed before scoring (condensed lists)">
        condensed {f(data.condensed)}
      </span>
      {' · '}
      <span title="unjudged hits at grade 0 (the mean) … at the top grade">
        bounds {f(data.mean)}–{f(data.upper)}
      </span>
      {c?.coverage !== null && c?.coverage !== undefined ? (
        <>
          {' · '}
          <span
            className={c.low ? 'warning-text' : ''}
            title={c.warning ?? `judged share of the top ${c.k}`}
            data-testid="tune-metric-coverage"
            role={c.low ? 'alert' : undefined}
          >
            {c.low ? '⚠ ' : ''}
            {(c.coverage * 100).toFixed(0)}% of the top {c.k} judged
          </span>
        </>
      ) : null}
    </div>
  );
}

function MetricPanel() {
  const preview = useTune((s) => s.preview);
  const baseline = useTune((s) => s.baselinePreview);
  const history = useTune((s) => s.history);
  const querySet = useTune((s) => s.querySet);
  const live = dataOf(preview);
  if (!querySet)
    return (
      <EmptyState title="Pick a query set" testId="tune-no-queryset">
        The mean metric over a query set repaints here as you move a slider. Create one on the
        Judgments screen.
      </EmptyState>
    );
  const current = live?.data.mean ?? null;
  const base = baseline?.mean ?? null;
  const delta = current !== null && base !== null ? current - base : null;
  return (
    <div className="metric-panel" data-testid="tune-metric">
      {preview.state === 'error' ? (
        <ErrorBanner error={preview.error} title="Could not score the query set" />
      ) : null}
      <div className="metric-headline">
        <div>
          <div className="metric-name">
            {live?.data.metric ?? baseline?.metric ?? ''} · mean over the query set
          </div>
          <div className="metric-value" data-testid="tune-metric-value" data-value={current ?? ''}>
            {current === null ? '—' : current.toFixed(4)}
          </div>
        </div>
        <div className="metric-side">
          <div
            className={`metric-delta ${delta === null ? '' : delta > 1e-9 ? 'up' : delta < -1e-9 ? 'down' : ''}`}
            data-testid="tune-metric-delta"
          >
            {delta === null ? '' : `${delta >= 0 ? '+' : ''}${delta.toFixed(4)} vs working config`}
          </div>
          <div className="muted small">
            {live
              ? `${live.data.validQueries} of ${live.data.totalQueries} queries scored · ${live.data.latencyMs} ms${
                  live.data.searches.cached > 0
                    ? ` · ${live.data.searches.cached} of ${live.data.searches.sent + live.data.searches.cached} searches unchanged since the last move`
                    : ''
                }`
              : preview.state === 'loading'
                ? 'Scoring…'
                : ''}
          </div>
          {live ? <UnjudgedNote data={live.data} /> : null}
        </div>
        {preview.state === 'loading' ? (
          <span className="spinner" aria-label="Updating the metric" />
        ) : null}
      </div>
      <MetricChart
        testId="tune-chart"
        data={history.map((p) => ({
          x: p.step,
          mean: p.mean,
          what: p.path ? `${p.path} = ${String(p.value)}` : 'working config',
        }))}
        series={[{ key: 'mean', label: 'mean', colour: '#2f5bd3' }]}
        baseline={base}
        xLabel="slider move"
        yLabel={live?.data.metric ?? 'metric'}
        describe={(p) => String(p.what)}
      />
      <PaintMark name="rwb:slider→metric" inputAt={live?.inputAt ?? null} token={live} />
    </div>
  );
}

function LiveResults() {
  const results = useTune((s) => s.results);
  const baseline = useTune((s) => s.baseline);
  const live = dataOf(results);
  const hits = live?.data.results ?? [];
  const changes = rankChanges(
    hits.map((h) => h.spu_id),
    baseline ? baseline.results.map((h) => h.spu_id) : null,
  );
  return (
    <div className="live-results" data-testid="tune-results">
      {results.state === 'error' ? (
        <ErrorBanner error={results.error} title="Search failed" />
      ) : null}
      {!live && results.state === 'loading' ? <Loading label="Searching…" /> : null}
      {live && hits.length === 0 ? (
        <EmptyState title="No results for this query" testId="tune-results-empty" />
      ) : null}
      <ol className={`live-list ${results.state === 'loading' ? 'stale' : ''}`}>
        {hits.map((h, i) => (
          <li key={h.spu_id} className="live-row" data-testid="tune-result" data-spu-id={h.spu_id}>
            <span className="rank">#{i + 1}</span>
            <RankChange {...changes[i]!} />
            <span className="live-title" lang={h.titles.zh ? 'zh' : 'en'}>
              {h.titles.zh ?? h.titles.en ?? h.spu_id}
              {h.titles.zh && h.titles.en ? <span className="muted"> · {h.titles.en}</span> : null}
            </span>
            <span className="score">{h.relevance_score?.toFixed(3) ?? '—'}</span>
          </li>
        ))}
      </ol>
      <PaintMark name="rwb:slider→results" inputAt={live?.inputAt ?? null} token={live} />
    </div>
  );
}

function ApplyBar() {
  const overrides = useTune((s) => s.overrides);
  const busy = useConfig((s) => s.busy);
  const actionError = useConfig((s) => s.actionError);
  const working = dataOf(useConfig((s) => s.working));
  const [note, setNote] = useState('');
  const moved = Object.keys(overrides).length;
  const apply = async () => {
    if (await configStore.getState().apply(overrides)) tuneStore.getState().clearAfterApply();
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (moved && !(await configStore.getState().apply(overrides))) return;
    if (
      await configStore.getState().save(note || `tuned ${moved} setting${moved === 1 ? '' : 's'}`)
    ) {
      setNote('');
      tuneStore.getState().clearAfterApply();
    }
  };
  return (
    <form
      className="apply-bar"
      onSubmit={(e) => void save(e)}
      aria-label="Apply the slider positions"
    >
      <span className="muted small" data-testid="tune-moved">
        {moved
          ? `${moved} setting${moved === 1 ? '' : 's'} moved`
          : working?.dirty
            ? 'Working config has unsaved changes'
            : 'Nothing moved'}
      </span>
      <button
        type="button"
        className="button secondary small"
        disabled={!moved || busy}
        onClick={() => tuneStore.getState().resetAll()}
        data-testid="tune-reset"
      >
        Reset all
      </button>
      <button
        type="button"
        className="button secondary small"
        disabled={!moved || busy}
        onClick={() => void apply()}
        data-testid="tune-apply"
      >
        Apply to working config
      </button>
      <input
        aria-label="Revision note"
        placeholder="note for the revision"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        className="apply-note"
      />
      <button
        type="submit"
        className="button small"
        disabled={busy || (!moved && !working?.dirty)}
        data-testid="tune-save"
      >
        Save as revision
      </button>
      {actionError ? <ErrorBanner error={actionError} title="Could not apply" /> : null}
    </form>
  );
}

export function TuneScreen() {
  const working = useConfig((s) => s.working);
  const { tenants } = useIndexTenants();
  const tenant = useTune((s) => s.tenant);
  const query = useTune((s) => s.query);
  const metric = useTune((s) => s.metric);
  const querySet = useTune((s) => s.querySet);
  const go = useNavigation((s) => s.go);
  const data = dataOf(working);
  const setQuerySet = useCallback(
    (ref: QuerySetInfo | null) => tuneStore.getState().setQuerySet(ref),
    [],
  );

  useEffect(() => {
    if (configStore.getState().working.state === 'idle') void configStore.getState().load();
  }, []);
  useEffect(() => {
    if (!tenant && tenants[0]) tuneStore.getState().setTenant(tenants[0].tenantId);
  }, [tenant, tenants]);
  // A new working config (applied, checked out): the sliders start from it.
  const revision = data?.revisionId;
  useEffect(() => {
    if (revision && tuneStore.getState().tenant) void tuneStore.getState().refresh();
  }, [revision]);

  if (working.state === 'error')
    return (
      <ErrorBanner
        error={working.error}
        title="Could not load the working config"
        onRetry={() => void configStore.getState().load()}
      />
    );
  if (!data) return <Loading label="Loading the working config…" />;

  return (
    <div className="tune-screen" data-testid="tune-screen">
      <form
        className="search-bar tune-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void tuneStore.getState().refresh();
        }}
      >
        <TenantSelect
          tenants={tenants}
          value={tenant}
          onChange={(t) => tuneStore.getState().setTenant(t)}
          testId="tune-tenant"
        />
        <label className="field grow">
          <span>Query (live results)</span>
          <input
            value={query}
            onChange={(e) => tuneStore.getState().setQuery(e.target.value)}
            placeholder="a query to watch while sliding"
            data-testid="tune-query"
          />
        </label>
        <QuerySetPicker
          value={querySet}
          tenant={tenant}
          onChange={setQuerySet}
          onCreate={() => go('judgments')}
        />
        <label className="field narrow-select">
          <span>Metric</span>
          <select
            value={metric}
            onChange={(e) => tuneStore.getState().setMetric(e.target.value)}
            data-testid="tune-metric-select"
          >
            {METRICS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button secondary">
          Refresh
        </button>
      </form>
      <div className="tune-grid">
        <aside className="tune-sliders" aria-label="Boosts and weights">
          <ApplyBar />
          <SliderGroups tunables={data.tunables} />
        </aside>
        <section className="tune-live" aria-label="Live results and metric">
          <Card title="Query set metric" testId="card-tune-metric">
            <MetricPanel />
          </Card>
          <Card
            title={query.trim() ? `Top ${10} for “${query.trim()}”` : 'Top 10 (browse)'}
            testId="card-tune-results"
          >
            <LiveResults />
          </Card>
          <AutoTuner />
        </section>
      </div>
    </div>
  );
}
