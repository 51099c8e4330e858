import { describe, expect, it } from 'vitest';
import { cacheExceeds, chatQueryCollector, compactOnline } from '../../engine/compaction/cache/online.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { tinyDecoder, tokenIds } from './tiny-decoder.js';

describe('online compaction of a growing chat', () => {
  it('compacts the oldest turns twice, keeps the sink and the last 20 tokens verbatim, and positions keep counting', async () => {
    const tiny = await tinyDecoder();
    try {
      const cache = tiny.newCache();
      const queries = chatQueryCollector({ numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8 }, 512, 400);
      const feed = async (ids: number[]) => {
        const first = cache.logicalLength;
        const r = await tiny.decoder.step(cache, ids, { queries: true });
        queries.add(r.queries!, ids.length, first);
        return r.logits;
      };
      const method = createMethod('am');
      await feed([1, ...tokenIds(59, 64, 4)]);
      expect(cacheExceeds(cache, 50)).toBe(true);
      await compactOnline(cache, { start: 1, keepSlots: 10, method, ops: jsAttentionOps, queries });
      for (const layer of cache.layers) {
        expect(Array.from(layer.used)).toEqual([31, 31]);
        const sources = Array.from(layer.sources.subarray(0, 31));
        expect(sources[0]).toBe(0);
        expect(sources.slice(11)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
      }
      await feed(tokenIds(40, 64, 8));
      expect(cache.logicalLength).toBe(100);
      const before = cache.layers[0].readRun(0, 1, 11);
      await compactOnline(cache, { start: 1, keepSlots: 12, method, ops: jsAttentionOps, queries });
      const layer = cache.layers[0];
      expect(Array.from(layer.used)).toEqual([33, 33]);
      const again = layer.readRun(0, 1, 13);
      // the second round saw the first round's slots (with their β) next to newer tokens
      expect(Array.from(again.sources).every((s) => s >= 1 && s < 80)).toBe(true);
      expect(Array.from(layer.sources.subarray(13, 33))).toEqual(Array.from({ length: 20 }, (_, i) => 80 + i));
      expect(before.bias.some((b) => b !== 0)).toBe(true);
      const logits = await feed([3]);
      expect(logits.every(Number.isFinite)).toBe(true);
      expect(layer.sources[33]).toBe(100);
      expect(() => compactOnline(cache, { start: 95, keepSlots: 2, method, ops: jsAttentionOps, queries })).toThrow(/nothing old enough/);
    } finally {
      await tiny.close();
    }
  });
});
