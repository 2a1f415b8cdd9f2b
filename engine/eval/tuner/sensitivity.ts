/**
 * How much each parameter matters near the best point: vary one parameter over its range (every
 * value for categorical ones) with the others held at their best values and record the metric.
 * A flat line means the knob can be left alone; a steep one means it must be set with care.
 */
import type { ParameterSensitivity } from './report.ts';
import { decodePoint, encodeParams } from './space-codec.ts';
import type { ParameterSpace, ParamValue, ParamValues } from './space.ts';

export interface SensitivityInput {
  readonly space: ParameterSpace;
  readonly best: ParamValues;
  /** Values tried per numeric parameter, spread evenly over its (possibly log) range. */
  readonly points: number;
  /** Mean metric over all queries for a parameter assignment (cached by the caller). */
  readonly score: (params: ParamValues) => Promise<number>;
  readonly onParameter?: (parameter: string, done: number, total: number) => void;
}

function valuesToTry(space: ParameterSpace, index: number, input: SensitivityInput): ParamValue[] {
  const param = space.parameters[index]!;
  if (param.type === 'bool') return [false, true];
  if (param.type === 'categorical') return [...param.values];
  const base = encodeParams(space, input.best);
  const values = new Map<string, number>();
  const add = (value: ParamValue | undefined) => {
    if (typeof value === 'number') values.set(String(value), value);
  };
  for (let i = 0; i < input.points; i++) {
    const point = [...base];
    point[index] = input.points === 1 ? 0.5 : i / (input.points - 1);
    add(decodePoint(space, point)[param.name]);
  }
  add(input.best[param.name]);
  return [...values.values()].sort((a, b) => a - b);
}

export async function measureSensitivity(input: SensitivityInput): Promise<ParameterSensitivity[]> {
  const out: ParameterSensitivity[] = [];
  const total = input.space.parameters.length;
  for (const [index, param] of input.space.parameters.entries()) {
    const points: Array<{ value: ParamValue; score: number }> = [];
    for (const value of valuesToTry(input.space, index, input)) {
      points.push({ value, score: await input.score({ ...input.best, [param.name]: value }) });
    }
    const scores = points.map((p) => p.score);
    out.push({
      parameter: param.name,
      path: param.path,
      bestValue: input.best[param.name] ?? null,
      points,
      spread: Math.max(...scores) - Math.min(...scores),
    });
    input.onParameter?.(param.name, index + 1, total);
  }
  return out;
}
