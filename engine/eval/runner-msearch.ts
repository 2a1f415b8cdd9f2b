/**
 * Sending evaluation requests to ES with `_msearch`: batches of bodies, a few batches in flight,
 * each answer reduced to what evaluation needs (doc ids, scores, explanations, took, facets).
 *
 * One query's ES error (a bad field in a config, a shard failure) is that query's error; the
 * others go on. A batch the cluster refuses as a whole (HTTP 4xx) fails its queries the same
 * way. Only an unreachable cluster or a cancel stops the run.
 */
import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import { esErrorToRwb } from '../es/client.ts';
import { queryRefusalOf } from '../es/query-refusals.ts';
import { RwbError } from '../errors.ts';
import type { Explanation } from './experiments.ts';
import type { FusionPlan } from '../search/build-request.ts';
import { fusedPage } from '../search/fused-response.ts';
import { hitSpuIdOf } from '../search/hit-id.ts';

export interface OutcomeHit {
  /** The judged doc id: `spu_id` (doc value or `_source`), else `_id` without its `tenant:` prefix. */
  readonly id: string;
  readonly score: number | null;
  readonly explanation?: Explanation;
}

export type SearchOutcome =
  | {
      readonly ok: true;
      readonly hits: readonly OutcomeHit[];
      readonly totalHits?: number;
      readonly tookMs: number;
      readonly aggregations?: Record<string, unknown>;
    }
  | { readonly ok: false; readonly error: { code: string; message: string } };

export interface MsearchBatchResult {
  readonly outcomes: SearchOutcome[];
  /** Wall-clock time of the whole `_msearch` call. */
  readonly wallMs: number;
}

export interface MsearchOptions {
  readonly tenantId: string;
  readonly signal?: AbortSignal;
  /** The cluster URL, for error messages. */
  readonly url?: string;
}

type RawExplanation = estypes.ExplainExplanation | estypes.ExplainExplanationDetail;

function toExplanation(raw: RawExplanation | undefined): Explanation | undefined {
  if (!raw) return undefined;
  const details = (raw.details ?? []).map((d) => toExplanation(d)!);
  return {
    value: raw.value,
    description: raw.description,
    ...(details.length > 0 && { details }),
  };
}

function outcomeOf(item: estypes.MsearchResponseItem<unknown>, tenantId: string): SearchOutcome {
  if ('error' in item) {
    // Too many clauses is the query's fault: the same INVALID_INPUT as a single search gets.
    const refusal = queryRefusalOf(item);
    if (refusal !== null)
      return { ok: false, error: { code: refusal.code, message: refusal.message } };
    const cause = item.error.caused_by?.reason ?? item.error.root_cause?.[0]?.reason;
    const reason = `${item.error.type}: ${item.error.reason ?? ''}${cause ? ` (${cause})` : ''}`;
    return { ok: false, error: { code: 'ES_ERROR', message: `HTTP ${item.status}: ${reason}` } };
  }
  const total = item.hits.total;
  return {
    ok: true,
    hits: item.hits.hits.map((hit) => {
      const explanation = toExplanation(hit._explanation);
      return {
        id: hitSpuIdOf(hit, tenantId),
        score: hit._score ?? null,
        ...(explanation && { explanation }),
      };
    }),
    ...(total !== undefined && { totalHits: typeof total === 'number' ? total : total.value }),
    tookMs: item.took,
    ...(item.aggregations && { aggregations: item.aggregations as Record<string, unknown> }),
  };
}

/** A refusal of the whole batch that says nothing about the cluster being down. */
function isBatchRefusal(err: unknown): boolean {
  return (
    err instanceof errors.ResponseError &&
    (err.statusCode ?? 0) >= 400 &&
    (err.statusCode ?? 0) < 500 &&
    err.statusCode !== 401 &&
    err.statusCode !== 403
  );
}

/** One `_msearch` of `bodies` against `index`; the outcomes are in the order of `bodies`. */
export async function msearchBatch(
  client: Client,
  index: string,
  bodies: readonly estypes.SearchRequest[],
  options: MsearchOptions,
): Promise<MsearchBatchResult> {
  const searches: estypes.MsearchRequestItem[] = [];
  for (const body of bodies) searches.push({ index }, body as estypes.MsearchMultisearchBody);
  const started = performance.now();
  try {
    const response = await client.msearch({ searches }, { signal: options.signal });
    const wallMs = performance.now() - started;
    if (response.responses.length !== bodies.length) {
      throw new RwbError(
        'ES_ERROR',
        `_msearch answered ${response.responses.length} responses for ${bodies.length} searches`,
      );
    }
    return { outcomes: response.responses.map((r) => outcomeOf(r, options.tenantId)), wallMs };
  } catch (err) {
    if (options.signal?.aborted) {
      throw new RwbError('CANCELLED', 'The evaluation was cancelled', undefined, { cause: err });
    }
    if (isBatchRefusal(err)) {
      const error = esErrorToRwb(err, options.url ?? 'the cluster', `_msearch on ${index}`);
      const failed: SearchOutcome = {
        ok: false,
        error: { code: error.code, message: error.message },
      };
      return { outcomes: bodies.map(() => failed), wallMs: performance.now() - started };
    }
    throw esErrorToRwb(err, options.url ?? 'the cluster', `_msearch on ${index}`);
  }
}

/** Splits `items` into consecutive batches of at most `size`. */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the order of `items`. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * One query's outcome from the outcomes of its searches (PreparedEvalRequest.searches): the
 * outcome itself without fusion; with fusion, the top `k` of fusedPage over the sub-searches
 * (the same ranking the searcher and `rwb serve` produce), with the count request's total and
 * aggregations when it was sent. A failed sub-search fails the query.
 */
export function combineOutcomes(
  fusion: FusionPlan | null,
  outcomes: readonly SearchOutcome[],
  k: number,
): SearchOutcome {
  if (fusion === null) return outcomes[0]!;
  const failed = outcomes.find((outcome) => !outcome.ok);
  if (failed !== undefined) return failed;
  const ok = outcomes as ReadonlyArray<Extract<SearchOutcome, { ok: true }>>;
  const subs = ok.slice(0, fusion.searches.length);
  const count = ok[fusion.searches.length];
  const page = fusedPage(
    fusion,
    subs.map((outcome) => outcome.hits),
    (hit) => hit.id,
    (hit) => hit.score ?? 0,
    0,
    k,
  );
  return {
    ok: true,
    hits: page.map((entry) => {
      const details = entry.hits.flatMap((hit) => (hit?.explanation ? [hit.explanation] : []));
      return {
        id: entry.fused.key,
        score: entry.fused.score,
        ...(details.length > 0 && {
          explanation: {
            value: entry.fused.score,
            description: `${fusion.settings.method} fusion of ${entry.fused.parts
              .filter((part) => part.rank !== null)
              .map((part) => `${part.source} (rank ${part.rank})`)
              .join(', ')}`,
            details,
          },
        }),
      };
    }),
    ...(count?.totalHits !== undefined && { totalHits: count.totalHits }),
    tookMs: Math.max(...ok.map((outcome) => outcome.tookMs)),
    ...(count?.aggregations && { aggregations: count.aggregations }),
  };
}
