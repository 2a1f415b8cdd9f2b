/**
 * What every catalog source (MySQL, file, demo, Icecat) hands to the ingest pipeline: a count for
 * progress, a stream of SourceProducts, and close(). Row-level problems the source itself finds
 * (orphan SKUs, malformed file lines) go to `onRowError`; they never stop the stream.
 */
import { RwbError } from '../errors.ts';
import type { SourceColumnsReport } from './source-columns.ts';
import type { RowError, SourceProduct, SpuRow } from './types.ts';

export interface SourceOptions {
  /** Only these tenants (default: all). */
  tenantIds?: string[];
  /**
   * Incremental mode: only SPUs changed after this instant, i.e. the SPU's update_time or the
   * update_time of any of its SKUs is later than `since`.
   */
  since?: Date;
  /**
   * Yield SPUs flagged `deleted` too. Default: only in incremental mode (`since` set), where the
   * pipeline needs them to delete their documents; a full run skips them.
   */
  includeDeleted?: boolean;
  onRowError?: (e: RowError) => void;
  signal?: AbortSignal;
}

export interface ProductSource {
  /** Number of SPUs `products()` will yield (for progress; computed by the source, not cached). */
  count(): Promise<number>;
  products(): AsyncIterable<SourceProduct>;
  close(): Promise<void>;
  /**
   * Sources over tables (MySQL) say which optional columns are missing and which index fields stay
   * empty because of it; file sources have no columns to check and leave this out.
   */
  columnReport?(): Promise<SourceColumnsReport>;
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new RwbError('CANCELLED', `${what} was cancelled.`);
}

/** Parses a DATETIME-ish value as UTC: Date, ISO 8601, or "YYYY-MM-DD HH:MM:SS". Null when invalid. */
export function toDate(value: Date | string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const text = value.trim();
  // A bare MySQL DATETIME has no zone; the schema stores UTC.
  const mysqlStyle = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text);
  const d = new Date(
    mysqlStyle ? `${text.replace(' ', 'T')}${text.length > 10 ? 'Z' : 'T00:00:00Z'}` : text,
  );
  return Number.isNaN(d.getTime()) ? null : d;
}

export function isTruthyFlag(value: number | boolean | string | null | undefined): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

export function includesDeleted(opts: SourceOptions): boolean {
  return opts.includeDeleted ?? opts.since !== undefined;
}

/** The in-memory equivalent of the MySQL source's WHERE clause, for file-based sources. */
export function matchesSourceFilter(p: SourceProduct, opts: SourceOptions): boolean {
  if (opts.tenantIds && !opts.tenantIds.includes(String(p.spu.tenant_id))) return false;
  if (!includesDeleted(opts) && isTruthyFlag(p.spu.deleted)) return false;
  if (opts.since) {
    const since = opts.since.getTime();
    const changed = (row: Pick<SpuRow, 'update_time'>) =>
      (toDate(row.update_time)?.getTime() ?? -Infinity) > since;
    if (!changed(p.spu) && !p.skus.some(changed)) return false;
  }
  return true;
}
