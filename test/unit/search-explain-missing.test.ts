/** The pure parts of explain-missing: minimum_should_match arithmetic, part comparison, the boost factor, the fusion weight levers. */
import { describe, expect, it } from 'vitest';
import {
  compareParts,
  factorToPass,
  fusedBoostLevers,
  fusionWeightLevers,
  weakFieldsMessage,
} from '../../engine/search/explain-missing-levers.ts';
import { requiredTokens } from '../../engine/search/explain-missing-text.ts';
import { parseSearchConfig } from '../../engine/config/search-config.ts';
import { defaultSearchConfig } from '../../engine/config/search-config.ts';
import type { ScoreBreakdown } from '../../engine/search/response-schema.ts';

const breakdown = (fields: Record<string, number>, knnText = 0, functions = 0): ScoreBreakdown => {
  const lexical = Object.values(fields).reduce((a, b) => a + b, 0);
  return {
    total: lexical + knnText + functions,
    lexical: { total: lexical, fields },
    knn: { text: knnText, image: 0 },
    functions,
    other: 0,
  };
};

describe('requiredTokens (ES minimum_should_match on plain forms)', () => {
  it('operator and needs all; or needs one; counts and percentages round as ES does', () => {
    expect(requiredTokens(3, 'and', null)).toBe(3);
    expect(requiredTokens(3, 'or', null)).toBe(1);
    expect(requiredTokens(3, 'or', '2')).toBe(2);
    expect(requiredTokens(3, 'or', '-1')).toBe(2);
    // 75% of 3 = 2.25 → 2 (rounded down); -25% of 3: 3 − floor(0.75) = 3.
    expect(requiredTokens(3, 'or', '75%')).toBe(2);
    expect(requiredTokens(3, 'or', '-25%')).toBe(3);
    expect(requiredTokens(4, 'or', '-25%')).toBe(3);
    // Never below 1 nor above n; conditional forms are not computed.
    expect(requiredTokens(2, 'or', '10%')).toBe(1);
    expect(requiredTokens(2, 'or', '5')).toBe(2);
    expect(requiredTokens(3, 'or', '2<75%')).toBeNull();
    expect(requiredTokens(0, 'and', null)).toBe(0);
  });
});

describe('compareParts and factorToPass', () => {
  const target = breakdown({ brief_en: 2 });
  const kth = breakdown({ title_en: 6, brief_en: 1 });
  it('lists every part of either side, weakest first', () => {
    expect(compareParts(target, kth)).toEqual([
      { part: 'lexical:title_en', target: 0, kth: 6, delta: -6 },
      { part: 'lexical:brief_en', target: 2, kth: 1, delta: 1 },
    ]);
  });
  it('the brief boost factor that passes the closest top hit: 1 + gap / (own − theirs)', () => {
    // Against kth: gap 7 − 2 = 5, brief 2 vs 1 → 1 + 5 / 1 = 6. Against a hit of 9 with brief 0:
    // 1 + 7 / 2 = 4.5. The smaller wins.
    const other = breakdown({ title_en: 9 });
    expect(factorToPass('lexical:brief_en', target, [other, kth])).toBeCloseTo(4.5, 9);
    // A part the product has less of than every top hit cannot lift it.
    expect(factorToPass('lexical:title_en', target, [kth])).toBeNull();
  });
  it('"matches only brief_en" when every matched field is below the strongest of its domain', () => {
    const base = defaultSearchConfig();
    const config = parseSearchConfig({
      ...base,
      domains: [
        {
          name: 'default',
          fields: [
            { field: 'title_en', boost: 3 },
            { field: 'brief_en', boost: 0.5 },
          ],
          languageFieldMapping: { en: ['title_en', 'brief_en'] },
        },
      ],
    });
    expect(weakFieldsMessage(target, config)).toBe(
      "matches only brief_en (boost 0.5; default's strongest field has 3)",
    );
    expect(weakFieldsMessage(kth, config)).toBeNull();
  });
});

