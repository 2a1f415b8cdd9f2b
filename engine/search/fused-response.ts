/**
 * Reading the answers of a planned search back into one page. With ranking.fusion `sum` (or
 * nothing to fuse) the plan is one request and its answer is the page. With `linear` / `rrf` the
 * plan is a lexical search, one search per kNN source and a count request (build-request.ts
 * FusionPlan); `fusedPage` ranks their hits with fuseRankings and slices from/size. Everything
 * that searches — the searcher, `rwb serve`, the eval runner, the tuner, the workbench's
 * live metric — goes through `fusedPage`, so they rank identically.
 */
import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import { esErrorToRwb } from '../es/client.ts';
import { RwbError } from '../errors.ts';
import type { FusionPlan, PlannedSearch } from './build-request.ts';
import { fetchRequest, searchBodies } from './build-request.ts';
import { scoreBreakdown } from './explain.ts';
import { hitIdOf } from './hit-id.ts';
import { fuseRankings, type FusedHit } from './fusion.ts';
import type { ScoreBreakdown } from './response-schema.ts';

export interface FusedEntry<T> {
  readonly fused: FusedHit;
  /** Per sub-search (in `fusion.searches` order): its hit for this document, if it returned it. */
  readonly hits: ReadonlyArray<T | undefined>;
}

/**
 * The fused page: `lists[i]` are the hits of `fusion.searches[i]` in rank order; `keyOf` must
 * identify a document the same way in every list.
 */
export function fusedPage<T>(
  fusion: FusionPlan,
  lists: ReadonlyArray<readonly T[]>,
  keyOf: (hit: T) => string,
  scoreOf: (hit: T) => number,
  from: number,
  size: number,
): Array<FusedEntry<T>> {
  if (lists.length !== fusion.searches.length) {
    throw new RwbError(
      'INTERNAL',
      `fusion: ${lists.length} result lists for ${fusion.searches.length} searches`,
    );
  }
  const fused = fuseRankings(
    fusion.searches.map((search, i) => ({
      source: search.source,
      weight: search.weight,
      hits: lists[i]!.map((hit) => ({ key: keyOf(hit), score: scoreOf(hit) })),
    })),
    fusion.settings,
    from + size,
  );
  // Each part's rank points into its list (the lists fuseRankings kept: weight > 0, in order);
  // a list that took no part is searched by key.
  const active = fusion.searches.flatMap((search, i) => (search.weight > 0 ? [i] : []));
  const idle = new Map<number, Map<string, T>>();
  const lookup = (list: number, key: string): T | undefined => {
    let byKey = idle.get(list);
    if (byKey === undefined) {
      byKey = new Map(lists[list]!.map((hit) => [keyOf(hit), hit] as const));
      idle.set(list, byKey);
    }
    return byKey.get(key);
  };
  return fused.slice(from, from + size).map((entry) => {
    const hits = lists.map((): T | undefined => undefined);
    entry.parts.forEach((part, p) => {
      if (part.rank !== null) hits[active[p]!] = lists[active[p]!]![part.rank - 1];
    });
    fusion.searches.forEach((search, i) => {
      if (!(search.weight > 0)) hits[i] = lookup(i, entry.key);
    });
    return { fused: entry, hits };
  });
}

type Hit = estypes.SearchHit<unknown>;

/** One search's page, assembled; `breakdowns` (by `_id`) replace the ES explain for fused hits. */
export interface AssembledResponse {
  readonly response: estypes.SearchResponse<unknown>;
  readonly breakdowns: ReadonlyMap<string, ScoreBreakdown> | null;
}

function fusedBreakdown(
  entry: FusedEntry<Hit>,
  fusion: FusionPlan,
  explain: boolean,
): ScoreBreakdown | null {
  if (!explain) return null;
  let lexical: ScoreBreakdown | null = null;
  let text = 0;
  let image = 0;
  fusion.searches.forEach((search, i) => {
    const hit = entry.hits[i];
    if (hit === undefined) return;
    if (search.source === 'lexical') {
      if (hit._explanation !== undefined) lexical = scoreBreakdown(hit._explanation);
    } else if (search.source === 'text_knn') text = hit._score ?? 0;
    else image = hit._score ?? 0;
  });
  const base = lexical as ScoreBreakdown | null;
  return {
    total: entry.fused.score,
    lexical: base?.lexical ?? { total: 0, fields: {} },
    knn: { text, image },
    functions: base?.functions ?? 0,
    other: base?.other ?? 0,
    fusion: {
      method: fusion.settings.method,
      parts: entry.fused.parts.map((part) => ({ ...part })),
    },
  };
}

