/**
 * Exported bundles: export without a cluster, JSON/YAML round trips, validation errors that name
 * the path, the secret ban, migrations and diffs.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_VERSION,
  diffBundles,
  exportBundle,
  loadBundle,
  parseBundle,
  parseBundleText,
  writeBundle,
  type Bundle,
} from '../../engine/config/bundle.ts';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { RwbError } from '../../engine/errors.ts';

const CREATED_AT = '2024-05-01T10:00:00.000Z';
let dir: string;

function tunedConfig(): SearchConfig {
  const base = defaultSearchConfig();
  return parseSearchConfig({
    ...base,
    name: 'tuned',
    query: {
      ...base.query,
      textEmbedding: { enabled: true, model: 'bge-small-zh-v15-q', cacheSize: 100 },
      translation: { ...base.query.translation, glossary: [{ zh: '耳机', en: 'headphones' }] },
    },
  });
}

async function bundle(config: SearchConfig = tunedConfig()): Promise<Bundle> {
  return exportBundle({ config, createdAt: CREATED_AT });
}

/** The problems an INVALID_CONFIG error lists, as "path message" lines. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RwbError);
    const issues = (
      (err as RwbError).details as { issues?: Array<{ path: string; message: string }> }
    )?.issues;
    return (issues ?? []).map((issue) => `${issue.path} ${issue.message}`);
  }
  throw new Error('expected the bundle to be rejected');
}

/** Free-form edits of an exported bundle, to break it on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary paths of raw JSON
type RawJson = Record<string, any>;
const mutate = (source: Bundle, change: (raw: RawJson) => void): unknown => {
  const raw = structuredClone(source) as unknown as RawJson;
  change(raw);
  return raw;
};

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rwb-bundle-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('exportBundle without a cluster', () => {
  it('holds the config, the filled mapping, a search template and the model ids', async () => {
    const exported = await bundle();
    expect(exported).toMatchObject({
      bundleVersion: BUNDLE_VERSION,
      createdAt: CREATED_AT,
      index: 'search_products',
      models: { text: { id: 'bge-small-zh-v15-q', dims: 512 }, image: null },
      searchTemplate: { id: 'rwb-tuned', lang: 'mustache' },
    });
    expect(exported.config).toEqual(tunedConfig());
    const props = exported.mapping.mappings.properties as Record<string, Record<string, unknown>>;
    expect(props.title_embedding).toMatchObject({ type: 'dense_vector', dims: 512 });
    expect(props.title_zh).toMatchObject({ analyzer: 'standard' });
    expect(JSON.stringify(exported.mapping)).not.toContain('$');
    expect(Object.keys(exported.searchTemplate.params).sort()).toEqual([
      'from',
      'query_en',
      'query_string',
      'query_vector',
      'query_zh',
      'size',
      'tenant_id',
    ]);
  });

  it('leaves the vector out when text embedding is off', async () => {
    const config = defaultSearchConfig();
    const exported = await bundle(config);
    expect(exported.models.text).toBeNull();
    expect(exported.searchTemplate.params.query_vector).toBeUndefined();
    expect(exported.searchTemplate.source).not.toContain('knn');
  });

  it('refuses a config that is not valid', async () => {
    const config = {
      ...defaultSearchConfig(),
      ranking: { ...defaultSearchConfig().ranking, expression: 'bm25() - 1' },
    };
    await expect(exportBundle({ config })).rejects.toThrow(/ranking\.expression/);
  });
});

describe('bundle files', () => {
  it('round-trips through JSON and YAML unchanged', async () => {
    const exported = await bundle();
    for (const name of ['b.json', 'b.yaml', 'b.yml']) {
      const file = path.join(dir, name);
      await writeBundle(file, exported);
      expect(await loadBundle(file)).toEqual(exported);
    }
  });

  it('names the file and the line of a YAML syntax error', async () => {
    const file = path.join(dir, 'broken.yaml');
    await fs.writeFile(file, 'bundleVersion: 1\nconfig: [unclosed\n');
    await expect(loadBundle(file)).rejects.toThrow(/broken\.yaml is not valid YAML at line \d+/);
  });

  it('says when the file is missing', async () => {
    await expect(loadBundle(path.join(dir, 'nope.json'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('bundle validation names the path', () => {
  let exported: Bundle;
  beforeAll(async () => {
    exported = await bundle();
  });

  it('inside the config', () => {
    const boost = mutate(exported, (b) => {
      b.config.domains[1].boost = 0;
      b.config.query.knn.k = 'many';
    });
    expect(problems(() => parseBundle(boost))).toEqual([
      'config.domains[1].boost must be > 0',
      'config.query.knn.k must be a number (got string)',
    ]);
    const expression = mutate(exported, (b) => {
      b.config.ranking.expression = 'bm25() + 2*nope()';
    });
    expect(problems(() => parseBundle(expression))).toEqual([
      'config.ranking.expression unknown function "nope" (known: bm25, text_embedding_relevance, image_embedding_relevance, timeliness, field_value) at position 11 in "bm25() + 2*nope()"',
    ]);
  });

  it('checks config fields against the bundle mapping', () => {
    const raw = mutate(exported, (b) => {
      b.config.domains[0].fields[0].field = 'titel_zh';
      b.config.ranking.expression = 'bm25() + 0.1*field_value(title_zh)';
    });
    expect(problems(() => parseBundle(raw))).toEqual([
      'config.domains[0].languageFieldMapping.zh[0] "title_zh" is not one of this domain\'s fields; add it to domains[0].fields',
      'config.domains[0].fields[0].field "titel_zh" is not a field of the index mapping (did you mean "title_zh"?)',
      'config.ranking.expression "title_zh" is a text field; it must be a numeric field',
    ]);
  });

  it('in the envelope and between parts', () => {
    const raw = mutate(exported, (b) => {
      delete b.searchTemplate;
      b.index = 'Bad Index';
      b.models.text.dims = 384;
    });
    expect(problems(() => parseBundle(raw))).toEqual(
      expect.arrayContaining([
        'searchTemplate is required',
        expect.stringMatching(/^index must be an Elasticsearch index name/),
      ]),
    );
    const dims = mutate(exported, (b) => {
      b.models.text.dims = 384;
      b.models.text.id = 'bge-small-en-v15-q';
    });
    expect(problems(() => parseBundle(dims))).toEqual([
      'models.text.id is "bge-small-en-v15-q" but config.query.textEmbedding.model is "bge-small-zh-v15-q"',
      "models.text.dims is 384 but the mapping's title_embedding has 512 dims",
    ]);
  });

  it('rejects a template that does not render to JSON', () => {
    const raw = mutate(exported, (b) => {
      b.searchTemplate.source = b.searchTemplate.source.replace('{{size}}', '{{size}');
    });
    expect(problems(() => parseBundle(raw))).toEqual([
      expect.stringMatching(/^searchTemplate\.source does not render to JSON/),
    ]);
  });

  it('refuses newer versions and tells a plain config apart', () => {
    expect(() => parseBundle(mutate(exported, (b) => (b.bundleVersion = 99)))).toThrow(
      /bundleVersion 99, newer than this build reads \(1\)/,
    );
    expect(problems(() => parseBundle(defaultSearchConfig()))).toEqual([
      expect.stringMatching(
        /^bundleVersion must be a whole number \(got undefined\) \(this looks like a plain search config/,
      ),
    ]);
  });

  it('migrates older versions through the table', () => {
    const old = mutate(exported, (b) => {
      b.bundleVersion = 0;
      b.indexName = b.index;
      delete b.index;
    });
    expect(() => parseBundle(old)).toThrow(/no migration from bundle version 0/);
    const warnings: string[] = [];
    const migrated = parseBundle(old, {
      onWarning: (message) => warnings.push(message),
      migrations: {
        0: {
          from: 0,
          to: 1,
          description: 'indexName → index',
          migrate: ({ indexName, ...rest }, warn) => {
            warn('renamed indexName to index');
            return { ...rest, index: indexName, bundleVersion: 1 };
          },
        },
      },
    });
    expect(migrated).toEqual(exported);
    expect(warnings).toEqual(['renamed indexName to index']);
  });
});

describe('no secrets in a bundle', () => {
  let exported: Bundle;
  beforeAll(async () => {
    exported = await bundle();
  });

  it('refuses secret-looking keys anywhere outside mapping field names', () => {
    const raw = mutate(exported, (b) => {
      b.config.query.translation.apiKey = 'abc';
      b.models.password = 'x';
      b.mapping.mappings.properties.token = { type: 'keyword' };
    });
    expect(problems(() => parseBundle(raw))).toEqual([
      'config.query.translation.apiKey looks like a secret; secrets never go into a bundle',
      'models.password looks like a secret; secrets never go into a bundle',
    ]);
  });

  it('refuses the DeepL key and ES password of the environment, and URLs with passwords', async () => {
    const saved = { ...process.env };
    process.env.RWB_DEEPL_API_KEY = 'deepl-secret-4711:fx';
    process.env.RWB_ES_PASSWORD = 'es-pass-4711';
    try {
      const raw = mutate(exported, (b) => {
        b.config.description = 'key deepl-secret-4711:fx';
        b.config.name = 'es-pass-4711';
        b.searchTemplate.notes.push('see http://elastic:hunter22@es.example:9200');
      });
      expect(problems(() => parseBundle(raw))).toEqual([
        'config.name contains a secret from the environment',
        'config.description contains a secret from the environment',
        `searchTemplate.notes[${exported.searchTemplate.notes.length}] is a URL with a password in it`,
      ]);
      const leaky = structuredClone(exported);
      leaky.config.description = 'deepl-secret-4711:fx';
      await expect(writeBundle(path.join(dir, 'leak.json'), leaky)).rejects.toThrow(
        /contains a secret/,
      );
      await expect(fs.access(path.join(dir, 'leak.json'))).rejects.toThrow();
      // A real export carries none of them.
      const text = JSON.stringify(await bundle());
      expect(text).not.toContain('deepl-secret-4711');
      expect(text).not.toContain('es-pass-4711');
    } finally {
      process.env = saved;
    }
  });
});

describe('diffBundles', () => {
  it('lists what changed by readable paths and ignores the export time', async () => {
    const a = await bundle();
    const config = structuredClone(a.config);
    config.domains.find((d) => d.name === 'title')!.boost = 4;
    config.query.knn.k = 80;
    const b = await exportBundle({ config, createdAt: '2025-01-01T00:00:00.000Z' });
    expect(diffBundles(a, a)).toEqual([]);
    expect(diffBundles(a, b).map((change) => [change.path, change.before, change.after])).toEqual([
      ['config.domains.title.boost', 2, 4],
      ['config.query.knn.k', 50, 80],
      ['searchTemplate.notes', a.searchTemplate.notes, b.searchTemplate.notes],
      ['searchTemplate.source', a.searchTemplate.source, b.searchTemplate.source],
    ]);
  });

  it('parses bundle text directly (what an upload in the app would do)', async () => {
    const a = await bundle();
    expect(parseBundleText(JSON.stringify(a), 'json')).toEqual(a);
  });
});
