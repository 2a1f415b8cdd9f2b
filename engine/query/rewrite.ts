/**
 * Rewrite dictionary (seed §4.1): query text → a replacement expression, e.g.
 * `芭比 → brand:芭比 OR name:芭比娃娃`. Used for brand/category words, spelling fixes and synonyms.
 *
 * - Exact match (whole query, case- and whitespace-insensitive) replaces the query as is.
 * - Otherwise each occurrence of a key inside bare text is replaced; at one position the longest
 *   key wins. Text inside phrases, domain values and operators is never touched.
 * - One pass over the original text: a replacement is never rewritten again (no recursion, so a
 *   dictionary with `a → a b` cannot loop).
 * - Keys that begin/end with a letter or digit of a space-separated script (Latin, Cyrillic, Greek)
 *   must sit on a word boundary there, so `cat` does not fire inside `category`; CJK keys match
 *   anywhere, because CJK text has no spaces between words.
 */
import type { SourceSpan } from './ast.ts';
import { tokenize, type Token } from './lexer.ts';
import { isSpacedScriptChar, matchKeyAt, normalizeKey, onWordBoundary } from './text-utils.ts';

export interface AppliedRewrite {
  key: string;
  value: string;
  mode: 'exact' | 'partial';
  /** Where the key matched in the original query. */
  original: SourceSpan;
  /** Where its replacement sits in the rewritten query. */
  rewritten: SourceSpan;
}

export interface RewriteResult {
  query: string;
  applied: AppliedRewrite[];
}

interface DictionaryEntry {
  key: string;
  value: string;
  /** Lower-cased key with whitespace runs collapsed to one space. */
  normalizedKey: string;
  /** The value is only bare words, so it can be spliced in without parentheses. */
  plainValue: boolean;
}

export interface CompiledRewriteDictionary {
  readonly exact: ReadonlyMap<string, DictionaryEntry>;
  /** Entries by the first character of their normalized key, longest key first. */
  readonly byFirstChar: ReadonlyMap<string, readonly DictionaryEntry[]>;
}

/** How keys compare: case- and whitespace-insensitive. */
export const normalizeRewriteKey = normalizeKey;

function isPlainValue(value: string): boolean {
  try {
    const tokens = tokenize(value);
    return tokens.length > 0 && tokens.every((token) => token.type === 'word');
  } catch {
    return false;
  }
}

export function compileRewriteDictionary(
  dictionary: Readonly<Record<string, string>>,
): CompiledRewriteDictionary {
  const exact = new Map<string, DictionaryEntry>();
  for (const [key, value] of Object.entries(dictionary)) {
    const normalizedKey = normalizeRewriteKey(key);
    if (normalizedKey.length === 0) continue;
    exact.set(normalizedKey, { key, value, normalizedKey, plainValue: isPlainValue(value) });
  }
  const byFirstChar = new Map<string, DictionaryEntry[]>();
  for (const entry of exact.values()) {
    const first = entry.normalizedKey[0]!;
    const list = byFirstChar.get(first) ?? [];
    list.push(entry);
    byFirstChar.set(first, list);
  }
  for (const list of byFirstChar.values())
    list.sort((a, b) => b.normalizedKey.length - a.normalizedKey.length);
  return { exact, byFirstChar };
}

const compiledCache = new WeakMap<object, CompiledRewriteDictionary>();

/** Compiles once per dictionary object (configs are immutable once parsed). */
export function compiledDictionaryFor(
  dictionary: Readonly<Record<string, string>>,
): CompiledRewriteDictionary {
  let compiled = compiledCache.get(dictionary);
  if (compiled === undefined) {
    compiled = compileRewriteDictionary(dictionary);
    compiledCache.set(dictionary, compiled);
  }
  return compiled;
}

