import { describe, expect, it } from 'vitest';
import { stripSpans } from '../../engine/query/ast.ts';
import { parseBooleanExpression } from '../../engine/query/boolean-parser.ts';
import { printQuery } from '../../engine/query/print.ts';
import {
  compileRewriteDictionary,
  originalPosition,
  rewriteQuery,
} from '../../engine/query/rewrite.ts';

/** The seed's dictionary (§4.1). */
const seedDictionary = compileRewriteDictionary({
  芭比: 'brand:芭比 OR name:芭比娃娃',
  玩具: 'category:玩具',
  消防: 'category:消防 OR name:消防',
});

const domains = { knownDomains: ['brand', 'name', 'category', 'title'] };

describe('seed rewrite examples', () => {
  it('exact match replaces the whole query with the expression', () => {
    const result = rewriteQuery('芭比', seedDictionary);
    expect(result.query).toBe('brand:芭比 OR name:芭比娃娃');
    expect(result.applied).toEqual([
      {
        key: '芭比',
        value: 'brand:芭比 OR name:芭比娃娃',
        mode: 'exact',
        original: { start: 0, end: 2 },
        rewritten: { start: 0, end: 'brand:芭比 OR name:芭比娃娃'.length },
      },
    ]);
    expect(printQuery(parseBooleanExpression(result.query, domains))).toBe(
      'brand:芭比 OR name:芭比娃娃',
    );
  });

  it('exact match ignores surrounding space and case', () => {
    const dictionary = compileRewriteDictionary({ 'Fire Truck': 'category:消防车' });
    expect(rewriteQuery('  fire   TRUCK ', dictionary).query).toBe('category:消防车');
  });

  it('partial match replaces the contained key, grouped, so the rest still applies', () => {
    const result = rewriteQuery('芭比 连衣裙', seedDictionary);
    expect(result.query).toBe('(brand:芭比 OR name:芭比娃娃) 连衣裙');
    expect(result.applied.map((rewrite) => [rewrite.key, rewrite.mode, rewrite.original])).toEqual([
      ['芭比', 'partial', { start: 0, end: 2 }],
    ]);
    expect(printQuery(parseBooleanExpression(result.query, domains))).toBe(
      '(brand:芭比 OR name:芭比娃娃) AND 连衣裙',
    );
  });

  it('several keys inside one CJK word are each replaced', () => {
    const result = rewriteQuery('消防玩具', seedDictionary);
    expect(result.query).toBe('(category:消防 OR name:消防)(category:玩具)');
    expect(result.applied.map((rewrite) => rewrite.key)).toEqual(['消防', '玩具']);
    expect(stripSpans(parseBooleanExpression(result.query, domains))).toEqual({
      kind: 'and',
      operands: [
        {
          kind: 'or',
          operands: [
            { kind: 'term', domain: 'category', text: '消防', phrase: false },
            { kind: 'term', domain: 'name', text: '消防', phrase: false },
          ],
        },
        { kind: 'term', domain: 'category', text: '玩具', phrase: false },
      ],
    });
  });
});

describe('rewrite rules', () => {
  it('longest key wins at a position', () => {
    const dictionary = compileRewriteDictionary({
      芭比: 'brand:芭比',
      芭比娃娃: 'category:娃娃 AND brand:芭比',
    });
    const result = rewriteQuery('粉色芭比娃娃', dictionary);
    expect(result.query).toBe('粉色(category:娃娃 AND brand:芭比)');
    expect(result.applied).toHaveLength(1);
    expect(result.applied[0]!.key).toBe('芭比娃娃');
  });

  it('never rewrites a replacement again (no recursion, no loop)', () => {
    const dictionary = compileRewriteDictionary({
      phone: 'phone OR smartphone',
      smartphone: 'category:手机',
    });
    const result = rewriteQuery('cheap phone', dictionary);
    expect(result.query).toBe('cheap (phone OR smartphone)');
    expect(result.applied).toHaveLength(1);
  });

  it('a plain-word value is spliced in without parentheses (a correction stays one text query)', () => {
    const dictionary = compileRewriteDictionary({ iphon: 'iphone', 手提电脑: '笔记本电脑' });
    expect(rewriteQuery('iphon case', dictionary).query).toBe('iphone case');
    expect(rewriteQuery('游戏手提电脑', dictionary).query).toBe('游戏笔记本电脑');
    expect(stripSpans(parseBooleanExpression('iphone case', domains))).toEqual({
      kind: 'term',
      domain: 'default',
      text: 'iphone case',
      phrase: false,
    });
  });

  it('latin keys only match whole words; CJK keys match inside words', () => {
    const dictionary = compileRewriteDictionary({ cat: 'category:猫', 猫: 'category:猫' });
    expect(rewriteQuery('category tools', dictionary).applied).toEqual([]);
    expect(rewriteQuery('cat food', dictionary).query).toBe('(category:猫) food');
    expect(rewriteQuery('cat-food', dictionary).query).toBe('(category:猫)-food');
    expect(rewriteQuery('小猫玩具', dictionary).query).toBe('小(category:猫)玩具');
  });

  it('multi-word keys match across any whitespace, case-insensitively', () => {
    const dictionary = compileRewriteDictionary({ 'fire truck': 'category:消防车' });
    expect(rewriteQuery('red Fire   Truck toy', dictionary).query).toBe(
      'red (category:消防车) toy',
    );
  });

  it('leaves phrases, domain values and operators alone', () => {
    const result = rewriteQuery(
      '"芭比" OR brand:芭比 OR title:"芭比 玩具" AND 玩具',
      seedDictionary,
    );
    expect(result.query).toBe('"芭比" OR brand:芭比 OR title:"芭比 玩具" AND (category:玩具)');
    expect(result.applied.map((rewrite) => rewrite.key)).toEqual(['玩具']);
  });

  it('leaves input that does not tokenize to the parser', () => {
    expect(rewriteQuery('芭比 "unterminated', seedDictionary)).toEqual({
      query: '芭比 "unterminated',
      applied: [],
    });
  });

  it('maps positions in the rewritten text back to what the user typed', () => {
    const result = rewriteQuery('芭比 连衣裙 AND', seedDictionary);
    // `(brand:芭比 OR name:芭比娃娃) 连衣裙 AND`: the end of the rewritten query is the end of the original.
    expect(originalPosition(result.query.length, result.applied)).toBe('芭比 连衣裙 AND'.length);
    expect(originalPosition(5, result.applied)).toBe(0);
    expect(originalPosition(result.query.indexOf('连衣裙'), result.applied)).toBe(3);
  });
});
