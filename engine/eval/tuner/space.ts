/**
 * The parameter space of a tuning run: which knobs of the config may move, and how far. Written
 * by analysts as YAML (or JSON):
 *
 *   metric: ndcg@10
 *   parameters:
 *     - path: domains.default.fields.title_en.boost
 *       type: float
 *       min: 0.5
 *       max: 20
 *       log: true
 *     - path: query.knn.k
 *       type: int
 *       min: 10
 *       max: 200
 *       step: 10
 *     - { path: query.tieBreaker, type: categorical, values: [0, 0.3, 0.7] }
 *     - { path: query.textEmbedding.enabled, type: bool }
 *
 * A parameter's name defaults to its path. Reading and writing the values in a config object
 * lives here too, so the tuner's output can be applied to any base config.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { RwbError } from '../../errors.ts';
import { getAtPath, parseConfigPath, setAtPath } from './config-path.ts';

export const PARAMETER_SPACE_SCHEMA_VERSION = 1;

const CategoricalValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type ParamValue = z.infer<typeof CategoricalValueSchema>;

/**
 * A conditional parameter: it takes part only when another parameter has one of `in` (e.g. the
 * rrf rank constant only when `ranking.fusion.method` is rrf). Otherwise the trial leaves it out
 * and the config keeps the base's value — two trials that differ only there are one trial.
 */
const ConditionSchema = z
  .object({ parameter: z.string().min(1), in: z.array(CategoricalValueSchema).min(1) })
  .strict();

const common = {
  name: z.string().min(1).optional(),
  path: z.string().min(1),
  description: z.string().optional(),
  when: ConditionSchema.optional(),
};

const FloatParameterSchema = z
  .object({
    ...common,
    type: z.literal('float'),
    min: z.number(),
    max: z.number(),
    /** Search on a log scale (boosts, weights spanning orders of magnitude). */
    log: z.boolean().default(false),
    /** Values are snapped to min + n·step. */
    step: z.number().positive().optional(),
    /** Value to assume when the base config lacks the path. */
    default: z.number().optional(),
  })
  .strict();

const IntParameterSchema = z
  .object({
    ...common,
    type: z.literal('int'),
    min: z.number().int(),
    max: z.number().int(),
    log: z.boolean().default(false),
    step: z.number().int().positive().default(1),
    default: z.number().int().optional(),
  })
  .strict();

const CategoricalParameterSchema = z
  .object({
    ...common,
    type: z.literal('categorical'),
    values: z.array(CategoricalValueSchema).min(1),
    default: CategoricalValueSchema.optional(),
  })
  .strict();

const BoolParameterSchema = z
  .object({ ...common, type: z.literal('bool'), default: z.boolean().optional() })
  .strict();

const ParameterInputSchema = z.discriminatedUnion('type', [
  FloatParameterSchema,
  IntParameterSchema,
  CategoricalParameterSchema,
  BoolParameterSchema,
]);

function checkParameter(
  param: z.infer<typeof ParameterInputSchema>,
  ctx: z.RefinementCtx,
  index: number,
): void {
  const issue = (message: string, field: string) =>
    ctx.addIssue({ code: 'custom', path: ['parameters', index, field], message });
  try {
    parseConfigPath(param.path);
  } catch (err) {
    issue((err as Error).message, 'path');
  }
  if (param.type === 'float' || param.type === 'int') {
    if (!(param.min < param.max))
      issue(`min (${param.min}) must be below max (${param.max})`, 'min');
    if (param.log && param.min <= 0) issue('a log-scale parameter needs min > 0', 'log');
    if (param.step !== undefined && param.step > param.max - param.min) {
      issue(`step ${param.step} is larger than the range ${param.min}–${param.max}`, 'step');
    }
  }
  if (param.type === 'categorical') {
    const keys = param.values.map((v) => JSON.stringify(v));
    if (new Set(keys).size !== keys.length) issue('values must be distinct', 'values');
  }
}

export const ParameterSpaceSchema = z
  .object({
    schemaVersion: z
      .literal(PARAMETER_SPACE_SCHEMA_VERSION)
      .default(PARAMETER_SPACE_SCHEMA_VERSION),
    /** The metric to maximise, e.g. ndcg@10; the caller may override it. */
    metric: z.string().optional(),
    parameters: z.array(ParameterInputSchema).min(1, 'list at least one parameter'),
  })
  .strict()
  .superRefine((space, ctx) => {
    const names = new Set<string>();
    const paths = new Set<string>();
    space.parameters.forEach((param, index) => {
      checkParameter(param, ctx, index);
      const name = param.name ?? param.path;
      if (names.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', index, 'name'],
          message: `duplicate name "${name}"`,
        });
      }
      if (paths.has(param.path)) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', index, 'path'],
          message: `duplicate path "${param.path}"`,
        });
      }
      names.add(name);
      paths.add(param.path);
    });
    space.parameters.forEach((param, index) => {
      if (param.when === undefined) return;
      const target = space.parameters.find((p) => (p.name ?? p.path) === param.when!.parameter);
      const name = param.name ?? param.path;
      if (target === undefined || target === param) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', index, 'when', 'parameter'],
          message: `"${param.when.parameter}" is not another parameter of this space`,
        });
      } else if (target.when !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', index, 'when', 'parameter'],
          message: `"${param.when.parameter}" is itself conditional; ${name} may depend only on an unconditional parameter`,
        });
      }
    });
  })
  .transform((space) => ({
    ...space,
    parameters: space.parameters.map((param) => ({ ...param, name: param.name ?? param.path })),
  }));

