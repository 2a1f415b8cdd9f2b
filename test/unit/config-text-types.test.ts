/**
 * Schema version 2's per-domain match settings: each combination Elasticsearch refuses (or that
 * would silently do nothing) is a config error naming the path — the refusals were taken from
 * ES 8.19's answers (engine/search/text-match.ts lists them; the live test sends the accepted
 * ones) — and the v1 → v2 migration keeps old configs' meaning (75% minimum_should_match).
 */
import { describe, expect, it } from 'vitest';
import {
  defaultSearchConfig,
  migrateSearchConfig,
  parseSearchConfig,
  parseSearchConfigText,
  validateSearchConfig,
  type SearchConfig,
  type TextMatchType,
} from '../../engine/config/search-config.ts';
import { diffConfigs } from '../../engine/eval/experiments-diff.ts';

function problems(input: unknown): string[] {
  const result = validateSearchConfig(input);
  if (result.ok) return [];
  return result.issues.map((issue) => `${issue.path} ${issue.message}`);
}

/** The default config with its `title` domain (domains[1]) changed. */
function titleDomain(change: (domain: SearchConfig['domains'][number]) => void): unknown {
  const config = structuredClone(defaultSearchConfig());
  change(config.domains[1]!);
  return config;
}

const ALL_TYPES: TextMatchType[] = [
  'best_fields',
  'most_fields',
  'cross_fields',
  'combined_fields',
  'phrase',
  'phrase_prefix',
  'bool_prefix',
];

describe('text match types: accepted settings', () => {
  it('every type alone is valid, and the defaults are best_fields / or', () => {
    for (const type of ALL_TYPES) expect(problems(titleDomain((d) => (d.type = type)))).toEqual([]);
    const parsed = parseSearchConfig(defaultSearchConfig());
    expect(parsed.domains[1]).toMatchObject({ type: 'best_fields', operator: 'or' });
    expect(parsed.domains[1]!.minimumShouldMatch).toBeUndefined();
  });

  it('the parameters each type takes', () => {
    const ok: Array<[TextMatchType, (d: SearchConfig['domains'][number]) => void]> = [
      [
        'best_fields',
        (d) =>
          Object.assign(d, {
            minimumShouldMatch: '2',
            tieBreaker: 0.3,
            fuzziness: 'AUTO',
          }),
      ],
      ['most_fields', (d) => Object.assign(d, { operator: 'and', fuzziness: '1' })],
      ['cross_fields', (d) => Object.assign(d, { minimumShouldMatch: '75%', tieBreaker: 0.1 })],
      ['combined_fields', (d) => Object.assign(d, { operator: 'and' })],
      ['combined_fields', (d) => Object.assign(d, { minimumShouldMatch: '2' })],
      ['phrase', (d) => Object.assign(d, { slop: 2, tieBreaker: 0.2 })],
      ['phrase_prefix', (d) => Object.assign(d, { slop: 1 })],
      ['bool_prefix', (d) => Object.assign(d, { minimumShouldMatch: '1', fuzziness: 'AUTO' })],
    ];
    for (const [type, change] of ok) {
      expect(problems(titleDomain((d) => ((d.type = type), change(d)))), type).toEqual([]);
    }
  });

  it('proximity on the domain’s own fields, with defaults filled', () => {
    const config = parseSearchConfig(
      titleDomain((d) => (d.proximity = { fields: ['title_en'] } as never)),
    );
    expect(config.domains[1]!.proximity).toEqual({
      enabled: true,
      fields: ['title_en'],
      slop: 2,
      boost: 1,
    });
  });
});

