/**
 * Long work (ingest, embedding, evaluation, tuning) is a Job: an id, a status, a progress struct
 * and cancel. Every event of every job goes through one discriminated union, so IPC, SSE and the
 * CLI progress bar consume the same stream.
 */
import { z } from 'zod';

export const JobStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const JobProgressSchema = z.object({
  total: z.number().nullable(),
  done: z.number(),
  failed: z.number(),
  etaSeconds: z.number().nullable(),
  /** Items per second over the recent window. */
  rate: z.number().nullable(),
  stage: z.string().optional(),
  /** Job-specific numbers a screen may chart, e.g. a tuning trial's train and held-out scores. */
  detail: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const LogLevelSchema = z.enum(['info', 'warn', 'error']);
export const FailedItemSchema = z.object({ id: z.string().nullable(), where: z.string(), reason: z.string() });
export type FailedItem = z.infer<typeof FailedItemSchema>;

const jobRef = { jobId: z.string(), kind: z.string() };
export const JobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), ...jobRef, status: JobStatusSchema, message: z.string().optional() }),
  z.object({ type: z.literal('progress'), ...jobRef, progress: JobProgressSchema }),
  z.object({ type: z.literal('log'), ...jobRef, level: LogLevelSchema, message: z.string() }),
  z.object({ type: z.literal('item-failed'), ...jobRef, item: FailedItemSchema }),
]);
export type JobEvent = z.infer<typeof JobEventSchema>;

/** What a client needs to redraw a job it did not watch from the start (jobs.get / jobs.list). */
export const JobSnapshotSchema = z.object({
  id: z.string(),
  kind: z.string(),
  label: z.string(),
  status: JobStatusSchema,
  progress: JobProgressSchema.nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).nullable(),
  /** The job's return value once it succeeded (JSON). */
  result: z.unknown(),
  /** The most recent log lines (capped). */
  log: z.array(z.object({ at: z.string(), level: LogLevelSchema, message: z.string() })),
  /** The most recent failed items (capped); `failedItemsTotal` counts all of them. */
  failedItems: z.array(FailedItemSchema),
  failedItemsTotal: z.number(),
});
export type JobSnapshot = z.infer<typeof JobSnapshotSchema>;

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
