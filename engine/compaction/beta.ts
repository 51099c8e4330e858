import { boundedLeastSquares, clampedLeastSquares, type Bounds, type LeastSquaresProblem } from './nnls.js';

export type BetaSolver = 'clamped-ls' | 'bounded';
/** 'per-slot': one β per kept slot; 'per-head': one shared scalar; 'off': no correction. */
export type BetaMode = 'per-slot' | 'per-head' | 'off';

export interface BetaFitOptions {
  solver: BetaSolver;
  mode: 'per-slot' | 'per-head';
  /** Bounds on the multiplicity w = exp(β). */
  bounds: Bounds;
  ridgeScale?: number;
  /** FISTA iterations for the bounded solver. */
  iterations?: number;
}

/** A single multiplicity clamped into the bounds; 1 (β = 0) when the fit is undefined (no mass on the kept keys). */
export function clampWeight(w: number, { lo, hi }: Bounds): number {
  return Number.isFinite(w) && w > 0 ? Math.min(hi, Math.max(lo, w)) : 1;
}

/**
 * The β correction (log w, added to the kept slots' existing bias) from the normal equations of the mass fit
 * min_w ‖E_S·w − M‖², w in the bounds. Per head, w is one scalar: Σ_j rhs_j / Σ_jk gram_jk = Σ_i e_i·M_i / Σ_i e_i².
 */
export function betaFromMassSystem(problem: LeastSquaresProblem, opts: BetaFitOptions): Float64Array {
  const { t, gram, rhs } = problem;
  const beta = new Float64Array(t);
  if (opts.mode === 'per-head') {
    let num = 0;
    let den = 0;
    for (let j = 0; j < t; j++) num += rhs[j];
    for (let k = 0; k < t * t; k++) den += gram[k];
    return beta.fill(Math.log(clampWeight(den > 0 ? num / den : NaN, opts.bounds)));
  }
  const w =
    opts.solver === 'bounded'
      ? boundedLeastSquares(problem, opts.bounds, { iterations: opts.iterations, ridgeScale: opts.ridgeScale })
      : clampedLeastSquares(problem, opts.bounds, { ridgeScale: opts.ridgeScale });
  for (let j = 0; j < t; j++) beta[j] = Math.log(w[j]);
  return beta;
}
