/**
 * The text encoder other modules use (ingest, query vectors, the CLI): the registry's BERT-style
 * models through onnxruntime-node in worker threads, each pooled (CLS or mean) and normalised as it
 * was trained. Each side gets its model's prefix here and nowhere else: encodeQueries prepends the
 * query prefix (BGE instruction, E5 "query: "), encodeDocuments the document prefix (E5
 * "passage: "), so ingest, the eval runner, the workbench and `rwb serve` cannot disagree.
 *
 * Throughput on CPU comes from (measured in bench/embed-throughput.ts):
 *  - several single-threaded sessions in parallel workers instead of one session with intra-op
 *    threads: product titles are short (10–40 tokens), and for such small matrices ORT's thread
 *    fan-out costs more than it gains;
 *  - texts grouped by length so that no time is spent on padding.
 *
 * Quantized models (the -q ids) default to one text per run. Their int8 graph quantizes
 * activations with one scale per tensor, so in a padded batch every text's vector shifts with its
 * neighbours (mean cosine 0.996, worst 0.989 against the text encoded alone on 1,000 Icecat titles).
 * One text per run makes a vector depend only on its text — what the cache, re-ingests and
 * query/document symmetry need — and on CPU it costs little because short texts gain little from
 * batching. Float32 models batch exactly (identical vectors either way) and batch by default.
 */
import os from 'node:os';
import { RwbError } from '../errors.ts';
import {
  type ExecutionProviderRequest,
  cudaStartFailure,
  defaultLog,
  planExecutionProvider,
  probeCudaSupport,
  sayOnce,
} from './execution-provider.ts';
import {
  type InstalledModelFiles,
  type TextModelSpec,
  fetchModel,
  getModelSpec,
  installedModelFiles,
} from './registry.ts';
import type { EncodeResult, TextWorkerConfig, TextWorkerInfo } from './text-worker.ts';
import { WorkerPool, spawnWorker, waitUntilReady } from './worker-pool.ts';

export interface TextEncoderOptions {
  /** A model id from the registry (see `rwb models list`). */
  model: string;
  executionProvider?: ExecutionProviderRequest;
  /** CPU threads to use in total (default: available cores, at most 4). */
  threads?: number;
  /** Texts per ONNX run (default: 1 for quantized models, 32 otherwise; see the file comment). */
  batchSize?: number;
  /** Cap on padded tokens per run (default 8192). */
  maxBatchTokens?: number;
  /** Fetch the model (from ~/.m2 or Maven Central) when it is not installed yet (default true). */
  fetchIfMissing?: boolean;
  /** Where the execution-provider decision is said (default: stderr, once per process). */
  log?: (message: string) => void;
  /**
   * Replaces the model's query prefix (e.g. '' to measure BGE without its instruction). The
   * document side is never overridable: an index's vectors must match what its model expects.
   */
  queryPrefix?: string;
}

