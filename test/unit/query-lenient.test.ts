/**
 * Lenient parsing (issue 17.1): what shoppers type is searched, never refused. Examples from the
 * issue, then a seeded property test over thousands of shopper-like strings: the lenient path never
 * fails, and when the strict parse fails it builds exactly the ES request of the same characters
 * searched as plain text (parse mode `text`); when the strict parse succeeds, exactly the strict one.
 */
import { describe, expect, it } from 'vitest';
import type { SearchConfig } from '../../engine/config/search-config.ts';
import { SearchRunInputSchema } from '../../engine/api/ops/search.ts';
import { RwbError } from '../../engine/errors.ts';
import { prepareEvalRequest } from '../../engine/eval/runner-prepare.ts';
import { plainTextOf } from '../../engine/query/plain-text.ts';
import { printQuery } from '../../engine/query/print.ts';
import { parseQuery, type QueryParseMode } from '../../engine/query/query-parser.ts';
import { createTranslator } from '../../engine/query/translation/create-translator.ts';
import { prepareSearch, type PreparedSearch } from '../../engine/search/searcher.ts';
import { seedSearchConfig } from './search-fixtures.ts';

const SHOPPER_TEXT = [
  '6" tablet',
  '耳机(蓝牙',
  'Note:10 pro',
  'black|white shirt',
  'https://shop.example.com/products/redmi-note-10?variant=2&ref=ad',
  'OR 手机',
];

function prepareIn(
  query: string,
  mode: QueryParseMode,
  config: SearchConfig = seedSearchConfig(),
): Promise<PreparedSearch> {
  return prepareSearch({ tenantId: '1', query }, config, {
    languageDetector: null,
    translator: createTranslator(config.query.translation),
    parseMode: mode,
  });
}

describe('lenient parse: shopper text from the issue', () => {
  for (const text of SHOPPER_TEXT) {
    it(`${JSON.stringify(text)}: PARSE_ERROR when strict, plain text with a warning when lenient`, async () => {
      const config = seedSearchConfig();
      const strictError = await prepareIn(text, 'strict', config).catch((err: unknown) => err);
      expect(strictError).toBeInstanceOf(RwbError);
      expect((strictError as RwbError).code).toBe('PARSE_ERROR');

      // Lenient is the config default: no parseMode given.
      const lenient = await prepareSearch({ tenantId: '1', query: text }, config, {
        languageDetector: null,
      });
      expect(lenient.parsed.parseMode).toBe('lenient');
      expect(lenient.parsed.ast).toMatchObject({
        kind: 'term',
        domain: 'default',
        text: plainTextOf(text),
        phrase: false,
      });
      expect(lenient.parsed.parseFallback).toMatchObject({
        kind: (strictError as RwbError & { details: { kind: string } }).details.kind,
        message: (strictError as RwbError).message,
      });
      expect(lenient.parsed.warnings[0]).toMatch(
        /^Not a valid query expression, searched as plain text: /,
      );
    });
  }

  it('valid expressions keep their meaning in lenient mode', async () => {
    const config = seedSearchConfig();
    const text = 'title:shoes OR (brand:"Air Max" ANDNOT 二手)';
    const lenient = await parseQuery(text, config, { languageDetector: null });
    const strict = await parseQuery(text, config, { languageDetector: null, parseMode: 'strict' });
    expect(lenient.parseFallback).toBeNull();
    expect(lenient.warnings).toEqual([]);
    expect(printQuery(lenient.ast!)).toBe(printQuery(strict.ast!));
    expect(printQuery(lenient.ast!)).toBe('title:shoes OR brand:"Air Max" ANDNOT 二手');
  });

  it('a failed rewritten query falls back to what the user typed, rewrites dropped and said so', async () => {
    const parsed = await parseQuery('芭比 AND', seedSearchConfig(), { languageDetector: null });
    expect(parsed.ast).toMatchObject({ kind: 'term', text: '芭比 AND' });
    expect(parsed.rewritten).toEqual({ query: '芭比 AND', applied: [] });
    // Position in what the user typed, not in the rewritten text.
    expect(parsed.parseFallback).toMatchObject({ kind: 'DANGLING_OPERATOR', position: 6 });
    expect(parsed.warnings[0]).toContain('the rewrites of "芭比" were not applied');
  });

  it('the eval runner searches shopper text leniently by default (and strictly when told)', async () => {
    const options = { tenantId: '1', k: 10, facets: false, explain: false };
    const deps = { languageDetector: null };
    const prepared = await prepareEvalRequest('Note:10 pro', seedSearchConfig(), options, deps);
    expect(prepared.warnings.join('\n')).toContain('searched as plain text');
    const strictConfig = seedSearchConfig((c) => (c.query.parseMode = 'strict'));
    await expect(
      prepareEvalRequest('Note:10 pro', strictConfig, options, deps),
    ).rejects.toMatchObject({ code: 'PARSE_ERROR' });
  });

  it('search.run offers the parse mode; anything but strict or lenient is refused', () => {
    const run = (parseMode: unknown) =>
      SearchRunInputSchema.safeParse({ tenantId: '1', query: '6" tablet', parseMode }).success;
    expect(run('strict')).toBe(true);
    expect(run('lenient')).toBe(true);
    expect(run(undefined)).toBe(true);
    expect(run('text')).toBe(false);
    expect(run('loose')).toBe(false);
  });

  it('a blank query is a browse in every mode', async () => {
    for (const mode of ['strict', 'lenient', 'text'] as const) {
      const parsed = await parseQuery(' \t　', seedSearchConfig(), {
        languageDetector: null,
        parseMode: mode,
      });
      expect(parsed.ast).toBeNull();
      expect(parsed.parseFallback).toBeNull();
    }
  });
});

