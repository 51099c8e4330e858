import { allFinite } from './validate.js';
import { LongreadError } from '../errors.js';

/*
 * Dense kernels on row-major typed arrays. Storage for the big operands is float32; every dot product is accumulated
 * in a JS number (float64). Small symmetric systems (t×t) are kept in float64 because they are cheap and the
 * Cholesky of a near-singular Gram matrix needs the extra precision.
 */

/** Rows of B processed together: a 64×64 float32 tile is 16 KiB and stays in L1 while A streams past. */
const B_TILE = 64;

/** out (aRows×bRows) = A·Bᵀ, with A aRows×k and B bRows×k. */
export function matmulABt(
  a: Float32Array,
  aRows: number,
  b: Float32Array,
  bRows: number,
  k: number,
  out: Float32Array = new Float32Array(aRows * bRows),
): Float32Array {
  for (let j0 = 0; j0 < bRows; j0 += B_TILE) {
    const j1 = Math.min(j0 + B_TILE, bRows);
    let i = 0;
    // Four rows of A at a time: each B element loaded once feeds four products.
    for (; i + 4 <= aRows; i += 4) {
      const a0 = i * k;
      const a1 = a0 + k;
      const a2 = a1 + k;
      const a3 = a2 + k;
      const o0 = i * bRows;
      for (let j = j0; j < j1; j++) {
        const bj = j * k;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let p = 0; p < k; p++) {
          const bv = b[bj + p];
          s0 += a[a0 + p] * bv;
          s1 += a[a1 + p] * bv;
          s2 += a[a2 + p] * bv;
          s3 += a[a3 + p] * bv;
        }
        out[o0 + j] = s0;
        out[o0 + bRows + j] = s1;
        out[o0 + 2 * bRows + j] = s2;
        out[o0 + 3 * bRows + j] = s3;
      }
    }
    for (; i < aRows; i++) {
      const ai = i * k;
      for (let j = j0; j < j1; j++) {
        const bj = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
        out[i * bRows + j] = s;
      }
    }
  }
  return out;
}

/** Transpose of a rows×cols matrix (cols×rows). */
export function transpose(x: Float32Array, rows: number, cols: number, out = new Float32Array(rows * cols)): Float32Array {
  for (let r = 0; r < rows; r++) {
    const xr = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[xr + c];
  }
  return out;
}

/**
 * g (cols×cols, float64) += Xᵀ·X for X rows×cols. Only the upper triangle (b ≥ a) is written; call `mirrorUpper`
 * once after the last chunk.
 */
export function accumulateAtA(x: Float32Array, rows: number, cols: number, g: Float64Array): void {
  // Transposed, each Gram entry is a dot product of two contiguous rows; four rows of Xᵀ share each load.
  const xt = transpose(x, rows, cols);
  let a = 0;
  for (; a + 4 <= cols; a += 4) {
    const r0 = a * rows;
    const r1 = r0 + rows;
    const r2 = r1 + rows;
    const r3 = r2 + rows;
    for (let b = a; b < cols; b++) {
      const rb = b * rows;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < rows; p++) {
        const v = xt[rb + p];
        s0 += xt[r0 + p] * v;
        s1 += xt[r1 + p] * v;
        s2 += xt[r2 + p] * v;
        s3 += xt[r3 + p] * v;
      }
      // Entries below the diagonal (b < a + k) are skipped: mirrorUpper fills them.
      g[a * cols + b] += s0;
      if (b > a) g[(a + 1) * cols + b] += s1;
      if (b > a + 1) g[(a + 2) * cols + b] += s2;
      if (b > a + 2) g[(a + 3) * cols + b] += s3;
    }
  }
  for (; a < cols; a++) {
    const ra = a * rows;
    for (let b = a; b < cols; b++) {
      const rb = b * rows;
      let s = 0;
      for (let p = 0; p < rows; p++) s += xt[ra + p] * xt[rb + p];
      g[a * cols + b] += s;
    }
  }
}

/** out (cols×m, float64) += Xᵀ·Y for X rows×cols and Y rows×m. */
export function accumulateAtB(
  x: Float32Array,
  rows: number,
  cols: number,
  y: Float32Array | Float64Array,
  m: number,
  out: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const xr = r * cols;
    const yr = r * m;
    for (let a = 0; a < cols; a++) {
      const xa = x[xr + a];
      if (xa === 0) continue;
      const oa = a * m;
      for (let c = 0; c < m; c++) out[oa + c] += xa * y[yr + c];
    }
  }
}

/** Copies the upper triangle of an n×n matrix onto its lower triangle. */
export function mirrorUpper(g: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) g[j * n + i] = g[i * n + j];
}

