import type { KvCache } from '../../cache/kv-cache.js';
import type { AttentionKernels } from '../../kernels/attention-kernels.js';
import { AttentionMatching } from '../methods/am.js';
import type { BlockTargets } from '../scores.js';
import { keepAll } from '../select.js';
import type { CompactedHead } from '../types.js';
import { validateBlock } from '../validate.js';
import { fitSelectionWithKernels } from './kernel-fit.js';
import { isPreparable, type CompactionMethod, type PreparableMethod } from '../types.js';
import { chunkBudgets, documentBlocks, writeCompacted, type CacheCompactionResult, type CompactionScope, type DocumentBlocks } from './compact-cache.js';
import { meanBudget, type BudgetSpec } from './budgets.js';

export interface RecompactOptions {
  /** Prepare selection orders for ratios up to this one (am-omp), so later ratios up to it reuse them. */
  maxRatio?: number;
  seed?: number;
  /** Overrides the scope's budget spec for this call (e.g. to probe one head's sensitivity). */
  budget?: BudgetSpec;
}

/**
 * Keeps the full cache, the reference queries (inside the blocks) and each method's prepared state (targets,
 * key scores, greedy orders), so that compacting again to another ratio redoes only the budget-dependent fits.
 * The full cache is never modified; each call returns a new compacted copy.
 */
export class Recompactor {
  private readonly doc: DocumentBlocks;
  private readonly states = new Map<CompactionMethod, Map<string, unknown>>();
  private readonly prepareTime = new Map<CompactionMethod, number>();
  /** Time spent cutting blocks (once). */
  readonly setupMs: number;

  constructor(
    private readonly full: KvCache,
    private readonly scope: CompactionScope,
  ) {
    const t0 = performance.now();
    this.doc = documentBlocks(full, scope);
    this.setupMs = performance.now() - t0;
  }

  /**
   * A compacted copy of the full cache. `result.ms` includes any preparation this call did; `prepareMs` is that part
   * (0 when every block reused an earlier preparation).
   */
  compact(method: CompactionMethod, ratio: number, opts: RecompactOptions = {}): { cache: KvCache; result: CacheCompactionResult; prepareMs: number } {
    const t0 = performance.now();
    const prepared0 = this.preparedMs(method);
    const cache = this.full.clone();
    const budgets = chunkBudgets(this.doc, cache, ratio, opts.budget ?? this.scope.budget);
    const compactBlock = isPreparable(method)
      ? this.preparedCompactor(method, Math.max(ratio, opts.maxRatio ?? 0))
      : (block: Parameters<CompactionMethod['compact']>[0], budget: number) => method.compact(block, budget, { seed: opts.seed });
    const result = writeCompacted(cache, this.doc, budgets, compactBlock);
    return { cache, result: { ...result, ms: performance.now() - t0 }, prepareMs: this.preparedMs(method) - prepared0 };
  }

  /** Total time spent preparing blocks for this method so far. */
  preparedMs(method: CompactionMethod): number {
    return this.prepareTime.get(method) ?? 0;
  }

  /**
   * Prepares every block for `method` with the onnxruntime kernels (the n×T score products in optimised GEMMs)
   * instead of JS loops. Only Attention Matching's preparation (its targets and key scores) runs there; for other
   * methods this does nothing and `compact` prepares in JS as usual.
   */
  async prepareWithKernels(method: CompactionMethod, kernels: AttentionKernels): Promise<number> {
    if (!(method instanceof AttentionMatching)) return 0;
    const t0 = performance.now();
    let states = this.states.get(method);
    if (!states) this.states.set(method, (states = new Map()));
    for (const hd of this.doc.heads) {
      for (const cb of hd.blocks) {
        const b = cb.block;
        if (b.n === 0) continue;
        validateBlock(b, true); // once here; every later re-compaction reuses the checked block
        const k = await kernels.targets(b.queries, b.n, b.keys, b.values, b.bias, b.T, b.d, b.scale);
        const targets: BlockTargets = {
          rowMax: Float64Array.from(k.rowMax),
          mass: Float64Array.from(k.mass),
          outputs: k.outputs,
          keyRms: Float64Array.from(k.keyRms),
        };
        states.set(`${hd.layer}/${hd.head}/${cb.chunk.index}`, targets);
      }
    }
    const ms = performance.now() - t0;
    this.prepareTime.set(method, this.preparedMs(method) + ms);
    return ms;
  }

  /**
   * Like `compact`, for Attention Matching with every heavy product in the onnxruntime kernels: preparation (when
   * not done yet) and the β / value normal equations; the small t×t solves stay in JS. Other methods: `compact`.
   */
  async compactWithKernels(method: CompactionMethod, ratio: number, kernels: AttentionKernels): Promise<{ cache: KvCache; result: CacheCompactionResult; prepareMs: number }> {
    if (!(method instanceof AttentionMatching)) return this.compact(method, ratio);
    const t0 = performance.now();
    const prepareMs = this.states.has(method) ? 0 : await this.prepareWithKernels(method, kernels);
    const states = this.states.get(method)!;
    const cache = this.full.clone();
    const budgets = chunkBudgets(this.doc, cache, ratio, this.scope.budget);
    const { numKvHeads: KV } = cache.shape;
    const done = new Map<string, CompactedHead>();
    for (const hd of this.doc.heads) {
      for (const cb of hd.blocks) {
        const b = cb.block;
        const budget = Math.min(b.T, budgets[cb.chunk.index][hd.layer * KV + hd.head]);
        const id = `${hd.layer}/${hd.head}/${cb.chunk.index}`;
        const targets = states.get(id) as BlockTargets;
        done.set(id, budget >= b.T ? keepAll(b) : await fitSelectionWithKernels(kernels, b, method.selectIndices(targets, budget), targets, method.fitOptions));
      }
    }
    const result = writeCompacted(cache, this.doc, budgets, (_b, _t, key) => done.get(`${key.layer}/${key.head}/${key.chunk}`)!);
    return { cache, result: { ...result, ms: performance.now() - t0 }, prepareMs };
  }

  /** Drops the prepared state of a method (or of all). */
  forget(method?: CompactionMethod): void {
    if (method) {
      this.states.delete(method);
      this.prepareTime.delete(method);
    } else {
      this.states.clear();
      this.prepareTime.clear();
    }
  }

  private preparedCompactor(method: PreparableMethod, maxRatio: number) {
    let states = this.states.get(method);
    if (!states) this.states.set(method, (states = new Map()));
    const cached = states;
    return (block: Parameters<CompactionMethod['compact']>[0], budget: number, key: { layer: number; head: number; chunk: number }) => {
      const id = `${key.layer}/${key.head}/${key.chunk}`;
      let state = cached.get(id);
      if (state === undefined || !method.covers(state, budget)) {
        const t0 = performance.now();
        state = method.prepare(block, Math.max(budget, meanBudget(Math.min(1, maxRatio), block.T)));
        this.prepareTime.set(method, this.preparedMs(method) + performance.now() - t0);
        cached.set(id, state);
      }
      return method.compactPrepared(block, state, budget);
    };
  }
}
