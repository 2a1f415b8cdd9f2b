/**
 * QueryParser (seed §4): raw query → rewrite → domain terms and boolean AST → language detection
 * → translation → query vector. The ES query builder (engine/search) turns the result into a
 * request; nothing here talks to Elasticsearch.
 */
import type { ParseMode, SearchConfig } from '../config/search-config-schema.ts';
import { RwbError, isAbortError } from '../errors.ts';
import { DEFAULT_DOMAIN, type QueryNode } from './ast.ts';
import {
  analyzeTerms,
  raceAbort,
  termKey,
  translateTerms,
  type AnalyzedTerm,
} from './analyze-terms.ts';
import { parseBooleanExpression } from './boolean-parser.ts';
import {
  detectLanguage,
  loadEldDetector,
  type DetectedLanguage,
  type LibraryDetector,
} from './language-detection.ts';
import { QueryParseError, type QueryParseErrorDetails } from './parse-error.ts';
import { plainTextNode } from './plain-text.ts';
import {
  compiledDictionaryFor,
  originalPosition,
  rewriteQuery,
  type RewriteResult,
} from './rewrite.ts';
import type { Translator } from './translation/translator.ts';

/** Turns query text into a vector (the embed module's text encoder, usually cached). */
export type QueryEmbedder = (
  text: string,
  options?: { signal?: AbortSignal },
) => Promise<Float32Array>;

export interface ParseQueryDependencies {
  /** Absent or null: no translation. Build one with createTranslator(config.query.translation). */
  translator?: Translator | null;
  /** Absent: no query vector, even when text embedding is enabled. */
  embedder?: QueryEmbedder;
  /** n-gram language detector; absent → `eld`, loaded on first use; null → script rules only. */
  languageDetector?: LibraryDetector | null;
  signal?: AbortSignal;
  /**
   * Absent: config.query.parseMode. `text` searches the characters as plain text without trying
   * the expression syntax: what `lenient` falls back to, callable on its own.
   */
  parseMode?: QueryParseMode;
}

/** The config's modes plus `text` (plain text, syntax ignored). */
export type QueryParseMode = ParseMode | 'text';

/** Why a lenient parse searched the query as plain text. */
export type ParseFallback = Omit<QueryParseErrorDetails, 'input' | 'rewritten'> & {
  message: string;
};

export interface QueryTimings {
  rewriteMs: number;
  parseMs: number;
  detectMs: number;
  translateMs: number;
  embedMs: number;
  totalMs: number;
}

export interface ParsedQuery {
  /** What the user typed. */
  original: string;
  /** The text that was parsed, and which dictionary rules produced it. */
  rewritten: RewriteResult;
  /** null for a blank query (browse: filters only). */
  ast: QueryNode | null;
  /** The mode the query was parsed in (parseQuery always sets it; hand-built queries may not). */
  parseMode?: QueryParseMode;
  /** Set when a lenient parse found no valid expression and searched the text as plain text. */
  parseFallback?: ParseFallback | null;
  /** Language of the default-domain text (or of all text when there is none). */
  language: DetectedLanguage;
  /** Every distinct term with its language and translations, in source order. */
  terms: AnalyzedTerm[];
  /** Default-domain text outside ANDNOT exclusions: what is detected and embedded. */
  defaultText: string;
  /** Language → `defaultText` translated (only languages every default term was translated to). */
  translations: Record<string, string>;
  /** Query vector of `defaultText`, when text embedding is enabled and an embedder was given. */
  vector?: Float32Array;
  /** Degradations the caller may want to show: a translation or the embedding that failed. */
  warnings: string[];
  timings: QueryTimings;
}

const now = (): number => performance.now();
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Finds the AnalyzedTerm of an AST term node. */
export function findTerm(
  parsed: ParsedQuery,
  term: { domain: string; text: string; phrase: boolean },
): AnalyzedTerm | undefined {
  const key = termKey(term);
  return parsed.terms.find((candidate) => termKey(candidate) === key);
}

function checkLength(raw: string, maxLength: number): void {
  if (raw.length > maxLength) {
    // Reuse the parser's own error so every caller sees one shape.
    parseBooleanExpression(raw, { knownDomains: [], maxLength });
  }
}

function parseRewritten(rewrite: RewriteResult, original: string, config: SearchConfig): QueryNode {
  const options = {
    knownDomains: config.domains.map((domain) => domain.name),
    maxLength: Math.max(config.query.maxQueryLength, rewrite.query.length),
    maxDepth: config.query.maxNestingDepth,
  };
  try {
    return parseBooleanExpression(rewrite.query, options);
  } catch (err) {
    if (!(err instanceof QueryParseError) || rewrite.applied.length === 0) throw err;
    const position = originalPosition(err.details.position, rewrite.applied);
    throw new QueryParseError(`${err.message} (in the rewritten query "${rewrite.query}")`, {
      ...err.details,
      position,
      input: original,
      rewritten: { input: rewrite.query, position: err.details.position },
    });
  }
}

