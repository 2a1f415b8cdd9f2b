/**
 * Per-domain text match types, operator / minimum_should_match and proximity in the built request:
 * a snapshot per type (reviewable ES JSON) plus assertions that each type carries exactly the
 * parameters ES accepts for it (engine/search/text-match.ts has the table; the live test checks
 * ES's answers on a real index).
 */
import type { estypes } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import type { SearchConfig, TextMatchType } from '../../engine/config/search-config-schema.ts';
import { createTranslator } from '../../engine/query/translation/create-translator.ts';
import { estimateClauseCount } from '../../engine/search/clause-limit.ts';
import { defaultSearchFields, searchFieldsFromMapping } from '../../engine/search/fields.ts';
import { prepareSearch } from '../../engine/search/searcher.ts';
import { build, recallOf, seedSearchConfig } from './search-fixtures.ts';

type Query = estypes.QueryDslQueryContainer;

const TYPES: TextMatchType[] = [
  'best_fields',
  'most_fields',
  'cross_fields',
  'combined_fields',
  'phrase',
  'phrase_prefix',
  'bool_prefix',
];

function withDefaultDomain(
  change: (domain: SearchConfig['domains'][number]) => void,
): SearchConfig {
  return seedSearchConfig((c) => change(c.domains.find((d) => d.name === 'default')!));
}

/** Every node under `key` in a query tree, in document order. */
function collect(node: unknown, key: string): Array<Record<string, unknown>> {
  if (node === null || typeof node !== 'object') return [];
  const out: Array<Record<string, unknown>> = [];
  for (const [k, value] of Object.entries(node)) {
    if (k === key) out.push(value as Record<string, unknown>);
    else out.push(...collect(value, key));
  }
  return out;
}

describe('text match types (snapshots)', () => {
  for (const type of TYPES) {
    it(`default domain as ${type}, a bilingual query (蓝牙耳机 → bluetooth headphones)`, async () => {
      const config = withDefaultDomain((d) => (d.type = type));
      const recall = recallOf(
        await build({ tenantId: '1', query: '蓝牙耳机', facets: [] }, config),
      );
      expect(recall).toMatchSnapshot();
    });
  }

  it('proximity: a should phrase with slop and its own boost beside the match', async () => {
    const config = withDefaultDomain((d) => {
      d.proximity = { enabled: true, fields: ['title_en', 'title_zh'], slop: 3, boost: 2.5 };
    });
    const recall = recallOf(
      await build({ tenantId: '1', query: 'noise cancelling', facets: [] }, config),
    );
    expect(recall).toMatchSnapshot();
  });
});

