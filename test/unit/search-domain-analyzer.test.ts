/** The domain `analyzer` setting (seed §2.2 "默认分析器"): used in multi_match, checked on load. */
import { describe, expect, it } from 'vitest';
import { defaultSearchConfig, validateSearchConfig } from '../../engine/config/search-config.ts';
import { queryRefusalOf } from '../../engine/es/query-refusals.ts';
import { build, recallOf, seedSearchConfig } from './search-fixtures.ts';

/** Every multi_match in a query tree. */
function multiMatches(node: unknown): Array<Record<string, unknown>> {
  if (node === null || typeof node !== 'object') return [];
  const out: Array<Record<string, unknown>> = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'multi_match') out.push(value as Record<string, unknown>);
    else out.push(...multiMatches(value));
  }
  return out;
}

describe('domain analyzer', () => {
  it('is the search analyzer of every multi_match of that domain, and only that domain', async () => {
    const config = seedSearchConfig((c) => {
      c.domains.find((d) => d.name === 'name')!.analyzer = 'cjk';
    });
    const body = await build({ tenantId: '1', query: 'name:"芭比 娃娃" OR 手机' }, config);
    const matches = multiMatches(recallOf(body));
    // The `name` domain searches title_zh alone; the default domain searches several fields.
    const named = matches.filter((m) => (m.fields as string[]).join() === 'title_zh');
    expect(named.map((m) => m.type)).toEqual(['phrase']);
    for (const match of named) expect(match.analyzer).toBe('cjk');
    const others = matches.filter((m) => !named.includes(m));
    expect(others.length).toBeGreaterThan(0);
    for (const match of others) expect(match).not.toHaveProperty('analyzer');
  });

  it('is left to each field when absent (the default config names none)', async () => {
    const body = await build({ tenantId: '1', query: '手机' }, seedSearchConfig());
    const matches = multiMatches(recallOf(body));
    expect(matches.length).toBeGreaterThan(0);
    for (const match of matches) expect(match).not.toHaveProperty('analyzer');
  });

  it('must be an analyzer the index has, with a message saying what to do', () => {
    const config = structuredClone(defaultSearchConfig());
    config.domains[0]!.analyzer = 'chinese_ecommerce';
    const result = validateSearchConfig(config);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        path: 'domains[0].analyzer',
        message: expect.stringMatching(
          /"chinese_ecommerce" is not an analyzer the index has.*remove it/,
        ),
      },
    ]);
    config.domains[0]!.analyzer = 'ik_smart';
    expect(validateSearchConfig(config).ok).toBe(true);
  });
});

describe('an analyzer the cluster lacks', () => {
  it('is a typed config error naming it, not an ES failure', () => {
    // The body Elasticsearch 8 answers for multi_match with `"analyzer": "cjk"` on a node without it.
    const reason = {
      type: 'query_shard_exception',
      reason: '[multi_match] analyzer [cjk] not found',
    };
    const error = queryRefusalOf({
      error: {
        root_cause: [reason],
        type: 'search_phase_execution_exception',
        reason: 'all shards failed',
        failed_shards: [{ shard: 0, reason }],
      },
      status: 400,
    });
    expect(error?.code).toBe('INVALID_CONFIG');
    expect(error?.message).toMatch(/no analyzer "cjk".*remove the domain's analyzer/);
    expect(queryRefusalOf({ error: { type: 'x', reason: 'something else' } })).toBeNull();
  });
});
