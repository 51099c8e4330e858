import type { BetaMode, BetaSolver } from '../beta.js';
import { scoreInput, type AttentionOps, type BlockTargets } from '../attention-ops.js';
import { fitSelection, type SelectionFitOptions, type ValuesMode } from '../fit.js';
import { topKWithTail } from '../select.js';
import type { CompactedHead, CompactOptions, HeadBlock, PreparableMethod } from '../types.js';
import { withBudget } from './common.js';

export interface AmOptions {
  /** Default 'bounded' (the clamped recipe is numerically weak; see docs/attention-matching.md §9). */
  betaSolver?: BetaSolver;
  /** Default 'per-head' for am (best measured on stories260K, docs/compaction-results.md), 'per-slot' for am-omp. */
  betaMode?: BetaMode;
  /** Default 'fit'; fitted β with copied values is worse than plain eviction. */
  values?: ValuesMode;
  /** Bounds on w = exp(β). Default [e^-3, e^3]. */
  wMin?: number;
  wMax?: number;
  /** Trace-scaled ridge for the least-squares solves. Default 1e-6. */
  ridgeScale?: number;
  /** FISTA iterations of the bounded β solver. Default 300. */
  betaIterations?: number;
  /**
   * Slots at the end of the span always kept (at most half the budget), fitted like the rest. Default 16: on held-out
   * stories it cut KL by 35–50% at ratios ≤ 0.1 and KL over the first 16 continuation tokens by 3× (docs/compaction-results.md).
   */
  recentWindow?: number;
}

export const DEFAULT_RECENT_WINDOW = 16;

/** How many of a block's last slots `t` keeps verbatim in position: only a block that ends the span has any. */
export function recentTail(block: HeadBlock, t: number, window: number): number {
  return block.endsSpan ? Math.min(window, Math.floor(t / 2)) : 0;
}

export function amFitOptions(o: AmOptions, defaultBounds: { lo: number; hi: number }, defaultBetaMode: BetaMode = 'per-head'): SelectionFitOptions {
  return {
    betaSolver: o.betaSolver ?? 'bounded',
    betaMode: o.betaMode ?? defaultBetaMode,
    values: o.values ?? 'fit',
    bounds: { lo: o.wMin ?? defaultBounds.lo, hi: o.wMax ?? defaultBounds.hi },
    ridgeScale: o.ridgeScale,
    betaIterations: o.betaIterations,
  };
}

/** Attention Matching with highest-attention key selection (RMS over queries of a_ij). */
export class AttentionMatching implements PreparableMethod<BlockTargets> {
  readonly name = 'am';
  readonly nested = true;
  private readonly fit: SelectionFitOptions;
  private readonly recentWindow: number;

  constructor(options: AmOptions = {}) {
    this.fit = amFitOptions(options, { lo: Math.exp(-3), hi: Math.exp(3) });
    this.recentWindow = Math.max(0, Math.floor(options.recentWindow ?? DEFAULT_RECENT_WINDOW));
  }

  compact(block: HeadBlock, budget: number, opts: CompactOptions): Promise<CompactedHead> {
    return withBudget(block, budget, true, async (t) => this.select(block, await this.prepare(block, t, opts.ops), t, opts.ops));
  }

  /** The block's targets and key scores: everything that does not depend on the budget. */
  async prepare(block: HeadBlock, _maxBudget: number, ops: AttentionOps, targets?: BlockTargets): Promise<BlockTargets> {
    return targets ?? ops.targets(scoreInput(block), block.values);
  }

  compactPrepared(block: HeadBlock, targets: BlockTargets, budget: number, opts: CompactOptions): Promise<CompactedHead> {
    return withBudget(block, budget, true, (t) => this.select(block, targets, t, opts.ops));
  }

  covers(): boolean {
    return true;
  }

  /** The top-t keys by RMS attention (the span's recent tail forced in), ascending, with β and values fitted to them. */
  private select(block: HeadBlock, targets: BlockTargets, t: number, ops: AttentionOps): Promise<CompactedHead> {
    const indices = topKWithTail(targets.keyRms, t, recentTail(block, t, this.recentWindow));
    return fitSelection(ops, block, indices, targets, this.fit);
  }
}
