import type { AttentionOps, BlockTargets } from './attention-ops.js';

/**
 * One KV head's slice of the cache plus the reference queries that stand in for future attention.
 * All matrices are row-major float32.
 */
export interface HeadBlock {
  /** Block length (number of slots) and head dimension. */
  T: number;
  d: number;
  /** T×d, post-RoPE. */
  keys: Float32Array;
  /** T×d. */
  values: Float32Array;
  /** T: existing β of each slot (0 for ordinary tokens); part of the targets. */
  bias: Float32Array;
  /** n×d reference queries (post-RoPE), already pooled over the GQA group. */
  queries: Float32Array;
  n: number;
  /** Attention scale, usually 1/sqrt(d). */
  scale: number;
  /** Optional block-relative position of each query for causal scoring (h2o); -1 = sees all keys. */
  queryPositions?: Int32Array;
  /** Optional: the document's last queries (snapkv observation window), windowN×d. */
  windowQueries?: Float32Array;
  windowN?: number;
  /**
   * The block ends the compacted span: its last slots are the context right before whatever follows verbatim (the
   * question, the continuation), which local heads attend to most.
   */
  endsSpan?: boolean;
}

export interface CompactedHead {
  /** Kept source slots, ascending. */
  indices: Int32Array;
  /** t×d. */
  keys: Float32Array;
  /** t×d. */
  values: Float32Array;
  /** t: the full logit bias of each kept slot (old β plus any newly fitted correction). */
  bias: Float32Array;
}

export interface CompactOptions {
  /** Where the heavy products run (JS loops or onnxruntime). */
  ops: AttentionOps;
  seed?: number;
}

export interface CompactionMethod {
  readonly name: string;
  compact(block: HeadBlock, budget: number, opts: CompactOptions): Promise<CompactedHead>;
}

/**
 * A method whose budget-independent work (targets, scores, a greedy order) can be done once per block and reused for
 * every budget up to `maxBudget`: what makes re-compaction to another ratio cheap.
 */
export interface PreparableMethod<State = unknown> extends CompactionMethod {
  /**
   * `targets`: the block's targets when they are already known (stored when the document was read); computed with
   * `ops` otherwise.
   */
  prepare(block: HeadBlock, maxBudget: number, ops: AttentionOps, targets?: BlockTargets): Promise<State>;
  /** Budget-dependent part; `state` must come from `prepare` on the same block with maxBudget ≥ budget. */
  compactPrepared(block: HeadBlock, state: State, budget: number, opts: CompactOptions): Promise<CompactedHead>;
  /** Whether a state prepared for `maxBudget` serves `budget`. */
  covers(state: State, budget: number): boolean;
  /** Whether a state prepared for a budget serves every smaller one too (else each budget is prepared for itself). */
  readonly nested: boolean;
}

export function isPreparable(method: CompactionMethod): method is PreparableMethod {
  return typeof (method as Partial<PreparableMethod>).compactPrepared === 'function';
}
