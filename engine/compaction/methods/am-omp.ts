import { LongreadError } from '../../errors.js';
import { fitSelection, type SelectionFitOptions } from '../fit.js';
import { boundedLeastSquares, type Bounds } from '../nnls.js';
import { blockTargets, fullExp, type BlockTargets } from '../scores.js';
import type { CompactedHead, HeadBlock, PreparableMethod } from '../types.js';
import { validateBlock, validateBudget } from '../validate.js';
import { amFitOptions, type AmOptions } from './am.js';
import { withBudget } from './common.js';

export interface AmOmpOptions extends AmOptions {
  /** Keys added per greedy step. Default 4. */
  keysPerStep?: number;
  /** Refit all weights every this many steps. Default 2. */
  refitEvery?: number;
  /** FISTA iterations of each intermediate (warm-started) refit. Default 100. */
  refitIterations?: number;
}

/**
 * Attention Matching with keys chosen by greedy OMP on the mass objective min ‖M − E[:,S]·w‖, w in [1e-12, e^7].
 * The greedy order does not depend on the budget, so `selectOrder(block, tMax)` serves every t ≤ tMax.
 */
export interface OmpState {
  order: Int32Array;
  targets: BlockTargets;
}

export class AttentionMatchingOmp implements PreparableMethod<OmpState> {
  readonly name = 'am-omp';
  private readonly fit: SelectionFitOptions;
  private readonly keysPerStep: number;
  private readonly refitEvery: number;
  private readonly refitIterations: number;

  constructor(options: AmOmpOptions = {}) {
    // OMP's greedy refits are per-slot weights; a shared β would discard them.
    this.fit = amFitOptions(options, { lo: 1e-12, hi: Math.exp(7) }, 'per-slot');
    this.keysPerStep = Math.max(1, Math.floor(options.keysPerStep ?? 4));
    this.refitEvery = Math.max(1, Math.floor(options.refitEvery ?? 2));
    this.refitIterations = options.refitIterations ?? 100;
  }

  compact(block: HeadBlock, budget: number): CompactedHead {
    return withBudget(block, budget, true, (t) => this.fitOrder(block, this.selectOrder(block, t), t));
  }

  /** Compacts to `budget` from an order computed earlier by `selectOrder` with maxBudget ≥ budget. */
  compactFromOrder(block: HeadBlock, order: Int32Array, budget: number): CompactedHead {
    return withBudget(block, budget, true, (t) => this.fitOrder(block, order, t));
  }

  /** The greedy order for budgets up to maxBudget, and the block's targets. */
  prepare(block: HeadBlock, maxBudget: number): OmpState {
    return { order: this.selectOrder(block, maxBudget), targets: blockTargets(block, { outputs: this.fit.values === 'fit' }) };
  }

  compactPrepared(block: HeadBlock, state: OmpState, budget: number): CompactedHead {
    return withBudget(block, budget, true, (t) => this.fitOrder(block, state.order, t, state.targets));
  }

  covers(state: OmpState, budget: number): boolean {
    return state.order.length >= budget;
  }

  /** The first min(maxBudget, T) keys in greedy order (not sorted). */
  selectOrder(block: HeadBlock, maxBudget: number): Int32Array {
    validateBlock(block, true);
    validateBudget(maxBudget);
    const steps = { keysPerStep: this.keysPerStep, refitEvery: this.refitEvery, refitIterations: this.refitIterations };
    return greedyOrder(block, Math.min(maxBudget, block.T), steps, this.fit.bounds);
  }

  private fitOrder(block: HeadBlock, order: Int32Array, t: number, known?: BlockTargets): CompactedHead {
    if (order.length < t) {
      throw new LongreadError('BAD_ARGUMENT', `the greedy order holds ${order.length} keys, fewer than the budget ${t}`);
    }
    const indices = order.slice(0, t).sort();
    const targets = known ?? blockTargets(block, { outputs: this.fit.values === 'fit' });
    return fitSelection(block, indices, targets, this.fit);
  }
}

