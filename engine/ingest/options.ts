import { z } from 'zod';
import { EsConnectionSchema, MysqlConnectionSchema } from '../config/connections.ts';

export const IngestSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mysql'), connection: MysqlConnectionSchema }).strict(),
  z.object({ kind: z.literal('file'), path: z.string().min(1) }).strict(),
]);
export type IngestSource = z.infer<typeof IngestSourceSchema>;

export const IngestOptionsSchema = z
  .object({
    source: IngestSourceSchema,
    /** Only these tenants (all when omitted). */
    tenantIds: z.array(z.string().min(1)).min(1).optional(),
    es: EsConnectionSchema.default({}),
    index: z.string().min(1).default('search_products'),
    /**
     * Re-ingest from scratch without touching other tenants: delete the documents of `tenantIds`
     * (or, without `tenantIds`, of every tenant found in the source) from the shared index, then
     * ingest them again. The index itself and other tenants' documents stay.
     */
    recreate: z.boolean().default(false),
    /** Drop the whole index, every tenant's documents with it, and create it again first. */
    recreateIndex: z.boolean().default(false),
    /** Also index products whose `published` flag is 0 (by default they are left out / removed). */
    includeUnpublished: z.boolean().default(false),
    /** Only SPUs whose update_time is after the last successful sync of the same source/tenants. */
    incremental: z.boolean().default(false),
    /** Documents per bulk request (the seed's default is 500). */
    batchSize: z.number().int().min(1).max(10_000).default(500),
    /** Bulk requests in flight. */
    concurrency: z.number().int().min(1).max(16).default(2),
    /** Per-document retries on 429 (bulk helper). */
    retries: z.number().int().min(0).max(20).default(3),
    /**
     * When ES becomes unreachable mid-ingest: how many times to wait for it and resume from the
     * last checkpoint before failing the job (0 = fail at once with a clear message).
     */
    reconnectAttempts: z.number().int().min(0).max(100).default(0),
    reconnectWaitMs: z.number().int().min(100).max(600_000).default(5_000),
    /** Resume from the checkpoint a failed run of the same source/tenants/index left behind. */
    resume: z.boolean().default(true),
    embedding: z
      .object({
        /** Text model id (engine/embed registry), or null to index without title_embedding. */
        model: z.string().min(1).nullable().default('bge-small-zh-v15-q'),
        executionProvider: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
        threads: z.number().int().min(1).max(64).optional(),
        /** Texts per encoder call. */
        batchSize: z.number().int().min(1).max(1024).default(64),
        /** Directory of the on-disk vector cache (default: RWB_HOME/cache/embeddings). */
        cacheDir: z.string().optional(),
      })
      .strict()
      .default({}),
    /**
     * Image embeddings from a CLIP-style vision tower (ONNX) of your own; null = none.
     * `modelId` names the model in the index metadata, so vectors of two models never mix.
     */
    imageEmbedding: z
      .object({
        visionModelPath: z.string().min(1),
        modelId: z.string().min(1).default('custom-clip'),
        imageSize: z.number().int().min(8).max(1024).optional(),
        executionProvider: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
        maxImagesPerProduct: z.number().int().min(1).max(50).default(5),
        timeoutMs: z.number().int().min(100).max(300_000).default(15_000),
      })
      .strict()
      .nullable()
      .default(null),
    /** Refresh the index at the end so the documents are searchable at once. */
    refresh: z.boolean().default(true),
  })
  .strict();
export type IngestOptions = z.infer<typeof IngestOptionsSchema>;
export type IngestOptionsInput = z.input<typeof IngestOptionsSchema>;
