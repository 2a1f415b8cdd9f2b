/** Desktop: calls and events go through the preload's `window.api` bridge. */
import type { Envelope, RwbBridge } from '../../engine/api/wire.ts';
import type { JobEvent } from '../../engine/jobs/job.ts';
import type { ApiTransport } from './transport.ts';

export function createIpcTransport(bridge: RwbBridge): ApiTransport {
  let nextCallId = 1;
  return {
    kind: 'ipc',
    invoke(name, input, signal) {
      const cancelled: Envelope<unknown> = {
        ok: false,
        error: { code: 'CANCELLED', message: `${name} was cancelled` },
      };
      if (signal?.aborted) return Promise.resolve(cancelled);
      const callId = nextCallId++;
      const answer = bridge
        .invoke(name, input ?? null, callId)
        .catch((err: unknown): Envelope<unknown> => ({
          ok: false,
          error: {
            code: 'INTERNAL',
            message: `${name}: ${err instanceof Error ? err.message : String(err)}`,
          },
        }));
      if (!signal) return answer;
      // main aborts the operation's work too (a superseded slider request stops its searches).
      const aborted = new Promise<Envelope<unknown>>((resolve) =>
        signal.addEventListener(
          'abort',
          () => {
            bridge.cancel?.(callId);
            resolve(cancelled);
          },
          { once: true },
        ),
      );
      return Promise.race([answer, aborted]);
    },
    subscribe(listener) {
      return bridge.onJobEvent((event) => listener(event as JobEvent));
    },
  };
}
