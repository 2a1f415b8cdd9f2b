export { OPERATION_NAMES, isOperationName, type OperationName } from './names.ts';
export { operations, type Operations, type OpInput, type OpOutput, type JobOperationName } from './operations.ts';
export { invoke, invokeOperation, invalidInput, summarizeIssues } from './invoke.ts';
export { createApiContext, defaultIndexFromEnv, DEFAULT_INDEX, type ApiContext, type ApiContextOptions, type AppMode } from './context.ts';
export { defineOperation, defineJob, NoInput, JobStartedSchema, type AnyOperation, type CallExtras, type CallOperation, type JobOperation, type JobStarted } from './operation.ts';
export { ipcChannelFor, JOB_EVENTS_CHANNEL, HTTP_API_PREFIX, HTTP_EVENTS_PATH, type Envelope } from './wire.ts';
