import { boundedLeastSquares, clampedLeastSquares, normalEquations, type Bounds } from './nnls.js';

export type BetaSolver = 'clamped-ls' | 'bounded';
/** 'per-slot': one β per kept slot; 'per-head': one shared scalar; 'off': no correction. */
export type BetaMode = 'per-slot' | 'per-head' | 'off';

export interface BetaFitOptions {
  solver: BetaSolver;
  mode: BetaMode;
  /** Bounds on the multiplicity w = exp(β). */
  bounds: Bounds;
  ridgeScale?: number;
  /** FISTA iterations for the bounded solver. */
  iterations?: number;
}

/**
 * Fits the multiplicities w ≥ lo so that E_S·w ≈ M (the block's mass per query) and returns log w: the correction
 * to add to the kept slots' existing bias. `es` is n×t with the same row shift as `mass`.
 */
export function fitBetaCorrection(
  es: Float32Array,
  n: number,
  t: number,
  mass: Float64Array,
  opts: BetaFitOptions,
): Float64Array {
  const beta = new Float64Array(t);
  if (opts.mode === 'off') return beta;
  if (opts.mode === 'per-head') {
    // 1-D least squares: min_w Σ_i (w·e_i − M_i)², with e_i the kept slots' mass.
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < t; j++) e += es[i * t + j];
      num += e * mass[i];
      den += e * e;
    }
    const w = den > 0 ? Math.min(opts.bounds.hi, Math.max(opts.bounds.lo, num / den)) : 1;
    return beta.fill(Math.log(w));
  }
  const problem = normalEquations(es, n, t, mass);
  const w =
    opts.solver === 'bounded'
      ? boundedLeastSquares(problem, opts.bounds, { iterations: opts.iterations, ridgeScale: opts.ridgeScale })
      : clampedLeastSquares(problem, opts.bounds, { ridgeScale: opts.ridgeScale });
  for (let j = 0; j < t; j++) beta[j] = Math.log(w[j]);
  return beta;
}
