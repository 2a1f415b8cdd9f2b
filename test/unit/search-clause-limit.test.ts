/**
 * Clause count: a query that ES would refuse as "too many clauses" is INVALID_INPUT naming `query`
 * and the limit, from the searcher's estimate or from ES's own refusal.
 */
import { describe, expect, it } from 'vitest';
import {
  ES_MIN_MAX_CLAUSE_COUNT,
  estimateClauseCount,
  estimateTokens,
  nodeClauseLimit,
} from '../../engine/search/clause-limit.ts';
import { queryRefusalOf } from '../../engine/es/query-refusals.ts';
import { prepare, seedSearchConfig } from './search-fixtures.ts';
import { prepareSearch } from '../../engine/search/searcher.ts';

const HAN = '的一是不了人我在有他这为之大来以个中上们';
const cjk = (length: number): string =>
  Array.from({ length }, (_, i) => HAN[(i * 7) % HAN.length]).join('');

describe('estimate', () => {
  it('counts CJK characters and other words as the standard analyzer does', () => {
    expect(estimateTokens('手机壳 red case-2')).toBe(3 + 3);
    expect(estimateTokens('  ')).toBe(0);
  });

  it('a multi_match costs tokens × fields; a phrase one per field; filters one each', () => {
    expect(
      estimateClauseCount({
        bool: {
          filter: [{ term: { tenant_id: '1' } }, { range: { min_price: { gte: 1 } } }],
          must: [
            { multi_match: { query: '红色 phone', fields: ['a', 'b', 'c'] } },
            { multi_match: { query: '红色 phone', fields: ['a', 'b'], type: 'phrase' } },
          ],
        },
      }),
    ).toBe(2 + 3 * 3 + 2);
  });

  it('the default config: a long CJK query is refused naming query and the limit', async () => {
    const config = seedSearchConfig();
    const deps = { languageDetector: null, maxClauseCount: 8192 };
    await expect(
      prepareSearch({ tenantId: '1', query: cjk(684) }, config, deps),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: /^query: .*at most 8192 \(indices\.query\.bool\.max_clause_count\)/,
      details: { where: 'query', maxClauseCount: 8192 },
    });
    // Shorter, the same query builds.
    await expect(
      prepareSearch({ tenantId: '1', query: cjk(400) }, config, deps),
    ).resolves.toBeDefined();
    // Without a known limit there is no pre-check (ES's refusal is mapped instead).
    await expect(prepare({ tenantId: '1', query: cjk(684) })).resolves.toBeDefined();
  });
});

describe('the cluster limit', () => {
  it('is the explicit setting when there is one', () => {
    expect(
      nodeClauseLimit({ settings: { indices: { query: { bool: { max_clause_count: '4096' } } } } }),
    ).toBe(4096);
  });

  it('is heap MB × 64 / search threads otherwise, never below 1024', () => {
    const node = (heapMb: number, threads: number) => ({
      jvm: { mem: { heap_max_in_bytes: heapMb * 1024 * 1024 } },
      thread_pool: { search: { size: threads } },
    });
    expect(nodeClauseLimit(node(512, 4))).toBe(8192);
    expect(nodeClauseLimit(node(64, 13))).toBe(ES_MIN_MAX_CLAUSE_COUNT);
    expect(nodeClauseLimit({})).toBeNull();
  });
});

describe("ES's own refusal", () => {
  // The body ES 8.19 answered for a 684-character CJK query over 13 fields.
  const body = {
    error: {
      root_cause: [
        { type: 'illegal_argument_exception', reason: 'Query rewrite failed: too many clauses' },
      ],
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
      failed_shards: [
        {
          shard: 0,
          reason: {
            type: 'illegal_argument_exception',
            reason: 'Query rewrite failed: too many clauses',
            caused_by: {
              type: 'too_many_nested_clauses',
              reason: 'Query contains too many nested clauses; maxClauseCount is set to 8192',
            },
          },
        },
      ],
    },
    status: 400,
  };

  it('becomes INVALID_INPUT naming query and the limit', () => {
    expect(queryRefusalOf(body)).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^query: .*at most 8192/),
      details: { where: 'query', maxClauseCount: 8192 },
    });
  });

  it('too_many_clauses without a number is still INVALID_INPUT', () => {
    expect(queryRefusalOf({ error: { type: 'too_many_clauses', reason: 'boom' } })?.code).toBe(
      'INVALID_INPUT',
    );
  });

  it('other errors are left alone', () => {
    expect(
      queryRefusalOf({ error: { type: 'index_not_found_exception', reason: 'no such index' } }),
    ).toBeNull();
    expect(queryRefusalOf(undefined)).toBeNull();
  });
});
