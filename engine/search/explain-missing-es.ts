/**
 * The Elasticsearch side of explain-missing.ts: the config's ranking asked deep (one `_search`, or
 * the fusion's sub-searches fused over their whole lists), the explain of chosen ids under the
 * request that ranks them, plain ranks, one-document counts, and the index's English analysis.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { FusionPlan } from './build-request.ts';
import { scoreBreakdown } from './explain.ts';
import { msearchItemError } from './fused-response.ts';
import { fuseRankings, type FusedHit, type RankedList } from './fusion.ts';
import { hitIdOf, idOnlyRequest } from './hit-id.ts';
import type { ScoreBreakdown } from './response-schema.ts';
import type { PreparedSearch } from './searcher.ts';

type Query = estypes.QueryDslQueryContainer;

export interface Ranked {
  key: string;
  score: number;
}

export const KNN_LIMIT = 10_000;

/** The request without what a ranking of ids does not need (ids from doc values: hit-id.ts). */
export function idsOnly(request: estypes.SearchRequest): estypes.SearchRequest {
  const { aggs: _aggs, explain: _explain, ...rest } = request;
  return idOnlyRequest(rest);
}

export function withIdsPostFilter(
  request: estypes.SearchRequest,
  ids: readonly string[],
): estypes.SearchRequest {
  const only: Query = { ids: { values: [...ids] } };
  const post =
    request.post_filter === undefined ? only : { bool: { filter: [request.post_filter, only] } };
  return {
    ...idsOnly(request),
    from: 0,
    size: ids.length,
    explain: true,
    post_filter: post,
    track_total_hits: false,
  };
}

export function cosine(a: readonly number[], b: readonly number[]): number | null {
  if (a.length === 0 || a.length !== b.length) return null;
  let dotSum = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dotSum += x * b[i]!;
    na += x * x;
    nb += b[i]! * b[i]!;
  });
  return na > 0 && nb > 0 ? dotSum / Math.sqrt(na * nb) : null;
}

export async function exists(client: Client, index: string, query: Query): Promise<boolean> {
  const answer = await client.count({ index, query });
  return answer.count > 0;
}

export function fusedBreakdownOf(
  fused: FusedHit | undefined,
  fusion: FusionPlan,
  lexical: ScoreBreakdown | undefined,
): ScoreBreakdown | null {
  if (fused === undefined) return lexical ?? null;
  const score = (source: string): number =>
    fused.parts.find((part) => part.source === source)?.score ?? 0;
  return {
    total: fused.score,
    lexical: lexical?.lexical ?? { total: 0, fields: {} },
    knn: { text: score('text_knn'), image: score('image_knn') },
    functions: lexical?.functions ?? 0,
    other: lexical?.other ?? 0,
    fusion: { method: fusion.settings.method, parts: fused.parts.map((part) => ({ ...part })) },
  };
}

/** Index `_meta.analysis.en.family` (`standard`, `english`, `rwb_english`), null when absent. */
export async function englishFamily(client: Client, index: string): Promise<string | null> {
  const mapping = await client.indices.getMapping({ index });
  const meta = Object.values(mapping)[0]?.mappings._meta as
    { analysis?: { en?: { family?: unknown } } } | undefined;
  const family = meta?.analysis?.en?.family;
  return typeof family === 'string' ? family : null;
}

export interface DeepRanking {
  ranking: Ranked[];
  matched: number;
  lists: RankedList[] | null;
}

export async function rankDeep(
  client: Client,
  index: string,
  prepared: PreparedSearch,
  depth: number,
  url: string,
): Promise<DeepRanking> {
  const fusion = prepared.plan.fusion;
  if (fusion === null) {
    const body = { ...idsOnly(prepared.request), from: 0, size: depth, track_total_hits: true };
    const answer = await client.search({ ...body, index });
    const total = answer.hits.total;
    return {
      ranking: answer.hits.hits.map((hit) => ({ key: hitIdOf(hit), score: hit._score ?? 0 })),
      matched: typeof total === 'number' ? total : (total?.value ?? 0),
      lists: null,
    };
  }
  const searches: estypes.MsearchRequestItem[] = [];
  for (const body of [...fusion.searches.map((s) => s.request), fusion.count])
    searches.push({ index }, body as estypes.MsearchMultisearchBody);
  const answer = await client.msearch({ searches });
  const responses = answer.responses.map((item) => {
    if ('error' in item) throw msearchItemError(item, url, `searching index ${index}`);
    return item as estypes.SearchResponse<unknown>;
  });
  const lists: RankedList[] = fusion.searches.map((search, i) => ({
    source: search.source,
    weight: search.weight,
    hits: responses[i]!.hits.hits.map((hit) => ({ key: hitIdOf(hit), score: hit._score ?? 0 })),
  }));
  const fused = fuseRankings(lists, fusion.settings);
  const total = responses[fusion.searches.length]!.hits.total;
  return {
    ranking: fused.slice(0, depth).map((hit) => ({ key: hit.key, score: hit.score })),
    matched: typeof total === 'number' ? total : (total?.value ?? 0),
    lists,
  };
}

/** Breakdowns (by `_id`) of `ids` under the request that ranks them (the lexical one for fusion). */
export async function explainIds(
  client: Client,
  index: string,
  prepared: PreparedSearch,
  ids: readonly string[],
): Promise<Map<string, ScoreBreakdown>> {
  const fusion = prepared.plan.fusion;
  const base = fusion === null ? prepared.request : fusion.searches[0]!.request;
  const answer = await client.search({ ...withIdsPostFilter(base, ids), index });
  const out = new Map<string, ScoreBreakdown>();
  for (const hit of answer.hits.hits)
    if (hit._explanation !== undefined) out.set(hitIdOf(hit), scoreBreakdown(hit._explanation));
  return out;
}

/** The rank of `id` in a plain ranking of `request` (size `depth`), null beyond it. */
export async function rankIn(
  client: Client,
  index: string,
  request: estypes.SearchRequest,
  id: string,
  depth: number,
): Promise<number | null> {
  const answer = await client.search({
    ...idsOnly(request),
    index,
    from: 0,
    size: depth,
    track_total_hits: false,
  });
  const position = answer.hits.hits.findIndex((hit) => hitIdOf(hit) === id);
  return position < 0 ? null : position + 1;
}
