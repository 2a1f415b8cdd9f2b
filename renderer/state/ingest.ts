/**
 * The ingest screen: start a job, follow its events, cancel it. The snapshot from jobs.get is the
 * truth; events update it in place between snapshots, so a reload or a missed event heals itself.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OpInput } from '../../engine/api/index.ts';
import type { JobEvent, JobSnapshot } from '../../engine/jobs/job.ts';
import type { ApiClient } from '../api/client.ts';
import { toApiError, type ApiError } from '../api/errors.ts';

export type IngestRequest = OpInput<'ingest.start'>;

const LOG_LIMIT = 200;
const FAILED_LIMIT = 500;

export interface IngestState {
  /** The job on screen (the one started here, or the latest ingest found on load). */
  job: JobSnapshot | null;
  starting: boolean;
  startError: ApiError | null;
  recent: JobSnapshot[];
  /** Finds running/recent ingest jobs (after a reload) and starts following events. */
  init(): Promise<void>;
  start(request: IngestRequest): Promise<void>;
  cancel(): Promise<void>;
  /** Stops following events. */
  dispose(): void;
}

export function applyJobEvent(job: JobSnapshot, event: JobEvent): JobSnapshot {
  if (event.jobId !== job.id) return job;
  const at = new Date().toISOString();
  switch (event.type) {
    case 'status': {
      const terminal =
        event.status === 'succeeded' || event.status === 'failed' || event.status === 'cancelled';
      const log = event.message
        ? [
            ...job.log,
            {
              at,
              level: event.status === 'failed' ? ('error' as const) : ('info' as const),
              message: event.message,
            },
          ]
        : job.log;
      return {
        ...job,
        status: event.status,
        finishedAt: terminal ? (job.finishedAt ?? at) : job.finishedAt,
        log: log.slice(-LOG_LIMIT),
      };
    }
    case 'progress':
      return { ...job, progress: event.progress };
    case 'log':
      return {
        ...job,
        log: [...job.log, { at, level: event.level, message: event.message }].slice(-LOG_LIMIT),
      };
    case 'item-failed':
      return {
        ...job,
        failedItems: [...job.failedItems, event.item].slice(-FAILED_LIMIT),
        failedItemsTotal: job.failedItemsTotal + 1,
      };
  }
}

export function createIngestStore(client: ApiClient): StoreApi<IngestState> {
  let unsubscribe: (() => void) | null = null;

  return createStore<IngestState>((set, get) => {
    const follow = () => {
      unsubscribe ??= client.onJobEvent((event) => {
        const { job } = get();
        if (!job || event.jobId !== job.id) return;
        const next = applyJobEvent(job, event);
        set({ job: next });
        // The final snapshot carries the result or the error the events do not.
        if (event.type === 'status' && next.finishedAt) void refreshJob(job.id);
      });
    };
    const refreshJob = async (jobId: string) => {
      try {
        const snapshot = await client.call('jobs.get', { jobId });
        if (get().job?.id === jobId) set({ job: snapshot });
        const { jobs } = await client.call('jobs.list');
        set({ recent: jobs.filter((j) => j.kind === 'ingest') });
      } catch {
        // The events already showed the outcome; a failed refresh only loses the final details.
      }
    };

    return {
      job: null,
      starting: false,
      startError: null,
      recent: [],

      async init() {
        follow();
        try {
          const { jobs } = await client.call('jobs.list');
          const ingests = jobs.filter((j) => j.kind === 'ingest');
          set({ recent: ingests, job: get().job ?? ingests[0] ?? null });
        } catch (err) {
          set({ startError: toApiError(err) });
        }
      },

      async start(request) {
        follow();
        set({ starting: true, startError: null });
        try {
          const { jobId } = await client.call('ingest.start', request);
          const snapshot = await client.call('jobs.get', { jobId });
          set({ job: snapshot, starting: false });
        } catch (err) {
          set({ starting: false, startError: toApiError(err) });
        }
      },

      async cancel() {
        const { job } = get();
        if (!job) return;
        try {
          await client.call('jobs.cancel', { jobId: job.id });
        } catch (err) {
          set({ startError: toApiError(err) });
        }
      },

      dispose() {
        unsubscribe?.();
        unsubscribe = null;
      },
    };
  });
}
