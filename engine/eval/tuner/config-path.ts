/**
 * Paths into a config object, the way analysts name a knob: `domains.default.fields.title_en.boost`.
 *
 * SearchConfig keeps domains and fields in arrays, so a segment applied to an array picks the one
 * element whose identity key (`name`, `field`, `id` or `key`, first that matches) equals it; a
 * number (`fields[0]` or `fields.0`) picks by position. A segment that itself contains dots goes in
 * brackets: `fields["title_en.keyword"].boost`. The same syntax names the paths of config diffs.
 *
 * Updates are immutable: `setAtPath` copies only the containers along the path.
 */
import { RwbError } from '../../errors.ts';
import {
  expressionWeight,
  isWeightedSignal,
  withExpressionWeight,
  type RankingExpressionOptions,
  type WeightedSignal,
} from '../../search/ranking-expression.ts';

export type PathSegment = string | number;

export const IDENTITY_KEYS = ['name', 'field', 'id', 'key'] as const;

const BARE_SEGMENT = /^[A-Za-z_$][\w$-]*$/;

function syntaxError(path: string, message: string): RwbError {
  return new RwbError('INVALID_INPUT', `config path "${path}": ${message}`, { path });
}

/** Position of the quote that ends the JSON string opening at `open`, or -1 (escapes honoured). */
function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** No config has a `__proto__` key, and as an object key it names the prototype, not a property. */
function checkedSegments(segments: PathSegment[], path: string): PathSegment[] {
  if (segments.includes('__proto__')) throw syntaxError(path, '"__proto__" is not a config key');
  return segments;
}

function segmentsOf(path: string | readonly PathSegment[]): PathSegment[] {
  return typeof path === 'string'
    ? parseConfigPath(path)
    : checkedSegments([...path], formatConfigPath(path));
}

/** `a.b[0]["c.d"].e` → ['a', 'b', 0, 'c.d', 'e']. */
export function parseConfigPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const bare = (text: string): PathSegment => (/^\d+$/.test(text) ? Number(text) : text);
  while (i < path.length) {
    if (path[i] === '[') {
      const close = path.indexOf(']', path[i + 1] === '"' ? closingQuote(path, i + 1) : i);
      if (close === -1) throw syntaxError(path, `unclosed "[" at character ${i + 1}`);
      const inner = path.slice(i + 1, close);
      if (inner.startsWith('"')) {
        try {
          segments.push(JSON.parse(inner) as string);
        } catch {
          throw syntaxError(path, `bad quoted segment ${inner}`);
        }
      } else if (inner === '') {
        throw syntaxError(path, `empty brackets at character ${i + 1}`);
      } else {
        segments.push(bare(inner));
      }
      i = close + 1;
      if (i < path.length && path[i] !== '.' && path[i] !== '[') {
        throw syntaxError(path, `expected "." or "[" at character ${i + 1}`);
      }
      if (path[i] === '.') i++;
      continue;
    }
    let end = i;
    while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
    const text = path.slice(i, end);
    if (text === '') throw syntaxError(path, `empty segment at character ${i + 1}`);
    segments.push(bare(text));
    i = path[end] === '.' ? end + 1 : end;
    if (path[end] === '.' && i === path.length) throw syntaxError(path, 'ends with "."');
  }
  if (segments.length === 0) throw syntaxError(path, 'is empty');
  return checkedSegments(segments, path);
}

