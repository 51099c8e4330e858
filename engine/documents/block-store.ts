import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SlotRun } from '../cache/kv-cache.js';
import { LongreadError } from '../errors.js';
import { f16ToF32, f32ToF16 } from '../model/dtype.js';

/*
 * A read document's prepared state on disk: for every compaction chunk and (layer, KV head), the document's full K/V
 * (fp16), the reference queries the fits use, the budget-independent targets computed from the fp32 cache, and
 * held-out queries with their true outputs (the fidelity estimate). Everything a re-compaction to another ratio
 * needs, so the slider never reads the document again and RAM never holds the whole document's KV.
 *
 * blocks.bin: records appended in (chunk, layer, head) order; blocks.json: the index, written once complete.
 */

export const BLOCKS_FILE = 'blocks.bin';
export const BLOCKS_INDEX_FILE = 'blocks.json';
const INDEX_VERSION = 1;

/** One (chunk, layer, KV head) block with its prepared targets, as the fits read it (fp32). */
export interface StoredBlock {
  chunk: number;
  layer: number;
  head: number;
  T: number;
  d: number;
  keys: Float32Array;
  values: Float32Array;
  bias: Float32Array;
  sources: Int32Array;
  /** n×d fit queries and, for causal scoring, the block-relative slot each stands for (-1 = sees all). */
  queries: Float32Array;
  n: number;
  queryPositions: Int32Array;
  windowQueries: Float32Array;
  windowN: number;
  /** Targets of the fit queries on the full block: row max, mass (relative to it), outputs n×d. */
  rowMax: Float32Array;
  mass: Float32Array;
  outputs: Float32Array;
  /** Per slot: RMS attention over the fit queries, and its column sum. */
  keyRms: Float32Array;
  columnSums: Float32Array;
  /** Held-out queries (not fitted) and their outputs on the full block. */
  heldQueries: Float32Array;
  heldN: number;
  heldOutputs: Float32Array;
}

const FIELDS = [
  ['keys', 'f16', (b) => b.T * b.d],
  ['values', 'f16', (b) => b.T * b.d],
  ['bias', 'f32', (b) => b.T],
  ['sources', 'i32', (b) => b.T],
  ['queries', 'f16', (b) => b.n * b.d],
  ['queryPositions', 'i32', (b) => b.n],
  ['windowQueries', 'f16', (b) => b.windowN * b.d],
  ['rowMax', 'f32', (b) => b.n],
  ['mass', 'f32', (b) => b.n],
  ['outputs', 'f16', (b) => b.n * b.d],
  ['keyRms', 'f32', (b) => b.T],
  ['columnSums', 'f32', (b) => b.T],
  ['heldQueries', 'f16', (b) => b.heldN * b.d],
  ['heldOutputs', 'f32', (b) => b.heldN * b.d],
] as const satisfies readonly (readonly [keyof StoredBlock, 'f16' | 'f32' | 'i32', (b: BlockDims) => number])[];

type BlockDims = Pick<StoredBlock, 'T' | 'd' | 'n' | 'windowN' | 'heldN'>;

const BYTES = { f16: 2, f32: 4, i32: 4 } as const;

function recordBytes(b: BlockDims): number {
  return FIELDS.reduce((s, [, type, len]) => s + len(b) * BYTES[type], 0);
}

const blockEntrySchema = z.strictObject({
  chunk: z.number().int().min(0),
  layer: z.number().int().min(0),
  head: z.number().int().min(0),
  T: z.number().int().min(0),
  d: z.number().int().min(1),
  n: z.number().int().min(0),
  windowN: z.number().int().min(0),
  heldN: z.number().int().min(0),
  offset: z.number().int().min(0),
  bytes: z.number().int().min(0),
});
type BlockEntry = z.output<typeof blockEntrySchema>;

const slotRunSchema = z.strictObject({ keys: z.array(z.number()), values: z.array(z.number()), bias: z.array(z.number()), sources: z.array(z.number()) });

const indexSchema = z.strictObject({
  version: z.literal(INDEX_VERSION),
  shape: z.strictObject({ numLayers: z.number().int().min(1), numKvHeads: z.number().int().min(1), headDim: z.number().int().min(1) }),
  chunks: z.array(z.strictObject({ start: z.number().int(), end: z.number().int() })),
  /** The template prefix's slots, per layer and head (short; kept verbatim, fp32). */
  prefix: z.array(z.array(slotRunSchema)),
  blocks: z.array(blockEntrySchema),
  fileBytes: z.number().int().min(0),
});
export type BlockStoreIndex = z.output<typeof indexSchema>;

