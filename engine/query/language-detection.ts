/**
 * Query language detection for zh/en/ru and beyond (seed §4.2).
 *
 * Search queries are short, and n-gram detectors are unreliable on two or three words: `eld` calls
 * "laptop" Romanian and "gaming laptop with rgb keyboard" Tagalog. So the script decides first —
 * Han → zh, kana → ja, Hangul → ko, Cyrillic → ru, Latin → en — and the library (`eld`) may only
 * overrule the script guess when the text is long enough, it says the result is reliable, and it
 * prefers its language clearly over the script's default.
 */

export type DetectionMethod = 'script' | 'library' | 'default';

export interface DetectedLanguage {
  /** ISO 639-1 code, or 'und' when nothing could be told. */
  language: string;
  /** 0..1; script guesses on short text are deliberately below 1. */
  confidence: number;
  method: DetectionMethod;
}

/** What an n-gram library reports for one text. */
export interface LibraryDetection {
  language: string;
  scores: Record<string, number>;
  reliable: boolean;
}

export type LibraryDetector = (text: string) => LibraryDetection;

export interface LanguageDetectionOptions {
  /** Used when the text has no letters at all (`12345`, `!!`). */
  defaultLanguage: string;
  /** The n-gram detector; without it only script heuristics run. */
  library?: LibraryDetector;
  /** Fewest letters before the library may overrule the script guess. */
  minLettersForLibrary?: number;
  /** How far the library's language must lead the script's default language. */
  minLibraryMargin?: number;
}

interface ScriptCounts {
  han: number;
  kana: number;
  hangul: number;
  cyrillic: number;
  latin: number;
  other: number;
  letters: number;
}

const SCRIPT_PATTERNS: Array<[keyof Omit<ScriptCounts, 'letters'>, RegExp]> = [
  ['han', /\p{Script=Han}/u],
  ['kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['hangul', /\p{Script=Hangul}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['latin', /\p{Script=Latin}/u],
];
const LETTER = /\p{L}/u;

function countScripts(text: string): ScriptCounts {
  const counts: ScriptCounts = {
    han: 0,
    kana: 0,
    hangul: 0,
    cyrillic: 0,
    latin: 0,
    other: 0,
    letters: 0,
  };
  for (const ch of text) {
    if (!LETTER.test(ch)) continue;
    counts.letters += 1;
    const script = SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(ch));
    counts[script?.[0] ?? 'other'] += 1;
  }
  return counts;
}

const UKRAINIAN_LETTERS = /[іїєґІЇЄҐ]/u;
const BELARUSIAN_LETTERS = /[ўЎ]/u;

/** Languages written in Cyrillic that `eld` knows; only these may replace the `ru` guess. */
const CYRILLIC_LANGUAGES = new Set(['ru', 'uk', 'bg', 'be', 'sr', 'mk', 'kk']);

function roundConfidence(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;
}

/** Share-weighted confidence for a script guess: more letters of the script → surer. */
function scriptConfidence(scriptLetters: number, totalLetters: number): number {
  const share = scriptLetters / totalLetters;
  return roundConfidence(0.6 + 0.35 * share);
}

/**
 * Asks the library whether `text` is clearly another language than `scriptGuess`, among
 * `candidates` (or any language when undefined). Returns its answer only when it is confident.
 */
function libraryOverride(
  text: string,
  letters: number,
  scriptGuess: string,
  options: LanguageDetectionOptions,
  candidates?: ReadonlySet<string>,
): DetectedLanguage | null {
  const library = options.library;
  if (library === undefined || letters < (options.minLettersForLibrary ?? 20)) return null;
  const result = library(text);
  if (!result.reliable || result.language === '' || result.language === scriptGuess) return null;
  if (candidates !== undefined && !candidates.has(result.language)) return null;
  const top = result.scores[result.language] ?? 0;
  const guessScore = result.scores[scriptGuess] ?? 0;
  if (top - guessScore < (options.minLibraryMargin ?? 0.1)) return null;
  return { language: result.language, confidence: roundConfidence(top), method: 'library' };
}

export function detectLanguage(text: string, options: LanguageDetectionOptions): DetectedLanguage {
  const counts = countScripts(text);
  if (counts.letters === 0) {
    return { language: options.defaultLanguage, confidence: 0, method: 'default' };
  }
  const byScript = (language: string, scriptLetters: number): DetectedLanguage => ({
    language,
    confidence: scriptConfidence(scriptLetters, counts.letters),
    method: 'script',
  });

  // Kana only occurs in Japanese, even when mixed with kanji (Han).
  if (counts.kana > 0) return byScript('ja', counts.kana + counts.han);
  if (counts.hangul > 0) return byScript('ko', counts.hangul);
  // Chinese queries routinely carry Latin brand names ("iphone 手机"): any Han means Chinese.
  if (counts.han > 0) return byScript('zh', counts.han);

  if (counts.cyrillic > 0 && counts.cyrillic >= counts.latin) {
    // Letters Russian lacks settle Belarusian (ў; it shares і with Ukrainian) and Ukrainian.
    if (BELARUSIAN_LETTERS.test(text)) return byScript('be', counts.cyrillic);
    if (UKRAINIAN_LETTERS.test(text)) return byScript('uk', counts.cyrillic);
    const override = libraryOverride(text, counts.letters, 'ru', options, CYRILLIC_LANGUAGES);
    return override ?? byScript('ru', counts.cyrillic);
  }
  if (counts.latin > 0 && counts.latin >= counts.other) {
    return libraryOverride(text, counts.letters, 'en', options) ?? byScript('en', counts.latin);
  }

  // Another script (Arabic, Thai, Greek, …): only the library can name it.
  const result = options.library?.(text);
  if (result !== undefined && result.language !== '') {
    const score = result.scores[result.language] ?? 0;
    return { language: result.language, confidence: roundConfidence(score), method: 'library' };
  }
  return { language: 'und', confidence: 0, method: 'default' };
}

let eldDetectorPromise: Promise<LibraryDetector> | null = null;

/**
 * Loads `eld` (medium n-gram database, about 2 MB of JavaScript) once per process, on first use,
 * so that importing the query module stays cheap.
 */
export function loadEldDetector(): Promise<LibraryDetector> {
  eldDetectorPromise ??= import('eld/medium').then(({ eld }) => {
    const detector = eld.newInstance();
    return (text: string): LibraryDetection => {
      const result = detector.detect(text);
      return {
        language: result.language,
        scores: result.getScores(),
        reliable: result.isReliable(),
      };
    };
  });
  return eldDetectorPromise;
}
