import { describe, expect, it } from 'vitest';
import { wholeNumberFlag } from '../../engine/cli/flags.ts';

describe('wholeNumberFlag', () => {
  it('parses whole numbers inside the range and leaves an absent flag undefined', () => {
    expect(wholeNumberFlag('--size', '10')).toBe(10);
    expect(wholeNumberFlag('--port', '0', { min: 0, max: 65_535 })).toBe(0);
    expect(wholeNumberFlag('--size', undefined)).toBeUndefined();
  });

  it('refuses fractions, text, blanks and values outside the range, naming the flag and the range', () => {
    expect(() => wholeNumberFlag('--k', '2.5', { min: 1 })).toThrow('--k must be a whole number ≥ 1, got "2.5"');
    expect(() => wholeNumberFlag('--port', 'http', { min: 0, max: 65_535 })).toThrow(
      '--port must be a whole number from 0 to 65535, got "http"',
    );
    expect(() => wholeNumberFlag('--k', ' ')).toThrow(/--k must be a whole number/);
    expect(() => wholeNumberFlag('--k', '0', { min: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
