import type { BetaMode, BetaSolver } from '../beta.js';
import { fitSelection, type SelectionFitOptions, type ValuesMode } from '../fit.js';
import { blockTargets, type BlockTargets } from '../scores.js';
import { topK } from '../select.js';
import type { CompactedHead, HeadBlock, PreparableMethod } from '../types.js';
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
  private readonly fit: SelectionFitOptions;

  constructor(options: AmOptions = {}) {
    this.fit = amFitOptions(options, { lo: Math.exp(-3), hi: Math.exp(3) });
  }

  compact(block: HeadBlock, budget: number): CompactedHead {
    return withBudget(block, budget, true, (t) => this.select(block, this.prepare(block), t));
  }

  /** The block's targets and key scores: everything that does not depend on the budget. */
  prepare(block: HeadBlock): BlockTargets {
    return blockTargets(block, { outputs: this.fit.values === 'fit', keyRms: true });
  }

  compactPrepared(block: HeadBlock, targets: BlockTargets, budget: number): CompactedHead {
    return withBudget(block, budget, true, (t) => this.select(block, targets, t));
  }

  covers(): boolean {
    return true;
  }

  /** The fit settings, for callers that run the same fit elsewhere (onnxruntime kernels). */
  get fitOptions(): Readonly<SelectionFitOptions> {
    return this.fit;
  }

  /** The kept slots for budget t < T, ascending: the top-t keys by RMS attention. */
  selectIndices(targets: BlockTargets, t: number): Int32Array {
    return topK(targets.keyRms!, t);
  }

  private select(block: HeadBlock, targets: BlockTargets, t: number): CompactedHead {
    return fitSelection(block, this.selectIndices(targets, t), targets, this.fit);
  }
}