export interface StoreShape {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
}

/** Appends prepared blocks while a document is read; `finish()` writes the index. */
export class BlockStoreWriter {
  private readonly fd: number;
  private at = 0;
  private readonly blocks: BlockEntry[] = [];
  private prefix: SlotRun[][] = [];
  private closed = false;

  constructor(
    readonly dir: string,
    readonly shape: StoreShape,
    readonly chunks: readonly { start: number; end: number }[],
  ) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      this.fd = fs.openSync(path.join(dir, BLOCKS_FILE), 'w', 0o600);
    } catch (e) {
      throw storeError(dir, 'could not create', e);
    }
  }

  setPrefix(runs: SlotRun[][]): void {
    this.prefix = runs;
  }

  append(block: StoredBlock): void {
    const bytes = recordBytes(block);
    const buf = Buffer.allocUnsafe(bytes);
    let o = 0;
    for (const [name, type, len] of FIELDS) {
      const src = block[name] as Float32Array | Int32Array;
      const count = len(block);
      if (src.length < count) throw new LongreadError('INTERNAL', `block ${block.chunk}/${block.layer}/${block.head}: ${name} has ${src.length} of ${count} values`);
      const view = src.subarray(0, count);
      const raw = type === 'f16' ? f32ToF16(view as Float32Array) : view;
      buf.set(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), o);
      o += raw.byteLength;
    }
    writeAll(this.fd, buf, this.at, this.dir);
    const { chunk, layer, head, T, d, n, windowN, heldN } = block;
    this.blocks.push({ chunk, layer, head, T, d, n, windowN, heldN, offset: this.at, bytes });
    this.at += bytes;
  }

  /** A reader over the blocks appended so far (the data file is shared; the index is not written yet). */
  snapshot(): BlockStore {
    return new BlockStore(this.dir, this.index());
  }

  /** Closes the data file and writes the index; the store can then be opened. */
  finish(): BlockStore {
    this.close();
    const index = this.index();
    const file = path.join(this.dir, BLOCKS_INDEX_FILE);
    try {
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, JSON.stringify(index));
      fs.renameSync(tmp, file);
    } catch (e) {
      throw storeError(this.dir, 'could not write the index of', e);
    }
    return new BlockStore(this.dir, index);
  }

  private index(): BlockStoreIndex {
    return {
      version: INDEX_VERSION,
      shape: { numLayers: this.shape.numLayers, numKvHeads: this.shape.numKvHeads, headDim: this.shape.headDim },
      chunks: this.chunks.map((c) => ({ start: c.start, end: c.end })),
      prefix: this.prefix.map((layer) =>
        layer.map((r) => ({ keys: Array.from(r.keys), values: Array.from(r.values), bias: Array.from(r.bias), sources: Array.from(r.sources) })),
      ),
      blocks: [...this.blocks],
      fileBytes: this.at,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** Reads prepared blocks back, one at a time. */
export class BlockStore {
  private readonly byChunk: BlockEntry[][];

  constructor(
    readonly dir: string,
    readonly index: BlockStoreIndex,
  ) {
    this.byChunk = index.chunks.map(() => []);
    for (const b of index.blocks) {
      if (b.chunk >= this.byChunk.length) throw storeError(dir, 'found a block of an unknown chunk in', null);
      this.byChunk[b.chunk].push(b);
    }
  }

  static open(dir: string): BlockStore {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(path.join(dir, BLOCKS_INDEX_FILE), 'utf8'));
    } catch (e) {
      throw storeError(dir, 'could not read the prepared state in', e);
    }
    const parsed = indexSchema.safeParse(raw);
    if (!parsed.success) throw storeError(dir, 'found a damaged index in', null);
    const size = fileSize(path.join(dir, BLOCKS_FILE));
    if (size !== parsed.data.fileBytes) throw storeError(dir, `found ${size} bytes instead of ${parsed.data.fileBytes} in`, null);
    const { shape, fileBytes } = parsed.data;
    for (const b of parsed.data.blocks) {
      if (b.bytes !== recordBytes(b) || b.offset + b.bytes > fileBytes || b.d !== shape.headDim || b.layer >= shape.numLayers || b.head >= shape.numKvHeads) {
        throw storeError(dir, 'found a damaged index in', null);
      }
    }
    return new BlockStore(dir, parsed.data);
  }

  static exists(dir: string): boolean {
    return fs.existsSync(path.join(dir, BLOCKS_INDEX_FILE));
  }

  get shape(): StoreShape {
    return this.index.shape;
  }

  get chunkCount(): number {
    return this.index.chunks.length;
  }

  blocksOf(chunk: number): readonly BlockEntry[] {
    return this.byChunk[chunk];
  }

  prefixRun(layer: number, head: number): SlotRun {
    const r = this.index.prefix[layer]?.[head];
    if (!r) return { keys: new Float32Array(0), values: new Float32Array(0), bias: new Float32Array(0), sources: new Int32Array(0) };
    return { keys: Float32Array.from(r.keys), values: Float32Array.from(r.values), bias: Float32Array.from(r.bias), sources: Int32Array.from(r.sources) };
  }

  /**
   * Reads one block. The record is read into one fresh buffer and every int32/fp32 field is a view of it; fp16 fields
   * are widened to fp32 on first access only, so a fit
   * that never touches the values (Attention Matching fits them) does not pay for decoding them.
   */
  read(entry: BlockEntry, fd?: number): StoredBlock {
    const own = fd === undefined;
    const file = path.join(this.dir, BLOCKS_FILE);
    const handle = own ? openRead(file) : fd;
    try {
      const bytes = new Uint8Array(new ArrayBuffer(entry.bytes));
      let done = 0;
      while (done < entry.bytes) {
        const r = fs.readSync(handle, bytes, done, entry.bytes - done, entry.offset + done);
        if (r === 0) throw storeError(this.dir, 'found a truncated block file in', null);
        done += r;
      }
      const out: Partial<StoredBlock> = { ...entry };
      let o = 0;
      for (const [name, type, len] of FIELDS) {
        const count = len(entry);
        const at = o;
        o += count * BYTES[type];
        // An odd-length fp16 field (an odd head dimension) leaves the next one unaligned: that one is copied.
        const source = at % 4 === 0 ? bytes.buffer : bytes.slice(at, at + count * BYTES[type]).buffer;
        const offset = at % 4 === 0 ? at : 0;
        if (type === 'f32') (out as Record<string, unknown>)[name] = new Float32Array(source, offset, count);
        else if (type === 'i32') (out as Record<string, unknown>)[name] = new Int32Array(source, offset, count);
        else lazyWidened(out, name, new Uint16Array(source, offset, count));
      }
      return out as StoredBlock;
    } finally {
      if (own) fs.closeSync(handle);
    }
  }

  /** Calls `fn` for each block of a chunk, reading them one at a time through one file handle. */
  forEachBlock(chunk: number, fn: (block: StoredBlock) => void): void {
    const fd = openRead(path.join(this.dir, BLOCKS_FILE));
    try {
      for (const entry of this.byChunk[chunk]) fn(this.read(entry, fd));
    } finally {
      fs.closeSync(fd);
    }
  }

  async forEachBlockAsync(chunk: number, fn: (block: StoredBlock) => Promise<void>): Promise<void> {
    const fd = openRead(path.join(this.dir, BLOCKS_FILE));
    try {
      for (const entry of this.byChunk[chunk]) await fn(this.read(entry, fd));
    } finally {
      fs.closeSync(fd);
    }
  }

  diskBytes(): number {
    return this.index.fileBytes;
  }

  /** The largest block's record on disk (its fp16 arrays take twice that once decoded). */
  largestBlockBytes(): number {
    return this.index.blocks.reduce((m, b) => Math.max(m, b.bytes), 0);
  }
}

