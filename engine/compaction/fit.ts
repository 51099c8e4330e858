import { LongreadError } from '../errors.js';
import { fitBetaCorrection, type BetaMode, type BetaSolver } from './beta.js';
import type { Bounds } from './nnls.js';
import { shiftedExp, type BlockTargets } from './scores.js';
import { gatherRows } from './select.js';
import type { CompactedHead, HeadBlock } from './types.js';
import { fitValues } from './values.js';

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
 * Given the kept slots, fits β (added to the slots' existing bias, which the targets already include) and the values.
 * `targets.outputs` must be present when values are fitted.
 */
export function fitSelection(
  block: HeadBlock,
  indices: Int32Array,
  targets: BlockTargets,
  opts: SelectionFitOptions,
): CompactedHead {
  const { queries, n, d, scale } = block;
  const t = indices.length;
  const keys = gatherRows(block.keys, d, indices);
  const bias = Float32Array.from(indices, (j) => block.bias[j]);
  if (opts.betaMode !== 'off') {
    const es = shiftedExp(queries, n, keys, bias, t, d, scale, targets.rowMax);
    const correction = fitBetaCorrection(es, n, t, targets.mass, {
      solver: opts.betaSolver,
      mode: opts.betaMode,
      bounds: opts.bounds,
      ridgeScale: opts.ridgeScale,
      iterations: opts.betaIterations,
    });
    for (let j = 0; j < t; j++) bias[j] += correction[j];
  }
  let values: Float32Array;
  if (opts.values === 'fit') {
    if (!targets.outputs) throw new LongreadError('BAD_ARGUMENT', 'fitSelection: values are fitted but the targets carry no outputs');
    values = fitValues({ queries, n, keys, bias, t, d, scale, targets: targets.outputs }, { ridgeScale: opts.ridgeScale });
  } else {
    values = gatherRows(block.values, d, indices);
  }
  return { indices, keys, values, bias };
}
