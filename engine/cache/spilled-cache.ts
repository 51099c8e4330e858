import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LongreadError } from '../errors.js';
import { KV_ELEMENT_BYTES, KvCache, type CacheShape } from './kv-cache.js';

/**
 * A KvCache whose occupied K/V slots live in a temporary file (fp16, as the cache holds them), while the small
 * per-slot data (bias, sources), the slots per head, each layer's capacity and the logical length stay in memory as
 * they were. `restore()` rebuilds the same KvCache, bit for bit.
 *
 * File layout: "LRSP", u32 version, then for each layer, each KV head: the head's `used` key rows then its value
 * rows, fp16 little-endian, headDim values per row. Nothing else: the reader knows every offset from memory and
 * refuses a file whose size differs.
 */

const MAGIC = 'LRSP';
const VERSION = 1;
const HEADER_BYTES = 8;

/** Files still on disk; removed on process exit (best effort) if nobody disposed of them. */
const live = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const file of live) {
      try {
        fs.rmSync(file, { force: true });
      } catch {
        // best effort: the process is going away
      }
    }
    live.clear();
  });
}

interface LayerMeta {
  capacity: number;
  used: Int32Array;
  /** [kvHeads × capacity], as in the cache (empty slots included). */
  bias: Float32Array;
  sources: Int32Array;
  /** Byte offset of each head's key rows in the file; its value rows follow them. */
  offsets: number[];
}

export interface SpillOptions {
  /** Folder for the temporary file (default: the OS temp folder). */
  dir?: string;
}

/** Bytes of K and V in `cache`'s occupied slots: what spilling moves out of memory. */
export function occupiedKvBytes(cache: KvCache): number {
  const d = cache.shape.headDim;
  return cache.layers.reduce((s, l) => s + l.used.reduce((a, b) => a + b, 0) * d * 2 * KV_ELEMENT_BYTES, 0);
}

export class SpilledCache {
  readonly shape: CacheShape;
  readonly growChunk: number;
  readonly logicalLength: number;
  /** Size of the file in bytes. */
  readonly fileBytes: number;
  private readonly meta: LayerMeta[];
  private path: string | null;

  private constructor(file: string, cache: KvCache, meta: LayerMeta[], fileBytes: number) {
    this.path = file;
    this.shape = cache.shape;
    this.growChunk = cache.growChunk;
    this.logicalLength = cache.logicalLength;
    this.meta = meta;
    this.fileBytes = fileBytes;
  }

