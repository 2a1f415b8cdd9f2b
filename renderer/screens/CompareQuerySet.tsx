/**
 * Compare over a whole query set: the columns evaluated together (eval.run job), a summary per
 * config (mean, Δ, wins/losses/ties, p-value, condensed-list mean, bounds, judged coverage) with
 * whether each winner survives the unjudged hits, and the per-query deltas, sortable and
 * filterable.
 */
import { useCallback, useMemo } from 'react';
import { Card } from '../components/Card.tsx';
import { JobProgressBar, JobStatusBadge } from '../components/JobProgress.tsx';
import { ErrorBanner } from '../components/StateViews.tsx';
import { VirtualList } from '../components/VirtualList.tsx';
import {
  filterAndSort,
  queryRows,
  type OutcomeFilter,
  type QueryRange,
  type SortKey,
} from '../state/compare-set.ts';
import { compareSetStore, useCompare, useCompareSet, useNavigation } from '../state/stores.ts';
import type { QuerySetInfo } from '../state/tune.ts';
import { QuerySetPicker } from './QuerySetPicker.tsx';

const fmt = (v: number | null | undefined, sign = false) =>
  v === null || v === undefined ? '—' : `${sign && v >= 0 ? '+' : ''}${v.toFixed(3)}`;

/** A query's or a mean's condensed value and bounds, as a short muted note. */
function rangeNote(value: number | null | undefined, range: QueryRange): string | null {
  if (!range || value === null || value === undefined) return null;
  return `condensed ${fmt(range.condensed)} · bounds ${fmt(value)}–${fmt(range.upper)}`;
}

function Summary() {
  const result = useCompareSet((s) => s.result);
  if (!result) return null;
  const [base, ...others] = result.runs;
  const metric = result.comparisons[0]?.metric ?? 'ndcg@10';
  // Older engines answer without these fields; the columns then show dashes.
  const rangeFor = (i: number) =>
    (result.unjudged?.[i] ?? []).find((r) => r.metric === metric.split(':')[0]) ?? null;
  const coverageCell = (i: number) => {
    const c = result.coverage?.[i];
    if (!c || c.coverage === null) return <td className="num">—</td>;
    return (
      <td
        className={`num ${c.low ? 'down' : ''}`}
        title={c.warning ?? `judged share of the top ${c.k}`}
        data-testid="compare-set-coverage"
      >
        {`${(c.coverage * 100).toFixed(0)}%`}
        {c.low ? ' ⚠' : ''}
      </td>
    );
  };
  const unjudgedCells = (i: number) => {
    const r = rangeFor(i);
    return (
      <>
        <td className="num" data-testid="compare-set-condensed">
          {fmt(r?.condensed)}
        </td>
        <td className="num" data-testid="compare-set-bounds">
          {r ? `${fmt(r.value)} – ${fmt(r.upper)}` : '—'}
        </td>
        {coverageCell(i)}
      </>
    );
  };
  const warnings = result.runs.flatMap((run, i) => {
    const warning = result.coverage?.[i]?.warning;
    return warning ? [`${run.label}: ${warning}`] : [];
  });
  return (
    <>
      <table className="table compact" data-testid="compare-set-summary">
        <thead>
          <tr>
            <th scope="col">Config</th>
            <th scope="col" className="num">
              Mean
            </th>
            <th scope="col" className="num">
              Δ vs baseline
            </th>
            <th scope="col" className="num">
              Wins / losses / ties
            </th>
            <th scope="col" className="num">
              p (randomization)
            </th>
            <th scope="col" className="num">
              95% CI of Δ
            </th>
            <th
              scope="col"
              className="num"
              title="mean with the unjudged hits removed (condensed lists)"
            >
              Condensed
            </th>
            <th
              scope="col"
              className="num"
              title="unjudged hits at grade 0 (lower, the mean) … at the top grade (upper)"
            >
              Bounds
            </th>
            <th scope="col" className="num" title="judged share of the top k">
              Judged
            </th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>{base?.label} (baseline)</td>
            <td className="num">
              {fmt(result.comparisons[0]?.meanA ?? result.results[0]?.means['ndcg@10'])}
            </td>
            <td />
            <td />
            <td />
            <td />
            {unjudgedCells(0)}
          </tr>
          {others.map((run, i) => {
            const c = result.comparisons[i];
            return (
              <tr key={run.runId} data-testid="compare-set-config">
                <td>{run.label}</td>
                <td className="num">{fmt(c?.meanB)}</td>
                <td className={`num ${c?.meanDelta ? (c.meanDelta > 0 ? 'up' : 'down') : ''}`}>
                  {fmt(c?.meanDelta, true)}
                </td>
                <td className="num" data-testid="compare-set-wins">
                  {c ? `${c.wins} / ${c.losses} / ${c.ties}` : '—'}
                </td>
                <td className="num">
                  {c?.significance ? c.significance.pValue.toFixed(3) : '—'}
                  {c?.significant ? <span className="badge sig"> significant</span> : null}
                </td>
                <td className="num">
                  {c?.interval
                    ? `${fmt(c.interval.lower, true)} … ${fmt(c.interval.upper, true)}`
                    : '—'}
                </td>
                {unjudgedCells(i + 1)}
              </tr>
            );
          })}
        </tbody>
      </table>
      {result.comparisons.map((c, i) =>
        c.robustness ? (
          <p
            key={i}
            className={`small ${c.robustness.verdict === 'robust' ? 'muted' : 'warning-text'}`}
            data-testid="compare-set-robustness"
          >
            {c.robustness.verdict === 'robust' ? '✓ ' : '⚠ '}
            {c.robustness.summary
              .replaceAll(c.revisionA, base?.label ?? c.revisionA)
              .replaceAll(c.revisionB, others[i]?.label ?? c.revisionB)}
          </p>
        ) : null,
      )}
      {warnings.map((w) => (
        <p
          key={w}
          className="small warning-text"
          role="alert"
          data-testid="compare-set-coverage-warning"
        >
          ⚠ {w}
        </p>
      ))}
    </>
  );
}

