/**
 * Does a comparison's winner survive what the judgments do not know? On the standard values
 * (unjudged = 0) one config wins; this asks the same question on the condensed lists (unjudged
 * hits removed) and across the bounds (the winner's lower value against the loser's upper value,
 * i.e. the loser's unjudged hits all at the top grade). Pure: it reads the companion scores
 * (`ndcg@10:condensed`, `ndcg@10:upper`) that metrics-summary.ts adds to every run; runs recorded
 * before them give no verdict (null).
 */
import type { RunQueryResult } from './compare-run-result.ts';
import { companionNames } from './metrics-unjudged.ts';
import { mean } from './stats-significance.ts';

export type RobustnessVerdict =
  /** The winner also wins on condensed lists, and its lower mean exceeds the loser's upper mean. */
  | 'robust'
  /** The winner also wins on condensed lists, but the loser's upper mean reaches its lower mean. */
  | 'condensed-only'
  /** On condensed lists the winner does not win: the standard win comes from unjudged hits. */
  | 'not-robust'
  /** No winner on the standard value (equal means, or no query counts). */
  | 'no-winner';

export interface ComparisonRobustness {
  /** The base metric the verdict is about (`ndcg@10` also when comparing `ndcg@10:upper`). */
  readonly metric: string;
  /** The winner on the standard means; null when they are equal. */
  readonly winner: 'A' | 'B' | null;
  /** Paired queries whose standard, condensed and upper values are all known for both runs. */
  readonly pairs: number;
  readonly standard: { meanA: number; meanB: number; meanDelta: number };
  readonly condensed: {
    meanA: number;
    meanB: number;
    meanDelta: number;
    /** The standard winner also has the higher condensed mean. */
    sameWinner: boolean;
  };
  readonly bounds: {
    lowerA: number;
    upperA: number;
    lowerB: number;
    upperB: number;
    /** The winner's lower mean is above the loser's upper mean. */
    holds: boolean;
  };
  /** Queries one run wins on the standard value whose win holds across the bounds. */
  readonly settledQueries: number;
  /** Queries one run wins (or loses) on the standard value. */
  readonly decidedQueries: number;
  readonly verdict: RobustnessVerdict;
  /** One sentence for tables and screens. */
  readonly summary: string;
}

/** One paired query's values on both sides, for the per-query view and the verdict. */
export interface PairedRange {
  readonly value: number;
  readonly condensed: number;
  readonly upper: number;
}

/** The standard / condensed / upper values of `metric` in one query's scores, if all present. */
export function pairedRange(q: RunQueryResult, metric: string): PairedRange | null {
  const names = companionNames(metric);
  const read = (name: string) => (Object.hasOwn(q.scores, name) ? q.scores[name] : undefined);
  const value = read(metric);
  const condensed = read(names.condensed);
  const upper = read(names.upper);
  if (value === undefined || condensed === undefined || upper === undefined) return null;
  return { value, condensed, upper };
}

const fmt = (v: number) => v.toFixed(4);
const signedFmt = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;

/**
 * The verdict over paired queries (already filtered to those that count: scored by both runs,
 * excluded by neither). Null when a pair lacks a companion (a run recorded before they existed).
 */
export function assessRobustness(
  metric: string,
  pairs: ReadonlyArray<{ a: PairedRange | null; b: PairedRange | null }>,
  labels: { a: string; b: string } = { a: 'A', b: 'B' },
  epsilon = 0,
): ComparisonRobustness | null {
  if (pairs.length === 0) return null;
  const complete: Array<{ a: PairedRange; b: PairedRange }> = [];
  for (const pair of pairs) {
    if (pair.a === null || pair.b === null) return null;
    complete.push({ a: pair.a, b: pair.b });
  }
  const meanOf = (side: 'a' | 'b', key: keyof PairedRange) =>
    mean(complete.map((p) => p[side][key]));
  const standard = { meanA: meanOf('a', 'value'), meanB: meanOf('b', 'value') };
  const condensed = { meanA: meanOf('a', 'condensed'), meanB: meanOf('b', 'condensed') };
  const bounds = {
    lowerA: standard.meanA,
    upperA: meanOf('a', 'upper'),
    lowerB: standard.meanB,
    upperB: meanOf('b', 'upper'),
  };
  const standardDelta = standard.meanB - standard.meanA;
  const condensedDelta = condensed.meanB - condensed.meanA;
  const winner: 'A' | 'B' | null = standardDelta > 0 ? 'B' : standardDelta < 0 ? 'A' : null;
  const sameWinner =
    winner === 'B' ? condensedDelta > 0 : winner === 'A' ? condensedDelta < 0 : false;
  const holds =
    winner === 'B'
      ? bounds.lowerB > bounds.upperA
      : winner === 'A'
        ? bounds.lowerA > bounds.upperB
        : false;
  let decided = 0;
  let settled = 0;
  for (const { a, b } of complete) {
    const delta = b.value - a.value;
    if (Math.abs(delta) <= epsilon) continue;
    decided++;
    if (delta > 0 ? b.value > a.upper : a.value > b.upper) settled++;
  }
  const verdict: RobustnessVerdict =
    winner === null
      ? 'no-winner'
      : !sameWinner
        ? 'not-robust'
        : holds
          ? 'robust'
          : 'condensed-only';
  const assessed: Omit<ComparisonRobustness, 'summary'> = {
    metric,
    winner,
    pairs: complete.length,
    standard: { ...standard, meanDelta: standardDelta },
    condensed: { ...condensed, meanDelta: condensedDelta, sameWinner },
    bounds: { ...bounds, holds },
    settledQueries: settled,
    decidedQueries: decided,
    verdict,
  };
  return { ...assessed, summary: describeRobustness(assessed, labels) };
}

/** The verdict in one sentence, with the surface's names for A and B. */
export function describeRobustness(
  r: Omit<ComparisonRobustness, 'summary'>,
  labels: { a: string; b: string },
): string {
  if (r.winner === null) {
    return `${r.metric}: no winner on the standard value (equal means); condensed lists Δ ${signedFmt(r.condensed.meanDelta)}`;
  }
  const [win, lose] = r.winner === 'B' ? [labels.b, labels.a] : [labels.a, labels.b];
  const sign = r.winner === 'B' ? 1 : -1;
  const winLower = r.winner === 'B' ? r.bounds.lowerB : r.bounds.lowerA;
  const loseUpper = r.winner === 'B' ? r.bounds.upperA : r.bounds.upperB;
  const parts = [
    `${win} beats ${lose} on ${r.metric} (Δ ${signedFmt(sign * r.standard.meanDelta)})`,
    r.condensed.sameWinner
      ? `on condensed lists too (Δ ${signedFmt(sign * r.condensed.meanDelta)})`
      : `but not on condensed lists (Δ ${signedFmt(sign * r.condensed.meanDelta)})`,
    r.bounds.holds
      ? `${win}'s lower bound ${fmt(winLower)} is above ${lose}'s upper bound ${fmt(loseUpper)}`
      : `${lose}'s upper bound ${fmt(loseUpper)} is not below ${win}'s lower bound ${fmt(winLower)}`,
  ];
  const conclusion = r.verdict === 'robust' ? 'robust' : 'not robust to the unjudged hits';
  return `${parts.join('; ')} → ${conclusion} (${r.settledQueries} of ${r.decidedQueries} decided queries settled whatever the unjudged grades)`;
}
