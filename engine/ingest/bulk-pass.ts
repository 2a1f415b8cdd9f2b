/**
 * One pass over the source stream into the client's bulk helper. Products are numbered in source
 * order; each finishes (indexed, deleted, or failed for good) out of order, and the PrefixTracker
 * turns that into a resumable checkpoint. Transformation and embedding of the next batch overlap
 * with the bulk requests of the previous one.
 */
import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import { RwbError } from '../errors.ts';
import { docId, type ProductDoc, type RowError, type SourceProduct } from '../catalog/types.ts';
import { transformSpu } from './spu-transformer.ts';
import type { DocumentEmbedder } from './embedding-stage.ts';
import type { ImageEmbedder } from './image-stage.ts';
import type { ItemOutcome, PrefixTracker } from './checkpoint.ts';

export interface PassCounters {
  indexed: number;
  deleted: number;
  failed: number;
  warnings: number;
  /** Of `deleted`: products removed (or kept out) because they are unpublished. */
  unpublished: number;
  /** Newest update_time among the products finished in this run (the next incremental bound). */
  maxUpdateTime: Date | null;
}

export interface StreamOptions {
  client: Client;
  index: string;
  products: AsyncIterable<SourceProduct>;
  /** Leading products already finished by an earlier run. */
  skip: number;
  expectedIdAtSkip: string | null;
  embedder: DocumentEmbedder | null;
  imageEmbedder: ImageEmbedder | null;
  embedBatchSize: number;
  batchSize: number;
  concurrency: number;
  retries: number;
  /** Index products whose `published` flag is off too (default: they are removed like deleted ones). */
  includeUnpublished: boolean;
  tracker: PrefixTracker;
  counters: PassCounters;
  signal?: AbortSignal;
  onFailure: (e: RowError) => void;
  /** A non-fatal problem in a product that was still indexed (e.g. one bad SKU dropped). */
  onWarning: (e: RowError) => void;
  onProgress: () => void;
}

interface Prepared {
  seq: number;
  id: string;
  op: 'index' | 'delete';
  doc: ProductDoc | { deleted: true };
  updateTime: Date | null;
  /** A delete because the product is unpublished (not because it is deleted). */
  unpublished?: boolean;
}

const CONNECTION_ERRORS = ['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError'];

export function isConnectionError(err: unknown): boolean {
  if (err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || err instanceof errors.NoLivingConnectionsError) return true;
  return err instanceof Error && CONNECTION_ERRORS.includes(err.name);
}

