/**
 * How much two rankings of the same query agree, independent of judgments: Jaccard@k (set
 * overlap of the top k) and rank-biased overlap.
 *
 * RBO (Webber, Moffat & Zobel, "A similarity measure for indefinite rankings", TOIS 2010) weighs
 * agreement at depth d by p^(d−1): with persistence p = 0.9 the top 10 carry ~86 % of the weight.
 * We report RBO_ext, the paper's point estimate for finite lists (its eq. 32): it assumes the
 * agreement seen at the end of the evaluated prefix continues below it, and handles lists of
 * different lengths by assuming the shorter list's unseen items match nothing seen so far.
 * Identical lists score 1 and disjoint lists 0.
 */
import { RwbError } from '../errors.ts';

export const DEFAULT_RBO_PERSISTENCE = 0.9;

/** The list with repeated ids removed (first occurrence kept): both measures assume sets. */
function distinct(list: readonly string[], k: number | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of list) {
    if (k !== undefined && out.length >= k) break;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

function checkK(k: number | undefined, measure: string): void {
  if (k !== undefined && (!Number.isInteger(k) || k <= 0)) {
    throw new RwbError('INVALID_INPUT', `${measure}: k must be a positive integer, got ${k}`);
  }
}

/** |A@k ∩ B@k| / |A@k ∪ B@k|; two empty lists are identical (1). */
export function jaccardAtK(
  a: readonly string[],
  b: readonly string[],
  k: number | undefined,
): number {
  checkK(k, 'jaccard');
  const left = new Set(distinct(a, k));
  const right = distinct(b, k);
  if (left.size === 0 && right.length === 0) return 1;
  let shared = 0;
  for (const id of right) if (left.has(id)) shared++;
  return shared / (left.size + right.length - shared);
}

export interface RboOptions {
  /** Persistence p in (0, 1): the probability of looking one rank deeper. Default 0.9. */
  p?: number;
  /** Evaluate only the top k of each list (e.g. the k that was asked of the search). */
  k?: number;
}

/**
 * Extrapolated rank-biased overlap RBO_ext of two rankings (Webber et al. 2010, eq. 32).
 *
 * With L the longer list (length l), S the shorter (length s) and X_d the overlap of their
 * prefixes of depth d (S's prefix stops growing at s):
 *   RBO_ext = (1−p)/p · [ Σ_{d=1..l} X_d/d · p^d + Σ_{d=s+1..l} X_s(d−s)/(s·d) · p^d ]
 *             + [ (X_l − X_s)/l + X_s/s ] · p^l
 * For equal lengths (s = l = k) this is X_k/k · p^k + (1−p)/p · Σ_{d=1..k} X_d/d · p^d.
 * Two empty lists are identical (1); one empty list against a non-empty one scores 0.
 */
export function rankBiasedOverlap(
  a: readonly string[],
  b: readonly string[],
  options: RboOptions = {},
): number {
  const p = options.p ?? DEFAULT_RBO_PERSISTENCE;
  if (!(p > 0 && p < 1)) {
    throw new RwbError('INVALID_INPUT', `rbo: persistence p must lie in (0, 1), got ${p}`);
  }
  checkK(options.k, 'rbo');
  const first = distinct(a, options.k);
  const second = distinct(b, options.k);
  if (first.length === 0 && second.length === 0) return 1;
  if (first.length === 0 || second.length === 0) return 0;
  const [longer, shorter] = first.length >= second.length ? [first, second] : [second, first];
  const l = longer.length;
  const s = shorter.length;

  const seenInLonger = new Set<string>();
  const seenInShorter = new Set<string>();
  let overlap = 0;
  let overlapAtS = 0;
  let weighted = 0;
  let weight = 1;
  for (let d = 1; d <= l; d++) {
    weight *= p;
    const fromLonger = longer[d - 1] as string;
    if (seenInShorter.has(fromLonger)) overlap++;
    seenInLonger.add(fromLonger);
    if (d <= s) {
      const fromShorter = shorter[d - 1] as string;
      if (seenInLonger.has(fromShorter)) overlap++;
      // fromLonger is already in seenInLonger, so an id at the same depth in both counts once.
      seenInShorter.add(fromShorter);
      if (d === s) overlapAtS = overlap;
    }
    weighted += (overlap / d) * weight;
    if (d > s) weighted += ((overlapAtS * (d - s)) / (s * d)) * weight;
  }
  const tail = ((overlap - overlapAtS) / l + overlapAtS / s) * weight;
  return ((1 - p) / p) * weighted + tail;
}
