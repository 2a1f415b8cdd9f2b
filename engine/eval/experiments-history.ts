/**
 * Score history: the runs of a query set in time order with one metric, the revision and its note,
 * and the analysts' annotations — the line chart of "how relevance got better, and why". Pure
 * functions over stored records; the store reads the files.
 */
import { RwbError } from '../errors.ts';
import { querySetLabel, type Revision, type RunRecord, type Snapshot } from './experiments.ts';

export interface ScoreHistoryPoint {
  readonly runId: string;
  readonly kind: RunRecord['kind'];
  readonly createdAt: string;
  readonly revisionId: string;
  readonly parent: string | null;
  readonly revisionNote: string;
  readonly querySet: string;
  readonly metric: string;
  readonly value: number | null;
  readonly annotations: RunRecord['annotations'];
}

/** What the history needs of a run: its summary (the store's index) is enough, no full record. */
export type HistoryRun = Pick<
  RunRecord,
  'id' | 'kind' | 'createdAt' | 'revisionId' | 'querySet' | 'means' | 'annotations'
>;
/** What the history needs of a revision. */
export type HistoryRevision = Pick<Revision, 'id' | 'parent' | 'note'>;

export interface HistoryFilter {
  /** Label from `querySetLabel` (tenant/index/name) or the bare query set name. */
  readonly querySet?: string;
  readonly revisionId?: string;
}

export function matchesQuerySet(
  run: Pick<RunRecord, 'querySet'>,
  querySet: string | undefined,
): boolean {
  if (querySet === undefined) return true;
  return querySetLabel(run.querySet) === querySet || run.querySet?.name === querySet;
}

export function filterRuns<
  R extends Pick<RunRecord, 'id' | 'createdAt' | 'revisionId' | 'querySet'>,
>(runs: readonly R[], filter: HistoryFilter): R[] {
  return runs
    .filter((run) => matchesQuerySet(run, filter.querySet))
    .filter((run) => filter.revisionId === undefined || run.revisionId === filter.revisionId)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** One point per run that has the metric, oldest first. */
export function scoreHistory(
  runs: readonly HistoryRun[],
  revisions: readonly HistoryRevision[],
  metric: string,
  filter: HistoryFilter = {},
): ScoreHistoryPoint[] {
  const byId = new Map(revisions.map((r) => [r.id, r]));
  return (
    filterRuns(runs, filter)
      // Own keys only: a metric asked as "constructor" is simply absent.
      .filter((run) => Object.hasOwn(run.means, metric))
      .map((run) => {
        const revision = byId.get(run.revisionId);
        return {
          runId: run.id,
          kind: run.kind,
          createdAt: run.createdAt,
          revisionId: run.revisionId,
          parent: revision?.parent ?? null,
          revisionNote: revision?.note ?? '',
          querySet: querySetLabel(run.querySet),
          metric,
          value: run.means[metric] ?? null,
          annotations: run.annotations,
        };
      })
  );
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Score history as CSV: one row per run and metric, annotations joined with " | ". */
export function scoreHistoryCsv(
  runs: readonly HistoryRun[],
  revisions: readonly HistoryRevision[],
  filter: HistoryFilter = {},
): string {
  const header = [
    'created_at',
    'run_id',
    'kind',
    'query_set',
    'revision_id',
    'parent',
    'revision_note',
    'metric',
    'value',
    'annotations',
  ];
  const rows = [header.join(',')];
  const metrics = [
    ...new Set(filterRuns(runs, filter).flatMap((r) => Object.keys(r.means))),
  ].sort();
  const points = metrics
    .flatMap((metric) => scoreHistory(runs, revisions, metric, filter))
    .sort(
      (a, b) =>
        a.createdAt.localeCompare(b.createdAt) ||
        a.runId.localeCompare(b.runId) ||
        a.metric.localeCompare(b.metric),
    );
  for (const p of points) {
    rows.push(
      [
        p.createdAt,
        p.runId,
        p.kind,
        p.querySet,
        p.revisionId,
        p.parent,
        p.revisionNote,
        p.metric,
        p.value,
        p.annotations.map((a) => a.text).join(' | '),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

export const HISTORY_EXPORT_VERSION = 1;

export interface HistoryExport {
  readonly schemaVersion: number;
  readonly exportedAt: string;
  readonly revisions: Revision[];
  readonly runs: RunRecord[];
  readonly snapshots: Snapshot[];
}

export type HistoryFormat = 'json' | 'csv';

export function assertHistoryFormat(format: string): HistoryFormat {
  if (format === 'json' || format === 'csv') return format;
  throw new RwbError('INVALID_INPUT', `unknown history export format "${format}"; use json or csv`);
}
