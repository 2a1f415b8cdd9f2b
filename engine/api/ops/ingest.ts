/**
 * `ingest.start`: runs engine/ingest's runIngest as a job. The ES connection comes from the app
 * (never from the request), so a screen cannot point an ingest at a cluster the user did not pick.
 */
import { z } from 'zod';
import { IngestOptionsSchema } from '../../ingest/options.ts';
import type { IngestReport } from '../../ingest/report.ts';
import { defineJob } from '../operation.ts';
import { IndexNameSchema } from './common.ts';

export const IngestStartInputSchema = IngestOptionsSchema.omit({ es: true, index: true }).extend({
  index: IndexNameSchema.optional(),
});

export const ingestStart = defineJob({
  description: 'Ingest products from MySQL or a file into the index (job: progress, failed rows, cancel).',
  jobKind: 'ingest',
  input: IngestStartInputSchema,
  result: z.custom<IngestReport>((v) => typeof v === 'object' && v !== null),
  label: (input) =>
    `Ingest from ${input.source.kind}${input.tenantIds ? ` (tenants ${input.tenantIds.join(', ')})` : ''}` +
    // Visible in the job list: which runs removed documents before indexing.
    (input.recreateIndex ? ', dropping the index first' : input.recreate ? ', re-creating the tenants' : ''),
  run: async (input, ctx, job) => {
    // Loaded on first use: the pipeline pulls in the ONNX runtime and the source drivers.
    const { runIngest } = await import('../../ingest/pipeline.ts');
    return runIngest(
      { ...input, index: input.index ?? ctx.defaultIndex, es: ctx.esConnection() },
      { jobId: job.id, onEvent: job.forward, signal: job.signal },
    );
  },
});