/** Spans of maximal runs of adjacent bare words: the only text partial rewriting may touch. */
function bareTextRuns(tokens: Token[]): SourceSpan[] {
  const runs: SourceSpan[] = [];
  let current: SourceSpan | null = null;
  for (const token of tokens) {
    if (token.type === 'word') {
      if (current === null) current = { start: token.span.start, end: token.span.end };
      else current.end = token.span.end;
    } else if (current !== null) {
      runs.push(current);
      current = null;
    }
  }
  if (current !== null) runs.push(current);
  return runs;
}

interface PartialMatch {
  entry: DictionaryEntry;
  start: number;
  end: number;
}

function findPartialMatches(
  query: string,
  runs: SourceSpan[],
  dictionary: CompiledRewriteDictionary,
): PartialMatch[] {
  const matches: PartialMatch[] = [];
  for (const run of runs) {
    let i = run.start;
    while (i < run.end) {
      const candidates = dictionary.byFirstChar.get(query[i]!.toLowerCase()) ?? [];
      let matched: PartialMatch | null = null;
      for (const entry of candidates) {
        const length = matchKeyAt(query, i, entry.normalizedKey, run.end);
        if (length > 0 && onWordBoundary(query, i, length, run.start, run.end)) {
          matched = { entry, start: i, end: i + length };
          break;
        }
      }
      if (matched === null) {
        i += 1;
      } else {
        matches.push(matched);
        i = matched.end;
      }
    }
  }
  return matches;
}

/** Pads a bare-word replacement with spaces where it would otherwise fuse with a neighbouring word. */
function spliceSafely(
  value: string,
  before: string | undefined,
  after: string | undefined,
): string {
  const padBefore = isSpacedScriptChar(before) && isSpacedScriptChar(value[0]);
  const padAfter = isSpacedScriptChar(after) && isSpacedScriptChar(value.at(-1));
  return `${padBefore ? ' ' : ''}${value}${padAfter ? ' ' : ''}`;
}

export function rewriteQuery(query: string, dictionary: CompiledRewriteDictionary): RewriteResult {
  const exact = dictionary.exact.get(normalizeRewriteKey(query));
  if (exact !== undefined) {
    return {
      query: exact.value,
      applied: [
        {
          key: exact.key,
          value: exact.value,
          mode: 'exact',
          original: { start: 0, end: query.length },
          rewritten: { start: 0, end: exact.value.length },
        },
      ],
    };
  }
  if (dictionary.byFirstChar.size === 0) return { query, applied: [] };

  let tokens: Token[];
  try {
    tokens = tokenize(query);
  } catch {
    // The parser reports this input's error against the text the user typed.
    return { query, applied: [] };
  }
  const matches = findPartialMatches(query, bareTextRuns(tokens), dictionary);
  let rewritten = '';
  let copiedUpTo = 0;
  const applied: AppliedRewrite[] = [];
  for (const match of matches) {
    rewritten += query.slice(copiedUpTo, match.start);
    const replacement = match.entry.plainValue
      ? spliceSafely(match.entry.value, rewritten.at(-1), query[match.end])
      : `(${match.entry.value})`;
    const at = rewritten.length;
    rewritten += replacement;
    copiedUpTo = match.end;
    applied.push({
      key: match.entry.key,
      value: match.entry.value,
      mode: 'partial',
      original: { start: match.start, end: match.end },
      rewritten: { start: at, end: at + replacement.length },
    });
  }
  rewritten += query.slice(copiedUpTo);
  return { query: rewritten, applied };
}

/**
 * Maps an offset in the rewritten query back to the original, so an error found after rewriting
 * still points at what the user typed. Offsets inside a replacement map to the replaced key.
 */
export function originalPosition(position: number, applied: readonly AppliedRewrite[]): number {
  let shift = 0;
  for (const rewrite of applied) {
    if (position < rewrite.rewritten.start) break;
    if (position < rewrite.rewritten.end) return rewrite.original.start;
    shift = rewrite.original.end - rewrite.rewritten.end;
  }
  return Math.max(0, position + shift);
}
