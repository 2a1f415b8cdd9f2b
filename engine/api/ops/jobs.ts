import { z } from 'zod';
import { RwbError } from '../../errors.ts';
import { JobSnapshotSchema } from '../../jobs/job.ts';
import { defineOperation, NoInput } from '../operation.ts';

const JobIdInput = z.object({ jobId: z.string().min(1) }).strict();

export const jobsList = defineOperation({
  description: 'Running and recently finished jobs, newest first.',
  input: NoInput,
  output: z.object({ jobs: z.array(JobSnapshotSchema) }),
  handler: async (_input, ctx) => ({ jobs: ctx.jobs.list() }),
});

export const jobsGet = defineOperation({
  description: 'One job: status, last progress, recent log, failed items, result or error.',
  input: JobIdInput,
  output: JobSnapshotSchema,
  handler: async (input, ctx) => {
    const job = ctx.jobs.get(input.jobId);
    if (!job) throw new RwbError('NOT_FOUND', `No job with id ${input.jobId} (finished jobs are kept only while the app runs)`);
    return job;
  },
});

export const jobsCancel = defineOperation({
  description: 'Ask a running job to stop; it reports status "cancelled" once it has.',
  input: JobIdInput,
  output: z.object({ cancelled: z.boolean(), status: z.string() }),
  handler: async (input, ctx) => {
    const job = ctx.jobs.get(input.jobId);
    if (!job) throw new RwbError('NOT_FOUND', `No job with id ${input.jobId}`);
    const cancelled = ctx.jobs.cancel(input.jobId);
    return { cancelled, status: job.status };
  },
});
