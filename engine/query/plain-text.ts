/**
 * Plain text: the query's characters as one default-domain term, no operators, domains, groups or
 * phrases. Lenient parsing falls back to it when the text is not a valid expression, because a
 * shopper's `6" tablet`, `耳机(蓝牙` or `Note:10 pro` is text, not a malformed expression; the
 * analyzer drops the punctuation at search time just as it does for any bare word.
 */
import { DEFAULT_DOMAIN, type TermNode } from './ast.ts';
import { isWhitespace } from './lexer.ts';

/** Whitespace runs collapsed to one space, trimmed: how the parser joins adjacent bare words. */
export function plainTextOf(text: string): string {
  let out = '';
  let pendingSpace = false;
  for (const ch of text) {
    if (isWhitespace(ch)) {
      pendingSpace = out !== '';
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += ch;
  }
  return out;
}

/** The term a plain-text search runs; null for blank text (a browse, as in every mode). */
export function plainTextNode(text: string): TermNode | null {
  const plain = plainTextOf(text);
  if (plain === '') return null;
  let start = 0;
  while (start < text.length && isWhitespace(text[start]!)) start += 1;
  let end = text.length;
  while (end > start && isWhitespace(text[end - 1]!)) end -= 1;
  return { kind: 'term', domain: DEFAULT_DOMAIN, text: plain, phrase: false, span: { start, end } };
}
