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
  seed?: number;
}

export interface CompactionMethod {
  readonly name: string;
  compact(block: HeadBlock, budget: number, opts?: CompactOptions): CompactedHead;
}

/**
 * A method whose budget-independent work (targets, scores, a greedy order) can be done once per block and reused for
 * every budget up to `maxBudget`: what makes re-compaction to another ratio cheap.
 */
export interface PreparableMethod<State = unknown> extends CompactionMethod {
  prepare(block: HeadBlock, maxBudget: number): State;
  /** Budget-dependent part; `state` must come from `prepare` on the same block with maxBudget ≥ budget. */
  compactPrepared(block: HeadBlock, state: State, budget: number): CompactedHead;
  /** Whether a state prepared for `maxBudget` serves `budget`. */
  covers(state: State, budget: number): boolean;
}

export function isPreparable(method: CompactionMethod): method is PreparableMethod {
  return typeof (method as Partial<PreparableMethod>).compactPrepared === 'function';
}
