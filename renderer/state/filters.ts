/**
 * The playground's filter selection and its translation into a search request's `filters`
 * (seed §8.3.3): terms per field (any value matches), one range per field, and specification
 * pairs (same name → OR, different names → AND). Pure functions, so facet clicks are testable.
 */
import type { SearchRequestInput } from '../../engine/search/request-schema.ts';

export interface RangeSelection {
  gte?: number;
  lt?: number;
  lte?: number;
  /** The facet bucket this range came from (for showing it as selected). */
  bucket?: string;
}

export interface FilterSelection {
  terms: Readonly<Record<string, readonly string[]>>;
  ranges: Readonly<Record<string, RangeSelection>>;
  specs: ReadonlyArray<{ name: string; value: string }>;
}

export const NO_FILTERS: FilterSelection = { terms: {}, ranges: {}, specs: [] };

export const SPEC_PREFIX = 'specifications.';

export function isSpecField(field: string): boolean {
  return field.startsWith(SPEC_PREFIX);
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** Adds or removes one terms/spec value. */
export function toggleValue(
  selection: FilterSelection,
  field: string,
  value: string,
): FilterSelection {
  if (isSpecField(field)) {
    const name = field.slice(SPEC_PREFIX.length);
    const present = selection.specs.some((s) => s.name === name && s.value === value);
    return {
      ...selection,
      specs: present
        ? selection.specs.filter((s) => !(s.name === name && s.value === value))
        : [...selection.specs, { name, value }],
    };
  }
  const current = selection.terms[field] ?? [];
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  return {
    ...selection,
    terms: next.length ? { ...selection.terms, [field]: next } : without(selection.terms, field),
  };
}

/** Selects a range bucket (one per field; selecting the selected one clears it). */
export function toggleRangeBucket(
  selection: FilterSelection,
  field: string,
  bucket: string,
  bounds: { from?: number; to?: number },
): FilterSelection {
  if (selection.ranges[field]?.bucket === bucket)
    return { ...selection, ranges: without(selection.ranges, field) };
  const range: RangeSelection = { bucket };
  if (bounds.from !== undefined) range.gte = bounds.from;
  if (bounds.to !== undefined) range.lt = bounds.to;
  return { ...selection, ranges: { ...selection.ranges, [field]: range } };
}

/** A typed-in range (inclusive bounds); both empty clears it. */
export function setRange(
  selection: FilterSelection,
  field: string,
  min: number | null,
  max: number | null,
): FilterSelection {
  if (min === null && max === null)
    return { ...selection, ranges: without(selection.ranges, field) };
  const range: RangeSelection = {};
  if (min !== null) range.gte = min;
  if (max !== null) range.lte = max;
  return { ...selection, ranges: { ...selection.ranges, [field]: range } };
}

export function isSelected(
  selection: FilterSelection,
  field: string,
  value: string,
  type: 'terms' | 'range',
): boolean {
  if (type === 'range') return selection.ranges[field]?.bucket === value;
  if (isSpecField(field))
    return selection.specs.some(
      (s) => s.name === field.slice(SPEC_PREFIX.length) && s.value === value,
    );
  return selection.terms[field]?.includes(value) ?? false;
}

export function hasFilters(selection: FilterSelection): boolean {
  return (
    Object.keys(selection.terms).length > 0 ||
    Object.keys(selection.ranges).length > 0 ||
    selection.specs.length > 0
  );
}

/** The request's `filters`, or undefined when nothing is selected. */
export function requestFilters(selection: FilterSelection): SearchRequestInput['filters'] {
  if (!hasFilters(selection)) return undefined;
  const filters: NonNullable<SearchRequestInput['filters']> = {};
  for (const [field, values] of Object.entries(selection.terms))
    filters[field] = values.length === 1 ? values[0]! : [...values];
  for (const [field, { bucket: _bucket, ...bounds }] of Object.entries(selection.ranges))
    filters[field] = bounds;
  if (selection.specs.length) filters.specifications = selection.specs.map((s) => ({ ...s }));
  return filters;
}

export interface FilterChip {
  key: string;
  label: string;
  remove(selection: FilterSelection): FilterSelection;
}

function describeRange(range: RangeSelection): string {
  if (range.bucket) return range.bucket;
  const low = range.gte !== undefined ? `≥ ${range.gte}` : '';
  const high =
    range.lte !== undefined ? `≤ ${range.lte}` : range.lt !== undefined ? `< ${range.lt}` : '';
  return [low, high].filter(Boolean).join(' and ');
}

/** One removable chip per selected value, for the "active filters" row. */
export function filterChips(selection: FilterSelection): FilterChip[] {
  const chips: FilterChip[] = [];
  for (const [field, values] of Object.entries(selection.terms)) {
    for (const value of values)
      chips.push({
        key: `t:${field}:${value}`,
        label: `${field}: ${value}`,
        remove: (s) => toggleValue(s, field, value),
      });
  }
  for (const [field, range] of Object.entries(selection.ranges)) {
    chips.push({
      key: `r:${field}`,
      label: `${field}: ${describeRange(range)}`,
      remove: (s) => ({ ...s, ranges: without(s.ranges, field) }),
    });
  }
  for (const spec of selection.specs) {
    chips.push({
      key: `s:${spec.name}:${spec.value}`,
      label: `${spec.name}: ${spec.value}`,
      remove: (s) => toggleValue(s, `${SPEC_PREFIX}${spec.name}`, spec.value),
    });
  }
  return chips;
}
