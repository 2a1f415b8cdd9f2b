import { describe, expect, it } from 'vitest';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import { RwbError } from '../../engine/errors.ts';
import { LruCache } from '../../engine/query/lru-cache.ts';
import { CachedTranslator } from '../../engine/query/translation/cached-translator.ts';
import { createTranslator } from '../../engine/query/translation/create-translator.ts';
import { GlossaryTranslator } from '../../engine/query/translation/glossary-translator.ts';
import { translationTargets } from '../../engine/query/translation/targets.ts';
import {
  FallbackTranslator,
  type TranslationRequest,
  type Translator,
} from '../../engine/query/translation/translator.ts';

const glossary = new GlossaryTranslator([
  { zh: '蓝牙耳机', en: 'bluetooth headphones', ru: 'блютуз наушники' },
  { zh: '红色', en: 'red', ru: 'красный' },
  { zh: '手机壳', en: 'phone case' },
  { zh: '耳机', en: 'headphones' },
]);

const translate = (text: string, from: string | null, to: string) =>
  glossary.translate({ text, from, to });

describe('GlossaryTranslator', () => {
  it('translates a whole term in every direction, ignoring case and spacing', async () => {
    expect(await translate('蓝牙耳机', 'zh', 'en')).toBe('bluetooth headphones');
    expect(await translate('蓝牙耳机', 'zh', 'ru')).toBe('блютуз наушники');
    expect(await translate('Bluetooth   Headphones', 'en', 'zh')).toBe('蓝牙耳机');
    expect(await translate('красный', 'ru', 'en')).toBe('red');
  });

  it('covers a text with several terms, longest first', async () => {
    expect(await translate('红色蓝牙耳机', 'zh', 'en')).toBe('red bluetooth headphones');
    expect(await translate('red bluetooth headphones', 'en', 'zh')).toBe('红色 蓝牙耳机');
  });

  it('lets digits and Latin brand names through from a non-Latin source', async () => {
    expect(await translate('iphone 15 手机壳', 'zh', 'en')).toBe('iphone 15 phone case');
  });

  it('returns null when part of the text is not covered (no half translations)', async () => {
    expect(await translate('便宜蓝牙耳机', 'zh', 'en')).toBeNull();
    expect(await translate('cheap headphones', 'en', 'zh')).toBeNull();
    expect(await translate('手机壳', 'zh', 'ru')).toBeNull();
    expect(await translate('12345', 'zh', 'en')).toBeNull();
  });

  it('matches latin terms on word boundaries only', async () => {
    expect(await translate('redbluetooth headphones', 'en', 'zh')).toBeNull();
  });

  it('tries every glossary language when the source is unknown', async () => {
    expect(await translate('красный', null, 'zh')).toBe('红色');
  });
});

describe('CachedTranslator', () => {
  class CountingTranslator implements Translator {
    readonly provider = 'counting';
    calls: TranslationRequest[] = [];
    async translate(request: TranslationRequest): Promise<string | null> {
      this.calls.push(request);
      return request.text === 'none' ? null : `${request.text}@${request.to}`;
    }
  }

  it('answers repeats from the cache, including "no translation"', async () => {
    const inner = new CountingTranslator();
    const cached = new CachedTranslator(inner, 10);
    expect(await cached.translate({ text: 'a', from: 'zh', to: 'en' })).toBe('a@en');
    expect(await cached.translate({ text: 'a', from: 'zh', to: 'en' })).toBe('a@en');
    expect(await cached.translate({ text: 'none', from: 'zh', to: 'en' })).toBeNull();
    expect(await cached.translate({ text: 'none', from: 'zh', to: 'en' })).toBeNull();
    expect(await cached.translate({ text: 'a', from: 'zh', to: 'ru' })).toBe('a@ru');
    expect(inner.calls).toHaveLength(3);
    expect(cached.stats).toMatchObject({ size: 3, hits: 2, misses: 3 });
  });

  it('joins concurrent identical requests', async () => {
    const inner = new CountingTranslator();
    const cached = new CachedTranslator(inner, 10);
    const results = await Promise.all(
      [1, 2, 3].map(() => cached.translate({ text: 'x', from: 'en', to: 'zh' })),
    );
    expect(results).toEqual(['x@zh', 'x@zh', 'x@zh']);
    expect(inner.calls).toHaveLength(1);
  });

  it('evicts the least recently used entry at capacity', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('c')).toBe(true);
  });
});

