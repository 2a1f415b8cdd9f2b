/**
 * Property test: for thousands of random strings the expression parser either returns an AST or
 * throws a QueryParseError (code PARSE_ERROR, position inside the input) — nothing else — and the
 * printed AST parses back to the same tree. Seeded, so a failure reproduces.
 */
import { describe, expect, it } from 'vitest';
import { collectTerms, stripSpans, type QueryNode } from '../../engine/query/ast.ts';
import { parseBooleanExpression } from '../../engine/query/boolean-parser.ts';
import { QueryParseError } from '../../engine/query/parse-error.ts';
import { printQuery } from '../../engine/query/print.ts';

/** mulberry32: tiny, fast, good enough to spread test inputs. */
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

const knownDomains = ['title', 'brand', 'category'];
const FRAGMENTS = [
  'a',
  'b',
  'shoes',
  '芭比',
  '蓝牙耳机',
  'ноутбук',
  'AND',
  'OR',
  'ANDNOT',
  'RANK',
  'and',
  'or',
  '(',
  ')',
  '（',
  '）',
  '"',
  '\\',
  '\\"',
  ':',
  '|',
  '：',
  'title:',
  'brand|',
  'unknown:',
  'category:',
  'title:"',
  '""',
  '16:9',
  ' ',
  ' ',
  ' ',
  '　',
  '\t',
  '\n',
  'x y',
  '*',
  '-',
  '^2',
  '\u0000',
  '😀',
];

function randomQuery(random: () => number): string {
  const pieces = Math.floor(random() * 24);
  let out = '';
  for (let i = 0; i < pieces; i++) {
    if (random() < 0.1) out += String.fromCharCode(Math.floor(random() * 0x3000));
    else out += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)];
  }
  return out;
}

/** Well-formed queries, so the round-trip check sees more than trivial trees. */
function randomExpression(random: () => number, depth = 0): string {
  const pick = random();
  if (depth > 3 || pick < 0.35) {
    const terms = [
      'shoes',
      'red shoes',
      'title:"blue tooth"',
      'brand:nike',
      '"a \\" b"',
      '芭比 娃娃',
      'category|玩具',
    ];
    return terms[Math.floor(random() * terms.length)]!;
  }
  if (pick < 0.45) return `(${randomExpression(random, depth + 1)})`;
  const operators = ['AND', 'OR', 'ANDNOT', 'RANK', ''];
  const operator = operators[Math.floor(random() * operators.length)]!;
  const separator = operator === '' ? ' ' : ` ${operator} `;
  return `${randomExpression(random, depth + 1)}${separator}${randomExpression(random, depth + 1)}`;
}

function checkOne(input: string): 'ast' | 'error' {
  let ast: QueryNode;
  try {
    ast = parseBooleanExpression(input, { knownDomains });
  } catch (err) {
    if (!(err instanceof QueryParseError))
      throw new Error(`non-parse error for ${JSON.stringify(input)}: ${String(err)}`);
    expect(err.code).toBe('PARSE_ERROR');
    expect(err.details.position).toBeGreaterThanOrEqual(0);
    expect(err.details.position).toBeLessThanOrEqual(input.length);
    expect(err.details.length).toBeGreaterThanOrEqual(0);
    expect(err.details.expected.length).toBeGreaterThan(0);
    return 'error';
  }
  const printed = printQuery(ast);
  const reparsed = parseBooleanExpression(printed, { knownDomains, maxLength: printed.length });
  expect(
    stripSpans(reparsed),
    `${JSON.stringify(input)} printed as ${JSON.stringify(printed)}`,
  ).toEqual(stripSpans(ast));
  expect(printQuery(reparsed)).toBe(printed);
  for (const { term } of collectTerms(ast)) {
    expect(term.text.trim()).not.toBe('');
    expect(term.span.start).toBeGreaterThanOrEqual(0);
    expect(term.span.end).toBeLessThanOrEqual(input.length);
  }
  return 'ast';
}

describe('expression parser fuzz', () => {
  it('random strings: an AST that round-trips through printQuery, or a PARSE_ERROR', () => {
    const random = prng(20240611);
    const outcomes = { ast: 0, error: 0 };
    for (let i = 0; i < 5000; i++) outcomes[checkOne(randomQuery(random))] += 1;
    // Both paths must actually be exercised for the property to mean anything.
    expect(outcomes.ast).toBeGreaterThan(500);
    expect(outcomes.error).toBeGreaterThan(500);
  });

  it('random well-formed expressions always parse and round-trip', () => {
    const random = prng(7);
    for (let i = 0; i < 3000; i++) {
      expect(checkOne(randomExpression(random))).toBe('ast');
    }
  });

  it('long hostile inputs finish with a typed error', () => {
    const hostile = [
      '('.repeat(999),
      ')'.repeat(999),
      'AND '.repeat(249),
      '"'.repeat(999),
      'a ANDNOT '.repeat(110) + 'b',
      'title:'.repeat(160),
      '\\'.repeat(999),
    ];
    for (const input of hostile) expect(['ast', 'error']).toContain(checkOne(input));
  });
});
