/**
 * Recursive-descent parser for the query expression language (seed §5.1):
 *
 *   rank    := or ( RANK or )*
 *   or      := and ( OR and )*
 *   and     := andNot ( AND andNot )*
 *   andNot  := juxt ( ANDNOT juxt )*
 *   juxt    := primary primary*          -- operands written side by side are ANDed
 *   primary := '(' rank ')' | word+ | "phrase" | domain:value | domain:"phrase"
 *
 * Adjacent bare words form ONE default-domain term (`red running shoes`). Recursion happens only
 * at '(' and is bounded by `maxDepth`; the input length is bounded by `maxLength`; so every input
 * either yields an AST or a QueryParseError, in time linear in its length.
 */
import {
  DEFAULT_DOMAIN,
  type AndNode,
  type BooleanOperator,
  type OrNode,
  type QueryNode,
  type SourceSpan,
  type TermNode,
} from './ast.ts';
import { tokenize, type Token } from './lexer.ts';
import { QueryParseError, type QueryParseErrorKind } from './parse-error.ts';

export const DEFAULT_MAX_QUERY_LENGTH = 1000;
export const DEFAULT_MAX_NESTING_DEPTH = 32;

export interface BooleanParseOptions {
  /** Domains a `name:value` term may use; `default` is always allowed. */
  knownDomains: readonly string[];
  /** Longest accepted input, in UTF-16 code units. */
  maxLength?: number;
  /** Deepest accepted parenthesis nesting. */
  maxDepth?: number;
}

function spanOf(first: QueryNode | Token, last: QueryNode | Token): SourceSpan {
  return { start: first.span.start, end: last.span.end };
}

function describeToken(token: Token | undefined): string {
  if (token === undefined) return 'the end of the query';
  switch (token.type) {
    case 'lparen':
      return '"("';
    case 'rparen':
      return '")"';
    case 'operator':
      return `the operator ${token.operator}`;
    case 'word':
      return `"${token.text}"`;
    case 'phrase':
      return 'a phrase';
    case 'domain':
      return `"${token.domain}:"`;
  }
}

