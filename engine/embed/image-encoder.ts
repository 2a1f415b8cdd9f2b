/**
 * CLIP / Chinese-CLIP style two-tower encoder: a vision ONNX model ([batch, 3, H, W] float32 →
 * [batch, dims]) and optionally its text tower (input_ids → [batch, dims]) in the same space, so
 * product images can be searched with text. No such model is downloadable on the project's
 * machines; users point at their own exports (see docs/embeddings.md for the expected shapes).
 *
 * Images are loaded and preprocessed concurrently on the main thread (sharp works in its own
 * threads); the ONNX sessions run in worker threads. A failing image is reported, never fatal.
 */
import path from 'node:path';
import { RwbError } from '../errors.ts';
import { l2Normalize } from './batching.ts';
import {
  type ExecutionProvider,
  type ExecutionProviderRequest,
  cudaStartFailure,
  defaultLog,
  planExecutionProvider,
  probeCudaSupport,
  sayOnce,
} from './execution-provider.ts';
import { CLIP_MEAN, CLIP_STD, imageToTensor, loadImageBytes } from './image-source.ts';
import type {
  RunRequest,
  RunResult,
  RunWorkerConfig,
  RunWorkerInfo,
  TensorMetadata,
  WireTensor,
} from './onnx-run-worker.ts';
import { type TextTokenizer, loadTokenizer } from './text-tokenizer.ts';
import { WorkerPool, spawnWorker, waitUntilReady } from './worker-pool.ts';

export interface ImageEncoderOptions {
  visionModelPath: string;
  textModelPath?: string;
  /** tokenizer.json of the text tower (default: tokenizer.json beside the text model). */
  textTokenizerPath?: string;
  /** BERT uncased normalisation before tokenising (Chinese-CLIP's tokenizer is uncased). */
  textLowercase?: boolean;
  /** Square input size; default: the model's fixed input size, else 224. */
  imageSize?: number;
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
  executionProvider?: ExecutionProviderRequest;
  threads?: number;
  /** Images per ONNX run (default 16). */
  batchSize?: number;
  /** Images loaded at the same time (default 8). */
  concurrency?: number;
  /** Larger images are refused (default 20 MB). */
  maxImageBytes?: number;
  log?: (message: string) => void;
}

export type ImageEmbeddingResult =
  { url: string; vector: Float32Array } | { url: string; error: string };