describe('FallbackTranslator and createTranslator', () => {
  it('asks providers in order until one answers', async () => {
    const remote: Translator = {
      provider: 'remote',
      translate: async ({ text }) => `remote(${text})`,
    };
    const chain = new FallbackTranslator([glossary, remote]);
    expect(chain.provider).toBe('glossary+remote');
    expect(await chain.translate({ text: '红色', from: 'zh', to: 'en' })).toBe('red');
    expect(await chain.translate({ text: '便宜', from: 'zh', to: 'en' })).toBe('remote(便宜)');
  });

  it('builds nothing for provider none, a cached glossary for glossary', async () => {
    const settings = defaultSearchConfig().query.translation;
    expect(createTranslator({ ...settings, provider: 'none' })).toBeNull();
    const translator = createTranslator({ ...settings, glossary: [{ zh: '红色', en: 'red' }] });
    expect(translator).toBeInstanceOf(CachedTranslator);
    expect(await translator!.translate({ text: '红色', from: 'zh', to: 'en' })).toBe('red');
  });

  it('deepl needs a registered provider; secrets reach the factory, not the config', async () => {
    const settings = { ...defaultSearchConfig().query.translation, provider: 'deepl' as const };
    expect(() => createTranslator(settings)).toThrow(RwbError);
    let seenKey: string | undefined;
    const translator = createTranslator(settings, {
      secrets: { deeplApiKey: 'k-123' },
      providers: {
        deepl: (_settings, secrets) => {
          seenKey = secrets.deeplApiKey;
          return { provider: 'deepl', translate: async () => 'x' };
        },
      },
    });
    expect(seenKey).toBe('k-123');
    expect(await translator!.translate({ text: 'a', from: 'en', to: 'zh' })).toBe('x');
  });
});

describe('translationTargets (domain-aware)', () => {
  const config = defaultSearchConfig();
  const withRu = { languageFieldMapping: { zh: ['title_zh'], en: ['title_en'], ru: ['title_ru'] } };

  it('zh → en/ru, en → zh/ru, other → all supported', () => {
    expect(translationTargets('zh', withRu, config.query)).toEqual(['en', 'ru']);
    expect(translationTargets('en', withRu, config.query)).toEqual(['zh', 'ru']);
    expect(translationTargets('de', withRu, config.query)).toEqual(['zh', 'en', 'ru']);
    expect(translationTargets('und', withRu, config.query)).toEqual(['zh', 'en', 'ru']);
  });

  it('only languages the domain maps to fields', () => {
    const title = config.domains.find((domain) => domain.name === 'title')!;
    expect(translationTargets('zh', title, config.query)).toEqual(['en']);
    expect(translationTargets('ru', title, config.query)).toEqual(['zh', 'en']);
    const tags = config.domains.find((domain) => domain.name === 'tags')!;
    expect(translationTargets('zh', tags, config.query)).toEqual([]);
  });

  it('only configured target languages, and none when translation is off', () => {
    const query = {
      ...config.query,
      translation: { ...config.query.translation, targetLanguages: ['ru'] },
    };
    expect(translationTargets('zh', withRu, query)).toEqual(['ru']);
    const off = {
      ...config.query,
      translation: { ...config.query.translation, provider: 'none' as const },
    };
    expect(translationTargets('zh', withRu, off)).toEqual([]);
  });
});