class Parser {
  private index = 0;
  private depth = 0;
  private readonly knownDomains: ReadonlySet<string>;

  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
    options: BooleanParseOptions,
    private readonly maxDepth: number,
  ) {
    this.knownDomains = new Set([DEFAULT_DOMAIN, ...options.knownDomains]);
  }

  parseAll(): QueryNode {
    if (this.tokens.length === 0) {
      throw this.error('EMPTY_QUERY', 'The query is empty', 0, 0, ['a term']);
    }
    const node = this.parseRank();
    const leftover = this.peek();
    if (leftover !== undefined) {
      // Every other token is consumed by the loops below; only an unmatched ')' can remain.
      throw this.error(
        'UNBALANCED_PAREN',
        `Unbalanced ")" at position ${leftover.span.start}: no "(" opens it`,
        leftover.span.start,
        1,
        ['an operator', 'a term', 'the end of the query'],
      );
    }
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private peekOperator(operator: BooleanOperator): boolean {
    const token = this.peek();
    return token?.type === 'operator' && token.operator === operator;
  }

  private error(
    kind: QueryParseErrorKind,
    message: string,
    position: number,
    length: number,
    expected: string[],
  ): QueryParseError {
    return new QueryParseError(message, { kind, position, length, expected, input: this.input });
  }

  private parseRank(): QueryNode {
    const base = this.parseOr();
    const boosts: QueryNode[] = [];
    while (this.peekOperator('RANK')) {
      boosts.push(this.parseOperand('RANK', () => this.parseOr()));
    }
    if (boosts.length === 0) return base;
    const mergedBase = base.kind === 'rank' ? base.base : base;
    const mergedBoosts = base.kind === 'rank' ? [...base.boosts, ...boosts] : boosts;
    return {
      kind: 'rank',
      base: mergedBase,
      boosts: mergedBoosts,
      span: spanOf(base, boosts.at(-1)!),
    };
  }

  private parseOr(): QueryNode {
    return this.parseChain('or', 'OR', () => this.parseAnd());
  }

  private parseAnd(): QueryNode {
    return this.parseChain('and', 'AND', () => this.parseAndNot());
  }

  private parseChain(
    kind: 'and' | 'or',
    operator: BooleanOperator,
    parseOperand: () => QueryNode,
  ): QueryNode {
    const first = parseOperand();
    const operands = [first];
    while (this.peekOperator(operator)) {
      operands.push(this.parseOperand(operator, parseOperand));
    }
    if (operands.length === 1) return first;
    return flatten(kind, operands, spanOf(first, operands.at(-1)!));
  }

  private parseAndNot(): QueryNode {
    const include = this.parseJuxtaposition();
    const exclude: QueryNode[] = [];
    while (this.peekOperator('ANDNOT')) {
      exclude.push(this.parseOperand('ANDNOT', () => this.parseJuxtaposition()));
    }
    if (exclude.length === 0) return include;
    const span = spanOf(include, exclude.at(-1)!);
    if (include.kind === 'andNot') {
      return {
        kind: 'andNot',
        include: include.include,
        exclude: [...include.exclude, ...exclude],
        span,
      };
    }
    return { kind: 'andNot', include, exclude, span };
  }

  /** Consumes `operator` and parses its right operand, which must be present. */
  private parseOperand(operator: BooleanOperator, parseOperand: () => QueryNode): QueryNode {
    const operatorToken = this.tokens[this.index]!;
    this.index += 1;
    const next = this.peek();
    if (next === undefined || next.type === 'operator' || next.type === 'rparen') {
      const at = next?.span.start ?? this.input.length;
      throw this.error(
        'DANGLING_OPERATOR',
        `${operator} at position ${operatorToken.span.start} has no right-hand side: found ${describeToken(next)}`,
        at,
        next === undefined ? 0 : next.span.end - next.span.start,
        ['a term', '"("'],
      );
    }
    return parseOperand();
  }

  private parseJuxtaposition(): QueryNode {
    const first = this.parsePrimary();
    const operands = [first];
    for (let next = this.peek(); next !== undefined; next = this.peek()) {
      if (next.type === 'operator' || next.type === 'rparen') break;
      operands.push(this.parsePrimary());
    }
    if (operands.length === 1) return first;
    return flatten('and', operands, spanOf(first, operands.at(-1)!));
  }

  private parsePrimary(): QueryNode {
    const token = this.peek();
    if (token === undefined) {
      throw this.error(
        'EXPECTED_TERM',
        'The query ends where a term was expected',
        this.input.length,
        0,
        ['a term', '"("'],
      );
    }
    switch (token.type) {
      case 'lparen':
        return this.parseGroup(token);
      case 'word':
        return this.parseWords();
      case 'phrase':
        return this.parsePhrase(token);
      case 'domain':
        return this.parseDomainTerm(token);
      case 'operator':
        throw this.error(
          'DANGLING_OPERATOR',
          `${token.operator} at position ${token.span.start} has no left-hand side`,
          token.span.start,
          token.span.end - token.span.start,
          ['a term', '"("'],
        );
      case 'rparen':
        throw this.error(
          'UNBALANCED_PAREN',
          `Unbalanced ")" at position ${token.span.start}: no "(" opens it`,
          token.span.start,
          1,
          ['a term', '"("'],
        );
    }
  }

  private parseGroup(open: Token): QueryNode {
    if (this.depth >= this.maxDepth) {
      throw this.error(
        'TOO_DEEP',
        `Parentheses nested deeper than ${this.maxDepth} levels at position ${open.span.start}`,
        open.span.start,
        1,
        [`at most ${this.maxDepth} nested groups`],
      );
    }
    this.index += 1;
    const first = this.peek();
    if (first?.type === 'rparen') {
      throw this.error(
        'EMPTY_GROUP',
        `Empty parentheses at position ${open.span.start}`,
        open.span.start,
        2,
        ['a term'],
      );
    }
    if (first === undefined) {
      throw this.error(
        'UNBALANCED_PAREN',
        `Unbalanced "(" at position ${open.span.start}: it is never closed`,
        open.span.start,
        1,
        ['a term', '")"'],
      );
    }
    this.depth += 1;
    const inner = this.parseRank();
    this.depth -= 1;
    const close = this.peek();
    if (close?.type !== 'rparen') {
      throw this.error(
        'UNBALANCED_PAREN',
        `Unbalanced "(" at position ${open.span.start}: it is never closed`,
        open.span.start,
        1,
        ['")"'],
      );
    }
    this.index += 1;
    return { ...inner, span: spanOf(open, close) };
  }

  private parseWords(): TermNode {
    const first = this.tokens[this.index]!;
    const words: string[] = [];
    let last = first;
    for (let token = this.peek(); token?.type === 'word'; token = this.peek()) {
      words.push(token.text);
      last = token;
      this.index += 1;
    }
    return {
      kind: 'term',
      domain: DEFAULT_DOMAIN,
      text: words.join(' '),
      phrase: false,
      span: spanOf(first, last),
    };
  }

  private parsePhrase(token: Extract<Token, { type: 'phrase' }>): TermNode {
    if (token.text.trim().length === 0) {
      throw this.error(
        'EMPTY_VALUE',
        `Empty phrase at position ${token.span.start}`,
        token.span.start,
        2,
        ['a non-empty "phrase"'],
      );
    }
    this.index += 1;
    return {
      kind: 'term',
      domain: DEFAULT_DOMAIN,
      text: token.text,
      phrase: true,
      span: token.span,
    };
  }

  private parseDomainTerm(token: Extract<Token, { type: 'domain' }>): TermNode {
    if (!this.knownDomains.has(token.domain)) {
      throw this.error(
        'UNKNOWN_DOMAIN',
        `Unknown domain "${token.domain}" at position ${token.domainSpan.start}; known domains: ${[...this.knownDomains].join(', ')}`,
        token.domainSpan.start,
        token.domainSpan.end - token.domainSpan.start,
        [...this.knownDomains],
      );
    }
    this.index += 1;
    return {
      kind: 'term',
      domain: token.domain,
      text: token.value,
      phrase: token.phrase,
      span: token.span,
    };
  }
}

/** Builds an n-ary node, lifting operands of the same kind into it. */
function flatten(kind: 'and' | 'or', operands: QueryNode[], span: SourceSpan): AndNode | OrNode {
  const flat: QueryNode[] = [];
  for (const operand of operands) {
    if (operand.kind === kind) flat.push(...operand.operands);
    else flat.push(operand);
  }
  return { kind, operands: flat, span };
}

/** Parses a query expression; throws QueryParseError (code PARSE_ERROR) and nothing else. */
export function parseBooleanExpression(input: string, options: BooleanParseOptions): QueryNode {
  const maxLength = options.maxLength ?? DEFAULT_MAX_QUERY_LENGTH;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_NESTING_DEPTH;
  if (input.length > maxLength) {
    throw new QueryParseError(
      `The query is ${input.length} characters long; at most ${maxLength} are accepted`,
      {
        kind: 'TOO_LONG',
        position: maxLength,
        length: input.length - maxLength,
        expected: [`at most ${maxLength} characters`],
        input: input.slice(0, maxLength),
      },
    );
  }
  return new Parser(input, tokenize(input), options, maxDepth).parseAll();
}
