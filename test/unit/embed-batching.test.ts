import { describe, expect, it } from 'vitest';
import {
  clsPoolNormalized,
  dot,
  l2Normalize,
  meanPool,
  padBatch,
  planBatches,
  poolBatch,
  vectorNorm,
} from '../../engine/embed/batching.ts';

describe('planBatches', () => {
  const lengths = [12, 3, 40, 7, 7, 25, 3, 90, 11];

  it('uses every sequence exactly once, shortest first', () => {
    const batches = planBatches(lengths, { batchSize: 4, maxBatchTokens: 10_000 });
    const flat = batches.flat();
    expect([...flat].sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    const orderedLengths = flat.map((i) => lengths[i]!);
    expect(orderedLengths).toEqual([...orderedLengths].sort((a, b) => a - b));
  });

  it('never exceeds the batch size', () => {
    const batches = planBatches(lengths, { batchSize: 4, maxBatchTokens: 10_000 });
    expect(batches.map((b) => b.length)).toEqual([4, 4, 1]);
  });

  it('caps padded tokens per batch (rows × longest row)', () => {
    const batches = planBatches(lengths, { batchSize: 32, maxBatchTokens: 60 });
    for (const batch of batches) {
      const longest = Math.max(...batch.map((i) => lengths[i]!));
      // A single sequence longer than the cap still gets a batch of its own.
      if (batch.length > 1) expect(batch.length * longest).toBeLessThanOrEqual(60);
    }
    expect(batches.find((b) => b.includes(7))).toEqual([7]);
  });

  it('keeps the input order among equal lengths (stable)', () => {
    expect(planBatches([5, 5, 5], { batchSize: 8, maxBatchTokens: 100 })).toEqual([[0, 1, 2]]);
  });

  it('returns no batch for no input', () => {
    expect(planBatches([], { batchSize: 8, maxBatchTokens: 100 })).toEqual([]);
  });
});

describe('padBatch', () => {
  it('right-pads to the longest sequence and masks the padding', () => {
    const b = padBatch(
      [
        [101, 7, 102],
        [101, 102],
      ],
      0,
    );
    expect(b.rows).toBe(2);
    expect(b.seqLen).toBe(3);
    expect(Array.from(b.inputIds, Number)).toEqual([101, 7, 102, 101, 102, 0]);
    expect(Array.from(b.attentionMask, Number)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(Array.from(b.tokenTypeIds, Number)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('uses the given pad id', () => {
    const b = padBatch([[5], [5, 6, 7]], 9);
    expect(Array.from(b.inputIds, Number)).toEqual([5, 9, 9, 5, 6, 7]);
  });
});

describe('clsPoolNormalized', () => {
  it('takes the first token of each row and normalises it', () => {
    // rows=2, seqLen=2, dims=2: row0 tokens [3,4],[9,9]; row1 tokens [0,2],[9,9]
    const hidden = Float32Array.from([3, 4, 9, 9, 0, 2, 9, 9]);
    const [a, b] = clsPoolNormalized(hidden, 2, 2, 2);
    expect(Array.from(a!)).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(b!)).toEqual([0, 1]);
  });

  it('returns copies, not views of the output tensor', () => {
    const hidden = Float32Array.from([1, 0, 5, 5]);
    const [a] = clsPoolNormalized(hidden, 1, 2, 2);
    hidden[0] = 42;
    expect(a![0]).toBe(1);
  });
});

describe('meanPool', () => {
  // rows=2, seqLen=3, dims=2. Row 0: three real tokens [1,2],[3,4],[5,0]; row 1: two real tokens
  // [2,0],[0,6] then a padding token [100,100] that must not count.
  const hidden = Float32Array.from([1, 2, 3, 4, 5, 0, 2, 0, 0, 6, 100, 100]);
  const mask = BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 0n]);

  it('averages the real tokens only, before normalising', () => {
    const [a, b] = meanPool(hidden, mask, 2, 3, 2, false);
    // Row 0: ([1,2]+[3,4]+[5,0]) / 3 = [3, 2]; row 1: ([2,0]+[0,6]) / 2 = [1, 3].
    expect(Array.from(a!)).toEqual([3, 2]);
    expect(Array.from(b!)).toEqual([1, 3]);
  });

  it('L2-normalises the mean when asked', () => {
    const [a, b] = meanPool(hidden, mask, 2, 3, 2, true);
    // [3,2] / √13 and [1,3] / √10.
    expect(a![0]).toBeCloseTo(3 / Math.sqrt(13), 6);
    expect(a![1]).toBeCloseTo(2 / Math.sqrt(13), 6);
    expect(b![0]).toBeCloseTo(1 / Math.sqrt(10), 6);
    expect(b![1]).toBeCloseTo(3 / Math.sqrt(10), 6);
  });

  it('leaves a row without real tokens at zero instead of dividing by zero', () => {
    const [v] = meanPool(Float32Array.from([4, 4]), BigInt64Array.from([0n]), 1, 1, 2, true);
    expect(Array.from(v!)).toEqual([0, 0]);
  });
});

describe('poolBatch', () => {
  const hidden = Float32Array.from([3, 4, 9, 9, 0, 2, 9, 9]);
  const mask = BigInt64Array.from([1n, 1n, 1n, 0n]);

  it('cls takes the first token, mean the masked average', () => {
    const [cls] = poolBatch('cls', false, hidden, mask, 2, 2, 2);
    expect(Array.from(cls!)).toEqual([3, 4]);
    const [mean0, mean1] = poolBatch('mean', false, hidden, mask, 2, 2, 2);
    expect(Array.from(mean0!)).toEqual([6, 6.5]);
    expect(Array.from(mean1!)).toEqual([0, 2]);
  });

  it('normalises either pooling when asked', () => {
    const [cls] = poolBatch('cls', true, hidden, mask, 2, 2, 2);
    expect(Array.from(cls!)).toEqual([0.6000000238418579, 0.800000011920929]);
    const [, mean1] = poolBatch('mean', true, hidden, mask, 2, 2, 2);
    expect(Array.from(mean1!)).toEqual([0, 1]);
  });
});

describe('vector helpers', () => {
  it('l2Normalize gives unit length and leaves a zero vector alone', () => {
    expect(vectorNorm(l2Normalize(Float32Array.from([1, 2, 2])))).toBeCloseTo(1, 6);
    expect(Array.from(l2Normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });

  it('dot is the sum of products', () => {
    expect(dot([1, 2, 3], [4, -5, 6])).toBe(12);
  });
});
