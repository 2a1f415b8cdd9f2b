/**
 * Request filters (seed §5.2, §8.3.3) → ES filter clauses. Each clause keeps a `facetKey` so the
 * facet planner can move it to post_filter when a facet on the same dimension is requested (a
 * selected color must still show its sibling colors).
 */
import type { estypes } from '@elastic/elasticsearch';
import { RwbError } from '../errors.ts';
import { ownValue } from '../own.ts';
import { epochMillisProblem, isoDateProblem, normalizeIsoDate } from './dates.ts';
import {
  isDateType,
  isNumericType,
  requireField,
  TENANT_FIELD,
  type SearchField,
  type SearchFieldCatalog,
} from './fields.ts';
import type {
  FilterScalar,
  FilterValue,
  RangeFilter,
  SearchRequest,
  SpecificationPair,
} from './request-schema.ts';

export const SPECIFICATIONS = 'specifications';
export const SPEC_NAME_FIELD = 'specifications.name';
export const SPEC_VALUE_FIELD = 'specifications.value';

export type NormalizedFilter =
  | { kind: 'terms'; facetKey: string; field: SearchField; values: FilterScalar[] }
  | { kind: 'range'; facetKey: string; field: SearchField; range: RangeFilter }
  /** One specification name with the values any of which may match. */
  | { kind: 'specification'; facetKey: string; name: string; values: string[] };

export interface FilterClause {
  facetKey: string;
  query: estypes.QueryDslQueryContainer;
}

/** The facet key of one specification name: the same string as its facet, `specifications.<name>`. */
export const specFacetKey = (name: string): string => `${SPECIFICATIONS}.${name}`;

/** The clause that scopes every request to its tenant; nothing in a request can replace it. */
export function tenantFilter(tenantId: string): estypes.QueryDslQueryContainer {
  return { term: { [TENANT_FIELD]: tenantId } };
}

function invalid(where: string, message: string): RwbError {
  return new RwbError('INVALID_INPUT', `${where}: ${message}`, { where });
}

/** A number as ES parses it from a string: no hex, no spaces, no `Infinity`. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Epoch milliseconds written as a string. */
const EPOCH_DIGITS = /^-?\d{1,16}$/;

/** Bits of each integer field type; a range bound outside its values is refused by ES. */
const INTEGER_BITS: Readonly<Record<string, number>> = {
  byte: 7,
  short: 15,
  integer: 31,
  long: 63,
  unsigned_long: 64,
};

function checkNumber(field: SearchField, value: number, where: string): void {
  const bits = ownValue(INTEGER_BITS, field.type);
  if (bits === undefined) return;
  const signed = field.type !== 'unsigned_long';
  const limit = 2 ** bits;
  if (value < (signed ? -limit : 0) || value > limit - 1) {
    // BigInt prints the exact bounds (2^63 - 1 as a double would read …776000).
    const low = signed ? `${-(2n ** BigInt(bits))}` : '0';
    const high = `${2n ** BigInt(bits) - 1n}`;
    throw invalid(
      where,
      `"${field.path}" is a ${field.type} field; ${value} is outside its range (${low} to ${high})`,
    );
  }
}

function checkDate(field: SearchField, value: string | number, where: string): void {
  const problem =
    typeof value === 'number'
      ? epochMillisProblem(value)
      : EPOCH_DIGITS.test(value)
        ? epochMillisProblem(Number(value))
        : isoDateProblem(value);
  if (problem !== null) {
    throw invalid(
      where,
      `"${field.path}" is a date field; ${JSON.stringify(value)} is not a valid date: ${problem}`,
    );
  }
}

function checkScalar(field: SearchField, value: FilterScalar, where: string): void {
  if (isNumericType(field.type)) {
    if (typeof value === 'boolean' || (typeof value === 'string' && !DECIMAL.test(value))) {
      throw invalid(
        where,
        `"${field.path}" is a number field; ${JSON.stringify(value)} is not a number`,
      );
    }
  } else if (isDateType(field.type)) {
    if (typeof value === 'boolean') {
      throw invalid(where, `"${field.path}" is a date field; ${value} is not a date`);
    }
    checkDate(field, value, where);
  } else if (
    field.type === 'boolean' &&
    typeof value === 'string' &&
    value !== 'true' &&
    value !== 'false'
  ) {
    throw invalid(where, `"${field.path}" is a boolean field; use true or false`);
  }
}

