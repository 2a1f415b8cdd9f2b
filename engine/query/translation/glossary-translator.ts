/**
 * Offline translation from the glossary in the SearchConfig: each entry lists the same term in
 * several languages, e.g. `{ zh: '蓝牙耳机', en: 'bluetooth headphones', ru: 'блютуз наушники' }`.
 *
 * A text translates when the glossary covers it completely — as a whole, or as a sequence of
 * glossary terms (longest first) separated by spaces, digits and punctuation. Latin-script words
 * (brand names, model numbers) may pass through untranslated when the source language is not
 * itself written in Latin script: `iphone 手机壳` → `iphone phone case`. Anything else left
 * uncovered means "no translation": a half-translated query would search the wrong language.
 */
import { matchKeyAt, normalizeKey, onWordBoundary } from '../text-utils.ts';
import type { TranslationRequest, Translator } from './translator.ts';

export type GlossaryEntry = Readonly<Record<string, string>>;

interface Term {
  normalized: string;
  target: string;
}

/** Languages whose words are written in Latin script, for the pass-through rule. */
const NON_LATIN_LANGUAGES = new Set([
  'zh',
  'ja',
  'ko',
  'ru',
  'uk',
  'bg',
  'be',
  'sr',
  'mk',
  'kk',
  'ar',
  'he',
  'el',
  'th',
  'hi',
]);
const LATIN_WORD = /^[\p{Script=Latin}\p{Nd}\p{M}'’\-_.+/&]+$/u;
const NO_LETTERS = /^[^\p{L}]*$/u;

export class GlossaryTranslator implements Translator {
  readonly provider = 'glossary';
  /** `${from}>${to}` → terms sorted longest first. */
  private readonly terms = new Map<string, Term[]>();
  private readonly languages = new Set<string>();

  constructor(entries: readonly GlossaryEntry[]) {
    for (const entry of entries) {
      for (const [from, source] of Object.entries(entry)) {
        this.languages.add(from);
        for (const [to, target] of Object.entries(entry)) {
          if (from === to || normalizeKey(source) === '') continue;
          const list = this.terms.get(`${from}>${to}`) ?? [];
          list.push({ normalized: normalizeKey(source), target: target.trim() });
          this.terms.set(`${from}>${to}`, list);
        }
      }
    }
    for (const list of this.terms.values())
      list.sort((a, b) => b.normalized.length - a.normalized.length);
  }

  async translate(request: TranslationRequest): Promise<string | null> {
    return this.translateSync(request);
  }

  translateSync(request: TranslationRequest): string | null {
    const sources = request.from === null ? [...this.languages] : [request.from];
    for (const from of sources) {
      if (from === request.to) continue;
      const terms = this.terms.get(`${from}>${request.to}`);
      if (terms === undefined) continue;
      const translated = translateWithTerms(request.text, terms, !NON_LATIN_LANGUAGES.has(from));
      if (translated !== null) return translated;
    }
    return null;
  }
}

function findTermAt(
  text: string,
  at: number,
  terms: readonly Term[],
): { term: Term; length: number } | null {
  const first = text[at]!.toLowerCase();
  for (const term of terms) {
    if (term.normalized[0] !== first) continue;
    const length = matchKeyAt(text, at, term.normalized);
    if (length > 0 && onWordBoundary(text, at, length)) return { term, length };
  }
  return null;
}

function translateWithTerms(
  text: string,
  terms: readonly Term[],
  sourceIsLatin: boolean,
): string | null {
  const normalized = normalizeKey(text);
  const whole = terms.find((term) => term.normalized === normalized);
  if (whole !== undefined) return whole.target;

  // Pieces are joined with spaces: search analyzers split on them in every target language.
  const pieces: string[] = [];
  let uncovered = '';
  let translatedAny = false;
  const keepUncovered = (): boolean => {
    const words = uncovered
      .trim()
      .split(/\s+/)
      .filter((word) => word !== '');
    uncovered = '';
    const passes = words.every(
      (word) => NO_LETTERS.test(word) || (!sourceIsLatin && LATIN_WORD.test(word)),
    );
    if (passes) pieces.push(...words);
    return passes;
  };

  let i = 0;
  while (i < text.length) {
    const match = findTermAt(text, i, terms);
    if (match === null) {
      uncovered += text[i];
      i += 1;
      continue;
    }
    if (!keepUncovered()) return null;
    pieces.push(match.term.target);
    translatedAny = true;
    i += match.length;
  }
  if (!keepUncovered() || !translatedAny) return null;
  return pieces.join(' ');
}
