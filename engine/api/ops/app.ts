/**
 * The Connections screen's own operations: the embedded local ES node (start as a job, stop),
 * the models in use with their execution provider, and the secrets store (which secrets are set
 * and where from — never their values).
 */
import { z } from 'zod';
import { RwbError } from '../../errors.ts';
import type { RuntimeProgress } from '../../es/runtime.ts';
import { defineJob, defineOperation, NoInput } from '../operation.ts';
import { SECRET_INFO, SECRET_NAMES } from './app-secrets.ts';
import { sessionOf } from './workbench-session.ts';

const SecretNameSchema = z.enum(SECRET_NAMES);

const SecretsStatusSchema = z.object({
  store: z.enum(['env', 'safeStorage']),
  writable: z.boolean(),
  /** Why secrets cannot be stored (desktop without OS encryption, Linux basic_text), or null. */
  unavailableReason: z.string().nullable(),
  entries: z.array(
    z.object({
      name: SecretNameSchema,
      label: z.string(),
      envVar: z.string(),
      set: z.boolean(),
      origin: z.enum(['env', 'stored']).nullable(),
    }),
  ),
});

function secretsStatus(ctx: Parameters<typeof sessionOf>[0]): z.input<typeof SecretsStatusSchema> {
  const source = sessionOf(ctx).secrets();
  return {
    store: source.kind,
    writable: source.writable,
    unavailableReason: source.unavailableReason,
    entries: SECRET_NAMES.map((name) => ({
      name,
      ...SECRET_INFO[name],
      set: source.origin(name) !== null,
      origin: source.origin(name),
    })),
  };
}

export const secretsStatusOp = defineOperation({
  description:
    'Which secrets (ES/MySQL passwords, API keys, DeepL key) are set and where they come from; never their values.',
  input: NoInput,
  output: SecretsStatusSchema,
  handler: async (_input, ctx) => secretsStatus(ctx),
});

export const secretsSetOp = defineOperation({
  description:
    'Store a secret in the OS-encrypted store of the desktop app (browser mode: refused, use the environment).',
  input: z
    .object({ name: SecretNameSchema, value: z.string().min(1, 'enter a value').max(4096) })
    .strict(),
  output: SecretsStatusSchema,
  handler: async (input, ctx) => {
    const session = sessionOf(ctx);
    await session.secrets().set(input.name, input.value);
    // Re-installing the source drops translators built with the old key.
    session.setSecretSource(session.secrets());
    return secretsStatus(ctx);
  },
});

export const secretsClearOp = defineOperation({
  description: 'Remove a stored secret (desktop app).',
  input: z.object({ name: SecretNameSchema }).strict(),
  output: SecretsStatusSchema,
  handler: async (input, ctx) => {
    const session = sessionOf(ctx);
    await session.secrets().clear(input.name);
    session.setSecretSource(session.secrets());
    return secretsStatus(ctx);
  },
});

const LocalNodeResultSchema = z.object({
  url: z.string(),
  version: z.string().nullable(),
  alreadyRunning: z.boolean(),
});

export const esLocalStartOp = defineJob({
  description:
    'Start the embedded local Elasticsearch node of this profile (job: runtime download, start, health).',
  jobKind: 'es-node',
  input: z
    .object({
      port: z.number().int().min(1024).max(65535).optional(),
      heap: z
        .string()
        .regex(/^\d+[mg]$/, 'heap is a size such as "512m" or "2g"')
        .optional(),
    })
    .strict()
    .default({}),
  result: LocalNodeResultSchema,
  label: () => 'Start local Elasticsearch',
  run: async (input, ctx, job) => {
    const { startLocalNode } = await import('../../es/local-node.ts');
    let lastLine = '';
    const result = await startLocalNode({
      profile: ctx.profile,
      ...(input.port !== undefined ? { port: input.port } : {}),
      ...(input.heap !== undefined ? { heap: input.heap } : {}),
      onNote: (note) => job.emit({ type: 'log', level: 'info', message: note }),
      onProgress: (p) => {
        // Downloads report often; only phase changes and whole megabytes are worth a log line.
        const line = describeProgress(p);
        if (line !== lastLine) job.emit({ type: 'log', level: 'info', message: line });
        lastLine = line;
      },
    });
    return { url: result.url, version: result.version, alreadyRunning: result.alreadyRunning };
  },
});

