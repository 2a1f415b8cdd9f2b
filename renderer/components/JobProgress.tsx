import type { JobSnapshot } from '../../engine/jobs/job.ts';
import { formatCount, formatDuration, formatRate } from '../format.ts';

const STATUS_LABEL: Record<JobSnapshot['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function JobStatusBadge({ status }: { status: JobSnapshot['status'] }) {
  return (
    <span className={`badge job-${status}`} data-testid="job-status" data-status={status}>
      {STATUS_LABEL[status]}
    </span>
  );
}

export function JobProgressBar({ job }: { job: JobSnapshot }) {
  const p = job.progress;
  const total = p?.total ?? null;
  const done = p?.done ?? 0;
  const percent =
    total && total > 0
      ? Math.min(100, (done / total) * 100)
      : job.status === 'succeeded'
        ? 100
        : null;
  return (
    <div className="job-progress" data-testid="job-progress">
      <div
        className={`progress ${percent === null && job.status === 'running' ? 'indeterminate' : ''}`}
        role="progressbar"
        aria-label={`${job.label} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent === null ? undefined : Math.round(percent)}
      >
        <div
          className={`progress-fill job-${job.status}`}
          style={{ width: `${percent ?? (job.status === 'running' ? 30 : 0)}%` }}
        />
      </div>
      <dl className="job-stats">
        <div>
          <dt>Done</dt>
          <dd data-testid="job-done">
            {formatCount(done)} / {total === null ? '?' : formatCount(total)}
            {percent !== null ? ` (${percent.toFixed(0)}%)` : ''}
          </dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd data-testid="job-rate">{formatRate(p?.rate)}</dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd data-testid="job-eta">
            {job.status === 'running' ? formatDuration(p?.etaSeconds) : '—'}
          </dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd data-testid="job-failed" className={job.failedItemsTotal > 0 ? 'warn' : ''}>
            {formatCount(Math.max(p?.failed ?? 0, job.failedItemsTotal))}
          </dd>
        </div>
        {p?.stage && job.status === 'running' ? (
          <div>
            <dt>Stage</dt>
            <dd>{p.stage}</dd>
          </div>
        ) : null}
      </dl>
    </div>
  );
}
