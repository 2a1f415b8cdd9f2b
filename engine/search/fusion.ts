/**
 * Hybrid fusion in the engine (ranking.fusion `linear` / `rrf`): the lexical search and each kNN
 * search run apart, each returns its own top `window` in its own score scale, and this module turns
 * those ranked lists into one ranking. It is pure — no ES, no I/O — so the searcher, `rwb serve`,
 * the eval runner and the tuner all rank through the same function (and a test can recompute it).
 *
 *  - `rrf`: score(d) = Σ_lists weight / (rankConstant + rank(d)), rank 1-based; a list that does
 *    not hold d adds nothing.
 *  - `linear`: each list's scores are normalised (minmax → [0,1]; l2 → s / ‖s‖; zscore →
 *    (s − mean) / sd; none → raw), a list that does not hold d counts 0, and the weighted
 *    arithmetic / geometric / harmonic mean of the normalised values is the score. Geometric and
 *    harmonic means are 0 as soon as one part is 0: a document found by one search only, or the
 *    lowest of a minmax list, ranks after every document both searches found.
 *
 * The weights are the ranking expression's coefficients (bm25() for the lexical list,
 * text_embedding_relevance() / image_embedding_relevance() for the kNN lists). Ties are broken by
 * the best rank in any list, then by key, so the order is deterministic.
 */
import type { FusionSettings } from '../config/search-config-schema.ts';

export type FusionSource = 'lexical' | 'text_knn' | 'image_knn';

export interface RankedHit {
  /** What identifies a document across lists (the ES `_id`). */
  readonly key: string;
  readonly score: number;
}

export interface RankedList {
  readonly source: FusionSource;
  readonly weight: number;
  /** In rank order (best first), as the sub-search returned them. */
  readonly hits: readonly RankedHit[];
}

export interface FusedPart {
  readonly source: FusionSource;
  readonly weight: number;
  /** The sub-search's own score; null when that list does not hold the document. */
  readonly score: number | null;
  /** 1-based rank in that list; null when absent. */
  readonly rank: number | null;
  /** The value the fusion combined: the normalised score (linear), 1/(k+rank) (rrf); 0 when absent. */
  readonly normalized: number;
  /** This list's share of the fused score (the shares add up to it for rrf and the arithmetic mean). */
  readonly contribution: number;
}

export interface FusedHit {
  readonly key: string;
  readonly score: number;
  readonly parts: readonly FusedPart[];
}

type Method = Exclude<FusionSettings['method'], 'sum'>;
type FusionParameters = Pick<FusionSettings, 'normalizer' | 'combination' | 'rankConstant'> & {
  method: Method;
};

function normalizer(kind: FusionSettings['normalizer'], scores: number[]): (s: number) => number {
  switch (kind) {
    case 'none':
      return (s) => s;
    case 'minmax': {
      const min = Math.min(...scores);
      const max = Math.max(...scores);
      // One document, or all equal: each is as good as the best.
      return max > min ? (s) => (s - min) / (max - min) : () => 1;
    }
    case 'l2': {
      const norm = Math.sqrt(scores.reduce((sum, s) => sum + s * s, 0));
      return norm > 0 ? (s) => s / norm : () => 0;
    }
    case 'zscore': {
      const mean = scores.reduce((sum, s) => sum + s, 0) / scores.length;
      const variance = scores.reduce((sum, s) => sum + (s - mean) ** 2, 0) / scores.length;
      const sd = Math.sqrt(variance);
      return sd > 0 ? (s) => (s - mean) / sd : () => 0;
    }
  }
}

interface Entry {
  readonly key: string;
  /** Per list: the 1-based rank, 0 when the list does not hold the document. */
  readonly ranks: number[];
  /** Per list: the sub-search's score (meaningful where the rank is not 0). */
  readonly scores: number[];
  bestRank: number;
  score: number;
}

function collect(lists: readonly RankedList[]): Entry[] {
  const byKey = new Map<string, Entry>();
  const entries: Entry[] = [];
  const n = lists.length;
  for (let index = 0; index < n; index++) {
    const hits = lists[index]!.hits;
    for (let position = 0; position < hits.length; position++) {
      const hit = hits[position]!;
      let entry = byKey.get(hit.key);
      if (entry === undefined) {
        entry = {
          key: hit.key,
          ranks: new Array<number>(n).fill(0),
          scores: new Array<number>(n).fill(0),
          bestRank: Infinity,
          score: 0,
        };
        byKey.set(hit.key, entry);
        entries.push(entry);
      }
      // A list repeating a key (it should not) keeps its first, best-ranked occurrence.
      if (entry.ranks[index] !== 0) continue;
      entry.ranks[index] = position + 1;
      entry.scores[index] = hit.score;
      if (position + 1 < entry.bestRank) entry.bestRank = position + 1;
    }
  }
  return entries;
}

