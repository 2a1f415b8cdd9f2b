/**
 * One evaluation as the CLI and the app run it: freeze each config as a revision in the
 * experiment store, run them all over the query set, record every run (and a snapshot of its top
 * k), compare each config against the first, and optionally verify against ES `_rank_eval`.
 * Rated doc ids the index does not hold are reported, never fatal.
 */
import type { Client } from '@elastic/elasticsearch';
import type { SearchConfig } from '../config/search-config-schema.ts';
import { esErrorToRwb } from '../es/client.ts';
import { RwbError } from '../errors.ts';
import { docId } from '../catalog/types.ts';
import { compareRuns, type CompareOptions, type RunComparison } from './compare.ts';
import type { RunResult } from './compare-run-result.ts';
import type { Revision, RunRecord } from './experiments.ts';
import { findUnknownDocIds, type QuerySet, type UnknownDocId } from './judgments.ts';
import type { MetricOptions } from './metrics.ts';
import {
  evalMetricNames,
  runEvaluation,
  type ConfigDependencies,
  type EvalProgress,
  type EvaluationStats,
} from './runner.ts';
import type { QueryEmbedderSource } from './runner-embedders.ts';
import type { ExperimentStore } from './store/experiment-store.ts';
import { detectRankEval, verifyRun, type VerifyReport } from './verify.ts';
import type { SearchDependencies } from '../search/searcher.ts';

export interface SessionConfig {
  readonly config: SearchConfig;
  /** Where it came from (a file name, "draft"), shown in tables and kept as the revision note. */
  readonly label?: string;
  readonly parent?: string | null;
  readonly note?: string;
}

export interface EvalSessionOptions {
  readonly client: Client;
  /** Cluster URL for messages. */
  readonly url?: string;
  readonly store: ExperimentStore;
  readonly index: string;
  readonly tenantId: string;
  readonly querySet: QuerySet;
  readonly configs: readonly SessionConfig[];
  readonly k?: number;
  readonly metrics?: readonly string[];
  readonly metricOptions?: MetricOptions;
  readonly embedder?: QueryEmbedderSource;
  readonly searchDeps?: Omit<SearchDependencies, 'embedder' | 'signal'>;
  /** Per-config search dependencies (see runEvaluation); replaces embedder and searchDeps. */
  readonly dependencies?: ConfigDependencies;
  readonly batchSize?: number;
  /** Record a snapshot (top k with scores) per run. Default true. */
  readonly snapshot?: boolean;
  /** Ask ES for explanations and keep them in the snapshots. Default false. */
  readonly explain?: boolean;
  /** Compare with ES `_rank_eval`; detection happens before any search runs. */
  readonly verify?: boolean;
  readonly note?: string;
  readonly compare?: CompareOptions;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: EvalProgress) => void;
}

export interface SessionRun {
  readonly label: string;
  readonly revision: Revision;
  /** False when the store already had this exact config. */
  readonly createdRevision: boolean;
  readonly record: RunRecord;
  readonly result: RunResult;
  readonly snapshotId?: string;
  readonly warnings: string[];
}

export interface EvalSessionResult {
  readonly runs: SessionRun[];
  /** Each config after the first against the first (the baseline). */
  readonly comparisons: RunComparison[];
  readonly unknownDocIds: UnknownDocId[];
  readonly verification: VerifyReport[] | null;
  readonly stats: EvaluationStats;
}

/** Rated doc ids of the query set that `index` does not hold for `tenantId`. */
export async function unknownRatedDocs(
  client: Client,
  index: string,
  tenantId: string,
  querySet: QuerySet,
  url = 'the cluster',
): Promise<UnknownDocId[]> {
  const ids = [...new Set(querySet.queries.flatMap((q) => q.ratings.map((r) => r.docId)))];
  const found = new Set<string>();
  const chunk = 1000;
  try {
    for (let i = 0; i < ids.length; i += chunk) {
      const part = ids.slice(i, i + chunk);
      const response = await client.mget({
        index,
        ids: part.map((id) => docId(tenantId, id)),
        _source: false,
      });
      response.docs.forEach((doc, j) => {
        if ('found' in doc && doc.found) found.add(part[j]!);
      });
    }
  } catch (err) {
    throw esErrorToRwb(err, url, `checking rated doc ids in ${index}`);
  }
  return findUnknownDocIds(querySet, found);
}

