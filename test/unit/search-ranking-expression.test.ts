import { describe, expect, it } from 'vitest';
import {
  parseRankingExpression,
  RankingExpressionError,
  rankingWeights,
  expressionWeight,
  withExpressionWeight,
} from '../../engine/search/ranking-expression.ts';
import { build, rootBool, seedSearchConfig } from './search-fixtures.ts';
import { getAtPath, setAtPath } from '../../engine/eval/tuner/config-path.ts';

describe('ranking expression → weights', () => {
  it('reads the seed default', () => {
    expect(parseRankingExpression('bm25() + 0.2*text_embedding_relevance()')).toEqual({
      bm25: 1,
      textEmbedding: 0.2,
      imageEmbedding: 0,
      additive: [],
      mentioned: { bm25: true, textEmbedding: true, imageEmbedding: false },
    });
  });

  it('multiplies numbers in, adds repeated signals, expands parentheses', () => {
    const weights = parseRankingExpression(
      '2 * (bm25() + 0.5 * image_embedding_relevance()) + text_embedding_relevance() * 0.1 * 3 + bm25()',
    );
    expect(weights).toMatchObject({ bm25: 3, imageEmbedding: 1, textEmbedding: 0.3 });
  });

  it('accepts additive timeliness(field) and field_value(field) signals', () => {
    expect(
      parseRankingExpression(
        'bm25() + 0.1*timeliness(create_time) + 0.05 * field_value(total_inventory)',
      ).additive,
    ).toEqual([
      { kind: 'timeliness', field: 'create_time', weight: 0.1 },
      { kind: 'field_value', field: 'total_inventory', weight: 0.05 },
    ]);
  });

  it('accepts numbers written as .5, 1e-1 and 0 weights', () => {
    expect(parseRankingExpression('.5*bm25() + 1e-1*text_embedding_relevance()')).toMatchObject({
      bm25: 0.5,
      textEmbedding: 0.1,
    });
    expect(parseRankingExpression('0*bm25() + text_embedding_relevance()')).toMatchObject({
      bm25: 0,
      mentioned: { bm25: true },
    });
  });

  it('gives timeliness() and field_value() the seed defaults when no field is written', () => {
    expect(
      parseRankingExpression('bm25() + 0.1*timeliness() + 0.05*field_value()', {
        popularityField: 'total_inventory',
      }).additive,
    ).toEqual([
      { kind: 'timeliness', field: 'create_time', weight: 0.1 },
      { kind: 'field_value', field: 'total_inventory', weight: 0.05 },
    ]);
    // A bare call and the same field written out are one signal.
    expect(
      parseRankingExpression('0.1*timeliness() + bm25() + 0.1*timeliness(create_time)').additive,
    ).toEqual([{ kind: 'timeliness', field: 'create_time', weight: 0.2 }]);
  });

  it('memoises per popularity field', () => {
    const expression = 'bm25() + field_value()';
    expect(rankingWeights(expression, { popularityField: 'a' }).additive[0]!.field).toBe('a');
    expect(rankingWeights(expression, { popularityField: 'b' }).additive[0]!.field).toBe('b');
    expect(() => rankingWeights(expression)).toThrow(RankingExpressionError);
  });

  const errors: Array<[string, number, RegExp]> = [
    ['', 0, /is empty/],
    ['bm25() * text_embedding_relevance()', 7, /two relevance signals cannot be multiplied/],
    ['bm25() - 0.2*text_embedding_relevance()', 7, /unexpected "-".*no subtraction/],
    ['bm25() + popularity()', 9, /unknown function "popularity"/],
    ['bm25(title_zh)', 0, /bm25\(\) takes no arguments, got 1/],
    ['timeliness(a, b)', 0, /timeliness\(\) takes at most one field name, got 2/],
    ['bm25() + field_value()', 9, /field_value\(\) needs a field name.*ranking\.popularityField/],
    ['bm25() + 1', 0, /a constant term/],
    ['3', 0, /a constant term/],
    ['(bm25() + 1', 11, /missing "\)"/],
    ['bm25() 0.2', 7, /unexpected "0"; expected "\+", "\*" or the end/],
    ['bm25 + 1', 5, /expected "\(" after bm25/],
    ['bm25() +', 8, /ends early/],
    ['bm25(', 5, /missing "\)" to close bm25\(/],
  ];
  for (const [expression, position, message] of errors) {
    it(`rejects ${JSON.stringify(expression)} at position ${position}`, () => {
      let error: unknown;
      try {
        parseRankingExpression(expression);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RankingExpressionError);
      const typed = error as RankingExpressionError;
      expect(typed.code).toBe('INVALID_CONFIG');
      expect(typed.details).toEqual({ expression, position, path: 'ranking.expression' });
      expect(typed.message).toMatch(message);
      expect(typed.message).toContain(`at position ${position}`);
    });
  }

  it('never throws anything but a RankingExpressionError on random input', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = [
      'bm25',
      '(',
      ')',
      '+',
      '*',
      '0.3',
      ' ',
      'text_embedding_relevance',
      'x',
      ',',
      '-',
      '1e999',
    ];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from(
        { length: Math.floor(random() * 12) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      try {
        parseRankingExpression(text);
      } catch (err) {
        expect(err, text).toBeInstanceOf(RankingExpressionError);
      }
    }
    expect(() => parseRankingExpression(`${'('.repeat(40)}bm25()${')'.repeat(40)}`)).toThrow(
      /nests deeper than 32/,
    );
  });

  it('memoises but hands out independent copies', () => {
    const first = rankingWeights('bm25() + 0.2*text_embedding_relevance()');
    first.bm25 = 99;
    expect(rankingWeights('bm25() + 0.2*text_embedding_relevance()').bm25).toBe(1);
  });
});

describe('bare timeliness() / field_value() in a built request', () => {
  it('scores create_time and ranking.popularityField', async () => {
    const config = seedSearchConfig((c) => {
      c.ranking.expression = 'bm25() + 0.3*timeliness() + 0.2*field_value()';
      c.ranking.popularityField = 'total_inventory';
    });
    const bool = rootBool(await build({ tenantId: '1', query: 'iphone' }, config));
    const functions = (bool.should as Array<{ function_score: { functions: unknown[] } }>).map(
      (clause) => clause.function_score.functions[0],
    );
    expect(functions).toEqual([
      expect.objectContaining({
        gauss: expect.objectContaining({ create_time: expect.anything() }),
        weight: 0.3,
      }),
      expect.objectContaining({
        field_value_factor: expect.objectContaining({ field: 'total_inventory' }),
        weight: 0.2,
      }),
    ]);
  });
});

describe('a signal weight as a setting (ranking.expression.<signal>)', () => {
  it('reads and sets one weight, keeping every other term', () => {
    const expression = '0.5*bm25() + 2*text_embedding_relevance() + 0.3*timeliness(create_time)';
    expect(expressionWeight(expression, 'text_embedding_relevance')).toBe(2);
    expect(expressionWeight(expression, 'image_embedding_relevance')).toBe(0);
    const changed = withExpressionWeight(expression, 'text_embedding_relevance', 0.25);
    expect(changed).toBe(
      '0.5*bm25() + 0.25*text_embedding_relevance() + 0.3*timeliness(create_time)',
    );
    expect(rankingWeights(changed)).toMatchObject({ bm25: 0.5, textEmbedding: 0.25 });
    expect(withExpressionWeight('bm25()', 'image_embedding_relevance', 0)).toBe(
      'bm25() + 0*image_embedding_relevance()',
    );
    expect(() => withExpressionWeight('bm25()', 'bm25', -1)).toThrow(/≥ 0/);
  });

  it('is a config path the tuner and the sliders can set', () => {
    const config = seedSearchConfig((c) => {
      c.ranking.expression = 'bm25() + 0.2*text_embedding_relevance()';
    });
    expect(getAtPath(config, 'ranking.expression.text_embedding_relevance')).toEqual({
      found: true,
      value: 0.2,
    });
    const next = setAtPath(config, 'ranking.expression.text_embedding_relevance', 3);
    expect(next.ranking.expression).toBe('bm25() + 3*text_embedding_relevance()');
    expect(config.ranking.expression).toBe('bm25() + 0.2*text_embedding_relevance()');
    // A bare field_value() keeps meaning the configured popularity field.
    const popular = seedSearchConfig((c) => {
      c.ranking.expression = 'bm25() + field_value()';
      c.ranking.popularityField = 'total_inventory';
    });
    expect(setAtPath(popular, 'ranking.expression.bm25', 2).ranking.expression).toBe(
      '2*bm25() + field_value(total_inventory)',
    );
  });
});
