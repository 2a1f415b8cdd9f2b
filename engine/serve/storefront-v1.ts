/**
 * The storefront API of seed §8.1/§8.3 (`/v1/…` routes of `rwb serve`): a mapping layer over the
 * one SearchService, so there is a single search implementation and the unversioned routes keep
 * today's shape.
 *
 * Request: the seed's snake_case keys (`sku_filter_dimension`, `range_filters`), with the
 * camelCase `skuFilterDimension` kept as an alias; everything else is the same request the
 * unversioned routes take, validated by the same schema. Response: the seed's `title` and
 * `skus[].sku` added next to the workbench fields (`titles`, `sku_code` …), which stay as extras.
 */
import { z } from 'zod';
import { RwbError } from '../errors.ts';
import { emptyRecord, hasOwnKey } from '../own.ts';
import { RangeFilterSchema } from '../search/request-schema.ts';
import {
  SearchResponseSchema,
  SkuResultSchema,
  SpuResultSchema,
  type SearchResponse,
  type SpuResult,
} from '../search/response-schema.ts';
import { invalidInput } from './api-errors.ts';
import { storefrontHints } from './storefront-suggestions.ts';

/** Seed key → the key of the internal request (the seed's spelling wins in error messages). */
const SNAKE_TO_CAMEL = new Map<string, string>([['sku_filter_dimension', 'skuFilterDimension']]);

/** `range_filters` of seed §8.3.3: field → `{gte, gt, lte, lt}`, merged into `filters`. */
export const RangeFiltersSchema = z.record(z.string(), RangeFilterSchema);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The same error with the internal key spelled as the client spelled it. */
function respell(err: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (!(err instanceof RwbError) || renames.size === 0) return err;
  let message = err.message;
  let details = err.details === undefined ? undefined : JSON.stringify(err.details);
  for (const [internal, external] of renames) {
    message = message.split(internal).join(external);
    details = details?.split(internal).join(external);
  }
  return new RwbError(
    err.code,
    message,
    details === undefined ? undefined : (JSON.parse(details) as unknown),
    { cause: err },
  );
}

export interface MappedRequest {
  /** The request for SearchService (internal spelling). */
  body: Record<string, unknown>;
  /** Internal key → the client's key, to respell validation errors. */
  renames: Map<string, string>;
}

/**
 * Seed request → internal request. Own keys only (a `__proto__` key travels on as a plain key and
 * is refused by the request validation, naming it).
 */
export function fromStorefrontRequest(input: unknown, where = 'body'): MappedRequest {
  if (!isPlainObject(input))
    throw invalidInput(`The ${where} must be a JSON object (a search request)`, where);
  if (hasOwnKey(input, 'tenant_id') || hasOwnKey(input, 'tenantId')) {
    const key = hasOwnKey(input, 'tenant_id') ? 'tenant_id' : 'tenantId';
    throw invalidInput(
      `${key}: not allowed in the body; send the tenant in the X-Tenant-ID header or ?tenant_id=`,
      key,
    );
  }
  const body = emptyRecord<unknown>();
  const renames = new Map<string, string>();
  let rangeFilters: unknown;
  for (const [key, value] of Object.entries(input)) {
    if (key === 'range_filters') {
      rangeFilters = value;
      continue;
    }
    const internal = SNAKE_TO_CAMEL.get(key);
    if (internal === undefined) {
      body[key] = value;
      continue;
    }
    if (hasOwnKey(input, internal))
      throw invalidInput(`${key} and ${internal} are the same field; send one`, key);
    body[internal] = value;
    renames.set(internal, key);
  }
  if (rangeFilters !== undefined) body.filters = mergeRangeFilters(body.filters, rangeFilters);
  return { body, renames };
}

function mergeRangeFilters(filters: unknown, rangeFilters: unknown): unknown {
  const parsed = RangeFiltersSchema.safeParse(rangeFilters);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ['range_filters', ...issue.path].join('.');
    throw invalidInput(`${path}: ${issue.message}`, path);
  }
  if (filters !== undefined && !isPlainObject(filters))
    throw invalidInput('filters: must be an object of field → filter', 'filters');
  const merged = emptyRecord<unknown>();
  for (const [key, value] of Object.entries(filters ?? {})) merged[key] = value;
  // The validated ranges (own keys of the parsed record; zod keeps own keys only).
  for (const [key, value] of Object.entries(rangeFilters as Record<string, unknown>)) {
    if (hasOwnKey(merged, key))
      throw invalidInput(
        `range_filters.${key}: also in filters; give the field in one of them`,
        `range_filters.${key}`,
      );
    merged[key] = value;
  }
  return merged;
}

/** Runs `search` on the mapped request; validation errors name the client's keys. */
export async function withStorefrontRequest<T>(
  input: unknown,
  search: (body: Record<string, unknown>) => Promise<T>,
  where?: string,
): Promise<T> {
  const { body, renames } = fromStorefrontRequest(input, where);
  try {
    return await search(body);
  } catch (err) {
    throw respell(err, renames);
  }
}

export const StorefrontSkuSchema = SkuResultSchema.extend({
  /** Seed §8.1 `sku`: the SKU code (`sku_code` of the unversioned API), null when there is none. */
  sku: z.string().nullable(),
});

export const StorefrontSpuSchema = SpuResultSchema.extend({
  /** Seed §8.1 `title`: in the query's language when the product has it, else the other one. */
  title: z.string(),
  skus: z.array(StorefrontSkuSchema),
});

export const StorefrontResponseSchema = SearchResponseSchema.extend({
  results: z.array(StorefrontSpuSchema),
  /** Rewrite-dictionary keys that begin with the query (storefront-suggestions.ts). */
  suggestions: z.array(z.string()),
  /** Rewrite-dictionary keys that rewrite like a key applied to this query (its synonyms). */
  related_searches: z.array(z.string()),
});

export type StorefrontSpu = z.infer<typeof StorefrontSpuSchema>;
export type StorefrontResponse = z.infer<typeof StorefrontResponseSchema>;

/** `en` first for English queries, otherwise Chinese first (the seed's primary language). */
function pickTitle(titles: SpuResult['titles'], language: string | undefined): string {
  const ordered = language === 'en' ? [titles.en, titles.zh] : [titles.zh, titles.en];
  return ordered.find((title) => title !== null && title !== '') ?? '';
}

export function toStorefrontSpu(result: SpuResult, language?: string): StorefrontSpu {
  return {
    ...result,
    title: pickTitle(result.titles, language),
    skus: result.skus.map((sku) => ({ ...sku, sku: sku.sku_code })),
  };
}

/** `rewrite`: the bundle's rewrite settings, the source of suggestions and related searches. */
export function toStorefrontResponse(
  response: SearchResponse,
  rewrite: { enabled: boolean; dictionary: Readonly<Record<string, string>> },
): StorefrontResponse {
  const language = response.query.language.language;
  return {
    ...response,
    results: response.results.map((result) => toStorefrontSpu(result, language)),
    ...storefrontHints(rewrite.dictionary, rewrite.enabled, response.query),
  };
}
