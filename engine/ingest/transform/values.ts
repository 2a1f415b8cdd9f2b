/**
 * Field-level cleaning for the SPU transformer: text, numbers, dates. Each function returns the clean
 * value or null and reports why a value was dropped or changed; none of them throws.
 */
import { toDate } from '../../catalog/source.ts';
import type { RowReporter } from './report.ts';

export interface TextLimits {
  /** Long text (descriptions, briefs) is truncated to this many characters. */
  longText: number;
  /** Short text (titles, names, vendors, categories, codes, option/spec values) longer than this is dropped. */
  shortText: number;
  /** URLs longer than this are dropped. */
  url: number;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}

/** Trimmed text or null; numbers become text; anything else is reported and dropped. */
function asText(value: unknown, where: string, report: RowReporter): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'string') {
    report.add(where, `expected text but got ${describeType(value)}; value ignored`);
    return null;
  }
  // NUL bytes are never meaningful in product text and break some downstream tools.
  const text = value.split('\u0000').join('').trim();
  return text === '' ? null : text;
}

/** Short text: over-long values are not real values (corrupt data), so they are dropped. */
export function shortText(
  value: unknown,
  limit: number,
  where: string,
  report: RowReporter,
): string | null {
  const text = asText(value, where, report);
  if (text !== null && text.length > limit) {
    report.add(
      where,
      `text of ${text.length} characters exceeds the limit of ${limit}; value dropped`,
    );
    return null;
  }
  return text;
}

/** Long text: over-long values are truncated (at a code-point boundary) and kept. */
export function longText(
  value: unknown,
  limit: number,
  where: string,
  report: RowReporter,
): string | null {
  const text = asText(value, where, report);
  if (text !== null && text.length > limit) {
    report.add(where, `text of ${text.length} characters exceeds the limit of ${limit}; truncated`);
    const cut = text.slice(0, limit);
    // Do not leave half of a surrogate pair at the end.
    return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
  }
  return text;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A finite number from a number or numeric string (DECIMAL columns arrive as strings); else undefined. */
function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value.trim());
  return undefined;
}

/**
 * A non-negative amount (price, weight) or null. `required` reports a missing value too (a SKU
 * without a price is a data problem; a missing compare-at price is normal).
 */
export function amount(
  value: unknown,
  where: string,
  report: RowReporter,
  opts: { required?: boolean; what: string },
): number | null {
  if (value === null || value === undefined || value === '') {
    if (opts.required)
      report.add(where, `${opts.what} is NULL; the SKU is kept without a ${opts.what}`);
    return null;
  }
  const n = asNumber(value);
  if (n === undefined) {
    report.add(where, `${opts.what} ${JSON.stringify(value)} is not a number; treated as missing`);
    return null;
  }
  if (n < 0) {
    report.add(where, `${opts.what} ${n} is negative; treated as missing`);
    return null;
  }
  return n;
}

/** Stock as a non-negative integer; NULL means "not tracked" → 0 without a report. */
export function stock(value: unknown, where: string, report: RowReporter): number {
  if (value === null || value === undefined || value === '') return 0;
  const n = asNumber(value);
  if (n === undefined || !Number.isInteger(n)) {
    report.add(where, `inventory ${JSON.stringify(value)} is not an integer; counted as 0`);
    return 0;
  }
  if (n < 0) {
    report.add(where, `inventory ${n} is negative; counted as 0`);
    return 0;
  }
  return n;
}

/** A positive integer (category level, option position) or null with a report. */
export function positiveInt(
  value: unknown,
  where: string,
  report: RowReporter,
  what: string,
): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = asNumber(value);
  if (n === undefined || !Number.isInteger(n) || n < 1) {
    report.add(where, `${what} ${JSON.stringify(value)} is not a positive integer; ignored`);
    return null;
  }
  return n;
}

/** ISO 8601 (UTC) or null with a report when the value is not a date. */
export function isoTime(value: unknown, where: string, report: RowReporter): string | null {
  if (value === null || value === undefined || value === '') return null;
  const d =
    value instanceof Date || typeof value === 'string' || typeof value === 'number'
      ? toDate(value)
      : null;
  if (!d) {
    report.add(where, `${JSON.stringify(value)} is not a valid date/time; ignored`);
    return null;
  }
  return d.toISOString();
}

const GRAMS_PER_UNIT: Record<string, number> = {
  g: 1,
  gram: 1,
  grams: 1,
  kg: 1000,
  kilogram: 1000,
  kilograms: 1000,
  lb: 453.59237,
  lbs: 453.59237,
  oz: 28.349523125,
};

/** Weight in whole grams for the flattened `sku_weights` (a long field); null for unknown units. */
export function weightInGrams(weight: number | null, unit: string | null): number | null {
  if (weight === null) return null;
  const factor = GRAMS_PER_UNIT[(unit ?? 'kg').toLowerCase()];
  return factor === undefined ? null : Math.round(weight * factor);
}

export function isKnownWeightUnit(unit: string): boolean {
  return GRAMS_PER_UNIT[unit.toLowerCase()] !== undefined;
}
