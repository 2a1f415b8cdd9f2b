/**
 * "Judge what matters": the unjudged products in the top k of two compared runs (A = baseline,
 * B = candidate), ordered by how much their grade could move the difference of the metric.
 *
 * For an unjudged doc d of query q, let m_X(g) be the metric of run X on q with d judged g (the
 * other unjudged hits stay unjudged; d enters the ideal / relevant count like any judged doc).
 * Its grade can move q's difference B − A by
 *     reach(d) = |(m_B(top) − m_A(top)) − (m_B(0) − m_A(0))|
 * and the mean difference by reach(d) / n, n the queries the comparison averages. A doc at the
 * same rank in both runs moves each side alike and the difference hardly at all; a doc only one
 * run shows moves it most. With one run the reach is that run's own swing |m_A(top) − m_A(0)|.
 * Queries that count in the means come first (a query without a positive judgment is left out
 * of them, and a grade there would add a query rather than move one); ties go to the larger
 * swing of either side, then to query order and rank. Pure: the runs come
 * from the experiment store or a fresh evaluation, the ratings are the query set's current ones
 * (a doc judged since the runs drops out).
 */
import type { RunResult } from './compare-run-result.ts';
import { InvalidMetricParameterError, type DocId, type MetricOptions } from './metrics.ts';
import { resolveMetric } from './metrics-registry.ts';
import { unjudgedInTopK } from './metrics-unjudged.ts';

export interface JudgeQueueItem {
  readonly query: string;
  readonly docId: DocId;
  /** 1-based rank in A's / B's top k; null when that run does not show it there. */
  readonly rankA: number | null;
  readonly rankB: number | null;
  /** How far its grade can move the mean difference B − A (mean-metric units). */
  readonly reach: number;
  /** How far its grade can move A's / B's mean (mean-metric units). */
  readonly swingA: number;
  readonly swingB: number;
  /**
   * The query counts in the means today. A query without a positive judgment does not; judging
   * one of its hits relevant would add it, so its items follow all counted ones.
   */
  readonly counted: boolean;
}

export interface JudgeQueueOptions {
  /** The quality metric (with its cutoff, e.g. ndcg@10); its variant is ignored. */
  readonly metric: string;
  readonly a: RunResult;
  readonly b?: RunResult;
  /** query → docId → rating, now. */
  readonly ratings: ReadonlyMap<string, ReadonlyMap<DocId, number>>;
  /** The scale's top grade and the relevance threshold (metrics.ts options). */
  readonly metricOptions?: MetricOptions;
  /** Items returned, best first. Default 200. */
  readonly limit?: number;
}

export interface JudgeQueue {
  readonly metric: string;
  readonly k: number;
  /** Queries averaged (the divisor of reach and swing). */
  readonly queries: number;
  /** Unjudged (query, doc) pairs in either top k, before the limit. */
  readonly unjudged: number;
  readonly items: JudgeQueueItem[];
}

const EMPTY: ReadonlyMap<DocId, number> = new Map();

/** See the file comment. */
export function judgeQueue(options: JudgeQueueOptions): JudgeQueue {
  const base = resolveMetric(resolveMetric(options.metric).base);
  if (!base.quality) {
    throw new InvalidMetricParameterError(`judge queue: ${base.name} is not a quality metric`);
  }
  const k = base.k ?? options.a.k;
  const metricOptions = options.metricOptions ?? {};
  const top = metricOptions.maxGrade ?? 3;
  const inB = new Map((options.b?.queries ?? []).map((q) => [q.query, q]));
  const answered = options.a.queries.filter(
    (q) =>
      q.error === undefined && (options.b === undefined || inB.get(q.query)?.error === undefined),
  );
  // The comparison averages queries that count in both runs; at least 1 so reach stays finite.
  const countedQueries = new Set(
    answered
      .filter(
        (q) =>
          q.excluded === null && (options.b === undefined || inB.get(q.query)?.excluded === null),
      )
      .map((q) => q.query),
  );
  const counted = countedQueries.size;
  const n = Math.max(1, counted);
  const candidates: JudgeQueueItem[] = [];
  for (const qa of answered) {
    const qb = inB.get(qa.query);
    const ratings = options.ratings.get(qa.query) ?? EMPTY;
    const rankingA = { hits: qa.hits, ratings };
    const rankingB = qb ? { hits: qb.hits, ratings } : null;
    const docs = new Set([
      ...unjudgedInTopK(rankingA, k),
      ...(rankingB ? unjudgedInTopK(rankingB, k) : []),
    ]);
    for (const docId of docs) {
      const graded = (grade: number) => {
        const withDoc = new Map(ratings).set(docId, grade);
        return {
          a: base.compute({ hits: qa.hits, ratings: withDoc }, metricOptions),
          b: rankingB ? base.compute({ hits: rankingB.hits, ratings: withDoc }, metricOptions) : 0,
        };
      };
      const low = graded(0);
      const high = graded(top);
      const swingA = Math.abs(high.a - low.a) / n;
      const swingB = rankingB ? Math.abs(high.b - low.b) / n : 0;
      const reach = rankingB ? Math.abs(high.b - high.a - (low.b - low.a)) / n : swingA;
      const rankOf = (hits: readonly string[]) => {
        const index = hits.slice(0, k).indexOf(docId);
        return index === -1 ? null : index + 1;
      };
      candidates.push({
        query: qa.query,
        docId,
        rankA: rankOf(qa.hits),
        rankB: rankingB ? rankOf(rankingB.hits) : null,
        reach,
        swingA,
        swingB,
        counted: countedQueries.has(qa.query),
      });
    }
  }
  const order = new Map(answered.map((q, i) => [q.query, i]));
  const firstRank = (item: JudgeQueueItem) =>
    Math.min(item.rankA ?? Infinity, item.rankB ?? Infinity);
  const sorted = candidates
    .map((item) => ({ item, swing: Math.max(item.swingA, item.swingB) }))
    .sort(
      (x, y) =>
        Number(y.item.counted) - Number(x.item.counted) ||
        y.item.reach - x.item.reach ||
        y.swing - x.swing ||
        order.get(x.item.query)! - order.get(y.item.query)! ||
        firstRank(x.item) - firstRank(y.item),
    )
    .map((entry) => entry.item);
  return {
    metric: base.name,
    k,
    queries: counted,
    unjudged: candidates.length,
    items: sorted.slice(0, options.limit ?? 200),
  };
}
