/**
 * The ingest job: source rows → SPU transformer → text embeddings (batched, cached) → bulk indexer
 * → `search_products`. Every stage streams. Bad rows are reported per row and skipped; documents
 * ES rejects are reported with ES's reason; nothing is dropped silently. Progress goes out as
 * JobEvents `{total, done, failed, etaSeconds}`; an AbortSignal cancels. A run that dies (ES gone,
 * Ctrl-C) leaves a checkpoint; the next run of the same source/tenants/index resumes from it.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { RwbError, isAbortError, toRwbError } from '../errors.ts';
import type { RowError } from '../catalog/types.ts';
import { describeMissingColumns, type SourceColumnsReport } from '../catalog/source-columns.ts';
import { ProgressMeter, type JobEvent } from '../jobs/job.ts';
import { createEsClient, assertEsReachable } from '../es/client.ts';
import { ensureIndex } from '../es/index.ts';
import { IngestOptionsSchema, type IngestOptions, type IngestOptionsInput } from './options.ts';
import { CheckpointStore, PrefixTracker, checkpointKey, type Checkpoint } from './checkpoint.ts';
import { readWatermark, writeWatermark } from './watermark.ts';
import { openIngestSource, type IngestSourceHandle } from './sources.ts';
import { openDocumentEmbedder, type DocumentEmbedder } from './embedding-stage.ts';
import { openImageEmbedder, type ImageEmbedder } from './image-stage.ts';
import { FailureLog } from './failure-log.ts';
import { suspendRefresh } from './refresh.ts';
import { indexOneStream, isConnectionError, type PassCounters } from './bulk-pass.ts';
import type { IngestReport, RecreateSummary } from './report.ts';
import { clearTenantsForRecreate, describeRecreate, tenantsBeforeDrop } from './recreate.ts';

export interface IngestHooks {
  jobId?: string;
  onEvent?: (event: JobEvent) => void;
  signal?: AbortSignal;
  /** Where checkpoints are kept (tests use a temp dir). */
  checkpoints?: CheckpointStore;
  /** Directory for the failures NDJSON file (default: RWB_HOME/state/ingest-failures). */
  failuresDir?: string;
}

const KIND = 'ingest';

