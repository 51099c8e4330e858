import { describe, expect, it } from 'vitest';
import { cacheStatsSchema } from '../../common/contract.js';
import { cacheStats, documentSlots } from '../../engine/documents/cache-stats.js';
import { handCache, HEADS, SPAN } from './hand-cache.js';

describe('cache stats', () => {
  const d = 4;
  const cache = handCache(HEADS, d, 10);

  it('counts slots per layer, capacity as the widest head × KV heads, and bytes used, allocated and uncompacted', () => {
    const kvBytesPerToken = 2 * 2 * d * 2 * 2;
    const stats = cacheStats(cache, kvBytesPerToken);
    expect(stats.logicalLength).toBe(10);
    expect(stats.layers).toEqual([
      { slots: 9, capacity: 12 },
      { slots: 6, capacity: 12 },
    ]);
    expect(stats.slots).toBe(15);
    // K and V (fp16) plus one β (fp32) per slot.
    expect(stats.usedBytes).toBe(15 * (2 * d * 2 + 4));
    expect(stats.allocatedBytes).toBe(2 * 12 * (2 * d * 2 + 4));
    expect(stats.fullBytes).toBe(10 * kvBytesPerToken);
    expect(() => cacheStatsSchema.parse(stats)).not.toThrow();
  });

  it('counts the document slots kept over every (layer, KV head), and none outside the span', () => {
    expect(documentSlots(cache, SPAN)).toBe(3 + 2 + 4 + 0);
    expect(documentSlots(cache, { start: 0, end: 2 })).toBe(2 + 1 + 1);
    expect(documentSlots(cache, { start: 8, end: 10 })).toBe(1 + 1);
    expect(documentSlots(cache, { start: 10, end: 20 })).toBe(0);
  });
});
