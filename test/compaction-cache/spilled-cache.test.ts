import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { occupiedKvBytes, SpilledCache } from '../../engine/cache/spilled-cache.js';
import { prefillCapturing } from '../../engine/compaction/cache/capture.js';
import { QueryCollector } from '../../engine/compaction/cache/query-collector.js';
import { jsAttentionOps as ops } from '../../engine/compaction/js-attention-ops.js';
import { Recompactor } from '../../engine/compaction/cache/recompactor.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { isLongreadError } from '../../engine/errors.js';
import { f32ToF16 } from '../../engine/model/dtype.js';
import { maxAbsDiff, tinyDecoder, tokenIds, type TinyDecoder } from './tiny-decoder.js';

const IDS = [1, ...tokenIds(72, 64, 9)];
/** A template prefix of 1 slot and a suffix of 12 stay verbatim (read back from the file when spilled). */
const SPAN = { start: 1, end: 61 };

function randomCache(): KvCache {
  const cache = new KvCache({ numLayers: 2, numKvHeads: 3, headDim: 4 }, 8);
  let a = 7;
  const rand = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648) * 8 - 4;
  for (const [S, first] of [
    [5, 0],
    [7, 5],
  ]) {
    for (const layer of cache.layers) {
      const keys = f32ToF16(Float32Array.from({ length: 3 * S * 4 }, rand));
      const values = f32ToF16(Float32Array.from({ length: 3 * S * 4 }, rand));
      layer.append(keys, values, S, first, cache.growChunk);
    }
  }
  cache.layers[1].truncate(2, 9); // heads holding different numbers of slots
  cache.layers[0].bias[3] = 0.25;
  cache.logicalLength = 12;
  return cache;
}

