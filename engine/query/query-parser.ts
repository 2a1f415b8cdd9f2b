/**
 * QueryParser (seed §4): raw query → rewrite → domain terms and boolean AST → language detection
 * → translation → query vector. The ES query builder (engine/search) turns the result into a
 * request; nothing here talks to Elasticsearch.
 */
import type { SearchConfig } from '../config/search-config-schema.ts';
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
import { QueryParseError } from './parse-error.ts';
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
}

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

  let mark = now();
  const rewritten: RewriteResult = config.query.rewrite.enabled
    ? rewriteQuery(raw, compiledDictionaryFor(config.query.rewrite.dictionary))
    : { query: raw, applied: [] };
  timings.rewriteMs = round(now() - mark);

  mark = now();
  const ast = rewritten.query.trim() === '' ? null : parseRewritten(rewritten, raw, config);
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
