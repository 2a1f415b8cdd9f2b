/**
 * One contender of bench/embed-throughput.ts, run as a child process (forked with IPC): our
 * encoder or transformers.js' feature-extraction pipeline. The parent asks it to encode slices of
 * the titles, one contender at a time, and collects timings; the vectors go to a file at the end.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createTextEncoder, fetchModel, getModelSpec } from '../engine/embed/index.ts';
import { bertUncased } from '../engine/embed/text-tokenizer.ts';

export interface ContenderSpec {
  role: 'ours' | 'transformers';
  model: string;
  threads: number;
  /** Texts per call/run; null = the encoder's default. */
  batch: number | null;
}

export type ToContender =
  { type: 'slice'; from: number; to: number } | { type: 'finish'; vectorsOut: string };

export type FromContender =
  | {
      type: 'ready';
      name: string;
      engine: 'rwb' | 'transformers.js';
      config: string;
      executionProvider: string;
    }
  | { type: 'sliced'; seconds: number; eventLoopBlockedMaxMs: number }
  | { type: 'finished'; peakRssMB: number }
  | { type: 'failed'; error: string };

interface Contender {
  name: string;
  engine: 'rwb' | 'transformers.js';
  config: string;
  executionProvider: string;
  encode(texts: string[]): Promise<Float32Array[]>;
}

const WARM_UP = 32;

async function ours(spec: ContenderSpec): Promise<Contender> {
  const encoder = await createTextEncoder({
    model: spec.model,
    threads: spec.threads,
    batchSize: spec.batch ?? undefined,
    log: () => {},
  });
  return {
    name: spec.batch ? `rwb (batch ${spec.batch})` : 'rwb (default)',
    engine: 'rwb',
    config: `${encoder.workers} workers × ${encoder.threadsPerWorker} thread, batch ${encoder.batchSize}, length-sorted`,
    executionProvider: encoder.executionProvider,
    encode: (texts) => encoder.encodeDocuments(texts),
  };
}

/**
 * transformers.js reads a Hugging Face model directory; we lay one out over our extracted files
 * (symlinks) so that both contenders read the very same ONNX graph and tokenizer.json.
 */
async function transformersModelDir(modelId: string): Promise<string> {
  const spec = getModelSpec(modelId);
  const files = await fetchModel(modelId);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-tjs-'));
  const dir = path.join(root, modelId);
  await fs.mkdir(path.join(dir, 'onnx'), { recursive: true });
  await fs.symlink(files.tokenizerPath, path.join(dir, 'tokenizer.json'));
  const onnxName = spec.quantized ? 'model_quantized.onnx' : 'model.onnx';
  await fs.symlink(files.onnxPath, path.join(dir, 'onnx', onnxName));
  const config = { model_type: 'bert', architectures: ['BertModel'], hidden_size: spec.dims };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    model_max_length: spec.maxTokens,
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  await fs.writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig));
  return root;
}

async function transformers(spec: ContenderSpec): Promise<Contender> {
  const model = getModelSpec(spec.model);
  const batch = spec.batch ?? 32;
  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = await transformersModelDir(spec.model);
  const extractor = await pipeline('feature-extraction', spec.model, {
    dtype: model.quantized ? 'q8' : 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: spec.threads, interOpNumThreads: 1 },
  });
  return {
    name: `transformers.js (batch ${batch})`,
    engine: 'transformers.js',
    config: `1 session × ${spec.threads} intra-op threads, batch ${batch}, input order`,
    executionProvider: 'cpu',
    async encode(texts) {
      // Same model input as ours: bge-zh's uncased normalisation is not in its tokenizer.json.
      const prefixed = texts.map((t) => model.documentPrefix + t);
      const inputs = model.lowercase ? prefixed.map(bertUncased) : prefixed;
      const vectors: Float32Array[] = [];
      for (let i = 0; i < inputs.length; i += batch) {
        const chunk = inputs.slice(i, i + batch);
        const out = await extractor(chunk, {
          pooling: model.pooling,
          normalize: model.normalize,
        });
        const data = out.data as Float32Array;
        chunk.forEach((_, r) => vectors.push(data.slice(r * model.dims, (r + 1) * model.dims)));
      }
      return vectors;
    },
  };
}

/** Runs in the child: set up, then answer the parent's slice requests. */
export async function serveContender(spec: ContenderSpec, titles: string[]): Promise<void> {
  const send = (msg: FromContender) => process.send!(msg);
  let contender: Contender;
  try {
    contender = spec.role === 'ours' ? await ours(spec) : await transformers(spec);
    await contender.encode(titles.slice(0, WARM_UP));
  } catch (err) {
    send({ type: 'failed', error: (err as Error).stack ?? String(err) });
    return;
  }
  const vectors: Float32Array[] = [];
  send({
    type: 'ready',
    name: contender.name,
    engine: contender.engine,
    config: contender.config,
    executionProvider: contender.executionProvider,
  });
  process.on('message', async (msg: ToContender) => {
    if (msg.type === 'slice') {
      // How long the main thread stalls while encoding: a UI or a server would freeze that long.
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const start = performance.now();
      vectors.push(...(await contender.encode(titles.slice(msg.from, msg.to))));
      const seconds = (performance.now() - start) / 1000;
      loop.disable();
      send({ type: 'sliced', seconds, eventLoopBlockedMaxMs: loop.max / 1e6 });
    } else {
      const flat = new Float32Array(vectors.length * vectors[0]!.length);
      vectors.forEach((v, i) => flat.set(v, i * v.length));
      await fs.writeFile(msg.vectorsOut, Buffer.from(flat.buffer));
      const finished: FromContender = {
        type: 'finished',
        peakRssMB: process.resourceUsage().maxRSS / 1024,
      };
      // Exit once the message is out; our encoder's worker threads would keep the process alive.
      process.send!(finished, undefined, {}, () => process.exit(0));
    }
  });
}