describe('parameters per type', () => {
  const settings = (type: TextMatchType) =>
    withDefaultDomain((d) => {
      d.type = type;
      d.minimumShouldMatch = '2';
    });

  it('best_fields: msm, tie_breaker and fuzziness; operator and', async () => {
    const config = seedSearchConfig((c) => {
      const d = c.domains.find((x) => x.name === 'title')!;
      d.minimumShouldMatch = '3<80%';
      d.tieBreaker = 0.4;
      d.fuzziness = '1';
    });
    const recall = recallOf(await build({ tenantId: '1', query: 'title:iphone' }, config));
    expect(recall.multi_match).toEqual({
      query: 'iphone',
      fields: ['title_zh^2', 'title_en^2'],
      type: 'best_fields',
      tie_breaker: 0.4,
      minimum_should_match: '3<80%',
      fuzziness: '1',
    });
    const and = seedSearchConfig(
      (c) => (c.domains.find((x) => x.name === 'title')!.operator = 'and'),
    );
    expect(
      recallOf(await build({ tenantId: '1', query: 'title:iphone' }, and)).multi_match,
    ).toEqual({
      query: 'iphone',
      fields: ['title_zh^2', 'title_en^2'],
      type: 'best_fields',
      operator: 'and',
      tie_breaker: 0,
    });
  });

  it('operator and: the ranking-level msm is not sent (ES would match nothing for a count)', async () => {
    const config = seedSearchConfig((c) => {
      c.ranking.minimumShouldMatch = '2';
      c.domains.find((x) => x.name === 'title')!.operator = 'and';
    });
    const body = await build({ tenantId: '1', query: 'title:iphone OR brand:apple' }, config);
    const matches = collect(recallOf(body), 'multi_match');
    const title = matches.find((m) => (m.fields as string[])[0]!.startsWith('title_'))!;
    const brand = matches.find((m) => (m.fields as string[])[0]!.startsWith('vendor_'))!;
    expect(title).toMatchObject({ operator: 'and' });
    expect(title).not.toHaveProperty('minimum_should_match');
    expect(brand).toMatchObject({ minimum_should_match: '2' });
  });

  it('most_fields and bool_prefix: no tie_breaker (ES sums their fields; 0 would make them best_fields)', async () => {
    for (const type of ['most_fields', 'bool_prefix'] as const) {
      const config = seedSearchConfig((c) => {
        c.ranking.tieBreaker = 0;
        c.ranking.fuzziness = 'AUTO';
        const d = c.domains.find((x) => x.name === 'title')!;
        d.type = type;
      });
      const recall = recallOf(await build({ tenantId: '1', query: 'title:iphone' }, config));
      expect(recall.multi_match).toEqual({
        query: 'iphone',
        fields: ['title_zh^2', 'title_en^2'],
        type,
        fuzziness: 'AUTO',
      });
    }
  });

  it('cross_fields: operator, msm, tie_breaker; never fuzziness', async () => {
    const recall = recallOf(
      await build({ tenantId: '1', query: 'iphone' }, settings('cross_fields')),
    );
    const [match] = collect(recall, 'multi_match');
    expect(match).toMatchObject({
      type: 'cross_fields',
      minimum_should_match: '2',
    });
    expect(match).toHaveProperty('tie_breaker', 0);
    expect(match).not.toHaveProperty('fuzziness');
  });

  it('phrase and phrase_prefix: slop and tie_breaker, never operator, msm or fuzziness', async () => {
    for (const type of ['phrase', 'phrase_prefix'] as const) {
      const config = seedSearchConfig((c) => {
        const d = c.domains.find((x) => x.name === 'title')!;
        d.type = type;
        d.slop = 2;
      });
      const recall = recallOf(await build({ tenantId: '1', query: 'title:iphone' }, config));
      expect(recall.multi_match).toEqual({
        query: 'iphone',
        fields: ['title_zh^2', 'title_en^2'],
        type,
        tie_breaker: 0,
        slop: 2,
      });
    }
  });

  it('phrase_prefix matches a keyword field (tags) as a phrase: ES refuses prefixes on keywords', async () => {
    const config = withDefaultDomain((d) => (d.type = 'phrase_prefix'));
    const recall = recallOf(await build({ tenantId: '1', query: 'iphone' }, config));
    const matches = collect(recall, 'multi_match');
    expect(matches.map((m) => m.type)).toEqual(['phrase_prefix', 'phrase']);
    expect(matches[1]!.fields).toEqual(['tags']);
    expect(matches[0]!.fields).not.toContain('tags');
    expect(recall.dis_max).toBeDefined();
  });

  it('combined_fields: one query per search analyzer, keyword fields apart, only operator and msm', async () => {
    const recall = recallOf(
      await build({ tenantId: '1', query: 'iphone' }, settings('combined_fields')),
    );
    const combined = collect(recall, 'combined_fields');
    const and = withDefaultDomain((d) => ((d.type = 'combined_fields'), (d.operator = 'and')));
    const andRecall = recallOf(await build({ tenantId: '1', query: 'iphone' }, and));
    for (const query of collect(andRecall, 'combined_fields'))
      expect(Object.keys(query).sort()).toEqual(['fields', 'operator', 'query']);
    // The mapping's zh and en fields have different search analyzers: two groups.
    expect(combined.map((c) => (c.fields as string[]).map((f) => f.split('_').at(-1)))).toEqual([
      ['zh^3', 'zh^1.5', 'zh', 'zh^1.5', 'zh^1.5', 'zh^1.5'],
      ['en^3', 'en^1.5', 'en', 'en^1.5', 'en^1.5', 'en^1.5'],
    ]);
    for (const query of combined) {
      expect(Object.keys(query).sort()).toEqual(['fields', 'minimum_should_match', 'query']);
    }
    const keyword = collect(recall, 'multi_match');
    expect(keyword).toEqual([
      {
        query: 'iphone',
        fields: ['tags'],
        type: 'best_fields',
        tie_breaker: 0,
        minimum_should_match: '2',
      },
    ]);
  });

  it('combined_fields groups by the live mapping: search_analyzer, else analyzer, else standard', async () => {
    const mapping = {
      properties: {
        title_zh: { type: 'text', analyzer: 'ik_max_word', search_analyzer: 'ik_smart' },
        brief_zh: { type: 'text', analyzer: 'ik_smart' },
        description_zh: { type: 'text', analyzer: 'ik_max_word' },
        title_en: { type: 'text' },
        brief_en: { type: 'text', analyzer: 'standard' },
        description_en: { type: 'text', analyzer: 'english' },
        tags: { type: 'keyword' },
      },
    };
    const fields = searchFieldsFromMapping(mapping);
    expect(fields.get('title_zh')!.searchAnalyzer).toBe('ik_smart');
    expect(fields.get('brief_zh')!.searchAnalyzer).toBe('ik_smart');
    expect(fields.get('title_en')!.searchAnalyzer).toBe('standard');
    expect(fields.get('tags')!.searchAnalyzer).toBeUndefined();
    const config = seedSearchConfig((c) => {
      const d = c.domains.find((x) => x.name === 'default')!;
      d.type = 'combined_fields';
      d.fields = d.fields.filter((f) => /^(title|brief|description)_|^tags$/.test(f.field));
      d.languageFieldMapping = {};
    });
    const prepared = await prepareSearch({ tenantId: '1', query: 'iphone', facets: [] }, config, {
      languageDetector: null,
      translator: createTranslator(config.query.translation),
      fields,
    });
    const recall = recallOf(prepared.request);
    expect(collect(recall, 'combined_fields').map((c) => c.fields)).toEqual([
      ['title_zh^3', 'brief_zh^1.5'],
      ['title_en^3', 'brief_en^1.5'],
      ['description_zh'],
      ['description_en'],
    ]);
    expect(collect(recall, 'multi_match').map((m) => m.fields)).toEqual([['tags']]);
    expect(recall.dis_max!.tie_breaker).toBe(0);
  });

  it('a quoted term is a phrase whatever the type', async () => {
    for (const type of TYPES) {
      const config = withDefaultDomain((d) => (d.type = type));
      const recall = recallOf(await build({ tenantId: '1', query: '"noise cancelling"' }, config));
      expect(collect(recall, 'multi_match').map((m) => m.type)).toEqual(['phrase']);
      expect(collect(recall, 'combined_fields')).toEqual([]);
    }
  });
});