function PerQueryTable() {
  const result = useCompareSet((s) => s.result);
  const sort = useCompareSet((s) => s.sort);
  const descending = useCompareSet((s) => s.descending);
  const text = useCompareSet((s) => s.text);
  const outcome = useCompareSet((s) => s.outcome);
  const column = useCompareSet((s) => s.column);
  const all = useMemo(() => (result ? queryRows(result.comparisons) : []), [result]);
  const rows = useMemo(
    () => filterAndSort(all, { sort, descending, text, outcome, column }),
    [all, sort, descending, text, outcome, column],
  );
  if (!result) return null;
  const labels = result.runs.slice(1).map((r) => r.label);
  const header = (key: SortKey, label: string) => (
    <button
      type="button"
      className={`sort-button ${sort === key ? 'active' : ''}`}
      onClick={() =>
        compareSetStore
          .getState()
          .setView(
            sort === key ? { descending: !descending } : { sort: key, descending: key !== 'query' },
          )
      }
      aria-label={`Sort by ${label}`}
    >
      {label} {sort === key ? (descending ? '↓' : '↑') : ''}
    </button>
  );
  const template = `minmax(0, 1.6fr) 110px ${labels.map(() => '190px').join(' ')}`;
  return (
    <div className="per-query" data-testid="compare-set-table">
      <div className="per-query-tools">
        <input
          aria-label="Filter queries"
          placeholder="filter queries"
          value={text}
          onChange={(e) => compareSetStore.getState().setView({ text: e.target.value })}
          data-testid="compare-set-filter"
        />
        <select
          aria-label="Show"
          value={outcome}
          onChange={(e) =>
            compareSetStore.getState().setView({ outcome: e.target.value as OutcomeFilter })
          }
          data-testid="compare-set-outcome"
        >
          <option value="all">All queries</option>
          <option value="changed">Changed in any config</option>
          <option value="wins">Wins</option>
          <option value="losses">Losses</option>
          <option value="ties">Ties</option>
        </select>
        {labels.length > 1 ? (
          <select
            aria-label="Wins and losses of"
            value={column}
            onChange={(e) => compareSetStore.getState().setView({ column: Number(e.target.value) })}
          >
            {labels.map((l, i) => (
              <option key={i} value={i}>
                of {l}
              </option>
            ))}
          </select>
        ) : null}
        <span className="muted small">
          {rows.length} of {all.length} queries
        </span>
      </div>
      <div className="per-query-head" style={{ gridTemplateColumns: template }} role="row">
        {header('query', 'Query')}
        {header('baseline', 'Baseline')}
        {labels.map((l, i) => (
          <span key={i}>{header(`delta:${i}`, `Δ ${l}`)}</span>
        ))}
      </div>
      <VirtualList
        items={rows}
        rowHeight={30}
        height={Math.min(360, rows.length * 30 + 2)}
        selectedIndex={-1}
        onSelect={() => undefined}
        keyOf={(r) => r.query}
        label="Per-query scores"
        testId="compare-set-rows"
        renderRow={(r) => (
          <div className="per-query-row" style={{ gridTemplateColumns: template }}>
            <span className="query-text">{r.query}</span>
            <span className="num" title={rangeNote(r.baseline, r.baselineRange) ?? undefined}>
              {fmt(r.baseline)}
              {r.baselineRange ? (
                <span className="muted small"> ≤{fmt(r.baselineRange.upper)}</span>
              ) : null}
            </span>
            {r.scores.map((s, i) => (
              <span
                key={i}
                className={`num ${s.outcome === 'win' ? 'up' : s.outcome === 'loss' ? 'down' : 'muted'}`}
                title={rangeNote(s.score, s.range) ?? undefined}
                data-testid="compare-set-cell"
              >
                {fmt(s.score)} ({fmt(s.delta, true)})
                {s.range ? <span className="muted small"> c {fmt(s.range.condensed)}</span> : null}
              </span>
            ))}
          </div>
        )}
      />
    </div>
  );
}