/**
 * strict: the expression or its PARSE_ERROR. lenient: the expression, or — when it does not parse
 * or names an unknown domain — what the user typed as plain text (not the rewritten query, whose
 * inserted expressions would otherwise be searched as words). text: plain text. A blank query is
 * a browse in every mode; the length limit (checked before) holds in every mode.
 */
function parseInMode(
  rewrite: RewriteResult,
  original: string,
  config: SearchConfig,
  mode: QueryParseMode,
): { ast: QueryNode | null; fallback: ParseFallback | null } {
  if (rewrite.query.trim() === '') return { ast: null, fallback: null };
  if (mode === 'text') return { ast: plainTextNode(original), fallback: null };
  try {
    return { ast: parseRewritten(rewrite, original, config), fallback: null };
  } catch (err) {
    if (mode === 'strict' || !(err instanceof QueryParseError)) throw err;
    const { kind, position, length, expected } = err.details;
    return {
      ast: plainTextNode(original),
      fallback: { message: err.message, kind, position, length, expected },
    };
  }
}

function positiveDefaultText(terms: readonly AnalyzedTerm[]): string {
  return terms
    .filter((term) => term.domain === DEFAULT_DOMAIN && !term.negated)
    .map((term) => term.text)
    .join(' ');
}

function joinedTranslations(terms: readonly AnalyzedTerm[]): Record<string, string> {
  const defaults = terms.filter((term) => term.domain === DEFAULT_DOMAIN && !term.negated);
  const languages = new Set(defaults.flatMap((term) => Object.keys(term.translations)));
  const out: Record<string, string> = {};
  for (const language of languages) {
    const pieces = defaults.map(
      (term) =>
        term.translations[language] ?? (term.language.language === language ? term.text : null),
    );
    if (pieces.every((piece) => piece !== null)) out[language] = pieces.join(' ');
  }
  return out;
}

export async function parseQuery(
  raw: string,
  config: SearchConfig,
  dependencies: ParseQueryDependencies = {},
): Promise<ParsedQuery> {
  const started = now();
  const timings: QueryTimings = {
    rewriteMs: 0,
    parseMs: 0,
    detectMs: 0,
    translateMs: 0,
    embedMs: 0,
    totalMs: 0,
  };
  const warnings: string[] = [];
  const { signal } = dependencies;
  checkLength(raw, config.query.maxQueryLength);

  const parseMode = dependencies.parseMode ?? config.query.parseMode;
  const unchanged: RewriteResult = { query: raw, applied: [] };
  let mark = now();
  // The dictionary's values are expressions: plain text has no place for them.
  let rewritten: RewriteResult =
    config.query.rewrite.enabled && parseMode !== 'text'
      ? rewriteQuery(raw, compiledDictionaryFor(config.query.rewrite.dictionary))
      : unchanged;
  timings.rewriteMs = round(now() - mark);

  mark = now();
  const { ast, fallback } = parseInMode(rewritten, raw, config, parseMode);
  if (fallback !== null) {
    const dropped = rewritten.applied.map((rewrite) => `"${rewrite.key}"`).join(', ');
    warnings.push(
      `Not a valid query expression, searched as plain text: ${fallback.message}` +
        (dropped === '' ? '' : ` (the rewrites of ${dropped} were not applied)`),
    );
    rewritten = unchanged;
  }
  timings.parseMs = round(now() - mark);

  mark = now();
  const library =
    dependencies.languageDetector === undefined
      ? await loadEldDetector()
      : (dependencies.languageDetector ?? undefined);
  const terms = ast === null ? [] : analyzeTerms(ast, config, library);
  const defaultText = positiveDefaultText(terms);
  const detectionText =
    defaultText !== ''
      ? defaultText
      : terms
          .filter((term) => !term.negated)
          .map((term) => term.text)
          .join(' ');
  const language = detectLanguage(detectionText, {
    defaultLanguage: config.query.defaultLanguage,
    library,
  });
  timings.detectMs = round(now() - mark);

  mark = now();
  const translator = dependencies.translator ?? null;
  if (translator !== null && config.query.translation.provider !== 'none' && terms.length > 0) {
    await translateTerms(terms, config, translator, warnings, signal);
  }
  timings.translateMs = round(now() - mark);

  mark = now();
  let vector: Float32Array | undefined;
  if (
    config.query.textEmbedding.enabled &&
    dependencies.embedder !== undefined &&
    defaultText !== ''
  ) {
    try {
      const embedding = dependencies.embedder(defaultText, { signal });
      vector = signal === undefined ? await embedding : await raceAbort(embedding, signal);
    } catch (err) {
      if (signal?.aborted || isAbortError(err)) {
        throw new RwbError('CANCELLED', 'Query parsing was cancelled', undefined, { cause: err });
      }
      warnings.push(
        `Query embedding failed, searching without a vector: ${(err as Error).message}`,
      );
    }
  }
  timings.embedMs = round(now() - mark);
  timings.totalMs = round(now() - started);

  const parsed: ParsedQuery = {
    original: raw,
    rewritten,
    ast,
    parseMode,
    parseFallback: fallback,
    language,
    terms,
    defaultText,
    translations: joinedTranslations(terms),
    warnings,
    timings,
  };
  if (vector !== undefined) parsed.vector = vector;
  return parsed;
}
