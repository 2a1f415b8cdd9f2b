/**
 * Which SearchConfig a screen means: the session's working config (default), a saved revision,
 * or an inline config — plus slider overrides (`{ "domains.title.boost": 2.5 }`) applied on top.
 * Shared by search.run, search.compare, query.check and tune.preview, so every screen names
 * configs the same way.
 */
import { z } from 'zod';
import type { SearchConfig } from '../../config/search-config.ts';
import { revisionIdOf } from '../../eval/experiments.ts';
import {
  formatConfigPath,
  getAtPath,
  parseConfigPath,
  setAtPath,
} from '../../eval/tuner/config-path.ts';
import { TextMatchTypeSchema, type DomainConfig } from '../../config/search-config-schema.ts';
import { RwbError } from '../../errors.ts';
import { rankingWeights, type WeightedSignal } from '../../search/ranking-expression.ts';
import type { ApiContext } from '../context.ts';
import { sessionOf } from './workbench-session.ts';

const configRefShape = {
  revisionId: z.string().min(1).max(100).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  /** Shown on screens ("working", "rev-1a2b…", "tuned"). */
  label: z.string().max(100).optional(),
};
const oneSource = (ref: { revisionId?: string; config?: unknown }) =>
  !(ref.revisionId && ref.config);
const oneSourceMessage = 'give either revisionId or config, not both';

/** `{}` or absent: the working config; `{revisionId}`: a saved revision; `{config}`: inline. */
export const ConfigRefSchema = z
  .object(configRefShape)
  .strict()
  .refine(oneSource, oneSourceMessage);
export type ConfigRef = z.infer<typeof ConfigRefSchema>;

/** Config path → number, boolean or choice (a domain's match type), e.g. slider positions. */
export const OverridesSchema = z
  .record(
    z.string().min(1).max(300),
    z.union([z.number().finite(), z.boolean(), z.string().min(1).max(100)]),
  )
  .refine((o) => Object.keys(o).length <= 500, 'at most 500 overrides');
export type Overrides = z.infer<typeof OverridesSchema>;

/** A config reference with its own slider overrides (one column of a comparison). */
export const ConfigChoiceSchema = z
  .object({ ...configRefShape, overrides: OverridesSchema.optional() })
  .strict()
  .refine(oneSource, oneSourceMessage);
export type ConfigChoice = z.infer<typeof ConfigChoiceSchema>;

export interface ResolvedConfig {
  config: SearchConfig;
  /** Content id of the effective config (rev-…), whether or not it is stored. */
  revisionId: string;
  label: string;
}

/**
 * Optional domain settings a slider may set although the config leaves them out (the schema fills
 * the rest of a new `proximity` with its defaults, `enabled` included).
 */
const OPTIONAL_DOMAIN_KEYS: ReadonlySet<string> = new Set(['proximity', 'slop']);

function createsOptionalDomainKey(config: unknown, path: string): boolean {
  const segments = parseConfigPath(path);
  if (segments[0] !== 'domains' || segments.length < 3) return false;
  if (!getAtPath(config, segments.slice(0, 2)).found) return false;
  return typeof segments[2] === 'string' && OPTIONAL_DOMAIN_KEYS.has(segments[2]);
}

/** Applies overrides; every path must already exist (a typo must not add a dead key). */
export function applyOverrides(config: SearchConfig, overrides: Overrides): unknown {
  let next: unknown = config;
  for (const [path, value] of Object.entries(overrides)) {
    const found = getAtPath(next, path);
    if (!found.found && !createsOptionalDomainKey(next, path))
      throw new RwbError('INVALID_INPUT', `override "${path}": no such setting in the config`, {
        path,
      });
    next = setAtPath(next, path, value);
  }
  return next;
}

