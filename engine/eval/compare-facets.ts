/**
 * Which facet counts changed between two configs for the same query: a merchant notices a
 * brand disappearing from the filter panel long before a metric moves.
 *
 * A value with count 0 is treated as absent (terms aggregations omit such buckets unless asked
 * for them), so 0 → 5 is "appeared", not "changed".
 */
import type { FacetCounts } from './compare-run-result.ts';

export interface FacetValueChange {
  readonly facet: string;
  readonly value: string;
  readonly countA: number;
  readonly countB: number;
  /** countB − countA. */
  readonly delta: number;
}

export interface FacetValueCount {
  readonly facet: string;
  readonly value: string;
  readonly count: number;
}

export interface FacetDiff {
  /** Values present in both with different counts, largest |delta| first. */
  readonly changed: FacetValueChange[];
  /** Values only B has. */
  readonly appeared: FacetValueCount[];
  /** Values only A has. */
  readonly disappeared: FacetValueCount[];
  /** Whole facets only B / only A returns. */
  readonly facetsAppeared: string[];
  readonly facetsDisappeared: string[];
  /** Values present in both with equal counts. */
  readonly unchanged: number;
}

function present(counts: Readonly<Record<string, number>> | undefined): Map<string, number> {
  return new Map(Object.entries(counts ?? {}).filter(([, count]) => count > 0));
}

function byFacetThenValue(
  x: { facet: string; value: string },
  y: { facet: string; value: string },
): number {
  return x.facet.localeCompare(y.facet) || x.value.localeCompare(y.value);
}

/** Diff of facet counts from config A to config B. */
export function diffFacetCounts(facetsA: FacetCounts, facetsB: FacetCounts): FacetDiff {
  const changed: FacetValueChange[] = [];
  const appeared: FacetValueCount[] = [];
  const disappeared: FacetValueCount[] = [];
  let unchanged = 0;
  const facets = new Set([...Object.keys(facetsA), ...Object.keys(facetsB)]);
  for (const facet of facets) {
    const a = present(facetsA[facet]);
    const b = present(facetsB[facet]);
    for (const [value, countA] of a) {
      const countB = b.get(value);
      if (countB === undefined) disappeared.push({ facet, value, count: countA });
      else if (countB === countA) unchanged++;
      else changed.push({ facet, value, countA, countB, delta: countB - countA });
    }
    for (const [value, count] of b) if (!a.has(value)) appeared.push({ facet, value, count });
  }
  changed.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || byFacetThenValue(x, y));
  appeared.sort((x, y) => y.count - x.count || byFacetThenValue(x, y));
  disappeared.sort((x, y) => y.count - x.count || byFacetThenValue(x, y));
  const nonEmpty = (counts: FacetCounts, facet: string) => present(counts[facet]).size > 0;
  return {
    changed,
    appeared,
    disappeared,
    facetsAppeared: [...facets].filter((f) => !nonEmpty(facetsA, f) && nonEmpty(facetsB, f)).sort(),
    facetsDisappeared: [...facets]
      .filter((f) => nonEmpty(facetsA, f) && !nonEmpty(facetsB, f))
      .sort(),
    unchanged,
  };
}

/** True when nothing changed. */
export function isEmptyFacetDiff(diff: FacetDiff): boolean {
  return diff.changed.length === 0 && diff.appeared.length === 0 && diff.disappeared.length === 0;
}
