/**
 * Pure helpers for feeding a BERT-style encoder efficiently: group texts of similar token length
 * so that padding (wasted compute) stays small, build padded int64 inputs, and pool the output.
 */

export interface BatchPlanOptions {
  /** Most sequences per batch. */
  batchSize: number;
  /**
   * Most padded tokens (rows × longest row) per batch, so a batch of 512-token descriptions does
   * not allocate what a batch of 12-token titles would be allowed.
   */
  maxBatchTokens: number;
}

/**
 * Indices of the sequences grouped into batches, shortest first. Every index appears exactly once.
 * Sorting makes neighbours similar in length, so padding to the longest in a batch costs little.
 */
export function planBatches(lengths: readonly number[], opts: BatchPlanOptions): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const index of order) {
    // Sorted ascending, so this row is the longest in the batch if it joins.
    const paddedTokens = (current.length + 1) * lengths[index]!;
    if (
      current.length > 0 &&
      (current.length >= opts.batchSize || paddedTokens > opts.maxBatchTokens)
    ) {
      batches.push(current);
      current = [];
    }
    current.push(index);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface PaddedBatch {
  rows: number;
  seqLen: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
}

/** Right-pads the sequences to the longest one (dynamic padding); mask marks the real tokens. */
export function padBatch(sequences: readonly (readonly number[])[], padId: number): PaddedBatch {
  const rows = sequences.length;
  const seqLen = Math.max(1, ...sequences.map((s) => s.length));
  const inputIds = new BigInt64Array(rows * seqLen).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(rows * seqLen);
  for (let r = 0; r < rows; r++) {
    const seq = sequences[r]!;
    const base = r * seqLen;
    for (let c = 0; c < seq.length; c++) {
      inputIds[base + c] = BigInt(seq[c]!);
      attentionMask[base + c] = 1n;
    }
  }
  return { rows, seqLen, inputIds, attentionMask, tokenTypeIds: new BigInt64Array(rows * seqLen) };
}

/**
 * CLS pooling: the hidden state of the first token of each row of a [rows, seqLen, dims] tensor,
 * L2-normalised. Returns fresh arrays (not views of the output buffer).
 */
export function clsPoolNormalized(
  hidden: Float32Array,
  rows: number,
  seqLen: number,
  dims: number,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const start = r * seqLen * dims;
    out.push(l2Normalize(hidden.slice(start, start + dims)));
  }
  return out;
}

/**
 * Mean pooling: per row, the average of the hidden states of the tokens whose attention mask is 1
 * (padding left out), L2-normalised when `normalize`. What sentence-transformers' MiniLM and E5
 * were trained with. Returns fresh arrays.
 */
export function meanPool(
  hidden: Float32Array,
  attentionMask: BigInt64Array,
  rows: number,
  seqLen: number,
  dims: number,
  normalize: boolean,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const sum = new Float64Array(dims);
    let count = 0;
    for (let t = 0; t < seqLen; t++) {
      if (attentionMask[r * seqLen + t] === 0n) continue;
      count++;
      const start = (r * seqLen + t) * dims;
      for (let d = 0; d < dims; d++) sum[d]! += hidden[start + d]!;
    }
    const v = new Float32Array(dims);
    // sentence-transformers clamps the token count at 1e-9: a row with no real token stays zero.
    const denominator = Math.max(count, 1e-9);
    for (let d = 0; d < dims; d++) v[d] = sum[d]! / denominator;
    out.push(normalize ? l2Normalize(v) : v);
  }
  return out;
}

export type Pooling = 'cls' | 'mean';

/** The pooling a model was trained with, over one padded batch's [rows, seqLen, dims] output. */
export function poolBatch(
  pooling: Pooling,
  normalize: boolean,
  hidden: Float32Array,
  attentionMask: BigInt64Array,
  rows: number,
  seqLen: number,
  dims: number,
): Float32Array[] {
  if (pooling === 'mean') return meanPool(hidden, attentionMask, rows, seqLen, dims, normalize);
  if (normalize) return clsPoolNormalized(hidden, rows, seqLen, dims);
  return Array.from({ length: rows }, (_, r) =>
    hidden.slice(r * seqLen * dims, r * seqLen * dims + dims),
  );
}

export function vectorNorm(v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  return Math.sqrt(sum);
}

/** Normalises in place and returns the same array; a zero vector stays zero. */
export function l2Normalize(v: Float32Array): Float32Array {
  const norm = vectorNorm(v);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
