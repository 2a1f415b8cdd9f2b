/**
 * Which SearchConfig a screen means: the session's working config (default), a saved revision,
 * or an inline config — plus slider overrides (`{ "domains.title.boost": 2.5 }`) applied on top.
 * Shared by search.run, search.compare, query.check and tune.preview, so every screen names
 * configs the same way.
 */
import { z } from 'zod';
import type { SearchConfig } from '../../config/search-config.ts';
import { revisionIdOf } from '../../eval/experiments.ts';
import { formatConfigPath, getAtPath, setAtPath } from '../../eval/tuner/config-path.ts';
import { RwbError } from '../../errors.ts';
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

/** Config path → number or boolean, e.g. slider positions. */
export const OverridesSchema = z
  .record(z.string().min(1).max(300), z.union([z.number().finite(), z.boolean()]))
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

/** Applies overrides; every path must already exist (a typo must not add a dead key). */
export function applyOverrides(config: SearchConfig, overrides: Overrides): unknown {
  let next: unknown = config;
  for (const [path, value] of Object.entries(overrides)) {
    const found = getAtPath(next, path);
    if (!found.found)
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
  kind: 'number' | 'boolean';
  value: number | boolean;
  min: number;
  max: number;
  step: number;
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
  out.push({
    path: 'query.knn.boost',
    label: 'text kNN boost',
    group: 'kNN',
    kind: 'number',
    value: config.query.knn.boost,
    min: 0,
    max: Math.max(2, config.query.knn.boost * 2),
    step: 0.05,
  });
  if (config.query.imageKnn.enabled) {
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