/**
 * The fused page from the answers to `searchBodies(planned)` (in that order): the hits ranked by
 * fusedPage, `_score` = the fused score, with the count request's total and aggregations. The
 * sub-searches return ids and scores only; `fetched` (the answer to `fetchRequest` for the page's
 * ids) gives each hit its `_source` and highlights.
 */
export function assembleFusedResponse(
  planned: PlannedSearch,
  responses: ReadonlyArray<estypes.SearchResponse<unknown>>,
  fetched: estypes.SearchResponse<unknown> | null,
): AssembledResponse {
  const { resolved } = planned.plan;
  const fusion = planned.plan.fusion!;
  const subs = responses.slice(0, fusion.searches.length);
  const count = responses[fusion.searches.length]!;
  const page = fusedPageOf(planned, subs);
  const documents = new Map((fetched?.hits.hits ?? []).map((hit) => [hit._id ?? '', hit]));
  const explain = resolved.request.explain;
  const breakdowns = new Map<string, ScoreBreakdown>();
  const hits = page.map((entry) => {
    const base = entry.hits.find((hit) => hit !== undefined)!;
    const document = documents.get(entry.fused.key);
    // The sub-searches read ids from doc values (hit-id.ts): the key is the `_id`.
    const breakdown = fusedBreakdown(entry, fusion, explain);
    if (breakdown !== null) breakdowns.set(entry.fused.key, breakdown);
    return {
      _index: base._index,
      _id: entry.fused.key,
      _score: entry.fused.score,
      ...(document?._source === undefined ? {} : { _source: document._source }),
      ...(document?.highlight === undefined ? {} : { highlight: document.highlight }),
    } as Hit;
  });
  return {
    response: {
      took: Math.max(...responses.map((response) => response.took), fetched?.took ?? 0),
      timed_out: responses.some((response) => response.timed_out),
      _shards: count._shards,
      hits: { total: count.hits.total, max_score: hits[0]?._score ?? null, hits },
      ...(count.aggregations === undefined ? {} : { aggregations: count.aggregations }),
    },
    breakdowns: explain ? breakdowns : null,
  };
}

function fusedPageOf(
  planned: PlannedSearch,
  subs: ReadonlyArray<estypes.SearchResponse<unknown>>,
): Array<FusedEntry<Hit>> {
  const { resolved } = planned.plan;
  return fusedPage(
    planned.plan.fusion!,
    subs.map((response) => response.hits.hits),
    hitIdOf,
    (hit) => hit._score ?? 0,
    resolved.from,
    resolved.size,
  );
}

/** An `_msearch` item's error as the error a plain `_search` would have thrown. */
export function msearchItemError(
  item: estypes.ErrorResponseBase,
  url: string,
  what: string,
): RwbError {
  const status = item.status ?? 500;
  const response = new errors.ResponseError({
    body: { error: item.error, status },
    statusCode: status,
    headers: {},
    warnings: null,
    meta: {} as never,
  });
  return esErrorToRwb(response, url, what);
}

export interface ExecuteOptions {
  readonly signal?: AbortSignal;
  /** The cluster URL, for error messages. */
  readonly url: string;
  /** Transport options (timeouts) for the request. */
  readonly requestOptions?: Record<string, unknown>;
}

/**
 * Runs a planned search: one `_search`, or one `_msearch` of the fusion's searches; ES errors
 * become the same RwbErrors either way.
 */
export async function executePlannedSearch(
  client: Client,
  index: string,
  planned: PlannedSearch,
  options: ExecuteOptions,
): Promise<AssembledResponse> {
  const what = `searching index ${index}`;
  const transport = {
    ...options.requestOptions,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  try {
    if (planned.plan.fusion === null) {
      const response = await client.search({ ...planned.request, index }, transport);
      return { response, breakdowns: null };
    }
    const searches: estypes.MsearchRequestItem[] = [];
    for (const body of searchBodies(planned))
      searches.push({ index }, body as estypes.MsearchMultisearchBody);
    const answer = await client.msearch({ searches }, transport);
    const responses = answer.responses.map((item) => {
      if ('error' in item) throw msearchItemError(item, options.url, what);
      return item as estypes.SearchResponse<unknown>;
    });
    // Second round: the page's documents, now that the fusion chose them.
    const ids = fusedPageOf(planned, responses.slice(0, planned.plan.fusion.searches.length)).map(
      (entry) => entry.fused.key,
    );
    const fetched =
      ids.length === 0
        ? null
        : await client.search({ ...fetchRequest(planned.plan.fusion, ids), index }, transport);
    return assembleFusedResponse(planned, responses, fetched);
  } catch (err) {
    if (options.signal?.aborted)
      throw new RwbError('CANCELLED', 'The search was cancelled', undefined, { cause: err });
    throw esErrorToRwb(err, options.url, what);
  }
}
