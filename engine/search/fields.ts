/**
 * What the query builder needs to know about index fields: type, whether it is indexed, and the
 * nested path it lives under (a filter on `skus.price` must be wrapped in a `nested` query). Taken
 * from mappings/search_products.json unless the caller passes a live cluster's mapping.
 */
import template from '../../mappings/search_products.json' with { type: 'json' };
import { RwbError } from '../errors.ts';
import { ownValue } from '../own.ts';

export interface SearchField {
  path: string;
  /** ES type (`keyword`, `text`, `double`, `date`, `nested`, `dense_vector`, …); `object` for plain objects. */
  type: string;
  /** false for `"index": false` fields (image_src): they cannot be filtered or sorted on. */
  indexed: boolean;
  /** Closest enclosing `nested` field, or null at the top level. */
  nestedPath: string | null;
  /**
   * The analyzer a query's text gets on this field: `search_analyzer` ?? `analyzer` ?? standard,
   * for text fields only (combined_fields needs every field it combines to share one).
   */
  searchAnalyzer?: string;
}

export type SearchFieldCatalog = ReadonlyMap<string, SearchField>;

interface MappingNode {
  type?: string;
  index?: boolean;
  analyzer?: string;
  search_analyzer?: string;
  properties?: Record<string, MappingNode>;
  fields?: Record<string, MappingNode>;
}

const ANALYSED: ReadonlySet<string> = new Set(['text', 'match_only_text', 'search_as_you_type']);

function withAnalyzer(field: SearchField, node: MappingNode): SearchField {
  if (!ANALYSED.has(field.type)) return field;
  return { ...field, searchAnalyzer: node.search_analyzer ?? node.analyzer ?? 'standard' };
}

/** Flattens an ES mapping (with or without the `mappings` wrapper) into field paths. */
export function searchFieldsFromMapping(mapping: unknown): SearchFieldCatalog {
  const root = mapping as { mappings?: MappingNode; properties?: Record<string, MappingNode> };
  const properties = root?.mappings?.properties ?? root?.properties;
  if (properties === undefined || typeof properties !== 'object') {
    throw new RwbError('INVALID_INPUT', 'The index mapping has no "properties"');
  }
  const catalog = new Map<string, SearchField>();
  const visit = (
    props: Record<string, MappingNode>,
    prefix: string,
    nestedPath: string | null,
  ): void => {
    for (const [name, node] of Object.entries(props)) {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      const type = node.type ?? 'object';
      catalog.set(
        path,
        withAnalyzer({ path, type, indexed: node.index !== false, nestedPath }, node),
      );
      for (const [subName, sub] of Object.entries(node.fields ?? {})) {
        const subPath = `${path}.${subName}`;
        catalog.set(
          subPath,
          withAnalyzer(
            {
              path: subPath,
              type: sub.type ?? 'unknown',
              indexed: sub.index !== false,
              nestedPath,
            },
            sub,
          ),
        );
      }
      if (node.properties !== undefined) {
        visit(node.properties, path, type === 'nested' ? path : nestedPath);
      }
    }
  };
  visit(properties, '', null);
  return catalog;
}

let defaultCatalog: SearchFieldCatalog | null = null;

/** The catalog of mappings/search_products.json (built once). */
export function defaultSearchFields(): SearchFieldCatalog {
  defaultCatalog ??= searchFieldsFromMapping(template);
  return defaultCatalog;
}

const NUMERIC = new Set([
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
const DATES = new Set(['date', 'date_nanos']);

export const isNumericType = (type: string): boolean => NUMERIC.has(type);
export const isDateType = (type: string): boolean => DATES.has(type);

/** Exact-value fields: what term filters, terms facets and sorts work on. */
export function isExactValueType(type: string): boolean {
  return (
    type === 'keyword' ||
    type === 'constant_keyword' ||
    type === 'boolean' ||
    type === 'ip' ||
    NUMERIC.has(type) ||
    DATES.has(type)
  );
}

/** The tenant is set by `tenantId` only; no request field may name it. */
export const TENANT_FIELD = 'tenant_id';

/** Short names users may write for index fields (`price:asc`). */
export const FIELD_ALIASES: Readonly<Record<string, string>> = { price: 'min_price' };

export function resolveAlias(field: string): string {
  return ownValue(FIELD_ALIASES, field) ?? field;
}

export type FieldUse = 'filter' | 'range' | 'sort' | 'termsFacet' | 'rangeFacet';

const USE_WORDS: Record<FieldUse, string> = {
  filter: 'a term filter needs an exact-value field (keyword, number, date or boolean)',
  range: 'a range filter needs a number or date field',
  sort: 'sorting needs an exact-value field (keyword, number or date)',
  termsFacet: 'a terms facet needs an exact-value field (keyword, number, date or boolean)',
  rangeFacet: 'a range facet needs a number or date field',
};

function fits(field: SearchField, use: FieldUse): boolean {
  if (!field.indexed) return false;
  switch (use) {
    case 'filter':
    case 'termsFacet':
    case 'sort':
      return isExactValueType(field.type);
    case 'range':
    case 'rangeFacet':
      return NUMERIC.has(field.type) || DATES.has(field.type);
  }
}

const KNOWN_LISTED = 20;

/** The fields that suit `use`, for "unknown field" messages (the first few, then a count). */
function knownFor(catalog: SearchFieldCatalog, use: FieldUse): string {
  const names = [...catalog.values()]
    .filter((field) => field.path !== TENANT_FIELD && fits(field, use))
    .map((field) => field.path);
  if (names.length === 0) return 'none';
  const shown = names.slice(0, KNOWN_LISTED).join(', ');
  return names.length > KNOWN_LISTED ? `${shown}, … ${names.length - KNOWN_LISTED} more` : shown;
}

/**
 * The field `name` (after aliases) if it exists and suits `use`; otherwise INVALID_INPUT that names
 * the field and where it came from (`filters.colour`, `sort[1]`).
 */
export function requireField(
  catalog: SearchFieldCatalog,
  name: string,
  use: FieldUse,
  where: string,
): SearchField {
  const path = resolveAlias(name);
  if (path === TENANT_FIELD) {
    throw new RwbError(
      'INVALID_INPUT',
      `${where}: "${name}" cannot be used in a request; the tenant is given by tenantId only`,
      { field: name, where },
    );
  }
  const field = catalog.get(path);
  if (field === undefined) {
    throw new RwbError(
      'INVALID_INPUT',
      `${where}: "${name}" is not a field of the index mapping (known: ${knownFor(catalog, use)})`,
      { field: name, where },
    );
  }
  if (!fits(field, use)) {
    const why = field.indexed ? `it is a ${field.type} field` : 'it is not indexed';
    throw new RwbError(
      'INVALID_INPUT',
      `${where}: cannot use "${name}": ${USE_WORDS[use]}, and ${why}`,
      {
        field: name,
        where,
      },
    );
  }
  return field;
}
