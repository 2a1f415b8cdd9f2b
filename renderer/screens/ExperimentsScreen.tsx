/**
 * Experiments: the metric of every recorded run over time (per query set, with notes), the
 * history of revisions and runs, notes on runs, and the diff of two revisions — config changes
 * by path and the metric changes of their latest runs on a shared query set.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Card } from '../components/Card.tsx';
import { MetricChart } from '../components/MetricChart.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { VirtualList } from '../components/VirtualList.tsx';
import { formatDateTime } from '../format.ts';
import { dataOf } from '../state/async.ts';
import { shortRevision } from '../state/config.ts';
import {
  historyPoints,
  metricsOf,
  querySetLabelOf,
  type HistoryPoint,
} from '../state/experiments.ts';
import { experimentsStore, useExperiments } from '../state/stores.ts';
import { RevisionDiffView } from './ExperimentsDiff.tsx';

function NoteForm({ point }: { point: HistoryPoint }) {
  const [text, setText] = useState('');
  const error = useExperiments((s) => s.noteError);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await experimentsStore.getState().annotate(point.runId, text)) setText('');
  };
  return (
    <form className="note-form" onSubmit={(e) => void submit(e)}>
      <input
        aria-label={`Note on run ${point.runId}`}
        placeholder="add a note to this run"
        value={text}
        onChange={(e) => setText(e.target.value)}
        data-testid="run-note"
      />
      <button
        type="submit"
        className="button secondary small"
        disabled={!text.trim()}
        data-testid="run-note-add"
      >
        Add note
      </button>
      {error ? <ErrorBanner error={error} title="Could not add the note" /> : null}
    </form>
  );
}

function HistoryCard() {
  const history = useExperiments((s) => s.history);
  const metric = useExperiments((s) => s.metric);
  const querySet = useExperiments((s) => s.querySet);
  const data = dataOf(history);
  const [selected, setSelected] = useState(-1);
  const runs = data?.runs ?? [];
  const metrics = metricsOf(runs);
  const querySets = [...new Set(runs.map(querySetLabelOf))];
  const points = useMemo(() => historyPoints(runs, metric, querySet), [runs, metric, querySet]);
  const newestFirst = [...points].reverse();
  const current = newestFirst[selected] ?? null;

  if (history.state === 'error')
    return (
      <ErrorBanner
        error={history.error}
        title="Could not read the experiment history"
        onRetry={() => void experimentsStore.getState().load()}
      />
    );
  if (!data) return <Loading label="Reading the history…" />;
  return (
    <Card
      title="Metric over time"
      testId="card-history"
      actions={
        <>
          <select
            aria-label="Query set"
            value={querySet ?? ''}
            onChange={(e) => experimentsStore.getState().setQuerySet(e.target.value || null)}
            data-testid="history-queryset"
          >
            <option value="">All query sets</option>
            {querySets.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
          <select
            aria-label="Metric"
            value={metric}
            onChange={(e) => experimentsStore.getState().setMetric(e.target.value)}
            data-testid="history-metric"
          >
            {metrics.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </>
      }
    >
      {data.problems.length ? (
        <p className="qi-warning small">
          {data.problems.length} unreadable record(s) left out, e.g. {data.problems[0]!.message}
        </p>
      ) : null}
      {points.length === 0 ? (
        <EmptyState title="No runs yet" testId="history-empty">
          Run an evaluation on Compare or the auto-tuner on Tune; every run is recorded here.
        </EmptyState>
      ) : (
        <>
          <MetricChart
            testId="history-chart"
            data={points.map((p) => ({
              x: p.x,
              value: p.value,
              condensed: p.condensed,
              upper: p.upper,
              note: p.notes.join(' · '),
              kind: p.kind,
              revision: shortRevision(p.revisionId),
            }))}
            series={[
              { key: 'value', label: metric, colour: '#2f5bd3' },
              ...(points.some((p) => p.condensed !== null)
                ? [
                    {
                      key: 'condensed',
                      label: `${metric} condensed`,
                      colour: '#7c3aed',
                      dashed: true,
                    },
                    {
                      key: 'upper',
                      label: `${metric} upper bound`,
                      colour: '#9ca3af',
                      dashed: true,
                    },
                  ]
                : []),
            ]}
            xLabel="run"
            yLabel={metric}
            describe={(p) =>
              `run ${p.x} · ${String(p.kind)} · ${String(p.revision)}${p.note ? ` — ${String(p.note)}` : ''}`
            }
          />
          <VirtualList
            items={newestFirst}
            rowHeight={40}
            height={Math.min(320, newestFirst.length * 40 + 2)}
            selectedIndex={selected}
            onSelect={setSelected}
            keyOf={(p) => p.runId}
            label="Runs, newest first"
            testId="history-runs"
            renderRow={(p) => (
              <div className="history-row">
                <span className="muted small">{formatDateTime(p.at)}</span>
                <span className={`badge kind-${p.kind}`}>{p.kind}</span>
                <code className="small">{shortRevision(p.revisionId)}</code>
                <span
                  className="history-value"
                  title={
                    p.condensed === null || p.upper === null
                      ? undefined
                      : `condensed ${p.condensed.toFixed(4)} · bounds ${p.value?.toFixed(4) ?? '—'}–${p.upper.toFixed(4)}`
                  }
                  data-testid="history-value"
                >
                  {p.value === null ? '—' : p.value.toFixed(4)}
                  {p.upper === null ? null : (
                    <span className="muted small"> ≤{p.upper.toFixed(3)}</span>
                  )}
                </span>
                <span className="history-notes small" title={p.notes.join('\n')}>
                  {p.notes.join(' · ')}
                </span>
              </div>
            )}
          />
          {current ? (
            <NoteForm point={current} />
          ) : (
            <p className="muted small">Select a run to add a note.</p>
          )}
        </>
      )}
    </Card>
  );
}

function RevisionsCard() {
  const data = dataOf(useExperiments((s) => s.history));
  const a = useExperiments((s) => s.a);
  const b = useExperiments((s) => s.b);
  const revisions = [...(data?.revisions ?? [])].reverse();
  if (!data) return null;
  return (
    <Card title="Revisions" testId="card-revisions">
      {revisions.length === 0 ? (
        <EmptyState title="No saved revisions">
          Save the working config on Tune, or run an evaluation.
        </EmptyState>
      ) : (
        <div className="table-scroll tall">
          <table className="table compact" data-testid="revision-table">
            <thead>
              <tr>
                <th scope="col">A</th>
                <th scope="col">B</th>
                <th scope="col">Revision</th>
                <th scope="col">Parent</th>
                <th scope="col">Saved</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {revisions.map((r) => (
                <tr key={r.id}>
                  <td>
                    <input
                      type="radio"
                      name="rev-a"
                      aria-label={`Diff from ${r.id}`}
                      checked={a === r.id}
                      onChange={() => experimentsStore.getState().pick('a', r.id)}
                      data-testid="diff-a"
                    />
                  </td>
                  <td>
                    <input
                      type="radio"
                      name="rev-b"
                      aria-label={`Diff to ${r.id}`}
                      checked={b === r.id}
                      onChange={() => experimentsStore.getState().pick('b', r.id)}
                      data-testid="diff-b"
                    />
                  </td>
                  <td>
                    <code>{shortRevision(r.id)}</code>
                  </td>
                  <td>
                    {r.parent ? (
                      <code className="muted">{shortRevision(r.parent)}</code>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="muted small">{formatDateTime(r.createdAt)}</td>
                  <td>{r.note || <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export function ExperimentsScreen() {
  useEffect(() => {
    void experimentsStore.getState().load();
  }, []);
  return (
    <div className="experiments-screen" data-testid="experiments-screen">
      <div className="experiments-grid">
        <HistoryCard />
        <RevisionsCard />
      </div>
      <RevisionDiffView />
    </div>
  );
}
