/**
 * Facet counts of one evaluated search, flattened for the comparison's facet diff: facet field →
 * value → count, read through the searcher's own facet formatter so labels and spec facets match
 * what the search screen shows.
 */
import { emptyRecord } from '../own.ts';
import type { SearchPlan } from '../search/build-request.ts';
import { formatFacets } from '../search/format-results.ts';
import type { FacetCounts } from './compare-run-result.ts';

export function facetCountsOf(
  aggregations: Record<string, unknown> | undefined,
  plan: SearchPlan,
): FacetCounts | undefined {
  if (aggregations === undefined || plan.facets.length === 0) return undefined;
  // Facet values are product data (a category may be called "constructor"): no prototype.
  const counts: FacetCounts = emptyRecord();
  for (const facet of formatFacets(aggregations, plan)) {
    const values = emptyRecord<number>();
    for (const value of facet.values) {
      const count = Math.max(0, Math.round(value.count));
      values[String(value.value)] = (values[String(value.value)] ?? 0) + count;
    }
    counts[facet.field] = values;
  }
  return counts;
}
