import type { AttentionOps, BlockTargets } from './attention-ops.js';
import { betaFromMassSystem, clampWeight, type BetaMode, type BetaSolver } from './beta.js';
import { ridgeSolve } from './linalg.js';
import type { Bounds } from './nnls.js';
import { gatherRows } from './select.js';
import type { CompactedHead, HeadBlock } from './types.js';

export type ValuesMode = 'fit' | 'copy';

export interface SelectionFitOptions {
  betaSolver: BetaSolver;
  betaMode: BetaMode;
  values: ValuesMode;
  bounds: Bounds;
  ridgeScale?: number;
  betaIterations?: number;
}

/**
 * Given the kept slots, fits β (added to the slots' existing bias, which the targets already include) on the mass,
 * then the values on the local outputs. The n×t products and their normal equations come from `ops`; the t×t
 * solves run here.
 */
export async function fitSelection(
  ops: AttentionOps,
  block: HeadBlock,
  indices: Int32Array,
  targets: BlockTargets,
  opts: SelectionFitOptions,
): Promise<CompactedHead> {
  const { queries, n, d, scale } = block;
  const t = indices.length;
  const keys = gatherRows(block.keys, d, indices);
  const bias = Float32Array.from(indices, (j) => block.bias[j]);
  const kept = { queries, n, keys, bias, T: t, d, scale };
  const solveValues = (sys: { gram: Float64Array; rhs: Float64Array }) =>
    Float32Array.from(ridgeSolve(sys.gram, t, sys.rhs, d, { ridgeScale: opts.ridgeScale }).x);

  if (opts.betaMode === 'per-head' && opts.values === 'fit') {
    // A constant β leaves the softmax over the kept keys unchanged: both systems in one pass.
    const sys = await ops.perHeadSystem(kept, targets.rowMax, targets.mass, targets.outputs);
    const beta = Math.log(clampWeight(sys.w, opts.bounds));
    for (let j = 0; j < t; j++) bias[j] += beta;
    return { indices, keys, values: solveValues(sys), bias };
  }
  if (opts.betaMode !== 'off') {
    const sys = await ops.massSystem(kept, targets.rowMax, targets.mass);
    let bNorm2 = 0;
    for (const m of targets.mass) bNorm2 += m * m;
    const correction = betaFromMassSystem(
      { t, gram: sys.gram, rhs: sys.rhs, bNorm2 },
      { solver: opts.betaSolver, mode: opts.betaMode, bounds: opts.bounds, ridgeScale: opts.ridgeScale, iterations: opts.betaIterations },
    );
    for (let j = 0; j < t; j++) bias[j] += correction[j];
  }
  const values = opts.values === 'fit' ? solveValues(await ops.valueSystem(kept, targets.outputs)) : gatherRows(block.values, d, indices);
  return { indices, keys, values, bias };
}
