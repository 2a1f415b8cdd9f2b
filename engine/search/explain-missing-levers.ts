/**
 * Which lever would bring a product into the top k, computed from what ES explained — pure, so a
 * unit test can recompute every number:
 *  - ranking.fusion `sum`: a score is the sum of its explained parts (lexical per field, kNN,
 *    functions). Scaling one part's boost by r scales that part of every document, so the product
 *    passes a top-k hit i once (P_t − P_i)(r − 1) > total_i − total_t; the smallest such r over
 *    the top k is the estimate (documents between k and the product's rank are not explained, and
 *    combined_fields / tie-breaker parts are not exactly linear in a boost: `exact: false`).
 *  - `linear` / `rrf`: the sub-searches' lists are at hand, so each list's weight is scaled over a
 *    grid and the fusion re-run: the smallest factor that ranks the product within k (`exact: true`
 *    for those lists).
 */
import type { SearchConfig } from '../config/search-config-schema.ts';
import { formatConfigPath } from '../eval/tuner/config-path.ts';
import type { FusionSettings } from '../config/search-config-schema.ts';
import { fuseRankings, type FusionSource, type RankedList } from './fusion.ts';
import type { Lever, PartComparison, TermMatch } from './explain-missing-schema.ts';
import type { ScoreBreakdown } from './response-schema.ts';

/** A breakdown as named parts: `lexical:<field>`, `knn:text`, `knn:image`, `functions`, `other`. */
export function partsOf(breakdown: ScoreBreakdown | null): Map<string, number> {
  const parts = new Map<string, number>();
  if (breakdown === null) return parts;
  for (const [field, value] of Object.entries(breakdown.lexical.fields))
    parts.set(`lexical:${field}`, value);
  if (breakdown.knn.text !== 0) parts.set('knn:text', breakdown.knn.text);
  if (breakdown.knn.image !== 0) parts.set('knn:image', breakdown.knn.image);
  if (breakdown.functions !== 0) parts.set('functions', breakdown.functions);
  if (breakdown.other !== 0) parts.set('other', breakdown.other);
  return parts;
}

const round = (value: number, digits = 4): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** The product's parts against the k-th hit's, weakest (most negative delta) first. */
export function compareParts(
  target: ScoreBreakdown | null,
  kth: ScoreBreakdown | null,
): PartComparison[] {
  const a = partsOf(target);
  const b = partsOf(kth);
  const names = [...new Set([...a.keys(), ...b.keys()])];
  return names
    .map((part) => {
      const t = a.get(part) ?? 0;
      const k = b.get(part) ?? 0;
      return { part, target: round(t), kth: round(k), delta: round(t - k) };
    })
    .sort((x, y) => x.delta - y.delta || (x.part < y.part ? -1 : 1));
}

/**
 * The smallest factor on part `part` that lifts `target` above at least one of `top` (so into the
 * top k), or null when no factor does (the product has less of that part than every top hit).
 */
export function factorToPass(
  part: string,
  target: ScoreBreakdown,
  top: readonly ScoreBreakdown[],
): number | null {
  const pt = partsOf(target).get(part) ?? 0;
  let best: number | null = null;
  for (const hit of top) {
    const pi = partsOf(hit).get(part) ?? 0;
    const gap = hit.total - target.total;
    if (gap <= 0) return 1;
    if (pt <= pi) continue;
    const factor = 1 + gap / (pt - pi);
    if (best === null || factor < best) best = factor;
  }
  return best;
}

interface BoostTarget {
  path: string;
  label: string;
  current: number;
}

