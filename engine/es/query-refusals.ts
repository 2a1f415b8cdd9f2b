/**
 * ES refusals that are about the query a user wrote, not about the cluster: too many clauses
 * (`too_many_clauses`, `too_many_nested_clauses`, "maxClauseCount is set to N"). esErrorToRwb
 * turns them into INVALID_INPUT naming `query` and the limit, so they are a 4xx on every surface
 * even when the searcher's estimate (engine/search/clause-limit.ts) missed them.
 */
import { RwbError } from '../errors.ts';

const CLAUSE_TYPES = new Set(['too_many_clauses', 'too_many_nested_clauses']);
const CLAUSE_MESSAGE = /too many (?:nested )?clauses|maxClauseCount/i;
const CLAUSE_LIMIT = /maxClauseCount is set to (\d+)/i;

interface EsErrorCause {
  type?: unknown;
  reason?: unknown;
  caused_by?: unknown;
  root_cause?: unknown;
  failed_shards?: unknown;
}

/** Every error object in an ES error body (caused_by chains, root causes, shard failures). */
function causesOf(body: unknown): EsErrorCause[] {
  const out: EsErrorCause[] = [];
  const stack: unknown[] = [body];
  while (stack.length > 0 && out.length < 200) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const cause = node as EsErrorCause & { error?: unknown; reason?: unknown };
    out.push(cause);
    stack.push(cause.error, cause.caused_by, cause.root_cause, cause.failed_shards);
    if (typeof cause.reason === 'object') stack.push(cause.reason);
  }
  return out;
}

/** `[multi_match] analyzer [cjk] not found`: a domain's analyzer the cluster does not have. */
const MISSING_ANALYZER = /analyzer \[([^\]]{1,200})\] not found/;

/**
 * INVALID_INPUT when `body` (an ES error response body) says the query has too many clauses;
 * INVALID_CONFIG when it names a search analyzer (a domain's `analyzer`) the cluster lacks.
 */
export function queryRefusalOf(body: unknown): RwbError | null {
  for (const cause of causesOf(body)) {
    const analyzer = MISSING_ANALYZER.exec(typeof cause.reason === 'string' ? cause.reason : '');
    if (analyzer !== null) {
      return new RwbError(
        'INVALID_CONFIG',
        `domains[].analyzer: Elasticsearch has no analyzer "${analyzer[1]}" (a plugin's analyzer needs the plugin; a node with only core analysis has standard, simple, whitespace, stop, keyword, pattern, fingerprint); install it or remove the domain's analyzer`,
        { where: 'domains[].analyzer', analyzer: analyzer[1] },
      );
    }
  }
  let refused = false;
  let limit: number | null = null;
  for (const cause of causesOf(body)) {
    const reason = typeof cause.reason === 'string' ? cause.reason : '';
    if (
      (typeof cause.type === 'string' && CLAUSE_TYPES.has(cause.type)) ||
      CLAUSE_MESSAGE.test(reason)
    ) {
      refused = true;
      const stated = CLAUSE_LIMIT.exec(reason)?.[1];
      if (stated !== undefined) limit = Number(stated);
    }
  }
  if (!refused) return null;
  const allowed = limit === null ? '' : ` (at most ${limit}, indices.query.bool.max_clause_count)`;
  return new RwbError(
    'INVALID_INPUT',
    `query: Elasticsearch refused it as too many clauses${allowed}; shorten the query or search a domain with fewer fields`,
    { where: 'query', ...(limit === null ? {} : { maxClauseCount: limit }) },
  );
}
