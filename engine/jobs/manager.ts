/**
 * Runs jobs, keeps a snapshot of each (status, last progress, recent log, failed items) and fans
 * their events out on one stream. IPC, SSE and the CLI subscribe to that one stream; a client that
 * connects late asks for the snapshot instead of replaying events.
 */
import { randomUUID } from 'node:crypto';
import { isAbortError, toRwbError } from '../errors.ts';
import type { JobEvent, JobListener, JobSnapshot, JobStatus } from './job.ts';

export type { JobSnapshot } from './job.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as a job body reports it; the manager stamps jobId and kind. */
export type JobEventBody = DistributiveOmit<JobEvent, 'jobId' | 'kind'>;

/** Handed to a running job body. */
export interface JobHandle {
  readonly id: string;
  readonly kind: string;
  readonly signal: AbortSignal;
  emit(event: JobEventBody): void;
  /** For engine functions that already emit full JobEvents (e.g. runIngest's onEvent). */
  forward(event: JobEvent): void;
}

export type JobBody<R> = (job: JobHandle) => Promise<R>;

export interface JobManagerOptions {
  /** Finished jobs kept for jobs.list / jobs.get. */
  keepFinished?: number;
  logLimit?: number;
  failedItemLimit?: number;
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

export class JobManager {
  private readonly jobs = new Map<string, { snapshot: JobSnapshot; controller: AbortController; done: Promise<void> }>();
  private readonly listeners = new Set<JobListener>();
  private readonly keepFinished: number;
  private readonly logLimit: number;
  private readonly failedItemLimit: number;

  constructor(options: JobManagerOptions = {}) {
    this.keepFinished = options.keepFinished ?? 50;
    this.logLimit = options.logLimit ?? 200;
    this.failedItemLimit = options.failedItemLimit ?? 500;
  }

  /** Starts `body` without awaiting it; returns the job's first snapshot at once. */
  start<R>(kind: string, body: JobBody<R>, options: { label?: string } = {}): JobSnapshot {
    const id = randomUUID();
    const controller = new AbortController();
    const snapshot: JobSnapshot = {
      id,
      kind,
      label: options.label ?? kind,
      status: 'queued',
      progress: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
      result: null,
      log: [],
      failedItems: [],
      failedItemsTotal: 0,
    };
    const handle: JobHandle = {
      id,
      kind,
      signal: controller.signal,
      emit: (event) => this.record({ ...event, jobId: id, kind } as JobEvent),
      // A body's own idea of its id/kind must not split one job into two streams.
      forward: (event) => this.record({ ...event, jobId: id, kind }),
    };
    const done = this.runBody(handle, body);
    this.jobs.set(id, { snapshot, controller, done });
    this.record({ type: 'status', jobId: id, kind, status: 'queued' });
    this.prune();
    return structuredClone(snapshot);
  }

  get(id: string): JobSnapshot | null {
    const entry = this.jobs.get(id);
    return entry ? structuredClone(entry.snapshot) : null;
  }

  /** Newest first. */
  list(): JobSnapshot[] {
    return [...this.jobs.values()].map((e) => structuredClone(e.snapshot)).reverse();
  }

  /** Asks a job to stop. Returns false when there is no such job or it has already finished. */
  cancel(id: string): boolean {
    const entry = this.jobs.get(id);
    if (!entry || isTerminalStatus(entry.snapshot.status)) return false;
    entry.controller.abort();
    return true;
  }

  /** Resolves once the job has reached a terminal status (for tests and shutdown). */
  async settled(id: string): Promise<JobSnapshot | null> {
    const entry = this.jobs.get(id);
    if (!entry) return null;
    await entry.done;
    return structuredClone(entry.snapshot);
  }

  /** Cancels every running job and waits for all of them (app shutdown). */
  async shutdown(): Promise<void> {
    for (const entry of this.jobs.values()) entry.controller.abort();
    await Promise.all([...this.jobs.values()].map((e) => e.done));
  }

  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private async runBody<R>(handle: JobHandle, body: JobBody<R>): Promise<void> {
    // Let start() return the snapshot before the body reports anything.
    await Promise.resolve();
    handle.emit({ type: 'status', status: 'running' });
    try {
      const result = await body(handle);
      const entry = this.jobs.get(handle.id);
      if (entry) entry.snapshot.result = result === undefined ? null : result;
      if (handle.signal.aborted) handle.emit({ type: 'status', status: 'cancelled', message: 'Cancelled' });
      else handle.emit({ type: 'status', status: 'succeeded' });
    } catch (err) {
      if (handle.signal.aborted || isAbortError(err)) {
        handle.emit({ type: 'status', status: 'cancelled', message: 'Cancelled' });
        return;
      }
      const error = toRwbError(err);
      const entry = this.jobs.get(handle.id);
      if (entry) entry.snapshot.error = error.toJSON();
      handle.emit({ type: 'status', status: 'failed', message: error.message });
    }
  }

  private record(event: JobEvent): void {
    const entry = this.jobs.get(event.jobId);
    if (entry) {
      const snap = entry.snapshot;
      // A job reports its own terminal status only once; later events must not reopen it.
      if (isTerminalStatus(snap.status) && event.type === 'status') return;
      this.applyToSnapshot(snap, event);
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed SSE stream) must not stop the others or the job.
      }
    }
  }

  private applyToSnapshot(snap: JobSnapshot, event: JobEvent): void {
    const now = new Date().toISOString();
    switch (event.type) {
      case 'status':
        snap.status = event.status;
        if (isTerminalStatus(event.status)) snap.finishedAt = now;
        if (event.message) pushCapped(snap.log, { at: now, level: event.status === 'failed' ? 'error' : 'info', message: event.message }, this.logLimit);
        return;
      case 'progress':
        snap.progress = event.progress;
        return;
      case 'log':
        pushCapped(snap.log, { at: now, level: event.level, message: event.message }, this.logLimit);
        return;
      case 'item-failed':
        snap.failedItemsTotal += 1;
        pushCapped(snap.failedItems, event.item, this.failedItemLimit);
        return;
    }
  }

  private prune(): void {
    const finished = [...this.jobs.entries()].filter(([, e]) => isTerminalStatus(e.snapshot.status));
    for (const [id] of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) this.jobs.delete(id);
  }
}

function pushCapped<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}
