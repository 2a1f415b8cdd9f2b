/** Opens the configured source (MySQL Shoplazza tables or an NDJSON/JSON file) for one pass. */
import path from 'node:path';
import type { RowError, SourceProduct } from '../catalog/types.ts';
import type { SourceColumnsReport } from '../catalog/source-columns.ts';
import { openMysqlSource } from '../catalog/mysql-source.ts';
import { openFileSource } from '../catalog/file-source.ts';
import type { IngestOptions } from './options.ts';

export interface IngestSourceHandle {
  count(): Promise<number>;
  products(): AsyncIterable<SourceProduct>;
  close(): Promise<void>;
  columnReport?(): Promise<SourceColumnsReport>;
}

export async function openIngestSource(
  opts: IngestOptions,
  since: Date | null,
  onRowError: (e: RowError) => void,
): Promise<IngestSourceHandle> {
  const common = { tenantIds: opts.tenantIds, since: since ?? undefined, includeDeleted: true, onRowError };
  if (opts.source.kind === 'mysql') return openMysqlSource(opts.source.connection, common);
  return openFileSource(path.resolve(opts.source.path), common);
}