function greedyOrder(
  block: HeadBlock,
  maxBudget: number,
  { keysPerStep, refitEvery, refitIterations }: { keysPerStep: number; refitEvery: number; refitIterations: number },
  bounds: Bounds,
): Int32Array {
  const { n, T } = block;
  const { E, mass } = fullExp(block);
  const colNorm = new Float64Array(T);
  for (let i = 0; i < n; i++) {
    const o = i * T;
    for (let j = 0; j < T; j++) colNorm[j] += E[o + j] * E[o + j];
  }
  for (let j = 0; j < T; j++) colNorm[j] = Math.sqrt(colNorm[j]);

  const chosen = new Uint8Array(T);
  const order = new Int32Array(maxBudget);
  const cols = new Float32Array(maxBudget * n); // chosen columns of E, each contiguous
  const gram = new Float64Array(maxBudget * maxBudget);
  const rhs = new Float64Array(maxBudget);
  let w = new Float64Array(maxBudget);
  const residual = Float64Array.from(mass);
  const corr = new Float64Array(T);
  let size = 0;
  let massNorm2 = 0;
  for (let i = 0; i < n; i++) massNorm2 += mass[i] * mass[i];

  for (let step = 1; size < maxBudget; step++) {
    corr.fill(0);
    for (let i = 0; i < n; i++) {
      const r = residual[i];
      if (r === 0) continue;
      const o = i * T;
      for (let j = 0; j < T; j++) corr[j] += E[o + j] * r;
    }
    const picks = bestCandidates(corr, colNorm, chosen, Math.min(keysPerStep, maxBudget - size));
    for (const j of picks) {
      chosen[j] = 1;
      order[size] = j;
      const col = cols.subarray(size * n, size * n + n);
      for (let i = 0; i < n; i++) col[i] = E[i * T + j];
      let c = 0;
      for (let i = 0; i < n; i++) c += col[i] * mass[i];
      rhs[size] = c;
      for (let u = 0; u <= size; u++) {
        const other = cols.subarray(u * n, u * n + n);
        let g = 0;
        for (let i = 0; i < n; i++) g += col[i] * other[i];
        gram[size * maxBudget + u] = g;
        gram[u * maxBudget + size] = g;
      }
      // Matching-pursuit weight for the newcomer, so the next step sees its effect even without a refit.
      const norm2 = gram[size * maxBudget + size];
      let dot = 0;
      for (let i = 0; i < n; i++) dot += col[i] * residual[i];
      const wj = norm2 > 0 ? Math.min(bounds.hi, Math.max(bounds.lo, dot / norm2)) : bounds.lo;
      w[size] = wj;
      for (let i = 0; i < n; i++) residual[i] -= wj * col[i];
      size++;
    }
    if (step % refitEvery === 0 && size < maxBudget) {
      const g = new Float64Array(size * size);
      for (let a = 0; a < size; a++) g.set(gram.subarray(a * maxBudget, a * maxBudget + size), a * size);
      const fitted = boundedLeastSquares(
        { t: size, gram: g, rhs: rhs.slice(0, size), bNorm2: massNorm2 },
        bounds,
        { start: w.subarray(0, size), iterations: refitIterations },
      );
      w = new Float64Array(maxBudget);
      w.set(fitted);
      residual.set(mass);
      for (let s = 0; s < size; s++) {
        const col = cols.subarray(s * n, s * n + n);
        const ws = w[s];
        for (let i = 0; i < n; i++) residual[i] -= ws * col[i];
      }
    }
  }
  return order;
}

/** Unchosen keys with the highest correlation corr_j/‖E_j‖, best first; ties to the lower index. */
function bestCandidates(corr: Float64Array, colNorm: Float64Array, chosen: Uint8Array, k: number): number[] {
  const picks: number[] = [];
  const scores: number[] = [];
  for (let j = 0; j < corr.length; j++) {
    if (chosen[j]) continue;
    const s = colNorm[j] > 0 ? corr[j] / colNorm[j] : -Infinity;
    if (picks.length === k && !(s > scores[k - 1])) continue;
    let pos = picks.length;
    while (pos > 0 && s > scores[pos - 1]) pos--;
    picks.splice(pos, 0, j);
    scores.splice(pos, 0, s);
    if (picks.length > k) {
      picks.pop();
      scores.pop();
    }
  }
  return picks;
}