export async function runIngest(input: IngestOptionsInput, hooks: IngestHooks = {}): Promise<IngestReport> {
  const parsed = IngestOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new RwbError('INVALID_INPUT', `Invalid ingest options: ${first.path.join('.') || '(root)'}: ${first.message}`, {
      issues: parsed.error.issues,
    });
  }
  const opts = parsed.data;
  const jobId = hooks.jobId ?? randomUUID();
  const emit = (e: JobEvent) => hooks.onEvent?.(e);
  const log = (level: 'info' | 'warn' | 'error', message: string) => emit({ type: 'log', jobId, kind: KIND, level, message });
  const started = Date.now();
  emit({ type: 'status', jobId, kind: KIND, status: 'running' });

  const client = createEsClient(opts.es);
  let embedder: DocumentEmbedder | null = null;
  let imageEmbedder: ImageEmbedder | null = null;
  const failures = new FailureLog(jobId, hooks.failuresDir);
  let restoreRefresh: (() => Promise<void>) | null = null;
  try {
    await assertEsReachable(client, opts.es.url);
    if (opts.embedding.model) {
      embedder = await openDocumentEmbedder(opts.embedding);
      log('info', `Text embeddings: ${embedder.modelId} (${embedder.dims}-d) on ${embedder.executionProvider.toUpperCase()}`);
    } else {
      log('info', 'Text embeddings disabled: documents are indexed without title_embedding');
    }
    if (opts.imageEmbedding) {
      imageEmbedder = await openImageEmbedder(opts.imageEmbedding);
      log('info', `Image embeddings: ${imageEmbedder.modelId} (${imageEmbedder.dims}-d) on ${imageEmbedder.executionProvider.toUpperCase()}`);
    }
    let recreated: RecreateSummary | null = await tenantsBeforeDrop(client, opts);
    const ensured = await ensureIndex(client, {
      index: opts.index,
      textDims: embedder?.dims ?? null,
      textModel: embedder?.modelId ?? null,
      imageDims: imageEmbedder?.dims ?? null,
      imageModel: imageEmbedder?.modelId ?? null,
      // Only an explicit --recreate-index drops the shared index; --recreate is per tenant.
      recreate: opts.recreateIndex,
    });
    if (opts.recreate && !opts.recreateIndex && !ensured.created) recreated = await clearTenantsForRecreate(client, opts);
    if (recreated) log('info', describeRecreate(opts.index, recreated));
    const fromScratch = opts.recreate || opts.recreateIndex;
    restoreRefresh = await suspendRefresh(client, opts.index);

    const sourceKey = describeSourceKey(opts);
    const since = opts.incremental && !fromScratch ? await readWatermark(client, opts.index, sourceKey, opts.tenantIds) : null;
    if (opts.incremental && !fromScratch) {
      log('info', since ? `Incremental: products updated after ${since.toISOString()}` : 'Incremental: no previous sync, doing a full run');
    }
    const key = checkpointKey({ es: opts.es.url, index: opts.index, sourceKey, tenants: opts.tenantIds ?? null, since: since?.toISOString() ?? null });
    const store = hooks.checkpoints ?? new CheckpointStore();
    if (fromScratch || !opts.resume) await store.clear(key);

    const counters: PassCounters = { indexed: 0, deleted: 0, failed: 0, warnings: 0, unpublished: 0, maxUpdateTime: null };
    let reconnects = 0;
    let total = 0;
    let resumedFrom = 0;
    let sourceColumns: SourceColumnsReport | null | undefined;
    for (;;) {
      const checkpoint = await store.load(key);
      const onWarning = (e: RowError) => {
        counters.warnings += 1;
        failures.add(e, 'warning');
        emit({ type: 'log', jobId, kind: KIND, level: 'warn', message: `${e.where}: ${e.reason}` });
      };
      const source = await openIngestSource(opts, since, onWarning);
      try {
        if (sourceColumns === undefined) {
          // Once per run: which optional columns the MySQL tables lack (seed tables have none of them).
          sourceColumns = (await source.columnReport?.()) ?? null;
          if (sourceColumns?.missing.length) {
            const empty = sourceColumns.emptyFields.join(', ') || 'none';
            log('warn', `The source tables lack ${sourceColumns.missing.length} optional columns; index fields left empty for every product: ${empty}`);
            for (const line of describeMissingColumns(sourceColumns)) log('info', line);
          }
        }
        total = await source.count();
        if (reconnects === 0) resumedFrom = checkpoint?.finished ?? 0;
        if (checkpoint && reconnects === 0) log('info', `Resuming after ${checkpoint.finished} finished products (checkpoint of an earlier run)`);
        await runPass({ opts, client, source, embedder, imageEmbedder, checkpoint, key, store, counters, total, since, jobId, emit, failures, onWarning, signal: hooks.signal });
        break;
      } catch (err) {
        if (!isConnectionError(err) || reconnects >= opts.reconnectAttempts || hooks.signal?.aborted) throw err;
        reconnects += 1;
        log('warn', `Elasticsearch unreachable (${(err as Error).message}); waiting to resume, attempt ${reconnects}/${opts.reconnectAttempts}`);
        await waitForEs(client, opts.reconnectWaitMs, opts.reconnectAttempts, hooks.signal);
      } finally {
        await source.close();
      }
    }

    await store.clear(key);
    await restoreRefresh();
    restoreRefresh = null;
    if (opts.refresh) await client.indices.refresh({ index: opts.index });
    const watermark = counters.maxUpdateTime ?? since ?? null;
    if (watermark) await writeWatermark(client, opts.index, sourceKey, opts.tenantIds, watermark);

    const durationMs = Date.now() - started;
    const report: IngestReport = {
      jobId,
      index: opts.index,
      source: sourceKey,
      tenantIds: opts.tenantIds ?? null,
      incremental: opts.incremental,
      since: since?.toISOString() ?? null,
      total,
      resumedFrom,
      indexed: counters.indexed,
      deleted: counters.deleted,
      unpublished: counters.unpublished,
      recreated,
      failed: counters.failed,
      warnings: counters.warnings,
      failures: failures.firstFailures(),
      failuresFile: await failures.close(),
      sourceColumns: sourceColumns ?? null,
      embedding: embedder
        ? { model: embedder.modelId, dims: embedder.dims, executionProvider: embedder.executionProvider, computed: embedder.stats().computed, cached: embedder.stats().cached }
        : null,
      images: imageEmbedder ? { model: imageEmbedder.modelId, dims: imageEmbedder.dims, ...imageEmbedder.stats() } : null,
      reconnects,
      durationMs,
      docsPerSecond: durationMs > 0 ? ((counters.indexed + counters.deleted) * 1000) / durationMs : 0,
    };
    emit({ type: 'status', jobId, kind: KIND, status: 'succeeded', message: summaryLine(report) });
    return report;
  } catch (err) {
    await failures.close();
    if (hooks.signal?.aborted || isAbortError(err)) {
      emit({ type: 'status', jobId, kind: KIND, status: 'cancelled', message: 'Cancelled; re-run to resume from the checkpoint' });
      throw new RwbError('CANCELLED', 'Ingest cancelled; re-run the same command to resume where it stopped');
    }
    const e = isConnectionError(err)
      ? new RwbError(
          'ES_UNREACHABLE',
          `Elasticsearch at ${opts.es.url} became unreachable during ingest (${(err as Error).message}). ` +
            'Documents indexed so far are kept; re-run the same command to resume from the checkpoint.',
          undefined,
          { cause: err },
        )
      : toRwbError(err);
    emit({ type: 'status', jobId, kind: KIND, status: 'failed', message: e.message });
    throw e;
  } finally {
    // A failed run still puts refresh back when ES is there to hear it (else the next run does).
    await restoreRefresh?.().catch(() => undefined);
    await embedder?.close();
    await imageEmbedder?.close();
    await client.close();
  }
}

