/**
 * `suggestions` / `related_searches` of the /v1 storefront answer, from the rewrite dictionary:
 * completions of the typed query, and the other keys the merchant mapped to the same expression.
 */
import { describe, expect, it } from 'vitest';
import { MAX_SUGGESTIONS, storefrontHints } from '../../engine/serve/storefront-suggestions.ts';

const DICTIONARY = {
  手机: 'category:手机',
  移动电话: 'category:手机',
  手机壳: 'name:手机壳',
  手机支架: 'name:支架',
  'iPhone Case': 'name:手机壳',
  耳机: 'name:耳机',
};

const applied = (key: string) => [
  { key, value: (DICTIONARY as Record<string, string>)[key]!, mode: 'exact' as const },
];

describe('storefront suggestions and related searches', () => {
  it('suggests keys that complete the query, shortest first, and relates synonyms', () => {
    expect(
      storefrontHints(DICTIONARY, true, { original: ' 手机 ', rewrites: applied('手机') }),
    ).toEqual({ suggestions: ['手机壳', '手机支架'], related_searches: ['移动电话'] });
    expect(
      storefrontHints(DICTIONARY, true, { original: '手机壳', rewrites: applied('手机壳') }),
    ).toEqual({ suggestions: [], related_searches: ['iPhone Case'] });
  });

  it('compares case- and whitespace-insensitively', () => {
    const hints = storefrontHints(DICTIONARY, true, { original: 'IPHONE  c', rewrites: [] });
    expect(hints).toEqual({ suggestions: ['iPhone Case'], related_searches: [] });
  });

  it('gives nothing for an empty query, a disabled dictionary or no match', () => {
    const none = { suggestions: [], related_searches: [] };
    expect(storefrontHints(DICTIONARY, true, { original: '  ', rewrites: [] })).toEqual(none);
    expect(storefrontHints(DICTIONARY, false, { original: '手', rewrites: [] })).toEqual(none);
    expect(storefrontHints(DICTIONARY, true, { original: '相机', rewrites: [] })).toEqual(none);
  });

  it('caps the lists and reads only own keys', () => {
    const many = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`tv ${String(i).padStart(2, '0')}`, 'tv']),
    );
    const hints = storefrontHints(many, true, {
      original: 'tv',
      rewrites: [{ key: 'tv 00', value: 'tv', mode: 'partial' }],
    });
    expect(hints.suggestions).toHaveLength(MAX_SUGGESTIONS);
    expect(hints.suggestions[0]).toBe('tv 00');
    expect(hints.related_searches).toHaveLength(MAX_SUGGESTIONS);
    expect(hints.related_searches).not.toContain('tv 00');
    expect(storefrontHints({}, true, { original: 'constructor', rewrites: [] })).toEqual({
      suggestions: [],
      related_searches: [],
    });
  });
});
