/**
 * How experiment records are persisted and presented: the versioned file formats (with the
 * content-address check on revisions), the summaries `list` returns without the bulky parts, and
 * the revision diff assembled from stored records. Pure; the store does the file work.
 */
import { RwbError } from '../errors.ts';
import { compareRuns, type CompareOptions, type RunComparison } from './compare.ts';
import type { RunResult } from './compare-run-result.ts';
import {
  diffConfigs,
  diffMetricMeans,
  type ConfigChange,
  type MetricChange,
} from './experiments-diff.ts';
import { filterRuns } from './experiments-history.ts';
import {
  EXPERIMENTS_SCHEMA_VERSION,
  parseWith,
  querySetLabel,
  revisionIdOf,
  RevisionSchema,
  RunRecordSchema,
  SnapshotSchema,
  type Explanation,
  type Revision,
  type RunRecord,
  type Snapshot,
} from './experiments.ts';
import type { VersionedFormat } from './store/versioned-json.ts';

function format<T>(
  kind: string,
  schema: Parameters<typeof parseWith<T>>[0],
  check?: (value: T, where: string) => void,
): VersionedFormat<T> {
  return {
    kind,
    currentVersion: EXPERIMENTS_SCHEMA_VERSION,
    // Version 1 is the first persisted shape; add `1: (doc) => …` here when version 2 arrives.
    migrations: {},
    parse: (doc, where) => {
      const value = parseWith(schema, doc, where, kind);
      check?.(value, where);
      return value;
    },
  };
}

export const revisionFormat = format<Revision>(
  'config revision',
  RevisionSchema,
  (revision, where) => {
    if (revisionIdOf(revision.config) !== revision.id) {
      throw new RwbError(
        'INVALID_INPUT',
        `${where}: the config does not match revision id ${revision.id} (was the file edited?)`,
      );
    }
  },
);
export const runFormat = format<RunRecord>('run record', RunRecordSchema);
export const snapshotFormat = format<Snapshot>('snapshot', SnapshotSchema);

export type RevisionSummary = Omit<Revision, 'config'>;
export type RunSummary = Omit<RunRecord, 'result' | 'tune'> & { validationGain?: number | null };
export type SnapshotSummary = Omit<Snapshot, 'queries'> & { queryCount: number };

export const summarizeRevision = ({ config: _config, ...rest }: Revision): RevisionSummary => rest;
export const summarizeRun = ({ result: _result, tune, ...rest }: RunRecord): RunSummary =>
  tune ? { ...rest, validationGain: tune.validationGain } : rest;
export const summarizeSnapshot = ({ queries, ...rest }: Snapshot): SnapshotSummary => ({
  ...rest,
  queryCount: queries.length,
});

export interface StoreProblem {
  readonly file: string;
  readonly message: string;
}

export interface SnapshotQueryInput {
  readonly query: string;
  readonly docs: ReadonlyArray<{ id: string; score?: number; explain?: Explanation }>;
}

/** Top k of each query of a run, ready for `recordSnapshot`. */
export function snapshotQueriesFromRun(run: RunResult): SnapshotQueryInput[] {
  return run.queries
    .filter((q) => !q.error)
    .map((q) => ({ query: q.query, docs: q.hits.map((id) => ({ id })) }));
}

export type ShowResult =
  | {
      type: 'revision';
      revision: Revision;
      children: RevisionSummary[];
      runs: RunSummary[];
      snapshots: SnapshotSummary[];
    }
  | { type: 'run'; run: RunRecord; revision: RevisionSummary | null }
  | { type: 'snapshot'; snapshot: Snapshot };

export interface RevisionDiff {
  readonly a: RevisionSummary;
  readonly b: RevisionSummary;
  readonly configChanges: ConfigChange[];
  /** Latest eval runs of both revisions on one query set; null when they share none. */
  readonly metrics: {
    querySet: string;
    runA: string;
    runB: string;
    changes: MetricChange[];
  } | null;
  /** Full per-query comparison when both runs kept their results. */
  readonly comparison: RunComparison | null;
}

/**
 * Config diff of two revisions plus the metric diff of their latest eval runs on the query set
 * both were run on most recently (or the one asked for).
 */
export function diffRevisionRecords(
  left: Revision,
  right: Revision,
  runs: readonly RunRecord[],
  options: { querySet?: string; compare?: CompareOptions } = {},
): RevisionDiff {
  const evalRuns = runs.filter((r) => r.kind === 'eval');
  const latestPerQuerySet = (revisionId: string) => {
    const byQuerySet = new Map<string, RunRecord>();
    const filter = {
      revisionId,
      ...(options.querySet !== undefined && { querySet: options.querySet }),
    };
    for (const run of filterRuns(evalRuns, filter))
      byQuerySet.set(querySetLabel(run.querySet), run);
    return byQuerySet;
  };
  const runsA = latestPerQuerySet(left.id);
  const runsB = latestPerQuerySet(right.id);
  const shared = [...runsA.keys()].filter((qs) => runsB.has(qs));
  const querySet = shared.sort((x, y) =>
    runsB.get(y)!.createdAt.localeCompare(runsB.get(x)!.createdAt),
  )[0];
  const runA = querySet === undefined ? undefined : runsA.get(querySet);
  const runB = querySet === undefined ? undefined : runsB.get(querySet);
  return {
    a: summarizeRevision(left),
    b: summarizeRevision(right),
    configChanges: diffConfigs(left.config, right.config),
    metrics:
      runA && runB && querySet !== undefined
        ? {
            querySet,
            runA: runA.id,
            runB: runB.id,
            changes: diffMetricMeans(runA.means, runB.means),
          }
        : null,
    comparison:
      runA?.result && runB?.result ? compareRuns(runA.result, runB.result, options.compare) : null,
  };
}