export async function indexOneStream(o: StreamOptions): Promise<void> {
  const meta = new WeakMap<object, Prepared>();
  const seqById = new Map<string, Prepared>();

  const finish = (p: Prepared, outcome: ItemOutcome) => {
    seqById.delete(p.id);
    if (outcome === 'deleted' && p.unpublished) o.counters.unpublished += 1;
    o.tracker.finish(p.seq, p.id, outcome);
    if (p.updateTime && (!o.counters.maxUpdateTime || p.updateTime > o.counters.maxUpdateTime)) o.counters.maxUpdateTime = p.updateTime;
    o.onProgress();
  };

  const prepared = prepareStream(o, (seq, id, errs) => {
    o.counters.failed += 1;
    for (const e of errs) o.onFailure(e);
    o.tracker.finish(seq, id, 'failed');
    o.onProgress();
  });

  // The bulk helper flushes by bytes, not by documents: measure the first documents and turn
  // --batch-size (documents per request) into the matching byte budget.
  const iterator = prepared[Symbol.asyncIterator]();
  const head: Prepared[] = [];
  while (head.length < Math.min(o.batchSize, 200)) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
  }
  const flushBytes = bytesPerBatch(head, o.batchSize);

  async function* documents(): AsyncGenerator<object> {
    const track = (p: Prepared) => {
      meta.set(p.doc, p);
      seqById.set(p.id, p);
      return p.doc;
    };
    for (const p of head) yield track(p);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (o.signal?.aborted) return;
      yield track(next.value);
    }
  }

  // Successes are read from the bulk responses themselves rather than through the helper's
  // onSuccess, which would parse every document (vectors included) back from JSON first.
  function onBulkResponse(err: unknown, result: { body?: unknown; meta?: { request?: { params?: { path?: string } } } } | null): void {
    if (err || !result?.meta?.request?.params?.path?.endsWith('/_bulk')) return;
    const items = (result.body as { items?: Array<Record<string, { _id?: string; status?: number }>> } | undefined)?.items ?? [];
    for (const item of items) {
      const r = item.index ?? item.delete ?? item.create ?? item.update;
      const p = r?._id ? seqById.get(r._id) : undefined;
      // A delete of a document that is not there (404) did what it meant to: the product is absent.
      // ES reports it without an error, so the helper never hands it to onDrop.
      const absent = p?.op === 'delete' && r?.status === 404;
      if (!p || r?.status === undefined || (r.status >= 400 && !absent)) continue; // failures and 429 retries: onDrop
      if (p.op === 'delete') o.counters.deleted += 1;
      else o.counters.indexed += 1;
      finish(p, p.op === 'delete' ? 'deleted' : 'indexed');
    }
  }

  const helper = o.client.helpers.bulk<object>({
    datasource: documents(),
    flushBytes,
    flushInterval: 2000,
    concurrency: o.concurrency,
    retries: o.retries,
    wait: 1000,
    refreshOnCompletion: false,
    onDocument(doc) {
      const p = meta.get(doc)!;
      return p.op === 'delete' ? { delete: { _index: o.index, _id: p.id } } : { index: { _index: o.index, _id: p.id } };
    },
    onDrop(drop) {
      const action = drop.operation as unknown as Record<string, { _id?: string }>;
      const id = Object.values(action)[0]?._id ?? null;
      const p = id ? seqById.get(id) : undefined;
      const alreadyAbsent = 'delete' in action && drop.status === 404; // the delete's intent holds
      if (alreadyAbsent && !p) return; // already finished from the bulk response
      if (alreadyAbsent) {
        o.counters.deleted += 1;
      } else {
        o.counters.failed += 1;
        const [tenant, spu] = splitId(id);
        const reason = drop.error ? `${drop.error.type}: ${drop.error.reason ?? ''}`.trim() : `HTTP ${drop.status} after retries`;
        o.onFailure({ tenant_id: tenant, spu_id: spu, where: `elasticsearch[_id=${id}]`, reason });
      }
      if (p) finish(p, alreadyAbsent ? 'deleted' : 'failed');
    },
  });

  const abort = () => helper.abort();
  o.signal?.addEventListener('abort', abort, { once: true });
  o.client.diagnostic.on('response', onBulkResponse);
  try {
    await helper;
  } finally {
    o.client.diagnostic.off('response', onBulkResponse);
    o.signal?.removeEventListener('abort', abort);
  }
  if (o.signal?.aborted) throw new RwbError('CANCELLED', 'Ingest cancelled');
}

/** Mean serialized size of the sample (action line included) × documents per request. */
export function bytesPerBatch(sample: Array<{ doc: object }>, batchSize: number): number {
  if (sample.length === 0) return 5_000_000;
  const total = sample.reduce((n, p) => n + Buffer.byteLength(JSON.stringify(p.doc)) + 80, 0);
  // The helper flushes once the buffer reaches flushBytes, i.e. after the document that crosses it.
  return Math.max(1, Math.round((total / sample.length) * (batchSize - 0.5)));
}

/**
 * Numbers products, skips the finished prefix, and transforms + embeds them in batches. The
 * embedding stage is the bottleneck, so it runs ahead of the bulk requests on its own (two batches
 * in flight, a bounded buffer of prepared documents) instead of waiting for the bulk helper to ask:
 * while ES indexes one request, the encoder is already working on the next ones.
 */