  /** Writes the occupied K/V slots of `cache` to a new temporary file; on failure no file is left behind. */
  static write(cache: KvCache, opts: SpillOptions = {}): SpilledCache {
    const dir = opts.dir ?? os.tmpdir();
    const file = path.join(dir, `longread-kv-${process.pid}-${randomUUID()}.f16`);
    const d = cache.shape.headDim;
    const meta: LayerMeta[] = [];
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o600);
    } catch (e) {
      throw new LongreadError('CACHE_FILE', `could not create the temporary KV cache file ${file}: ${(e as Error).message}`, { cause: e });
    }
    installExitHook();
    live.add(file);
    let at = 0;
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      header.write(MAGIC, 0, 'latin1');
      header.writeUInt32LE(VERSION, 4);
      writeAll(fd, header, at);
      at += HEADER_BYTES;
      for (const layer of cache.layers) {
        const offsets: number[] = [];
        for (let h = 0; h < layer.kvHeads; h++) {
          offsets.push(at);
          const base = h * layer.capacity * d;
          const n = layer.used[h] * d;
          for (const src of [layer.keys, layer.values]) {
            const rows = src.subarray(base, base + n);
            writeAll(fd, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength), at);
            at += rows.byteLength;
          }
        }
        meta.push({ capacity: layer.capacity, used: layer.used.slice(), bias: layer.bias.slice(), sources: layer.sources.slice(), offsets });
      }
      fs.closeSync(fd);
    } catch (e) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
      live.delete(file);
      fs.rmSync(file, { force: true });
      if (e instanceof LongreadError) throw e;
      throw new LongreadError('CACHE_FILE', `could not write the temporary KV cache file ${file}: ${(e as Error).message}`, { cause: e });
    }
    return new SpilledCache(file, cache, meta, at);
  }

  /** The temporary file, or null once disposed. */
  get file(): string | null {
    return this.path;
  }

  /** Slots held per (layer, head). */
  slotCount(layer: number, head: number): number {
    return this.meta[layer].used[head];
  }

  /**
   * Rebuilds the cache: same shape, capacities, slots per head, bias, sources, K/V and logical length.
   * `skip(layer, head)` may name a slot range per head whose K/V need not be read (left zero), e.g. the slots a
   * compaction will overwrite anyway.
   */
  restore(skip?: (layer: number, head: number) => { from: number; to: number } | undefined): KvCache {
    const file = this.path;
    if (file === null) throw new LongreadError('CACHE_FILE', 'this spilled KV cache was disposed; its file is gone');
    const cache = new KvCache(this.shape, this.growChunk);
    cache.logicalLength = this.logicalLength;
    const d = this.shape.headDim;
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      throw new LongreadError('CACHE_FILE', `could not open the temporary KV cache file ${file}: ${(e as Error).message}`, { cause: e });
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size !== this.fileBytes) {
        throw new LongreadError('CACHE_FILE', `the temporary KV cache file ${file} holds ${size} bytes, not the ${this.fileBytes} written: it was truncated or replaced`);
      }
      const header = Buffer.alloc(HEADER_BYTES);
      readExactly(fd, file, 0, header);
      if (header.toString('latin1', 0, 4) !== MAGIC || header.readUInt32LE(4) !== VERSION) {
        throw new LongreadError('CACHE_FILE', `the temporary KV cache file ${file} is not the one Longread wrote (bad header)`);
      }
      this.meta.forEach((m, l) => {
        const layer = cache.layers[l];
        const KV = layer.kvHeads;
        layer.capacity = m.capacity;
        layer.keys = new Uint16Array(KV * m.capacity * d);
        layer.values = new Uint16Array(KV * m.capacity * d);
        layer.bias = m.bias.slice();
        layer.sources = m.sources.slice();
        layer.used.set(m.used);
        for (let h = 0; h < KV; h++) {
          const n = m.used[h];
          const s = skip?.(l, h);
          const from = s ? Math.max(0, Math.min(n, s.from)) : n;
          const to = s ? Math.max(from, Math.min(n, s.to)) : n;
          const keysAt = m.offsets[h];
          const valuesAt = keysAt + n * d * KV_ELEMENT_BYTES;
          for (const [dst, at] of [
            [layer.keys, keysAt],
            [layer.values, valuesAt],
          ] as const) {
            const base = h * m.capacity * d;
            // [0, from) and [to, n): everything outside the skipped range
            for (const [a, b] of [
              [0, from],
              [to, n],
            ]) {
              if (b <= a) continue;
              const rows = dst.subarray(base + a * d, base + b * d);
              readExactly(fd, file, at + a * d * KV_ELEMENT_BYTES, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
            }
          }
        }
      });
    } finally {
      fs.closeSync(fd);
    }
    return cache;
  }

  /** Deletes the file (idempotent). */
  dispose(): void {
    const file = this.path;
    if (file === null) return;
    this.path = null;
    live.delete(file);
    fs.rmSync(file, { force: true });
  }
}

function writeAll(fd: number, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.byteLength) done += fs.writeSync(fd, buf, done, buf.byteLength - done, position + done);
}

/** Fills `buf` from the file at `position`. */
function readExactly(fd: number, file: string, position: number, buf: Uint8Array): void {
  const length = buf.byteLength;
  let done = 0;
  try {
    while (done < length) {
      const n = fs.readSync(fd, buf, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
  } catch (e) {
    throw new LongreadError('CACHE_FILE', `could not read the temporary KV cache file ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (done !== length) {
    throw new LongreadError('CACHE_FILE', `the temporary KV cache file ${file} ended early (${done} of ${length} bytes at offset ${position}): it was truncated`);
  }
}
