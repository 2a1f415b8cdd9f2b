/**
 * `suggestions` and `related_searches` of the seed's storefront answer (§8.1), filled from the
 * merchant's rewrite dictionary (config.query.rewrite.dictionary): its keys are the query texts
 * the merchant curated, so they are the only suggestion source that is known to be good text.
 *
 * - suggestions: dictionary keys that begin with the query (completions), shortest first.
 * - related_searches: other keys that rewrite to the same expression as a key applied to this
 *   query (the merchant grouped them as synonyms), in dictionary order.
 *
 * Values are expressions (`brand:芭比 OR name:芭比娃娃`), never shown to shoppers.
 */
import { normalizeRewriteKey } from '../query/rewrite.ts';
import type { QueryInfo } from '../search/response-schema.ts';

export const MAX_SUGGESTIONS = 10;

export interface StorefrontHints {
  suggestions: string[];
  related_searches: string[];
}

export function storefrontHints(
  dictionary: Readonly<Record<string, string>>,
  enabled: boolean,
  query: Pick<QueryInfo, 'original' | 'rewrites'>,
): StorefrontHints {
  const typed = normalizeRewriteKey(query.original);
  if (!enabled || typed === '') return { suggestions: [], related_searches: [] };
  const entries = Object.entries(dictionary).map(([key, value]) => ({
    key,
    value,
    normalized: normalizeRewriteKey(key),
  }));

  const suggestions = entries
    .filter((entry) => entry.normalized !== typed && entry.normalized.startsWith(typed))
    .sort((a, b) => a.normalized.length - b.normalized.length || a.key.localeCompare(b.key))
    .slice(0, MAX_SUGGESTIONS)
    .map((entry) => entry.key);

  const appliedKeys = new Set(query.rewrites.map((rewrite) => normalizeRewriteKey(rewrite.key)));
  const appliedValues = new Set(query.rewrites.map((rewrite) => rewrite.value));
  const related = entries
    .filter(
      (entry) =>
        appliedValues.has(entry.value) &&
        !appliedKeys.has(entry.normalized) &&
        entry.normalized !== typed,
    )
    .slice(0, MAX_SUGGESTIONS)
    .map((entry) => entry.key);

  return { suggestions, related_searches: related };
}
