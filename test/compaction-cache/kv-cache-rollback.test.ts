import { describe, expect, it } from 'vitest';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { EMPTY_SLOT_BIAS } from '../../engine/graph/io-names.js';
import { f32ToF16 } from '../../engine/model/dtype.js';

function filled(rows: number): KvCache {
  const cache = new KvCache({ numLayers: 2, numKvHeads: 2, headDim: 3 }, 4);
  const k = Float32Array.from({ length: 2 * rows * 3 }, (_, i) => i + 1);
  for (const layer of cache.layers) layer.append(f32ToF16(k), f32ToF16(k.map((x) => -x)), rows, 0, cache.growChunk);
  cache.logicalLength = rows;
  return cache;
}

describe('KvCache mark / rollback / clone / shrinkToFit', () => {
  it('rollback drops exactly the slots appended after the mark and restores the logical length', () => {
    const cache = filled(5);
    const before = cache.layers.map((l) => l.readRun(1, 0, 5));
    const mark = cache.mark();
    const extra = f32ToF16(new Float32Array(2 * 3 * 3).fill(9));
    for (const layer of cache.layers) layer.append(extra, extra, 3, 5, cache.growChunk);
    cache.logicalLength = 8;
    cache.rollback(mark);
    expect(cache.logicalLength).toBe(5);
    cache.layers.forEach((layer, l) => {
      expect(Array.from(layer.used)).toEqual([5, 5]);
      expect(layer.readRun(1, 0, 5)).toEqual(before[l]);
      const cap = layer.capacity;
      // the dropped slots are empty again: zero K/V, empty bias, no source
      expect(Array.from(layer.bias.subarray(cap + 5, cap + 8))).toEqual(Array.from(new Float32Array(3).fill(EMPTY_SLOT_BIAS)));
      expect(Array.from(layer.sources.subarray(cap + 5, cap + 8))).toEqual([-1, -1, -1]);
      expect(layer.keys.subarray((cap + 5) * 3, (cap + 8) * 3).every((x) => x === 0)).toBe(true);
    });
  });

  it('rollback refuses a mark from a longer cache', () => {
    const mark = filled(6).mark();
    expect(() => filled(5).rollback(mark)).toThrow(/does not belong/);
  });

  it('clone is deep and shrinkToFit keeps every slot', () => {
    const cache = filled(5);
    const copy = cache.clone();
    copy.layers[0].keys[0] = 1234;
    copy.layers[0].truncate(0, 2);
    expect(cache.layers[0].readRun(0, 0, 1).keys[0]).toBe(1);
    expect(cache.layers[0].used[0]).toBe(5);
    const run = copy.layers[0].readRun(1, 0, 5);
    copy.layers[0].shrinkToFit();
    expect(copy.layers[0].capacity).toBe(5);
    expect(copy.layers[0].readRun(1, 0, 5)).toEqual(run);
    expect(copy.logicalLength).toBe(5);
  });

  it('refuses to shrink a layer below its used slots or to truncate a head to more than it holds, changing nothing', () => {
    const cache = filled(5);
    const layer = cache.layers[0];
    const before = layer.readRun(0, 0, 5);
    expect(() => layer.resize(4)).toThrow(/cannot shrink a layer to 4 slots: 5 are in use/);
    expect(() => layer.truncate(0, 6)).toThrow(/cannot truncate head 0 to 6 slots: it holds 5/);
    expect(() => layer.truncate(0, -1)).toThrow(/cannot truncate/);
    expect(layer.used[0]).toBe(5);
    expect(layer.readRun(0, 0, 5)).toEqual(before);
  });
});
