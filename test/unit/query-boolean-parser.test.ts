import { describe, expect, it } from 'vitest';
import { stripSpans, type QueryNode } from '../../engine/query/ast.ts';
import { parseBooleanExpression } from '../../engine/query/boolean-parser.ts';
import { QueryParseError, type QueryParseErrorDetails } from '../../engine/query/parse-error.ts';
import { printQuery } from '../../engine/query/print.ts';

const knownDomains = ['title', 'brand', 'name', 'category'];
const parse = (input: string, options: { maxLength?: number; maxDepth?: number } = {}): QueryNode =>
  parseBooleanExpression(input, { knownDomains, ...options });

/** Every composite node in parentheses, so precedence is visible in one string. */
function bracket(node: QueryNode): string {
  switch (node.kind) {
    case 'term': {
      const value = node.phrase ? `"${node.text}"` : node.text;
      return node.domain === 'default' ? value : `${node.domain}:${value}`;
    }
    case 'and':
      return `(${node.operands.map(bracket).join(' AND ')})`;
    case 'or':
      return `(${node.operands.map(bracket).join(' OR ')})`;
    case 'andNot':
      return `(${[node.include, ...node.exclude].map(bracket).join(' ANDNOT ')})`;
    case 'rank':
      return `(${[node.base, ...node.boosts].map(bracket).join(' RANK ')})`;
  }
}

function parseError(
  input: string,
  options: { maxLength?: number; maxDepth?: number } = {},
): QueryParseErrorDetails & { message: string } {
  try {
    parse(input, options);
  } catch (err) {
    expect(err).toBeInstanceOf(QueryParseError);
    const error = err as QueryParseError;
    expect(error.code).toBe('PARSE_ERROR');
    return { ...error.details, message: error.message };
  }
  throw new Error(`expected a parse error for ${JSON.stringify(input)}`);
}

describe('seed examples (§4.1, §5.1)', () => {
  it('laptop AND (gaming OR professional) ANDNOT cheap', () => {
    const ast = parse('laptop AND (gaming OR professional) ANDNOT cheap');
    // ANDNOT binds tighter than AND: laptop AND ((gaming OR professional) ANDNOT cheap).
    expect(bracket(ast)).toBe('(laptop AND ((gaming OR professional) ANDNOT cheap))');
    expect(ast).toEqual({
      kind: 'and',
      span: { start: 0, end: 48 },
      operands: [
        {
          kind: 'term',
          domain: 'default',
          text: 'laptop',
          phrase: false,
          span: { start: 0, end: 6 },
        },
        {
          kind: 'andNot',
          span: { start: 11, end: 48 },
          include: {
            kind: 'or',
            span: { start: 11, end: 35 },
            operands: [
              {
                kind: 'term',
                domain: 'default',
                text: 'gaming',
                phrase: false,
                span: { start: 12, end: 18 },
              },
              {
                kind: 'term',
                domain: 'default',
                text: 'professional',
                phrase: false,
                span: { start: 22, end: 34 },
              },
            ],
          },
          exclude: [
            {
              kind: 'term',
              domain: 'default',
              text: 'cheap',
              phrase: false,
              span: { start: 43, end: 48 },
            },
          ],
        },
      ],
    });
  });

  it('brand:芭比 OR name:芭比娃娃', () => {
    expect(stripSpans(parse('brand:芭比 OR name:芭比娃娃'))).toEqual({
      kind: 'or',
      operands: [
        { kind: 'term', domain: 'brand', text: '芭比', phrase: false },
        { kind: 'term', domain: 'name', text: '芭比娃娃', phrase: false },
      ],
    });
  });

  it('category:玩具 and category:消防 OR name:消防', () => {
    expect(bracket(parse('category:玩具'))).toBe('category:玩具');
    expect(bracket(parse('category:消防 OR name:消防'))).toBe('(category:消防 OR name:消防)');
  });

  it('domain with | separator: brand|耐克 AND category|xxx (seed §5)', () => {
    expect(bracket(parse('brand|耐克 AND category|xxx'))).toBe('(brand:耐克 AND category:xxx)');
  });
});

