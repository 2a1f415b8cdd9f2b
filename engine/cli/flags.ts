import { RwbError } from '../errors.ts';

export interface WholeNumberRange {
  min?: number;
  max?: number;
}

/**
 * Parses a whole-number flag (`--batch-size 500`) within [min, max]; a bad value is a usage error
 * naming the flag, the range and what was given. An absent flag stays undefined.
 */
export function wholeNumberFlag(flag: string, value: string, range?: WholeNumberRange): number;
export function wholeNumberFlag(
  flag: string,
  value: string | undefined,
  range?: WholeNumberRange,
): number | undefined;
export function wholeNumberFlag(
  flag: string,
  value: string | undefined,
  range: WholeNumberRange = {},
): number | undefined {
  if (value === undefined) return undefined;
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    const bounds = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new RwbError('INVALID_INPUT', `${flag} must be a whole number ${bounds}, got "${value}"`);
  }
  return n;
}
