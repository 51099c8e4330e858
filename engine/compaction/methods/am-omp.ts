import { LongreadError } from '../../errors.js';
import { scoreInput, type AttentionOps, type BlockTargets, type ShiftedExp } from '../attention-ops.js';
import { fitSelection, type SelectionFitOptions } from '../fit.js';
import { boundedLeastSquares, type Bounds } from '../nnls.js';
import type { CompactedHead, CompactOptions, HeadBlock, PreparableMethod } from '../types.js';
import { validateBlock, validateBudget } from '../validate.js';
import { topKWithTail } from '../select.js';
import { amFitOptions, DEFAULT_RECENT_WINDOW, recentTail, type AmOptions } from './am.js';
import { withBudget } from './common.js';

export const DEFAULT_SEED_FRACTION = 0.5;

export interface AmOmpOptions extends AmOptions {
  /** Keys added per greedy step. Default 4. */
  keysPerStep?: number;
  /** Refit all weights every this many steps. Default 2. */
  refitEvery?: number;
  /** FISTA iterations of each intermediate (warm-started) refit. Default 100. */
  refitIterations?: number;
  /**
   * Share of the budget (after the recent window) taken first by highest attention, before OMP adds the rest.
   * Default 0.5: mass-only OMP alone misses the keys that carry the outputs at small budgets (docs/compaction-results.md).
   */
  seedFraction?: number;
}

/**
 * Attention Matching with keys chosen by greedy OMP on the mass objective min ‖M − E[:,S]·w‖, w in [1e-12, e^7],
 * started from seed keys: the span's recent tail and the highest-attention share of the budget. The order is computed
 * for `maxBudget`; a smaller budget takes its prefix.
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
  private readonly seedFraction: number;
  private readonly recentWindow: number;

  constructor(options: AmOmpOptions = {}) {
    // OMP's greedy refits are per-slot weights; a shared β would discard them.
    this.fit = amFitOptions(options, { lo: 1e-12, hi: Math.exp(7) }, 'per-slot');
    this.keysPerStep = Math.max(1, Math.floor(options.keysPerStep ?? 4));
    this.refitEvery = Math.max(1, Math.floor(options.refitEvery ?? 2));
    this.refitIterations = options.refitIterations ?? 100;
    this.seedFraction = Math.min(1, Math.max(0, options.seedFraction ?? DEFAULT_SEED_FRACTION));
    this.recentWindow = Math.max(0, Math.floor(options.recentWindow ?? DEFAULT_RECENT_WINDOW));
  }

  compact(block: HeadBlock, budget: number, opts: CompactOptions): Promise<CompactedHead> {
    return withBudget(block, budget, true, async (t) => this.fitOrder(block, await this.prepare(block, t, opts.ops), t, opts.ops));
  }

  /** The greedy order for budgets up to maxBudget, and the block's targets. */
  async prepare(block: HeadBlock, maxBudget: number, ops: AttentionOps, targets?: BlockTargets): Promise<OmpState> {
    const known = targets ?? (await ops.targets(scoreInput(block), block.values));
    return { order: await this.selectOrder(block, maxBudget, ops, known), targets: known };
  }

  compactPrepared(block: HeadBlock, state: OmpState, budget: number, opts: CompactOptions): Promise<CompactedHead> {
    return withBudget(block, budget, true, (t) => this.fitOrder(block, state, t, opts.ops));
  }

  /** Without seeds the order is nested and any prefix serves; the seeds depend on the budget, so then only its own. */
  get nested(): boolean {
    return this.seedFraction === 0 && this.recentWindow === 0;
  }

  covers(state: OmpState, budget: number): boolean {
    return this.nested ? state.order.length >= budget : state.order.length === budget;
  }

  /** The first min(maxBudget, T) keys in greedy order (not sorted): the seeds, then OMP's picks. */
  async selectOrder(block: HeadBlock, maxBudget: number, ops: AttentionOps, targets: BlockTargets): Promise<Int32Array> {
    validateBlock(block, true);
    validateBudget(maxBudget);
    const t = Math.min(maxBudget, block.T);
    const tail = recentTail(block, t, this.recentWindow);
    const seeds = topKWithTail(targets.keyRms, tail + Math.floor(this.seedFraction * (t - tail)), tail);
    const steps = { keysPerStep: this.keysPerStep, refitEvery: this.refitEvery, refitIterations: this.refitIterations };
    return greedyOrder(await ops.shiftedExp(scoreInput(block)), t, steps, this.fit.bounds, seeds);
  }

  private fitOrder(block: HeadBlock, state: OmpState, t: number, ops: AttentionOps): Promise<CompactedHead> {
    if (state.order.length < t) {
      throw new LongreadError('BAD_ARGUMENT', `the greedy order holds ${state.order.length} keys, fewer than the budget ${t}`);
    }
    return fitSelection(ops, block, state.order.slice(0, t).sort(), state.targets, this.fit);
  }
}

/** Greedy OMP over the columns of E; the products with E come from the backend, the bookkeeping stays here. */
async function greedyOrder(
  E: ShiftedExp,
  maxBudget: number,
  { keysPerStep, refitEvery, refitIterations }: { keysPerStep: number; refitEvery: number; refitIterations: number },
  bounds: Bounds,
  seeds: Int32Array,
): Promise<Int32Array> {
  const { n, T, mass, columnNorms } = E;
  const chosen = new Uint8Array(T);
  const order = new Int32Array(maxBudget);
  const cols = new Float32Array(maxBudget * n); // chosen columns of E, each contiguous
  const gram = new Float64Array(maxBudget * maxBudget);
  const rhs = new Float64Array(maxBudget);
  let w = new Float64Array(maxBudget);
  const residual = Float64Array.from(mass);
  let size = 0;
  let massNorm2 = 0;
  for (let i = 0; i < n; i++) massNorm2 += mass[i] * mass[i];

  let gramRows = 0; // rows of `gram` filled so far: the Gram matrix is only needed by the refits
  // Step 0 adds the seeds and refits; each later step adds the keys best correlated with the residual mass.
  for (let step = seeds.length > 0 ? 0 : 1; size < maxBudget; step++) {
    const picks = step === 0 ? seeds : bestCandidates(await E.correlate(residual), columnNorms, chosen, Math.min(keysPerStep, maxBudget - size));
    for (const j of picks) {
      chosen[j] = 1;
      order[size] = j;
      const col = cols.subarray(size * n, size * n + n);
      E.column(j, col);
      let c = 0;
      let norm2 = 0;
      let dot = 0;
      for (let i = 0; i < n; i++) {
        c += col[i] * mass[i];
        norm2 += col[i] * col[i];
        dot += col[i] * residual[i];
      }
      rhs[size] = c;
      // Matching-pursuit weight for the newcomer, so the next step sees its effect even without a refit.
      const wj = norm2 > 0 ? Math.min(bounds.hi, Math.max(bounds.lo, dot / norm2)) : bounds.lo;
      w[size] = wj;
      for (let i = 0; i < n; i++) residual[i] -= wj * col[i];
      size++;
    }
    if (step % refitEvery === 0 && size < maxBudget) {
      // Gram rows of the keys added since the last refit, against every chosen key (themselves included).
      const rows = await E.gram(order.subarray(gramRows, size), order.subarray(0, size));
      for (let a = gramRows; a < size; a++) {
        for (let u = 0; u <= a; u++) {
          const g = rows[(a - gramRows) * size + u];
          gram[a * maxBudget + u] = g;
          gram[u * maxBudget + a] = g;
        }
      }
      gramRows = size;
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
