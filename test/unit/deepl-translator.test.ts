/**
 * The DeepL provider with the real deepl-node client against a local server that speaks the
 * DeepL API (test/helpers/deepl-server.ts): key handling, language codes, retry on 429, errors
 * and timeouts as query warnings, glossary first, cache.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../../engine/config/search-config.ts';
import { RwbError } from '../../engine/errors.ts';
import { parseQuery } from '../../engine/query/query-parser.ts';
import {
  DeeplTranslator,
  createTranslatorWithDeepl,
  deeplSourceLanguage,
  deeplTargetLanguage,
} from '../../engine/query/translation/deepl-translator.ts';
import { translatorSecretsFromEnv } from '../../engine/query/translation/translator.ts';
import { startDeeplServer, type DeeplServer } from '../helpers/deepl-server.ts';

const KEY = 'test-key-123:fx';
let server: DeeplServer;

function deeplConfig(extra: Partial<SearchConfig['query']['translation']> = {}): SearchConfig {
  const base = defaultSearchConfig();
  return parseSearchConfig({
    ...base,
    query: {
      ...base.query,
      supportedLanguages: ['zh', 'en'],
      translation: {
        ...base.query.translation,
        provider: 'deepl',
        glossary: [{ zh: '耳机', en: 'headphones' }],
        timeoutMs: 3000,
        ...extra,
      },
    },
    domains: base.domains
      .map((domain) => ({
        ...domain,
        languageFieldMapping: {
          zh: domain.languageFieldMapping.zh,
          en: domain.languageFieldMapping.en,
        },
      }))
      .map((domain) => (domain.name === 'tags' ? { ...domain, languageFieldMapping: {} } : domain)),
  });
}

beforeAll(async () => {
  server = await startDeeplServer({
    apiKey: KEY,
    dictionary: {
      en: { 蓝牙音箱: 'bluetooth speaker', 手机: 'mobile phone' },
      zh: { speaker: '音箱' },
    },
  });
});
afterAll(async () => server.close());
afterEach(() => server.reset());

describe('DeeplTranslator (deepl-node against a local DeepL API)', () => {
  it('translates with the key from the secrets and DeepL language codes', async () => {
    const translator = new DeeplTranslator({ apiKey: KEY, serverUrl: server.url });
    expect(await translator.translate({ text: '蓝牙音箱', from: 'zh', to: 'en' })).toBe(
      'bluetooth speaker',
    );
    expect(await translator.translate({ text: 'speaker', from: null, to: 'zh' })).toBe('音箱');
    expect(server.calls).toEqual([
      { texts: ['蓝牙音箱'], source: 'zh', target: 'en-us', status: 200 },
      { texts: ['speaker'], source: null, target: 'zh-hans', status: 200 },
    ]);
  });

  it('treats an echoed (untranslatable) text as no translation', async () => {
    const translator = new DeeplTranslator({ apiKey: KEY, serverUrl: server.url });
    expect(await translator.translate({ text: 'XK-42', from: 'zh', to: 'en' })).toBeNull();
  });

  it('names the key problem on HTTP 403, without retrying', async () => {
    const translator = new DeeplTranslator({ apiKey: 'wrong', serverUrl: server.url });
    await expect(translator.translate({ text: '手机', from: 'zh', to: 'en' })).rejects.toThrow(
      /refused the API key \(HTTP 403\); check RWB_DEEPL_API_KEY/,
    );
    expect(server.calls.map((call) => call.status)).toEqual([403]);
  });

  it('retries once after HTTP 429 and then succeeds', async () => {
    server.failNext(429, 1);
    const translator = new DeeplTranslator({ apiKey: KEY, serverUrl: server.url, maxRetries: 2 });
    expect(await translator.translate({ text: '手机', from: 'zh', to: 'en' })).toBe('mobile phone');
    expect(server.calls.map((call) => call.status)).toEqual([429, 200]);
  });

  it('gives up with a clear message when 429 persists', async () => {
    server.failNext(429, 5);
    const translator = new DeeplTranslator({ apiKey: KEY, serverUrl: server.url, maxRetries: 1 });
    await expect(translator.translate({ text: '手机', from: 'zh', to: 'en' })).rejects.toThrow(
      /too many requests" \(HTTP 429\) after retrying/,
    );
    expect(server.calls.map((call) => call.status)).toEqual([429]);
  });

  it('reports an unreachable server', async () => {
    const translator = new DeeplTranslator({
      apiKey: KEY,
      serverUrl: 'http://127.0.0.1:9',
      maxRetries: 1,
    });
    await expect(translator.translate({ text: '手机', from: 'zh', to: 'en' })).rejects.toThrow(
      /DeepL at http:\/\/127\.0\.0\.1:9/,
    );
  });

  it('maps language codes to what DeepL accepts', () => {
    expect(deeplTargetLanguage('en')).toBe('en-US');
    expect(deeplTargetLanguage('zh')).toBe('zh-HANS');
    expect(deeplTargetLanguage('ru')).toBe('ru');
    expect(deeplSourceLanguage('und')).toBeNull();
    expect(deeplSourceLanguage('en-US')).toBe('en');
  });
});

describe('DeepL in the query parser', () => {
  it('is refused without a key, naming the environment variable', () => {
    expect(() => createTranslatorWithDeepl(deeplConfig().query.translation, {})).toThrow(RwbError);
    expect(() => createTranslatorWithDeepl(deeplConfig().query.translation, {})).toThrow(
      /RWB_DEEPL_API_KEY/,
    );
  });

  it('reads the key and server URL from the environment', () => {
    expect(
      translatorSecretsFromEnv({ RWB_DEEPL_API_KEY: 'k', RWB_DEEPL_SERVER_URL: 'http://x' }),
    ).toEqual({
      deeplApiKey: 'k',
      deeplServerUrl: 'http://x',
    });
  });

  it('asks the glossary first, DeepL for the rest, and caches DeepL answers', async () => {
    const config = deeplConfig();
    const translator = createTranslatorWithDeepl(config.query.translation, {
      deeplApiKey: KEY,
      deeplServerUrl: server.url,
    });
    const first = await parseQuery('耳机 OR 蓝牙音箱', config, {
      translator,
      languageDetector: null,
    });
    expect(first.warnings).toEqual([]);
    expect(first.terms.map((term) => term.translations)).toEqual([
      { en: 'headphones' },
      { en: 'bluetooth speaker' },
    ]);
    expect(server.calls.map((call) => call.texts)).toEqual([['蓝牙音箱']]);
    const again = await parseQuery('耳机 OR 蓝牙音箱', config, {
      translator,
      languageDetector: null,
    });
    expect(again.terms[1]!.translations).toEqual({ en: 'bluetooth speaker' });
    expect(server.calls).toHaveLength(1);
  });

  it('turns a refused key into a warning and searches untranslated', async () => {
    const config = deeplConfig();
    const translator = createTranslatorWithDeepl(config.query.translation, {
      deeplApiKey: 'bad',
      deeplServerUrl: server.url,
    });
    const parsed = await parseQuery('手机', config, { translator, languageDetector: null });
    expect(parsed.translations).toEqual({});
    expect(parsed.warnings).toEqual([
      expect.stringMatching(
        /^Translation of "手机" \(zh → en\) by glossary\+deepl failed: .*HTTP 403/,
      ),
    ]);
  });

  it('turns a slow DeepL into a timeout warning within the configured budget', async () => {
    server.setDelay(1000);
    const config = deeplConfig({ timeoutMs: 100, cacheSize: 0 });
    const translator = createTranslatorWithDeepl(config.query.translation, {
      deeplApiKey: KEY,
      deeplServerUrl: server.url,
    });
    const parsed = await parseQuery('手机', config, { translator, languageDetector: null });
    expect(parsed.warnings).toEqual([expect.stringContaining('timed out after 100 ms')]);
    expect(parsed.translations).toEqual({});
  });
});
