/**
 * The bridge to Elasticsearch `_rank_eval`: compute a metric exactly as ES would from its request
 * parameters (rankEvalEquivalent), and translate our metric names into the `metric` section of a
 * `_rank_eval` request (rankEvalMetricFor), so `rwb eval --verify` can compare against a cluster.
 */
import type { estypes } from '@elastic/elasticsearch';
import {
  assertValidK,
  DEFAULT_MAX_GRADE,
  dcgAtK,
  errAtK,
  InvalidMetricParameterError,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
  type MetricOptions,
  type RatedRanking,
} from './metrics.ts';
import { parseMetricName } from './metrics-registry.ts';

export type RankEvalMetricName =
  'dcg' | 'precision' | 'recall' | 'mean_reciprocal_rank' | 'expected_reciprocal_rank';

/** The parameters of a `_rank_eval` metric, with ES's names and defaults. */
export interface RankEvalOptions {
  /** Search window; ES default 10. */
  k?: number;
  /** dcg: divide by the ideal DCG. ES default false. */
  normalize?: boolean;
  /** dcg, expected_reciprocal_rank: rating for unrated hits; unset = they add nothing. */
  unknown_doc_rating?: number;
  /** precision, recall, mean_reciprocal_rank: ES default 1. */
  relevant_rating_threshold?: number;
  /** precision: leave unrated hits out of the denominator. ES default false. */
  ignore_unlabeled?: boolean;
  /** expected_reciprocal_rank: required by ES. */
  maximum_relevance?: number;
}

const ES_DEFAULT_K = 10;

/** The score ES `_rank_eval` reports for this ranking with this metric and these parameters. */
export function rankEvalEquivalent(
  metric: RankEvalMetricName,
  ranking: RatedRanking,
  options: RankEvalOptions = {},
): number {
  const k = options.k ?? ES_DEFAULT_K;
  assertValidK(k, metric);
  const ours: MetricOptions = {
    relevantThreshold: options.relevant_rating_threshold,
    unknownRating: options.unknown_doc_rating,
    ignoreUnrated: options.ignore_unlabeled,
    maxGrade: options.maximum_relevance,
    idealDepth: 'returned',
  };
  switch (metric) {
    case 'dcg':
      return options.normalize ? ndcgAtK(ranking, k, ours) : dcgAtK(ranking, k, ours);
    case 'precision':
      return precisionAtK(ranking, k, ours);
    case 'recall':
      return recallAtK(ranking, k, ours);
    case 'mean_reciprocal_rank':
      return reciprocalRank(ranking, k, ours);
    case 'expected_reciprocal_rank':
      if (options.maximum_relevance === undefined) {
        throw new InvalidMetricParameterError(
          'expected_reciprocal_rank needs maximum_relevance (ES requires it)',
        );
      }
      return errAtK(ranking, k, ours);
  }
}

/** estypes lacks `unknown_doc_rating`, which ES accepts on dcg and expected_reciprocal_rank. */
export type RankEvalMetricRequest = estypes.RankEvalRankEvalMetric & {
  dcg?: estypes.RankEvalRankEvalMetricDiscountedCumulativeGain & { unknown_doc_rating?: number };
  expected_reciprocal_rank?: estypes.RankEvalRankEvalMetricExpectedReciprocalRank & {
    unknown_doc_rating?: number;
  };
};

/**
 * The `_rank_eval` metric section equivalent to one of our metric names, or null when ES has no
 * equivalent (ap, unrated) or ES would compute it differently (mrr without a cutoff).
 */
export function rankEvalMetricFor(
  name: string,
  options: MetricOptions = {},
): RankEvalMetricRequest | null {
  const { kind, k } = parseMetricName(name);
  if (k === undefined) return null;
  if (options.idealDepth === 'k' && kind === 'ndcg') return null;
  const threshold = options.relevantThreshold;
  const withThreshold =
    threshold === undefined ? { k } : { k, relevant_rating_threshold: threshold };
  const withUnknown =
    options.unknownRating === undefined ? {} : { unknown_doc_rating: options.unknownRating };
  switch (kind) {
    case 'ndcg':
      return { dcg: { k, normalize: true, ...withUnknown } };
    case 'dcg':
      return { dcg: { k, normalize: false, ...withUnknown } };
    case 'p':
      return { precision: { ...withThreshold, ignore_unlabeled: options.ignoreUnrated ?? false } };
    case 'recall':
      return { recall: withThreshold };
    case 'mrr':
      return { mean_reciprocal_rank: withThreshold };
    case 'err':
      return {
        expected_reciprocal_rank: {
          k,
          maximum_relevance: options.maxGrade ?? DEFAULT_MAX_GRADE,
          ...withUnknown,
        },
      };
    case 'ap':
    case 'unrated':
      return null;
  }
}