/** Config paths whose value scales a part: a field's boost in each domain that searches it, or a ranking weight. */
export function boostTargets(
  part: string,
  config: SearchConfig,
  weights: WeightsLike,
): BoostTarget[] {
  if (part === 'knn:text')
    return [
      {
        path: formatConfigPath(['ranking', 'expression', 'text_embedding_relevance']),
        label: 'the text kNN weight',
        current: weights.textEmbedding,
      },
    ];
  if (part === 'knn:image')
    return [
      {
        path: formatConfigPath(['ranking', 'expression', 'image_embedding_relevance']),
        label: 'the image kNN weight',
        current: weights.imageEmbedding,
      },
    ];
  if (!part.startsWith('lexical:')) return [];
  const fields = part.slice('lexical:'.length).split('+');
  const out: BoostTarget[] = [];
  for (const domain of config.domains) {
    for (const { field, boost } of domain.fields) {
      if (!fields.includes(field)) continue;
      out.push({
        path: formatConfigPath(['domains', domain.name, 'fields', field, 'boost']),
        label: `${field}'s boost in domain ${domain.name}`,
        current: boost,
      });
    }
  }
  return out;
}

export interface WeightsLike {
  bm25: number;
  textEmbedding: number;
  imageEmbedding: number;
}

/** `sum` levers: per part the product has, the boost factor (from the explain) that passes a top-k hit. */
export function sumBoostLevers(
  target: ScoreBreakdown,
  top: readonly ScoreBreakdown[],
  config: SearchConfig,
  weights: WeightsLike,
): Lever[] {
  const levers: Array<Lever & { factor: number }> = [];
  for (const [part, value] of partsOf(target)) {
    if (value <= 0 || part === 'other' || part === 'functions') continue;
    const factor = factorToPass(part, target, top);
    if (factor === null || factor <= 1) continue;
    for (const boost of boostTargets(part, config, weights)) {
      const suggested = round(boost.current * factor * 1.01, 3);
      levers.push({
        kind: part.startsWith('knn:') ? 'weight' : 'field_boost',
        message: `raise ${boost.label} from ${boost.current} to about ${suggested} (×${round(factor * 1.01, 2)}): its ${part.replace('lexical:', '')} part ${round(value, 3)} would then pass the top-${top.length} hit it is closest to`,
        path: boost.path,
        current: boost.current,
        suggested,
        exact: false,
        verified: null,
        factor,
      });
    }
  }
  return levers.sort((a, b) => a.factor - b.factor).map(({ factor: _f, ...lever }) => lever);
}

/**
 * "Matches only brief_en, whose boost is 0.5": the product's lexical score comes only from fields
 * boosted below the strongest field of their domain, or the message is null.
 */
export function weakFieldsMessage(target: ScoreBreakdown, config: SearchConfig): string | null {
  const fields = Object.keys(target.lexical.fields);
  if (fields.length === 0) return null;
  const described: string[] = [];
  for (const name of fields) {
    if (name.includes('+')) return null;
    const owner = config.domains.find((d) => d.fields.some((f) => f.field === name));
    if (owner === undefined) return null;
    const boost = owner.fields.find((f) => f.field === name)!.boost;
    const strongest = Math.max(...owner.fields.map((f) => f.boost));
    if (boost >= strongest) return null;
    described.push(`${name} (boost ${boost}; ${owner.name}'s strongest field has ${strongest})`);
  }
  return `matches only ${described.join(', ')}`;
}

const FACTORS = [1.25, 1.5, 2, 3, 5, 10, 20] as const;

const SOURCE_PATH: Record<FusionSource, string> = {
  lexical: 'bm25',
  text_knn: 'text_embedding_relevance',
  image_knn: 'image_embedding_relevance',
};

/** `linear` / `rrf` levers: each list's weight scaled over FACTORS, the fusion re-run on the same lists. */
export function fusionWeightLevers(
  lists: readonly RankedList[],
  settings: FusionSettings & { method: 'linear' | 'rrf' },
  key: string,
  k: number,
): Lever[] {
  const levers: Lever[] = [];
  lists.forEach((list, i) => {
    if (list.weight <= 0 || !list.hits.some((hit) => hit.key === key)) return;
    for (const factor of FACTORS) {
      const scaled = lists.map((other, j) =>
        j === i ? { ...other, weight: other.weight * factor } : other,
      );
      const rank = fuseRankings(scaled, settings).findIndex((hit) => hit.key === key) + 1;
      if (rank > 0 && rank <= k) {
        const suggested = round(list.weight * factor, 3);
        levers.push({
          kind: 'weight',
          message: `raise the ${list.source} weight (${SOURCE_PATH[list.source]}) from ${list.weight} to ${suggested} (×${factor}): the ${settings.method} fusion then ranks it ${rank}`,
          path: formatConfigPath(['ranking', 'expression', SOURCE_PATH[list.source]]),
          current: list.weight,
          suggested,
          exact: true,
          verified: null,
        });
        return;
      }
    }
  });
  return levers;
}