export interface ImageEncoder {
  dims: number;
  imageSize: number;
  executionProvider: ExecutionProvider;
  encodeImages(
    sources: string[],
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ImageEmbeddingResult[]>;
  /** Text-tower vectors in the image space; throws when no text model was configured. */
  encodeTexts(texts: string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

interface Tower {
  pool: WorkerPool;
  info: RunWorkerInfo;
  provider: ExecutionProvider;
  reason: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;

export async function createImageEncoder(opts: ImageEncoderOptions): Promise<ImageEncoder> {
  const requested = opts.executionProvider ?? 'auto';
  const threads = opts.threads ?? 1;
  const log = opts.log ?? defaultLog;
  const vision = await startTower('vision', opts.visionModelPath, requested, threads);
  const towers = [vision];
  try {
    const pixelInput = vision.info.inputs[0];
    if (
      !pixelInput ||
      pixelInput.type !== 'float32' ||
      pixelInput.shape.length !== 4 ||
      pixelInput.shape[1] !== 3
    ) {
      throw new RwbError(
        'MODEL_ERROR',
        `${opts.visionModelPath}: expected a float32 [batch, 3, H, W] image input, found ${describeTensor(pixelInput)}`,
      );
    }
    const imageSize = chooseImageSize(opts, pixelInput);
    const visionOutput = pooledOutput(vision.info, opts.visionModelPath, [
      'image_embeds',
      'image_features',
    ]);
    const mean = opts.mean ?? CLIP_MEAN;
    const std = opts.std ?? CLIP_STD;

    const runVision = async (pixels: Float32Array[]): Promise<Float32Array[]> => {
      const plane = 3 * imageSize * imageSize;
      const batch = new Float32Array(pixels.length * plane);
      pixels.forEach((p, i) => batch.set(p, i * plane));
      const feeds: Record<string, WireTensor> = {
        [pixelInput.name]: {
          type: 'float32',
          data: batch,
          dims: [pixels.length, 3, imageSize, imageSize],
        },
      };
      return splitRows(
        await vision.pool.run<RunResult>({ feeds, output: visionOutput } satisfies RunRequest, {
          transfer: [batch.buffer],
        }),
      );
    };
    // A probe run validates the model end to end and tells its output size.
    const dims = (await runVision([new Float32Array(3 * imageSize * imageSize)]))[0]!.length;

    let text: { tower: Tower; tokenizer: TextTokenizer; output: string } | null = null;
    if (opts.textModelPath) {
      const tower = await startTower('text', opts.textModelPath, requested, threads);
      towers.push(tower);
      const tokenizerPath =
        opts.textTokenizerPath ?? path.join(path.dirname(opts.textModelPath), 'tokenizer.json');
      const idsInput =
        tower.info.inputs.find((i) => i.name === 'input_ids') ?? tower.info.inputs[0];
      const maxTokens = idsInput?.shape[1] ?? 512;
      const tokenizer = await loadTokenizer(tokenizerPath, {
        lowercase: opts.textLowercase ?? false,
        maxTokens,
      });
      text = {
        tower,
        tokenizer,
        output: pooledOutput(tower.info, opts.textModelPath, ['text_embeds', 'text_features']),
      };
    }

    const textTower = towers[1];
    if (textTower && textTower.provider !== vision.provider) {
      sayOnce(
        `[embed] image encoder vision tower runs on ${vision.provider.toUpperCase()} — ${vision.reason}`,
        log,
      );
      sayOnce(
        `[embed] image encoder text tower runs on ${textTower.provider.toUpperCase()} — ${textTower.reason}`,
        log,
      );
    } else {
      const names = textTower ? 'vision + text towers' : 'vision tower';
      sayOnce(
        `[embed] image encoder (${names}) runs on ${vision.provider.toUpperCase()} — ${vision.reason}`,
        log,
      );
    }

    const batchSize = opts.batchSize ?? 16;
    const concurrency = opts.concurrency ?? 8;
    const maxBytes = opts.maxImageBytes ?? 20 * 1024 * 1024;

    return {
      dims,
      imageSize,
      executionProvider: vision.provider,
      async encodeImages(sources, o = {}) {
        const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        const results = new Array<ImageEmbeddingResult>(sources.length);
        const ready: Array<{ index: number; pixels: Float32Array }> = [];
        await forEachConcurrently(sources, concurrency, async (source, index) => {
          try {
            const bytes = await loadImageBytes(source, { timeoutMs, maxBytes, signal: o.signal });
            ready.push({
              index,
              pixels: await imageToTensor(bytes, { size: imageSize, mean, std }),
            });
          } catch (err) {
            if (o.signal?.aborted) throw new RwbError('CANCELLED', 'Image encoding cancelled');
            results[index] = { url: source, error: errorText(source, err) };
          }
        });
        ready.sort((a, b) => a.index - b.index);
        for (let start = 0; start < ready.length; start += batchSize) {
          if (o.signal?.aborted) throw new RwbError('CANCELLED', 'Image encoding cancelled');
          const batch = ready.slice(start, start + batchSize);
          try {
            const vectors = await runVision(batch.map((b) => b.pixels));
            batch.forEach(
              (b, i) => (results[b.index] = { url: sources[b.index]!, vector: vectors[i]! }),
            );
          } catch (err) {
            for (const b of batch)
              results[b.index] = {
                url: sources[b.index]!,
                error: errorText(sources[b.index]!, err),
              };
          }
        }
        return results;
      },
      async encodeTexts(texts) {
        if (!text)
          throw new RwbError(
            'INVALID_CONFIG',
            'This image encoder has no text model (set textModelPath)',
          );
        const { tower, tokenizer, output } = text;
        if (texts.length === 0) return [];
        const sequences = texts.map((t) => tokenizer.encode(t));
        // Fixed context length (CLIP 77, Chinese-CLIP 52) when the model declares one, else dynamic.
        const fixedLength = tower.info.inputs.find((i) => i.name === 'input_ids')?.shape[1] ?? null;
        const length = fixedLength ?? Math.max(1, ...sequences.map((s) => s.length));
        const feeds = textFeeds(tower.info.inputs, sequences, tokenizer.padId, length);
        return splitRows(await tower.pool.run<RunResult>({ feeds, output } satisfies RunRequest));
      },
      close: async () => {
        await Promise.all(towers.map((t) => t.pool.close()));
      },
    };
  } catch (err) {
    await Promise.all(towers.map((t) => t.pool.close()));
    throw err;
  }
}

async function startTower(
  name: string,
  modelPath: string,
  requested: ExecutionProviderRequest,
  threads: number,
): Promise<Tower> {
  const plan = planExecutionProvider(requested, probeCudaSupport());
  const label = `image encoder ${name} tower ${modelPath}`;
  const start = async (provider: ExecutionProvider) => {
    const config: RunWorkerConfig = { modelPath, provider, intraOpThreads: threads };
    const worker = spawnWorker(new URL('./onnx-run-worker.ts', import.meta.url), config);
    try {
      const info = await waitUntilReady<RunWorkerInfo>(worker, label);
      return { pool: new WorkerPool([worker], label), info };
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  };
  if (plan.tryCuda) {
    try {
      return { ...(await start('cuda')), provider: 'cuda', reason: 'CUDA provider started' };
    } catch (err) {
      const reason = cudaStartFailure(requested, (err as Error).message);
      return { ...(await start('cpu')), provider: 'cpu', reason };
    }
  }
  return { ...(await start('cpu')), provider: 'cpu', reason: plan.cpuReason ?? '' };
}

function chooseImageSize(opts: ImageEncoderOptions, input: TensorMetadata): number {
  const [, , h, w] = input.shape;
  if (h != null && w != null && h !== w) {
    throw new RwbError(
      'MODEL_ERROR',
      `${opts.visionModelPath}: non-square image input ${h}×${w} is not supported`,
    );
  }
  if (opts.imageSize !== undefined && h != null && opts.imageSize !== h) {
    throw new RwbError(
      'INVALID_CONFIG',
      `imageSize ${opts.imageSize} does not match the model's fixed input ${h}×${w}`,
    );
  }
  const size = opts.imageSize ?? h ?? 224;
  if (!Number.isInteger(size) || size < 1)
    throw new RwbError('INVALID_CONFIG', `imageSize must be a positive integer (got ${size})`);
  return size;
}

/** The [batch, dims] output holding the projected embedding; preferred names first. */
function pooledOutput(info: RunWorkerInfo, modelPath: string, preferred: string[]): string {
  const rank2 = info.outputs.filter((o) => o.type === 'float32' && o.shape.length === 2);
  const chosen = rank2.find((o) => preferred.includes(o.name)) ?? rank2[0];
  if (!chosen) {
    throw new RwbError(
      'MODEL_ERROR',
      `${modelPath}: needs a float32 [batch, dims] embedding output (e.g. ${preferred[0]}); outputs are ` +
        info.outputs.map(describeTensor).join(', '),
    );
  }
  return chosen.name;
}

function textFeeds(
  inputs: TensorMetadata[],
  sequences: number[][],
  padId: number,
  length: number,
): Record<string, WireTensor> {
  const rows = sequences.length;
  const ids = new BigInt64Array(rows * length).fill(BigInt(padId));
  const mask = new BigInt64Array(rows * length);
  sequences.forEach((seq, r) =>
    seq.slice(0, length).forEach((id, c) => {
      ids[r * length + c] = BigInt(id);
      mask[r * length + c] = 1n;
    }),
  );
  const available: Record<string, BigInt64Array> = {
    input_ids: ids,
    attention_mask: mask,
    token_type_ids: new BigInt64Array(rows * length),
  };
  const feeds: Record<string, WireTensor> = {};
  for (const input of inputs) {
    const data = available[input.name] ?? (inputs.length === 1 ? ids : undefined);
    if (!data)
      throw new RwbError(
        'MODEL_ERROR',
        `text model input "${input.name}" is not one this encoder can provide`,
      );
    feeds[input.name] = { type: 'int64', data, dims: [rows, length] };
  }
  return feeds;
}

function splitRows(result: RunResult): Float32Array[] {
  const [rows, dims] = result.dims as [number, number];
  return Array.from({ length: rows }, (_, r) =>
    l2Normalize(result.data.slice(r * dims, (r + 1) * dims)),
  );
}

async function forEachConcurrently<T>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  });
  await Promise.all(lanes);
}

function errorText(source: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.includes(source) ? message : `${source}: ${message}`;
}

function describeTensor(t: TensorMetadata | undefined): string {
  return t ? `${t.name} ${t.type} [${t.shape.map((d) => d ?? '?').join(', ')}]` : 'none';
}