async function* prepareStream(o: StreamOptions, onRejected: (seq: number, id: string, errors: RowError[]) => void): AsyncGenerator<Prepared> {
  const ready: Prepared[][] = [];
  let readyDocs = 0;
  let finished = false;
  let stopped = false;
  let failure: unknown = null;
  // Who is waiting for whom (set inside promises, so kept in an object rather than narrowed locals).
  const waiting: { consumer: (() => void) | null; producer: (() => void) | null } = { consumer: null, producer: null };
  const maxBuffered = Math.max(o.batchSize * 2, o.embedBatchSize * 4);
  const wake = (who: 'consumer' | 'producer') => {
    const resolve = waiting[who];
    waiting[who] = null;
    resolve?.();
  };

  const producer = (async () => {
    const inFlight: Array<Promise<Prepared[]>> = [];
    const deliver = async () => {
      const items = await inFlight.shift()!;
      ready.push(items);
      readyDocs += items.length;
      wake('consumer');
      while (readyDocs >= maxBuffered && !stopped) await new Promise<void>((resolve) => (waiting.producer = resolve));
    };
    const start = (items: Array<{ seq: number; product: SourceProduct }>) => {
      const p = prepareBatch(items, o, onRejected);
      p.catch(() => undefined); // awaited in deliver(); no unhandled rejection while it waits its turn
      inFlight.push(p);
    };
    let seq = 0;
    let batch: Array<{ seq: number; product: SourceProduct }> = [];
    try {
      for await (const product of o.products) {
        if (stopped || o.signal?.aborted) return;
        seq += 1;
        if (seq <= o.skip) {
          if (seq === o.skip && o.expectedIdAtSkip && docId(product.spu.tenant_id, product.spu.id) !== o.expectedIdAtSkip) {
            throw new RwbError(
              'INVALID_INPUT',
              `The source changed since the interrupted run (product #${seq} is ${docId(product.spu.tenant_id, product.spu.id)}, ` +
                `the checkpoint expected ${o.expectedIdAtSkip}). Run again with --no-resume to start over.`,
            );
          }
          continue;
        }
        batch.push({ seq, product });
        if (batch.length >= o.embedBatchSize) {
          start(batch);
          batch = [];
          if (inFlight.length >= 2) await deliver();
        }
      }
      if (batch.length > 0) start(batch);
      while (inFlight.length > 0 && !stopped) await deliver();
    } catch (err) {
      failure = err;
    } finally {
      finished = true;
      wake('consumer');
    }
  })();

  try {
    for (;;) {
      const items = ready.shift();
      if (items) {
        readyDocs -= items.length;
        wake('producer');
        yield* items;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (waiting.consumer = resolve));
    }
    if (failure) throw failure;
  } finally {
    stopped = true;
    wake('producer');
    await producer;
  }
}

async function prepareBatch(
  items: Array<{ seq: number; product: SourceProduct }>,
  o: StreamOptions,
  onRejected: (seq: number, id: string, errors: RowError[]) => void,
): Promise<Prepared[]> {
  const out: Prepared[] = [];
  const needVectors: Array<{ prepared: Prepared; text: string }> = [];
  for (const { seq, product } of items) {
    const id = docId(product.spu.tenant_id, product.spu.id);
    const updateTime = toDate(product.spu.update_time);
    if (product.spu.deleted === true || product.spu.deleted === 1) {
      out.push({ seq, id, op: 'delete', doc: { deleted: true }, updateTime });
      continue;
    }
    // An unpublished product must not be findable: a delete, so that one that was indexed while
    // published (full or incremental run) leaves the index; one never indexed is a 404, i.e. done.
    if (!o.includeUnpublished && isUnpublished(product.spu.published)) {
      out.push({ seq, id, op: 'delete', doc: { deleted: true }, updateTime, unpublished: true });
      continue;
    }
    const result = transformSpu(product);
    if (!result.ok) {
      onRejected(seq, id, result.errors);
      continue;
    }
    for (const w of result.warnings) o.onWarning(w);
    const prepared: Prepared = { seq, id, op: 'index', doc: result.doc, updateTime };
    out.push(prepared);
    const text = o.embedder?.textFor(result.doc);
    if (text) needVectors.push({ prepared, text });
  }
  if (o.imageEmbedder) {
    const docs = out.filter((p) => p.op === 'index').map((p) => p.doc as ProductDoc);
    for (const w of await o.imageEmbedder.embedInto(docs, o.signal)) o.onWarning(w);
  }
  if (o.embedder && needVectors.length > 0) {
    const vectors = await o.embedder.embed(
      needVectors.map((n) => n.text),
      o.signal,
    );
    needVectors.forEach((n, i) => {
      (n.prepared.doc as ProductDoc).title_embedding = vectors[i]!;
    });
  }
  return out;
}

/**
 * `published` = 0 / false. NULL or a missing column (tables without it) count as published, so a
 * source that does not track publication indexes everything as before.
 */
export function isUnpublished(value: number | boolean | string | null | undefined): boolean {
  return value === 0 || value === false || value === '0' || value === 'false';
}

function toDate(v: Date | string | null | undefined): Date | null {
  if (!v) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function splitId(id: string | null): [string | null, string | null] {
  if (!id) return [null, null];
  const i = id.indexOf(':');
  return i < 0 ? [null, id] : [id.slice(0, i), id.slice(i + 1)];
}
