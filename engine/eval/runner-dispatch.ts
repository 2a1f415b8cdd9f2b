/**
 * Feeding prepared requests to `_msearch` while the rest are still being prepared: a batch leaves
 * as soon as `batchSize` new distinct requests are queued (at most `concurrency` batches in
 * flight), so parsing and building overlap with the cluster's work instead of preceding it.
 *
 * Each distinct request body (by hash) is searched once per run; a body answered in an earlier
 * run sharing the response cache is not searched at all.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { LruCache } from '../query/lru-cache.ts';
import { msearchBatch, type SearchOutcome } from './runner-msearch.ts';

/** One body to search, identified by its hash (PreparedEvalRequest.searches). */
export interface DispatchedSearch {
  readonly body: estypes.SearchRequest;
  readonly hash: string;
}

/** Responses by request hash, shared between runs (tuner trials). */
export type ResponseCache = LruCache<string, SearchOutcome>;

export function createResponseCache(capacity = 20_000): ResponseCache {
  return new LruCache<string, SearchOutcome>(capacity);
}

export interface DispatchedAnswer {
  readonly outcome: SearchOutcome;
  /** This request's share (1/n) of the wall time of the `_msearch` that carried it; 0 if cached. */
  readonly shareMs: number;
}

export interface DispatcherOptions {
  readonly index: string;
  readonly tenantId: string;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly responses: ResponseCache;
  readonly signal?: AbortSignal;
  readonly url?: string;
}

interface Waiting {
  readonly request: DispatchedSearch;
  resolve(answer: DispatchedAnswer): void;
  reject(err: unknown): void;
}

export class MsearchDispatcher {
  private readonly byHash = new Map<string, Promise<DispatchedAnswer>>();
  private pending: Waiting[] = [];
  private readonly queued: Waiting[][] = [];
  private active = 0;
  private firstSent: number | null = null;
  private lastAnswered: number | null = null;
  executed = 0;
  fromCache = 0;
  calls = 0;
  /** The first error that failed a whole batch (cluster unreachable, cancel); null while fine. */
  failure: unknown = null;

  constructor(
    private readonly client: Client,
    private readonly options: DispatcherOptions,
  ) {}

  /** The answer to `request`, searching it only if no earlier request had the same body. */
  request(request: DispatchedSearch): Promise<DispatchedAnswer> {
    const known = this.byHash.get(request.hash);
    if (known) return known;
    const cached = this.options.responses.get(request.hash);
    let answer: Promise<DispatchedAnswer>;
    if (cached) {
      this.fromCache++;
      answer = Promise.resolve({ outcome: cached, shareMs: 0 });
    } else {
      answer = new Promise<DispatchedAnswer>((resolve, reject) => {
        this.pending.push({ request, resolve, reject });
      });
      if (this.pending.length >= this.options.batchSize) this.cut();
    }
    this.byHash.set(request.hash, answer);
    return answer;
  }

  /** Sends what is left once every request has been handed in. */
  flush(): void {
    if (this.pending.length > 0) this.cut();
  }

  get distinct(): number {
    return this.byHash.size;
  }

  /** From the first batch sent to the last one answered. */
  get searchMs(): number {
    return this.firstSent === null || this.lastAnswered === null
      ? 0
      : this.lastAnswered - this.firstSent;
  }

  private cut(): void {
    this.queued.push(this.pending);
    this.pending = [];
    this.pump();
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.queued.length > 0) {
      const batch = this.queued.shift()!;
      this.active++;
      void this.send(batch).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async send(batch: Waiting[]): Promise<void> {
    this.firstSent ??= performance.now();
    this.calls++;
    this.executed += batch.length;
    try {
      const answer = await msearchBatch(
        this.client,
        this.options.index,
        batch.map((w) => w.request.body),
        {
          tenantId: this.options.tenantId,
          ...(this.options.signal && { signal: this.options.signal }),
          ...(this.options.url && { url: this.options.url }),
        },
      );
      const shareMs = answer.wallMs / batch.length;
      answer.outcomes.forEach((outcome, i) => {
        const waiting = batch[i]!;
        if (outcome.ok) this.options.responses.set(waiting.request.hash, outcome);
        waiting.resolve({ outcome, shareMs });
      });
    } catch (err) {
      this.failure ??= err;
      for (const waiting of batch) waiting.reject(err);
    } finally {
      this.lastAnswered = performance.now();
    }
  }
}
