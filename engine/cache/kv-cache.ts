import { EMPTY_SLOT_BIAS } from '../graph/io-names.js';
import { f16ToF32, f32ToF16 } from '../model/dtype.js';

/** How the cache stores keys and values: IEEE fp16 (bias and everything else fp32). */
export const KV_DTYPE = 'fp16';
export const KV_ELEMENT_BYTES = 2;

export interface CacheShape {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
}

/** A compacted (or copied) run of slots for one KV head, written over a range of that head's slots. */
export interface SlotRun {
  keys: Float32Array; // n×d
  values: Float32Array; // n×d
  bias: Float32Array; // n
  sources: Int32Array; // n, source token index of each slot
}

/** A SlotRun as the cache stores it: keys and values as fp16 bits. */
export interface StoredRun {
  keys: Uint16Array; // n×d
  values: Uint16Array; // n×d
  bias: Float32Array; // n
  sources: Int32Array; // n
}

/** Rounds a run's keys and values to fp16 (nearest, ties to even). */
export function storedRun(run: SlotRun): StoredRun {
  return { keys: f32ToF16(run.keys), values: f32ToF16(run.values), bias: run.bias, sources: run.sources };
}

/**
 * One layer's cache: fixed-capacity slot buffers [kvHeads, capacity, headDim] of fp16 bits that the graph reads
 * directly, a per-slot additive bias (0 ordinary, β compacted, EMPTY_SLOT_BIAS empty) and per-slot metadata.
 * Heads may hold different numbers of slots (non-uniform budgets); the buffer is as wide as the fullest head.
 * Runs read and written through SlotRun are float32; the conversion happens here.
 */
export class LayerSlots {
  capacity = 0;
  /** IEEE half bits. */
  keys = new Uint16Array(0);
  values = new Uint16Array(0);
  bias = new Float32Array(0);
  /** Source token index of each slot, -1 when empty. */
  sources = new Int32Array(0);
  readonly used: Int32Array;

  constructor(
    readonly kvHeads: number,
    readonly headDim: number,
  ) {
    this.used = new Int32Array(kvHeads);
  }

  /** Grows (never shrinks) to at least `slots`, in steps of `chunk`, keeping each head's rows. */
  reserve(slots: number, chunk: number): void {
    if (slots <= this.capacity) return;
    this.resize(Math.ceil(slots / chunk) * chunk);
  }

  /** Resizes to exactly `capacity` slots per head (must hold every used slot). */
  resize(capacity: number): void {
    const { kvHeads: KV, headDim: d } = this;
    const maxUsed = Math.max(0, ...this.used);
    if (capacity < maxUsed) throw new Error(`cannot shrink a layer to ${capacity} slots: ${maxUsed} are in use`);
    const keys = new Uint16Array(KV * capacity * d);
    const values = new Uint16Array(KV * capacity * d);
    const bias = new Float32Array(KV * capacity).fill(EMPTY_SLOT_BIAS);
    const sources = new Int32Array(KV * capacity).fill(-1);
    for (let h = 0; h < KV; h++) {
      const n = this.used[h];
      keys.set(this.keys.subarray(h * this.capacity * d, (h * this.capacity + n) * d), h * capacity * d);
      values.set(this.values.subarray(h * this.capacity * d, (h * this.capacity + n) * d), h * capacity * d);
      bias.set(this.bias.subarray(h * this.capacity, h * this.capacity + n), h * capacity);
      sources.set(this.sources.subarray(h * this.capacity, h * this.capacity + n), h * capacity);
    }
    Object.assign(this, { capacity, keys, values, bias, sources });
  }

  /** Appends S new rows per head from graph outputs laid out [kvHeads, S, headDim], fp16 bits. */
  append(newKeys: Uint16Array, newValues: Uint16Array, S: number, firstSource: number, chunk: number): void {
    const { kvHeads: KV, headDim: d } = this;
    this.reserve(Math.max(...this.used) + S, chunk);
    const cap = this.capacity;
    for (let h = 0; h < KV; h++) {
      const at = h * cap + this.used[h];
      this.keys.set(newKeys.subarray(h * S * d, (h + 1) * S * d), at * d);
      this.values.set(newValues.subarray(h * S * d, (h + 1) * S * d), at * d);
      this.bias.fill(0, at, at + S);
      for (let i = 0; i < S; i++) this.sources[at + i] = firstSource + i;
      this.used[h] += S;
    }
  }

  /** Copies one head's slots [start, end) out, K/V widened to float32. */
  readRun(head: number, start: number, end: number): SlotRun {
    const { keys, values, bias, sources } = this.readStoredRun(head, start, end);
    return { keys: f16ToF32(keys), values: f16ToF32(values), bias, sources };
  }

  /** Copies one head's slots [start, end) out as stored (K/V fp16 bits). */
  readStoredRun(head: number, start: number, end: number): StoredRun {
    const { headDim: d, capacity: cap } = this;
    const a = head * cap + start;
    const b = head * cap + end;
    return {
      keys: this.keys.slice(a * d, b * d),
      values: this.values.slice(a * d, b * d),
      bias: this.bias.slice(a, b),
      sources: this.sources.slice(a, b),
    };
  }

