/**
 * Diffing a stored snapshot against a later run (or another snapshot): which docs entered or left
 * each query's top k, which moved and by how much, and how much the rankings still overlap.
 * No judgments are needed, so this works for queries nobody has rated yet.
 */
import type { RunResult } from './compare-run-result.ts';
import type { Snapshot } from './experiments.ts';
import { mean } from './stats-significance.ts';
import { DEFAULT_RBO_PERSISTENCE, jaccardAtK, rankBiasedOverlap } from './stats-overlap.ts';

export interface RankMove {
  readonly id: string;
  /** 1-based positions before and after. */
  readonly from: number;
  readonly to: number;
}

export interface RankingDiff {
  readonly query: string;
  readonly entered: Array<{ id: string; position: number }>;
  readonly left: Array<{ id: string; position: number }>;
  /** Docs in both top k at different positions, biggest move first. */
  readonly moved: RankMove[];
  readonly jaccard: number;
  readonly rbo: number;
  readonly unchanged: boolean;
}

/** Diff of two rankings of one query, both cut at k. */
export function diffRankings(
  query: string,
  before: readonly string[],
  after: readonly string[],
  k: number,
  p = DEFAULT_RBO_PERSISTENCE,
): RankingDiff {
  const top = (list: readonly string[]) => [...new Set(list)].slice(0, k);
  const a = top(before);
  const b = top(after);
  const positionInA = new Map(a.map((id, i) => [id, i + 1]));
  const positionInB = new Map(b.map((id, i) => [id, i + 1]));
  const moved: RankMove[] = [];
  for (const [id, from] of positionInA) {
    const to = positionInB.get(id);
    if (to !== undefined && to !== from) moved.push({ id, from, to });
  }
  moved.sort((x, y) => Math.abs(y.to - y.from) - Math.abs(x.to - x.from) || x.from - y.from);
  const entered = b
    .filter((id) => !positionInA.has(id))
    .map((id) => ({ id, position: positionInB.get(id)! }));
  const left = a
    .filter((id) => !positionInB.has(id))
    .map((id) => ({ id, position: positionInA.get(id)! }));
  return {
    query,
    entered,
    left,
    moved,
    jaccard: jaccardAtK(a, b, k),
    rbo: rankBiasedOverlap(a, b, { p, k }),
    unchanged: entered.length === 0 && left.length === 0 && moved.length === 0,
  };
}

export interface SnapshotDiff {
  readonly k: number;
  readonly queries: RankingDiff[];
  /** Queries the snapshot has and the other side lacks, and the reverse. */
  readonly missingAfter: string[];
  readonly newQueries: string[];
  readonly changedQueries: number;
  readonly meanJaccard: number | null;
  readonly meanRbo: number | null;
}

function rankingsOf(other: Snapshot | RunResult): Map<string, string[]> {
  if ('means' in other) {
    return new Map(other.queries.filter((q) => !q.error).map((q) => [q.query, q.hits]));
  }
  return new Map(
    (other as Snapshot).queries.map((q) => [
      q.query,
      [...q.docs].sort((x, y) => x.position - y.position).map((d) => d.id),
    ]),
  );
}

/** What changed from a snapshot to a later run or snapshot, per query, at the snapshot's k. */
export function diffSnapshot(
  snapshot: Snapshot,
  other: Snapshot | RunResult,
  k = snapshot.k,
): SnapshotDiff {
  const before = rankingsOf(snapshot);
  const after = rankingsOf(other);
  const queries: RankingDiff[] = [];
  for (const [query, ranking] of before) {
    const later = after.get(query);
    if (later) queries.push(diffRankings(query, ranking, later, k));
  }
  const overlapMean = (pick: (d: RankingDiff) => number) =>
    queries.length === 0 ? null : mean(queries.map(pick));
  return {
    k,
    queries,
    missingAfter: [...before.keys()].filter((q) => !after.has(q)),
    newQueries: [...after.keys()].filter((q) => !before.has(q)),
    changedQueries: queries.filter((d) => !d.unchanged).length,
    meanJaccard: overlapMean((d) => d.jaccard),
    meanRbo: overlapMean((d) => d.rbo),
  };
}