describe('SpilledCache', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-spill-test-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips a cache exactly (K/V as the fp16 the cache holds), and deletes its file on dispose', () => {
    const cache = randomCache();
    const spilled = SpilledCache.write(cache, { dir });
    const file = spilled.file!;
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).size).toBe(8 + occupiedKvBytes(cache));
    const back = spilled.restore();
    expect(back.logicalLength).toBe(12);
    expect(back.shape).toEqual(cache.shape);
    cache.layers.forEach((layer, l) => {
      const r = back.layers[l];
      expect(r.capacity).toBe(layer.capacity);
      expect(r.used).toEqual(layer.used);
      expect(r.bias).toEqual(layer.bias);
      expect(r.sources).toEqual(layer.sources);
      expect(r.keys).toEqual(layer.keys);
      expect(r.values).toEqual(layer.values);
    });

    // a skipped range is not read (left zero); the rest is
    const partial = spilled.restore((l, h) => (l === 1 && h === 0 ? { from: 2, to: 6 } : undefined));
    const d = 4;
    const cap = cache.layers[1].capacity;
    expect(Array.from(partial.layers[1].keys.subarray(2 * d, 6 * d))).toEqual(new Array(4 * d).fill(0));
    expect(partial.layers[1].keys.subarray(0, 2 * d)).toEqual(back.layers[1].keys.subarray(0, 2 * d));
    expect(partial.layers[1].values.subarray(6 * d, cap * d)).toEqual(back.layers[1].values.subarray(6 * d, cap * d));
    expect(partial.layers[1].keys.subarray(cap * d)).toEqual(back.layers[1].keys.subarray(cap * d));

    spilled.dispose();
    expect(fs.existsSync(file)).toBe(false);
    expect(spilled.file).toBeNull();
    spilled.dispose(); // idempotent
    expect(() => spilled.restore()).toThrow(/disposed/);
  });

  it('refuses a truncated or missing file with CACHE_FILE', () => {
    const spilled = SpilledCache.write(randomCache(), { dir });
    const file = spilled.file!;
    fs.truncateSync(file, fs.statSync(file).size - 10);
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isLongreadError(e, 'CACHE_FILE') ? e.message : `wrong error ${String(e)}`;
      }
      return 'no error';
    };
    expect(refused(() => spilled.restore())).toMatch(/truncated/);
    fs.rmSync(file);
    expect(refused(() => spilled.restore())).toMatch(/could not open/);
    spilled.dispose();
  });

  it('deletes a file nobody disposed of when the process exits', () => {
    const script = `
      import { KvCache } from './engine/cache/kv-cache.ts';
      import { SpilledCache } from './engine/cache/spilled-cache.ts';
      import fs from 'node:fs';
      const c = new KvCache({ numLayers: 1, numKvHeads: 1, headDim: 2 });
      c.layers[0].append(new Uint16Array([1, 2]), new Uint16Array([3, 4]), 1, 0, 8);
      const s = SpilledCache.write(c, { dir: ${JSON.stringify(dir)} });
      console.log(s.file, fs.existsSync(s.file));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
    const [file, existed] = out.split(' ');
    expect(existed).toBe('true');
    expect(path.dirname(file)).toBe(dir);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('Recompactor spilling the full cache', () => {
  let tiny: TinyDecoder;
  let full: KvCache;
  let context: QueryCollector;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-spill-test-'));

  beforeAll(async () => {
    tiny = await tinyDecoder();
    full = tiny.newCache();
    context = new QueryCollector({ numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8 }, { span: SPAN, chunkSize: 32, cap: 500, causal: true, window: 4 });
    await prefillCapturing(tiny.decoder, full, IDS, [context]);
  });
  afterAll(async () => {
    await tiny?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('matches the in-memory Recompactor exactly, and deletes its file on dispose', async () => {
    const scope = { span: SPAN, queries: { sets: [context], window: context }, chunkSize: 32 };
    const inMemory = new Recompactor(full, scope);
    expect(inMemory.spillFile).toBeNull(); // far below the default threshold
    const spilled = new Recompactor(full, scope, { spillBytes: 0, spillDir: dir });
    const file = spilled.spillFile!;
    expect(path.dirname(file)).toBe(dir);
    expect(fs.existsSync(file)).toBe(true);
    const mem = spilled.memoryReport();
    expect(mem.fullKvBytes).toBe(0);
    expect(mem.spilledFileBytes).toBe(8 + occupiedKvBytes(full));
    // the blocks hold the document's slots in fp32 (twice the cache's fp16): 60 of the 73 slots per head
    expect(mem.blockKvBytes).toBe((2 * occupiedKvBytes(full) * 60) / 73);

    const next = [5, 6, 7];
    for (const name of ['am', 'am-omp', 'snapkv'] as const) {
      const method = createMethod(name);
      for (const ratio of [0.5, 0.2]) {
        const a = (await inMemory.compact(method, ratio, { ops, maxRatio: 0.5 })).cache;
        const b = (await spilled.compact(method, ratio, { ops, maxRatio: 0.5 })).cache;
        const label = `${name} ${ratio}`;
        a.layers.forEach((la, l) => {
          const lb = b.layers[l];
          expect(lb.used, label).toEqual(la.used);
          expect(lb.sources, label).toEqual(la.sources);
          expect(lb.bias, label).toEqual(la.bias);
          expect(lb.capacity, label).toBe(la.capacity);
          expect(lb.keys, label).toEqual(la.keys);
          expect(lb.values, label).toEqual(la.values);
        });
        const la = (await tiny.decoder.step(a, next, { logits: 'all' })).logits;
        const lb = (await tiny.decoder.step(b, next, { logits: 'all' })).logits;
        expect(maxAbsDiff(la, lb), label).toBe(0);
      }
    }

    spilled.dispose();
    expect(fs.existsSync(file)).toBe(false);
    expect(spilled.spillFile).toBeNull();
    await expect(spilled.compact(createMethod('am'), 0.2, { ops })).rejects.toThrow(/disposed/);
  });

  it('refuses a truncated spill file with CACHE_FILE when compacting', async () => {
    const scope = { span: SPAN, queries: { sets: [context] }, chunkSize: 32 };
    const spilled = new Recompactor(full, scope, { spillBytes: 0, spillDir: dir });
    const file = spilled.spillFile!;
    fs.truncateSync(file, 100);
    let caught: unknown;
    try {
      await spilled.compact(createMethod('am'), 0.2, { ops });
    } catch (e) {
      caught = e;
    }
    expect(isLongreadError(caught, 'CACHE_FILE')).toBe(true);
    expect((caught as Error).message).toMatch(/truncated/);
    spilled.dispose();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('keeps a cache in memory below the threshold', () => {
    const scope = { span: SPAN, queries: { sets: [context] }, chunkSize: 32 };
    const below = new Recompactor(full, scope, { spillBytes: occupiedKvBytes(full), spillDir: dir });
    expect(below.spillFile).toBeNull();
    expect(below.memoryReport().fullKvBytes).toBe(occupiedKvBytes(full));
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