function checkRange(field: SearchField, range: RangeFilter, where: string): void {
  for (const [bound, value] of Object.entries(range)) {
    if (value === undefined) continue;
    if (isNumericType(field.type)) {
      if (typeof value !== 'number') {
        throw invalid(
          `${where}.${bound}`,
          `"${field.path}" is a number field; ${JSON.stringify(value)} is not a number`,
        );
      }
      checkNumber(field, value, `${where}.${bound}`);
    } else if (isDateType(field.type)) {
      checkDate(field, value, `${where}.${bound}`);
    }
  }
}

/** Date strings as ES takes them (`T` between date and time). */
function normalizeScalar(field: SearchField, value: FilterScalar): FilterScalar {
  return isDateType(field.type) && typeof value === 'string' ? normalizeIsoDate(value) : value;
}

/** Groups specification pairs by name (seed: same name → OR, different names → AND). */
export function groupSpecifications(
  pairs: SpecificationPair | SpecificationPair[],
): Array<{ name: string; values: string[] }> {
  const groups = new Map<string, string[]>();
  for (const { name, value } of Array.isArray(pairs) ? pairs : [pairs]) {
    const values = groups.get(name) ?? [];
    if (!values.includes(value)) values.push(value);
    groups.set(name, values);
  }
  return [...groups].map(([name, values]) => ({ name, values }));
}

function isRange(value: FilterValue): value is RangeFilter {
  return typeof value === 'object' && !Array.isArray(value);
}

/** Checks every filter against the mapping and puts it into one normal form. */
export function normalizeFilters(
  filters: SearchRequest['filters'],
  catalog: SearchFieldCatalog,
): NormalizedFilter[] {
  const out: NormalizedFilter[] = [];
  for (const [key, value] of Object.entries(filters ?? {})) {
    if (value === undefined) continue;
    const where = `filters.${key}`;
    if (key === SPECIFICATIONS) {
      for (const group of groupSpecifications(value as SpecificationPair | SpecificationPair[])) {
        out.push({ kind: 'specification', facetKey: specFacetKey(group.name), ...group });
      }
      continue;
    }
    const filterValue = value as FilterValue;
    if (isRange(filterValue)) {
      const field = requireField(catalog, key, 'range', where);
      checkRange(field, filterValue, where);
      const range: RangeFilter = {};
      for (const bound of ['gte', 'gt', 'lte', 'lt'] as const) {
        const value = filterValue[bound];
        if (value !== undefined) range[bound] = normalizeScalar(field, value) as string | number;
      }
      out.push({ kind: 'range', facetKey: field.path, field, range });
    } else {
      const field = requireField(catalog, key, 'filter', where);
      const values = Array.isArray(filterValue) ? filterValue : [filterValue];
      values.forEach((item, i) =>
        checkScalar(field, item, Array.isArray(filterValue) ? `${where}[${i}]` : where),
      );
      const normalized = values.map((item) => normalizeScalar(field, item));
      out.push({ kind: 'terms', facetKey: field.path, field, values: [...new Set(normalized)] });
    }
  }
  return out;
}

function inNestedPath(
  field: SearchField,
  query: estypes.QueryDslQueryContainer,
): estypes.QueryDslQueryContainer {
  return field.nestedPath === null ? query : { nested: { path: field.nestedPath, query } };
}

function valueQuery(
  field: string,
  values: readonly FilterScalar[],
): estypes.QueryDslQueryContainer {
  return values.length === 1
    ? { term: { [field]: values[0]! } }
    : { terms: { [field]: [...values] } };
}

/** One nested clause per specification name: name matches and any of the values does. */
export function buildSpecificationFilter(
  name: string,
  values: readonly string[],
): estypes.QueryDslQueryContainer {
  return {
    nested: {
      path: SPECIFICATIONS,
      query: {
        bool: {
          filter: [{ term: { [SPEC_NAME_FIELD]: name } }, valueQuery(SPEC_VALUE_FIELD, values)],
        },
      },
    },
  };
}

export function buildFilterClause(filter: NormalizedFilter): FilterClause {
  switch (filter.kind) {
    case 'terms':
      return {
        facetKey: filter.facetKey,
        query: inNestedPath(filter.field, valueQuery(filter.field.path, filter.values)),
      };
    case 'range': {
      const range: Record<string, string | number> = {};
      for (const [bound, value] of Object.entries(filter.range))
        if (value !== undefined) range[bound] = value;
      return {
        facetKey: filter.facetKey,
        query: inNestedPath(filter.field, { range: { [filter.field.path]: range } }),
      };
    }
    case 'specification':
      return {
        facetKey: filter.facetKey,
        query: buildSpecificationFilter(filter.name, filter.values),
      };
  }
}
