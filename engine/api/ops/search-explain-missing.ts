/**
 * `search.explainMissing`: why a product is not in a query's top k under a config — its rank (or
 * the clause that excludes it), its explain against the k-th hit's, and the levers that would
 * bring it in (engine/search/explain-missing.ts). The CLI (`rwb explain-missing`) and the Search
 * and Compare screens call this operation.
 */
import { z } from 'zod';
import { explainMissing } from '../../search/explain-missing.ts';
import {
  ExplainMissingRequestSchema,
  ExplainMissingSchema,
} from '../../search/explain-missing-schema.ts';
import { defineOperation } from '../operation.ts';
import { IndexNameSchema } from './common.ts';
import { ConfigRefSchema, OverridesSchema, resolveConfig } from './config-resolve.ts';
import { ConfigUsedSchema } from './search.ts';
import { missingIndexAsNotFound, sessionOf } from './workbench-session.ts';

export const SearchExplainMissingInputSchema = ExplainMissingRequestSchema.extend({
  index: IndexNameSchema.optional(),
  /** Absent: the session's working config. */
  config: ConfigRefSchema.optional(),
  overrides: OverridesSchema.optional(),
}).strict();

export const SearchExplainMissingOutputSchema = ExplainMissingSchema.extend({
  index: z.string(),
  config: ConfigUsedSchema,
});

export const searchExplainMissing = defineOperation({
  description:
    "Why a product is missing from a query's top k: its rank under the config or the clause that excludes it (filter, text, kNN), its explain against the k-th hit's, and the lever that would bring it in.",
  input: SearchExplainMissingInputSchema,
  output: SearchExplainMissingOutputSchema,
  handler: async (input, ctx, extras) => {
    const { index: requestedIndex, config: ref, overrides, ...request } = input;
    const index = requestedIndex ?? ctx.defaultIndex;
    const resolved = await resolveConfig(ctx, ref, overrides, index);
    const deps = await sessionOf(ctx).searchDependencies(resolved.config, index, extras.signal);
    const diagnosis = await explainMissing(
      ctx.esClient(),
      index,
      request,
      resolved.config,
      deps,
    ).catch((err: unknown) => {
      throw missingIndexAsNotFound(err, index);
    });
    return {
      ...diagnosis,
      index,
      config: { label: resolved.label, revisionId: resolved.revisionId },
    };
  },
});
