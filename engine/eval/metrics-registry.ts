/**
 * Metrics by name, the way analysts write them: `ndcg@10`, `p@5`, `mrr`, `err@20`, `unrated@10`.
 * A quality metric's name may carry a variant (metrics-unjudged.ts): `ndcg@10:condensed` (the
 * condensed-list value), `ndcg@10:upper` (unjudged hits at the top grade); `ndcg@10:lower` is
 * `ndcg@10` itself.
 * `metricRegistry['ndcg@10']` resolves any cutoff on demand; `resolveMetric` does the same but
 * throws an InvalidMetricParameterError that says what is wrong with the name.
 */
import { ownValue } from '../own.ts';
import {
  averagePrecision,
  dcgAtK,
  errAtK,
  InvalidMetricParameterError,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  reciprocalRank,
  unratedAtK,
  type MetricOptions,
  type RatedRanking,
} from './metrics.ts';
import {
  CONDENSED_SUFFIX,
  condensedValue,
  UPPER_SUFFIX,
  upperValue,
  type BoundedKind,
} from './metrics-unjudged.ts';

export const METRIC_KINDS = ['ndcg', 'dcg', 'p', 'recall', 'mrr', 'err', 'ap', 'unrated'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/** A metric name as typed: a kind with or without a cutoff, e.g. `ndcg@10`, `mrr`. */
export type MetricName = MetricKind | `${MetricKind}@${number}`;

interface KindDefinition {
  /** Whether a name without `@k` is meaningful (the metric then uses the whole ranking). */
  readonly cutoff: 'required' | 'optional';
  /** Higher is better for quality metrics; `unrated` is a count that callers show, not optimise. */
  readonly quality: boolean;
  readonly description: string;
  readonly compute: (
    ranking: RatedRanking,
    k: number | undefined,
    options: MetricOptions,
  ) => number;
}

const KINDS: Readonly<Record<MetricKind, KindDefinition>> = {
  ndcg: {
    cutoff: 'required',
    quality: true,
    description: 'normalized discounted cumulative gain (gain 2^r − 1, log2 discount)',
    compute: ndcgAtK,
  },
  dcg: {
    cutoff: 'required',
    quality: true,
    description: 'discounted cumulative gain',
    compute: dcgAtK,
  },
  p: {
    cutoff: 'required',
    quality: true,
    description: 'precision (rating ≥ threshold)',
    compute: precisionAtK,
  },
  recall: {
    cutoff: 'required',
    quality: true,
    description: 'recall of relevant judged docs',
    compute: recallAtK,
  },
  mrr: {
    cutoff: 'optional',
    quality: true,
    description: 'reciprocal rank of the first relevant hit',
    compute: reciprocalRank,
  },
  err: {
    cutoff: 'required',
    quality: true,
    description: 'expected reciprocal rank (Chapelle et al.)',
    compute: errAtK,
  },
  ap: {
    cutoff: 'optional',
    quality: true,
    description: 'average precision',
    compute: averagePrecision,
  },
  unrated: {
    cutoff: 'required',
    quality: false,
    description: 'number of unrated hits in the top k',
    compute: (ranking, k) => unratedAtK(ranking, k),
  },
};

/** Other spellings people use (Quepid, trec_eval, ES) for the same kinds. */
const ALIASES: Readonly<Record<string, MetricKind>> = {
  precision: 'p',
  r: 'recall',
  rr: 'mrr',
  reciprocal_rank: 'mrr',
  mean_reciprocal_rank: 'mrr',
  map: 'ap',
  expected_reciprocal_rank: 'err',
};

/** Which value of a metric: today's (unjudged = 0), the condensed-list one, or the upper bound. */
export const METRIC_VARIANTS = ['value', 'condensed', 'upper'] as const;
export type MetricVariant = (typeof METRIC_VARIANTS)[number];

export interface MetricSpec {
  /** Canonical lower-case name, `${kind}@${k}` or `${kind}`, plus `:condensed` / `:upper`. */
  readonly name: string;
  /** The name without its variant suffix (`ndcg@10` for `ndcg@10:upper`). */
  readonly base: string;
  readonly kind: MetricKind;
  readonly k: number | undefined;
  readonly variant: MetricVariant;
}

export interface BoundMetric extends MetricSpec {
  readonly quality: boolean;
  readonly description: string;
  compute(ranking: RatedRanking, options?: MetricOptions): number;
}

function toKind(raw: string, name: string): MetricKind {
  const lower = raw.toLowerCase();
  if ((METRIC_KINDS as readonly string[]).includes(lower)) return lower as MetricKind;
  // Own keys only: "constructor" must not resolve to Object.prototype.constructor.
  const alias = ownValue(ALIASES, lower);
  if (alias) return alias;
  throw new InvalidMetricParameterError(
    `unknown metric "${name}"; known: ${METRIC_KINDS.join(', ')} (with @k, e.g. ndcg@10)`,
    { name },
  );
}

const VARIANT_SUFFIXES: ReadonlyArray<[string, MetricVariant]> = [
  [CONDENSED_SUFFIX, 'condensed'],
  [UPPER_SUFFIX, 'upper'],
  [':lower', 'value'],
];

/** Parses `kind@k[:variant]` (case-insensitive, aliases allowed) into its canonical spec. */
export function parseMetricName(name: string): MetricSpec {
  const trimmed = name.trim();
  const colon = trimmed.indexOf(':');
  if (colon === -1) return { ...parseBaseName(trimmed, name), variant: 'value' };
  const suffix = trimmed.slice(colon).toLowerCase();
  const variant = VARIANT_SUFFIXES.find(([text]) => text === suffix)?.[1];
  if (variant === undefined) {
    throw new InvalidMetricParameterError(
      `metric "${name}": unknown variant "${trimmed.slice(colon + 1)}"; known: condensed, upper, lower`,
      { name },
    );
  }
  const spec = parseBaseName(trimmed.slice(0, colon), name);
  if (variant !== 'value' && !KINDS[spec.kind].quality) {
    throw new InvalidMetricParameterError(
      `metric "${name}": ${spec.kind} is a count of unjudged hits and has no ${variant} value`,
      { name },
    );
  }
  return {
    ...spec,
    name: variant === 'value' ? spec.name : `${spec.name}:${variant}`,
    variant,
  };
}

function parseBaseName(trimmed: string, name: string): Omit<MetricSpec, 'variant'> {
  const at = trimmed.indexOf('@');
  const kind = toKind(at === -1 ? trimmed : trimmed.slice(0, at), name);
  if (at === -1) {
    if (KINDS[kind].cutoff === 'required') {
      throw new InvalidMetricParameterError(`metric "${name}" needs a cutoff, e.g. ${kind}@10`, {
        name,
      });
    }
    return { name: kind, base: kind, kind, k: undefined };
  }
  const kText = trimmed.slice(at + 1);
  const k = /^\d+$/.test(kText) ? Number(kText) : Number.NaN;
  if (!Number.isSafeInteger(k) || k <= 0) {
    throw new InvalidMetricParameterError(
      `metric "${name}": cutoff k must be a positive integer, got "${kText}"`,
      { name, k: kText },
    );
  }
  return { name: `${kind}@${k}`, base: `${kind}@${k}`, kind, k };
}

function bind(spec: MetricSpec): BoundMetric {
  const definition = KINDS[spec.kind];
  const plain = (ranking: RatedRanking, options: MetricOptions = {}) =>
    definition.compute(ranking, spec.k, options);
  const compute =
    spec.variant === 'condensed'
      ? (ranking: RatedRanking, options: MetricOptions = {}) =>
          condensedValue(plain, ranking, options)
      : spec.variant === 'upper'
        ? (ranking: RatedRanking, options: MetricOptions = {}) =>
            upperValue(spec.kind as BoundedKind, ranking, spec.k, options)
        : plain;
  const what =
    spec.variant === 'condensed'
      ? ', condensed list (unjudged hits removed)'
      : spec.variant === 'upper'
        ? ', upper bound (unjudged hits at the top grade)'
        : '';
  return {
    ...spec,
    quality: definition.quality,
    description: `${definition.description}${what}`,
    compute,
  };
}

const resolved = new Map<string, BoundMetric>();

/** The metric for a name; throws InvalidMetricParameterError naming the problem. */
export function resolveMetric(name: string): BoundMetric {
  const cached = resolved.get(name);
  if (cached) return cached;
  const metric = bind(parseMetricName(name));
  resolved.set(name, metric);
  return metric;
}

function tryResolve(name: string): BoundMetric | undefined {
  try {
    return resolveMetric(name);
  } catch (err) {
    if (err instanceof InvalidMetricParameterError) return undefined;
    throw err;
  }
}

/**
 * `metricRegistry['ndcg@10']` → the bound metric, for any cutoff; undefined for names that do not
 * parse (use resolveMetric to learn why).
 */
export const metricRegistry: Readonly<Record<string, BoundMetric | undefined>> = new Proxy(
  {},
  {
    get: (_target, property) => (typeof property === 'string' ? tryResolve(property) : undefined),
    has: (_target, property) => typeof property === 'string' && tryResolve(property) !== undefined,
  },
);

/** The kinds with their descriptions, for help texts and pickers. */
export function describeMetricKinds(): Array<{
  kind: MetricKind;
  cutoff: 'required' | 'optional';
  description: string;
}> {
  return METRIC_KINDS.map((kind) => ({
    kind,
    cutoff: KINDS[kind].cutoff,
    description: KINDS[kind].description,
  }));
}
