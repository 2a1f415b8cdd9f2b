/** A transport whose answers a test scripts per operation, recording the calls (no engine, no React). */
import type { Envelope } from '../../engine/api/wire.ts';
import type { JobEvent } from '../../engine/jobs/job.ts';
import type { ApiTransport } from '../../renderer/api/transport.ts';

export type Answer = (
  input: unknown,
  signal?: AbortSignal,
) => Promise<Envelope<unknown>> | Envelope<unknown>;

export function scriptedTransport(script: Record<string, Answer>) {
  const calls: Array<{ name: string; input: unknown; signal?: AbortSignal }> = [];
  const listeners = new Set<(e: JobEvent) => void>();
  const transport: ApiTransport = {
    kind: 'http',
    async invoke(name, input, signal) {
      calls.push({ name, input, ...(signal ? { signal } : {}) });
      const answer = script[name];
      if (!answer)
        return { ok: false, error: { code: 'NOT_FOUND', message: `unscripted ${name}` } };
      return answer(input, signal);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return {
    transport,
    calls,
    emit: (e: JobEvent) => listeners.forEach((l) => l(e)),
    listenerCount: () => listeners.size,
  };
}

export const ok = (value: unknown): Envelope<unknown> => ({ ok: true, value });
export const fail = (
  code: 'ES_UNREACHABLE' | 'INVALID_INPUT' | 'NOT_FOUND' | 'CANCELLED',
  message: string,
): Envelope<unknown> => ({ ok: false, error: { code, message } });

/** Lets pending promise callbacks and zero-delay timers run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
