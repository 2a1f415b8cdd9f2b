/**
 * The optimisers search a normalised space: every numeric parameter becomes a coordinate in
 * [0, 1] (log-transformed when the parameter is log-scale), every categorical or boolean one an
 * index. Decoding snaps to the parameter's step/integers, so two nearby points can decode to the
 * same parameter values; `paramsKey` is what tells them apart (or not).
 */
import type { Parameter, ParameterSpace, ParamValue, ParamValues } from './space.ts';

export type Dimension =
  | { readonly kind: 'continuous'; readonly levels: number | null }
  | { readonly kind: 'categorical'; readonly size: number };

/** One coordinate per parameter, in space order. */
export type UnitPoint = readonly number[];

function choices(param: Parameter): readonly ParamValue[] {
  if (param.type === 'bool') return [false, true];
  if (param.type === 'categorical') return param.values;
  return [];
}

export function dimensionsOf(space: ParameterSpace): Dimension[] {
  return space.parameters.map((param): Dimension => {
    if (param.type === 'bool' || param.type === 'categorical') {
      return { kind: 'categorical', size: choices(param).length };
    }
    const step = param.step;
    return {
      kind: 'continuous',
      levels: step === undefined ? null : Math.floor((param.max - param.min) / step + 1e-9) + 1,
    };
  });
}

/** Rounding noise out of decoded numbers so keys and reports stay readable. */
function tidy(value: number): number {
  return Number(value.toPrecision(10));
}

function snapToStep(value: number, min: number, max: number, step: number): number {
  let snapped = min + Math.round((value - min) / step) * step;
  if (snapped > max + 1e-12) snapped -= step;
  return tidy(snapped);
}

function decodeNumber(param: Extract<Parameter, { min: number }>, u: number): number {
  const t = Math.min(1, Math.max(0, u));
  const raw = param.log
    ? Math.exp(Math.log(param.min) + t * (Math.log(param.max) - Math.log(param.min)))
    : param.min + t * (param.max - param.min);
  if (param.step !== undefined) return snapToStep(raw, param.min, param.max, param.step);
  return tidy(Math.min(param.max, Math.max(param.min, raw)));
}

function encodeNumber(param: Extract<Parameter, { min: number }>, value: number): number {
  const clamped = Math.min(param.max, Math.max(param.min, value));
  const u = param.log
    ? (Math.log(clamped) - Math.log(param.min)) / (Math.log(param.max) - Math.log(param.min))
    : (clamped - param.min) / (param.max - param.min);
  return Math.min(1, Math.max(0, u));
}

/** Parameter values for a point of the normalised space. */
export function decodePoint(space: ParameterSpace, point: UnitPoint): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  space.parameters.forEach((param, i) => {
    const coordinate = point[i] ?? 0.5;
    if (param.type === 'float' || param.type === 'int') {
      out[param.name] = decodeNumber(param, coordinate);
    } else {
      const values = choices(param);
      const index = Math.min(values.length - 1, Math.max(0, Math.round(coordinate)));
      out[param.name] = values[index] as ParamValue;
    }
  });
  // Conditional parameters whose condition does not hold take no part (the base value stays).
  for (const param of space.parameters) {
    const when = param.when;
    if (when === undefined) continue;
    const value = out[when.parameter];
    if (!when.in.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value)))
      delete out[param.name];
  }
  return out;
}

/**
 * The point closest to the given values: numbers are clamped into range, an unknown categorical
 * value or a missing name maps to the middle of the range / the first choice.
 */
export function encodeParams(space: ParameterSpace, values: ParamValues): number[] {
  return space.parameters.map((param) => {
    const value = values[param.name];
    if (param.type === 'float' || param.type === 'int') {
      return typeof value === 'number' ? encodeNumber(param, value) : 0.5;
    }
    const index = choices(param).findIndex((c) => JSON.stringify(c) === JSON.stringify(value));
    return index === -1 ? 0 : index;
  });
}

/** Canonical text of a parameter assignment (sorted names): equal params ⇔ equal keys. */
export function paramsKey(params: ParamValues): string {
  return JSON.stringify(
    Object.keys(params)
      .sort()
      .map((name) => [name, params[name]]),
  );
}
