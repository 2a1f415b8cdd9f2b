import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SEARCH_CONFIG_MIGRATIONS,
  SEARCH_CONFIG_SCHEMA_VERSION,
  defaultSearchConfig,
  loadMappingFieldCatalog,
  loadSearchConfig,
  migrateSearchConfig,
  parseSearchConfigText,
  saveSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { RwbError } from '../../engine/errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rwb-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tunedConfig(): SearchConfig {
  const config = defaultSearchConfig();
  config.domains[1]!.boost = 2.5;
  config.query.rewrite.dictionary = {
    芭比: 'brand:芭比 OR title:芭比娃娃',
    'fire truck': 'category:消防车',
  };
  config.query.translation.glossary = [
    { zh: '蓝牙耳机', en: 'bluetooth headphones', ru: 'блютуз наушники' },
  ];
  config.query.textEmbedding.enabled = true;
  config.ranking.functions[0]!.enabled = true;
  config.result.skuFilterDimension = 'color';
  return config;
}

async function caught(promise: Promise<unknown>): Promise<RwbError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(RwbError);
  return error as RwbError;
}

describe('save and load', () => {
  it.each(['tuned.json', 'tuned.yaml', 'nested/dir/tuned.yml'])(
    'round-trips %s unchanged',
    async (name) => {
      const path = join(dir, name);
      const config = tunedConfig();
      await saveSearchConfig(path, config);
      expect(await loadSearchConfig(path)).toEqual(config);
    },
  );

  it('writes YAML people can read (block style, Chinese as is)', async () => {
    const path = join(dir, 'readable.yaml');
    await saveSearchConfig(path, tunedConfig());
    const text = await readFile(path, 'utf8');
    expect(text).toContain(`schemaVersion: ${SEARCH_CONFIG_SCHEMA_VERSION}`);
    expect(text).toContain('芭比: brand:芭比 OR title:芭比娃娃');
    expect(text).toContain('\n  - name: default\n');
    expect(text.trimStart().startsWith('{')).toBe(false);
  });

  it('refuses to save an invalid config and leaves no file behind', async () => {
    const config = tunedConfig();
    config.domains[1]!.boost = -1;
    const path = join(dir, 'invalid.json');
    const error = await caught(saveSearchConfig(path, config));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('domains[1].boost must be > 0');
    await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('chooses the format by extension and rejects others', async () => {
    expect(
      (await caught(saveSearchConfig(join(dir, 'config.toml'), tunedConfig()))).message,
    ).toMatch(/use a \.json, \.yaml or \.yml extension/);
    expect((await caught(loadSearchConfig(join(dir, 'missing.yaml')))).code).toBe('NOT_FOUND');
  });

  it('reports syntax errors with their place and the file', async () => {
    const yamlPath = join(dir, 'broken.yaml');
    await writeFile(
      yamlPath,
      'schemaVersion: 1\ndomains:\n  - name: default\n   fields: [title_zh\n',
    );
    const yamlError = await caught(loadSearchConfig(yamlPath));
    expect(yamlError.code).toBe('INVALID_CONFIG');
    expect(yamlError.message).toMatch(
      new RegExp(
        `^${yamlPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid YAML at line \\d+, column \\d+`,
      ),
    );

    const jsonPath = join(dir, 'broken.json');
    await writeFile(jsonPath, '{"schemaVersion": 1,');
    expect((await caught(loadSearchConfig(jsonPath))).message).toContain(
      `${jsonPath} is not valid JSON`,
    );
  });

  it('validates what it loads, naming the file', async () => {
    const path = join(dir, 'bad-values.yaml');
    await writeFile(
      path,
      'schemaVersion: 1\ndomains:\n  - name: default\n    fields: [title_zh]\n    boost: 0\n',
    );
    const error = await caught(loadSearchConfig(path));
    expect(error.message).toBe(
      `Invalid search config in ${path}:\n  - domains[0].boost must be > 0`,
    );
  });

  it('checks fields against known index fields when given', async () => {
    const path = join(dir, 'fields.json');
    await saveSearchConfig(path, defaultSearchConfig());
    const error = await caught(loadSearchConfig(path, { knownFields: ['title_zh'] }));
    expect(error.message).toContain(
      'domains[0].fields[1].field "title_en" is not a field of the index mapping',
    );
  });
});

/** The seed's own YAML (seed §2.2, §4.1, §4.2, §5.3), which has no schemaVersion: version 0. */
const SEED_YAML = `
indexes:
  - name: "default"
    label: "默认索引"
    fields: ["title_zh", "title_en^2", "tags"]
    analyzer: "chinese_ecommerce"
    boost: 1.0
    language_field_mapping:
      zh: ["title_zh"]
      en: ["title_en"]
  - name: "title"
    label: "标题索引"
    fields: ["title_zh", "title_en"]
    boost: 2.0
    language_field_mapping:
      zh: ["title_zh"]
      en: ["title_en"]
query_config:
  supported_languages: ["zh", "en", "ru"]
  default_language: "zh"
  enable_translation: true
  translation_service: "deepl"
  translation_api_key: "secret-from-an-old-file"
  enable_query_rewrite: true
  rewrite_dictionary:
    "芭比": "title:芭比 OR title:芭比娃娃"
  enable_text_embedding: true
ranking:
  expression: "bm25() + 0.2*text_embedding_relevance()"
  description: "BM25 text relevance combined with semantic embedding similarity"
es_index_name: "search_products"
`;

describe('migration from older schema versions', () => {
  it('has one migration per version below the current one', () => {
    for (let version = 0; version < SEARCH_CONFIG_SCHEMA_VERSION; version++) {
      expect(SEARCH_CONFIG_MIGRATIONS[version]).toMatchObject({ from: version, to: version + 1 });
    }
  });

  it('loads the seed YAML (version 0), drops the API key and says what it dropped', () => {
    const warnings: string[] = [];
    const config = parseSearchConfigText(SEED_YAML, 'yaml', {
      onWarning: (message) => warnings.push(message),
    });
    expect(config.schemaVersion).toBe(SEARCH_CONFIG_SCHEMA_VERSION);
    expect(config.domains[0]).toEqual({
      name: 'default',
      label: '默认索引',
      fields: [
        { field: 'title_zh', boost: 1 },
        { field: 'title_en', boost: 2 },
        { field: 'tags', boost: 1 },
      ],
      boost: 1,
      type: 'best_fields',
      operator: 'or',
      languageFieldMapping: { zh: ['title_zh'], en: ['title_en'] },
    });
    // The seed's multi_match has no minimum_should_match, and neither does its import.
    expect(config.ranking.minimumShouldMatch).toBeUndefined();
    expect(config.domains[1]!.boost).toBe(2);
    expect(config.query.translation.provider).toBe('deepl');
    expect(config.query.rewrite).toEqual({
      enabled: true,
      dictionary: { 芭比: 'title:芭比 OR title:芭比娃娃' },
    });
    expect(config.query.textEmbedding.enabled).toBe(true);
    expect(config.ranking.description).toBe(
      'BM25 text relevance combined with semantic embedding similarity',
    );
    expect(JSON.stringify(config)).not.toContain('secret-from-an-old-file');
    expect(warnings).toEqual([
      'indexes[0].analyzer "chinese_ecommerce" is not an analyzer of rwb\'s index and was dropped: each field\'s own analyzer is used',
      'query_config.translation_api_key was dropped: keys never live in a config; set RWB_DEEPL_API_KEY instead',
      'es_index_name has no equivalent in schema version 1 and was dropped',
    ]);
  });

  it('maps enable_translation: false to provider none', () => {
    const { value } = migrateSearchConfig({
      indexes: [],
      query_config: { enable_translation: false, translation_service: 'deepl' },
    });
    expect(value).toMatchObject({
      schemaVersion: SEARCH_CONFIG_SCHEMA_VERSION,
      query: { translation: { provider: 'none' } },
    });
  });

  it('leaves current configs alone and refuses newer ones', () => {
    const current = { schemaVersion: SEARCH_CONFIG_SCHEMA_VERSION, domains: [] };
    expect(migrateSearchConfig(current)).toEqual({
      value: current,
      fromVersion: SEARCH_CONFIG_SCHEMA_VERSION,
      warnings: [],
    });
    expect(() => migrateSearchConfig({ schemaVersion: SEARCH_CONFIG_SCHEMA_VERSION + 1 })).toThrow(
      /newer than this build reads/,
    );
    expect(() => migrateSearchConfig({ schemaVersion: '1' })).toThrow(
      /schemaVersion must be a non-negative integer/,
    );
    expect(() => migrateSearchConfig([1, 2])).toThrow(/must be an object \(got an array\)/);
  });
});

describe('index mapping catalog', () => {
  it('reads a mapping file; a missing file is null, not an error', async () => {
    const path = join(dir, 'mapping.json');
    await writeFile(
      path,
      JSON.stringify({
        mappings: {
          properties: {
            title_zh: { type: 'text' },
            specifications: { type: 'nested', properties: { name: { type: 'keyword' } } },
          },
        },
      }),
    );
    const catalog = await loadMappingFieldCatalog(path);
    expect(catalog && [...catalog.entries()]).toEqual([
      ['title_zh', 'text'],
      ['specifications', 'nested'],
      ['specifications.name', 'keyword'],
    ]);
    expect(await loadMappingFieldCatalog(join(dir, 'nope.json'))).toBeNull();
    await writeFile(path, '{');
    expect((await caught(loadMappingFieldCatalog(path))).message).toMatch(/is not valid JSON/);
  });

  it('the default config fits mappings/search_products.json once it exists', async () => {
    const catalog = await loadMappingFieldCatalog();
    if (catalog === null) return; // written by the ES index helper; checked here as soon as it lands
    expect(catalog.get('title_zh')).toBe('text');
    expect(() =>
      parseSearchConfigText(JSON.stringify(defaultSearchConfig()), 'json', {
        knownFields: catalog,
      }),
    ).not.toThrow();
  });
});