/** Too few terms: operator `or`, or the minimum_should_match the product meets. */
export function operatorLevers(matches: readonly TermMatch[]): Lever[] {
  const levers: Lever[] = [];
  for (const m of matches) {
    if (m.required === null || m.bestMatched === 0 || m.bestMatched >= m.required) continue;
    if (m.type === 'phrase' || m.type === 'phrase_prefix') continue;
    const percent = `${Math.floor((100 * m.bestMatched) / m.tokens)}%`;
    levers.push(
      m.operator === 'and'
        ? {
            kind: 'operator',
            message: `domain ${m.domain} needs all ${m.tokens} terms (operator and); it has ${m.bestMatched}: operator or with minimum_should_match ${percent} lets it match`,
            path: `domains.${m.domain}.operator`,
            current: 'and',
            suggested: 'or',
            exact: true,
            verified: null,
          }
        : {
            kind: 'operator',
            message: `domain ${m.domain} needs ${m.required} of ${m.tokens} terms (minimum_should_match ${m.minimumShouldMatch ?? '1'}); it has ${m.bestMatched}: minimum_should_match ${percent} lets it match`,
            path: `domains.${m.domain}.minimumShouldMatch`,
            current: m.minimumShouldMatch,
            suggested: percent,
            exact: true,
            verified: null,
          },
    );
  }
  return levers;
}

/**
 * `linear` / `rrf`: a lexical field's boost moves the product within the lexical list, and the
 * fusion is re-run on the moved list. `explained` holds the lexical breakdowns of the lexical list's
 * documents down to the product (and the product); documents below it keep their scores (they
 * could rise too: an estimate).
 */
export function fusedBoostLevers(
  lists: readonly RankedList[],
  settings: FusionSettings & { method: 'linear' | 'rrf' },
  key: string,
  k: number,
  explained: ReadonlyMap<string, ScoreBreakdown>,
  config: SearchConfig,
  weights: WeightsLike,
): Lever[] {
  const at = lists.findIndex((list) => list.source === 'lexical');
  const target = explained.get(key);
  if (at < 0 || target === undefined) return [];
  const lexical = lists[at]!;
  const levers: Lever[] = [];
  for (const [part, value] of partsOf(target)) {
    if (!part.startsWith('lexical:') || value <= 0) continue;
    for (const factor of FACTORS) {
      const moved = lexical.hits
        .map((hit) => {
          const own = explained.get(hit.key);
          const p = own === undefined ? 0 : (partsOf(own).get(part) ?? 0);
          return { key: hit.key, score: hit.score + p * (factor - 1) };
        })
        .sort((a, b) => b.score - a.score);
      const scaled = lists.map((list, j) => (j === at ? { ...list, hits: moved } : list));
      const rank = fuseRankings(scaled, settings).findIndex((hit) => hit.key === key) + 1;
      if (rank < 1 || rank > k) continue;
      const lexicalRank = moved.findIndex((hit) => hit.key === key) + 1;
      for (const boost of boostTargets(part, config, weights)) {
        const suggested = round(boost.current * factor, 3);
        levers.push({
          kind: 'field_boost',
          message: `raise ${boost.label} from ${boost.current} to ${suggested} (×${factor}): lexical rank ${lexicalRank}, and the ${settings.method} fusion then ranks it ${rank}`,
          path: boost.path,
          current: boost.current,
          suggested,
          exact: false,
          verified: null,
        });
      }
      break;
    }
  }
  return levers;
}
