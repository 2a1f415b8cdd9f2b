/**
 * The operation names, with no dependencies, so the sandboxed preload can build `window.api`
 * without bundling any handler. `operations.ts` is checked against this list at compile time
 * (and a unit test checks it at run time): adding an operation means adding its name here.
 */
export const OPERATION_NAMES = [
  'system.status',
  'es.status',
  'es.connect',
  'index.info',
  'search.run',
  'search.compare',
  'search.explainMissing',
  'query.check',
  'config.get',
  'config.set',
  'config.list',
  'config.save',
  'config.resolve',
  'config.export',
  'config.exports',
  'config.import',
  'tune.preview',
  'eval.run',
  'eval.compare',
  'tune.start',
  'judgments.list',
  'judgments.get',
  'judgments.import',
  'judgments.export',
  'judgments.rate',
  'judgments.queue',
  'experiments.list',
  'experiments.show',
  'experiments.diff',
  'experiments.annotate',
  'secrets.status',
  'secrets.set',
  'secrets.clear',
  'es.local.start',
  'es.local.stop',
  'models.status',
  'ingest.start',
  'jobs.list',
  'jobs.get',
  'jobs.cancel',
] as const;

export type OperationName = (typeof OPERATION_NAMES)[number];

const known: ReadonlySet<string> = new Set(OPERATION_NAMES);
export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && known.has(name);
}