/** mulberry32: small and seedable, so a failing input reproduces. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces of what shoppers paste and type; joined at random with and without spaces. */
const FRAGMENTS = [
  'tablet',
  'shirt',
  'pro',
  'max',
  'iPhone',
  '6"',
  '10.5"',
  'Note:10',
  '16:9',
  'USB-C',
  '耳机',
  '蓝牙',
  '手机',
  '芭比',
  '红色连衣裙',
  '玩具',
  'ноутбук',
  'черный',
  '😀',
  'ß',
  '"',
  "'",
  '(',
  ')',
  '（',
  '）',
  '[',
  ']',
  '{',
  '}',
  ':',
  '|',
  '：',
  '\\',
  '\\"',
  'AND',
  'OR',
  'ANDNOT',
  'RANK',
  'and',
  'or',
  '-',
  '+',
  '*',
  '?',
  '&',
  '#',
  '%',
  '/',
  '.',
  ',',
  'https://shop.example.com/p/123?x=1&y=2',
  'http://a.cn/耳机(蓝牙)',
  'www.example.com/item#top',
  'title:',
  'title:shoes',
  'brand:"Air Max"',
  'brand|芭比',
  'colour:red',
  'size:M',
  'tenant_id:B',
  '""',
  '" "',
  '()',
  ' ',
  ' ',
  ' ',
  '　',
  '\t',
];

function shopperString(random: () => number): string {
  const count = 1 + Math.floor(random() * 7);
  let out = '';
  for (let i = 0; i < count; i++) {
    out += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)];
    if (random() < 0.6) out += ' ';
  }
  // Operators at the edges are what a shopper's "OR" and "AND" look like to the grammar.
  if (random() < 0.15) out = `${random() < 0.5 ? 'OR' : 'AND'} ${out}`;
  if (random() < 0.15) out = `${out} ${random() < 0.5 ? 'ANDNOT' : 'RANK'}`;
  return out;
}

describe('lenient parse: property test', () => {
  it('never fails, and equals the plain-text request when the strict parse fails', async () => {
    const config = seedSearchConfig();
    const random = prng(17_001);
    let fellBack = 0;
    let parsed = 0;
    for (let n = 0; n < 2500; n++) {
      const text = shopperString(random);
      const lenient = await prepareIn(text, 'lenient', config).catch((err: unknown) => {
        throw new Error(`lenient failed on ${JSON.stringify(text)}: ${String(err)}`);
      });
      const strict = await prepareIn(text, 'strict', config).catch((err: unknown) => err as Error);
      if (strict instanceof Error) {
        expect(strict, JSON.stringify(text)).toBeInstanceOf(RwbError);
        expect((strict as RwbError).code, JSON.stringify(text)).toBe('PARSE_ERROR');
        const plain = await prepareIn(text, 'text', config);
        expect(lenient.request, JSON.stringify(text)).toEqual(plain.request);
        expect(lenient.parsed.parseFallback, JSON.stringify(text)).not.toBeNull();
        fellBack += 1;
      } else {
        expect(lenient.request, JSON.stringify(text)).toEqual(strict.request);
        expect(lenient.parsed.parseFallback, JSON.stringify(text)).toBeNull();
        parsed += 1;
      }
    }
    // Both branches must be exercised, or the test would prove nothing about one of them.
    expect(fellBack).toBeGreaterThan(500);
    expect(parsed).toBeGreaterThan(250);
  });
});
