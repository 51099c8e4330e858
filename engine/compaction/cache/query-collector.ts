import { LongreadError } from '../../errors.js';
import { mulberry32 } from '../../util/random.js';
import { chunkOf, spanChunks, type DocumentSpan } from './span.js';

export interface QueryShape {
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
}

/** Reference queries of one (layer, KV head, chunk): n×d rows, with the document position each stands for. */
export interface QuerySet {
  data: Float32Array;
  n: number;
  /** Document position of each query for causal scoring (h2o); -1 = sees the whole chunk. */
  positions: Int32Array;
}

export interface QueryCollectorOptions {
  span: DocumentSpan;
  chunkSize: number;
  /** Most queries kept per (layer, KV head, chunk), pooled over the GQA group. */
  cap: number;
  seed?: number;
  /** Record positions so the queries can be scored causally (the document's own queries); false for repeat queries. */
  causal: boolean;
  /** Keep every query of the last `window` positions of each chunk too (snapkv's observation window). */
  window?: number;
}

class Reservoir {
  data: Float32Array;
  positions: Int32Array;
  seen = 0;

  constructor(
    private readonly cap: number,
    private readonly d: number,
  ) {
    const initial = Math.min(cap, 256);
    this.data = new Float32Array(initial * d);
    this.positions = new Int32Array(initial);
  }

  get size(): number {
    return Math.min(this.seen, this.cap);
  }

  /** Algorithm R: after k items each one is kept with probability cap/k, without storing the stream. */
  offer(row: Float32Array, position: number, rand: () => number): void {
    const k = this.seen++;
    const slot = k < this.cap ? k : Math.floor(rand() * (k + 1));
    if (slot >= this.cap) return;
    if (slot * this.d >= this.data.length) this.grow();
    this.data.set(row, slot * this.d);
    this.positions[slot] = position;
  }

  private grow(): void {
    const rows = Math.min(this.cap, (this.data.length / this.d) * 2);
    const data = new Float32Array(rows * this.d);
    data.set(this.data);
    const positions = new Int32Array(rows);
    positions.set(this.positions);
    this.data = data;
    this.positions = positions;
  }
}

/**
 * Collects reference queries from the decoder's per-layer query outputs ([heads, S, headDim]) without storing them
 * all: each (layer, KV head, chunk) keeps a uniform reservoir sample of at most `cap` rows, pooling the query heads
 * of the KV head's GQA group (query head q uses KV head ⌊q / G⌋, as in the graph).
 */
export class QueryCollector {
  private readonly reservoirs: Reservoir[];
  private readonly windows: Float32Array[];
  private readonly windowFilled: Uint8Array[];
  private readonly rand: () => number;
  private readonly chunks: { start: number; end: number }[];
  private readonly group: number;
  private readonly window: number;

