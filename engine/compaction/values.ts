import { accumulateAtA, accumulateAtB, mirrorUpper, ridgeSolve } from './linalg.js';
import { forEachAttentionChunk } from './scores.js';

export interface ValueFitInput {
  /** n×d reference queries. */
  queries: Float32Array;
  n: number;
  /** t×d kept keys. */
  keys: Float32Array;
  /** t: the kept slots' full bias (old β plus fitted correction). */
  bias: Float32Array;
  t: number;
  d: number;
  scale: number;
  /** n×d: the block's true local outputs Y = a·V. */
  targets: Float32Array;
}

/**
 * Cv = argmin ‖X·Cv − Y‖² + λ‖Cv‖² with X = softmax(scale·Q·Ckᵀ + β) over the kept slots.
 * X rows are probability vectors, so XᵀX is often near-singular: the trace-scaled ridge is what keeps Cv bounded.
 */
export function fitValues(input: ValueFitInput, opts: { ridgeScale?: number } = {}): Float32Array {
  const { queries, n, keys, bias, t, d, scale, targets } = input;
  const gram = new Float64Array(t * t);
  const xty = new Float64Array(t * d);
  forEachAttentionChunk({ queries, n, keys, bias, T: t, d, scale }, (c) => {
    const X = c.E;
    for (let r = 0; r < c.rows; r++) {
      const inv = 1 / c.mass[r];
      const o = r * t;
      for (let j = 0; j < t; j++) X[o + j] *= inv;
    }
    accumulateAtA(X, c.rows, t, gram);
    accumulateAtB(X, c.rows, t, targets.subarray(c.start * d, (c.start + c.rows) * d), d, xty);
  });
  mirrorUpper(gram, t);
  return Float32Array.from(ridgeSolve(gram, t, xty, d, { ridgeScale: opts.ridgeScale }).x);
}
