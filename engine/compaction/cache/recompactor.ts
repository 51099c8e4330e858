import type { KvCache } from '../../cache/kv-cache.js';
import { occupiedKvBytes, SpilledCache } from '../../cache/spilled-cache.js';
import { LongreadError } from '../../errors.js';
import type { AttentionOps } from '../attention-ops.js';
import { isPreparable, type CompactionMethod, type HeadBlock, type PreparableMethod } from '../types.js';
import { chunkBudgets, documentBlocks, writeCompacted, type BlockCompactor, type BlockKey, type CacheCompactionResult, type CompactionScope, type DocumentBlocks } from './compact-cache.js';
import { meanBudget, type BudgetSpec } from './budgets.js';

export interface RecompactOptions {
  /** Where the heavy products run. */
  ops: AttentionOps;
  /** Prepare selection orders for ratios up to this one (am-omp), so later ratios up to it reuse them. */
  maxRatio?: number;
  seed?: number;
  /** Overrides the scope's budget spec for this call (e.g. to probe one head's sensitivity). */
  budget?: BudgetSpec;
}

export interface RecompactorOptions {
  /**
   * When the full cache's occupied K/V exceed this many bytes, the Recompactor writes them to a temporary
   * file (fp16, as held) and drops its reference to the full cache; each compaction then reads the verbatim slots (prefix,
   * suffix) back from the file. Default 256 MiB; 0 spills any non-empty cache; Infinity never spills.
   */
  spillBytes?: number;
  /** Folder for the temporary file (default: the OS temp folder). */
  spillDir?: string;
}

export const DEFAULT_SPILL_BYTES = 256 * 1024 * 1024;

/**
 * Keeps the full cache, the reference queries (inside the blocks) and each method's prepared state (targets,
 * key scores, greedy orders), so that compacting again to another ratio redoes only the budget-dependent fits.
 * The full cache is never modified; each call returns a new compacted copy.
 *
 * A large full cache is spilled to a temporary fp16 file (`RecompactorOptions.spillBytes`); call `dispose()` when
 * done to delete it (it is also deleted on process exit, best effort). The blocks (document K/V and queries, fp32)
 * stay in memory: the fits read them.
 */
export class Recompactor {
  private readonly doc: DocumentBlocks;
  /** The full cache while in memory; null once spilled or disposed. */
  private full: KvCache | null;
  private spilled: SpilledCache | null = null;
  private disposed = false;
  private readonly states = new Map<CompactionMethod, Map<string, unknown>>();
  private readonly prepareTime = new Map<CompactionMethod, number>();
  /** Time spent cutting blocks (once). */
  readonly setupMs: number;

  constructor(
    full: KvCache,
    private readonly scope: CompactionScope,
    options: RecompactorOptions = {},
  ) {
    const t0 = performance.now();
    this.full = full;
    this.doc = documentBlocks(full, scope);
    const threshold = options.spillBytes ?? DEFAULT_SPILL_BYTES;
    if (!(threshold >= 0)) throw new LongreadError('BAD_ARGUMENT', `spillBytes must be a number ≥ 0, not ${threshold}`);
    if (occupiedKvBytes(full) > threshold) {
      this.spilled = SpilledCache.write(full, { dir: options.spillDir });
      this.full = null;
    }
    this.setupMs = performance.now() - t0;
  }

  /** The temporary file holding the full cache's K/V, while spilled. */
  get spillFile(): string | null {
    return this.spilled?.file ?? null;
  }

  /**
   * Bytes held: the full cache's K/V in memory (0 once spilled), on disk (fp16), and the blocks' K/V and reference
   * queries (fp32, always in memory: they copy the document's slots out of the full cache).
   */
  memoryReport(): { fullKvBytes: number; spilledFileBytes: number; blockKvBytes: number; blockQueryBytes: number } {
    let blockKvBytes = 0;
    let blockQueryBytes = 0;
    for (const hd of this.doc.heads) {
      for (const cb of hd.blocks) {
        const b = cb.block;
        blockKvBytes += b.keys.byteLength + b.values.byteLength;
        blockQueryBytes += b.queries.byteLength + (b.windowQueries?.byteLength ?? 0);
      }
    }
    return { fullKvBytes: this.full ? occupiedKvBytes(this.full) : 0, spilledFileBytes: this.spilled?.fileBytes ?? 0, blockKvBytes, blockQueryBytes };
  }

  /** Deletes the spilled file and drops every reference; the Recompactor cannot compact afterwards. Idempotent. */
  dispose(): void {
    this.disposed = true;
    this.spilled?.dispose();
    this.spilled = null;
    this.full = null;
    this.forget();
  }

  /**
   * A fresh copy of the full cache to write a compaction into: a clone when in memory; when spilled, read back from
   * the file except the document slots, which `writeCompacted` replaces anyway.
   */
  private baseCache(): KvCache {
    if (this.disposed) throw new LongreadError('BAD_ARGUMENT', 'this Recompactor was disposed');
    if (this.full) return this.full.clone();
    const KV = this.spilled!.shape.numKvHeads;
    return this.spilled!.restore((l, h) => {
      const hd = this.doc.heads[l * KV + h];
      return hd && hd.layer === l && hd.head === h ? hd : undefined;
    });
  }

  /**
   * A compacted copy of the full cache. `result.ms` includes any preparation this call did; `prepareMs` is that part
   * (0 when every block reused an earlier preparation).
   */
  async compact(method: CompactionMethod, ratio: number, opts: RecompactOptions): Promise<{ cache: KvCache; result: CacheCompactionResult; prepareMs: number }> {
    const t0 = performance.now();
    const prepared0 = this.preparedMs(method);
    const cache = this.baseCache();
    const budgets = chunkBudgets(this.doc, cache, ratio, opts.budget ?? this.scope.budget);
    const { ops, seed } = opts;
    const compactBlock: BlockCompactor = isPreparable(method)
      ? this.preparedCompactor(method, Math.max(ratio, opts.maxRatio ?? 0), ops, seed)
      : (block, budget) => method.compact(block, budget, { ops, seed });
    const result = await writeCompacted(cache, this.doc, budgets, compactBlock);
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

  private preparedCompactor(method: PreparableMethod, maxRatio: number, ops: AttentionOps, seed: number | undefined): BlockCompactor {
    let states = this.states.get(method);
    if (!states) this.states.set(method, (states = new Map()));
    const cached = states;
    return async (block: HeadBlock, budget: number, key: BlockKey) => {
      const id = `${key.layer}/${key.head}/${key.chunk}`;
      let state = cached.get(id);
      if (state === undefined || !method.covers(state, budget)) {
        const t0 = performance.now();
        const prepareFor = method.nested ? Math.max(budget, meanBudget(Math.min(1, maxRatio), block.T)) : budget;
        state = await method.prepare(block, prepareFor, ops);
        this.prepareTime.set(method, this.preparedMs(method) + performance.now() - t0);
        cached.set(id, state);
      }
      return method.compactPrepared(block, state, budget, { ops, seed });
    };
  }
}
