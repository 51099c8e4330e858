import type { AttentionKernels } from '../../kernels/attention-kernels.js';
import type { SelectionFitOptions } from '../fit.js';
import { ridgeSolve } from '../linalg.js';
import { boundedLeastSquares, clampedLeastSquares, type LeastSquaresProblem } from '../nnls.js';
import type { BlockTargets } from '../scores.js';
import { gatherRows } from '../select.js';
import type { CompactedHead, HeadBlock } from '../types.js';

/**
 * The same fit as `fitSelection` (β on the mass, then values on the outputs), with the n×t products and normal
 * equations computed by the onnxruntime kernels; only the t×t solves stay in JS.
 */
export async function fitSelectionWithKernels(
  kernels: AttentionKernels,
  block: HeadBlock,
  indices: Int32Array,
  targets: BlockTargets,
  opts: SelectionFitOptions,
): Promise<CompactedHead> {
  const { queries, n, d, scale } = block;
  const t = indices.length;
  const keys = gatherRows(block.keys, d, indices);
  const bias = Float32Array.from(indices, (j) => block.bias[j]);
  if (opts.betaMode === 'per-head' && opts.values === 'fit' && targets.outputs) {
    const sys = await kernels.perHeadSystem(queries, n, keys, bias, t, d, scale, Float32Array.from(targets.rowMax), Float32Array.from(targets.mass), targets.outputs);
    const w = Number.isFinite(sys.w) && sys.w > 0 ? Math.min(opts.bounds.hi, Math.max(opts.bounds.lo, sys.w)) : 1;
    for (let j = 0; j < t; j++) bias[j] += Math.log(w);
    const values = Float32Array.from(ridgeSolve(Float64Array.from(sys.gram), t, Float64Array.from(sys.rhs), d, { ridgeScale: opts.ridgeScale }).x);
    return { indices, keys, values, bias };
  }
  if (opts.betaMode !== 'off') {
    const sys = await kernels.massSystem(queries, n, keys, bias, t, d, scale, Float32Array.from(targets.rowMax), Float32Array.from(targets.mass));
    let bNorm2 = 0;
    for (const m of targets.mass) bNorm2 += m * m;
    const problem: LeastSquaresProblem = { t, gram: Float64Array.from(sys.gram), rhs: Float64Array.from(sys.rhs), bNorm2 };
    if (opts.betaMode === 'per-head') {
      // min_w Σ_i (w·e_i − M_i)² with e_i = Σ_j E_ij: w = Σ_j rhs_j / Σ_jk gram_jk.
      const num = problem.rhs.reduce((a, b) => a + b, 0);
      const den = problem.gram.reduce((a, b) => a + b, 0);
      const w = den > 0 ? Math.min(opts.bounds.hi, Math.max(opts.bounds.lo, num / den)) : 1;
      for (let j = 0; j < t; j++) bias[j] += Math.log(w);
    } else {
      const w =
        opts.betaSolver === 'bounded'
          ? boundedLeastSquares(problem, opts.bounds, { iterations: opts.betaIterations, ridgeScale: opts.ridgeScale })
          : clampedLeastSquares(problem, opts.bounds, { ridgeScale: opts.ridgeScale });
      for (let j = 0; j < t; j++) bias[j] += Math.log(w[j]);
    }
  }
  let values: Float32Array;
  if (opts.values === 'fit' && targets.outputs) {
    const sys = await kernels.valueSystem(queries, n, keys, bias, t, d, scale, targets.outputs);
    values = Float32Array.from(ridgeSolve(Float64Array.from(sys.gram), t, Float64Array.from(sys.rhs), d, { ridgeScale: opts.ridgeScale }).x);
  } else {
    values = gatherRows(block.values, d, indices);
  }
  return { indices, keys, values, bias };
}
