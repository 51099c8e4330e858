import type { KvCache } from '../../cache/kv-cache.js';
import { LongreadError } from '../../errors.js';

/**
 * How a ratio's slots are spread over the (layer, KV head) blocks: the same for every head, by a per-layer
 * schedule, or by a per-(layer, KV head) profile. Shares are relative (only their proportions matter).
 */
export type BudgetSpec =
  | { kind: 'uniform' }
  | { kind: 'layers'; shares: readonly number[] }
  | { kind: 'heads'; shares: readonly number[] /* [layer * kvHeads + head] */ };

/** No head of a non-uniform budget keeps more than this fraction of its block. */
export const HEAD_CAP_FRACTION = 0.75;

/**
 * Most of a layer's buffer that may stay empty: the heads of a layer share one buffer as wide as its fullest head,
 * so a profile's spread within a layer is narrowed until the padding is at most this.
 */
export const MAX_PADDING_FRACTION = 0.1;

function bad(message: string): never {
  throw new LongreadError('BAD_ARGUMENT', message);
}

/** Reads a profile `{"L0H0": share, ...}`: every (layer, KV head) must be present with a positive share. */
export function parseHeadProfile(json: unknown, numLayers: number, numKvHeads: number): BudgetSpec {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('a head budget profile must be a JSON object {"L0H0": share, ...}');
  const entries = json as Record<string, unknown>;
  const shares = new Array<number>(numLayers * numKvHeads).fill(NaN);
  for (const [key, value] of Object.entries(entries)) {
    const m = /^L(\d+)H(\d+)$/.exec(key);
    if (!m) bad(`unexpected key "${key}" in the head budget profile; keys look like "L0H0"`);
    const l = Number(m[1]);
    const h = Number(m[2]);
    if (l >= numLayers || h >= numKvHeads) bad(`the profile names ${key}, but the model has ${numLayers} layers × ${numKvHeads} KV heads`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) bad(`the share of ${key} must be a positive number, got ${JSON.stringify(value)}`);
    shares[l * numKvHeads + h] = value;
  }
  const missing = shares.findIndex((s) => Number.isNaN(s));
  if (missing >= 0) bad(`the head budget profile has no share for L${Math.floor(missing / numKvHeads)}H${missing % numKvHeads}`);
  return { kind: 'heads', shares };
}

export function layerSchedule(shares: readonly number[], numLayers: number): BudgetSpec {
  if (shares.length !== numLayers) bad(`a per-layer schedule needs ${numLayers} shares, got ${shares.length}`);
  if (!shares.every((s) => Number.isFinite(s) && s > 0)) bad('every share of a per-layer schedule must be a positive number');
  return { kind: 'layers', shares };
}

/** round(ratio·T), at least 1 and at most T: the mean budget per head. */
export function meanBudget(ratio: number, T: number): number {
  if (!(ratio > 0 && ratio <= 1)) bad(`the compaction ratio must be in (0, 1], got ${ratio}`);
  return Math.min(T, Math.max(1, Math.round(ratio * T)));
}

/**
 * Budgets per (layer, KV head) for a block of T slots, indexed [layer * kvHeads + head]. The total is
 * round(ratio·T) per head; non-uniform shares are water-filled under the 75% cap, each layer's spread is narrowed to
 * keep its padding within MAX_PADDING_FRACTION, then the budgets are rounded by largest remainder.
 */
export function allocateBudgets(spec: BudgetSpec, ratio: number, T: number, numLayers: number, numKvHeads: number): Int32Array {
  const N = numLayers * numKvHeads;
  const mean = meanBudget(ratio, T);
  if (spec.kind === 'uniform') return new Int32Array(N).fill(mean);
  const weights = spec.kind === 'layers' ? Array.from({ length: N }, (_, i) => spec.shares[Math.floor(i / numKvHeads)]) : [...spec.shares];
  if (weights.length !== N) bad(`the budget profile has ${weights.length} shares, the model ${N} (layer, KV head) pairs`);
  const total = mean * N;
  const cap = total > N * Math.floor(HEAD_CAP_FRACTION * T) ? T : Math.max(1, Math.floor(HEAD_CAP_FRACTION * T));
  const target = waterFill(weights, total, cap);
  for (let l = 0; l < numLayers; l++) limitPadding(target.subarray(l * numKvHeads, (l + 1) * numKvHeads), MAX_PADDING_FRACTION);
  return roundPreservingTotal(target, total, cap);
}