export function CompareQuerySet() {
  const columns = useCompare((s) => s.columns);
  const tenant = useCompare((s) => s.tenant);
  const querySet = useCompareSet((s) => s.querySet);
  const job = useCompareSet((s) => s.job);
  const error = useCompareSet((s) => s.error);
  const go = useNavigation((s) => s.go);
  const running = job?.status === 'running' || job?.status === 'queued';
  const onQuerySet = useCallback(
    (qs: QuerySetInfo | null) => compareSetStore.getState().setQuerySet(qs),
    [],
  );
  return (
    <Card
      title="Over a query set"
      testId="card-compare-set"
      className="compare-set"
      actions={
        <>
          <QuerySetPicker
            value={querySet}
            tenant={tenant}
            onChange={onQuerySet}
            onCreate={() => go('judgments')}
            testId="compare-set-queryset"
          />
          {job ? <JobStatusBadge status={job.status} /> : null}
          {running ? (
            <button
              type="button"
              className="button danger"
              onClick={() => void compareSetStore.getState().cancel()}
            >
              Cancel
            </button>
          ) : (
            <button
              type="button"
              className="button"
              disabled={!querySet}
              onClick={() => void compareSetStore.getState().run(columns, tenant)}
              data-testid="compare-set-run"
            >
              Evaluate {columns.length} configs
            </button>
          )}
        </>
      }
    >
      <p className="muted small">
        Runs every column on every query of the set (recorded on Experiments); the first column is
        the baseline. Significance: paired randomization test.
      </p>
      {error ? <ErrorBanner error={error} title="Could not start the evaluation" /> : null}
      {job && running ? <JobProgressBar job={job} /> : null}
      {job?.error ? <ErrorBanner error={job.error} title="Evaluation failed" /> : null}
      <Summary />
      <PerQueryTable />
    </Card>
  );
}