/** out = G·x for a dense n×n matrix. */
export function matVec(g: Float64Array, n: number, x: Float64Array, out: Float64Array = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    const gi = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += g[gi + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Largest eigenvalue of a symmetric positive semi-definite matrix by power iteration (Rayleigh quotient). */
export function largestEigenvalue(g: Float64Array, n: number, iterations = 50): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let w = new Float64Array(n);
  let lambda = 0;
  for (let it = 0; it < iterations; it++) {
    matVec(g, n, v, w);
    let dot = 0;
    let norm2 = 0;
    for (let i = 0; i < n; i++) {
      dot += v[i] * w[i];
      norm2 += w[i] * w[i];
    }
    lambda = dot;
    const norm = Math.sqrt(norm2);
    if (!(norm > 0)) return 0;
    for (let i = 0; i < n; i++) w[i] /= norm;
    [v, w] = [w, v];
  }
  return lambda;
}

/** In-place lower Cholesky factor of an n×n SPD matrix (reads the lower triangle). False if not positive definite. */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = a[rj + j];
    for (let k = 0; k < j; k++) s -= a[rj + k] * a[rj + k];
    if (!(s > 0) || !Number.isFinite(s)) return false;
    const ljj = Math.sqrt(s);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ri + j];
      for (let k = 0; k < j; k++) t -= a[ri + k] * a[rj + k];
      a[ri + j] = t / ljj;
    }
  }
  return true;
}

/** Solves L·Lᵀ·X = B in place for B n×m, given the factor from `choleskyInPlace`. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array, m: number): void {
  for (let i = 0; i < n; i++) {
    const bi = i * m;
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k];
      if (lik === 0) continue;
      const bk = k * m;
      for (let c = 0; c < m; c++) b[bi + c] -= lik * b[bk + c];
    }
    const lii = l[i * n + i];
    for (let c = 0; c < m; c++) b[bi + c] /= lii;
  }
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * m;
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i];
      if (lki === 0) continue;
      const bk = k * m;
      for (let c = 0; c < m; c++) b[bi + c] -= lki * b[bk + c];
    }
    const lii = l[i * n + i];
    for (let c = 0; c < m; c++) b[bi + c] /= lii;
  }
}

export interface RidgeOptions {
  /** λ = ridgeScale · trace(G)/n. Default 1e-6. */
  ridgeScale?: number;
  /** How many times λ is multiplied by 100 after a failed factorization before giving up. Default 4. */
  maxRetries?: number;
}

export interface RidgeSolution {
  /** n×m solution. */
  x: Float64Array;
  /** The ridge that succeeded. */
  lambda: number;
  /** 1 when the first λ worked. */
  attempts: number;
}

/**
 * Solves (G + λI)·X = B for a symmetric PSD G (n×n) and B (n×m), e.g. normal equations G = XᵀX, B = XᵀY.
 * G is symmetrized first; λ is trace-scaled so the ridge is relative to the data, and grows ×100 on failure.
 */
export function ridgeSolve(g: Float64Array, n: number, rhs: Float64Array, m: number, opts: RidgeOptions = {}): RidgeSolution {
  const ridgeScale = opts.ridgeScale ?? 1e-6;
  const maxRetries = opts.maxRetries ?? 4;
  if (g.length !== n * n || rhs.length !== n * m) {
    throw new LongreadError('BAD_ARGUMENT', `ridgeSolve: expected ${n}×${n} and ${n}×${m} operands`);
  }
  const sym = new Float64Array(n * n);
  let trace = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (g[i * n + j] + g[j * n + i]);
      sym[i * n + j] = v;
      sym[j * n + i] = v;
    }
    trace += sym[i * n + i];
  }
  if (!Number.isFinite(trace) || !allFinite(rhs)) {
    throw new LongreadError('BAD_ARGUMENT', 'ridgeSolve: the normal equations contain non-finite numbers');
  }
  // An all-zero Gram has no scale to be relative to; then the ridge is absolute.
  let lambda = trace > 0 ? (ridgeScale * trace) / n : ridgeScale;
  const work = new Float64Array(n * n);
  for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
    work.set(sym);
    for (let i = 0; i < n; i++) work[i * n + i] += lambda;
    if (choleskyInPlace(work, n)) {
      const x = Float64Array.from(rhs);
      choleskySolveInPlace(work, n, x, m);
      return { x, lambda, attempts: attempt };
    }
    lambda *= 100;
  }
  throw new LongreadError(
    'BAD_ARGUMENT',
    `ridgeSolve: the ${n}×${n} system is not positive definite even with ridge λ=${lambda / 100}`,
  );
}