describe('precedence: () > ANDNOT > AND > OR > RANK', () => {
  const table: Array<[string, string]> = [
    ['a AND b OR c', '((a AND b) OR c)'],
    ['a OR b AND c', '(a OR (b AND c))'],
    ['a AND b ANDNOT c', '(a AND (b ANDNOT c))'],
    ['a ANDNOT b AND c', '((a ANDNOT b) AND c)'],
    ['a OR b ANDNOT c', '(a OR (b ANDNOT c))'],
    ['a RANK b OR c', '(a RANK (b OR c))'],
    ['a OR b RANK c', '((a OR b) RANK c)'],
    ['a RANK b AND c ANDNOT d', '(a RANK (b AND (c ANDNOT d)))'],
    ['(a OR b) AND c', '((a OR b) AND c)'],
    ['a AND (b OR c)', '(a AND (b OR c))'],
    ['(a RANK b) AND c', '((a RANK b) AND c)'],
    ['a ANDNOT (b OR c)', '(a ANDNOT (b OR c))'],
    // chains are flat and left-to-right
    ['a AND b AND c', '(a AND b AND c)'],
    ['a OR b OR c', '(a OR b OR c)'],
    ['a ANDNOT b ANDNOT c', '(a ANDNOT b ANDNOT c)'],
    ['a RANK b RANK c', '(a RANK b RANK c)'],
    ['(a AND b) AND c', '(a AND b AND c)'],
    ['(a ANDNOT b) ANDNOT c', '(a ANDNOT b ANDNOT c)'],
    ['a ANDNOT (b ANDNOT c)', '(a ANDNOT (b ANDNOT c))'],
  ];
  it.each(table)('%s → %s', (input, expected) => {
    expect(bracket(parse(input))).toBe(expected);
  });
});

describe('terms', () => {
  it('adjacent bare words form one default-domain term', () => {
    const ast = parse('red  running   shoes');
    expect(ast).toEqual({
      kind: 'term',
      domain: 'default',
      text: 'red running shoes',
      phrase: false,
      span: { start: 0, end: 20 },
    });
  });

  it('operands written side by side are ANDed, words stay grouped', () => {
    expect(bracket(parse('red shoes brand:nike'))).toBe('(red shoes AND brand:nike)');
    expect(bracket(parse('cheap "bluetooth headphones"'))).toBe(
      '(cheap AND "bluetooth headphones")',
    );
    expect(bracket(parse('a (b OR c) d'))).toBe('(a AND (b OR c) AND d)');
  });

  it('quoted phrases, with and without a domain, keep spaces and unescape \\" and \\\\', () => {
    expect(parse('title:"bluetooth headphones"')).toEqual({
      kind: 'term',
      domain: 'title',
      text: 'bluetooth headphones',
      phrase: true,
      span: { start: 0, end: 28 },
    });
    expect(stripSpans(parse('"say \\"hi\\" \\\\ now"'))).toEqual({
      kind: 'term',
      domain: 'default',
      text: 'say "hi" \\ now',
      phrase: true,
    });
  });

  it('lower-case and/or are words; operators inside quotes are text', () => {
    expect(bracket(parse('rock and roll'))).toBe('rock and roll');
    expect(bracket(parse('"AND" OR b'))).toBe('("AND" OR b)');
  });

  it('a colon after a non-identifier is plain text', () => {
    expect(bracket(parse('16:9 monitor'))).toBe('16:9 monitor');
  });

  it('domain values may contain further colons', () => {
    expect(stripSpans(parse('title:a:b'))).toEqual({
      kind: 'term',
      domain: 'title',
      text: 'a:b',
      phrase: false,
    });
  });

  it('accepts full-width parentheses, colon and the ideographic space', () => {
    expect(bracket(parse('（芭比　OR　玩具）AND brand：美泰'))).toBe(
      '((芭比 OR 玩具) AND brand:美泰)',
    );
  });

  it('explicit default: is the same as a bare term', () => {
    expect(stripSpans(parse('default:shoes'))).toEqual(stripSpans(parse('shoes')));
  });
});

