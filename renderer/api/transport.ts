import type { Envelope } from '../../engine/api/wire.ts';
import type { JobEvent } from '../../engine/jobs/job.ts';

/** How the client reaches the engine: IPC in the desktop app, HTTP + SSE in browser mode. */
export interface ApiTransport {
  readonly kind: 'ipc' | 'http';
  invoke(name: string, input: unknown, signal?: AbortSignal): Promise<Envelope<unknown>>;
  /** One listener for every JobEvent; returns its unsubscribe function. */
  subscribe(listener: (event: JobEvent) => void): () => void;
}
