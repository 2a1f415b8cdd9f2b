/**
 * What changed between two config revisions, as paths an analyst can read and a tuner space can
 * use: `domains.default.fields.title_en.boost: 3 → 4.5`.
 *
 * Arrays of objects that carry an identity (`name`, `field`, `id`, `key` — unique in both arrays)
 * are matched by it, so inserting a domain does not show every later domain as changed. Arrays of
 * plain values (language lists, stop words) are compared as a whole; other arrays by position.
 */
import {
  formatConfigPath,
  IDENTITY_KEYS,
  isPlainObject,
  type PathSegment,
} from './tuner/config-path.ts';
import { canonicalJson } from './experiments.ts';

export type ConfigChangeKind = 'added' | 'removed' | 'changed';

export interface ConfigChange {
  readonly path: string;
  readonly kind: ConfigChangeKind;
  /** Absent for `added`. */
  readonly before?: unknown;
  /** Absent for `removed`. */
  readonly after?: unknown;
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The identity key shared by every element of both arrays, if the values are unique strings. */
function identityKey(a: readonly unknown[], b: readonly unknown[]): string | null {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isPlainObject)) return null;
  for (const key of IDENTITY_KEYS) {
    const usable = (items: readonly unknown[]) => {
      const values = items.map((item) => (item as Record<string, unknown>)[key]);
      return (
        values.every((v) => typeof v === 'string' && !/^\d+$/.test(v)) &&
        new Set(values).size === values.length
      );
    };
    if (usable(a) && usable(b)) return key;
  }
  return null;
}

function walk(a: unknown, b: unknown, at: PathSegment[], out: ConfigChange[]): void {
  if (same(a, b)) return;
  const path = () => formatConfigPath(at);
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      // Own keys: a rewrite key "toString" on one side only is added/removed, not inherited.
      if (!Object.hasOwn(b, key))
        out.push({ path: formatConfigPath([...at, key]), kind: 'removed', before: a[key] });
      else if (!Object.hasOwn(a, key))
        out.push({ path: formatConfigPath([...at, key]), kind: 'added', after: b[key] });
      else walk(a[key], b[key], [...at, key], out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && at.length > 0) {
    const key = identityKey(a, b);
    if (key !== null) {
      const byId = (items: readonly unknown[]) =>
        new Map(items.map((item) => [(item as Record<string, string>)[key] as string, item]));
      const left = byId(a);
      const right = byId(b);
      for (const [id, item] of left) {
        if (!right.has(id))
          out.push({ path: formatConfigPath([...at, id]), kind: 'removed', before: item });
        else walk(item, right.get(id), [...at, id], out);
      }
      for (const [id, item] of right) {
        if (!left.has(id))
          out.push({ path: formatConfigPath([...at, id]), kind: 'added', after: item });
      }
      const order = (items: readonly unknown[]) =>
        items.map((item) => (item as Record<string, string>)[key]);
      const sharedOrder = (xs: unknown[], keep: Set<unknown>) => xs.filter((x) => keep.has(x));
      const leftOrder = sharedOrder(order(a), new Set(order(b)));
      const rightOrder = sharedOrder(order(b), new Set(order(a)));
      if (!same(leftOrder, rightOrder)) {
        // Order matters for some lists (rewrite rules, functions): report a reordering once.
        out.push({ path: path(), kind: 'changed', before: leftOrder, after: rightOrder });
      }
      return;
    }
    if (a.some(isPlainObject) || b.some(isPlainObject)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (i >= b.length)
          out.push({ path: formatConfigPath([...at, i]), kind: 'removed', before: a[i] });
        else if (i >= a.length)
          out.push({ path: formatConfigPath([...at, i]), kind: 'added', after: b[i] });
        else walk(a[i], b[i], [...at, i], out);
      }
      return;
    }
  }
  out.push({ path: at.length === 0 ? '(root)' : path(), kind: 'changed', before: a, after: b });
}

/** Changes from config `a` to config `b`, in path order. */
export function diffConfigs(a: unknown, b: unknown): ConfigChange[] {
  const out: ConfigChange[] = [];
  walk(a, b, [], out);
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

export interface MetricChange {
  readonly metric: string;
  readonly a: number | null;
  readonly b: number | null;
  /** b − a when both exist. */
  readonly delta: number | null;
}

/** Metric means side by side for every metric either side has. */
export function diffMetricMeans(
  a: Readonly<Record<string, number | null>>,
  b: Readonly<Record<string, number | null>>,
): MetricChange[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.map((metric) => {
    const left = a[metric] ?? null;
    const right = b[metric] ?? null;
    return {
      metric,
      a: left,
      b: right,
      delta: left === null || right === null ? null : right - left,
    };
  });
}
