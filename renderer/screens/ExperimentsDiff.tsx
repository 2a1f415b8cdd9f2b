/** The diff of the two revisions picked on Experiments: config changes and metric changes. */
import { Card } from '../components/Card.tsx';
import { EmptyState, ErrorBanner, Loading } from '../components/StateViews.tsx';
import { dataOf } from '../state/async.ts';
import { shortRevision } from '../state/config.ts';
import { useExperiments } from '../state/stores.ts';

function short(value: unknown): string {
  if (value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export function RevisionDiffView() {
  const diff = useExperiments((s) => s.diff);
  const a = useExperiments((s) => s.a);
  const b = useExperiments((s) => s.b);
  const data = dataOf(diff);
  return (
    <Card
      title={a && b ? `Diff ${shortRevision(a)} → ${shortRevision(b)}` : 'Diff of two revisions'}
      testId="card-diff"
    >
      {diff.state === 'error' ? (
        <ErrorBanner error={diff.error} title="Could not diff the revisions" />
      ) : null}
      {diff.state === 'idle' ? (
        <EmptyState title="Pick revisions A and B in the table above" />
      ) : null}
      {diff.state === 'loading' ? <Loading label="Comparing…" /> : null}
      {data ? (
        <div className="diff-grid">
          <section aria-label="Config changes">
            <h3 className="subhead">
              Config ({data.configChanges.length} change{data.configChanges.length === 1 ? '' : 's'}
              )
            </h3>
            {data.configChanges.length === 0 ? (
              <p className="muted">Identical configs.</p>
            ) : (
              <div className="table-scroll tall">
                <table className="table compact" data-testid="diff-config">
                  <thead>
                    <tr>
                      <th scope="col">Path</th>
                      <th scope="col">A</th>
                      <th scope="col">B</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.configChanges.map((c) => (
                      <tr key={c.path}>
                        <td>
                          <code>{c.path}</code>
                        </td>
                        <td className="down">{short(c.before)}</td>
                        <td className="up">{short(c.after)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-label="Metric changes">
            <h3 className="subhead">Metrics</h3>
            {data.metrics ? (
              <>
                <p className="muted small">
                  Latest runs on {data.metrics.querySet}
                  {data.comparison
                    ? ` · ${data.comparison.wins} wins, ${data.comparison.losses} losses, ${data.comparison.ties} ties on ${data.comparison.metric}${data.comparison.significance ? ` · p = ${data.comparison.significance.pValue.toFixed(3)}` : ''}`
                    : ''}
                </p>
                <table className="table compact" data-testid="diff-metrics">
                  <thead>
                    <tr>
                      <th scope="col">Metric</th>
                      <th scope="col" className="num">
                        A
                      </th>
                      <th scope="col" className="num">
                        B
                      </th>
                      <th scope="col" className="num">
                        Δ
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.metrics.changes
                      .filter((m) => !m.metric.startsWith('unrated'))
                      .map((m) => (
                        <tr key={m.metric}>
                          <td>{m.metric}</td>
                          <td className="num">{m.a?.toFixed(4) ?? '—'}</td>
                          <td className="num">{m.b?.toFixed(4) ?? '—'}</td>
                          <td
                            className={`num ${m.delta === null ? '' : m.delta > 0 ? 'up' : m.delta < 0 ? 'down' : ''}`}
                          >
                            {m.delta === null
                              ? '—'
                              : `${m.delta >= 0 ? '+' : ''}${m.delta.toFixed(4)}`}
                          </td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </>
            ) : (
              <p className="muted">
                No query set has eval runs of both revisions; run an evaluation of both on Compare.
              </p>
            )}
          </section>
        </div>
      ) : null}
    </Card>
  );
}