interface PassContext {
  opts: IngestOptions;
  client: Client;
  source: IngestSourceHandle;
  embedder: DocumentEmbedder | null;
  imageEmbedder: ImageEmbedder | null;
  checkpoint: Checkpoint | null;
  key: string;
  store: CheckpointStore;
  counters: PassCounters;
  total: number;
  since: Date | null;
  jobId: string;
  emit: (e: JobEvent) => void;
  failures: FailureLog;
  onWarning: (e: RowError) => void;
  signal?: AbortSignal;
}

async function runPass(ctx: PassContext): Promise<void> {
  const { opts, counters, jobId, emit } = ctx;
  const skip = ctx.checkpoint?.finished ?? 0;
  const tracker = new PrefixTracker(skip, ctx.checkpoint?.lastId ?? null);
  const meter = new ProgressMeter();
  let lastEmit = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastEmit < 250) return;
    lastEmit = now;
    const done = tracker.finished;
    emit({ type: 'progress', jobId, kind: KIND, progress: meter.update({ total: ctx.total, done, failed: counters.failed, stage: 'indexing' }, now) });
  };
  let lastSave = Date.now();
  const saveCheckpoint = async (force = false) => {
    if (!force && Date.now() - lastSave < 2000) return;
    lastSave = Date.now();
    await ctx.store.save({ key: ctx.key, finished: tracker.finished, lastId: tracker.lastId, since: ctx.since?.toISOString() ?? null, updatedAt: new Date().toISOString() });
  };

  try {
    await indexOneStream({
      client: ctx.client,
      index: opts.index,
      products: ctx.source.products(),
      skip,
      expectedIdAtSkip: ctx.checkpoint?.lastId ?? null,
      embedder: ctx.embedder,
      imageEmbedder: ctx.imageEmbedder,
      embedBatchSize: opts.embedding.batchSize,
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      retries: opts.retries,
      includeUnpublished: opts.includeUnpublished,
      tracker,
      counters,
      signal: ctx.signal,
      onWarning: ctx.onWarning,
      onFailure: (e: RowError) => {
        ctx.failures.add(e, 'failure');
        emit({ type: 'item-failed', jobId, kind: KIND, item: { id: e.spu_id, where: e.where, reason: e.reason } });
      },
      onProgress: () => {
        report();
        void saveCheckpoint();
      },
    });
  } catch (err) {
    // Whatever finished beyond the checkpoint is redone by the retry: do not count it twice.
    const ahead = tracker.aheadOutcomes();
    counters.indexed -= ahead.indexed;
    counters.deleted -= ahead.deleted;
    counters.failed -= ahead.failed;
    throw err;
  } finally {
    await saveCheckpoint(true);
    report(true);
  }
}

async function waitForEs(client: Client, waitMs: number, attempts: number, signal?: AbortSignal): Promise<void> {
  for (let i = 0; i < Math.max(1, attempts) * 4; i++) {
    await new Promise((r) => setTimeout(r, waitMs));
    if (signal?.aborted) return;
    try {
      await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
      return;
    } catch {
      // still down; keep waiting
    }
  }
}

export function describeSourceKey(opts: IngestOptions): string {
  if (opts.source.kind === 'mysql') {
    const c = opts.source.connection;
    return `mysql://${c.host}:${c.port}/${c.database}`;
  }
  return `file://${opts.source.path}`;
}

export function summaryLine(r: IngestReport): string {
  const parts = [`${r.indexed} indexed`];
  if (r.deleted) parts.push(`${r.deleted} deleted${r.unpublished ? ` (${r.unpublished} unpublished)` : ''}`);
  parts.push(`${r.failed} failed`);
  if (r.warnings) parts.push(`${r.warnings} warnings`);
  if (r.resumedFrom) parts.push(`resumed after ${r.resumedFrom}`);
  return `${parts.join(', ')} in ${(r.durationMs / 1000).toFixed(1)}s (${r.docsPerSecond.toFixed(1)} docs/s)`;
}
