import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KvCache } from '../../engine/cache/kv-cache.js';
import { captureRepeatQueries, prefillCapturing } from '../../engine/compaction/cache/capture.js';
import { compactCache } from '../../engine/compaction/cache/compact-cache.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { QueryCollector } from '../../engine/compaction/cache/query-collector.js';
import type { DocumentSpan } from '../../engine/compaction/cache/span.js';
import { createMethod, METHOD_NAMES } from '../../engine/compaction/registry.js';
import { EMPTY_SLOT_BIAS } from '../../engine/graph/io-names.js';
import { maxAbsDiff, tinyDecoder, tokenIds, type TinyDecoder } from './tiny-decoder.js';

const PREFIX = [1, 7];
const DOC = tokenIds(40, 64, 5);
const SUFFIX = [9, 10, 11];
const IDS = [...PREFIX, ...DOC, ...SUFFIX];
const SPAN: DocumentSpan = { start: PREFIX.length, end: PREFIX.length + DOC.length };
const NEXT = [12, 13, 14];

describe('compactCache on a tiny random model', () => {
  let tiny: TinyDecoder;
  let full: KvCache;
  let context: QueryCollector;
  let repeat: QueryCollector;

  const collector = (causal: boolean, chunkSize = 16) =>
    new QueryCollector(
      { numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8 },
      { span: SPAN, chunkSize, cap: 1000, causal, window: causal ? 4 : 0, seed: 1 },
    );

  beforeAll(async () => {
    tiny = await tinyDecoder();
    full = tiny.newCache();
    context = collector(true);
    await prefillCapturing(tiny.decoder, full, IDS, [context], 16);
    repeat = collector(false);
    await captureRepeatQueries(tiny.decoder, full, { promptIds: [5, 6], documentIds: DOC, documentStart: SPAN.start }, repeat);
  });
  afterAll(() => tiny?.close());

  const next = async (cache: KvCache) => (await tiny.decoder.step(cache, NEXT, { logits: 'all' })).logits;

  it('the repeat pass leaves the cache as it was and yields one query per group head and document token', async () => {
    expect(full.logicalLength).toBe(IDS.length);
    const fresh = tiny.newCache();
    await prefillCapturing(tiny.decoder, fresh, IDS, [], 16);
    expect(maxAbsDiff(await next(full.clone()), await next(fresh))).toBe(0);
    const chunkSizes = [16, 16, 8];
    chunkSizes.forEach((len, c) => {
      expect(repeat.get(1, 0, c).n).toBe(2 * len);
      expect(context.get(1, 0, c).n).toBe(2 * len);
    });
    expect(Array.from(repeat.get(0, 1, 0).positions).every((p) => p === -1)).toBe(true);
  });

  it('with t ≥ T every method is exact: same continuation logits as the uncompacted cache', async () => {
    const reference = await next(full.clone());
    for (const name of METHOD_NAMES) {
      const cache = full.clone();
      await compactCache(cache, { ops: jsAttentionOps, span: SPAN, ratio: 1, method: createMethod(name), queries: { sets: [repeat, context], window: context }, chunkSize: 16 });
      expect(maxAbsDiff(await next(cache), reference), name).toBeLessThanOrEqual(1e-5);
    }
  });

  it('am at ratio 0.25 in chunks of 16: slots, sources and β land in the right places; decoding continues at the original length', async () => {
    const cache = full.clone();
    const r = await compactCache(cache, { ops: jsAttentionOps, span: SPAN, ratio: 0.25, method: createMethod('am'), queries: { sets: [repeat] }, chunkSize: 16 });
    // chunks of 16, 16, 8 positions → 4 + 4 + 2 slots per head
    expect(r.budgets.map((b) => Array.from(b))).toEqual([[4, 4, 4, 4], [4, 4, 4, 4], [2, 2, 2, 2]]);
    expect(r.slotsBefore).toBe(4 * 40);
    expect(r.slotsAfter).toBe(4 * 10);
    expect(cache.logicalLength).toBe(IDS.length);
    for (let l = 0; l < 2; l++) {
      const layer = cache.layers[l];
      expect(layer.capacity).toBe(15);
      for (let h = 0; h < 2; h++) {
        expect(layer.used[h]).toBe(2 + 10 + 3);
        const after = layer.readRun(h, 0, 15);
        const before = full.layers[l].readRun(h, 0, IDS.length);
        const sources = Array.from(after.sources);
        expect(sources.slice(0, 2)).toEqual([0, 1]);
        expect(sources.slice(12)).toEqual([42, 43, 44]);
        const docSources = sources.slice(2, 12);
        expect(docSources.filter((s) => s >= 2 && s < 18)).toHaveLength(4);
        expect(docSources.filter((s) => s >= 18 && s < 34)).toHaveLength(4);
        expect(docSources.filter((s) => s >= 34 && s < 42)).toHaveLength(2);
        expect(docSources).toEqual([...docSources].sort((a, b) => a - b));
        // prefix and suffix verbatim with β = 0; kept keys are the original rotated keys of their sources
        for (const slot of [0, 1, 12, 13, 14]) {
          const src = sources[slot];
          expect(after.bias[slot]).toBe(0);
          expect(Array.from(after.keys.subarray(slot * 8, slot * 8 + 8))).toEqual(Array.from(before.keys.subarray(src * 8, src * 8 + 8)));
          expect(Array.from(after.values.subarray(slot * 8, slot * 8 + 8))).toEqual(Array.from(before.values.subarray(src * 8, src * 8 + 8)));
        }
        for (let slot = 2; slot < 12; slot++) {
          const src = sources[slot];
          expect(Array.from(after.keys.subarray(slot * 8, slot * 8 + 8))).toEqual(Array.from(before.keys.subarray(src * 8, src * 8 + 8)));
        }
        expect(Array.from(after.bias.subarray(2, 12)).some((b) => b !== 0)).toBe(true);
      }
    }
    const logits = await next(cache);
    expect(logits.every(Number.isFinite)).toBe(true);
    expect(cache.logicalLength).toBe(IDS.length + NEXT.length);
    expect(cache.layers[0].sources[15]).toBe(IDS.length);
  });

  it('an evicted cache decodes exactly like the full cache with the evicted slots masked (positions continue from the original length)', async () => {
    const cache = full.clone();
    await compactCache(cache, { ops: jsAttentionOps, span: SPAN, ratio: 0.3, method: createMethod('streaming'), queries: { sets: [] }, chunkSize: 1000 });
    const masked = full.clone();
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 2; h++) {
        const kept = new Set(cache.layers[l].readRun(h, 0, cache.layers[l].used[h]).sources);
        const layer = masked.layers[l];
        for (let s = 0; s < layer.used[h]; s++) if (!kept.has(layer.sources[h * layer.capacity + s])) layer.bias[h * layer.capacity + s] = EMPTY_SLOT_BIAS;
      }
    }
    expect(cache.layers[0].used[0]).toBe(2 + 12 + 3);
    expect(maxAbsDiff(await next(cache), await next(masked))).toBeLessThanOrEqual(1e-5);
  });

  it('refuses a span beyond the cache and a ratio outside (0, 1]', async () => {
    const method = createMethod('knorm');
    const ops = jsAttentionOps;
    await expect(compactCache(full.clone(), { span: { start: 2, end: 99 }, ratio: 0.5, method, ops, queries: { sets: [] } })).rejects.toThrow(/beyond/);
    await expect(compactCache(full.clone(), { span: SPAN, ratio: 1.5, method, ops, queries: { sets: [] } })).rejects.toThrow(/ratio/);
  });
});
