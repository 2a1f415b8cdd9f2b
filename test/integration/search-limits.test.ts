/**
 * What ES would refuse is INVALID_INPUT on a real cluster (RWB_ES_URL): a long CJK query that
 * expands past indices.query.bool.max_clause_count (from the searcher's estimate with the limit
 * learned from the cluster, and from ES's own refusal when no estimate ran), and calendar dates
 * ES cannot parse. Valid neighbours of each still search.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { createEsClient } from '../../engine/es/client.ts';
import { deleteIndex, ensureIndex } from '../../engine/es/index.ts';
import { RwbError } from '../../engine/errors.ts';
import { msearchBatch } from '../../engine/eval/runner-msearch.ts';
import { clauseLimitOf, estimateClauseCount } from '../../engine/search/clause-limit.ts';
import { prepareSearch, search, type SearchDependencies } from '../../engine/search/searcher.ts';
import { describeWith, esAvailable, esUrl, requireComponent } from '../helpers/components.ts';

const missingEs = await requireComponent(`Elasticsearch at ${esUrl()}`, () => esAvailable());

const HAN = '的一是不了人我在有他这为之大来以个中上们';
/**
 * Distinct Han characters: Lucene merges repeated SHOULD clauses of a plain disjunction (no
 * minimum_should_match) into one boosted clause, so only distinct terms count against the limit.
 */
const cjk = (length: number): string =>
  Array.from({ length }, (_, i) => String.fromCodePoint(0x4e00 + i * 3)).join('');

async function refusal(promise: Promise<unknown>): Promise<RwbError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(RwbError);
  return error as RwbError;
}

describeWith([missingEs], 'limits of ES checked before ES, on a real cluster', () => {
  const index = `rwb_test_limits_${randomUUID().slice(0, 8)}`;
  const tenantId = `limits-${randomUUID().slice(0, 8)}`;
  let client: Client;
  let config: SearchConfig;
  let limit: number;
  const deps = (extra: Partial<SearchDependencies> = {}): SearchDependencies => ({
    languageDetector: null,
    url: esUrl(),
    ...extra,
  });

  beforeAll(async () => {
    client = createEsClient({ url: esUrl() });
    await ensureIndex(client, { index, url: esUrl() });
    await client.index({
      index,
      id: `${tenantId}:1`,
      document: {
        tenant_id: tenantId,
        spu_id: '1',
        title_zh: `${HAN}手机`,
        title_en: 'phone',
        create_time: '2024-02-29T08:00:00Z',
        update_time: '2024-02-29T08:00:00Z',
      },
      refresh: true,
    });
    config = defaultSearchConfig();
    const learned = await clauseLimitOf(client);
    expect(learned).not.toBeNull();
    limit = learned!;
  });

  afterAll(async () => {
    await deleteIndex(client, index).catch(() => undefined);
    await client?.close();
  });

  /**
   * ES enforces its clause limit on a query with a minimum_should_match (each term its own
   * clause); a plain disjunction of many terms it accepts (schema v2's default has no msm).
   */
  const withMsm = (): SearchConfig =>
    parseSearchConfig({
      ...config,
      query: { ...config.query, maxQueryLength: 10_000 },
      ranking: { ...config.ranking, minimumShouldMatch: '75%' },
    });
  /** Distinct Latin words: one token each whatever the analyzer (jieba, stemming, standard). */
  const words = (n: number): string =>
    Array.from({ length: n }, (_, i) => `x${i.toString(36)}q`).join(' ');

  /** The longest CJK query whose estimate fits the limit, and the shortest that does not. */
  async function lengthsAroundLimit(): Promise<{ fits: number; over: number }> {
    let fits = 1;
    let over = config.query.maxQueryLength;
    const clauses = async (n: number): Promise<number> => {
      const prepared = await prepareSearch({ tenantId, query: cjk(n) }, config, deps());
      return estimateClauseCount(prepared.request.query);
    };
    if ((await clauses(over)) <= limit) return { fits: over, over: over + 1 };
    while (over - fits > 1) {
      const mid = Math.floor((fits + over) / 2);
      if ((await clauses(mid)) <= limit) fits = mid;
      else over = mid;
    }
    return { fits, over };
  }

  it('a CJK query over the clause limit is INVALID_INPUT naming query and the learned limit', async () => {
    const { fits, over } = await lengthsAroundLimit();
    expect(over).toBeLessThanOrEqual(config.query.maxQueryLength);
    const error = await refusal(
      search(client, index, { tenantId, query: cjk(over) }, config, deps()),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(new RegExp(`^query: .*at most ${limit} `));
    // One character shorter, ES takes it: the estimate matches what the cluster enforces.
    const response = await search(client, index, { tenantId, query: cjk(fits) }, config, deps());
    expect(response.total).toBeGreaterThanOrEqual(0);
  });

  it("without the estimate, ES's own refusal is INVALID_INPUT with ES's limit", async () => {
    const error = await refusal(
      search(
        client,
        index,
        { tenantId, query: words(1500) },
        withMsm(),
        deps({ maxClauseCount: null }),
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/^query: Elasticsearch refused it as too many clauses/);
    expect(error.details).toMatchObject({ where: 'query', maxClauseCount: limit });
  });

  it("in an evaluation _msearch, the refusal is that query's INVALID_INPUT; the others run", async () => {
    const bodies = await Promise.all(
      [words(1500), cjk(3)].map(
        async (query) => (await prepareSearch({ tenantId, query }, withMsm(), deps())).request,
      ),
    );
    const { outcomes } = await msearchBatch(client, index, bodies, { tenantId, url: esUrl() });
    expect(outcomes[0]).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^query: .*too many clauses/),
      },
    });
    expect(outcomes[1]?.ok).toBe(true);
  });

  it.each([
    ['2024-02-30', /February has 29 days in 2024/],
    ['2023-02-29', /February has 28 days in 2023/],
    ['2024-13-01', /month 13/],
    ['2024-01-01T25:00:00Z', /hour 25/],
  ])('range filter with %s is INVALID_INPUT naming the field and value', async (date, reason) => {
    const error = await refusal(
      search(client, index, { tenantId, filters: { create_time: { gte: date } } }, config, deps()),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(`filters.create_time.gte "${date}"`);
    expect(error.message).toMatch(reason);
  });

  it('valid dates search (leap day, a space before the time)', async () => {
    const response = await search(
      client,
      index,
      {
        tenantId,
        filters: { create_time: { gte: '2024-02-29 00:00:00Z', lt: '2024-03-01' } },
        facets: [],
      },
      config,
      deps(),
    );
    expect(response.results.map((hit) => hit.spu_id)).toEqual(['1']);
    const none = await search(
      client,
      index,
      { tenantId, filters: { update_time: '2023-02-28' }, facets: [] },
      config,
      deps(),
    );
    expect(none.total).toBe(0);
  });
});