  /**
   * Replaces one head's slots [start, end) with `run` (usually fewer slots), shifting the slots after `end` down and
   * marking the freed tail empty. K/V are rounded to fp16.
   */
  replaceRun(head: number, start: number, end: number, run: SlotRun): void {
    this.replaceStoredRun(head, start, end, storedRun(run));
  }

  /** `replaceRun` for a run already in fp16. */
  replaceStoredRun(head: number, start: number, end: number, run: StoredRun): void {
    const { headDim: d } = this;
    const n = run.bias.length;
    const used = this.used[head];
    const tail = this.readStoredRun(head, end, used);
    const newUsed = start + n + (used - end);
    if (newUsed > this.capacity) this.resize(newUsed);
    const base = head * this.capacity;
    const write = (r: StoredRun, at: number) => {
      this.keys.set(r.keys, (base + at) * d);
      this.values.set(r.values, (base + at) * d);
      this.bias.set(r.bias, base + at);
      this.sources.set(r.sources, base + at);
    };
    write(run, start);
    write(tail, start + n);
    this.keys.fill(0, (base + newUsed) * d, (base + used) * d);
    this.values.fill(0, (base + newUsed) * d, (base + used) * d);
    this.bias.fill(EMPTY_SLOT_BIAS, base + newUsed, base + Math.max(used, newUsed));
    this.sources.fill(-1, base + newUsed, base + Math.max(used, newUsed));
    this.used[head] = newUsed;
  }

  /** Drops one head's slots from `used` on (marks them empty); `used` may not exceed the slots held. */
  truncate(head: number, used: number): void {
    const held = this.used[head];
    if (!Number.isInteger(used) || used < 0 || used > held) {
      throw new Error(`cannot truncate head ${head} to ${used} slots: it holds ${held}`);
    }
    const base = head * this.capacity;
    const d = this.headDim;
    this.keys.fill(0, (base + used) * d, (base + held) * d);
    this.values.fill(0, (base + used) * d, (base + held) * d);
    this.bias.fill(EMPTY_SLOT_BIAS, base + used, base + held);
    this.sources.fill(-1, base + used, base + held);
    this.used[head] = used;
  }

  /** Shrinks the buffers to the fullest head, so the graph reads no empty tail after a compaction. */
  shrinkToFit(): void {
    const maxUsed = Math.max(0, ...this.used);
    if (maxUsed < this.capacity) this.resize(maxUsed);
  }

  /** A deep copy. */
  clone(): LayerSlots {
    const copy = new LayerSlots(this.kvHeads, this.headDim);
    copy.capacity = this.capacity;
    copy.keys = this.keys.slice();
    copy.values = this.values.slice();
    copy.bias = this.bias.slice();
    copy.sources = this.sources.slice();
    copy.used.set(this.used);
    return copy;
  }
}

/** What `KvCache.mark()` records: enough to undo appends (e.g. a teacher-forced pass used only for its queries). */
export interface CacheMark {
  logicalLength: number;
  /** Slots held per layer and head, [layer][head]. */
  used: Int32Array[];
}

/** The whole cache: one LayerSlots per layer plus the logical length (the next token's RoPE position). */
export class KvCache {
  readonly layers: LayerSlots[];
  /** Positions consumed so far. After compaction this exceeds the slots held. */
  logicalLength = 0;

  constructor(
    readonly shape: CacheShape,
    readonly growChunk = 128,
  ) {
    this.layers = Array.from({ length: shape.numLayers }, () => new LayerSlots(shape.numKvHeads, shape.headDim));
  }

  /** Slots held per (layer, head), including compacted ones. */
  slotCount(layer: number, head: number): number {
    return this.layers[layer].used[head];
  }

  /** Bytes of K, V and bias actually allocated (capacity, i.e. what the graph reads). */
  allocatedBytes(): number {
    return this.layers.reduce((s, l) => s + (l.keys.byteLength + l.values.byteLength + l.bias.byteLength), 0);
  }

  /** Bytes of K, V and bias in occupied slots. */
  usedBytes(): number {
    const per = this.shape.headDim * 2 * KV_ELEMENT_BYTES + 4;
    return this.layers.reduce((s, l) => s + l.used.reduce((a, b) => a + b, 0) * per, 0);
  }

  /** Records the current length so that `rollback` can drop whatever is appended afterwards. */
  mark(): CacheMark {
    return { logicalLength: this.logicalLength, used: this.layers.map((l) => l.used.slice()) };
  }

  /** Drops the slots appended since `mark` and restores its logical length. */
  rollback(mark: CacheMark): void {
    if (mark.used.length !== this.layers.length || mark.logicalLength > this.logicalLength) {
      throw new Error('this mark does not belong to this cache (or the cache was rolled back past it)');
    }
    this.layers.forEach((layer, l) => {
      for (let h = 0; h < layer.kvHeads; h++) layer.truncate(h, mark.used[l][h]);
    });
    this.logicalLength = mark.logicalLength;
  }

  /** A deep copy (same shape, slots, bias, sources and logical length). */
  clone(): KvCache {
    const copy = new KvCache(this.shape, this.growChunk);
    this.layers.forEach((layer, l) => (copy.layers[l] = layer.clone()));
    copy.logicalLength = this.logicalLength;
    return copy;
  }

  clear(): void {
    for (let i = 0; i < this.layers.length; i++) this.layers[i] = new LayerSlots(this.shape.numKvHeads, this.shape.headDim);
    this.logicalLength = 0;
  }
}
