/**
 * THE contract: every operation the app offers, once. main/ registers one IPC handler per entry,
 * http/ mounts one POST route per entry, the renderer's client is typed from it.
 */
import type { z } from 'zod';
import type { AnyOperation } from './operation.ts';
import type { OperationName } from './names.ts';
import { systemStatus } from './ops/system.ts';
import { esConnect, esStatus, indexInfo } from './ops/es.ts';
import { searchBasic } from './ops/search.ts';
import { ingestStart } from './ops/ingest.ts';
import { jobsCancel, jobsGet, jobsList } from './ops/jobs.ts';

export const operations = {
  'system.status': systemStatus,
  'es.status': esStatus,
  'es.connect': esConnect,
  'index.info': indexInfo,
  'search.basic': searchBasic,
  'ingest.start': ingestStart,
  'jobs.list': jobsList,
  'jobs.get': jobsGet,
  'jobs.cancel': jobsCancel,
} satisfies Record<OperationName, AnyOperation>;

export type Operations = typeof operations;
/** What a caller may send (defaults not yet applied). */
export type OpInput<N extends OperationName> = z.input<Operations[N]['input']>;
/** What a caller gets back (a job operation answers `{jobId, kind}`). */
export type OpOutput<N extends OperationName> = z.output<Operations[N]['output']>;
/** The names of the operations that are jobs. */
export type JobOperationName = { [N in OperationName]: Operations[N]['kind'] extends 'job' ? N : never }[OperationName];