export async function resolveConfig(
  ctx: ApiContext,
  ref: ConfigRef | undefined,
  overrides: Overrides | undefined,
  index: string,
): Promise<ResolvedConfig> {
  const session = sessionOf(ctx);
  let base: SearchConfig;
  let label: string;
  if (ref?.revisionId) {
    const revision = await session.experiments.getRevision(ref.revisionId);
    base = await session.parseConfig(revision.config, index, `revision ${revision.id}`);
    label = ref.label ?? revision.id;
  } else if (ref?.config) {
    base = await session.parseConfig(ref.config, index, 'the config sent by the screen');
    label = ref.label ?? 'inline config';
  } else {
    base = (await session.working()).config;
    label = ref?.label ?? 'working';
  }
  const config =
    overrides && Object.keys(overrides).length > 0
      ? await session.parseConfig(
          applyOverrides(base, overrides),
          index,
          'the config with slider overrides',
        )
      : base;
  return { config, revisionId: revisionIdOf(config), label };
}

export interface Tunable {
  path: string;
  label: string;
  group: string;
  /** `choice`: one of `options` (a domain's match type, its operator). */
  kind: 'number' | 'boolean' | 'choice';
  value: number | boolean | string;
  min: number;
  max: number;
  step: number;
  options?: string[];
}

const PHRASE_TYPES: ReadonlySet<string> = new Set(['phrase', 'phrase_prefix']);

/**
 * A domain's text matching (schema version 2): type and operator as choices, phrase slop (phrase
 * types only: ES refuses or ignores it elsewhere), and the proximity boost — on/off, boost, slop;
 * a domain without one shows the schema defaults, and moving its boost or slop turns it on.
 */
function textMatchingTunables(domain: DomainConfig): Tunable[] {
  const domainPath = ['domains', domain.name];
  const group = `Text matching · ${domain.name}`;
  const at = (...rest: string[]) => formatConfigPath([...domainPath, ...rest]);
  const choice = { min: 0, max: 0, step: 0 };
  const out: Tunable[] = [
    {
      path: at('type'),
      label: 'match type',
      group,
      kind: 'choice',
      value: domain.type,
      options: [...TextMatchTypeSchema.options],
      ...choice,
    },
  ];
  if (!PHRASE_TYPES.has(domain.type)) {
    out.push({
      path: at('operator'),
      label: 'operator',
      group,
      kind: 'choice',
      value: domain.operator,
      options: ['or', 'and'],
      ...choice,
    });
  } else {
    out.push({
      path: at('slop'),
      label: 'phrase slop',
      group,
      kind: 'number',
      value: domain.slop ?? 0,
      min: 0,
      max: 10,
      step: 1,
    });
  }
  const proximity = domain.proximity;
  out.push(
    {
      path: at('proximity', 'enabled'),
      label: 'proximity on',
      group,
      kind: 'boolean',
      value: proximity?.enabled ?? false,
      min: 0,
      max: 1,
      step: 1,
    },
    {
      path: at('proximity', 'boost'),
      label: 'proximity boost',
      group,
      kind: 'number',
      value: proximity?.boost ?? 1,
      ...boostRange(proximity?.boost ?? 1, 0.1),
    },
    {
      path: at('proximity', 'slop'),
      label: 'proximity slop',
      group,
      kind: 'number',
      value: proximity?.slop ?? 2,
      min: 0,
      max: Math.max(10, proximity?.slop ?? 0),
      step: 1,
    },
  );
  return out;
}

function boostRange(value: number, min: number): Pick<Tunable, 'min' | 'max' | 'step'> {
  return { min, max: Math.max(10, Math.ceil(value * 2)), step: 0.1 };
}

