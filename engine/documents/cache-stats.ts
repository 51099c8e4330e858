import type { CacheStats } from '../../common/contract.js';
import type { KvCache } from '../cache/kv-cache.js';

/** What the cache-budget meter shows: bytes and slots now, what the same positions would take uncompacted, per layer. */
export function cacheStats(cache: KvCache, kvBytesPerToken: number): CacheStats {
  const layers = cache.layers.map((l) => ({ slots: l.used.reduce((a, b) => a + b, 0), capacity: l.capacity * l.kvHeads }));
  return {
    logicalLength: cache.logicalLength,
    slots: layers.reduce((a, l) => a + l.slots, 0),
    usedBytes: cache.usedBytes(),
    allocatedBytes: cache.allocatedBytes(),
    fullBytes: cache.logicalLength * kvBytesPerToken,
    layers,
  };
}

/** Document slots kept over every (layer, KV head). */
export function documentSlots(cache: KvCache, span: { start: number; end: number }): number {
  let kept = 0;
  for (const layer of cache.layers) {
    for (let h = 0; h < layer.kvHeads; h++) {
      const base = h * layer.capacity;
      for (let s = 0; s < layer.used[h]; s++) {
        const src = layer.sources[base + s];
        if (src >= span.start && src < span.end) kept++;
      }
    }
  }
  return kept;
}