describe('minimum_should_match', () => {
  it('is sent only when set: none by default (the seed), the ranking-level one, the domain override', async () => {
    const none = await build({ tenantId: '1', query: 'iphone' });
    expect(JSON.stringify(none)).not.toContain('minimum_should_match');

    const ranking = seedSearchConfig((c) => (c.ranking.minimumShouldMatch = '75%'));
    const withRanking = collect(
      recallOf(await build({ tenantId: '1', query: 'iphone' }, ranking)),
      'multi_match',
    );
    expect(withRanking.every((m) => m.minimum_should_match === '75%')).toBe(true);

    const domain = seedSearchConfig((c) => {
      c.ranking.minimumShouldMatch = '75%';
      c.domains.find((d) => d.name === 'title')!.minimumShouldMatch = '1';
    });
    const body = await build({ tenantId: '1', query: 'title:iphone OR brand:apple' }, domain);
    const matches = collect(recallOf(body), 'multi_match');
    const byField = (field: string) =>
      matches.find((m) => (m.fields as string[]).some((f) => f.startsWith(field)))!;
    expect(byField('title_').minimum_should_match).toBe('1');
    expect(byField('vendor_').minimum_should_match).toBe('75%');
  });

  it('the seed default config has none', () => {
    expect(seedSearchConfig().ranking.minimumShouldMatch).toBeUndefined();
  });
});

/** A proximity clause: a phrase (or dis_max of phrases) with slop, at the top of a should. */
function isProximity(query: Query): boolean {
  const phrases = query.dis_max ? (query.dis_max.queries as Query[]) : [query];
  return phrases.every((q) => q.multi_match?.type === 'phrase' && q.multi_match.slop !== undefined);
}

