/**
 * The shape of one contract operation. A plain operation answers with its output; a job operation
 * answers `{jobId}` at once and reports progress as JobEvents on the one job-event channel.
 */
import { z } from 'zod';
import type { ApiContext } from './context.ts';
import type { JobHandle } from '../jobs/manager.ts';

export const JobStartedSchema = z.object({ jobId: z.string(), kind: z.string() }).strict();
export type JobStarted = z.infer<typeof JobStartedSchema>;

/** Per-call extras a transport may pass: `signal` aborts when the caller stopped waiting. */
export interface CallExtras {
  signal?: AbortSignal;
}

export interface CallOperation<I extends z.ZodTypeAny, O extends z.ZodTypeAny> {
  kind: 'call';
  description: string;
  input: I;
  output: O;
  handler: (input: z.output<I>, ctx: ApiContext, extras: CallExtras) => Promise<z.input<O>>;
}

export interface JobOperation<I extends z.ZodTypeAny, R extends z.ZodTypeAny> {
  kind: 'job';
  description: string;
  input: I;
  output: typeof JobStartedSchema;
  /** The shape of the job's result (jobs.get → result) once it succeeded. */
  result: R;
  /** The job's kind as it appears in JobEvents (e.g. 'ingest'). */
  jobKind: string;
  /** A short human label for job lists, from the validated input. */
  label?: (input: z.output<I>) => string;
  run: (input: z.output<I>, ctx: ApiContext, job: JobHandle) => Promise<z.input<R>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table holds operations of every input/output type
export type AnyOperation = CallOperation<any, any> | JobOperation<any, any>;

export function defineOperation<I extends z.ZodTypeAny, O extends z.ZodTypeAny>(
  op: Omit<CallOperation<I, O>, 'kind'>,
): CallOperation<I, O> {
  return { kind: 'call', ...op };
}

export function defineJob<I extends z.ZodTypeAny, R extends z.ZodTypeAny>(
  op: Omit<JobOperation<I, R>, 'kind' | 'output'>,
): JobOperation<I, R> {
  return { kind: 'job', output: JobStartedSchema, ...op };
}

/** Input schema for operations that take nothing. */
export const NoInput = z.object({}).strict().default({});
