/**
 * Config files as a careless or hostile user writes them: self-referencing YAML aliases, "billion
 * laughs", deep nesting, byte-order marks, empty files, `__proto__` keys, JS built-in names in
 * every name position. Each is a config error (INVALID_CONFIG: CLI exit 2, HTTP 400) or loads,
 * never a stack overflow or INTERNAL; and a bundle is accepted wherever a config is read.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle, parseBundleText, serializeBundle } from '../../engine/config/bundle.ts';
import { loadConfigFile } from '../../engine/config/config-file.ts';
import {
  defaultSearchConfig,
  parseSearchConfig,
  parseSearchConfigText,
  loadSearchConfig,
  serializeSearchConfig,
} from '../../engine/config/search-config.ts';
import { RwbError } from '../../engine/errors.ts';
import { parseQuery } from '../../engine/query/query-parser.ts';
import { createTranslator } from '../../engine/query/translation/create-translator.ts';
import { BUILT_IN_NAMES } from './hostile-names.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rwb-config-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
});

function thrown(fn: () => unknown): RwbError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RwbError);
    return err as RwbError;
  }
  throw new Error('expected an error');
}

const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'
    .split('')
    .map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  '',
].join('\n');

describe('YAML that would exhaust the parser or what walks its result', () => {
  it.each([
    ['a self-referencing sequence', 'a: &a [*a]\n', /refers to itself/],
    ['a self-referencing map', 'domains: &d { x: *d }\n', /domains\.x refers to itself/],
    ['billion laughs', BILLION_LAUGHS, /alias/i],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, /YAML|nested/],
    [
      'nesting past the depth limit',
      `a: ${'['.repeat(100)}${']'.repeat(100)}\n`,
      /nested more than/,
    ],
  ])('%s is INVALID_CONFIG', (_, text, message) => {
    const error = thrown(() => parseSearchConfigText(text, 'yaml', { source: 'c.yaml' }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('c.yaml');
  });

  it('a bundle with a self-referencing alias is INVALID_CONFIG too', () => {
    const error = thrown(() => parseBundleText('bundleVersion: 1\nx: &x [*x]\n', 'yaml'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/refers to itself/);
  });

  it('a cyclic object handed to parseSearchConfig (IPC, API) is INVALID_CONFIG', () => {
    const raw: Record<string, unknown> = { ...defaultSearchConfig() };
    raw.loop = raw;
    expect(thrown(() => parseSearchConfig(raw)).code).toBe('INVALID_CONFIG');
  });
});

describe('byte-order marks and empty files', () => {
  const config = defaultSearchConfig();

  it.each(['json', 'yaml'] as const)('a %s config with a UTF-8 BOM loads', async (format) => {
    const file = join(dir, `bom.${format}`);
    const body = serializeSearchConfig(config, format);
    await writeFile(file, `\uFEFF${body}`, 'utf8');
    expect((await loadSearchConfig(file)).name).toBe(config.name);
    expect((await loadConfigFile(file)).kind).toBe('config');
  });

  it('a JSON bundle with a BOM loads', async () => {
    const bundle = await exportBundle({ config, createdAt: '2024-05-01T10:00:00.000Z' });
    const file = join(dir, 'bom-bundle.json');
    await writeFile(file, `\uFEFF${serializeBundle(bundle, 'json')}`, 'utf8');
    expect((await loadConfigFile(file)).kind).toBe('bundle');
  });

  it.each([
    ['empty.yaml', ''],
    ['blank.yml', '  \n\n'],
    ['comments.yaml', '# nothing here yet\n'],
    ['empty.json', ''],
    ['bom-only.json', '\uFEFF'],
  ])('%s says the file is empty', async (name, text) => {
    const file = join(dir, name);
    await writeFile(file, text, 'utf8');
    for (const load of [() => loadSearchConfig(file), () => loadConfigFile(file)]) {
      const error = await load().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(RwbError);
      expect((error as RwbError).code).toBe('INVALID_CONFIG');
      expect((error as RwbError).message).toMatch(/is empty/);
      expect((error as RwbError).message).not.toMatch(/got object/);
    }
  });

  it('a null config passed directly says empty, not "got object"', () => {
    expect(thrown(() => parseSearchConfig(null)).message).toMatch(/empty/);
  });
});

describe('one loader for configs and bundles', () => {
  it.each(['json', 'yaml'] as const)('loadConfigFile takes a %s bundle', async (format) => {
    const config = defaultSearchConfig();
    config.name = 'from-bundle';
    const bundle = await exportBundle({ config, createdAt: '2024-05-01T10:00:00.000Z' });
    const file = join(dir, `bundle.${format}`);
    await writeFile(file, serializeBundle(bundle, format), 'utf8');
    const loaded = await loadConfigFile(file, { knownFields: ['only_this_field'] });
    expect(loaded).toMatchObject({ kind: 'bundle', index: bundle.index });
    expect(loaded.config.name).toBe('from-bundle');
  });

  it('a plain config is still checked against the given fields', async () => {
    const file = join(dir, 'plain.json');
    await writeFile(file, JSON.stringify(defaultSearchConfig()), 'utf8');
    const error = await loadConfigFile(file, { knownFields: ['only_this_field'] }).then(
      () => undefined,
      (err: unknown) => err as RwbError,
    );
    expect(error?.code).toBe('INVALID_CONFIG');
  });

  it('a directory is INVALID_INPUT and a missing file NOT_FOUND', async () => {
    await expect(loadConfigFile(join(dir, 'nope.json'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const sub = join(dir, 'a-dir.json');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub, { recursive: true }));
    await expect(loadConfigFile(sub)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: /directory/,
    });
  });
});

describe('JS built-in names in config name positions', () => {
  it('a __proto__ key anywhere is refused by path, in JSON and YAML', () => {
    const json = '{"query": {"rewrite": {"dictionary": {"__proto__": "x"}}}}';
    expect(thrown(() => parseSearchConfigText(json, 'json')).message).toMatch(
      /query\.rewrite\.dictionary\.__proto__ is not allowed as a key/,
    );
    const yaml = '__proto__:\n  polluted: yes\nname: x\n';
    expect(thrown(() => parseSearchConfigText(yaml, 'yaml')).code).toBe('INVALID_CONFIG');
  });

  for (const name of BUILT_IN_NAMES.filter((n) => n !== '__proto__')) {
    it(`"${name}" as rewrite key, glossary text, domain and facet: loads or INVALID_CONFIG`, async () => {
      const config = defaultSearchConfig();
      config.query.rewrite.dictionary = { [name]: 'phone' };
      config.query.translation.glossary = [{ zh: name, en: name }];
      const outcomes: string[] = [];
      const attempt = (label: string, change: (raw: Record<string, unknown>) => void): void => {
        const raw = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
        change(raw);
        try {
          parseSearchConfig(raw);
          outcomes.push(`${label}: ok`);
        } catch (err) {
          expect(err).toBeInstanceOf(RwbError);
          expect((err as RwbError).code, `${label}: ${String(err)}`).toBe('INVALID_CONFIG');
          outcomes.push(`${label}: INVALID_CONFIG`);
        }
      };
      attempt('dictionary', () => {});
      attempt('domain', (raw) => {
        (raw.domains as Array<Record<string, unknown>>)[0]!.name = name;
      });
      attempt('facet', (raw) => {
        raw.facets = [{ type: 'terms', field: name }];
      });
      attempt('sort option', (raw) => {
        (raw.sort as Record<string, unknown>).default = [name];
      });
      attempt('language mapping', (raw) => {
        (raw.domains as Array<Record<string, unknown>>)[0]!.languageFieldMapping = {
          [name]: ['title_zh'],
        };
      });
      attempt('ranking function', (raw) => {
        (raw.ranking as Record<string, unknown>).expression = `bm25() + 0.5*${name}(min_price)`;
      });
      expect(outcomes).toContain('dictionary: ok');
      expect(outcomes).toContain('ranking function: INVALID_CONFIG');

      // The rewrite key and glossary entry work as plain text; nothing inherited is matched.
      const parsedConfig = parseSearchConfig(config);
      const parsed = await parseQuery(name, parsedConfig, {
        languageDetector: null,
        translator: createTranslator(parsedConfig.query.translation),
      });
      expect(parsed.rewritten.applied.map((rewrite) => rewrite.key)).toEqual([name]);
      const other = await parseQuery('valueOf', parseSearchConfig(defaultSearchConfig()), {
        languageDetector: null,
      });
      expect(other.rewritten.applied).toEqual([]);
    });
  }
});
