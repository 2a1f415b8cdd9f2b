/**
 * The workbench operations without Elasticsearch: working config and revisions (RWB_HOME per
 * test file), slider overrides and tunables, query.check tokens and error positions, the compare
 * arithmetic, bundle re-load refusing secrets, secrets sources, and ES-facing calls failing with
 * a typed error when the cluster is unreachable.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiContext, type ApiContext } from '../../engine/api/context.ts';
import { useThrowawayHome } from '../helpers/throwaway-home.ts';
import { invoke, invokeOperation } from '../../engine/api/invoke.ts';
import { relayedSecrets, secretsFromEnv } from '../../engine/api/ops/app-secrets.ts';
import { applyOverrides, tunablesOf } from '../../engine/api/ops/config-resolve.ts';
import { serveCommand } from '../../engine/api/ops/config-export.ts';
import { compareResponses } from '../../engine/api/ops/search-compare.ts';
import { highlightSpans } from '../../engine/api/ops/search.ts';
import { defaultSearchConfig, parseSearchConfig } from '../../engine/config/search-config.ts';
import type { RwbError } from '../../engine/errors.ts';
import { tokenize } from '../../engine/query/lexer.ts';
import type { SearchResponse, SpuResult } from '../../engine/search/response-schema.ts';

let ctx: ApiContext;

const throwaway = useThrowawayHome('rwb-ops-', { requestTimeoutMs: 2000 });
beforeAll(() => {
  ctx = throwaway.ctx();
});

async function failure(name: string, input: unknown): Promise<RwbError> {
  try {
    await invokeOperation(name, input, ctx);
  } catch (err) {
    return err as RwbError;
  }
  throw new Error(`${name} accepted ${JSON.stringify(input)}`);
}

describe('working config and revisions', () => {
  it('starts from the default, moves with overrides, saves as a revision with its parent', async () => {
    const first = await invoke('config.get', undefined, ctx);
    expect(first).toMatchObject({ baseRevisionId: null, dirty: true });
    expect(first.tunables.find((t) => t.path === 'domains.title.boost')).toMatchObject({
      value: 2,
      kind: 'number',
    });

    const saved = await invoke('config.save', { note: 'baseline' }, ctx);
    expect(saved).toMatchObject({
      created: true,
      revision: { note: 'baseline', parent: null },
      working: { dirty: false },
    });
    expect(saved.working.baseRevisionId).toBe(saved.revision.id);

    const moved = await invoke(
      'config.set',
      { overrides: { 'domains.title.boost': 3.5, 'ranking.functions.create_time.enabled': true } },
      ctx,
    );
    expect(moved.dirty).toBe(true);
    expect(moved.baseRevisionId).toBe(saved.revision.id);
    expect(moved.tunables.find((t) => t.path === 'domains.title.boost')?.value).toBe(3.5);
    const second = await invoke('config.save', { note: 'title up' }, ctx);
    expect(second.revision.parent).toBe(saved.revision.id);

    const list = await invoke('config.list', undefined, ctx);
    expect(list.revisions.map((r) => r.note)).toEqual(['title up', 'baseline']);
    expect(list.baseRevisionId).toBe(second.revision.id);

    // Checking out the first revision brings its boosts back; saving it again creates nothing.
    const back = await invoke('config.set', { revisionId: saved.revision.id }, ctx);
    expect(back.tunables.find((t) => t.path === 'domains.title.boost')?.value).toBe(2);
    expect((await invoke('config.save', {}, ctx)).created).toBe(false);
  });

  it('keeps the working config across sessions (persisted under RWB_HOME)', async () => {
    await invoke('config.set', { overrides: { 'ranking.expression.bm25': 0.7 } }, ctx);
    const other = createApiContext({
      mode: 'test',
      es: { url: 'http://127.0.0.1:1', insecure: false, requestTimeoutMs: 2000 },
    });
    try {
      const working = await invoke('config.get', undefined, other);
      expect(working.tunables.find((t) => t.path === 'ranking.expression.bm25')?.value).toBe(0.7);
      expect((working.config as { ranking: { expression: string } }).ranking.expression).toBe(
        '0.7*bm25() + 0.2*text_embedding_relevance()',
      );
    } finally {
      await other.close();
    }
  });

  it('refuses overrides of settings that do not exist and values the schema rejects, naming them', async () => {
    const typo = await failure('config.set', { overrides: { 'domains.title.boots': 2 } });
    expect(typo.code).toBe('INVALID_INPUT');
    expect(typo.message).toContain('domains.title.boots');
    const negative = await failure('config.set', { overrides: { 'domains.title.boost': -1 } });
    expect(negative.code).toBe('INVALID_CONFIG');
    expect(negative.message).toMatch(/domains/);
    const two = await failure('config.set', { reset: true, revisionId: 'rev-x' });
    expect(two.message).toMatch(/exactly one/);
    expect((await failure('config.set', { revisionId: 'rev-0000000000000000' })).code).toBe(
      'NOT_FOUND',
    );
  });

  it('resolves a choice to the effective config with its content id', async () => {
    const plain = await invoke('config.resolve', { choice: {} }, ctx);
    const moved = await invoke(
      'config.resolve',
      { choice: { overrides: { 'domains.brand.boost': 4 } } },
      ctx,
    );
    expect(moved.revisionId).not.toBe(plain.revisionId);
    expect(
      (moved.config.domains as Array<{ name: string; boost: number }>).find(
        (d) => d.name === 'brand',
      )?.boost,
    ).toBe(4);
  });
});

describe('tunables and overrides', () => {
  it('offer every domain, field, kNN and function knob as a slider or switch with sane ranges', () => {
    const config = defaultSearchConfig();
    const tunables = tunablesOf(config);
    const fieldCount = config.domains.reduce((n, d) => n + d.fields.length, 0);
    expect(tunables.filter((t) => t.group === 'Domain boosts')).toHaveLength(config.domains.length);
    expect(tunables.filter((t) => t.group.startsWith('Field boosts'))).toHaveLength(fieldCount);
    // The expression's weights, not the unused query.knn.boost, are the kNN slider.
    expect(tunables.find((t) => t.path === 'query.knn.boost')).toBeUndefined();
    expect(tunables.find((t) => t.path === 'ranking.expression.bm25')).toMatchObject({
      min: 0,
      kind: 'number',
      value: 1,
    });
    expect(tunables.filter((t) => t.group === 'Hybrid fusion').map((t) => t.path)).toEqual([
      'ranking.fusion.method',
      'ranking.fusion.normalizer',
      'ranking.fusion.combination',
      'ranking.fusion.rankConstant',
      'ranking.fusion.rankWindowSize',
    ]);
    const withVectors = structuredClone(config);
    withVectors.query.textEmbedding.enabled = true;
    expect(
      tunablesOf(withVectors).find((t) => t.path === 'ranking.expression.text_embedding_relevance'),
    ).toMatchObject({ value: 0.2, kind: 'number' });
    expect(tunables.filter((t) => t.kind === 'boolean').map((t) => t.path)).toEqual([
      ...config.domains.map((d) => `domains.${d.name}.proximity.enabled`),
      'ranking.functions.create_time.enabled',
      'ranking.functions.total_inventory.enabled',
    ]);
    for (const t of tunables) {
      if (t.kind === 'number') {
        expect(t.min, t.path).toBeLessThanOrEqual(t.value as number);
        expect(t.max, t.path).toBeGreaterThanOrEqual(t.value as number);
      }
      // Every path resolves in the config it came from.
      expect(() => applyOverrides(config, { [t.path]: t.value })).not.toThrow();
    }
  });

  it('offer each domain’s match type and operator as choices, phrase slop and proximity as sliders', () => {
    const config = defaultSearchConfig();
    config.domains[1]!.type = 'phrase';
    const tunables = tunablesOf(config);
    const group = tunables.filter((t) => t.group === 'Text matching · default');
    expect(group.map((t) => [t.path, t.kind, t.value])).toEqual([
      ['domains.default.type', 'choice', 'best_fields'],
      ['domains.default.operator', 'choice', 'or'],
      ['domains.default.proximity.enabled', 'boolean', false],
      ['domains.default.proximity.boost', 'number', 1],
      ['domains.default.proximity.slop', 'number', 2],
    ]);
    expect(group[0]!.options).toEqual([
      'best_fields',
      'most_fields',
      'cross_fields',
      'combined_fields',
      'phrase',
      'phrase_prefix',
      'bool_prefix',
    ]);
    // A phrase domain has a slop slider instead of the operator (which does nothing there).
    const title = tunables.filter((t) => t.group === 'Text matching · title').map((t) => t.path);
    expect(title).toContain('domains.title.slop');
    expect(title).not.toContain('domains.title.operator');

    // Moving the proximity boost of a domain without proximity turns it on (schema defaults).
    const moved = parseSearchConfig(
      applyOverrides(config, {
        'domains.default.proximity.boost': 3,
        'domains.default.type': 'combined_fields',
        'domains.title.slop': 2,
      }),
    );
    expect(moved.domains[0]).toMatchObject({
      type: 'combined_fields',
      proximity: { enabled: true, fields: [], slop: 2, boost: 3 },
    });
    expect(moved.domains[1]!.slop).toBe(2);
    // Still no dead keys: only proximity and slop of an existing domain may be created.
    expect(() => applyOverrides(config, { 'domains.default.proximty.boost': 3 })).toThrow(
      /no such setting/,
    );
    expect(() => applyOverrides(config, { 'domains.nope.proximity.boost': 3 })).toThrow(
      /no such setting/,
    );
    // A type the schema does not know is an INVALID_CONFIG naming the path.
    expect(() =>
      parseSearchConfig(applyOverrides(config, { 'domains.default.type': 'fuzzy' })),
    ).toThrow(/domains\[0\]\.type/);
  });

  it('apply to the named element only and leave the original config untouched', () => {
    const config = defaultSearchConfig();
    const next = applyOverrides(config, {
      'domains.default.fields.title_en.boost': 7,
    }) as typeof config;
    expect(next.domains[0]!.fields.find((f) => f.field === 'title_en')?.boost).toBe(7);
    expect(next.domains[0]!.fields.find((f) => f.field === 'title_zh')?.boost).toBe(3);
    expect(config.domains[0]!.fields.find((f) => f.field === 'title_en')?.boost).toBe(3);
  });
});

describe('query.check', () => {
  it('highlights domains, operators, phrases and parens, marking unknown domains', () => {
    const spans = highlightSpans(
      tokenize('brand:声海 AND ("降噪" OR nope:x)'),
      new Set(['brand', 'default']),
    );
    expect(spans.map((s) => s.kind)).toEqual([
      'domain',
      'domain-value',
      'operator',
      'paren',
      'phrase',
      'operator',
      'unknown-domain',
      'domain-value',
      'paren',
    ]);
    expect(spans[0]).toEqual({ kind: 'domain', start: 0, end: 6 });
  });

  it('answers a parse error with its position and what was expected, tokens up to it', async () => {
    const open = await invoke('query.check', { query: 'title:耳机 AND (蓝牙' }, ctx);
    expect(open.ok).toBe(false);
    expect(open.error).toMatchObject({ kind: 'UNBALANCED_PAREN' });
    expect(open.tokens.length).toBeGreaterThan(2);
    const quote = await invoke('query.check', { query: '耳机 "降噪' }, ctx);
    expect(quote.error).toMatchObject({ kind: 'UNTERMINATED_PHRASE', position: 3 });
    expect(quote.tokens).toEqual([{ kind: 'word', start: 0, end: 2 }]);
    const good = await invoke('query.check', { query: 'wireless headphones' }, ctx);
    expect(good).toMatchObject({
      ok: true,
      error: null,
      language: { language: 'en' },
      expression: 'wireless headphones',
    });
  });
});

function hit(id: string, score = 1): SpuResult {
  return {
    spu_id: id,
    handle: null,
    titles: { zh: `标题${id}`, en: null },
    brief: { zh: null, en: null },
    vendor: { zh: null, en: null },
    category: { name: { zh: null, en: null }, path: { zh: null, en: null }, levels: [] },
    tags: [],
    prices: { min: null, max: null, compare_at: null },
    image: null,
    create_time: null,
    total_inventory: null,
    skus: [],
    relevance_score: score,
    highlights: {},
  };
}

function response(ids: string[], facets: Record<string, number>): SearchResponse {
  return {
    results: ids.map((id) => hit(id)),
    total: ids.length,
    total_relation: 'eq',
    from: 0,
    size: ids.length,
    facets: [
      {
        field: 'category1_name',
        label: '类目',
        type: 'terms',
        values: Object.entries(facets).map(([value, count]) => ({
          value,
          label: value,
          count,
          selected: false,
        })),
      },
    ],
    query: {
      original: 'q',
      rewritten: 'q',
      rewrites: [],
      expression: 'q',
      ast: null,
      language: { language: 'zh', confidence: 1, method: 'script', overridden: false },
      translations: {},
      ranking: {
        expression: '',
        bm25: 1,
        text_embedding: 0,
        image_embedding: 0,
        knn: { text: false, image: false },
        fusion: { method: 'sum', fused: false },
      },
      sort: [],
      took: 3,
      timings: {},
      warnings: [],
    },
    suggestions: [],
    related_searches: [],
  };
}

describe('search.compare arithmetic', () => {
  it('marks rank changes, new and dropped hits, overlap and facet changes against the first column', () => {
    const columns = compareResponses(
      [
        {
          label: 'base',
          revisionId: 'rev-a',
          latencyMs: 10,
          response: response(['a', 'b', 'c', 'd'], { 耳机: 4, 键盘: 2 }),
        },
        {
          label: 'tuned',
          revisionId: 'rev-b',
          latencyMs: 12,
          response: response(['c', 'a', 'e', 'b'], { 耳机: 3, 手机壳: 1 }),
        },
      ],
      4,
    );
    expect(columns[0]!.hits.map((h) => [h.change, h.isNew])).toEqual([
      [null, false],
      [null, false],
      [null, false],
      [null, false],
    ]);
    expect(columns[0]!.overlap).toEqual({ jaccard: 1, rbo: 1, k: 4 });
    const tuned = columns[1]!;
    expect(tuned.hits.map((h) => [h.spuId, h.baselineRank, h.change, h.isNew])).toEqual([
      ['c', 3, 2, false],
      ['a', 1, -1, false],
      ['e', null, null, true],
      ['b', 2, -2, false],
    ]);
    expect(tuned.dropped).toEqual([
      { spuId: 'd', baselineRank: 4, titleZh: '标题d', titleEn: null },
    ]);
    expect(tuned.overlap.jaccard).toBeCloseTo(3 / 5);
    expect(tuned.overlap.rbo).toBeGreaterThan(0);
    expect(tuned.overlap.rbo).toBeLessThan(1);
    expect(tuned.facetChanges).toEqual(
      expect.arrayContaining([
        { facet: 'category1_name', value: '耳机', baseline: 4, count: 3, delta: -1 },
        { facet: 'category1_name', value: '手机壳', baseline: 0, count: 1, delta: 1 },
        { facet: 'category1_name', value: '键盘', baseline: 2, count: 0, delta: -2 },
      ]),
    );
  });

  it('validates 2–4 configs and each config reference', async () => {
    expect((await failure('search.compare', { tenantId: '1', configs: [{}] })).message).toMatch(
      /at least 2/,
    );
    expect(
      (await failure('search.compare', { tenantId: '1', configs: [{}, {}, {}, {}, {}] })).message,
    ).toMatch(/at most 4/);
    expect(
      (
        await failure('search.compare', {
          tenantId: '1',
          configs: [{}, { revisionId: 'rev-1', config: {} }],
        })
      ).message,
    ).toMatch(/either revisionId or config/);
  });
});

describe('ES-facing operations on an unreachable cluster', () => {
  it('fail with ES_UNREACHABLE naming the URL, not a crash', async () => {
    for (const [name, input] of [
      ['search.run', { tenantId: '1', query: '耳机' }],
      ['search.compare', { tenantId: '1', configs: [{}, {}] }],
    ] as const) {
      const err = await failure(name, input);
      expect(err.code, name).toBe('ES_UNREACHABLE');
      expect(err.message, name).toContain('127.0.0.1:1');
    }
  }, 60_000);
});

describe('bundles and secrets', () => {
  it('config.import refuses a bundle carrying a secret and text that is no bundle', async () => {
    const secret = await failure('config.import', {
      text: JSON.stringify({ bundleVersion: 1, config: {}, deeplApiKey: 'x' }),
    });
    expect(secret.code).toBe('INVALID_CONFIG');
    expect(secret.message).toMatch(/secret/);
    expect((await failure('config.import', { text: 'not: [a bundle' })).code).toBe(
      'INVALID_CONFIG',
    );
    expect((await failure('config.import', { text: '{}', file: '/x.json' })).message).toMatch(
      /either file or text/,
    );
  });

  it('the serve command quotes paths a shell would split', () => {
    expect(serveCommand('/home/a/exports/bundle-1.json', 'http://127.0.0.1:9200')).toBe(
      'rwb serve --config /home/a/exports/bundle-1.json --es http://127.0.0.1:9200',
    );
    expect(serveCommand("/home/J O'Neil/b.json", 'http://x')).toBe(
      `rwb serve --config '/home/J O'\\''Neil/b.json' --es http://x`,
    );
  });

  it('browser mode reads secrets from the environment only and refuses to store any', async () => {
    const env = secretsFromEnv({ RWB_DEEPL_API_KEY: 'k' });
    expect([env.get('deeplApiKey'), env.origin('deeplApiKey'), env.origin('esPassword')]).toEqual([
      'k',
      'env',
      null,
    ]);
    await expect(env.set('esPassword', 'x')).rejects.toThrow(/RWB_ES_PASSWORD/);
    const status = await invoke('secrets.status', undefined, ctx);
    expect(status).toMatchObject({ store: 'env', writable: false });
    expect((await failure('secrets.set', { name: 'esPassword', value: 'x' })).message).toMatch(
      /environment/,
    );
  });

  it('the desktop source prefers stored values, writes through the host, and forgets on clear', async () => {
    const writes: Array<[string, string | null]> = [];
    const source = relayedSecrets(
      { esPassword: 'stored' },
      async (name, value) => void writes.push([name, value]),
      { RWB_ES_PASSWORD: 'env', RWB_DEEPL_API_KEY: 'env-key' },
    );
    expect([
      source.get('esPassword'),
      source.origin('esPassword'),
      source.get('deeplApiKey'),
      source.origin('deeplApiKey'),
    ]).toEqual(['stored', 'stored', 'env-key', 'env']);
    await source.set('mysqlPassword', 'm');
    await source.clear('esPassword');
    expect(writes).toEqual([
      ['mysqlPassword', 'm'],
      ['esPassword', null],
    ]);
    expect([source.get('esPassword'), source.origin('esPassword')]).toEqual(['env', 'env']);
  });
});
