/**
 * Experiments on disk: versioned JSON files under `<state>/experiments/` —
 * `revisions/<rev-id>.json`, `runs/<run-id>.json`, `snapshots/<snap-id>.json` — written
 * atomically and durably, read through migrations (versioned-json.ts). Revisions are immutable and
 * content-addressed; runs only ever gain annotations, each a read-modify-write under the run's
 * lock. Listings read the summaries in `index/` (summary-index.ts), not every record. A damaged
 * file is listed as a problem and never hides the rest of the history.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { RwbError, toRwbError } from '../../errors.ts';
import { paths } from '../../paths.ts';
import type { CompareOptions } from '../compare.ts';
import type { RunResult } from '../compare-run-result.ts';
import {
  assertHistoryFormat,
  filterRuns,
  HISTORY_EXPORT_VERSION,
  scoreHistory,
  scoreHistoryCsv,
  type HistoryExport,
  type HistoryFilter,
  type ScoreHistoryPoint,
} from '../experiments-history.ts';
import {
  diffRevisionRecords,
  revisionFormat,
  runFormat,
  snapshotFormat,
  summarizeRevision,
  summarizeRun,
  summarizeSnapshot,
  type RevisionDiff,
  type RevisionSummary,
  type RunSummary,
  type ShowResult,
  type SnapshotQueryInput,
  type SnapshotSummary,
  type StoreProblem,
} from '../experiments-records.ts';
import {
  EXPERIMENTS_SCHEMA_VERSION,
  querySetLabel,
  revisionIdOf,
  type QuerySetRef,
  type Revision,
  type RunRecord,
  type Snapshot,
} from '../experiments.ts';
import type { TuneReport } from '../tuner/report.ts';
import { isPlainObject } from '../tuner/config-path.ts';
import { sweepTempFiles } from './atomic-file.ts';
import { withFileLock } from './file-lock.ts';
import { SummaryIndex } from './summary-index.ts';
import { readVersionedJson, writeJsonAtomic, type VersionedFormat } from './versioned-json.ts';

type Kind = 'revisions' | 'runs' | 'snapshots';
const PREFIX: Record<Kind, string> = { revisions: 'rev-', runs: 'run-', snapshots: 'snap-' };

export class ExperimentStore {
  private readonly indexes: {
    revisions: SummaryIndex<Revision, RevisionSummary>;
    runs: SummaryIndex<RunRecord, RunSummary>;
    snapshots: SummaryIndex<Snapshot, SnapshotSummary>;
  };
  private swept = false;

  constructor(
    readonly dir: string = path.join(paths.state(), 'experiments'),
    private readonly now: () => Date = () => new Date(),
  ) {
    const index = <R, S>(kind: Kind, format: VersionedFormat<R>, summarize: (r: R) => S) =>
      new SummaryIndex(
        path.join(dir, kind),
        path.join(dir, 'index', `${kind}.json`),
        format,
        summarize,
      );
    this.indexes = {
      revisions: index('revisions', revisionFormat, summarizeRevision),
      runs: index('runs', runFormat, summarizeRun),
      snapshots: index('snapshots', snapshotFormat, summarizeSnapshot),
    };
  }

  /** Summaries of every readable record of a kind (from the index; changed records re-read). */
  private async summaries<K extends Kind>(
    kind: K,
    problems: StoreProblem[],
  ): Promise<
    K extends 'revisions' ? RevisionSummary[] : K extends 'runs' ? RunSummary[] : SnapshotSummary[]
  > {
    if (!this.swept) {
      // Temp files of writers killed mid-write; they never count as records.
      this.swept = true;
      for (const k of ['revisions', 'runs', 'snapshots', 'index'])
        await sweepTempFiles(path.join(this.dir, k));
    }
    return (await this.indexes[kind].list(problems)) as never;
  }

  private fileOf(kind: Kind, id: string): string {
    return path.join(this.dir, kind, `${id}.json`);
  }

  private formatOf(kind: Kind): VersionedFormat<Revision | RunRecord | Snapshot> {
    return kind === 'revisions' ? revisionFormat : kind === 'runs' ? runFormat : snapshotFormat;
  }

  private ids(kind: Kind): Promise<string[]> {
    return this.indexes[kind].ids();
  }

  /** A full id for an id or a unique prefix of one. */
  private async resolve(kind: Kind, idOrPrefix: string): Promise<string> {
    const ids = await this.ids(kind);
    if (ids.includes(idOrPrefix)) return idOrPrefix;
    const matches = ids.filter((id) => id.startsWith(idOrPrefix));
    if (matches.length === 1) return matches[0] as string;
    const what = this.formatOf(kind).kind;
    if (matches.length > 1) {
      throw new RwbError(
        'INVALID_INPUT',
        `"${idOrPrefix}" matches ${matches.length} ${kind}: ${matches.slice(0, 5).join(', ')}; give more of the id`,
      );
    }
    throw new RwbError('NOT_FOUND', `no ${what} "${idOrPrefix}" in ${path.join(this.dir, kind)}`);
  }

  private async read<T extends Revision | RunRecord | Snapshot>(
    kind: Kind,
    idOrPrefix: string,
  ): Promise<T> {
    const id = await this.resolve(kind, idOrPrefix);
    return (await readVersionedJson(this.fileOf(kind, id), this.formatOf(kind))).value as T;
  }

  private async readAll<T extends Revision | RunRecord | Snapshot>(
    kind: Kind,
    problems: StoreProblem[],
  ): Promise<T[]> {
    const out: T[] = [];
    for (const id of await this.ids(kind)) {
      const file = this.fileOf(kind, id);
      try {
        out.push((await readVersionedJson(file, this.formatOf(kind))).value as T);
      } catch (err) {
        problems.push({ file, message: toRwbError(err).message });
      }
    }
    return out;
  }

  private newId(kind: 'runs' | 'snapshots'): string {
    const stamp = this.now().toISOString().replace(/[-:.]/g, '').replace('T', '-').replace('Z', '');
    return `${PREFIX[kind]}${stamp}-${randomBytes(3).toString('hex')}`;
  }

  getRevision(idOrPrefix: string): Promise<Revision> {
    return this.read<Revision>('revisions', idOrPrefix);
  }

  getRun(idOrPrefix: string): Promise<RunRecord> {
    return this.read<RunRecord>('runs', idOrPrefix);
  }

  getSnapshot(idOrPrefix: string): Promise<Snapshot> {
    return this.read<Snapshot>('snapshots', idOrPrefix);
  }

  /**
   * Freezes a config as a revision. The id is the config's content hash, so saving an identical
   * config again returns the stored revision (`created: false`) with its original parent and note.
   */
  async createRevision(
    config: unknown,
    options: { parent?: string | null; note?: string } = {},
  ): Promise<{ revision: Revision; created: boolean }> {
    if (!isPlainObject(config)) {
      throw new RwbError('INVALID_INPUT', 'a config revision must be a JSON object');
    }
    const frozen = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
    const id = revisionIdOf(frozen);
    const parent = options.parent ? (await this.getRevision(options.parent)).id : null;
    // Under the revision's lock: two saves of the same config at once store it once.
    return withFileLock(`${this.fileOf('revisions', id)}.lock`, async () => {
      if ((await this.ids('revisions')).includes(id))
        return { revision: await this.getRevision(id), created: false };
      return {
        revision: await this.writeRevision(frozen, id, parent, options.note),
        created: true,
      };
    });
  }

  private async writeRevision(
    frozen: Record<string, unknown>,
    id: string,
    parent: string | null,
    note: string | undefined,
  ): Promise<Revision> {
    const revision: Revision = {
      schemaVersion: EXPERIMENTS_SCHEMA_VERSION,
      id,
      parent,
      note: note ?? '',
      createdAt: this.now().toISOString(),
      config: frozen,
    };
    await writeJsonAtomic(
      this.fileOf('revisions', id),
      revisionFormat.parse(revision, `revision ${id}`),
    );
    return revision;
  }

  /** Records an evaluation run of a stored revision. */
  async recordRun(
    result: RunResult,
    options: { note?: string; keepQueries?: boolean } = {},
  ): Promise<RunRecord> {
    const revision = await this.getRevision(result.revisionId);
    const record: RunRecord = {
      schemaVersion: EXPERIMENTS_SCHEMA_VERSION,
      id: this.newId('runs'),
      kind: 'eval',
      revisionId: revision.id,
      ...(result.querySet && { querySet: result.querySet }),
      createdAt: this.now().toISOString(),
      ...(options.note !== undefined && { note: options.note }),
      metrics: result.metrics,
      means: result.means,
      validQueries: result.validQueries,
      totalQueries: result.queries.length,
      byLanguage: Object.fromEntries(
        Object.entries(result.byLanguage).map(([lang, b]) => [lang, b.means]),
      ),
      annotations: [],
      ...(options.keepQueries !== false && { result: { ...result, revisionId: revision.id } }),
    };
    return this.writeRun(record);
  }

  /** Records a tuning run: the base revision, the tuned revision it produced and the report. */
  async recordTune(input: {
    baseRevisionId: string;
    revisionId: string;
    report: TuneReport;
    querySet?: QuerySetRef;
    note?: string;
  }): Promise<RunRecord> {
    const base = await this.getRevision(input.baseRevisionId);
    const tuned = await this.getRevision(input.revisionId);
    const { report } = input;
    const record: RunRecord = {
      schemaVersion: EXPERIMENTS_SCHEMA_VERSION,
      id: this.newId('runs'),
      kind: 'tune',
      revisionId: tuned.id,
      ...(input.querySet && { querySet: input.querySet }),
      createdAt: this.now().toISOString(),
      ...(input.note !== undefined && { note: input.note }),
      metrics: [report.metric],
      means: { [report.metric]: report.bestScore },
      validQueries: report.queries,
      totalQueries: report.queries,
      byLanguage: {},
      annotations: [],
      tune: { baseRevisionId: base.id, validationGain: report.cv.meanValidationGain, report },
    };
    return this.writeRun(record);
  }

  private async writeRun(record: RunRecord): Promise<RunRecord> {
    const valid = runFormat.parse(record, `run ${record.id}`);
    await writeJsonAtomic(this.fileOf('runs', valid.id), valid);
    return valid;
  }

  /** Adds an annotation to a run's point in the score history. */
  async annotate(runId: string, text: string): Promise<RunRecord> {
    if (text.trim() === '') throw new RwbError('INVALID_INPUT', 'an annotation needs some text');
    const id = await this.resolve('runs', runId);
    // Read and write back under the run's lock: two notes at once both stay.
    return withFileLock(`${this.fileOf('runs', id)}.lock`, async () => {
      const run = await this.getRun(id);
      return this.writeRun({
        ...run,
        annotations: [...run.annotations, { at: this.now().toISOString(), text }],
      });
    });
  }

  /** Keeps the top k per query (positions 1..k, optional score and explain) of a revision. */
  async recordSnapshot(input: {
    revisionId: string;
    k: number;
    queries: readonly SnapshotQueryInput[];
    runId?: string;
    querySet?: QuerySetRef;
    note?: string;
  }): Promise<Snapshot> {
    const revision = await this.getRevision(input.revisionId);
    const runId = input.runId === undefined ? undefined : (await this.getRun(input.runId)).id;
    const snapshot: Snapshot = {
      schemaVersion: EXPERIMENTS_SCHEMA_VERSION,
      id: this.newId('snapshots'),
      revisionId: revision.id,
      ...(runId !== undefined && { runId }),
      ...(input.querySet && { querySet: input.querySet }),
      createdAt: this.now().toISOString(),
      ...(input.note !== undefined && { note: input.note }),
      k: input.k,
      queries: input.queries.map((q) => ({
        query: q.query,
        docs: q.docs.slice(0, input.k).map((doc, i) => ({
          id: doc.id,
          position: i + 1,
          ...(doc.score !== undefined && { score: doc.score }),
          ...(doc.explain !== undefined && { explain: doc.explain }),
        })),
      })),
    };
    const valid = snapshotFormat.parse(snapshot, `snapshot ${snapshot.id}`);
    await writeJsonAtomic(this.fileOf('snapshots', valid.id), valid);
    return valid;
  }

  /** Everything stored (summaries, oldest first), filtered; unreadable files go to `problems`. */
  async list(filter: HistoryFilter = {}): Promise<{
    revisions: RevisionSummary[];
    runs: RunSummary[];
    snapshots: SnapshotSummary[];
    problems: StoreProblem[];
  }> {
    const problems: StoreProblem[] = [];
    const revisions = await this.summaries('revisions', problems);
    const runs = filterRuns(await this.summaries('runs', problems), filter);
    const snapshots = (await this.summaries('snapshots', problems)).filter(
      (s) =>
        (filter.revisionId === undefined || s.revisionId === filter.revisionId) &&
        (filter.querySet === undefined ||
          querySetLabel(s.querySet) === filter.querySet ||
          s.querySet?.name === filter.querySet),
    );
    const byTime = <T extends { createdAt: string; id: string }>(a: T, b: T) =>
      a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
    return {
      revisions: revisions
        .filter((r) => filter.revisionId === undefined || r.id === filter.revisionId)
        .sort(byTime),
      runs,
      snapshots: snapshots.sort(byTime),
      problems,
    };
  }

  /** One record by id or unique prefix; a revision comes with its children, runs and snapshots. */
  async show(idOrPrefix: string): Promise<ShowResult> {
    if (idOrPrefix.startsWith(PREFIX.runs)) {
      const run = await this.getRun(idOrPrefix);
      const revision = await this.getRevision(run.revisionId).then(summarizeRevision, () => null);
      return { type: 'run', run, revision };
    }
    if (idOrPrefix.startsWith(PREFIX.snapshots))
      return { type: 'snapshot', snapshot: await this.getSnapshot(idOrPrefix) };
    const revision = await this.getRevision(idOrPrefix);
    const all = await this.list();
    return {
      type: 'revision',
      revision,
      children: all.revisions.filter((r) => r.parent === revision.id),
      runs: all.runs.filter((r) => r.revisionId === revision.id),
      snapshots: all.snapshots.filter((s) => s.revisionId === revision.id),
    };
  }

  /** Config diff of two revisions plus the metric diff of their latest runs on a shared query set. */
  async diffRevisions(
    a: string,
    b: string,
    options: { querySet?: string; compare?: CompareOptions } = {},
  ): Promise<RevisionDiff> {
    const left = await this.getRevision(a);
    const right = await this.getRevision(b);
    const runs = await this.readAll<RunRecord>('runs', []);
    return diffRevisionRecords(left, right, runs, options);
  }

  async scoreHistory(metric: string, filter: HistoryFilter = {}): Promise<ScoreHistoryPoint[]> {
    const problems: StoreProblem[] = [];
    const revisions = await this.summaries('revisions', problems);
    return scoreHistory(await this.summaries('runs', problems), revisions, metric, filter);
  }

  /** The history as one JSON document (everything, filtered) or as a score-history CSV. */
  async exportHistory(options: { format?: string } & HistoryFilter = {}): Promise<string> {
    const chosen = assertHistoryFormat(options.format ?? 'json');
    const problems: StoreProblem[] = [];
    const revisions = await this.readAll<Revision>('revisions', problems);
    const runs = filterRuns(await this.readAll<RunRecord>('runs', problems), options);
    if (chosen === 'csv') return scoreHistoryCsv(runs, revisions);
    const used = new Set(
      runs.flatMap((r) => [r.revisionId, ...(r.tune ? [r.tune.baseRevisionId] : [])]),
    );
    const filtered = options.querySet === undefined && options.revisionId === undefined;
    const snapshots = (await this.readAll<Snapshot>('snapshots', problems)).filter(
      (s) => filtered || used.has(s.revisionId),
    );
    const document: HistoryExport = {
      schemaVersion: HISTORY_EXPORT_VERSION,
      exportedAt: this.now().toISOString(),
      revisions: filtered ? revisions : revisions.filter((r) => used.has(r.id)),
      runs,
      snapshots,
    };
    return `${JSON.stringify(document, null, 2)}\n`;
  }
}