export interface TextEncoder {
  modelId: string;
  dims: number;
  executionProvider: 'cpu' | 'cuda';
  encodeDocuments(texts: string[], opts?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  encodeQueries(texts: string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** What createTextEncoder returns: a TextEncoder plus facts about how it runs. */
export interface OnnxTextEncoder extends TextEncoder {
  /** Why this execution provider runs (e.g. why CUDA was not used). */
  executionProviderReason: string;
  /** Prepended to queries; the exact model input of a query is queryPrefix + text. */
  queryPrefix: string;
  /** Prepended to documents; the exact model input of a document is documentPrefix + text. */
  documentPrefix: string;
  workers: number;
  threadsPerWorker: number;
  batchSize: number;
}

const MAX_WORKERS = 4;
const MAX_TEXTS_PER_REQUEST = 64;

export function defaultThreadCount(): number {
  return Math.max(1, Math.min(os.availableParallelism(), MAX_WORKERS));
}

export async function createTextEncoder(opts: TextEncoderOptions): Promise<OnnxTextEncoder> {
  const spec = getModelSpec(opts.model);
  const files = await resolveFiles(spec, opts.fetchIfMissing ?? true);
  const requested = opts.executionProvider ?? 'auto';
  const threads = positiveInt(opts.threads ?? defaultThreadCount(), 'threads');
  const batchSize = positiveInt(opts.batchSize ?? (spec.quantized ? 1 : 32), 'batchSize');
  const maxBatchTokens = positiveInt(opts.maxBatchTokens ?? 8192, 'maxBatchTokens');
  const log = opts.log ?? defaultLog;

  const plan = planExecutionProvider(requested, probeCudaSupport());
  const baseConfig = {
    onnxPath: files.onnxPath,
    tokenizerPath: files.tokenizerPath,
    lowercase: spec.lowercase,
    maxTokens: spec.maxTokens,
    pooling: spec.pooling,
    normalize: spec.normalize,
    batchSize,
    maxBatchTokens,
  };

  let started: StartedWorkers | null = null;
  let reason = plan.cpuReason ?? '';
  if (plan.tryCuda) {
    try {
      // One GPU session; the GPU parallelises within a run, CPU threads only feed it.
      started = await startWorkers(
        spec.id,
        { ...baseConfig, provider: 'cuda', intraOpThreads: threads },
        1,
      );
      reason = 'CUDA provider started';
    } catch (err) {
      reason = cudaStartFailure(requested, (err as Error).message);
    }
  }
  if (!started) {
    const workers = Math.min(threads, MAX_WORKERS);
    const intraOpThreads = Math.max(1, Math.floor(threads / workers));
    started = await startWorkers(
      spec.id,
      { ...baseConfig, provider: 'cpu', intraOpThreads },
      workers,
    );
  }
  const { pool, info, config } = started;
  const queryPrefix = opts.queryPrefix ?? spec.queryPrefix;
  const documentPrefix = spec.documentPrefix;
  if (info.dims !== spec.dims) {
    await pool.close();
    throw new RwbError(
      'MODEL_ERROR',
      `${files.onnxPath} produces ${info.dims}-d vectors; ${spec.id} should be ${spec.dims}-d`,
    );
  }
  sayOnce(
    `[embed] ${spec.id} runs on ${config.provider.toUpperCase()} ` +
      `(${pool.size} worker(s) × ${config.intraOpThreads} thread(s), batch ${batchSize}) — ${reason}`,
    log,
  );

  const encode = async (inputs: string[], signal?: AbortSignal): Promise<Float32Array[]> => {
    if (signal?.aborted) throw new RwbError('CANCELLED', `Encoding with ${spec.id} cancelled`);
    const out = new Array<Float32Array>(inputs.length);
    // Neighbours in character length are usually neighbours in token length: requests stay
    // homogeneous, and the worker sorts exactly by tokens inside each request.
    const order = inputs.map((_, i) => i).sort((a, b) => inputs[a]!.length - inputs[b]!.length);
    const perRequest = Math.max(
      1,
      Math.min(MAX_TEXTS_PER_REQUEST, Math.ceil(inputs.length / pool.size)),
    );
    const requests: Promise<void>[] = [];
    for (let start = 0; start < order.length; start += perRequest) {
      const indices = order.slice(start, start + perRequest);
      const texts = indices.map((i) => inputs[i]!);
      requests.push(
        pool.run<EncodeResult>({ texts }, { signal }).then((res) => {
          indices.forEach((textIndex, row) => {
            out[textIndex] = res.vectors.slice(row * res.dims, (row + 1) * res.dims);
          });
        }),
      );
    }
    const settled = await Promise.allSettled(requests);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return out;
  };

  return {
    modelId: spec.id,
    dims: spec.dims,
    executionProvider: config.provider,
    executionProviderReason: reason,
    queryPrefix,
    documentPrefix,
    workers: pool.size,
    threadsPerWorker: config.intraOpThreads,
    batchSize,
    encodeDocuments: async (texts, o) =>
      encode(
        checkTexts(texts).map((t) => documentPrefix + t),
        o?.signal,
      ),
    encodeQueries: async (texts) => encode(checkTexts(texts).map((t) => queryPrefix + t)),
    close: () => pool.close(),
  };
}

async function resolveFiles(
  spec: TextModelSpec,
  fetchIfMissing: boolean,
): Promise<InstalledModelFiles> {
  const installed = installedModelFiles(spec.id);
  if (installed) return installed;
  if (!fetchIfMissing) {
    throw new RwbError(
      'NOT_FOUND',
      `Embedding model ${spec.id} is not installed. Run: rwb models fetch ${spec.id}`,
    );
  }
  return fetchModel(spec.id);
}

interface StartedWorkers {
  pool: WorkerPool;
  info: TextWorkerInfo;
  config: TextWorkerConfig;
}

async function startWorkers(
  modelId: string,
  config: TextWorkerConfig,
  count: number,
): Promise<StartedWorkers> {
  const label = `text encoder ${modelId} (${config.provider})`;
  const workers = Array.from({ length: count }, () =>
    spawnWorker(new URL('./text-worker.ts', import.meta.url), config),
  );
  const ready = await Promise.allSettled(
    workers.map((w) => waitUntilReady<TextWorkerInfo>(w, label)),
  );
  const failed = ready.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw failed.reason;
  }
  const info = (ready[0] as PromiseFulfilledResult<TextWorkerInfo>).value;
  return { pool: new WorkerPool(workers, label), info, config };
}

function checkTexts(texts: unknown): string[] {
  if (!Array.isArray(texts))
    throw new RwbError('INVALID_INPUT', 'Texts to encode must be an array of strings');
  texts.forEach((t, i) => {
    if (typeof t !== 'string')
      throw new RwbError('INVALID_INPUT', `Text ${i} to encode is ${typeof t}, not a string`);
  });
  return texts as string[];
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RwbError(
      'INVALID_INPUT',
      `Text encoder option ${name} must be a positive integer (got ${value})`,
    );
  }
  return value;
}