describe('fusionWeightLevers (rrf re-fused)', () => {
  it('the smallest grid factor on the kNN list that ranks the product within k', () => {
    // rrf, k = 60. Lexical: a, b, c. kNN: x first. x's score = w/61; c's = 1/63.
    // w = 0.2 → 0.00328 < c. ×5 → w = 1: 1/61 > 1/62 (b) > 1/63 → x ranks 2 (behind a: 1/61 tie? a=1/61, tie broken by best rank then key: a < x).
    const lists = [
      {
        source: 'lexical' as const,
        weight: 1,
        hits: ['a', 'b', 'c'].map((key, i) => ({ key, score: 10 - i })),
      },
      { source: 'text_knn' as const, weight: 0.2, hits: [{ key: 'x', score: 0.9 }] },
    ];
    const settings = {
      method: 'rrf' as const,
      normalizer: 'minmax' as const,
      combination: 'arithmetic' as const,
      rankConstant: 60,
      rankWindowSize: 100,
    };
    const levers = fusionWeightLevers(lists, settings, 'x', 2);
    expect(levers).toHaveLength(1);
    // ×3: 0.6/61 = 0.00984 < 1/62 = 0.01613: not enough; ×5: 1/61 ties a, beats b → rank 2.
    expect(levers[0]).toMatchObject({
      kind: 'weight',
      path: 'ranking.expression.text_embedding_relevance',
      current: 0.2,
      suggested: 1,
      exact: true,
    });
    expect(levers[0]!.message).toContain('ranks it 2');
    // The lexical list does not hold x: no lever on it.
    expect(fusionWeightLevers(lists, settings, 'c', 2).map((l) => l.path)).toEqual([]);
  });
});

describe('fusedBoostLevers (a lexical boost moves the lexical list, then rrf is re-run)', () => {
  it('the smallest grid factor whose moved lexical list ranks the product within k', () => {
    const base = defaultSearchConfig();
    const config = parseSearchConfig({
      ...base,
      domains: [
        {
          name: 'default',
          fields: [
            { field: 'title_en', boost: 3 },
            { field: 'brief_en', boost: 0.5 },
          ],
          languageFieldMapping: { en: ['title_en', 'brief_en'] },
        },
      ],
    });
    const lists = [
      {
        source: 'lexical' as const,
        weight: 1,
        hits: [
          { key: 'a', score: 10 },
          { key: 'b', score: 9 },
          { key: 'x', score: 5 },
        ],
      },
    ];
    const explained = new Map([
      ['a', breakdown({ title_en: 10 })],
      ['b', breakdown({ title_en: 9 })],
      ['x', breakdown({ title_en: 3, brief_en: 2 })],
    ]);
    const settings = {
      method: 'rrf' as const,
      normalizer: 'minmax' as const,
      combination: 'arithmetic' as const,
      rankConstant: 60,
      rankWindowSize: 100,
    };
    const weights = { bm25: 1, textEmbedding: 0, imageEmbedding: 0 };
    // brief ×r: x = 5 + 2(r − 1). ×3 → 9, a tie with b that b keeps (rank 3); ×5 → 13 > 10: rank 1.
    const levers = fusedBoostLevers(lists, settings, 'x', 2, explained, config, weights);
    const brief = levers.find((l) => l.path === 'domains.default.fields.brief_en.boost');
    expect(brief).toMatchObject({
      kind: 'field_boost',
      current: 0.5,
      suggested: 2.5,
      exact: false,
    });
    expect(brief!.message).toContain('lexical rank 1, and the rrf fusion then ranks it 1');
    // title ×r: x = 5 + 3(r − 1), a = 10 + 10(r − 1): x never passes a or b (b: 9 + 9(r − 1)).
    expect(levers.some((l) => l.path === 'domains.default.fields.title_en.boost')).toBe(false);
  });
});
