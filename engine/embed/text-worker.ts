/**
 * Worker thread of the text encoder: owns one tokenizer and one ONNX session, takes a chunk of
 * texts, tokenises them, runs length-sorted, dynamically padded batches and returns the vectors,
 * pooled and normalised as the model wants, as one transferable Float32Array (row i = text i).
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { type Pooling, padBatch, planBatches, poolBatch } from './batching.ts';
import { type ExecutionProvider, sessionOptionsFor } from './execution-provider.ts';
import { loadTokenizer } from './text-tokenizer.ts';
import type { WorkerReady, WorkerReply } from './worker-pool.ts';

export interface TextWorkerConfig {
  onnxPath: string;
  tokenizerPath: string;
  lowercase: boolean;
  maxTokens: number;
  pooling: Pooling;
  normalize: boolean;
  provider: ExecutionProvider;
  intraOpThreads: number;
  batchSize: number;
  maxBatchTokens: number;
}

export interface TextWorkerInfo {
  inputNames: string[];
  outputName: string;
  dims: number;
}

export interface EncodeRequest {
  texts: string[];
}

export interface EncodeResult {
  vectors: Float32Array;
  dims: number;
  tokens: number;
}

const config = workerData as TextWorkerConfig;
const port = parentPort!;

async function start(): Promise<void> {
  let session: ort.InferenceSession;
  let tokenizer: Awaited<ReturnType<typeof loadTokenizer>>;
  let info: TextWorkerInfo;
  try {
    tokenizer = await loadTokenizer(config.tokenizerPath, {
      lowercase: config.lowercase,
      maxTokens: config.maxTokens,
    });
    session = await ort.InferenceSession.create(
      config.onnxPath,
      sessionOptionsFor(config.provider, config.intraOpThreads),
    );
    info = describeSession(session);
  } catch (err) {
    port.postMessage({
      type: 'init-error',
      error: (err as Error).message,
    } satisfies WorkerReady<TextWorkerInfo>);
    return;
  }
  port.postMessage({ type: 'ready', info } satisfies WorkerReady<TextWorkerInfo>);

  port.on('message', async (msg: EncodeRequest & { id: number }) => {
    try {
      const sequences = msg.texts.map((t) => tokenizer.encode(t));
      const result = await encode(session, info, sequences, tokenizer.padId);
      port.postMessage({ id: msg.id, ok: true, result } satisfies WorkerReply<EncodeResult>, [
        result.vectors.buffer as ArrayBuffer,
      ]);
    } catch (err) {
      port.postMessage({
        id: msg.id,
        ok: false,
        error: (err as Error).message,
      } satisfies WorkerReply<EncodeResult>);
    }
  });
}

function describeSession(session: ort.InferenceSession): TextWorkerInfo {
  if (!session.inputNames.includes('input_ids')) {
    throw new Error(
      `${config.onnxPath} has no input_ids input (inputs: ${session.inputNames.join(', ')})`,
    );
  }
  const outputs = session.outputMetadata.filter((m) => m.isTensor && m.shape.length === 3);
  const output = outputs.find((m) => m.name === 'last_hidden_state') ?? outputs[0];
  if (!output || !output.isTensor) {
    throw new Error(
      `${config.onnxPath} has no [batch, sequence, hidden] output (outputs: ${session.outputNames.join(', ')})`,
    );
  }
  const hidden = output.shape[2];
  if (typeof hidden !== 'number')
    throw new Error(`${config.onnxPath}: hidden size of ${output.name} is not fixed`);
  return { inputNames: [...session.inputNames], outputName: output.name, dims: hidden };
}

async function encode(
  session: ort.InferenceSession,
  info: TextWorkerInfo,
  sequences: number[][],
  padId: number,
): Promise<EncodeResult> {
  const vectors = new Float32Array(sequences.length * info.dims);
  let tokens = 0;
  const batches = planBatches(
    sequences.map((s) => s.length),
    { batchSize: config.batchSize, maxBatchTokens: config.maxBatchTokens },
  );
  for (const batch of batches) {
    const padded = padBatch(
      batch.map((i) => sequences[i]!),
      padId,
    );
    tokens += padded.rows * padded.seqLen;
    const dims = [padded.rows, padded.seqLen];
    const available: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', padded.inputIds, dims),
      attention_mask: new ort.Tensor('int64', padded.attentionMask, dims),
      token_type_ids: new ort.Tensor('int64', padded.tokenTypeIds, dims),
    };
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of info.inputNames) {
      const tensor = available[name];
      if (!tensor) throw new Error(`model input "${name}" is not one this encoder can provide`);
      feeds[name] = tensor;
    }
    const output = (await session.run(feeds, [info.outputName]))[info.outputName]!;
    const pooled = poolBatch(
      config.pooling,
      config.normalize,
      output.data as Float32Array,
      padded.attentionMask,
      padded.rows,
      padded.seqLen,
      info.dims,
    );
    output.dispose();
    batch.forEach((textIndex, row) => vectors.set(pooled[row]!, textIndex * info.dims));
  }
  return { vectors, dims: info.dims, tokens };
}

void start();
