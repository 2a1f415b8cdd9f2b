/**
 * Judgments and experiments in the contract: stored query sets (list, get, import, export, rate
 * one document) and the experiment history (list, show, diff of revisions).
 */
import { z } from 'zod';
import type { RevisionDiff, ShowResult } from '../../eval/experiments-records.ts';
import { exportJudgments, JUDGMENT_FORMATS } from '../../eval/judgments-io.ts';
import { QuerySetSchema } from '../../eval/judgments.ts';
import {
  importIntoStore,
  loadQuerySetById,
  updateQuerySetById,
  withRating,
} from '../../eval/runner-query-sets.ts';
import { defineOperation, NoInput } from '../operation.ts';
import { QuerySetIdSchema } from './eval.ts';
import { sessionOf } from './workbench-session.ts';

const StoredQuerySetSchema = z.object({
  id: z.string(),
  file: z.string(),
  name: z.string(),
  tenant: z.string().optional(),
  index: z.string().optional(),
  queries: z.number(),
  ratings: z.number(),
  updatedAt: z.string(),
});

const ProblemSchema = z.object({ file: z.string(), message: z.string() });

const JudgmentIssueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  line: z.number().optional(),
  path: z.string().optional(),
});

export const judgmentsList = defineOperation({
  description: 'The stored query sets (id, name, tenant, index, counts).',
  input: NoInput,
  output: z.object({ sets: z.array(StoredQuerySetSchema), problems: z.array(ProblemSchema) }),
  handler: async (_input, ctx) => sessionOf(ctx).querySets.list(),
});

export const judgmentsGet = defineOperation({
  description: 'One stored query set with every query and rating.',
  input: z.object({ querySetId: QuerySetIdSchema }).strict(),
  output: z.object({ info: StoredQuerySetSchema, querySet: QuerySetSchema }),
  handler: async (input, ctx) => loadQuerySetById(sessionOf(ctx).querySets, input.querySetId),
});

export const judgmentsImport = defineOperation({
  description:
    'Import judgments (CSV query,docid,rating · RRE JSON · TREC qrels) as a stored query set (or, with merge, into the stored one of the same name); bad rows are reported with their line, not fatal.',
  input: z
    .object({
      text: z.string().min(1).max(50_000_000),
      format: z.enum(JUDGMENT_FORMATS),
      name: z.string().trim().min(1).max(200),
      tenant: z.string().trim().min(1).max(64).optional(),
      index: z.string().trim().min(1).max(255).optional(),
      overwrite: z.boolean().default(false),
      /** Add to a stored set of the same tenant/index/name instead of refusing or replacing it. */
      merge: z.boolean().default(false),
    })
    .strict(),
  output: z.object({
    info: StoredQuerySetSchema,
    issues: z.array(JudgmentIssueSchema),
    stats: z.object({
      rowsRead: z.number(),
      ratingsKept: z.number(),
      rowsRejected: z.number(),
      duplicates: z.number(),
    }),
  }),
  handler: async (input, ctx) => {
    const result = await importIntoStore(sessionOf(ctx).querySets, input);
    return { ...result, issues: [...result.issues] };
  },
});

export const judgmentsExport = defineOperation({
  description:
    'A stored query set as CSV, RRE JSON or TREC qrels text (with the qid map for TREC).',
  input: z.object({ querySetId: QuerySetIdSchema, format: z.enum(JUDGMENT_FORMATS) }).strict(),
  output: z.object({
    format: z.enum(JUDGMENT_FORMATS),
    /** A file name to offer when saving. */
    fileName: z.string(),
    content: z.string(),
    /** TREC only: the `qid<TAB>query` map that goes with the qrels. */
    queries: z.string().nullable(),
    skipped: z.array(z.object({ query: z.string(), docId: z.string() })),
  }),
  handler: async (input, ctx) => {
    const { querySet, info } = await loadQuerySetById(sessionOf(ctx).querySets, input.querySetId);
    const exported = exportJudgments(querySet, input.format);
    const extension = { csv: 'csv', rre: 'json', trec: 'qrels' }[input.format];
    return {
      format: input.format,
      fileName: `${info.id}.${extension}`,
      content: exported.content,
      queries: exported.queries ?? null,
      skipped: [...exported.skipped],
    };
  },
});