function combine(
  combination: FusionSettings['combination'],
  values: readonly number[],
  weights: readonly number[],
  totalWeight: number,
): { score: number; contributions: number[] } {
  switch (combination) {
    case 'arithmetic': {
      const contributions = values.map((v, i) => (weights[i]! * v) / totalWeight);
      return { score: contributions.reduce((a, b) => a + b, 0), contributions };
    }
    case 'geometric': {
      if (values.some((v, i) => weights[i]! > 0 && v <= 0))
        return { score: 0, contributions: values.map(() => 0) };
      const logs = values.map((v, i) =>
        weights[i]! > 0 ? (weights[i]! * Math.log(v)) / totalWeight : 0,
      );
      const score = Math.exp(logs.reduce((a, b) => a + b, 0));
      return { score, contributions: shares(score, logs) };
    }
    case 'harmonic': {
      if (values.some((v, i) => weights[i]! > 0 && v <= 0))
        return { score: 0, contributions: values.map(() => 0) };
      const inverses = values.map((v, i) => (weights[i]! > 0 ? weights[i]! / v : 0));
      const score = totalWeight / inverses.reduce((a, b) => a + b, 0);
      return {
        score,
        contributions: shares(
          score,
          inverses.map((x) => (x > 0 ? 1 / x : 0)),
        ),
      };
    }
  }
}

/** Splits `total` in proportion to `weights` (for geometric / harmonic, an attribution only). */
function shares(total: number, weights: readonly number[]): number[] {
  const positive = weights.map((w) => Math.abs(w));
  const sum = positive.reduce((a, b) => a + b, 0);
  return positive.map((w) => (sum > 0 ? (total * w) / sum : 0));
}

/**
 * One ranking from several: see the module comment. Lists with weight 0 take no part. Every
 * document is scored and ranked; the first `limit` (default all) are returned with their `parts`
 * (a page needs its own hits, not the whole fused window: the live metric fuses 100 queries at
 * every slider move).
 */
export function fuseRankings(
  lists: readonly RankedList[],
  settings: FusionParameters,
  limit = Infinity,
): FusedHit[] {
  const active = lists.filter((list) => list.weight > 0);
  const entries = collect(active);
  const weights = active.map((list) => list.weight);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const normalize = active.map((list) =>
    settings.method === 'linear'
      ? normalizer(
          settings.normalizer,
          list.hits.map((hit) => hit.score),
        )
      : () => 0,
  );
  const valuesOf = (entry: Entry): number[] =>
    entry.ranks.map((rank, i) => {
      if (rank === 0) return 0;
      return settings.method === 'rrf'
        ? 1 / (settings.rankConstant + rank)
        : normalize[i]!(entry.scores[i]!);
    });

  for (const entry of entries) {
    if (settings.method === 'rrf') {
      let score = 0;
      for (let i = 0; i < weights.length; i++) {
        const rank = entry.ranks[i]!;
        if (rank !== 0) score += weights[i]! * (1 / (settings.rankConstant + rank));
      }
      entry.score = score;
    } else {
      entry.score = combine(settings.combination, valuesOf(entry), weights, totalWeight).score;
    }
  }
  entries.sort(
    (a, b) =>
      b.score - a.score || a.bestRank - b.bestRank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const kept = limit < entries.length ? entries.slice(0, Math.max(0, limit)) : entries;
  return kept.map((entry) => {
    const values = valuesOf(entry);
    const contributions =
      settings.method === 'rrf'
        ? values.map((v, i) => weights[i]! * v)
        : combine(settings.combination, values, weights, totalWeight).contributions;
    return {
      key: entry.key,
      score: entry.score,
      parts: active.map((list, i) => ({
        source: list.source,
        weight: list.weight,
        score: entry.ranks[i] === 0 ? null : entry.scores[i]!,
        rank: entry.ranks[i] === 0 ? null : entry.ranks[i]!,
        normalized: values[i]!,
        contribution: contributions[i]!,
      })),
    };
  });
}
