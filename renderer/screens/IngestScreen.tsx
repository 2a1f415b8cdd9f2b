import { useEffect } from 'react';
import { Card } from '../components/Card.tsx';
import { JobProgressBar, JobStatusBadge } from '../components/JobProgress.tsx';
import { EmptyState, ErrorBanner } from '../components/StateViews.tsx';
import { formatCount, formatTime } from '../format.ts';
import { ingestStore, statusStore, useIngest } from '../state/stores.ts';
import { IngestForm } from './IngestForm.tsx';

function CurrentJob() {
  const job = useIngest((s) => s.job);
  useEffect(() => {
    // A finished ingest changes doc counts and tenants: refresh what other screens show.
    if (job?.status === 'succeeded') void statusStore.getState().loadIndex();
  }, [job?.status]);
  if (!job) return <EmptyState title="No ingest has run in this session" testId="ingest-no-job" />;
  const running = job.status === 'running' || job.status === 'queued';
  return (
    <div className="job" data-testid="ingest-job" data-job-id={job.id}>
      <div className="job-header">
        <div>
          <strong>{job.label}</strong>
          <span className="muted"> · started {formatTime(job.startedAt)}</span>
          {job.finishedAt ? (
            <span className="muted"> · ended {formatTime(job.finishedAt)}</span>
          ) : null}
        </div>
        <div className="job-actions">
          <JobStatusBadge status={job.status} />
          {running ? (
            <button
              type="button"
              className="button danger"
              onClick={() => void ingestStore.getState().cancel()}
              data-testid="ingest-cancel"
            >
              Cancel
            </button>
          ) : null}
        </div>
      </div>
      <JobProgressBar job={job} />
      {job.error ? (
        <ErrorBanner error={job.error} title="The ingest failed" testId="ingest-error" />
      ) : null}
      <div className="grid two">
        <section aria-label="Log">
          <h3 className="subhead">Log</h3>
          {job.log.length === 0 ? (
            <p className="muted">No messages yet.</p>
          ) : (
            <ol className="log" data-testid="ingest-log">
              {job.log.slice(-60).map((line, i) => (
                <li key={`${line.at}-${i}`} className={`log-${line.level}`}>
                  <time>{formatTime(line.at)}</time> {line.message}
                </li>
              ))}
            </ol>
          )}
        </section>
        <section aria-label="Failed rows">
          <h3 className="subhead">
            Failed rows <span className="muted">({formatCount(job.failedItemsTotal)})</span>
          </h3>
          {job.failedItems.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="failed-rows">
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col">Where</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {job.failedItems.slice(-200).map((item, i) => (
                    <tr key={`${item.id ?? ''}-${i}`}>
                      <td>{item.id ?? '—'}</td>
                      <td>
                        <code>{item.where}</code>
                      </td>
                      <td>{item.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}

/** Asks before an ingest drops an index, naming every tenant and how many documents it loses. */
function DropConfirmation() {
  const pending = useIngest((s) => s.pendingDrop);
  if (!pending) return null;
  return (
    <div
      className="note"
      role="alertdialog"
      aria-label="Confirm dropping the index"
      data-testid="ingest-drop-confirm"
    >
      <p>
        Dropping index <code>{pending.index}</code> deletes {formatCount(pending.docCount)}{' '}
        documents of {pending.tenants.length} tenant{pending.tenants.length === 1 ? '' : 's'}
        {pending.tenantsTruncated ? ' (and more not listed)' : ''}:
      </p>
      <ul data-testid="ingest-drop-tenants">
        {pending.tenants.map((t) => (
          <li key={t.tenantId}>
            tenant <code>{t.tenantId}</code>: {formatCount(t.docCount)} documents
          </li>
        ))}
      </ul>
      <div className="form-row">
        <button
          type="button"
          className="button danger"
          onClick={() => void ingestStore.getState().confirmDrop()}
          data-testid="ingest-drop-confirm-yes"
        >
          Drop the index and ingest
        </button>
        <button
          type="button"
          className="button"
          onClick={() => ingestStore.getState().dismissDrop()}
          data-testid="ingest-drop-confirm-no"
        >
          Keep it
        </button>
      </div>
    </div>
  );
}

export function IngestScreen() {
  const starting = useIngest((s) => s.starting);
  const startError = useIngest((s) => s.startError);
  const running = useIngest((s) => s.job?.status === 'running' || s.job?.status === 'queued');
  return (
    <div className="stack" data-testid="ingest-screen">
      <Card title="New ingest" testId="card-ingest-form">
        <IngestForm
          busy={starting || running}
          onStart={(request) => void ingestStore.getState().start(request)}
        />
        <DropConfirmation />
        {startError ? (
          <ErrorBanner
            error={startError}
            title="Could not start the ingest"
            testId="ingest-start-error"
          />
        ) : null}
      </Card>
      <Card title="Current job" testId="card-ingest-job">
        <CurrentJob />
      </Card>
    </div>
  );
}