export const judgmentsRate = defineOperation({
  description:
    'Set (or with rating null remove) the rating of one document for one query of a stored query set; a new query is added.',
  input: z
    .object({
      querySetId: QuerySetIdSchema,
      query: z.string().min(1).max(1000),
      docId: z.string().min(1).max(200),
      rating: z.number().int().nullable(),
    })
    .strict(),
  output: z.object({
    info: StoredQuerySetSchema,
    query: z
      .object({
        text: z.string(),
        ratings: z.array(z.object({ docId: z.string(), rating: z.number() })),
      })
      .nullable(),
  }),
  handler: async (input, ctx) => {
    // One transaction per rating (read, change, write under the set's lock): concurrent ratings
    // from this screen, another window or the CLI never overwrite each other.
    const { querySet: next, info } = await updateQuerySetById(
      sessionOf(ctx).querySets,
      input.querySetId,
      (set) => withRating(set, input.query, input.docId, input.rating),
    );
    const query = next.queries.find((q) => q.text === input.query);
    return { info, query: query ? { text: query.text, ratings: query.ratings } : null };
  },
});

export const experimentsList = defineOperation({
  description: 'Recorded config revisions, runs (eval and tune) and snapshots, oldest first.',
  input: z
    .object({
      /** Query set name or tenant/index/name label. */
      querySet: z.string().min(1).max(400).optional(),
      revisionId: z.string().min(1).max(100).optional(),
    })
    .strict()
    .default({}),
  output: z.object({
    revisions: z.array(z.record(z.string(), z.unknown())),
    runs: z.array(z.record(z.string(), z.unknown())),
    snapshots: z.array(z.record(z.string(), z.unknown())),
    problems: z.array(ProblemSchema),
  }),
  handler: async (input, ctx) => {
    const listed = await sessionOf(ctx).experiments.list({
      ...(input.querySet !== undefined && { querySet: input.querySet }),
      ...(input.revisionId !== undefined && { revisionId: input.revisionId }),
    });
    return listed as unknown as {
      revisions: Array<Record<string, unknown>>;
      runs: Array<Record<string, unknown>>;
      snapshots: Array<Record<string, unknown>>;
      problems: Array<{ file: string; message: string }>;
    };
  },
});

export const experimentsShow = defineOperation({
  description:
    'One record by id or unique prefix: a revision (with children, runs, snapshots), a run (with its per-query results or tune report) or a snapshot.',
  input: z.object({ id: z.string().min(1).max(100) }).strict(),
  output: z.custom<ShowResult>((v) => typeof v === 'object' && v !== null && 'type' in v),
  handler: async (input, ctx) => sessionOf(ctx).experiments.show(input.id),
});

export const experimentsDiff = defineOperation({
  description:
    'Diff of two revisions: config changes by path plus the metric diff (and per-query comparison) of their latest eval runs on a shared query set.',
  input: z
    .object({
      a: z.string().min(1).max(100),
      b: z.string().min(1).max(100),
      querySet: z.string().min(1).max(400).optional(),
      metric: z.string().min(1).max(40).optional(),
    })
    .strict(),
  output: z.custom<RevisionDiff>(
    (v) => typeof v === 'object' && v !== null && 'configChanges' in v,
  ),
  handler: async (input, ctx) =>
    sessionOf(ctx).experiments.diffRevisions(input.a, input.b, {
      ...(input.querySet !== undefined && { querySet: input.querySet }),
      ...(input.metric !== undefined && { compare: { metric: input.metric } }),
    }),
});
