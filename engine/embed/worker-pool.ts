/**
 * A small pool of worker threads that each hold one expensive resource (an ONNX session) and
 * answer one request at a time. onnxruntime-node's `session.run` returns a promise but does the
 * inference synchronously on the calling thread (it only defers it with setImmediate), so running
 * models on the main thread would freeze the CLI, the HTTP server and progress reporting.
 */
import { Worker } from 'node:worker_threads';
import { RwbError } from '../errors.ts';

export interface WorkerRequest {
  id: number;
}

export type WorkerReply<R> =
  { id: number; ok: true; result: R } | { id: number; ok: false; error: string };

export type WorkerReady<I> = { type: 'ready'; info: I } | { type: 'init-error'; error: string };

interface Task {
  payload: object;
  transfer: ArrayBuffer[];
  signal?: AbortSignal;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Task | null;
}

/** Spawns `entry` as a worker; .ts entries go through the tsx bootstrap (see ts-worker-bootstrap.mjs). */
export function spawnWorker(entry: URL, workerData: object): Worker {
  if (entry.pathname.endsWith('.ts')) {
    return new Worker(new URL('./ts-worker-bootstrap.mjs', import.meta.url), {
      workerData: { ...workerData, __entry: entry.href },
    });
  }
  return new Worker(entry, { workerData });
}

/** Waits for the worker's first message: the info it reports after loading, or its load error. */
export function waitUntilReady<I>(worker: Worker, label: string): Promise<I> {
  return new Promise<I>((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (msg: WorkerReady<I>) => {
      cleanup();
      if (msg.type === 'ready') resolve(msg.info);
      else reject(new RwbError('MODEL_ERROR', `${label}: ${msg.error}`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(
        new RwbError('MODEL_ERROR', `${label}: worker failed to start: ${err.message}`, undefined, {
          cause: err,
        }),
      );
    };
    const onExit = (code: number) => {
      cleanup();
      reject(
        new RwbError('MODEL_ERROR', `${label}: worker exited with code ${code} while starting`),
      );
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private failure: Error | null = null;

  constructor(
    workers: Worker[],
    private readonly label: string,
  ) {
    this.slots = workers.map((worker) => ({ worker, busy: null }));
    for (const slot of this.slots) {
      slot.worker.on('message', (msg: WorkerReply<unknown>) => this.onReply(slot, msg));
      slot.worker.on('error', (err) =>
        this.fail(new RwbError('MODEL_ERROR', `${label}: worker crashed: ${err.message}`)),
      );
      slot.worker.on('exit', (code) => {
        if (!this.closed)
          this.fail(
            new RwbError('MODEL_ERROR', `${label}: worker exited unexpectedly (code ${code})`),
          );
      });
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Queues a request; resolves with the worker's result. Cancelled requests that have not started reject. */
  run<R>(
    payload: object,
    opts: { transfer?: ArrayBuffer[]; signal?: AbortSignal } = {},
  ): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed)
      return Promise.reject(new RwbError('INTERNAL', `${this.label}: used after close()`));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({
        payload,
        transfer: opts.transfer ?? [],
        signal: opts.signal,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      let task = this.queue.shift();
      while (task?.signal?.aborted) {
        task.reject(new RwbError('CANCELLED', `${this.label}: cancelled`));
        task = this.queue.shift();
      }
      if (!task) return;
      slot.busy = task;
      slot.worker.postMessage({ ...task.payload, id: this.nextId++ }, task.transfer);
    }
  }

  private onReply(slot: Slot, msg: WorkerReply<unknown>): void {
    const task = slot.busy;
    slot.busy = null;
    if (task) {
      if (msg.ok) task.resolve(msg.result);
      else task.reject(new RwbError('MODEL_ERROR', `${this.label}: ${msg.error}`));
    }
    this.dispatch();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const slot of this.slots) slot.busy?.reject(err);
    for (const task of this.queue.splice(0)) task.reject(err);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const task of this.queue.splice(0))
      task.reject(new RwbError('CANCELLED', `${this.label}: closed`));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
