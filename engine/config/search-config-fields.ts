/**
 * Checks every field a SearchConfig names against the index mapping (mappings/search_products.json
 * or a live cluster's mapping): a misspelt field would otherwise just match nothing.
 * When field types are known, also that each use fits the type (decay needs a date or number, …).
 */
import { readFile } from 'node:fs/promises';
import { RwbError } from '../errors.ts';
import { formatPath, type ConfigIssue, type IssuePath } from './config-issues.ts';
import type { SearchConfig } from './search-config-schema.ts';
import { parseRankingExpression } from '../search/ranking-expression.ts';

/** Field path → ES type (`text`, `keyword`, `nested`, …); `unknown` when only names are known. */
export type FieldCatalog = ReadonlyMap<string, string>;

export const DEFAULT_MAPPING_PATH = new URL('../../mappings/search_products.json', import.meta.url);

const NUMERIC_TYPES = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
]);
const DATE_TYPES = new Set(['date', 'date_nanos']);
const TEXT_TYPES = new Set([
  'text',
  'match_only_text',
  'search_as_you_type',
  'keyword',
  'constant_keyword',
  'wildcard',
]);
const CONTAINER_TYPES = new Set(['object', 'nested']);

export function fieldCatalogFromNames(names: readonly string[]): FieldCatalog {
  return new Map(names.map((name) => [name, 'unknown']));
}

interface MappingProperty {
  type?: string;
  properties?: Record<string, MappingProperty>;
  fields?: Record<string, MappingProperty>;
}

/** Flattens an ES mapping (with or without the `mappings` wrapper) into field paths and types. */
export function fieldCatalogFromMapping(mapping: unknown): FieldCatalog {
  const root = mapping as {
    mappings?: { properties?: Record<string, MappingProperty> };
    properties?: Record<string, MappingProperty>;
  };
  const properties = root?.mappings?.properties ?? root?.properties;
  if (properties === undefined || typeof properties !== 'object') {
    throw new RwbError(
      'INVALID_INPUT',
      'The index mapping has no "properties" (expected {"mappings": {"properties": …}})',
    );
  }
  const catalog = new Map<string, string>();
  const pending: Array<[string, Record<string, MappingProperty>]> = [['', properties]];
  while (pending.length > 0) {
    const [prefix, props] = pending.pop()!;
    for (const [name, property] of Object.entries(props)) {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      catalog.set(path, property.type ?? 'object');
      if (property.properties !== undefined) pending.push([path, property.properties]);
      for (const [subName, sub] of Object.entries(property.fields ?? {}))
        catalog.set(`${path}.${subName}`, sub.type ?? 'unknown');
    }
  }
  return catalog;
}

/** The catalog of mappings/search_products.json, or null while that file does not exist. */
export async function loadMappingFieldCatalog(
  path: string | URL = DEFAULT_MAPPING_PATH,
): Promise<FieldCatalog | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RwbError(
      'INVALID_INPUT',
      `Cannot read the index mapping ${String(path)}: ${(err as Error).message}`,
    );
  }
  try {
    return fieldCatalogFromMapping(JSON.parse(text));
  } catch (err) {
    if (err instanceof RwbError) throw err;
    throw new RwbError(
      'INVALID_INPUT',
      `The index mapping ${String(path)} is not valid JSON: ${(err as Error).message}`,
    );
  }
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

function suggestion(name: string, catalog: FieldCatalog): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of catalog.keys()) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === null ? '' : ` (did you mean "${best}"?)`;
}

type FieldUse =
  'text' | 'sortable' | 'numeric' | 'numericOrDate' | 'aggregatable' | 'vector' | 'any';

function fitsUse(type: string, use: FieldUse): boolean {
  if (type === 'unknown' || use === 'any') return true;
  switch (use) {
    case 'text':
      return TEXT_TYPES.has(type);
    case 'numeric':
      return NUMERIC_TYPES.has(type);
    case 'numericOrDate':
      return NUMERIC_TYPES.has(type) || DATE_TYPES.has(type);
    case 'sortable':
    case 'aggregatable':
      return (
        !CONTAINER_TYPES.has(type) &&
        type !== 'text' &&
        type !== 'match_only_text' &&
        type !== 'dense_vector'
      );
    case 'vector':
      return type === 'dense_vector';
  }
}

const USE_WORDS: Record<FieldUse, string> = {
  text: 'a text or keyword field',
  sortable: 'a sortable (non-text) field',
  numeric: 'a numeric field',
  numericOrDate: 'a numeric or date field',
  aggregatable: 'an aggregatable (keyword, numeric or date) field',
  vector: 'a dense_vector field',
  any: 'a field',
};

export function checkSearchConfigFields(
  config: SearchConfig,
  catalog: FieldCatalog,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (path: IssuePath, name: string, use: FieldUse): void => {
    const type = catalog.get(name);
    if (type === undefined) {
      issues.push({
        path: formatPath(path),
        message: `"${name}" is not a field of the index mapping${suggestion(name, catalog)}`,
      });
    } else if (!fitsUse(type, use)) {
      issues.push({
        path: formatPath(path),
        message: `"${name}" is a ${type} field; it must be ${USE_WORDS[use]}`,
      });
    }
  };

  config.domains.forEach((domain, d) =>
    domain.fields.forEach((field, f) =>
      check(['domains', d, 'fields', f, 'field'], field.field, 'text'),
    ),
  );
  check(['query', 'knn', 'field'], config.query.knn.field, 'vector');
  if (config.query.imageKnn.enabled)
    check(['query', 'imageKnn', 'field'], config.query.imageKnn.field, 'vector');
  if (config.ranking.popularityField !== undefined)
    check(['ranking', 'popularityField'], config.ranking.popularityField, 'numeric');
  config.ranking.functions.forEach((fn, i) =>
    check(
      ['ranking', 'functions', i, 'field'],
      fn.field,
      fn.type === 'decay' ? 'numericOrDate' : 'numeric',
    ),
  );
  // timeliness(field) / field_value(field) in the expression; a malformed expression is reported
  // by the rules check, so it is skipped here.
  let additive: ReturnType<typeof parseRankingExpression>['additive'] = [];
  try {
    additive = parseRankingExpression(config.ranking.expression, {
      popularityField: config.ranking.popularityField,
    }).additive;
  } catch {
    additive = [];
  }
  for (const signal of additive) {
    check(
      ['ranking', 'expression'],
      signal.field,
      signal.kind === 'timeliness' ? 'numericOrDate' : 'numeric',
    );
  }
  config.facets.forEach((facet, i) => {
    if (facet.type === 'terms') check(['facets', i, 'field'], facet.field, 'aggregatable');
    else if (facet.type === 'range') check(['facets', i, 'field'], facet.field, 'numericOrDate');
    else check(['facets', i], 'specifications', 'any');
  });
  const sortLists: Array<[IssuePath, string[]]> = [
    [['sort', 'default'], config.sort.default],
    ...config.sort.options.map((option, i): [IssuePath, string[]] => [
      ['sort', 'options', i, 'by'],
      option.by,
    ]),
  ];
  for (const [path, expressions] of sortLists) {
    expressions.forEach((expression, i) => {
      if (expression !== '_score')
        check([...path, i], expression.slice(0, expression.lastIndexOf(':')), 'sortable');
    });
  }
  config.result.fields.forEach((pattern, i) => {
    const name = pattern.endsWith('.*') ? pattern.slice(0, -2) : pattern;
    check(['result', 'fields', i], name, 'any');
  });
  return issues;
}
