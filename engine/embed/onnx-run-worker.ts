/**
 * Worker thread that hosts one ONNX session and runs prepared feeds (used by the image encoder,
 * whose preprocessing happens on the main thread in sharp's own thread pool).
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { type ExecutionProvider, sessionOptionsFor } from './execution-provider.ts';
import type { WorkerReady, WorkerReply } from './worker-pool.ts';

export interface RunWorkerConfig {
  modelPath: string;
  provider: ExecutionProvider;
  intraOpThreads: number;
}

export interface TensorMetadata {
  name: string;
  type: string;
  /** Fixed sizes as numbers, symbolic ones as null. */
  shape: Array<number | null>;
}

export interface RunWorkerInfo {
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

export interface WireTensor {
  type: 'float32' | 'int64';
  data: Float32Array | BigInt64Array;
  dims: number[];
}

export interface RunRequest {
  feeds: Record<string, WireTensor>;
  output: string;
}

export interface RunResult {
  data: Float32Array;
  dims: number[];
}

const config = workerData as RunWorkerConfig;
const port = parentPort!;

function describe(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorMetadata[] {
  return meta.map((m) =>
    m.isTensor
      ? {
          name: m.name,
          type: m.type,
          shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null)),
        }
      : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

async function start(): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(
      config.modelPath,
      sessionOptionsFor(config.provider, config.intraOpThreads),
    );
  } catch (err) {
    port.postMessage({
      type: 'init-error',
      error: (err as Error).message,
    } satisfies WorkerReady<RunWorkerInfo>);
    return;
  }
  const info = {
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
  };
  port.postMessage({ type: 'ready', info } satisfies WorkerReady<RunWorkerInfo>);

  port.on('message', async (msg: RunRequest & { id: number }) => {
    try {
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(msg.feeds))
        feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const output = (await session.run(feeds, [msg.output]))[msg.output]!;
      if (output.type !== 'float32')
        throw new Error(`output ${msg.output} is ${output.type}, expected float32`);
      const result: RunResult = {
        data: (output.data as Float32Array).slice(),
        dims: [...output.dims],
      };
      output.dispose();
      port.postMessage({ id: msg.id, ok: true, result } satisfies WorkerReply<RunResult>, [
        result.data.buffer as ArrayBuffer,
      ]);
    } catch (err) {
      port.postMessage({
        id: msg.id,
        ok: false,
        error: (err as Error).message,
      } satisfies WorkerReply<RunResult>);
    }
  });
}

void start();
