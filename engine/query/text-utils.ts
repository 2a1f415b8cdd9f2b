/** Text helpers shared by rewriting and the glossary: both match dictionary keys inside queries. */

/** Letters/digits of scripts that separate words with spaces; CJK scripts do not. */
const SPACED_SCRIPT_CHAR = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Nd}]/u;

export function isSpacedScriptChar(ch: string | undefined): boolean {
  return ch !== undefined && ch !== '' && SPACED_SCRIPT_CHAR.test(ch);
}

/** Lower case, trimmed, whitespace runs collapsed to one space: how dictionary keys compare. */
export function normalizeKey(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * A key matched at text[start, start+length) is a whole word at each end that is a letter or digit
 * of a spaced script: `cat` must not fire inside `category`, while CJK keys match anywhere.
 */
export function onWordBoundary(
  text: string,
  start: number,
  length: number,
  lower = 0,
  upper = text.length,
): boolean {
  const before = start > lower ? text[start - 1] : undefined;
  const after = start + length < upper ? text[start + length] : undefined;
  if (isSpacedScriptChar(text[start]) && isSpacedScriptChar(before)) return false;
  if (isSpacedScriptChar(text[start + length - 1]) && isSpacedScriptChar(after)) return false;
  return true;
}

/**
 * Length of the match of a normalized `key` at text[start], or -1. A space in the key matches any
 * whitespace run; letters compare case-insensitively.
 */
export function matchKeyAt(text: string, start: number, key: string, end = text.length): number {
  let i = start;
  for (let k = 0; k < key.length; k++) {
    const keyChar = key[k]!;
    if (keyChar === ' ') {
      if (i >= end || !/\s/.test(text[i]!)) return -1;
      while (i < end && /\s/.test(text[i]!)) i += 1;
      continue;
    }
    if (i >= end || text[i]!.toLowerCase() !== keyChar) return -1;
    i += 1;
  }
  return i - start;
}
