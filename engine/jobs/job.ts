/**
 * Long work (ingest, embedding, evaluation, tuning) is a Job: an id, a status, a progress struct
 * and cancel. Every event of every job goes through one discriminated union, so IPC, SSE and the
 * CLI progress bar consume the same stream.
 */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  total: number | null;
  done: number;
  failed: number;
  etaSeconds: number | null;
  /** Items per second over the recent window. */
  rate: number | null;
  stage?: string;
}

export type JobEvent =
  | { type: 'status'; jobId: string; kind: string; status: JobStatus; message?: string }
  | { type: 'progress'; jobId: string; kind: string; progress: JobProgress }
  | { type: 'log'; jobId: string; kind: string; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'item-failed'; jobId: string; kind: string; item: { id: string | null; where: string; reason: string } };

export type JobListener = (event: JobEvent) => void;

/** Estimates rate and ETA from a sliding window of (time, done) samples. */
export class ProgressMeter {
  private samples: Array<{ t: number; done: number }> = [];
  constructor(private readonly windowMs = 10_000) {}

  update(progress: Omit<JobProgress, 'etaSeconds' | 'rate'>, now = Date.now()): JobProgress {
    this.samples.push({ t: now, done: progress.done });
    while (this.samples.length > 2 && now - this.samples[0]!.t > this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (now - first.t) / 1000;
    const rate = dt > 0 ? (progress.done - first.done) / dt : null;
    const remaining = progress.total === null ? null : Math.max(0, progress.total - progress.done);
    const etaSeconds = remaining === null || !rate ? null : Math.round(remaining / rate);
    return { ...progress, rate, etaSeconds };
  }
}
