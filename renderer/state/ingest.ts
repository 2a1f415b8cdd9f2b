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

/** An ingest that would drop a whole index, held until the user confirms what it deletes. */
export interface PendingDrop {
  request: IngestRequest;
  /** The index as the engine resolved it (the default one when the form left it empty). */
  index: string;
  docCount: number;
  /** Read from the index (terms aggregation) right before asking. */
  tenants: Array<{ tenantId: string; docCount: number }>;
  tenantsTruncated: boolean;
}

const LOG_LIMIT = 200;
const FAILED_LIMIT = 500;

export interface IngestState {
  /** The job on screen (the one started here, or the latest ingest found on load). */
  job: JobSnapshot | null;
  starting: boolean;
  startError: ApiError | null;
  recent: JobSnapshot[];
  /** Set while a `recreateIndex` request waits for the user to confirm the loss it names. */
  pendingDrop: PendingDrop | null;
  /** Finds running/recent ingest jobs (after a reload) and starts following events. */
  init(): Promise<void>;
  /** Starts the job; with `recreateIndex` on an index holding documents, asks first (pendingDrop). */
  start(request: IngestRequest): Promise<void>;
  /** Goes ahead with the pending drop. */
  confirmDrop(): Promise<void>;
  dismissDrop(): void;
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

    const launch = async (request: IngestRequest) => {
      follow();
      set({ starting: true, startError: null });
      try {
        const { jobId } = await client.call('ingest.start', request);
        const snapshot = await client.call('jobs.get', { jobId });
        set({ job: snapshot, starting: false });
      } catch (err) {
        set({ starting: false, startError: toApiError(err) });
      }
    };

    return {
      job: null,
      starting: false,
      startError: null,
      recent: [],
      pendingDrop: null,

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
        if (request.recreateIndex) {
          // Every tenant in the index goes with it: name them and their counts before going on.
          set({ starting: true, startError: null, pendingDrop: null });
          try {
            const info = await client.call(
              'index.info',
              request.index ? { index: request.index } : {},
            );
            if (info.exists && info.docCount > 0) {
              set({
                starting: false,
                pendingDrop: {
                  request,
                  index: info.index,
                  docCount: info.docCount,
                  tenants: info.tenants,
                  tenantsTruncated: info.tenantsTruncated,
                },
              });
              return;
            }
          } catch (err) {
            set({ starting: false, startError: toApiError(err) });
            return;
          }
        }
        await launch(request);
      },

      async confirmDrop() {
        const pending = get().pendingDrop;
        if (!pending) return;
        set({ pendingDrop: null });
        await launch(pending.request);
      },

      dismissDrop() {
        set({ pendingDrop: null });
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
