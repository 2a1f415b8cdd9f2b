/**
 * Main's side of the engine host: sends calls, matches answers, forwards job events, aborts
 * calls the renderer gave up on, stores secrets the host asks to keep (through `storeSecret`),
 * and restarts the host when it dies (calls in flight answer with an error instead of hanging).
 */
import type { Envelope } from '../engine/api/wire.ts';
import type { FromHost, SecretValues, ToHost } from './engine-protocol.ts';

/** What main needs of the host process (Electron UtilityProcess or a Node ChildProcess). */
export interface HostProcess {
  postMessage(message: ToHost): void;
  onMessage(listener: (message: FromHost) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface EngineClientOptions {
  spawn: () => HostProcess;
  appVersion: string;
  profile?: string;
  /** Decrypted secrets to hand over at start (from safeStorage). */
  loadSecrets: () => SecretValues;
  /** Why the vault cannot keep secrets (no OS encryption, basic_text), or null. */
  secretStoreUnavailable?: () => string | null;
  /** Encrypt and keep (value) or forget (null) a secret. */
  storeSecret: (name: string, value: string | null) => Promise<void>;
  onJobEvent: (event: unknown) => void;
  onLog?: (line: string) => void;
  /** Restarts allowed before calls fail for good (a host that crashes at start would loop). */
  maxRestarts?: number;
}

export interface EngineClient {
  invoke(name: string, input: unknown, signal?: AbortSignal): Promise<Envelope<unknown>>;
  shutdown(): Promise<void>;
}

export function createEngineClient(options: EngineClientOptions): EngineClient {
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  let nextId = 1;
  let restarts = 0;
  let stopping = false;
  let host: HostProcess;
  let closed: (() => void) | null = null;

  const failAll = (message: string) => {
    for (const [id, resolve] of pending) {
      pending.delete(id);
      resolve({ ok: false, error: { code: 'INTERNAL', message } });
    }
  };

  const start = () => {
    host = options.spawn();
    host.onMessage((message) => {
      switch (message.type) {
        case 'result': {
          const resolve = pending.get(message.id);
          pending.delete(message.id);
          resolve?.(message.envelope);
          return;
        }
        case 'job-event':
          options.onJobEvent(message.event);
          return;
        case 'secret-write':
          options.storeSecret(message.name, message.value).then(
            () => host.postMessage({ type: 'secret-written', id: message.id, ok: true }),
            (err: unknown) =>
              host.postMessage({
                type: 'secret-written',
                id: message.id,
                ok: false,
                message: err instanceof Error ? err.message : String(err),
              }),
          );
          return;
        case 'closed':
          closed?.();
          return;
        case 'ready':
          return;
      }
    });
    host.onExit((code) => {
      if (stopping) {
        closed?.();
        return;
      }
      failAll(
        `The workbench engine stopped (exit code ${code ?? 'unknown'}); it is being restarted — try again`,
      );
      if (restarts++ < (options.maxRestarts ?? 3)) {
        options.onLog?.(`engine host exited with ${code}; restarting`);
        start();
      }
    });
    const storeProblem = options.secretStoreUnavailable?.() ?? null;
    host.postMessage({
      type: 'init',
      appVersion: options.appVersion,
      ...(options.profile ? { profile: options.profile } : {}),
      secrets: options.loadSecrets(),
      ...(storeProblem ? { secretStoreUnavailable: storeProblem } : {}),
    });
  };
  start();

  return {
    invoke(name, input, signal) {
      const id = nextId++;
      return new Promise<Envelope<unknown>>((resolve) => {
        pending.set(id, resolve);
        signal?.addEventListener(
          'abort',
          () => {
            if (!pending.has(id)) return;
            pending.delete(id);
            host.postMessage({ type: 'abort', id });
            resolve({ ok: false, error: { code: 'CANCELLED', message: `${name} was cancelled` } });
          },
          { once: true },
        );
        host.postMessage({ type: 'invoke', id, name, input });
      });
    },
    async shutdown() {
      stopping = true;
      failAll('The workbench is closing');
      await new Promise<void>((resolve) => {
        closed = resolve;
        host.postMessage({ type: 'shutdown' });
        // A host stuck in a job still gets killed: quitting must not hang.
        setTimeout(() => {
          host.kill();
          resolve();
        }, 5000).unref?.();
      });
    },
  };
}
