/**
 * The storefront response of seed §8.1/§8.3.4, written from the seed's text (not from the engine's
 * schemas) so tests check the API against the seed and not against itself. Extra fields are
 * allowed, as the seed's clients ignore what they do not know.
 *
 *   results[]: spu_id, title, skus[] {sku_id, price, sku, stock}, relevance_score
 *   total, facets[] (FacetResult: field, label, type terms|range, values, total_count?),
 *   suggestions[], related_searches[]
 */
import { z } from 'zod';

export const SeedSkuSchema = z
  .object({
    sku_id: z.string(),
    price: z.number().nullable(),
    sku: z.string().nullable(),
    stock: z.number(),
  })
  .passthrough();

export const SeedSpuSchema = z
  .object({
    spu_id: z.string(),
    title: z.string(),
    skus: z.array(SeedSkuSchema),
    relevance_score: z.number().nullable(),
  })
  .passthrough();

export const SeedFacetSchema = z
  .object({
    field: z.string(),
    label: z.string(),
    type: z.enum(['terms', 'range']),
    values: z.array(z.unknown()),
    total_count: z.number().int().nullable().optional(),
  })
  .passthrough();

export const SeedSearchResponseSchema = z
  .object({
    results: z.array(SeedSpuSchema),
    total: z.number().int().min(0),
    facets: z.array(SeedFacetSchema),
    suggestions: z.array(z.string()),
    related_searches: z.array(z.string()),
  })
  .passthrough();

/** §8.1: no ES internals anywhere in an answer. */
export const ES_INTERNALS = ['_id', '_index', '_source', '_score'] as const;

export function keysOf(value: unknown): Set<string> {
  const keys = new Set<string>();
  JSON.stringify(value, (key, child: unknown) => (keys.add(key), child));
  return keys;
}
