/**
 * The file source for users without MySQL: SourceProducts (`{spu, skus, options}`, the same shape
 * the MySQL source yields) as NDJSON (one per line; .ndjson/.jsonl) or as a JSON array (.json).
 * Both are streamed. A malformed record is reported as a RowError whose `where` is "file:line" and
 * skipped; the rest of the file is still read.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { RwbError } from '../errors.ts';
import { readJsonArrayElements, readNdjsonLines } from './json-stream.ts';
import type { JsonRecordText } from './json-stream.ts';
import { matchesSourceFilter } from './source.ts';
import type { ProductSource, SourceOptions } from './source.ts';
import type { RowError, SourceProduct } from './types.ts';

export type FileFormat = 'ndjson' | 'json';

export interface FileSourceOptions extends SourceOptions {
  /** Override detection by extension (.json → JSON array, anything else → NDJSON). */
  format?: FileFormat;
}

export function detectFileFormat(file: string): FileFormat {
  return path.extname(file).toLowerCase() === '.json' ? 'json' : 'ndjson';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON numbers are accepted for ids (e.g. `"id": 123`) and become strings, as MySQL would return them. */
function idsAsStrings(row: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) if (typeof row[key] === 'number') row[key] = String(row[key]);
}

/**
 * Checks the record's outer shape (field-level validation is the transformer's job).
 * Returns the product, or the reason it is not one.
 */
export function parseSourceProduct(text: string): SourceProduct | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `invalid JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (!isObject(value)) return 'expected an object {"spu": {...}, "skus": [...], "options": [...]}';
  const { spu, skus = [], options = [] } = value;
  if (!isObject(spu)) return 'missing or non-object "spu"';
  if (!Array.isArray(skus) || !skus.every(isObject)) return '"skus" must be an array of objects';
  if (!Array.isArray(options) || !options.every(isObject))
    return '"options" must be an array of objects';
  idsAsStrings(spu, ['tenant_id', 'id']);
  for (const row of [...skus, ...options]) idsAsStrings(row, ['tenant_id', 'id', 'spu_id']);
  return { spu, skus, options } as unknown as SourceProduct;
}

/** Opens an NDJSON or JSON-array file of SourceProducts. Missing file → RwbError('NOT_FOUND'). */
export function openFileSource(file: string, opts: FileSourceOptions = {}): ProductSource {
  const format = opts.format ?? detectFileFormat(file);
  const label = path.basename(file);
  const report = opts.onRowError ?? (() => undefined);

  async function* records(onTruncated: (line: number) => void): AsyncGenerator<JsonRecordText> {
    try {
      await access(file);
    } catch {
      throw new RwbError('NOT_FOUND', `Source file not found: ${path.resolve(file)}`);
    }
    if (format === 'ndjson') yield* readNdjsonLines(file, opts.signal);
    else yield* readJsonArrayElements(file, { signal: opts.signal, onTruncated });
  }

  async function* scan(reportErrors: boolean): AsyncGenerator<SourceProduct> {
    const fail = (line: number, reason: string, p?: SourceProduct) => {
      if (!reportErrors) return;
      const e: RowError = {
        tenant_id: p ? String(p.spu.tenant_id ?? '') || null : null,
        spu_id: p ? String(p.spu.id ?? '') || null : null,
        where: `${label}:${line}`,
        reason,
      };
      report(e);
    };
    const truncated = (line: number) =>
      fail(line, 'file ends inside the JSON array (truncated?); the rest is lost');
    for await (const record of records(truncated)) {
      const parsed = parseSourceProduct(record.text);
      if (typeof parsed === 'string') {
        fail(record.line, parsed);
        continue;
      }
      if (matchesSourceFilter(parsed, opts)) yield parsed;
    }
  }

  return {
    async count() {
      let n = 0;
      for await (const _ of scan(false)) n += 1;
      return n;
    },
    products: () => scan(true),
    async close() {
      // Each scan closes its own file handle when it ends or is abandoned.
    },
  };
}
