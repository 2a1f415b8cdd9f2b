/**
 * Per-term analysis after parsing: each distinct term gets its own language (a query can mix
 * `brand:Apple` with `手机`) and its translations into the languages its domain maps.
 */
import type { DomainConfig, SearchConfig } from '../config/search-config-schema.ts';
import { RwbError, isAbortError } from '../errors.ts';
import { collectTerms, type QueryNode, type TermNode } from './ast.ts';
import {
  detectLanguage,
  type DetectedLanguage,
  type LibraryDetector,
} from './language-detection.ts';
import { translationTargets } from './translation/targets.ts';
import type { Translator } from './translation/translator.ts';

export interface AnalyzedTerm {
  domain: string;
  text: string;
  phrase: boolean;
  /** Every occurrence of the term is inside an ANDNOT exclusion. */
  negated: boolean;
  language: DetectedLanguage;
  /** Target language → translated text. A target missing here had no translation. */
  translations: Record<string, string>;
}

/** Key that identifies a term for lookups (`termKey(node)` finds its AnalyzedTerm). */
export function termKey(term: Pick<TermNode, 'domain' | 'text' | 'phrase'>): string {
  return `${term.domain}\u0000${term.phrase ? 'p' : 'w'}\u0000${term.text}`;
}

export function analyzeTerms(
  ast: QueryNode,
  config: SearchConfig,
  library: LibraryDetector | undefined,
): AnalyzedTerm[] {
  const byKey = new Map<string, AnalyzedTerm>();
  for (const { term, negated } of collectTerms(ast)) {
    const key = termKey(term);
    const existing = byKey.get(key);
    if (existing !== undefined) {
      existing.negated &&= negated;
      continue;
    }
    byKey.set(key, {
      domain: term.domain,
      text: term.text,
      phrase: term.phrase,
      negated,
      language: detectLanguage(term.text, {
        defaultLanguage: config.query.defaultLanguage,
        library,
      }),
      translations: {},
    });
  }
  return [...byKey.values()];
}

function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}

/** Settles when `promise` does or `signal` aborts, whichever is first: a provider that ignores
 * its signal still cannot hold the query up. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

/**
 * Fills `translations` of every term in place. A failing or slow provider never fails the query:
 * the term is searched untranslated and the reason lands in `warnings`. Only the caller's own
 * abort (cancel) is rethrown.
 */
export async function translateTerms(
  terms: AnalyzedTerm[],
  config: SearchConfig,
  translator: Translator,
  warnings: string[],
  signal?: AbortSignal,
): Promise<void> {
  const domains = new Map<string, DomainConfig>(
    config.domains.map((domain) => [domain.name, domain]),
  );
  const jobs: Array<Promise<void>> = [];
  for (const term of terms) {
    const domain = domains.get(term.domain);
    if (domain === undefined) continue;
    const source = term.language.language;
    for (const target of translationTargets(source, domain, config.query)) {
      const request = { text: term.text, from: source === 'und' ? null : source, to: target };
      const options = { signal: withTimeout(signal, config.query.translation.timeoutMs) };
      jobs.push(
        raceAbort(translator.translate(request, options), options.signal).then(
          (translated) => {
            if (translated !== null && translated.trim() !== '')
              term.translations[target] = translated;
          },
          (err: unknown) => {
            if (signal?.aborted)
              throw new RwbError('CANCELLED', 'Query parsing was cancelled', undefined, {
                cause: err,
              });
            const reason =
              isAbortError(err) || options.signal.aborted
                ? `timed out after ${config.query.translation.timeoutMs} ms`
                : (err as Error).message;
            warnings.push(
              `Translation of "${term.text}" (${source} → ${target}) by ${translator.provider} failed: ${reason}`,
            );
          },
        ),
      );
    }
  }
  await Promise.all(jobs);
}
