/**
 * The one typed client of the contract. Screens and state modules call `api.call('search.basic',
 * {...})`; the transport underneath is IPC (desktop) or HTTP + SSE (browser mode).
 */
import type { OperationName, OpInput, OpOutput } from '../../engine/api/index.ts';
import type { JobEvent } from '../../engine/jobs/job.ts';
import { ApiError } from './errors.ts';
import type { ApiTransport } from './transport.ts';

export interface CallOptions {
  /** Abort to stop waiting (e.g. a newer slider value supersedes this request). */
  signal?: AbortSignal;
}

/** Operations whose input is all-optional can be called without one. */
export type CallArgs<N extends OperationName> =
  undefined extends OpInput<N>
    ? [input?: OpInput<N>, options?: CallOptions]
    : [input: OpInput<N>, options?: CallOptions];

export interface ApiClient {
  readonly transport: ApiTransport['kind'];
  call<N extends OperationName>(name: N, ...args: CallArgs<N>): Promise<OpOutput<N>>;
  /** Every job event; returns its unsubscribe function. */
  onJobEvent(listener: (event: JobEvent) => void): () => void;
  /** The events of one job; returns its unsubscribe function. */
  onJob(jobId: string, listener: (event: JobEvent) => void): () => void;
}

export function createApiClient(transport: ApiTransport): ApiClient {
  return {
    transport: transport.kind,
    async call<N extends OperationName>(name: N, ...args: CallArgs<N>): Promise<OpOutput<N>> {
      const [input, options] = args;
      const answer = await transport.invoke(name, input, options?.signal);
      if (!answer.ok) throw ApiError.fromPayload(answer.error);
      return answer.value as OpOutput<N>;
    },
    onJobEvent: (listener) => transport.subscribe(listener),
    onJob: (jobId, listener) =>
      transport.subscribe((event) => {
        if (event.jobId === jobId) listener(event);
      }),
  };
}
