import { beforeAll, describe, expect, it } from 'vitest';
import {
  detectLanguage,
  loadEldDetector,
  type LibraryDetector,
} from '../../engine/query/language-detection.ts';

let library: LibraryDetector;
beforeAll(async () => {
  library = await loadEldDetector();
});

const detect = (text: string) => detectLanguage(text, { defaultLanguage: 'zh', library });

describe('short queries: the script decides', () => {
  it.each([
    ['手机', 'zh'],
    ['蓝牙耳机', 'zh'],
    ['iphone 手机壳', 'zh'],
    ['laptop', 'en'],
    ['red', 'en'],
    ['tv', 'en'],
    ['iphone 15 pro max', 'en'],
    ['ноутбук', 'ru'],
    ['наушники sony', 'ru'],
    ['ヘッドホン', 'ja'],
    ['무선 이어폰', 'ko'],
  ])('%s → %s', (text, language) => {
    expect(detect(text)).toMatchObject({ language, method: 'script' });
  });

  it('the library alone would get these wrong, which is why the script goes first', () => {
    expect(library('laptop').language).not.toBe('en');
    expect(library('iphone 15 pro max').language).not.toBe('en');
  });

  it('mixed script lowers confidence', () => {
    expect(detect('手机').confidence).toBeGreaterThan(detect('iphone 手机壳').confidence);
  });

  it('Ukrainian and Belarusian letters settle the Cyrillic language', () => {
    expect(detect('бездротові навушники')).toMatchObject({ language: 'uk', method: 'script' });
    // Without a distinctive letter a short Ukrainian word reads as Russian: the script cannot tell.
    expect(detect('навушники').language).toBe('ru');
    expect(detect('навушнікі бесправадныя ўсе')).toMatchObject({
      language: 'be',
      method: 'script',
    });
  });

  it('text without letters falls back to the default language', () => {
    expect(detect('12345')).toEqual({ language: 'zh', confidence: 0, method: 'default' });
    expect(detect('')).toEqual({ language: 'zh', confidence: 0, method: 'default' });
  });
});

describe('long queries', () => {
  it.each([
    ['Wireless noise cancelling headphones for running', 'en'],
    ['gaming laptop with rgb keyboard and backlight', 'en'],
    ['Беспроводные наушники с шумоподавлением для спорта', 'ru'],
    ['无线降噪蓝牙耳机适合运动跑步使用', 'zh'],
  ])('%s → %s', (text, language) => {
    expect(detect(text).language).toBe(language);
  });

  it('the library may name another Latin-script language when it is sure', () => {
    expect(detect('Kabellose Kopfhörer mit Geräuschunterdrückung für den Sport')).toMatchObject({
      language: 'de',
      method: 'library',
    });
    expect(detect('Zapatos de mujer para correr en la montaña')).toMatchObject({
      language: 'es',
      method: 'library',
    });
  });

  it('an unsure library does not overrule the script (Tagalog is not a guess we take)', () => {
    const unsure: LibraryDetector = () => ({
      language: 'tl',
      scores: { tl: 0.64, en: 0.62 },
      reliable: true,
    });
    expect(
      detectLanguage('gaming laptop with rgb keyboard', { defaultLanguage: 'zh', library: unsure }),
    ).toMatchObject({
      language: 'en',
      method: 'script',
    });
    const unreliable: LibraryDetector = () => ({
      language: 'de',
      scores: { de: 0.9, en: 0.1 },
      reliable: false,
    });
    expect(
      detectLanguage('gaming laptop with rgb keyboard', {
        defaultLanguage: 'zh',
        library: unreliable,
      }).language,
    ).toBe('en');
  });

  it('works without a library (script rules only)', () => {
    expect(
      detectLanguage('Kabellose Kopfhörer mit Geräuschunterdrückung', { defaultLanguage: 'zh' }),
    ).toMatchObject({
      language: 'en',
      method: 'script',
    });
    expect(detectLanguage('سماعات لاسلكية', { defaultLanguage: 'zh' })).toEqual({
      language: 'und',
      confidence: 0,
      method: 'default',
    });
  });

  it('other scripts are named by the library', () => {
    expect(detect('سماعات لاسلكية للرياضة')).toMatchObject({ language: 'ar', method: 'library' });
  });
});