function describeProgress(p: RuntimeProgress): string {
  switch (p.phase) {
    case 'download':
      return `Downloading the Elasticsearch runtime: ${Math.floor(p.receivedBytes / 1e6)} MB${p.totalBytes ? ` of ${Math.floor(p.totalBytes / 1e6)} MB` : ''}`;
    case 'extract':
      return `Extracting the runtime: ${Math.floor((p.done / Math.max(1, p.total)) * 10) * 10}%`;
    case 'ready':
      return `Runtime ready in ${p.home}`;
  }
}

export const esLocalStopOp = defineOperation({
  description: 'Stop the embedded local Elasticsearch node of this profile.',
  input: NoInput,
  output: z.object({ wasRunning: z.boolean(), forced: z.boolean() }),
  handler: async (_input, ctx) => {
    const { stopLocalNode } = await import('../../es/local-node.ts');
    const result = await stopLocalNode({ profile: ctx.profile });
    return { wasRunning: result.wasRunning, forced: result.forced };
  },
});

const ModelSchema = z.object({
  id: z.string(),
  description: z.string(),
  dims: z.number(),
  language: z.string(),
  installed: z.boolean(),
  /** What uses it: the working config's query embedding, the index's document vectors. */
  usedBy: z.array(z.string()),
});

export const modelsStatusOp = defineOperation({
  description:
    'Embedding models: installed, which ones the working config and the index use, and the execution provider.',
  input: NoInput,
  output: z.object({
    models: z.array(ModelSchema),
    queryEmbedding: z.object({ enabled: z.boolean(), model: z.string() }),
    imageEmbedding: z.object({ enabled: z.boolean(), model: z.string() }),
    executionProvider: z.object({ provider: z.enum(['cpu', 'cuda']), reason: z.string() }),
  }),
  handler: async (_input, ctx) => {
    const { listModels } = await import('../../embed/registry.ts');
    const { planExecutionProvider, probeCudaSupport } =
      await import('../../embed/execution-provider.ts');
    const { config } = await sessionOf(ctx).working();
    const indexModel = await readIndexTextModel(ctx);
    const plan = planExecutionProvider('auto', probeCudaSupport());
    const models = (await listModels()).map((m) => ({
      id: m.id,
      description: m.description,
      dims: m.dims,
      language: m.language,
      installed: m.installed,
      usedBy: [
        ...(config.query.textEmbedding.enabled && config.query.textEmbedding.model === m.id
          ? ['query embedding (working config)']
          : []),
        ...(indexModel === m.id ? [`document vectors (${ctx.defaultIndex})`] : []),
      ],
    }));
    return {
      models,
      queryEmbedding: {
        enabled: config.query.textEmbedding.enabled,
        model: config.query.textEmbedding.model,
      },
      imageEmbedding: {
        enabled: config.query.imageKnn.enabled,
        model: config.query.imageKnn.model,
      },
      executionProvider: plan.tryCuda
        ? {
            provider: 'cuda' as const,
            reason: 'CUDA provider present; used when the session starts',
          }
        : { provider: 'cpu' as const, reason: plan.cpuReason ?? 'CPU' },
    };
  },
});

async function readIndexTextModel(ctx: Parameters<typeof sessionOf>[0]): Promise<string | null> {
  try {
    const answer = await ctx
      .esClient()
      .indices.getMapping({ index: ctx.defaultIndex }, { maxRetries: 0 });
    const meta = Object.values(answer)[0]?.mappings?._meta as { text_model?: unknown } | undefined;
    return typeof meta?.text_model === 'string' ? meta.text_model : null;
  } catch (err) {
    if (err instanceof RwbError) throw err;
    // No index or no cluster: nothing uses a model for documents yet.
    return null;
  }
}
