import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RANKING_EXPRESSION,
  SEARCH_CONFIG_SCHEMA_VERSION,
  defaultSearchConfig,
  fieldCatalogFromMapping,
  parseSearchConfig,
  validateSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { RwbError } from '../../engine/errors.ts';

/** The index fields the default config is written for (seed §2, engine/catalog/types.ts ProductDoc). */
const indexFields = [
  'tenant_id',
  'spu_id',
  'handle',
  'create_time',
  'update_time',
  ...['title', 'brief', 'description', 'vendor', 'category_path', 'category_name'].flatMap(
    (base) => [`${base}_zh`, `${base}_en`],
  ),
  'category_id',
  'category_name',
  'category_level',
  'category1_name',
  'category2_name',
  'category3_name',
  'tags',
  'image_src',
  'option1_name',
  'option2_name',
  'option3_name',
  'specifications',
  'specifications.name',
  'specifications.value',
  'skus',
  'skus.price',
  'min_price',
  'max_price',
  'compare_at_price',
  'sku_prices',
  'total_inventory',
  'title_embedding',
  'image_embedding',
  'image_embedding.vector',
];

/** Problems as "path message" lines. */
function problems(
  input: unknown,
  knownFields?: readonly string[] | ReadonlyMap<string, string>,
): string[] {
  const result = validateSearchConfig(input, knownFields === undefined ? {} : { knownFields });
  if (result.ok) return [];
  return result.issues.map((issue) => `${issue.path} ${issue.message}`);
}

function edited(change: (config: SearchConfig & Record<string, unknown>) => void): unknown {
  const config = structuredClone(defaultSearchConfig()) as SearchConfig & Record<string, unknown>;
  change(config);
  return config;
}

describe('defaultSearchConfig', () => {
  it('is valid, current, and uses only fields of the index', () => {
    const config = defaultSearchConfig();
    expect(config.schemaVersion).toBe(SEARCH_CONFIG_SCHEMA_VERSION);
    expect(problems(config, indexFields)).toEqual([]);
    expect(config.ranking.expression).toBe(DEFAULT_RANKING_EXPRESSION);
    expect(config.ranking.expression).toBe('bm25() + 0.2*text_embedding_relevance()');
    expect(config.domains.map((domain) => domain.name)).toEqual([
      'default',
      'title',
      'brief',
      'description',
      'category',
      'brand',
      'tags',
    ]);
  });

  it('maps zh and en text fields per language and keeps tags language-neutral', () => {
    const domain = defaultSearchConfig().domains[0]!;
    expect(domain.languageFieldMapping.zh).toContain('title_zh');
    expect(domain.languageFieldMapping.en).toContain('category_name_en');
    expect(Object.values(domain.languageFieldMapping).flat()).not.toContain('tags');
    expect(domain.fields.find((field) => field.field === 'title_zh')?.boost).toBe(3);
  });

  it('returns independent copies', () => {
    const a = defaultSearchConfig();
    a.domains[0]!.boost = 9;
    expect(defaultSearchConfig().domains[0]!.boost).toBe(1);
  });
});