describe('text match types: refused combinations name the path', () => {
  it('fuzziness with cross_fields, phrase, phrase_prefix (ES: "Fuzziness not allowed for type") and combined_fields (unknown field)', () => {
    for (const type of ['cross_fields', 'phrase', 'phrase_prefix', 'combined_fields'] as const) {
      expect(problems(titleDomain((d) => ((d.type = type), (d.fuzziness = 'AUTO'))))).toEqual([
        `domains[1].fuzziness Elasticsearch allows no fuzziness with type "${type}"; remove it or pick best_fields, most_fields or bool_prefix`,
      ]);
    }
    // null (exact terms) is fine for any type.
    expect(problems(titleDomain((d) => ((d.type = 'phrase'), (d.fuzziness = null))))).toEqual([]);
  });

  it('a ranking-level fuzziness reaching a type that refuses it', () => {
    const config = structuredClone(defaultSearchConfig());
    config.ranking.fuzziness = 'AUTO';
    config.domains[1]!.type = 'cross_fields';
    expect(problems(config)).toEqual([
      'domains[1].fuzziness ranking.fuzziness (AUTO) cannot apply to type "cross_fields"; set this domain\'s fuzziness to null',
    ]);
    config.domains[1]!.fuzziness = null;
    expect(problems(config)).toEqual([]);
  });

  it('slop outside phrase types (ES refuses it for bool_prefix and combined_fields, ignores it elsewhere)', () => {
    for (const type of ['best_fields', 'bool_prefix', 'combined_fields'] as const) {
      expect(problems(titleDomain((d) => ((d.type = type), (d.slop = 1))))).toEqual([
        `domains[1].slop applies to type "phrase" or "phrase_prefix" only (this domain is "${type}"); for word proximity use domains[1].proximity`,
      ]);
    }
  });

  it('tieBreaker with combined_fields (unknown field) and with the summing types', () => {
    expect(
      problems(titleDomain((d) => ((d.type = 'combined_fields'), (d.tieBreaker = 0.2)))),
    ).toEqual([
      'domains[1].tieBreaker combined_fields scores the fields as one (BM25F) and takes no tie_breaker; remove it',
    ]);
    for (const type of ['most_fields', 'bool_prefix'] as const) {
      expect(problems(titleDomain((d) => ((d.type = type), (d.tieBreaker = 0))))).toEqual([
        `domains[1].tieBreaker "${type}" sums every field's score (its tie_breaker is 1); a tieBreaker would make it best_fields: remove it, or pick best_fields with this tieBreaker`,
      ]);
    }
  });

  it('an analyzer with combined_fields (ES: unknown field [analyzer])', () => {
    expect(
      problems(titleDomain((d) => ((d.type = 'combined_fields'), (d.analyzer = 'standard')))),
    ).toEqual([
      "domains[1].analyzer combined_fields takes no analyzer: it uses the fields' own, which must be the same for every field it combines; remove it",
    ]);
  });

  it('combined_fields field boosts below 1 (ES: "requires field boosts to be >= 1.0")', () => {
    const config = structuredClone(defaultSearchConfig());
    const domain = config.domains[0]!;
    domain.type = 'combined_fields';
    domain.fields[2]!.boost = 0.5;
    expect(problems(config)).toEqual([
      'domains[0].fields[2].boost combined_fields needs field boosts ≥ 1 (field boost × domain boost is 0.5); raise it or pick another type',
    ]);
    domain.boost = 2; // 0.5 × 2 = 1: accepted
    expect(problems(config)).toEqual([]);
  });

  it('minimumShouldMatch with operator and (ES then matches no document for a count such as "2")', () => {
    for (const type of [
      'best_fields',
      'most_fields',
      'cross_fields',
      'combined_fields',
      'bool_prefix',
    ] as const) {
      expect(
        problems(
          titleDomain((d) => Object.assign(d, { type, operator: 'and', minimumShouldMatch: '2' })),
        ),
        type,
      ).toEqual([
        'domains[1].minimumShouldMatch has no effect with operator "and": every word is required already (Elasticsearch would apply it to no optional word, and a count such as "2" then matches no document); remove it or set operator "or"',
      ]);
    }
  });

  it('operator and minimumShouldMatch with phrase types (no effect)', () => {
    for (const type of ['phrase', 'phrase_prefix'] as const) {
      expect(
        problems(
          titleDomain((d) => Object.assign(d, { type, operator: 'and', minimumShouldMatch: '2' })),
        ),
      ).toEqual([
        `domains[1].operator has no effect with type "${type}" (every word must match, in order); remove it`,
        `domains[1].minimumShouldMatch has no effect with type "${type}"; remove it`,
      ]);
    }
  });

  it('proximity fields outside the domain, and bad numbers', () => {
    expect(
      problems(
        titleDomain(
          (d) => (d.proximity = { enabled: true, fields: ['brief_en'], slop: 2, boost: 1 }),
        ),
      ),
    ).toEqual([
      'domains[1].proximity.fields[0] "brief_en" is not one of this domain\'s fields; add it to domains[1].fields',
    ]);
    const bad = problems(
      titleDomain((d) => (d.proximity = { enabled: true, fields: [], slop: -1, boost: 0 })),
    );
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/^domains\[1\]\.proximity\.slop /);
    expect(bad[1]).toMatch(/^domains\[1\]\.proximity\.boost /);
  });

  it('an unknown type and a bad minimumShouldMatch', () => {
    const bad = problems(
      titleDomain((d) => Object.assign(d, { type: 'fuzzy_fields', minimumShouldMatch: 'most' })),
    );
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/^domains\[1\]\.type /);
    expect(bad[1]).toBe(
      'domains[1].minimumShouldMatch must be an ES minimum_should_match such as "2", "75%" or "3<90%"',
    );
  });
});

