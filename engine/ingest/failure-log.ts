/**
 * Every failed or warned product of a run, appended to an NDJSON file (RWB_HOME/state/
 * ingest-failures/<jobId>.ndjson) so nothing is lost however many there are; the first
 * MAX_FAILURES_IN_REPORT failures are also kept in memory for the report and the UI table.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { paths } from '../paths.ts';
import type { RowError } from '../catalog/types.ts';
import { MAX_FAILURES_IN_REPORT } from './report.ts';

export class FailureLog {
  private stream: WriteStream | null = null;
  private readonly first: RowError[] = [];
  private written = 0;
  readonly file: string;

  constructor(jobId: string, dir = path.join(paths.state(), 'ingest-failures')) {
    this.file = path.join(dir, `${jobId}.ndjson`);
  }

  add(e: RowError, severity: 'failure' | 'warning'): void {
    if (severity === 'failure' && this.first.length < MAX_FAILURES_IN_REPORT) this.first.push(e);
    if (!this.stream) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.stream = createWriteStream(this.file, { flags: 'a' });
    }
    this.stream.write(`${JSON.stringify({ severity, ...e })}\n`);
    this.written += 1;
  }

  firstFailures(): RowError[] {
    return [...this.first];
  }

  /** Flushes the file; returns its path, or null when nothing went wrong. */
  async close(): Promise<string | null> {
    const s = this.stream;
    this.stream = null;
    if (s) await new Promise<void>((resolve) => s.end(resolve));
    return this.written > 0 ? this.file : null;
  }
}
