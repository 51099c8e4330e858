/*
 * Plain float64 reference implementations and seeded test data for the compaction tests. Deliberately naive:
 * no blocking, no streaming, no shared code with engine/compaction.
 */
import type { CompactedHead, HeadBlock } from '../../engine/compaction/types.js';

export function rng(seed: number): () => number {
  let s = (seed * 2654435761 + 12345) >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export function randomMatrix(rows: number, cols: number, seed: number, std = 1): Float32Array {
  const g = gaussian(rng(seed));
  return Float32Array.from({ length: rows * cols }, () => std * g());
}

export interface StructuredHead {
  block: HeadBlock;
  /** Held-out queries from the same distribution, nHeld×d. */
  heldOut: Float32Array;
  nHeld: number;
}

/**
 * Keys with a few dominant directions plus isotropic noise; each query is a noisy scaled copy of a random key, so
 * attention is peaked but spread. Held-out queries come from the same distribution.
 */
export function structuredHead(opts: { T: number; d: number; n: number; seed: number; nHeld?: number }): StructuredHead {
  const { T, d, n, seed } = opts;
  const nHeld = opts.nHeld ?? n;
  const rand = rng(seed);
  const g = gaussian(rand);
  const dirs = [3, 2, 1.5];
  const basis = dirs.map(() => {
    const u = Array.from({ length: d }, () => g());
    const norm = Math.hypot(...u);
    return u.map((x) => x / norm);
  });
  const keys = new Float32Array(T * d);
  for (let j = 0; j < T; j++) {
    const z = dirs.map((s) => s * g());
    for (let k = 0; k < d; k++) {
      let v = 0.5 * g();
      for (let r = 0; r < dirs.length; r++) v += z[r] * basis[r][k];
      keys[j * d + k] = v;
    }
  }
  const makeQueries = (count: number): Float32Array => {
    const q = new Float32Array(count * d);
    for (let i = 0; i < count; i++) {
      const j = Math.floor(rand() * T);
      for (let k = 0; k < d; k++) q[i * d + k] = 1.5 * keys[j * d + k] + 0.7 * g();
    }
    return q;
  };
  const block: HeadBlock = {
    T,
    d,
    keys,
    values: Float32Array.from({ length: T * d }, () => g()),
    bias: new Float32Array(T),
    queries: makeQueries(n),
    n,
    scale: 1 / Math.sqrt(d),
  };
  return { block, heldOut: makeQueries(nHeld), nHeld };
}

/** Per query: log of Σ_j exp(s_ij), the attention output and max_j s_ij, in float64. */
export function refAttention(
  queries: ArrayLike<number>,
  n: number,
  keys: ArrayLike<number>,
  values: ArrayLike<number>,
  bias: ArrayLike<number>,
  T: number,
  d: number,
  scale: number,
): { logMass: Float64Array; outputs: Float64Array; rowMax: Float64Array } {
  const logMass = new Float64Array(n);
  const rowMax = new Float64Array(n);
  const outputs = new Float64Array(n * d);
  const s = new Float64Array(T);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < T; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += queries[i * d + k] * keys[j * d + k];
      s[j] = scale * dot + bias[j];
      m = Math.max(m, s[j]);
    }
    let sum = 0;
    for (let j = 0; j < T; j++) {
      s[j] = Math.exp(s[j] - m);
      sum += s[j];
    }
    for (let j = 0; j < T; j++) for (let k = 0; k < d; k++) outputs[i * d + k] += (s[j] / sum) * values[j * d + k];
    logMass[i] = m + Math.log(sum);
    rowMax[i] = m;
  }
  return { logMass, outputs, rowMax };
}

export interface Fidelity {
  /** ‖O_c − O‖ / ‖O‖ over all queries. */
  outputErr: number;
  /** ‖log M_c − log M‖ / ‖log M‖. */
  logMassErr: number;
  /** Mean cosine between compacted and true outputs. */
  cosine: number;
}

