/**
 * Checks a parsed config document (JSON, YAML, an API body) before anything walks it: YAML
 * aliases can make it cyclic (`a: &a [*a]`) and nesting can be deep enough to overflow the stack
 * of recursive code downstream (zod, secret scans, migrations). A `__proto__` key is refused too:
 * zod drops it silently, so it would vanish instead of being reported.
 */
import type { ConfigIssue, IssuePath } from './config-issues.ts';
import { formatPath } from './config-issues.ts';

/** Deeper than any config or bundle (a mapping nests a few levels); far from stack limits. */
export const MAX_DOCUMENT_DEPTH = 64;

interface Frame {
  value: object;
  path: IssuePath;
  depth: number;
  /** Set when the frame's children were pushed: popping it again leaves its subtree. */
  entered: boolean;
}

function childrenOf(value: object): Array<[string | number, unknown]> {
  return Array.isArray(value)
    ? value.map((item, i): [number, unknown] => [i, item])
    : Object.entries(value);
}

/** The first structural problem of `raw` (iterative, so it cannot overflow itself), or null. */
export function rawDocumentIssue(raw: unknown): ConfigIssue | null {
  if (raw === null || typeof raw !== 'object') return null;
  const ancestors = new Set<object>();
  const stack: Frame[] = [{ value: raw, path: [], depth: 0, entered: false }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.entered) {
      ancestors.delete(frame.value);
      stack.pop();
      continue;
    }
    frame.entered = true;
    if (ancestors.has(frame.value)) {
      return {
        path: formatPath(frame.path),
        message: 'refers to itself (a YAML alias inside its own anchor); write the value out',
      };
    }
    if (frame.depth > MAX_DOCUMENT_DEPTH) {
      return {
        path: formatPath(frame.path),
        message: `is nested more than ${MAX_DOCUMENT_DEPTH} levels deep`,
      };
    }
    if (!Array.isArray(frame.value) && Object.hasOwn(frame.value, '__proto__')) {
      return {
        path: formatPath([...frame.path, '__proto__']),
        message: 'is not allowed as a key',
      };
    }
    ancestors.add(frame.value);
    for (const [key, child] of childrenOf(frame.value)) {
      if (child !== null && typeof child === 'object') {
        stack.push({
          value: child,
          path: [...frame.path, key],
          depth: frame.depth + 1,
          entered: false,
        });
      }
    }
  }
  return null;
}