describe('validation errors name the path', () => {
  it('numbers out of range', () => {
    expect(problems(edited((c) => (c.domains[1]!.boost = 0)))).toEqual([
      'domains[1].boost must be > 0',
    ]);
    expect(problems(edited((c) => (c.domains[0]!.fields[2]!.boost = -1)))).toEqual([
      'domains[0].fields[2].boost must be > 0',
    ]);
    expect(problems(edited((c) => (c.ranking.tieBreaker = 1.5)))).toEqual([
      'ranking.tieBreaker must be <= 1',
    ]);
    expect(problems(edited((c) => (c.query.knn.k = 0)))).toContain('query.knn.k must be >= 1');
  });

  it('wrong types, missing values, unknown keys and bad enums', () => {
    expect(
      problems(edited((c) => ((c.domains[0] as Record<string, unknown>).boost = 'high'))),
    ).toEqual(['domains[0].boost must be a number (got string)']);
    expect(
      problems(edited((c) => ((c.domains[2] as Record<string, unknown>).fields = undefined))),
    ).toEqual(['domains[2].fields is required']);
    expect(problems(edited((c) => ((c.domains[0] as Record<string, unknown>).boots = 2)))).toEqual([
      'domains[0] has unknown key(s) "boots"',
    ]);
    expect(
      problems(
        edited((c) => ((c.query.translation as Record<string, unknown>).provider = 'google')),
      ),
    ).toEqual([
      'query.translation.provider must be one of "deepl", "glossary", "none" (got "google")',
    ]);
    expect(problems(edited((c) => (c.domains = [])))).toEqual(['domains must not be empty']);
  });

  it('string formats: languages, domain names, sort expressions, minimum_should_match', () => {
    expect(problems(edited((c) => (c.query.supportedLanguages = ['zh', 'English'])))).toEqual([
      'query.supportedLanguages[1] must be a lower-case ISO 639 language code such as "zh", "en" or "ru"',
    ]);
    expect(problems(edited((c) => (c.domains[1]!.name = 'my title')))[0]).toMatch(
      /^domains\[1\]\.name must be an identifier/,
    );
    expect(problems(edited((c) => (c.sort.default = ['price'])))[0]).toMatch(
      /^sort\.default\[0\] must be "_score" or "field:asc"/,
    );
    expect(problems(edited((c) => (c.ranking.minimumShouldMatch = 'most')))[0]).toMatch(
      /^ranking\.minimumShouldMatch must be/,
    );
  });

  it('cross-field rules', () => {
    const issues = problems(
      edited((c) => {
        c.domains[2]!.name = 'title';
        c.domains[1]!.languageFieldMapping = {
          zh: ['title_zh'],
          fr: ['title_en'],
          en: ['brief_en'],
        };
        c.query.defaultLanguage = 'de';
        c.query.knn.numCandidates = 10;
        c.query.translation.glossary = [{ zh: '红色' }];
        c.query.textEmbedding = { enabled: true, model: ' ', cacheSize: 1 };
      }),
    );
    expect(issues).toEqual([
      'domains[1].languageFieldMapping.fr maps language "fr", which is not in query.supportedLanguages (zh, en, ru)',
      'domains[1].languageFieldMapping.en[0] "brief_en" is not one of this domain\'s fields; add it to domains[1].fields',
      'domains[2].name "title" is already used by domains[1]',
      'query.defaultLanguage "de" must be one of query.supportedLanguages (zh, en, ru)',
      'query.translation.glossary[0] needs the term in at least two languages',
      'query.knn.numCandidates must be >= query.knn.k (50)',
      'query.textEmbedding.model must name a model when text embedding is enabled',
    ]);
  });

  it('a default domain is required', () => {
    expect(problems(edited((c) => (c.domains = c.domains.slice(1))))).toEqual([
      'domains must include a domain named "default" (bare query words search it)',
    ]);
  });

  it('rewrite values must be valid expressions over the config domains', () => {
    const issues = problems(
      edited((c) => {
        c.query.rewrite.dictionary = {
          芭比: 'brand:芭比 OR name:芭比娃娃',
          玩具: 'category:玩具 AND',
          ' ': 'x',
          Toy: 'a',
          toy: 'b',
        };
      }),
    );
    expect(issues).toEqual([
      expect.stringMatching(
        /^query\.rewrite\.dictionary\["芭比"\] is not a valid query expression: Unknown domain "name"/,
      ),
      expect.stringMatching(
        /^query\.rewrite\.dictionary\["玩具"\] is not a valid query expression: AND at position 12 has no right-hand side/,
      ),
      'query.rewrite.dictionary[" "] has an empty key',
      'query.rewrite.dictionary.toy is the same key as "Toy" (keys ignore case and spacing)',
    ]);
  });

  it('never accepts a secret, whatever it is called', () => {
    expect(
      problems(edited((c) => ((c.query.translation as Record<string, unknown>).apiKey = 'abc'))),
    ).toEqual([
      'query.translation.apiKey looks like a secret; keys never go into a search config (set RWB_DEEPL_API_KEY or use secure storage)',
    ]);
    expect(problems(edited((c) => (c.api_key = 'abc')))[0]).toMatch(/^api_key looks like a secret/);
  });

  it('throws one INVALID_CONFIG RwbError listing every problem with the source', () => {
    const bad = edited((c) => {
      c.domains[1]!.boost = 0;
      c.query.knn.k = 0;
    });
    let error: unknown;
    try {
      parseSearchConfig(bad, { source: 'tuned.yaml' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RwbError);
    expect((error as RwbError).code).toBe('INVALID_CONFIG');
    expect((error as RwbError).message).toBe(
      'Invalid search config in tuned.yaml:\n  - domains[1].boost must be > 0\n  - query.knn.k must be >= 1',
    );
  });

  it('accepts the "field^boost" shorthand', () => {
    const config = parseSearchConfig(
      edited(
        (c) => ((c.domains[1] as Record<string, unknown>).fields = ['title_zh^4', 'title_en']),
      ),
    );
    expect(config.domains[1]!.fields).toEqual([
      { field: 'title_zh', boost: 4 },
      { field: 'title_en', boost: 1 },
    ]);
    expect(
      problems(
        edited(
          (c) => ((c.domains[1] as Record<string, unknown>).fields = ['title_zh^x', 'title_en']),
        ),
      ),
    ).toEqual(['domains[1].fields[0].boost must be a number (got string)']);
  });

  it('fills defaults for everything optional', () => {
    const config = parseSearchConfig({
      schemaVersion: 1,
      domains: [{ name: 'default', fields: ['title_zh'] }],
    });
    expect(config.query.supportedLanguages).toEqual(['zh', 'en', 'ru']);
    expect(config.query.translation.provider).toBe('glossary');
    expect(config.ranking.expression).toBe(DEFAULT_RANKING_EXPRESSION);
    expect(config.result.fields).toContain('skus');
    expect(config.result.skuFilterDimension).toBeNull();
  });
});

describe('ranking.popularityField (the field of a bare field_value())', () => {
  it('lets the expression write field_value() and timeliness() without a field', () => {
    const config = edited((c) => {
      c.ranking.expression = 'bm25() + 0.1*timeliness() + 0.1*field_value()';
      c.ranking.popularityField = 'total_inventory';
    });
    expect(problems(config, indexFields)).toEqual([]);
  });

  it('is required for a bare field_value() and checked against the mapping', () => {
    expect(problems(edited((c) => (c.ranking.expression = 'bm25() + field_value()')))).toEqual([
      expect.stringMatching(
        /^ranking\.expression field_value\(\) needs a field name.*popularityField/,
      ),
    ]);
    const catalog = fieldCatalogFromMapping({
      properties: { create_time: { type: 'date' }, title_zh: { type: 'text' } },
    });
    const issues = problems(
      edited((c) => {
        c.ranking.expression = 'bm25() + field_value()';
        c.ranking.popularityField = 'create_time';
      }),
      catalog,
    );
    expect(issues).toContain(
      'ranking.popularityField "create_time" is a date field; it must be a numeric field',
    );
  });
});

describe('field names are checked against the index mapping', () => {
  it('with a list of names: unknown fields, with a suggestion', () => {
    const issues = problems(
      edited((c) => {
        c.domains[1]!.fields[0]!.field = 'title_fr';
        c.domains[1]!.languageFieldMapping = { en: ['title_en'] };
        c.sort.options[1]!.by = ['price:asc'];
        c.result.fields = ['skus.*', 'nope'];
      }),
      indexFields,
    );
    expect(issues).toEqual([
      'domains[1].fields[0].field "title_fr" is not a field of the index mapping (did you mean "title_zh"?)',
      'sort.options[1].by[0] "price" is not a field of the index mapping',
      'result.fields[1] "nope" is not a field of the index mapping',
    ]);
  });

  it('with a mapping: field types must fit their use', () => {
    const catalog = fieldCatalogFromMapping({
      mappings: {
        properties: {
          title_zh: { type: 'text', fields: { keyword: { type: 'keyword' } } },
          title_en: { type: 'text' },
          tags: { type: 'keyword' },
          create_time: { type: 'date' },
          total_inventory: { type: 'integer' },
          title_embedding: { type: 'dense_vector', dims: 512 },
          skus: { type: 'nested', properties: { price: { type: 'float' } } },
        },
      },
    });
    expect(catalog.get('title_zh.keyword')).toBe('keyword');
    expect(catalog.get('skus.price')).toBe('float');
    const config = {
      schemaVersion: 1,
      domains: [{ name: 'default', fields: ['title_zh', 'title_en', 'skus.price'] }],
      ranking: {
        functions: [
          { type: 'decay', field: 'title_en', scale: '30d' },
          { type: 'field_value_factor', field: 'create_time' },
        ],
      },
      facets: [{ type: 'terms', field: 'title_en' }],
      sort: { default: ['title_zh:asc', 'title_zh.keyword:asc'] },
      query: { knn: { field: 'tags' } },
      result: { fields: ['title_zh', 'skus.*'] },
    };
    expect(problems(config, catalog)).toEqual([
      'domains[0].fields[2].field "skus.price" is a float field; it must be a text or keyword field',
      'query.knn.field "tags" is a keyword field; it must be a dense_vector field',
      'ranking.functions[0].field "title_en" is a text field; it must be a numeric or date field',
      'ranking.functions[1].field "create_time" is a date field; it must be a numeric field',
      'facets[0].field "title_en" is a text field; it must be an aggregatable (keyword, numeric or date) field',
      'sort.default[0] "title_zh" is a text field; it must be a sortable (non-text) field',
    ]);
  });
});