export function fidelity(block: HeadBlock, compacted: CompactedHead, queries: Float32Array, nq: number): Fidelity {
  const { T, d, scale } = block;
  const full = refAttention(queries, nq, block.keys, block.values, block.bias, T, d, scale);
  const t = compacted.indices.length;
  const comp = refAttention(queries, nq, compacted.keys, compacted.values, compacted.bias, t, d, scale);
  let num = 0;
  let den = 0;
  let lnum = 0;
  let lden = 0;
  let cos = 0;
  for (let i = 0; i < nq; i++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let k = 0; k < d; k++) {
      const a = full.outputs[i * d + k];
      const b = comp.outputs[i * d + k];
      num += (a - b) ** 2;
      den += a * a;
      dot += a * b;
      na += a * a;
      nb += b * b;
    }
    cos += dot / Math.sqrt(na * nb);
    lnum += (full.logMass[i] - comp.logMass[i]) ** 2;
    lden += full.logMass[i] ** 2;
  }
  return { outputErr: Math.sqrt(num / den), logMassErr: Math.sqrt(lnum / lden), cosine: cos / nq };
}

/** Solves A·x = b (A m×m, b m×r, row-major) by Gaussian elimination with partial pivoting, float64. */
export function refSolve(a: ArrayLike<number>, b: ArrayLike<number>, m: number, r: number): Float64Array {
  const A = Float64Array.from(a);
  const B = Float64Array.from(b);
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let i = c + 1; i < m; i++) if (Math.abs(A[i * m + c]) > Math.abs(A[p * m + c])) p = i;
    for (let k = 0; k < m; k++) [A[c * m + k], A[p * m + k]] = [A[p * m + k], A[c * m + k]];
    for (let k = 0; k < r; k++) [B[c * r + k], B[p * r + k]] = [B[p * r + k], B[c * r + k]];
    for (let i = c + 1; i < m; i++) {
      const f = A[i * m + c] / A[c * m + c];
      for (let k = c; k < m; k++) A[i * m + k] -= f * A[c * m + k];
      for (let k = 0; k < r; k++) B[i * r + k] -= f * B[c * r + k];
    }
  }
  const x = new Float64Array(m * r);
  for (let i = m - 1; i >= 0; i--) {
    for (let k = 0; k < r; k++) {
      let s = B[i * r + k];
      for (let j = i + 1; j < m; j++) s -= A[i * m + j] * x[j * r + k];
      x[i * r + k] = s / A[i * m + i];
    }
  }
  return x;
}

/** XᵀX and XᵀY for X n×t, Y n×r, in float64. */
export function refNormal(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  t: number,
  r: number,
): { G: Float64Array; B: Float64Array } {
  const G = new Float64Array(t * t);
  const B = new Float64Array(t * r);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < t; a++) {
      const xa = x[i * t + a];
      for (let b = 0; b < t; b++) G[a * t + b] += xa * x[i * t + b];
      for (let k = 0; k < r; k++) B[a * r + k] += xa * y[i * r + k];
    }
  }
  return { G, B };
}

/** Ridge solution of min ‖X·W − Y‖² + λ‖W‖² with λ = ridgeScale·trace(XᵀX)/t. */
export function refRidge(x: ArrayLike<number>, y: ArrayLike<number>, n: number, t: number, r: number, ridgeScale = 1e-6) {
  const { G, B } = refNormal(x, y, n, t, r);
  let trace = 0;
  for (let a = 0; a < t; a++) trace += G[a * t + a];
  const lambda = (ridgeScale * trace) / t;
  for (let a = 0; a < t; a++) G[a * t + a] += lambda;
  return { x: refSolve(G, B, t, r), lambda };
}

/** ‖A·w − b‖², float64, straight from A. */
export function refObjective(a: ArrayLike<number>, b: ArrayLike<number>, n: number, t: number, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = -b[i];
    for (let j = 0; j < t; j++) r += a[i * t + j] * w[j];
    s += r * r;
  }
  return s;
}

/** Bounded least squares by projected coordinate descent (exact 1-D steps) in float64: slow, simple, convergent. */
export function refBoundedLs(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  t: number,
  lo: number,
  hi: number,
  sweeps: number,
): Float64Array {
  const { G, B: c } = refNormal(a, b, n, t, 1);
  const w = new Float64Array(t).fill(Math.min(hi, Math.max(lo, 1)));
  for (let it = 0; it < sweeps; it++) {
    for (let j = 0; j < t; j++) {
      if (!(G[j * t + j] > 0)) continue;
      let g = -c[j];
      for (let k = 0; k < t; k++) g += G[j * t + k] * w[k];
      w[j] = Math.min(hi, Math.max(lo, w[j] - g / G[j * t + j]));
    }
  }
  return w;
}