export type ParameterSpaceInput = z.input<typeof ParameterSpaceSchema>;
export type ParameterSpace = z.output<typeof ParameterSpaceSchema>;
export type Parameter = ParameterSpace['parameters'][number];

/** Parameter name → value. A trial may leave a name out: that knob stays as the base config has it. */
export type ParamValues = Readonly<Record<string, ParamValue>>;

/** Validates a parsed space; throws RwbError naming `where` and every problem with its position. */
export function parseParameterSpace(value: unknown, where = 'parameter space'): ParameterSpace {
  const parsed = ParameterSpaceSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const [, index] = issue.path;
    const raw = (value as { parameters?: Array<{ path?: unknown }> } | null)?.parameters;
    const label =
      typeof index === 'number' && typeof raw?.[index]?.path === 'string'
        ? ` (${String(raw[index].path)})`
        : '';
    return `${issue.path.join('.') || '(root)'}${label}: ${issue.message}`;
  });
  throw new RwbError('INVALID_INPUT', `${where}: ${problems.join('; ')}`, {
    issues: parsed.error.issues,
  });
}

/** Parses YAML (or JSON, which is YAML) text; syntax errors carry line and column. */
export function parseParameterSpaceText(text: string, where = 'parameter space'): ParameterSpace {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const at = err.linePos?.[0];
      const position = at ? ` at line ${at.line}, column ${at.col}` : '';
      throw new RwbError('PARSE_ERROR', `${where}${position}: ${err.message.split('\n')[0]}`, {
        where,
        ...(at && { line: at.line, column: at.col }),
      });
    }
    throw err;
  }
  return parseParameterSpace(raw, where);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface BaseParams {
  /** Values found in the base config (or the parameter's default). */
  readonly values: Readonly<Record<string, ParamValue>>;
  /** Parameters the base config does not have and that declare no default. */
  readonly missing: readonly string[];
  /** Human-readable notes: values outside the space, unknown categorical values. */
  readonly warnings: readonly string[];
}

/** Reads the current value of every parameter from the base config. */
export function readBaseParams(config: unknown, space: ParameterSpace): BaseParams {
  const values: Record<string, ParamValue> = {};
  const missing: string[] = [];
  const warnings: string[] = [];
  for (const param of space.parameters) {
    const lookup = getAtPath(config, param.path);
    if (!lookup.found) {
      if (param.default !== undefined) values[param.name] = param.default;
      else missing.push(param.name);
      continue;
    }
    const value = lookup.value;
    if (param.type === 'float' || param.type === 'int') {
      if (typeof value !== 'number') {
        throw new RwbError(
          'INVALID_INPUT',
          `parameter ${param.name}: the base config has ${JSON.stringify(value)} at ${param.path}, not a number`,
        );
      }
      if (value < param.min || value > param.max) {
        warnings.push(
          `${param.name}: base value ${value} lies outside ${param.min}–${param.max}; the tuner searches only inside`,
        );
      }
    } else if (param.type === 'bool') {
      if (typeof value !== 'boolean') {
        throw new RwbError(
          'INVALID_INPUT',
          `parameter ${param.name}: the base config has ${JSON.stringify(value)} at ${param.path}, not true/false`,
        );
      }
    } else if (!param.values.some((v) => sameValue(v, value))) {
      warnings.push(
        `${param.name}: base value ${JSON.stringify(value)} is not one of the listed values`,
      );
    }
    values[param.name] = value as ParamValue;
  }
  // As for trials: a conditional parameter whose condition does not hold is not part of the base.
  for (const param of space.parameters) {
    if (param.when === undefined) continue;
    const parent = values[param.when.parameter];
    if (!param.when.in.some((allowed) => sameValue(allowed, parent))) {
      delete values[param.name];
      const at = missing.indexOf(param.name);
      if (at >= 0) missing.splice(at, 1);
    }
  }
  return { values, missing, warnings };
}

/**
 * A new config with the given parameter values written at their paths; `config` is not changed.
 * Names the space does not know are an error (a typo would otherwise be silently ignored).
 */
export function applyParams<T>(config: T, space: ParameterSpace, params: ParamValues): T {
  const byName = new Map(space.parameters.map((param) => [param.name, param]));
  let out = config;
  for (const [name, value] of Object.entries(params)) {
    const param = byName.get(name);
    if (!param) {
      throw new RwbError('INVALID_INPUT', `unknown parameter "${name}" (not in the space)`);
    }
    out = setAtPath(out, param.path, value);
  }
  return out;
}
