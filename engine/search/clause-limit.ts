/**
 * ES refuses a query whose Lucene form has more clauses than `indices.query.bool.max_clause_count`
 * ("too many clauses", a 5xx to our callers before). A multi_match becomes one term query per
 * analyzed token per field, so a long CJK query (one token per character under the standard
 * analyzer) over 13 fields passes the query-length limit and still overflows. This module
 * estimates the clause count of a built query and learns the cluster's limit, so the searcher
 * can answer INVALID_INPUT naming `query` and the limit before sending anything.
 *
 * The estimate counts CJK characters (Han, kana) one token each and other letter/digit runs one
 * token each: exact for the standard analyzer, an upper bound for smarter CJK analyzers. Fuzzy
 * expansions are not counted (they depend on the index); ES's own refusal is still mapped to
 * INVALID_INPUT (engine/es/query-refusals.ts), so a wrong estimate never surfaces as a 5xx.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { RwbError } from '../errors.ts';

/** ES's floor: the limit is never lower than this, whatever the heap. */
export const ES_MIN_MAX_CLAUSE_COUNT = 1024;

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;
const OTHER_RUN = /[\p{L}\p{N}]+/gu;

/** Tokens the standard analyzer makes of `text` (CJK: one per character). */
export function estimateTokens(text: string): number {
  const cjk = text.match(CJK_CHAR)?.length ?? 0;
  const rest = text.replace(CJK_CHAR, ' ').match(OTHER_RUN)?.length ?? 0;
  return cjk + rest;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function multiMatchClauses(body: unknown): number {
  if (!isObject(body)) return 1;
  const fields = Array.isArray(body.fields) ? Math.max(1, body.fields.length) : 1;
  const text = typeof body.query === 'string' ? body.query : '';
  // A phrase is one positional query per field; otherwise one term query per token per field.
  const perField =
    body.type === 'phrase' || body.type === 'phrase_prefix' ? 1 : estimateTokens(text);
  return Math.max(1, perField) * fields;
}

/** Leaf queries the estimate counts as one clause each. */
const LEAVES = new Set([
  'term',
  'terms',
  'range',
  'exists',
  'match_all',
  'match_none',
  'prefix',
  'wildcard',
  'ids',
  'script',
  'knn',
  'rank_feature',
  'distance_feature',
]);

/** Estimated Lucene clauses of an ES query (every leaf query, counted the way Lucene's check does). */
export function estimateClauseCount(query: estypes.QueryDslQueryContainer | undefined): number {
  let count = 0;
  const stack: unknown[] = [query];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (!isObject(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      // combined_fields is one term query per token per field too (Lucene counts its terms).
      if (key === 'multi_match' || key === 'combined_fields') count += multiMatchClauses(value);
      else if (key === 'match' && isObject(value)) {
        for (const inner of Object.values(value)) {
          count +=
            isObject(inner) && typeof inner.query === 'string' ? estimateTokens(inner.query) : 1;
        }
      } else if (LEAVES.has(key)) count += 1;
      else if (typeof value === 'object' && value !== null) stack.push(value);
    }
  }
  return count;
}

/** INVALID_INPUT when the request's query would be over `limit` clauses. */
export function checkClauseCount(request: estypes.SearchRequest, limit: number | null): void {
  if (limit === null) return;
  const estimated = estimateClauseCount(request.query);
  if (estimated <= limit) return;
  throw new RwbError(
    'INVALID_INPUT',
    `query: too long for this cluster: searched over its fields it becomes about ${estimated} clauses, ` +
      `and Elasticsearch allows at most ${limit} (indices.query.bool.max_clause_count); ` +
      'shorten the query or search a domain with fewer fields',
    { where: 'query', estimatedClauses: estimated, maxClauseCount: limit },
  );
}

interface NodeInfo {
  settings?: { indices?: { query?: { bool?: { max_clause_count?: string | number } } } };
  jvm?: { mem?: { heap_max_in_bytes?: number } };
  thread_pool?: { search?: { size?: number; max?: number } };
}

/**
 * The limit one node applies: the explicit setting, else what ES 8 derives from the heap and the
 * search thread pool (SearchUtils.calculateMaxClauseValue: heap MB × 64 / threads, at least 1024).
 */
export function nodeClauseLimit(node: NodeInfo): number | null {
  const explicit = Number(node.settings?.indices?.query?.bool?.max_clause_count);
  if (Number.isInteger(explicit) && explicit > 0) return explicit;
  const heapMb = Math.floor((node.jvm?.mem?.heap_max_in_bytes ?? 0) / (1024 * 1024));
  const threads = node.thread_pool?.search?.max ?? node.thread_pool?.search?.size ?? 0;
  if (heapMb <= 0 || threads <= 0) return null;
  return Math.max(ES_MIN_MAX_CLAUSE_COUNT, Math.floor((heapMb * 64) / threads));
}

const LIMIT_TTL_MS = 10 * 60_000;
const learned = new WeakMap<Client, { at: number; limit: Promise<number | null> }>();

async function askCluster(client: Client): Promise<number | null> {
  try {
    const info = await client.nodes.info(
      {
        metric: ['settings', 'jvm', 'thread_pool'],
        filter_path: [
          'nodes.*.settings.indices.query.bool.max_clause_count',
          'nodes.*.jvm.mem.heap_max_in_bytes',
          'nodes.*.thread_pool.search',
        ],
      },
      { maxRetries: 0 },
    );
    const limits = Object.values((info.nodes ?? {}) as Record<string, NodeInfo>).map(
      nodeClauseLimit,
    );
    if (limits.length === 0 || limits.some((limit) => limit === null)) return null;
    // A shard may live on any node: the smallest limit is the one a query must fit.
    return Math.min(...(limits as number[]));
  } catch {
    // No monitor privilege, or an older cluster: no pre-check; ES's own refusal is still a 4xx.
    return null;
  }
}

/** The cluster's clause limit (cached per client for 10 minutes), or null when it cannot be learned. */
export function clauseLimitOf(client: Client): Promise<number | null> {
  const cached = learned.get(client);
  if (cached !== undefined && performance.now() - cached.at < LIMIT_TTL_MS) return cached.limit;
  const limit = askCluster(client);
  learned.set(client, { at: performance.now(), limit });
  return limit;
}
