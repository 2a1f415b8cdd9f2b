import type { SourceColumnsReport } from '../catalog/source-columns.ts';
import type { RowError } from '../catalog/types.ts';

/** What an ingest run did; printed by the CLI, returned by the `ingest.start` job. */
export interface IngestReport {
  jobId: string;
  index: string;
  source: string;
  tenantIds: string[] | null;
  incremental: boolean;
  /** Lower bound of an incremental run (ISO), null for a full run. */
  since: string | null;
  /** Products the source reported for this run (before resume skipping). */
  total: number;
  /** Products skipped because a previous run had already finished them (resume). */
  resumedFrom: number;
  indexed: number;
  deleted: number;
  /** Of `deleted`: products removed or kept out because they are unpublished (`published` = 0). */
  unpublished: number;
  /** What was removed before ingesting (--recreate: these tenants; --recreate-index: the index). */
  recreated: RecreateSummary | null;
  /** Products that did not reach the index: bad rows and documents ES rejected. */
  failed: number;
  /** Non-fatal problems (a field dropped, an orphan SKU). */
  warnings: number;
  /** The first failures, for display; all of them are in failuresFile. */
  failures: RowError[];
  failuresFile: string | null;
  /** MySQL: optional columns the source tables lack and the index fields left empty; null for files. */
  sourceColumns: SourceColumnsReport | null;
  embedding: { model: string; dims: number; executionProvider: string; computed: number; cached: number } | null;
  images: { model: string; dims: number; images: number; failed: number } | null;
  reconnects: number;
  durationMs: number;
  docsPerSecond: number;
}

export interface RecreateSummary {
  scope: 'tenants' | 'index';
  /** Tenants whose documents were removed, with how many documents each had. */
  tenants: Array<{ tenantId: string; docs: number }>;
}

export const MAX_FAILURES_IN_REPORT = 200;
