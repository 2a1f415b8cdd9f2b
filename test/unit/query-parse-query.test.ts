import { describe, expect, it } from 'vitest';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { RwbError } from '../../engine/errors.ts';
import { QueryParseError } from '../../engine/query/parse-error.ts';
import { printQuery } from '../../engine/query/print.ts';
import { cachedEmbedder } from '../../engine/query/cached-embedder.ts';
import { findTerm, parseQuery, type QueryEmbedder } from '../../engine/query/query-parser.ts';
import { createTranslator } from '../../engine/query/translation/create-translator.ts';
import type { Translator } from '../../engine/query/translation/translator.ts';

function seedConfig(change: (config: SearchConfig) => void = () => {}): SearchConfig {
  const config = defaultSearchConfig();
  // The seed's examples use a `name` domain (the Chinese product name).
  config.domains.push({
    name: 'name',
    label: '商品名',
    boost: 1,
    type: 'best_fields',
    operator: 'or',
    fields: [{ field: 'title_zh', boost: 1 }],
    languageFieldMapping: { zh: ['title_zh'] },
  });
  config.query.rewrite.dictionary = {
    芭比: 'brand:芭比 OR name:芭比娃娃',
    玩具: 'category:玩具',
    消防: 'category:消防 OR name:消防',
  };
  config.query.translation.glossary = [
    { zh: '芭比', en: 'Barbie', ru: 'Барби' },
    { zh: '连衣裙', en: 'dress', ru: 'платье' },
    { zh: '红色', en: 'red', ru: 'красный' },
    { zh: '便宜', en: 'cheap' },
    { zh: '笔记本电脑', en: 'laptop' },
  ];
  change(config);
  return parseSearchConfig(config);
}

const scriptOnly = { languageDetector: null };
const strict = { ...scriptOnly, parseMode: 'strict' } as const;

