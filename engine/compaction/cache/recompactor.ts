import type { KvCache } from '../../cache/kv-cache.js';
import { isPreparable, type CompactionMethod, type PreparableMethod } from '../types.js';
import { chunkBudgets, documentBlocks, writeCompacted, type CacheCompactionResult, type CompactionScope, type DocumentBlocks } from './compact-cache.js';
import { meanBudget } from './budgets.js';

export interface RecompactOptions {
  /** Prepare selection orders for ratios up to this one (am-omp), so later ratios up to it reuse them. */
  maxRatio?: number;
  seed?: number;
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
    const budgets = chunkBudgets(this.doc, cache, ratio, this.scope.budget);
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
