/**
 * Tokens of the query expression language. A single left-to-right pass, no backtracking, so any
 * input is tokenised in linear time.
 *
 * - whitespace (any Unicode space, including the ideographic space U+3000) separates tokens;
 * - `(` `)` and their full-width forms `（` `）` group; `"…"` is a phrase with `\"` and `\\` escapes;
 * - `AND` `OR` `ANDNOT` `RANK` (upper case, whole words) are operators — lower-case `and` is a word;
 * - `name:value` / `name|value` (also the full-width colon `：`) is a domain term when `name` is an
 *   ASCII identifier; the value is the rest of the word or a directly following phrase;
 * - anything else up to the next separator is a word.
 */
import { BOOLEAN_OPERATORS, type BooleanOperator, type SourceSpan } from './ast.ts';
import { QueryParseError } from './parse-error.ts';

export type Token =
  | { type: 'lparen'; span: SourceSpan }
  | { type: 'rparen'; span: SourceSpan }
  | { type: 'operator'; operator: BooleanOperator; span: SourceSpan }
  | { type: 'word'; text: string; span: SourceSpan }
  | { type: 'phrase'; text: string; span: SourceSpan }
  | {
      type: 'domain';
      domain: string;
      domainSpan: SourceSpan;
      value: string;
      phrase: boolean;
      span: SourceSpan;
    };

const OPEN_PARENS = new Set(['(', '（']);
const CLOSE_PARENS = new Set([')', '）']);
const DOMAIN_SEPARATORS = new Set([':', '|', '：']);
const DOMAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WHITESPACE = /\s/;

export function isWhitespace(ch: string): boolean {
  return WHITESPACE.test(ch);
}

/** Characters that end a bare word. */
export function isWordBreak(ch: string): boolean {
  return isWhitespace(ch) || OPEN_PARENS.has(ch) || CLOSE_PARENS.has(ch) || ch === '"';
}

export function isDomainName(text: string): boolean {
  return DOMAIN_NAME.test(text);
}

export function isOperatorWord(text: string): text is BooleanOperator {
  return (BOOLEAN_OPERATORS as readonly string[]).includes(text);
}

/** Reads a phrase whose opening quote is at `start`; returns its unescaped text and end offset. */
function readPhrase(input: string, start: number): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === '"') return { text, end: i + 1 };
    if (ch === '\\' && (input[i + 1] === '"' || input[i + 1] === '\\')) {
      text += input[i + 1];
      i += 2;
      continue;
    }
    text += ch;
    i += 1;
  }
  throw new QueryParseError(`Unterminated phrase: the quote at position ${start} is never closed`, {
    kind: 'UNTERMINATED_PHRASE',
    position: start,
    length: input.length - start,
    expected: ['a closing "'],
    input,
  });
}

function emptyValueError(input: string, domain: string, at: number): QueryParseError {
  return new QueryParseError(
    `Empty value for domain "${domain}" at position ${at}: write ${domain}:value or ${domain}:"a phrase"`,
    { kind: 'EMPTY_VALUE', position: at, length: 0, expected: ['a value', 'a "phrase"'], input },
  );
}

/** Splits a word into a domain term when it starts with `identifier:`; null when it is plain text. */
function splitDomainWord(word: string): { domain: string; separatorAt: number } | null {
  for (let i = 0; i < word.length; i++) {
    if (DOMAIN_SEPARATORS.has(word[i]!)) {
      const domain = word.slice(0, i);
      return isDomainName(domain) ? { domain, separatorAt: i } : null;
    }
  }
  return null;
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (isWhitespace(ch)) {
      i += 1;
    } else if (OPEN_PARENS.has(ch)) {
      tokens.push({ type: 'lparen', span: { start: i, end: i + 1 } });
      i += 1;
    } else if (CLOSE_PARENS.has(ch)) {
      tokens.push({ type: 'rparen', span: { start: i, end: i + 1 } });
      i += 1;
    } else if (ch === '"') {
      const phrase = readPhrase(input, i);
      tokens.push({ type: 'phrase', text: phrase.text, span: { start: i, end: phrase.end } });
      i = phrase.end;
    } else {
      i = readWord(input, i, tokens);
    }
  }
  return tokens;
}

/** Reads the word starting at `start` (an operator, a domain term or text), returns the next offset. */
function readWord(input: string, start: number, tokens: Token[]): number {
  let end = start;
  while (end < input.length && !isWordBreak(input[end]!)) end += 1;
  const word = input.slice(start, end);
  const span = { start, end };

  if (isOperatorWord(word)) {
    tokens.push({ type: 'operator', operator: word, span });
    return end;
  }
  const split = splitDomainWord(word);
  if (split === null) {
    tokens.push({ type: 'word', text: word, span });
    return end;
  }
  const domainSpan = { start, end: start + split.domain.length };
  const value = word.slice(split.separatorAt + 1);
  if (value.length > 0) {
    tokens.push({
      type: 'domain',
      domain: split.domain,
      domainSpan,
      value,
      phrase: false,
      span,
    });
    return end;
  }
  // `title:` directly followed by a quote takes the phrase as its value.
  if (input[end] === '"') {
    const phrase = readPhrase(input, end);
    if (phrase.text.trim().length === 0) throw emptyValueError(input, split.domain, end);
    tokens.push({
      type: 'domain',
      domain: split.domain,
      domainSpan,
      value: phrase.text,
      phrase: true,
      span: { start, end: phrase.end },
    });
    return phrase.end;
  }
  throw emptyValueError(input, split.domain, end);
}
