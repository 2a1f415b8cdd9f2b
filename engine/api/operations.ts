/**
 * THE contract: every operation the app offers, once. main/ registers one IPC handler per entry,
 * http/ mounts one POST route per entry, the renderer's client is typed from it.
 */
import type { z } from 'zod';
import type { AnyOperation } from './operation.ts';
import type { OperationName } from './names.ts';
import { systemStatus } from './ops/system.ts';
import { esConnect, esStatus, indexInfo } from './ops/es.ts';
import { queryCheck, searchRun } from './ops/search.ts';
import { searchCompare } from './ops/search-compare.ts';
import { searchExplainMissing } from './ops/search-explain-missing.ts';
import { configGet, configList, configResolve, configSave, configSet } from './ops/config.ts';
import { configExport, configExports, configImport } from './ops/config-export.ts';
import { tunePreview } from './ops/workbench-metric.ts';
import { judgmentsQueue } from './ops/judgments-queue.ts';
import { experimentsAnnotate } from './ops/workbench-notes.ts';
import { evalCompare, evalRun, tuneStart } from './ops/eval.ts';
import {
  experimentsDiff,
  experimentsList,
  experimentsShow,
  judgmentsExport,
  judgmentsGet,
  judgmentsImport,
  judgmentsList,
  judgmentsRate,
} from './ops/eval-store.ts';
import { esLocalStartOp, esLocalStopOp, modelsStatusOp, secretsClearOp, secretsSetOp, secretsStatusOp } from './ops/app.ts';
import { ingestStart } from './ops/ingest.ts';
import { jobsCancel, jobsGet, jobsList } from './ops/jobs.ts';

export const operations = {
  'system.status': systemStatus,
  'es.status': esStatus,
  'es.connect': esConnect,
  'index.info': indexInfo,
  'search.run': searchRun,
  'search.compare': searchCompare,
  'search.explainMissing': searchExplainMissing,
  'query.check': queryCheck,
  'config.get': configGet,
  'config.set': configSet,
  'config.list': configList,
  'config.save': configSave,
  'config.resolve': configResolve,
  'config.export': configExport,
  'config.exports': configExports,
  'config.import': configImport,
  'tune.preview': tunePreview,
  'eval.run': evalRun,
  'eval.compare': evalCompare,
  'tune.start': tuneStart,
  'judgments.list': judgmentsList,
  'judgments.get': judgmentsGet,
  'judgments.import': judgmentsImport,
  'judgments.export': judgmentsExport,
  'judgments.rate': judgmentsRate,
  'judgments.queue': judgmentsQueue,
  'experiments.list': experimentsList,
  'experiments.show': experimentsShow,
  'experiments.diff': experimentsDiff,
  'experiments.annotate': experimentsAnnotate,
  'secrets.status': secretsStatusOp,
  'secrets.set': secretsSetOp,
  'secrets.clear': secretsClearOp,
  'es.local.start': esLocalStartOp,
  'es.local.stop': esLocalStopOp,
  'models.status': modelsStatusOp,
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