  constructor(
    readonly shape: QueryShape,
    readonly options: QueryCollectorOptions,
  ) {
    const { numLayers: L, numHeads: H, numKvHeads: KV, headDim: d } = shape;
    if (H % KV !== 0) throw new LongreadError('BAD_ARGUMENT', `${H} query heads do not split into ${KV} KV heads`);
    if (!Number.isInteger(options.cap) || options.cap < 1) {
      throw new LongreadError('BAD_ARGUMENT', `the reference-query cap must be a positive integer, got ${options.cap}`);
    }
    this.group = H / KV;
    this.chunks = spanChunks(options.span, options.chunkSize);
    this.window = Math.max(0, Math.floor(options.window ?? 0));
    const count = L * KV * this.chunks.length;
    this.reservoirs = Array.from({ length: count }, () => new Reservoir(options.cap, d));
    const windowRows = this.window * this.group;
    this.windows = Array.from({ length: this.window ? count : 0 }, () => new Float32Array(windowRows * d));
    this.windowFilled = Array.from({ length: this.window ? count : 0 }, () => new Uint8Array(windowRows));
    this.rand = mulberry32(options.seed ?? 0);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  /** The decoder's per-layer query outputs for S tokens: [heads, S, headDim] each. */
  private checkShapes(perLayer: readonly Float32Array[], S: number): void {
    const { numLayers: L, numHeads: H, headDim: d } = this.shape;
    if (perLayer.length !== L) throw new LongreadError('BAD_ARGUMENT', `expected queries of ${L} layers, got ${perLayer.length}`);
    perLayer.forEach((q, l) => {
      if (q.length !== H * S * d) throw new LongreadError('BAD_ARGUMENT', `layer ${l} queries have ${q.length} entries, expected ${H * S * d}`);
    });
  }

  /**
   * Offers the queries of S consecutive tokens; row s stands for document position `firstPosition + s` (for the
   * repeat pass, the position of the token it repeats). Rows outside the span are ignored.
   */
  add(perLayer: readonly Float32Array[], S: number, firstPosition: number): void {
    const { numLayers: L, numHeads: H, numKvHeads: KV, headDim: d } = this.shape;
    const { span, chunkSize } = this.options;
    this.checkShapes(perLayer, S);
    const nChunks = this.chunks.length;
    for (let l = 0; l < L; l++) {
      const q = perLayer[l];
      for (let s = 0; s < S; s++) {
        const position = firstPosition + s;
        const c = chunkOf(span, chunkSize, position);
        if (c < 0) continue;
        const windowStart = this.chunks[c].end - this.window;
        for (let qh = 0; qh < H; qh++) {
          const kv = Math.floor(qh / this.group);
          const index = (l * KV + kv) * nChunks + c;
          const row = q.subarray((qh * S + s) * d, (qh * S + s + 1) * d);
          this.reservoirs[index].offer(row, this.options.causal ? position : -1, this.rand);
          if (this.window && position >= windowStart) {
            const r = (position - windowStart) * this.group + (qh % this.group);
            this.windows[index].set(row, r * d);
            this.windowFilled[index][r] = 1;
          }
        }
      }
    }
  }

  /**
   * Offers the queries of S tokens generated after the document (self-study) as standing for future attention over
   * the whole span: every row goes to the reservoir of every chunk, with position -1 (it sees all of the chunk's
   * keys, whatever `causal` says). They do not enter snapkv's observation window.
   */
  addFutureQueries(perLayer: readonly Float32Array[], S: number): void {
    const { numLayers: L, numHeads: H, numKvHeads: KV, headDim: d } = this.shape;
    this.checkShapes(perLayer, S);
    const nChunks = this.chunks.length;
    for (let l = 0; l < L; l++) {
      const q = perLayer[l];
      for (let s = 0; s < S; s++) {
        for (let qh = 0; qh < H; qh++) {
          const kv = Math.floor(qh / this.group);
          const row = q.subarray((qh * S + s) * d, (qh * S + s + 1) * d);
          for (let c = 0; c < nChunks; c++) this.reservoirs[(l * KV + kv) * nChunks + c].offer(row, -1, this.rand);
        }
      }
    }
  }

  /** The sampled queries of (layer, KV head, chunk). */
  get(layer: number, kvHead: number, chunk: number): QuerySet {
    const r = this.reservoirs[this.index(layer, kvHead, chunk)];
    const n = r.size;
    return { data: r.data.slice(0, n * this.shape.headDim), n, positions: r.positions.slice(0, n) };
  }

  /** Every query of the chunk's last `window` positions (those seen so far), for snapkv. */
  windowQueries(layer: number, kvHead: number, chunk: number): QuerySet {
    const d = this.shape.headDim;
    if (!this.window) return { data: new Float32Array(0), n: 0, positions: new Int32Array(0) };
    const index = this.index(layer, kvHead, chunk);
    const filled = this.windowFilled[index];
    const rows: number[] = [];
    filled.forEach((f, r) => f && rows.push(r));
    const data = new Float32Array(rows.length * d);
    rows.forEach((r, i) => data.set(this.windows[index].subarray(r * d, (r + 1) * d), i * d));
    return { data, n: rows.length, positions: new Int32Array(rows.length).fill(-1) };
  }

  private index(layer: number, kvHead: number, chunk: number): number {
    const { numLayers: L, numKvHeads: KV } = this.shape;
    if (layer < 0 || layer >= L || kvHead < 0 || kvHead >= KV || chunk < 0 || chunk >= this.chunks.length) {
      throw new LongreadError('BAD_ARGUMENT', `no reference queries for layer ${layer}, KV head ${kvHead}, chunk ${chunk}`);
    }
    return (layer * KV + kvHead) * this.chunks.length + chunk;
  }
}

/** Concatenates query sets (e.g. context and repeat queries pooled). */
export function concatQuerySets(sets: readonly QuerySet[], d: number): QuerySet {
  const n = sets.reduce((a, s) => a + s.n, 0);
  const data = new Float32Array(n * d);
  const positions = new Int32Array(n);
  let at = 0;
  for (const s of sets) {
    data.set(s.data.subarray(0, s.n * d), at * d);
    positions.set(s.positions.subarray(0, s.n), at);
    at += s.n;
  }
  return { data, n, positions };
}
