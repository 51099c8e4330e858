import { matmulABt, transpose } from './linalg.js';
import type { BlockTargets } from './attention-ops.js';
import type { HeadBlock } from './types.js';

/** Queries scored against a key set: s_ij = scale·q_i·k_j + bias_j. */
export interface AttentionInput {
  queries: Float32Array;
  n: number;
  keys: Float32Array;
  /** Per-key logit bias, or null for none. */
  bias: Float32Array | null;
  T: number;
  d: number;
  scale: number;
  /** Causal mask: query i sees keys j ≤ positions[i]; -1 sees all. */
  positions?: Int32Array;
}

/** Softmax statistics of a run of queries. Buffers are reused: valid only inside the callback. */
export interface AttentionChunk {
  start: number;
  rows: number;
  /** rows×T: E_ij = exp(s_ij − m_i); 0 for masked keys. */
  E: Float32Array;
  /** m_i, the row maximum of s. */
  rowMax: Float64Array;
  /** M_i = Σ_j E_ij, the block's mass relative to exp(m_i). */
  mass: Float64Array;
}

export const DEFAULT_CHUNK_ROWS = 256;

/** Streams over query chunks so that only rows×T scores are alive at a time. */
export function forEachAttentionChunk(
  input: AttentionInput,
  fn: (chunk: AttentionChunk) => void,
  chunkRows = DEFAULT_CHUNK_ROWS,
): void {
  const { queries, n, keys, bias, T, d, scale, positions } = input;
  const cap = Math.max(1, Math.min(chunkRows, n));
  const E = new Float32Array(cap * T);
  const rowMax = new Float64Array(cap);
  const mass = new Float64Array(cap);
  for (let start = 0; start < n; start += cap) {
    const rows = Math.min(cap, n - start);
    matmulABt(queries.subarray(start * d, (start + rows) * d), rows, keys, T, d, E);
    for (let r = 0; r < rows; r++) {
      const o = r * T;
      const p = positions ? positions[start + r] : -1;
      const visible = p < 0 ? T : Math.min(T, p + 1);
      let m = -Infinity;
      for (let j = 0; j < visible; j++) {
        const s = scale * E[o + j] + (bias ? bias[j] : 0);
        E[o + j] = s;
        if (s > m) m = s;
      }
      let sum = 0;
      for (let j = 0; j < visible; j++) {
        const e = Math.exp(E[o + j] - m);
        E[o + j] = e;
        sum += e;
      }
      for (let j = visible; j < T; j++) E[o + j] = 0;
      rowMax[r] = m;
      mass[r] = sum;
    }
    fn({ start, rows, E: E.subarray(0, rows * T), rowMax: rowMax.subarray(0, rows), mass: mass.subarray(0, rows) });
  }
}

export function blockInput(block: HeadBlock): AttentionInput {
  const { queries, n, keys, bias, T, d, scale } = block;
  return { queries, n, keys, bias, T, d, scale };
}

/** The targets of a block: row maxima, masses, local outputs Y = a·V, and per key the RMS and sum of a_ij. */
export function blockTargets(input: AttentionInput, values: Float32Array): BlockTargets {
  const { n, T, d } = input;
  const rowMax = new Float64Array(n);
  const mass = new Float64Array(n);
  const outputs = new Float32Array(n * d);
  const sumSq = new Float64Array(T);
  const columnSums = new Float64Array(T);
  // Y = E·V as dot products of E rows with Vᵀ rows, so the tiled A·Bᵀ kernel does the work.
  const valuesT = transpose(values, T, d);
  forEachAttentionChunk(input, (c) => {
    rowMax.set(c.rowMax, c.start);
    mass.set(c.mass, c.start);
    for (let r = 0; r < c.rows; r++) {
      const o = r * T;
      const inv = 1 / c.mass[r];
      for (let j = 0; j < T; j++) {
        const a = c.E[o + j] * inv;
        sumSq[j] += a * a;
        columnSums[j] += a;
      }
    }
    const y = outputs.subarray(c.start * d, (c.start + c.rows) * d);
    matmulABt(c.E, c.rows, valuesT, d, T, y);
    for (let r = 0; r < c.rows; r++) {
      const inv = 1 / c.mass[r];
      for (let k = 0; k < d; k++) y[r * d + k] *= inv;
    }
  });
  const keyRms = sumSq;
  for (let j = 0; j < T; j++) keyRms[j] = Math.sqrt(sumSq[j] / n);
  return { rowMax, mass, outputs, keyRms, columnSums };
}

/**
 * n×t matrix E_ij = exp(scale·q_i·k_j + bias_j − rowMax_i) for a subset of keys, shifted by the full block's row
 * maxima so that its columns are directly comparable with the block's mass M_i.
 */
export function shiftedExp(
  queries: Float32Array,
  n: number,
  keys: Float32Array,
  bias: Float32Array,
  t: number,
  d: number,
  scale: number,
  rowMax: Float64Array,
): Float32Array {
  const out = matmulABt(queries, n, keys, t, d);
  for (let i = 0; i < n; i++) {
    const o = i * t;
    const m = rowMax[i];
    for (let j = 0; j < t; j++) out[o + j] = Math.exp(scale * out[o + j] + bias[j] - m);
  }
  return out;
}

/** Full n×T matrix E with row maxima and masses (one head's worth; fine for n, T ≤ 4096). */
export function fullExp(input: AttentionInput): { E: Float32Array; rowMax: Float64Array; mass: Float64Array } {
  const { n, T } = input;
  const E = new Float32Array(n * T);
  const rowMax = new Float64Array(n);
  const mass = new Float64Array(n);
  forEachAttentionChunk(input, (c) => {
    E.set(c.E, c.start * T);
    rowMax.set(c.rowMax, c.start);
    mass.set(c.mass, c.start);
  });
  return { E, rowMax, mass };
}

/** Σ_i a_ij per key (attention summed over the queries), honouring an optional causal mask. */
export function attentionColumnSums(input: AttentionInput): Float64Array {
  const { T } = input;
  const sums = new Float64Array(T);
  forEachAttentionChunk(input, (c) => {
    for (let r = 0; r < c.rows; r++) {
      const o = r * T;
      const inv = 1 / c.mass[r];
      for (let j = 0; j < T; j++) sums[j] += c.E[o + j] * inv;
    }
  });
  return sums;
}