/** Every boost and weight of a config as a slider (or a switch): what Tune shows and tune.start searches. */
export function tunablesOf(config: SearchConfig): Tunable[] {
  const out: Tunable[] = [];
  for (const domain of config.domains) {
    const domainPath = ['domains', domain.name];
    out.push({
      path: formatConfigPath([...domainPath, 'boost']),
      label: `${domain.name} domain`,
      group: 'Domain boosts',
      kind: 'number',
      value: domain.boost,
      ...boostRange(domain.boost, 0.1),
    });
    for (const field of domain.fields) {
      out.push({
        path: formatConfigPath([...domainPath, 'fields', field.field, 'boost']),
        label: field.field,
        group: `Field boosts · ${domain.name}`,
        kind: 'number',
        value: field.boost,
        ...boostRange(field.boost, 0.1),
      });
    }
  }
  for (const domain of config.domains) out.push(...textMatchingTunables(domain));
  // The weights of the ranking expression: what ES adds (fusion sum) or how much each list
  // counts in the engine's fusion (linear, rrf).
  const weights = rankingWeights(config.ranking.expression, {
    popularityField: config.ranking.popularityField,
  });
  const weightSlider = (signal: WeightedSignal, label: string, value: number): Tunable => ({
    path: formatConfigPath(['ranking', 'expression', signal]),
    label,
    group: 'Ranking weights',
    kind: 'number',
    value,
    min: 0,
    max: Math.max(config.ranking.fusion.method === 'sum' ? 10 : 2, value * 2),
    step: 0.05,
  });
  out.push(weightSlider('bm25', 'bm25() weight', weights.bm25));
  if (config.query.textEmbedding.enabled)
    out.push(weightSlider('text_embedding_relevance', 'text kNN weight', weights.textEmbedding));
  if (config.query.imageKnn.enabled && weights.mentioned.imageEmbedding)
    out.push(weightSlider('image_embedding_relevance', 'image kNN weight', weights.imageEmbedding));
  const fusion = config.ranking.fusion;
  const fusionTunable = (
    key: string,
    label: string,
    rest: Omit<Tunable, 'path' | 'label' | 'group'>,
  ): Tunable => ({
    path: formatConfigPath(['ranking', 'fusion', key]),
    label,
    group: 'Hybrid fusion',
    ...rest,
  });
  out.push(
    fusionTunable('method', 'fusion method', {
      kind: 'choice',
      value: fusion.method,
      options: ['sum', 'linear', 'rrf'],
      min: 0,
      max: 0,
      step: 0,
    }),
  );
  // All of them whatever the method, so a method chosen with the selector can be tuned at once.
  const choice = (value: string, options: string[]) =>
    ({ kind: 'choice', value, options, min: 0, max: 0, step: 0 }) as const;
  out.push(
    fusionTunable(
      'normalizer',
      'normalizer (linear)',
      choice(fusion.normalizer, ['minmax', 'l2', 'zscore', 'none']),
    ),
    fusionTunable(
      'combination',
      'combination (linear)',
      choice(fusion.combination, ['arithmetic', 'geometric', 'harmonic']),
    ),
    fusionTunable('rankConstant', 'rank constant (rrf)', {
      kind: 'number',
      value: fusion.rankConstant,
      min: 1,
      max: Math.max(100, fusion.rankConstant),
      step: 1,
    }),
    fusionTunable('rankWindowSize', 'window (linear, rrf)', {
      kind: 'number',
      value: fusion.rankWindowSize,
      min: 10,
      max: Math.max(500, fusion.rankWindowSize),
      step: 10,
    }),
  );
  if (config.query.imageKnn.enabled && !weights.mentioned.imageEmbedding) {
    out.push({
      path: 'query.imageKnn.boost',
      label: 'image kNN boost',
      group: 'kNN',
      kind: 'number',
      value: config.query.imageKnn.boost,
      min: 0,
      max: Math.max(2, config.query.imageKnn.boost * 2),
      step: 0.05,
    });
  }
  const functionFields = config.ranking.functions.map((f) => f.field);
  config.ranking.functions.forEach((fn, i) => {
    // Name a function by its field when that is unique (readable paths), else by position.
    const id =
      functionFields.indexOf(fn.field) === functionFields.lastIndexOf(fn.field) ? fn.field : i;
    const base = ['ranking', 'functions', id];
    const label = `${fn.type === 'decay' ? 'freshness' : 'popularity'} (${fn.field})`;
    out.push({
      path: formatConfigPath([...base, 'enabled']),
      label: `${label} on`,
      group: 'Ranking functions',
      kind: 'boolean',
      value: fn.enabled,
      min: 0,
      max: 1,
      step: 1,
    });
    out.push({
      path: formatConfigPath([...base, 'weight']),
      label: `${label} weight`,
      group: 'Ranking functions',
      kind: 'number',
      value: fn.weight,
      ...boostRange(fn.weight, 0.1),
    });
  });
  return out;
}