describe('minimum_should_match across schema versions', () => {
  const v1 = (ranking: Record<string, unknown>) => {
    const config = structuredClone(defaultSearchConfig()) as unknown as Record<string, unknown>;
    config.schemaVersion = 1;
    config.ranking = { ...(config.ranking as object), ...ranking };
    delete (config.ranking as Record<string, unknown>).fusion;
    for (const domain of config.domains as Array<Record<string, unknown>>) {
      delete domain.type;
      delete domain.operator;
    }
    return config;
  };

  it('a version 1 config without it meant 75%: the migration writes it in', () => {
    const raw = v1({});
    delete (raw.ranking as Record<string, unknown>).minimumShouldMatch;
    const { value, fromVersion } = migrateSearchConfig(raw);
    expect(fromVersion).toBe(1);
    expect(value.ranking).toMatchObject({ minimumShouldMatch: '75%' });
    expect(parseSearchConfig(raw).ranking.minimumShouldMatch).toBe('75%');
  });

  it('a version 1 config with an explicit one keeps it', () => {
    expect(parseSearchConfig(v1({ minimumShouldMatch: '2<60%' })).ranking.minimumShouldMatch).toBe(
      '2<60%',
    );
  });

  it('the seed YAML (version 0) never had one and gets none (the seed’s multi_match has none)', () => {
    const config = parseSearchConfigText(
      'indexes:\n  - name: default\n    fields: [title_zh, title_en]\nranking:\n  expression: "bm25()"\n',
      'yaml',
    );
    expect(config.schemaVersion).toBe(2);
    expect(config.ranking.minimumShouldMatch).toBeUndefined();
    expect(config.domains[0]).toMatchObject({ type: 'best_fields', operator: 'or' });
  });

  it('a version 2 config without one stays without', () => {
    expect(parseSearchConfig(defaultSearchConfig()).ranking.minimumShouldMatch).toBeUndefined();
  });
});

describe('revision diff (Experiments, Export)', () => {
  it('names the changed text-matching settings by path', () => {
    const a = parseSearchConfig(defaultSearchConfig());
    const b = structuredClone(a);
    b.domains[0]!.type = 'combined_fields';
    b.domains[1]!.operator = 'and';
    b.domains[0]!.proximity = { enabled: true, fields: [], slop: 2, boost: 2 };
    expect(diffConfigs(a, b)).toEqual([
      {
        path: 'domains.default.proximity',
        kind: 'added',
        after: { enabled: true, fields: [], slop: 2, boost: 2 },
      },
      {
        path: 'domains.default.type',
        kind: 'changed',
        before: 'best_fields',
        after: 'combined_fields',
      },
      { path: 'domains.title.operator', kind: 'changed', before: 'or', after: 'and' },
    ]);
  });
});