describe('parseQuery', () => {
  it('rewrites, parses, detects and translates a seed example', async () => {
    const config = seedConfig();
    const parsed = await parseQuery('芭比 红色连衣裙', config, {
      ...scriptOnly,
      translator: createTranslator(config.query.translation),
    });
    expect(parsed.original).toBe('芭比 红色连衣裙');
    expect(parsed.rewritten.query).toBe('(brand:芭比 OR name:芭比娃娃) 红色连衣裙');
    expect(parsed.rewritten.applied.map((rewrite) => [rewrite.key, rewrite.mode])).toEqual([
      ['芭比', 'partial'],
    ]);
    expect(printQuery(parsed.ast!)).toBe('(brand:芭比 OR name:芭比娃娃) AND 红色连衣裙');
    expect(parsed.language).toMatchObject({ language: 'zh', method: 'script' });
    expect(parsed.defaultText).toBe('红色连衣裙');
    // Default domain maps zh+en only: no Russian translation although the glossary has one.
    expect(parsed.translations).toEqual({ en: 'red dress' });
    expect(
      findTerm(parsed, { domain: 'brand', text: '芭比', phrase: false })?.translations,
    ).toEqual({ en: 'Barbie' });
    // `name` maps only zh: nothing to translate into.
    expect(
      findTerm(parsed, { domain: 'name', text: '芭比娃娃', phrase: false })?.translations,
    ).toEqual({});
    expect(parsed.vector).toBeUndefined();
    expect(parsed.warnings).toEqual([]);
    for (const value of Object.values(parsed.timings)) expect(value).toBeGreaterThanOrEqual(0);
  });

  it('exact rewrite (玩具) and no rewrite when disabled', async () => {
    const config = seedConfig();
    expect(printQuery((await parseQuery('玩具', config, scriptOnly)).ast!)).toBe('category:玩具');
    const off = seedConfig((c) => (c.query.rewrite.enabled = false));
    const parsed = await parseQuery('玩具', off, scriptOnly);
    expect(parsed.rewritten).toEqual({ query: '玩具', applied: [] });
    expect(printQuery(parsed.ast!)).toBe('玩具');
  });

  it('translates English into Chinese; negated terms are translated but not embedded', async () => {
    const config = seedConfig((c) => (c.query.textEmbedding.enabled = true));
    const embedded: string[] = [];
    const embedder: QueryEmbedder = async (text) => {
      embedded.push(text);
      return new Float32Array([1, 2, 3]);
    };
    const parsed = await parseQuery('laptop ANDNOT cheap', config, {
      ...scriptOnly,
      embedder,
      translator: createTranslator(config.query.translation),
    });
    expect(parsed.language.language).toBe('en');
    expect(parsed.translations).toEqual({ zh: '笔记本电脑' });
    expect(findTerm(parsed, { domain: 'default', text: 'cheap', phrase: false })).toMatchObject({
      negated: true,
      translations: { zh: '便宜' },
    });
    expect(embedded).toEqual(['laptop']);
    expect(parsed.vector).toEqual(new Float32Array([1, 2, 3]));
  });

  it('embeds only when enabled and only default-domain text', async () => {
    let calls = 0;
    const embedder: QueryEmbedder = async () => {
      calls += 1;
      return new Float32Array(4);
    };
    expect(
      (await parseQuery('laptop', seedConfig(), { ...scriptOnly, embedder })).vector,
    ).toBeUndefined();
    const enabled = seedConfig((c) => (c.query.textEmbedding.enabled = true));
    expect(
      (await parseQuery('title:laptop', enabled, { ...scriptOnly, embedder })).vector,
    ).toBeUndefined();
    expect(calls).toBe(0);
    expect(
      (await parseQuery('title:laptop gaming', enabled, { ...scriptOnly, embedder })).vector,
    ).toHaveLength(4);
    expect(calls).toBe(1);
  });

  it('a failing translator or embedder degrades to warnings, not errors', async () => {
    const config = seedConfig((c) => (c.query.textEmbedding.enabled = true));
    const broken: Translator = {
      provider: 'broken',
      translate: async () => {
        throw new RwbError('INTERNAL', 'quota exceeded');
      },
    };
    const parsed = await parseQuery('红色', config, {
      ...scriptOnly,
      translator: broken,
      embedder: async () => {
        throw new Error('model missing');
      },
    });
    expect(parsed.translations).toEqual({});
    expect(parsed.vector).toBeUndefined();
    expect(parsed.warnings).toEqual([
      'Translation of "红色" (zh → en) by broken failed: quota exceeded',
      'Query embedding failed, searching without a vector: model missing',
    ]);
  });

  it('a translator that never answers is cut off by the timeout', async () => {
    const config = seedConfig((c) => (c.query.translation.timeoutMs = 20));
    const hanging: Translator = {
      provider: 'hanging',
      translate: () => new Promise<string | null>(() => {}),
    };
    const parsed = await parseQuery('红色', config, { ...scriptOnly, translator: hanging });
    expect(parsed.warnings).toEqual([
      'Translation of "红色" (zh → en) by hanging failed: timed out after 20 ms',
    ]);
  });

  it('cancellation is an error, not a warning', async () => {
    const controller = new AbortController();
    const config = seedConfig();
    const hanging: Translator = {
      provider: 'hanging',
      translate: () => new Promise<string | null>(() => {}),
    };
    const pending = parseQuery('红色', config, {
      ...scriptOnly,
      translator: hanging,
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('a blank query parses to no AST (browse with filters)', async () => {
    const parsed = await parseQuery('   ', seedConfig(), scriptOnly);
    expect(parsed.ast).toBeNull();
    expect(parsed.terms).toEqual([]);
    expect(parsed.language).toEqual({ language: 'zh', confidence: 0, method: 'default' });
  });

  it('errors after a rewrite point at what the user typed', async () => {
    const error = await parseQuery('芭比 AND', seedConfig(), strict).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(QueryParseError);
    expect((error as QueryParseError).details).toMatchObject({
      kind: 'DANGLING_OPERATOR',
      position: 6,
      input: '芭比 AND',
      rewritten: { input: '(brand:芭比 OR name:芭比娃娃) AND' },
    });
  });

  it('enforces the configured length and depth limits', async () => {
    const config = seedConfig((c) => {
      c.query.maxQueryLength = 50;
      c.query.maxNestingDepth = 2;
    });
    // The length limit holds in every mode: it bounds the work, it is not a syntax question.
    for (const mode of ['strict', 'lenient', 'text'] as const) {
      await expect(
        parseQuery('x'.repeat(51), config, { ...scriptOnly, parseMode: mode }),
      ).rejects.toMatchObject({ code: 'PARSE_ERROR', details: { kind: 'TOO_LONG' } });
    }
    await expect(parseQuery('(((a)))', config, strict)).rejects.toMatchObject({
      details: { kind: 'TOO_DEEP' },
    });
    const deep = await parseQuery('(((a)))', config, scriptOnly);
    expect(deep.parseFallback?.kind).toBe('TOO_DEEP');
    expect(deep.ast).toMatchObject({ kind: 'term', domain: 'default', text: '(((a)))' });
    // A rewrite may legitimately grow the query past the limit.
    const growing = seedConfig((c) => {
      c.query.maxQueryLength = 10;
      c.query.rewrite.dictionary = { ab: 'title:aaaaaaaaaa OR brand:bbbbbbbbbb' };
    });
    expect(printQuery((await parseQuery('ab', growing, scriptOnly)).ast!)).toBe(
      'title:aaaaaaaaaa OR brand:bbbbbbbbbb',
    );
  });

  it('unknown domains are typed parse errors listing the config domains', async () => {
    await expect(parseQuery('color:red', seedConfig(), strict)).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      details: {
        kind: 'UNKNOWN_DOMAIN',
        position: 0,
        expected: ['default', 'title', 'brief', 'description', 'category', 'brand', 'tags', 'name'],
      },
    });
  });

  it('uses eld by default for long text', async () => {
    const parsed = await parseQuery(
      'Kabellose Kopfhörer mit Geräuschunterdrückung für den Sport',
      seedConfig(),
    );
    expect(parsed.language).toMatchObject({ language: 'de', method: 'library' });
  });

  it('a cached embedder encodes each text once', async () => {
    const config = seedConfig((c) => (c.query.textEmbedding.enabled = true));
    const encoded: string[] = [];
    const embedder = cachedEmbedder(async (text) => {
      encoded.push(text);
      return new Float32Array([text.length]);
    }, config.query.textEmbedding.cacheSize);
    const first = await parseQuery('laptop', config, { ...scriptOnly, embedder });
    const again = await parseQuery('laptop', config, { ...scriptOnly, embedder });
    await Promise.all(
      ['mouse', 'mouse'].map((q) => parseQuery(q, config, { ...scriptOnly, embedder })),
    );
    expect(again.vector).toEqual(first.vector);
    expect(encoded).toEqual(['laptop', 'mouse']);
    expect(embedder.stats()).toMatchObject({ size: 2, hits: 1 });
  });
});
