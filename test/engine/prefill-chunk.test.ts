import { describe, expect, it } from 'vitest';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { prefillChunkAt } from '../../engine/generate/generate.js';

function cacheWithSlots(slots: number): KvCache {
  const cache = new KvCache({ numLayers: 2, numKvHeads: 2, headDim: 64 });
  cache.layers[1].reserve(slots, 1);
  return cache;
}

describe('prefill chunks by depth', () => {
  it('keeps the requested chunk near the start and narrows it deep into the cache, never below 64 tokens', () => {
    expect(prefillChunkAt(512, cacheWithSlots(0), 14)).toBe(512);
    expect(prefillChunkAt(512, cacheWithSlots(512), 14)).toBe(512);
    // 14 heads × 4 bytes × (8192 + 512) slots: 64 MiB hold 137 rows of scores.
    expect(prefillChunkAt(512, cacheWithSlots(8192), 14)).toBe(137);
    expect(prefillChunkAt(512, cacheWithSlots(200_000), 14)).toBe(64);
    expect(prefillChunkAt(16, cacheWithSlots(200_000), 14)).toBe(16);
  });
});
