import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { occupiedKvBytes, SpilledCache } from '../../engine/cache/spilled-cache.js';
import { prefillCapturing } from '../../engine/compaction/cache/capture.js';
import { QueryCollector } from '../../engine/compaction/cache/query-collector.js';
import { Recompactor } from '../../engine/compaction/cache/recompactor.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { isLongreadError } from '../../engine/errors.js';
import { f16ToF32, f32ToF16 } from '../../engine/model/dtype.js';
import { maxAbsDiff, tinyDecoder, tokenIds, type TinyDecoder } from './tiny-decoder.js';

const IDS = [1, ...tokenIds(72, 64, 9)];
/** A template prefix of 1 slot and a suffix of 12 stay verbatim (read back from the file when spilled). */
const SPAN = { start: 1, end: 61 };

const fp16 = (x: Float32Array) => f16ToF32(f32ToF16(x));

function randomCache(): KvCache {
  const cache = new KvCache({ numLayers: 2, numKvHeads: 3, headDim: 4 }, 8);
  let a = 7;
  const rand = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648) * 8 - 4;
  for (const [S, first] of [
    [5, 0],
    [7, 5],
  ]) {
    for (const layer of cache.layers) {
      const keys = Float32Array.from({ length: 3 * S * 4 }, rand);
      const values = Float32Array.from({ length: 3 * S * 4 }, rand);
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

  it('round-trips a cache with K/V rounded to fp16 and everything else exact, and deletes its file on dispose', () => {
    const cache = randomCache();
    const spilled = SpilledCache.write(cache, { dir });
    const file = spilled.file!;
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).size).toBe(8 + occupiedKvBytes(cache) / 2);
    const back = spilled.restore();
    expect(back.logicalLength).toBe(12);
    expect(back.shape).toEqual(cache.shape);
    cache.layers.forEach((layer, l) => {
      const r = back.layers[l];
      expect(r.capacity).toBe(layer.capacity);
      expect(r.used).toEqual(layer.used);
      expect(r.bias).toEqual(layer.bias);
      expect(r.sources).toEqual(layer.sources);
      expect(r.keys).toEqual(fp16(layer.keys));
      expect(r.values).toEqual(fp16(layer.values));
    });
    expect(maxAbsDiff(back.layers[0].keys, cache.layers[0].keys)).toBeGreaterThan(0); // really went through fp16

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
      c.layers[0].append(new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 0, 8);
      const s = SpilledCache.write(c, { dir: ${JSON.stringify(dir)} });
      console.log(s.file, fs.existsSync(s.file));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
    const [file, existed] = out.split(' ');
    expect(existed).toBe('true');
    expect(path.dirname(file)).toBe(dir);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses to spill a value beyond fp16 range, leaving no file behind', () => {
    const cache = randomCache();
    cache.layers[1].values[5] = 1e6;
    const before = fs.readdirSync(dir).length;
    expect(() => SpilledCache.write(cache, { dir })).toThrow(/fp16's range/);
    expect(fs.readdirSync(dir).length).toBe(before);
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

  it('matches the in-memory Recompactor within fp16 rounding of the verbatim slots, and deletes its file on dispose', async () => {
    const scope = { span: SPAN, queries: { sets: [context], window: context }, chunkSize: 32 };
    const inMemory = new Recompactor(full, scope);
    expect(inMemory.spillFile).toBeNull(); // far below the default threshold
    const spilled = new Recompactor(full, scope, { spillBytes: 0, spillDir: dir });
    const file = spilled.spillFile!;
    expect(path.dirname(file)).toBe(dir);
    expect(fs.existsSync(file)).toBe(true);
    const mem = spilled.memoryReport();
    expect(mem.fullKvBytes).toBe(0);
    expect(mem.spilledFileBytes).toBe(8 + occupiedKvBytes(full) / 2);
    // the blocks hold the document's slots in fp32: 60 of the 73 slots per head
    expect(mem.blockKvBytes).toBe((occupiedKvBytes(full) * 60) / 73);

    const next = [5, 6, 7];
    for (const name of ['am', 'am-omp', 'snapkv'] as const) {
      const method = createMethod(name);
      for (const ratio of [0.5, 0.2]) {
        const a = inMemory.compact(method, ratio, { maxRatio: 0.5 }).cache;
        const b = spilled.compact(method, ratio, { maxRatio: 0.5 }).cache;
        const label = `${name} ${ratio}`;
        a.layers.forEach((la, l) => {
          const lb = b.layers[l];
          expect(lb.used, label).toEqual(la.used);
          expect(lb.sources, label).toEqual(la.sources);
          expect(lb.bias, label).toEqual(la.bias);
          expect(lb.capacity, label).toBe(la.capacity);
          // the verbatim slots are the fp16-rounded ones; the compacted ones are identical
          expect(lb.keys, label).toEqual(Float32Array.from(la.keys, (v, i) => (la.sources[Math.floor(i / 8)] < SPAN.start || la.sources[Math.floor(i / 8)] >= SPAN.end ? fp16(Float32Array.of(v))[0] : v)));
        });
        const la = (await tiny.decoder.step(a, next, { logits: 'all' })).logits;
        const lb = (await tiny.decoder.step(b, next, { logits: 'all' })).logits;
        const diff = maxAbsDiff(la, lb);
        expect(diff, label).toBeGreaterThan(0);
        expect(diff, label).toBeLessThan(2e-3); // measured 3e-4 … 5.4e-4
      }
    }

    spilled.dispose();
    expect(fs.existsSync(file)).toBe(false);
    expect(spilled.spillFile).toBeNull();
    expect(() => spilled.compact(createMethod('am'), 0.2)).toThrow(/disposed/);
  });

  it('refuses a truncated spill file with CACHE_FILE when compacting', () => {
    const scope = { span: SPAN, queries: { sets: [context] }, chunkSize: 32 };
    const spilled = new Recompactor(full, scope, { spillBytes: 0, spillDir: dir });
    const file = spilled.spillFile!;
    fs.truncateSync(file, 100);
    let caught: unknown;
    try {
      spilled.compact(createMethod('am'), 0.2);
    } catch (e) {
      caught = e;
    }
    expect(isLongreadError(caught, 'CACHE_FILE')).toBe(true);
    expect((caught as Error).message).toMatch(/truncated/);
    spilled.dispose();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('keeps a cache in memory below the threshold or when it is beyond fp16 range', () => {
    const scope = { span: SPAN, queries: { sets: [context] }, chunkSize: 32 };
    const below = new Recompactor(full, scope, { spillBytes: occupiedKvBytes(full), spillDir: dir });
    expect(below.spillFile).toBeNull();
    const huge = full.clone();
    huge.layers[0].keys[3] = 1e6;
    const kept = new Recompactor(huge, scope, { spillBytes: 0, spillDir: dir });
    expect(kept.spillFile).toBeNull();
    expect(kept.spillSkipped).toMatch(/fp16's range/);
    expect(kept.memoryReport().fullKvBytes).toBe(occupiedKvBytes(huge));
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
