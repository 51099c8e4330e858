import type { CompactedHead, HeadBlock } from './types.js';

/** Indices of the t largest scores, returned ascending; ties go to the lower index. */
export function topK(scores: ArrayLike<number>, t: number): Int32Array {
  const order = Array.from({ length: scores.length }, (_, j) => j);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return Int32Array.from(order.slice(0, t)).sort();
}

/** topK, with the last min(tail, t) slots always among the t kept. */
export function topKWithTail(scores: ArrayLike<number>, t: number, tail: number): Int32Array {
  const T = scores.length;
  const forced = Math.max(0, Math.min(tail, t, T));
  if (forced === 0) return topK(scores, t);
  const head = topK(Array.prototype.slice.call(scores, 0, T - forced) as number[], t - forced);
  const out = new Int32Array(t);
  out.set(head);
  for (let k = 0; k < forced; k++) out[head.length + k] = T - forced + k;
  return out;
}

/** Rows `indices` of a rows×d matrix. */
export function gatherRows(src: Float32Array, d: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * d);
  for (let r = 0; r < indices.length; r++) out.set(src.subarray(indices[r] * d, indices[r] * d + d), r * d);
  return out;
}

/** The eviction result: kept slots copied verbatim, bias included. */
export function keepSlots(block: HeadBlock, indices: Int32Array): CompactedHead {
  return {
    indices,
    keys: gatherRows(block.keys, block.d, indices),
    values: gatherRows(block.values, block.d, indices),
    bias: Float32Array.from(indices, (j) => block.bias[j]),
  };
}

/** The whole block, copied: what every method returns when the budget covers it. */
export function keepAll(block: HeadBlock): CompactedHead {
  return {
    indices: Int32Array.from({ length: block.T }, (_, j) => j),
    keys: Float32Array.from(block.keys),
    values: Float32Array.from(block.values),
    bias: Float32Array.from(block.bias),
  };
}
