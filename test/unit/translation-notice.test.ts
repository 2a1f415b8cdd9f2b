import { describe, expect, it } from 'vitest';
import {
  missingTranslatorReason,
  translatorConfigured,
  untranslatedEnglishNotice,
} from '../../engine/search/translation-notice.ts';
import { renderSearchTable } from '../../engine/cli/commands/search-output.ts';
import type { SearchResponse } from '../../engine/search/response-schema.ts';

describe('translator configured', () => {
  it('counts only DeepL with a key as a translator', () => {
    expect(translatorConfigured({ provider: 'deepl' }, 'abc:fx')).toBe(true);
    expect(translatorConfigured({ provider: 'deepl' }, undefined)).toBe(false);
    expect(translatorConfigured({ provider: 'deepl' }, '  ')).toBe(false);
    expect(translatorConfigured({ provider: 'glossary' }, 'abc:fx')).toBe(false);
    expect(translatorConfigured({ provider: 'none' }, 'abc:fx')).toBe(false);
  });

  it('says why there is none', () => {
    expect(missingTranslatorReason({ provider: 'deepl' }, 'k')).toBeNull();
    expect(missingTranslatorReason({ provider: 'none' }, undefined)).toMatch(/"none"/);
    expect(missingTranslatorReason({ provider: 'glossary' }, 'k')).toMatch(/only the glossary/);
    expect(missingTranslatorReason({ provider: 'deepl' }, undefined)).toMatch(
      /RWB_DEEPL_API_KEY is not set/,
    );
  });
});

describe('untranslated English notice', () => {
  const reason = 'translation is off';
  it('applies only without a translator, with documents, none of them with an English title', () => {
    const notice = untranslatedEnglishNotice(reason, { total: 5, withEnglish: 0 }, 'tenant 1');
    expect(notice).toContain('no document of tenant 1 has an English title (title_en)');
    expect(notice).toContain('only reach Latin-script text');
    expect(untranslatedEnglishNotice(null, { total: 5, withEnglish: 0 }, 'tenant 1')).toBeNull();
    expect(untranslatedEnglishNotice(reason, { total: 5, withEnglish: 1 }, 'tenant 1')).toBeNull();
    expect(untranslatedEnglishNotice(reason, { total: 0, withEnglish: 0 }, 'tenant 1')).toBeNull();
  });

  it('is printed as a Notice line of the search table, after the warnings', () => {
    const response = {
      total: 0,
      total_relation: 'eq',
      from: 0,
      results: [],
      facets: [],
      query: {
        original: 'headphones',
        rewritten: 'headphones',
        rewrites: [],
        expression: 'headphones',
        language: { language: 'en', method: 'script', confidence: 1, overridden: false },
        translations: {},
        ranking: {
          expression: 'bm25',
          knn: { text: false, image: false },
          fusion: { method: 'sum', fused: false },
        },
        took: 1,
        timings: { total_ms: 2 },
        warnings: ['a warning'],
      },
    } as unknown as SearchResponse;
    const table = renderSearchTable(response, 48, ['no translator here']);
    expect(table).toMatch(/Warning: {6}a warning\nNotice: {7}no translator here\n/);
    expect(renderSearchTable(response)).not.toContain('Notice:');
  });
});
