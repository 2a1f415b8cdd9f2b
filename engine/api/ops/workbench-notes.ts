/**
 * `experiments.annotate`: a note on a recorded run, shown on the Experiments screen's metric
 * history ("switched title boost to 4 after the merchant's complaint"). Runs only ever gain notes.
 */
import { z } from 'zod';
import { defineOperation } from '../operation.ts';
import { sessionOf } from './workbench-session.ts';

export const experimentsAnnotate = defineOperation({
  description: 'Add a note to a recorded run (shown on the metric history).',
  input: z
    .object({
      runId: z.string().min(1).max(100),
      text: z.string().trim().min(1, 'write a note').max(2000),
    })
    .strict(),
  output: z.object({
    runId: z.string(),
    annotations: z.array(z.object({ at: z.string(), text: z.string() })),
  }),
  handler: async (input, ctx) => {
    const run = await sessionOf(ctx).experiments.annotate(input.runId, input.text);
    return { runId: run.id, annotations: run.annotations };
  },
});