export async function evaluateAndRecord(options: EvalSessionOptions): Promise<EvalSessionResult> {
  const { client, store } = options;
  const url = options.url ?? 'the cluster';
  if (options.configs.length === 0) {
    throw new RwbError('INVALID_INPUT', 'give at least one config to evaluate');
  }
  // Bad metric names fail before anything is searched or recorded.
  evalMetricNames(options.k ?? 10, options.metrics);
  if (options.verify) {
    const availability = await detectRankEval(client, options.index, url);
    if (!availability.available) throw new RwbError('ES_ERROR', availability.reason, { url });
  }
  const unknownDocIds = await unknownRatedDocs(
    client,
    options.index,
    options.tenantId,
    options.querySet,
    url,
  );
  const revisions = [];
  for (const [i, entry] of options.configs.entries()) {
    const label = entry.label ?? `config ${i + 1}`;
    const { revision, created } = await store.createRevision(entry.config, {
      parent: entry.parent ?? null,
      note: entry.note ?? label,
    });
    revisions.push({ label, revision, created });
  }
  const output = await runEvaluation(client, {
    index: options.index,
    tenantId: options.tenantId,
    querySet: options.querySet,
    configs: revisions.map(({ revision }, i) => ({
      revisionId: revision.id,
      config: options.configs[i]!.config,
    })),
    ...(options.k !== undefined && { k: options.k }),
    ...(options.metrics && { metrics: options.metrics }),
    ...(options.metricOptions && { metricOptions: options.metricOptions }),
    ...(options.embedder && { embedder: options.embedder }),
    ...(options.searchDeps && { searchDeps: options.searchDeps }),
    ...(options.dependencies && { dependencies: options.dependencies }),
    ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
    explain: options.explain ?? false,
    keepRequests: options.verify ?? false,
    ...(options.signal && { signal: options.signal }),
    ...(options.onProgress && { onProgress: options.onProgress }),
  });

  const runs: SessionRun[] = [];
  for (const [i, result] of output.results.entries()) {
    const { label, revision, created } = revisions[i]!;
    const record = await store.recordRun(result, {
      ...(options.note !== undefined && { note: options.note }),
    });
    let snapshotId: string | undefined;
    if (options.snapshot ?? true) {
      const snapshot = await store.recordSnapshot({
        revisionId: revision.id,
        runId: record.id,
        k: result.k,
        queries: output.snapshots[i]!.queries,
        ...(result.querySet && { querySet: result.querySet }),
        ...(options.note !== undefined && { note: options.note }),
      });
      snapshotId = snapshot.id;
    }
    runs.push({
      label,
      revision,
      createdRevision: created,
      record,
      result,
      ...(snapshotId !== undefined && { snapshotId }),
      warnings: output.warnings[i]!.messages,
    });
  }
  const [baseline, ...candidates] = runs;
  const comparisons = candidates.map((candidate) =>
    compareRuns(baseline!.result, candidate.result, options.compare),
  );
  let verification: VerifyReport[] | null = null;
  if (options.verify) {
    verification = [];
    for (const [i, run] of runs.entries()) {
      verification.push(
        await verifyRun(client, {
          index: options.index,
          tenantId: options.tenantId,
          run: run.result,
          requests: output.requests![i]!.queries,
          querySet: options.querySet,
          ...(options.metricOptions && { metricOptions: options.metricOptions }),
          url,
          ...(options.signal && { signal: options.signal }),
        }),
      );
    }
  }
  return { runs, comparisons, unknownDocIds, verification, stats: output.stats };
}
