/**
 * The Export screen's operations over engine/config/bundle.ts:
 *   config.export   — build the versioned bundle of the working config (or a revision) against
 *                     the live index, diff it against the last export, and (unless `preview`)
 *                     write it under RWB_HOME with the `rwb serve` command that loads it;
 *   config.exports  — the bundles exported so far, newest first;
 *   config.import   — re-load a bundle (file path or pasted text): validated, its config becomes
 *                     the working config.
 * Bundles never hold secrets (bundle.ts refuses them on write and on load).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  diffBundles,
  exportBundle,
  loadBundle,
  parseBundleText,
  serializeBundle,
  writeBundle,
  type Bundle,
} from '../../config/bundle.ts';
import { esAuthKind, splitUrlCredentials, type EsConnection } from '../../config/connections.ts';
import { RwbError } from '../../errors.ts';
import { redactUrl } from '../../net/redact.ts';
import type { ApiContext } from '../context.ts';
import { defineOperation, NoInput } from '../operation.ts';
import { describeWorking, WorkingConfigSchema } from './config.ts';
import { workbenchDir, sessionOf } from './workbench-session.ts';

const FormatSchema = z.enum(['json', 'yaml']);

const ChangeSchema = z.object({
  path: z.string(),
  kind: z.enum(['added', 'removed', 'changed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

const ExportInfoSchema = z.object({
  file: z.string(),
  format: FormatSchema,
  createdAt: z.string(),
  bytes: z.number(),
});

export function exportsDir(ctx: ApiContext): string {
  return path.join(workbenchDir(ctx.profile), 'exports');
}

async function listExports(ctx: ApiContext): Promise<Array<z.infer<typeof ExportInfoSchema>>> {
  const dir = exportsDir(ctx);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out = await Promise.all(
    names
      .filter((n) => /^bundle-.*\.(json|yaml)$/.test(n))
      .map(async (name) => {
        const file = path.join(dir, name);
        const info = await stat(file);
        return {
          file,
          format: name.endsWith('.yaml') ? ('yaml' as const) : ('json' as const),
          createdAt: info.mtime.toISOString(),
          bytes: info.size,
        };
      }),
  );
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file));
}

/**
 * The command that serves a bundle (shell-quoted path). It is shown and copied, so it never holds
 * credentials: the URL loses its userinfo, and a connection that authenticates gets a trailing shell
 * comment naming the environment variables `rwb serve` reads them from.
 */
export function serveCommand(
  file: string,
  es: string | Pick<EsConnection, 'url' | 'apiKey' | 'username'>,
): string {
  const conn = typeof es === 'string' ? { url: es } : es;
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  // redactUrl after the split still hides credential query parameters (?api_key=…).
  const esUrl = redactUrl(splitUrlCredentials(conn.url).url);
  const auth = esAuthKind(conn);
  const hint =
    auth === 'apiKey'
      ? '  # credentials: set RWB_ES_API_KEY'
      : auth === 'basic'
        ? '  # credentials: set RWB_ES_USERNAME and RWB_ES_PASSWORD'
        : '';
  return `rwb serve --config ${quote(file)} --es ${quote(esUrl)}${hint}`;
}

export const configExport = defineOperation({
  description:
    'Export the working config (or a revision) as a versioned bundle (config, mapping, search template, model ids), diffed against the last export.',
  input: z
    .object({
      format: FormatSchema.default('json'),
      revisionId: z.string().min(1).max(100).optional(),
      /** Build and diff only; write nothing. */
      preview: z.boolean().default(false),
    })
    .strict()
    .default({}),
  output: z.object({
    bundle: z.record(z.string(), z.unknown()),
    text: z.string(),
    format: FormatSchema,
    file: z.string().nullable(),
    previous: ExportInfoSchema.nullable(),
    changes: z.array(ChangeSchema),
    command: z.string().nullable(),
  }),
  handler: async (input, ctx) => {
    const session = sessionOf(ctx);
    const config = input.revisionId
      ? (await session.experiments.getRevision(input.revisionId)).config
      : (await session.working()).config;
    const url = ctx.esConnection().url;
    const bundle = await exportBundle({
      config,
      index: ctx.defaultIndex,
      client: ctx.esClient(),
      url,
    });
    const [previous] = await listExports(ctx);
    let changes: z.input<typeof ChangeSchema>[] = [];
    if (previous) {
      try {
        changes = diffBundles(await loadBundle(previous.file), bundle);
      } catch {
        // An unreadable old export is no reason to refuse a new one: everything counts as changed.
        changes = [
          { path: '(bundle)', kind: 'changed', before: previous.file, after: 'this export' },
        ];
      }
    }
    const text = serializeBundle(bundle, input.format);
    let file: string | null = null;
    if (!input.preview) {
      const stamp = bundle.createdAt.replace(/[-:]/g, '').replace('.', '-');
      file = path.join(exportsDir(ctx), `bundle-${stamp}.${input.format}`);
      await writeBundle(file, bundle);
    }
    return {
      bundle: bundle as unknown as Record<string, unknown>,
      text,
      format: input.format,
      file,
      previous: previous ?? null,
      changes,
      command: file ? serveCommand(file, ctx.esConnection()) : null,
    };
  },
});

export const configExports = defineOperation({
  description: 'Bundles exported from this workbench profile, newest first.',
  input: NoInput,
  output: z.object({ dir: z.string(), exports: z.array(ExportInfoSchema) }),
  handler: async (_input, ctx) => ({ dir: exportsDir(ctx), exports: await listExports(ctx) }),
});

export const configImport = defineOperation({
  description:
    'Re-load a bundle (a file path or pasted JSON/YAML text): validated, and its config becomes the working config.',
  input: z
    .object({
      file: z.string().min(1).max(4096).optional(),
      text: z
        .string()
        .min(1)
        .max(4 * 1024 * 1024)
        .optional(),
      format: FormatSchema.optional(),
    })
    .strict()
    .refine((i) => (i.file === undefined) !== (i.text === undefined), 'give either file or text'),
  output: z.object({
    index: z.string(),
    createdAt: z.string(),
    bundleIndexDiffers: z.boolean(),
    working: WorkingConfigSchema,
  }),
  handler: async (input, ctx) => {
    let bundle: Bundle;
    if (input.file) bundle = await loadBundle(input.file);
    else {
      const text = input.text!;
      const format = input.format ?? (text.trimStart().startsWith('{') ? 'json' : 'yaml');
      bundle = parseBundleText(text, format, { source: 'the pasted bundle' });
    }
    const session = sessionOf(ctx);
    const config = await session
      .parseConfig(
        bundle.config,
        ctx.defaultIndex,
        `the config of the bundle exported ${bundle.createdAt}`,
      )
      .catch((err: unknown) => {
        throw err instanceof RwbError
          ? new RwbError(
              err.code,
              `${err.message} (the bundle is for index ${bundle.index}; this workbench uses ${ctx.defaultIndex})`,
              err.details,
            )
          : err;
      });
    const working = await session.setWorking(config, (await session.working()).baseRevisionId);
    return {
      index: bundle.index,
      createdAt: bundle.createdAt,
      bundleIndexDiffers: bundle.index !== ctx.defaultIndex,
      working: describeWorking(working),
    };
  },
});