/** Defines `name` on `target` as the fp32 widening of `half`, computed once, on first access. */
function lazyWidened(target: object, name: string, half: Uint16Array): void {
  let value: Float32Array | null = null;
  Object.defineProperty(target, name, {
    enumerable: true,
    get: () => (value ??= f16ToF32(half)),
    set: (v: Float32Array) => (value = v),
  });
}

function openRead(file: string): number {
  try {
    return fs.openSync(file, 'r');
  } catch (e) {
    throw storeError(path.dirname(file), 'could not open the prepared state in', e);
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return -1;
  }
}

function writeAll(fd: number, buf: Uint8Array, position: number, dir: string): void {
  try {
    let done = 0;
    while (done < buf.byteLength) done += fs.writeSync(fd, buf, done, buf.byteLength - done, position + done);
  } catch (e) {
    throw storeError(dir, 'could not write the prepared state to', e);
  }
}

function storeError(dir: string, what: string, cause: unknown): LongreadError {
  if ((cause as NodeJS.ErrnoException | null)?.code === 'ENOSPC') {
    return new LongreadError('CACHE_FILE', `Longread could not save the prepared state in ${dir}: the disk is full. Free some space, then read the document again.`, { cause });
  }
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new LongreadError('CACHE_FILE', `Longread ${what} ${dir}${detail}. Read the document again to rebuild it.`, { cause });
}
