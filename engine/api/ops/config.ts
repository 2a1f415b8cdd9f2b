/**
 * The working SearchConfig of the session and its saved revisions:
 *   config.get   — the working config, its base revision, whether it changed, its sliders;
 *   config.set   — replace it (inline config, a saved revision, slider overrides, or the default);
 *   config.list  — saved revisions (the experiment store's content-addressed revisions);
 *   config.save  — freeze the working config as a new revision with a note.
 */
import { z } from 'zod';
import { defaultSearchConfig } from '../../config/search-config.ts';
import { revisionIdOf } from '../../eval/experiments.ts';
import type { ApiContext } from '../context.ts';
import { defineOperation, NoInput } from '../operation.ts';
import { IndexNameSchema } from './common.ts';
import {
  applyOverrides,
  ConfigChoiceSchema,
  OverridesSchema,
  resolveConfig,
  tunablesOf,
} from './config-resolve.ts';
import { sessionOf, type WorkingConfig } from './workbench-session.ts';

export const TunableSchema = z.object({
  path: z.string(),
  label: z.string(),
  group: z.string(),
  kind: z.enum(['number', 'boolean', 'choice']),
  value: z.union([z.number(), z.boolean(), z.string()]),
  min: z.number(),
  max: z.number(),
  step: z.number(),
  /** The values a `choice` may take. */
  options: z.array(z.string()).optional(),
});

export const WorkingConfigSchema = z.object({
  /** The SearchConfig (see engine/config/search-config-schema.ts). */
  config: z.record(z.string(), z.unknown()),
  /** Content id of the working config as it is now. */
  revisionId: z.string(),
  baseRevisionId: z.string().nullable(),
  /** The working config differs from its base revision (or was never saved). */
  dirty: z.boolean(),
  updatedAt: z.string(),
  tunables: z.array(TunableSchema),
});
type WorkingConfigOutput = z.input<typeof WorkingConfigSchema>;

export function describeWorking(working: WorkingConfig): WorkingConfigOutput {
  const revisionId = revisionIdOf(working.config);
  return {
    config: working.config as unknown as Record<string, unknown>,
    revisionId,
    baseRevisionId: working.baseRevisionId,
    dirty: working.baseRevisionId !== revisionId,
    updatedAt: working.updatedAt,
    tunables: tunablesOf(working.config),
  };
}

const indexOf = (ctx: ApiContext, index: string | undefined) => index ?? ctx.defaultIndex;

export const configGet = defineOperation({
  description:
    'The working SearchConfig of this session, its base revision, whether it changed, and its boost/weight sliders.',
  input: NoInput,
  output: WorkingConfigSchema,
  handler: async (_input, ctx) => describeWorking(await sessionOf(ctx).working()),
});

export const configSet = defineOperation({
  description:
    'Replace the working config: with an inline config, a saved revision, slider overrides on top of it, or the built-in default.',
  input: z
    .object({
      config: z.record(z.string(), z.unknown()).optional(),
      revisionId: z.string().min(1).max(100).optional(),
      overrides: OverridesSchema.optional(),
      reset: z.literal(true).optional(),
      /** Index whose fields the config is checked against (default: the app's index). */
      index: IndexNameSchema.optional(),
    })
    .strict()
    .refine(
      (i) =>
        [i.config, i.revisionId, i.overrides, i.reset].filter((v) => v !== undefined).length === 1,
      'give exactly one of config, revisionId, overrides, reset',
    ),
  output: WorkingConfigSchema,
  handler: async (input, ctx) => {
    const session = sessionOf(ctx);
    const index = indexOf(ctx, input.index);
    // The index fields are fetched before the transaction, so the lock is never held on ES.
    await session.fields(index);
    // One transaction: overrides apply on top of the latest working config, so two slider moves
    // sent at once (or one from another window) both stay.
    const next = await session.updateWorking(async (current) => {
      if (input.reset) return { config: defaultSearchConfig(), baseRevisionId: null };
      if (input.revisionId) {
        const revision = await session.experiments.getRevision(input.revisionId);
        const config = await session.parseConfig(revision.config, index, `revision ${revision.id}`);
        return { config, baseRevisionId: revision.id };
      }
      const changed = input.config ?? applyOverrides(current.config, input.overrides ?? {});
      const config = await session.parseConfig(
        changed,
        index,
        input.config ? 'the config sent by the screen' : 'the config with slider overrides',
      );
      return { config, baseRevisionId: current.baseRevisionId };
    });
    return describeWorking(next);
  },
});

const RevisionInfoSchema = z.object({
  id: z.string(),
  parent: z.string().nullable(),
  note: z.string(),
  createdAt: z.string(),
  name: z.string().nullable(),
});

export const configList = defineOperation({
  description:
    'Saved config revisions, newest first, and which one the working config is based on.',
  input: NoInput,
  output: z.object({
    revisions: z.array(RevisionInfoSchema),
    baseRevisionId: z.string().nullable(),
    workingRevisionId: z.string(),
    problems: z.array(z.object({ file: z.string(), message: z.string() })),
  }),
  handler: async (_input, ctx) => {
    const session = sessionOf(ctx);
    const working = await session.working();
    const listed = await session.experiments.list();
    const revisions = await Promise.all(
      [...listed.revisions].reverse().map(async (r) => {
        const full = await session.experiments.getRevision(r.id).catch(() => null);
        const name = full && typeof full.config.name === 'string' ? full.config.name : null;
        return { id: r.id, parent: r.parent, note: r.note, createdAt: r.createdAt, name };
      }),
    );
    return {
      revisions,
      baseRevisionId: working.baseRevisionId,
      workingRevisionId: revisionIdOf(working.config),
      problems: listed.problems,
    };
  },
});

export const configSave = defineOperation({
  description:
    'Save the working config as a new revision (content-addressed; saving an unchanged config returns the existing one).',
  input: z
    .object({ note: z.string().max(2000).default('') })
    .strict()
    .default({}),
  output: z.object({
    revision: RevisionInfoSchema,
    created: z.boolean(),
    working: WorkingConfigSchema,
  }),
  handler: async (input, ctx) => {
    const session = sessionOf(ctx);
    const out: { saved?: Awaited<ReturnType<typeof session.experiments.createRevision>> } = {};
    // The revision is the working config as it is inside the transaction, not as it was before.
    const next = await session.updateWorking(async (current) => {
      const saved = await session.experiments.createRevision(current.config, {
        parent: current.baseRevisionId,
        note: input.note,
      });
      out.saved = saved;
      return { config: current.config, baseRevisionId: saved.revision.id };
    });
    const { revision, created } = out.saved!;
    return {
      revision: {
        id: revision.id,
        parent: revision.parent,
        note: revision.note,
        createdAt: revision.createdAt,
        name: next.config.name,
      },
      created,
      working: describeWorking(next),
    };
  },
});

export const configResolve = defineOperation({
  description:
    'The effective SearchConfig of a choice (working, a revision or inline, plus slider overrides), validated, with its content id.',
  input: z.object({ choice: ConfigChoiceSchema, index: IndexNameSchema.optional() }).strict(),
  output: z.object({
    config: z.record(z.string(), z.unknown()),
    revisionId: z.string(),
    label: z.string(),
  }),
  handler: async (input, ctx) => {
    const { overrides, ...ref } = input.choice;
    const resolved = await resolveConfig(ctx, ref, overrides, indexOf(ctx, input.index));
    return {
      config: resolved.config as unknown as Record<string, unknown>,
      revisionId: resolved.revisionId,
      label: resolved.label,
    };
  },
});