/** The inverse of parseConfigPath, with brackets only where needed. */
export function formatConfigPath(segments: readonly PathSegment[]): string {
  return segments
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (BARE_SEGMENT.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Index of the element a segment names in an array, or -1; throws when two elements match. */
export function findArrayElement(
  array: readonly unknown[],
  segment: PathSegment,
  where: () => string,
): number {
  if (typeof segment === 'number') return segment < array.length ? segment : -1;
  for (const key of IDENTITY_KEYS) {
    const matches: number[] = [];
    array.forEach((item, index) => {
      if (isPlainObject(item) && item[key] === segment) matches.push(index);
    });
    if (matches.length > 1) {
      throw new RwbError(
        'INVALID_INPUT',
        `${where()}: ${matches.length} elements have ${key} "${segment}"; use a position, e.g. [${matches[0]}]`,
      );
    }
    if (matches.length === 1) return matches[0] as number;
  }
  return -1;
}

export type PathLookup =
  | { readonly found: true; readonly value: unknown }
  | { readonly found: false; readonly missingAt: string };

/**
 * `ranking.expression.<signal>` (bm25, text_embedding_relevance, image_embedding_relevance) is the
 * weight of that signal in the ranking expression: sliders and the tuner move a weight without
 * rewriting the expression text by hand.
 */
function expressionSignal(segments: readonly PathSegment[]): WeightedSignal | null {
  if (segments.length !== 3 || segments[0] !== 'ranking' || segments[1] !== 'expression')
    return null;
  const name = String(segments[2]);
  return isWeightedSignal(name) ? name : null;
}

function expressionOptions(root: unknown): RankingExpressionOptions {
  const ranking = isPlainObject(root) && isPlainObject(root.ranking) ? root.ranking : {};
  const field = ranking.popularityField;
  return typeof field === 'string' ? { popularityField: field } : {};
}

export function getAtPath(root: unknown, path: string | readonly PathSegment[]): PathLookup {
  const segments = segmentsOf(path);
  const signal = expressionSignal(segments);
  if (signal !== null) {
    const expression = getAtPath(root, ['ranking', 'expression']);
    if (!expression.found || typeof expression.value !== 'string') return expression;
    return {
      found: true,
      value: expressionWeight(expression.value, signal, expressionOptions(root)),
    };
  }
  const text = () => (typeof path === 'string' ? path : formatConfigPath(path));
  let current: unknown = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    const missingAt = formatConfigPath(segments.slice(0, i + 1));
    if (Array.isArray(current)) {
      const index = findArrayElement(current, segment, () => `config path "${text()}"`);
      if (index === -1) return { found: false, missingAt };
      current = current[index];
    } else if (isPlainObject(current) && Object.hasOwn(current, String(segment))) {
      current = current[String(segment)];
    } else {
      return { found: false, missingAt };
    }
  }
  return { found: true, value: current };
}

/**
 * A copy of `root` with the value at `path` replaced. Missing object keys are created (a knob the
 * base config leaves at its default); an array element that does not exist cannot be made up.
 */
export function setAtPath<T>(root: T, path: string | readonly PathSegment[], value: unknown): T {
  const segments = segmentsOf(path);
  const signal = expressionSignal(segments);
  if (signal !== null) {
    const expression = getAtPath(root, ['ranking', 'expression']);
    const text =
      expression.found && typeof expression.value === 'string' ? expression.value : 'bm25()';
    return setAtPath(
      root,
      ['ranking', 'expression'],
      withExpressionWeight(text, signal, Number(value), expressionOptions(root)),
    );
  }
  const text = typeof path === 'string' ? path : formatConfigPath(path);
  const update = (node: unknown, depth: number): unknown => {
    if (depth === segments.length) return value;
    const segment = segments[depth] as PathSegment;
    const where = () =>
      `config path "${text}" at ${formatConfigPath(segments.slice(0, depth + 1))}`;
    if (Array.isArray(node)) {
      const index = findArrayElement(node, segment, where);
      if (index === -1) {
        throw new RwbError('INVALID_INPUT', `${where()}: no such element in the base config`, {
          path: text,
        });
      }
      const copy = [...node];
      copy[index] = update(node[index], depth + 1);
      return copy;
    }
    if (node === undefined || isPlainObject(node)) {
      const object = node ?? {};
      const key = String(segment);
      // Own keys only: `constructor`, `toString` … of the base config are missing, not inherited.
      const child = Object.hasOwn(object, key) ? object[key] : undefined;
      return { ...object, [key]: update(child, depth + 1) };
    }
    throw new RwbError(
      'INVALID_INPUT',
      `${where()}: cannot descend into a ${node === null ? 'null' : typeof node}`,
      { path: text },
    );
  };
  return update(root, 0) as T;
}
