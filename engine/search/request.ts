/**
 * Validates a search request in full: shape (zod), field names against the mapping, the config's
 * size limits and languages. Everything a bad request can get wrong ends here as INVALID_INPUT
 * whose message names the place (`filters.min_price.gte`, `facets[2].field`, `size`).
 */
import type { z } from 'zod';
import { describeZodIssue, formatPath } from '../config/config-issues.ts';
import type { SearchConfig } from '../config/search-config-schema.ts';
import { RwbError } from '../errors.ts';
import { resolveFacets, type ResolvedFacet } from './facets.ts';
import { defaultSearchFields, type SearchFieldCatalog } from './fields.ts';
import { normalizeFilters, type NormalizedFilter } from './filters.ts';
import { SearchRequestSchema, type SearchRequest } from './request-schema.ts';
import { resolveSort, type ResolvedSort } from './sort.ts';

/** ES refuses from + size beyond index.max_result_window (10,000 by default). */
export const MAX_RESULT_WINDOW = 10_000;

export interface ResolveOptions {
  /** Fields of the target index; default: mappings/search_products.json. */
  fields?: SearchFieldCatalog;
}

export interface ResolvedRequest {
  request: SearchRequest;
  filters: NormalizedFilter[];
  facets: ResolvedFacet[];
  sort: ResolvedSort;
  from: number;
  size: number;
  skuFilterDimension: string | null;
}

function shapeOf(value: unknown): 'array' | 'object' | 'scalar' {
  if (Array.isArray(value)) return 'array';
  return value !== null && typeof value === 'object' ? 'object' : 'scalar';
}

function valueAt(input: unknown, path: ReadonlyArray<string | number>): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/**
 * zod reports a failed union as "Invalid input"; pick the branch that has the shape of what was
 * sent (a list, an object, a plain value) and report its own problems instead.
 */
function explainIssue(issue: z.ZodIssue, input: unknown): Array<{ path: string; message: string }> {
  if (issue.code !== 'invalid_union')
    return [{ path: formatPath(issue.path), message: describeZodIssue(issue) }];
  const sent = valueAt(input, issue.path);
  const shape = shapeOf(sent);
  const branch =
    issue.unionErrors.find((error) =>
      error.issues.every((inner) => {
        if (inner.code !== 'invalid_type' || inner.path.length !== issue.path.length) return true;
        return inner.received !== (shape === 'scalar' ? typeof sent : shape);
      }),
    ) ?? issue.unionErrors[0];
  if (branch === undefined)
    return [{ path: formatPath(issue.path), message: 'has an invalid value' }];
  return branch.issues.flatMap((inner) => explainIssue(inner, input));
}

export function requestError(error: z.ZodError, input: unknown): RwbError {
  const problems = error.issues.flatMap((issue) => explainIssue(issue, input));
  const unique = [...new Map(problems.map((p) => [`${p.path} ${p.message}`, p])).values()];
  return new RwbError(
    'INVALID_INPUT',
    `Invalid search request: ${unique.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    { issues: unique },
  );
}

const MAX_SCAN_DEPTH = 8;

/**
 * Path of the first own `__proto__` key in the raw request (JSON.parse makes it an ordinary key),
 * or null. zod silently drops such keys, so a filter on `__proto__` would vanish and the search
 * would run unfiltered; it is refused instead, like any other name that is not a field.
 */
function protoKeyPath(value: unknown, path: Array<string | number>, depth = 0): string | null {
  if (value === null || typeof value !== 'object' || depth > MAX_SCAN_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = protoKeyPath(value[i], [...path, i], depth + 1);
      if (found !== null) return found;
    }
    return null;
  }
  if (Object.hasOwn(value, '__proto__')) return formatPath([...path, '__proto__']);
  for (const [key, child] of Object.entries(value)) {
    const found = protoKeyPath(child, [...path, key], depth + 1);
    if (found !== null) return found;
  }
  return null;
}

export function resolveSearchRequest(
  input: unknown,
  config: SearchConfig,
  options: ResolveOptions = {},
): ResolvedRequest {
  const protoPath = protoKeyPath(input, []);
  if (protoPath !== null) {
    throw new RwbError(
      'INVALID_INPUT',
      `${protoPath}: "__proto__" is not a field of the index mapping or a request key`,
      { where: protoPath },
    );
  }
  const parsed = SearchRequestSchema.safeParse(input);
  if (!parsed.success) throw requestError(parsed.error, input);
  const request = parsed.data;
  const fields = options.fields ?? defaultSearchFields();

  const size = request.size ?? config.result.defaultSize;
  if (size > config.result.maxSize) {
    throw new RwbError(
      'INVALID_INPUT',
      `size: ${size} is more than this config allows (result.maxSize = ${config.result.maxSize})`,
      {
        where: 'size',
      },
    );
  }
  if (request.from + size > MAX_RESULT_WINDOW) {
    throw new RwbError(
      'INVALID_INPUT',
      `from + size must be at most ${MAX_RESULT_WINDOW} (got ${request.from} + ${size}); use filters to narrow the results`,
      {
        where: 'from',
      },
    );
  }
  if (
    request.language !== undefined &&
    !config.query.supportedLanguages.includes(request.language)
  ) {
    throw new RwbError(
      'INVALID_INPUT',
      `language: "${request.language}" is not a supported language of this config (${config.query.supportedLanguages.join(', ')})`,
      { where: 'language' },
    );
  }
  if (request.imageVector !== undefined && !config.query.imageKnn.enabled) {
    throw new RwbError(
      'INVALID_INPUT',
      'imageVector: image search is off in this config (query.imageKnn.enabled is false)',
      {
        where: 'imageVector',
      },
    );
  }
  return {
    request,
    filters: normalizeFilters(request.filters, fields),
    facets: resolveFacets(request.facets, config, fields),
    sort: resolveSort(request.sort, config, fields),
    from: request.from,
    size,
    skuFilterDimension:
      request.skuFilterDimension === undefined
        ? config.result.skuFilterDimension
        : request.skuFilterDimension,
  };
}

/** Checks a request and returns it with defaults filled in; throws INVALID_INPUT naming the place. */
export function parseSearchRequest(
  input: unknown,
  config: SearchConfig,
  options: ResolveOptions = {},
): SearchRequest {
  return resolveSearchRequest(input, config, options).request;
}