describe('proximity', () => {
  const proximityConfig = (change: (c: SearchConfig) => void = () => {}) =>
    seedSearchConfig((c) => {
      const d = c.domains.find((x) => x.name === 'default')!;
      d.proximity = { enabled: true, fields: [], slop: 1, boost: 2 };
      change(c);
    });

  it('wraps each term: must [match], should [phrase on the proximity fields of each routed text]', async () => {
    const recall = recallOf(await build({ tenantId: '1', query: '蓝牙耳机' }, proximityConfig()));
    const bool = recall.bool!;
    expect(bool.must).toHaveLength(1);
    expect((bool.must as Query[])[0]!.dis_max).toBeDefined();
    const phrase = (bool.should as Query[])[0]!;
    expect(phrase.dis_max!.boost).toBe(2);
    const phrases = phrase.dis_max!.queries as Query[];
    for (const q of phrases) {
      expect(q.multi_match).toMatchObject({ type: 'phrase', slop: 1 });
      // No field boosts: the proximity boost is its own.
      for (const field of q.multi_match!.fields as string[]) expect(field).not.toContain('^');
    }
  });

  it('uses only the chosen fields, and is left out when disabled and for quoted terms', async () => {
    const chosen = proximityConfig((c) => {
      c.domains.find((x) => x.name === 'default')!.proximity!.fields = ['title_en'];
    });
    const recall = recallOf(await build({ tenantId: '1', query: 'noise cancelling' }, chosen));
    const phrase = (recall.bool!.should as Query[])[0]!;
    expect(phrase.multi_match).toEqual({
      query: 'noise cancelling',
      fields: ['title_en'],
      type: 'phrase',
      slop: 1,
      boost: 2,
    });
    const off = proximityConfig((c) => {
      c.domains.find((x) => x.name === 'default')!.proximity!.enabled = false;
    });
    expect(
      recallOf(await build({ tenantId: '1', query: 'noise cancelling' }, off)).multi_match,
    ).toBeDefined();
    // One word keeps it (the search template cannot count words and must match the builder).
    const one = recallOf(await build({ tenantId: '1', query: 'iphone' }, proximityConfig()));
    expect(one.bool!.should).toHaveLength(1);
    expect(
      recallOf(await build({ tenantId: '1', query: '"noise cancelling"' }, proximityConfig()))
        .multi_match,
    ).toMatchObject({ type: 'phrase' });
  });

  it('keeps the boolean tree: the phrase is only ever a should beside a must, never in an exclusion', async () => {
    const config = proximityConfig();
    const recall = recallOf(
      await build(
        {
          tenantId: '1',
          query: '(red shoe OR blue boot) AND leather sole ANDNOT fake suede RANK soft touch',
        },
        config,
      ),
    );
    const visit = (node: unknown, excluded: boolean): void => {
      if (node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((child) => visit(child, excluded));
      const record = node as Record<string, unknown>;
      const bool = record.bool as estypes.QueryDslBoolQuery | undefined;
      if (bool !== undefined) {
        const phraseShould = ((bool.should ?? []) as Query[]).filter(isProximity);
        if (phraseShould.length > 0) {
          expect(excluded).toBe(false);
          expect(bool.must).toHaveLength(1);
          expect(bool.minimum_should_match).toBeUndefined();
        }
        visit(bool.must, excluded);
        visit(bool.should, excluded);
        visit(bool.must_not, true);
        return;
      }
      for (const value of Object.values(record)) visit(value, excluded);
    };
    visit(recall, false);
    const text = JSON.stringify(recall);
    expect(text.match(/"slop":1/g)?.length).toBe(4); // red shoe, blue boot, leather sole, soft touch
    const excluded = JSON.stringify(collect(recall, 'must_not'));
    expect(excluded).toContain('fake suede');
    expect(excluded).not.toContain('slop');
  });
});

describe('clause estimate', () => {
  it('counts combined_fields like a multi_match: tokens × fields', () => {
    const query: Query = {
      bool: {
        should: [
          { combined_fields: { query: 'a b c', fields: ['x', 'y'] } },
          { multi_match: { query: 'a b', fields: ['x'], type: 'phrase', slop: 2 } },
        ],
      },
    };
    expect(estimateClauseCount(query)).toBe(3 * 2 + 1);
  });

  it('the default catalog knows each text field’s search analyzer', () => {
    expect(defaultSearchFields().get('title_en')!.searchAnalyzer).toBe('$EN_SEARCH_ANALYZER');
    expect(defaultSearchFields().get('tags')!.searchAnalyzer).toBeUndefined();
  });
});