/** The padding of one layer's heads: the share of KV·max(b) slots that stay empty. */
function layerPadding(b: ArrayLike<number>): number {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < b.length; i++) {
    max = Math.max(max, b[i]);
    sum += b[i];
  }
  return max > 0 ? 1 - sum / (b.length * max) : 0;
}

/**
 * Narrows one layer's budgets toward their mean, b ← mean + α(b − mean) with the largest α ∈ [0, 1] whose padding is
 * at most `limit`. The layer's total (and so every other layer's) is unchanged; the headroom of one head of a little
 * rounding is left to `roundPreservingTotal`.
 */
function limitPadding(b: Float64Array, limit: number): void {
  if (layerPadding(b) <= limit) return;
  const mean = b.reduce((a, x) => a + x, 0) / b.length;
  const original = Float64Array.from(b);
  const apply = (alpha: number) => {
    for (let i = 0; i < b.length; i++) b[i] = mean + alpha * (original[i] - mean);
  };
  let lo = 0;
  let hi = 1;
  for (let iter = 0; iter < 40; iter++) {
    const mid = (lo + hi) / 2;
    apply(mid);
    if (layerPadding(b) <= limit) lo = mid;
    else hi = mid;
  }
  apply(lo);
}

/** Real budgets ∝ weights summing to `total`, none above `cap` (the excess goes to the others) nor below 1. */
function waterFill(weights: number[], total: number, cap: number): Float64Array {
  const N = weights.length;
  const out = new Float64Array(N);
  const fixed = new Uint8Array(N);
  for (;;) {
    let remaining = total;
    let free = 0;
    for (let i = 0; i < N; i++) {
      if (fixed[i]) remaining -= out[i];
      else free += weights[i];
    }
    let changed = false;
    for (let i = 0; i < N; i++) {
      if (fixed[i]) continue;
      out[i] = (remaining * weights[i]) / free;
      if (out[i] > cap || out[i] < 1) {
        out[i] = out[i] > cap ? cap : 1;
        fixed[i] = 1;
        changed = true;
      }
    }
    if (!changed || fixed.every(Boolean)) return out;
  }
}

function roundPreservingTotal(target: Float64Array, total: number, cap: number): Int32Array {
  const out = Int32Array.from(target, (x) => Math.floor(x));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = Array.from(target.keys()).sort((a, b) => target[b] - Math.floor(target[b]) - (target[a] - Math.floor(target[a])) || a - b);
  for (let k = 0; left > 0 && k < order.length * 2; k++) {
    const i = order[k % order.length];
    if (out[i] < cap) {
      out[i]++;
      left--;
    }
  }
  return out;
}

export interface PaddingReport {
  /** Slots allocated per layer (KV heads × the layer's fullest head), summed over layers. */
  allocatedSlots: number;
  /** Of those, slots left empty because the heads of a layer share one buffer width. */
  emptySlots: number;
  /** emptySlots / allocatedSlots. */
  fraction: number;
}

/** Padding waste of the cache as compaction leaves it (each layer as wide as its fullest head). */
export function paddingWaste(cache: KvCache): PaddingReport {
  let allocatedSlots = 0;
  let used = 0;
  for (const layer of cache.layers) {
    allocatedSlots += layer.kvHeads * Math.max(0, ...layer.used);
    used += layer.used.reduce((a, b) => a + b, 0);
  }
  const emptySlots = allocatedSlots - used;
  return { allocatedSlots, emptySlots, fraction: allocatedSlots ? emptySlots / allocatedSlots : 0 };
}