describe('errors carry kind, position and what was expected', () => {
  it('unbalanced "(" points at the parenthesis', () => {
    expect(parseError('a AND (b OR c')).toMatchObject({
      kind: 'UNBALANCED_PAREN',
      position: 6,
      length: 1,
      expected: ['")"'],
    });
  });

  it('unbalanced ")"', () => {
    expect(parseError('a OR b) c')).toMatchObject({
      kind: 'UNBALANCED_PAREN',
      position: 6,
      length: 1,
    });
    expect(parseError(')')).toMatchObject({ kind: 'UNBALANCED_PAREN', position: 0 });
  });

  it('dangling operators, leading, trailing and doubled', () => {
    expect(parseError('AND a')).toMatchObject({
      kind: 'DANGLING_OPERATOR',
      position: 0,
      length: 3,
    });
    expect(parseError('a OR')).toMatchObject({ kind: 'DANGLING_OPERATOR', position: 4, length: 0 });
    expect(parseError('a AND OR b')).toMatchObject({
      kind: 'DANGLING_OPERATOR',
      position: 6,
      length: 2,
      expected: ['a term', '"("'],
    });
    expect(parseError('(a ANDNOT) b')).toMatchObject({ kind: 'DANGLING_OPERATOR', position: 9 });
  });

  it('empty domain value', () => {
    const details = parseError('shoes title: red');
    expect(details).toMatchObject({ kind: 'EMPTY_VALUE', position: 12, length: 0 });
    expect(details.message).toContain('"title"');
    expect(parseError('title:""')).toMatchObject({ kind: 'EMPTY_VALUE' });
    expect(parseError('brand|')).toMatchObject({ kind: 'EMPTY_VALUE', position: 6 });
  });

  it('unknown domain lists the known ones', () => {
    const details = parseError('shoes colour:red');
    expect(details).toMatchObject({ kind: 'UNKNOWN_DOMAIN', position: 6, length: 6 });
    expect(details.expected).toEqual(['default', ...knownDomains]);
    expect(details.message).toContain('colour');
  });

  it('unterminated phrase points at its opening quote', () => {
    expect(parseError('a "open phrase')).toMatchObject({
      kind: 'UNTERMINATED_PHRASE',
      position: 2,
    });
    expect(parseError('title:"x \\"')).toMatchObject({ kind: 'UNTERMINATED_PHRASE', position: 6 });
  });

  it('empty query, empty group, empty phrase', () => {
    expect(parseError('   ')).toMatchObject({ kind: 'EMPTY_QUERY', position: 0 });
    expect(parseError('a AND ()')).toMatchObject({ kind: 'EMPTY_GROUP', position: 6, length: 2 });
    expect(parseError('""')).toMatchObject({ kind: 'EMPTY_VALUE', position: 0 });
  });

  it('rejects a 10k-character input without looking at it', () => {
    const details = parseError('a '.repeat(5000));
    expect(details).toMatchObject({ kind: 'TOO_LONG', position: 1000, length: 9000 });
    expect(details.input.length).toBe(1000);
    expect(() => parse('a '.repeat(5000), { maxLength: 20_000 })).not.toThrow();
  });

  it('rejects nesting deeper than maxDepth, accepts up to it', () => {
    const nested = (depth: number): string => `${'('.repeat(depth)}a${')'.repeat(depth)}`;
    expect(bracket(parse(nested(32)))).toBe('a');
    expect(parseError(nested(33))).toMatchObject({ kind: 'TOO_DEEP', position: 32 });
    expect(parseError(nested(5), { maxDepth: 4 })).toMatchObject({ kind: 'TOO_DEEP', position: 4 });
    // Far past any stack limit: still a typed error, found at the first level too deep.
    expect(parseError('('.repeat(100_000), { maxLength: 100_000 })).toMatchObject({
      kind: 'TOO_DEEP',
    });
  });
});

describe('printQuery', () => {
  it('prints canonical text that parses back to the same tree', () => {
    const inputs = [
      'laptop AND (gaming OR professional) ANDNOT cheap',
      'a RANK (b RANK c)',
      'a ANDNOT (b ANDNOT c)',
      '(a OR b) ANDNOT (c AND d)',
      'title:"x \\" y" OR brand:z',
      'red shoes brand:nike',
    ];
    for (const input of inputs) {
      const ast = parse(input);
      expect(stripSpans(parse(printQuery(ast)))).toEqual(stripSpans(ast));
    }
    expect(printQuery(parse('red shoes brand:nike'))).toBe('red shoes AND brand:nike');
    expect(printQuery(parse('a RANK (b RANK c)'))).toBe('a RANK (b RANK c)');
    expect(printQuery(parse('title:"x \\" y"'))).toBe('title:"x \\" y"');
  });
});
