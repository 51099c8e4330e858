import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KvCache } from '../../engine/cache/kv-cache.js';
import { prefillCapturing } from '../../engine/compaction/cache/capture.js';
import { compactCache } from '../../engine/compaction/cache/compact-cache.js';
import { QueryCollector } from '../../engine/compaction/cache/query-collector.js';
import { Recompactor } from '../../engine/compaction/cache/recompactor.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { maxAbsDiff, tinyDecoder, tokenIds, type TinyDecoder } from './tiny-decoder.js';

const IDS = [1, ...tokenIds(60, 64, 9)];
const SPAN = { start: 1, end: 61 };

describe('Recompactor', () => {
  let tiny: TinyDecoder;
  let full: KvCache;
  let context: QueryCollector;

  beforeAll(async () => {
    tiny = await tinyDecoder();
    full = tiny.newCache();
    context = new QueryCollector({ numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8 }, { span: SPAN, chunkSize: 32, cap: 500, causal: true, window: 4 });
    await prefillCapturing(tiny.decoder, full, IDS, [context]);
  });
  afterAll(() => tiny?.close());

  const snapshot = (c: KvCache) => c.layers.map((l) => [l.keys, l.values, l.bias, l.sources, l.used]);

  it('gives the same cache as a fresh compaction at every ratio, preparing each block only once, and leaves the full cache alone', () => {
    const scope = { span: SPAN, queries: { sets: [context], window: context }, chunkSize: 32 };
    const before = snapshot(full.clone());
    const recompactor = new Recompactor(full, scope);
    for (const name of ['am', 'am-omp', 'snapkv'] as const) {
      const method = createMethod(name);
      const ratios = [0.5, 0.2, 0.05];
      ratios.forEach((ratio, i) => {
        const { cache, prepareMs } = recompactor.compact(method, ratio, { maxRatio: 0.5 });
        const fresh = full.clone();
        compactCache(fresh, { ...scope, ratio, method: createMethod(name) });
        expect(snapshot(cache), `${name} ${ratio}`).toEqual(snapshot(fresh));
        if (i > 0) expect(prepareMs, `${name} ${ratio} reuses the preparation`).toBe(0);
      });
    }
    expect(snapshot(full)).toEqual(before);
  });
});

describe('Recompactor with onnxruntime kernels', () => {
  it('prepares Attention Matching through the kernels with the same selections and nearly the same fits as JS', async () => {
    const { AttentionKernels } = await import('../../engine/kernels/attention-kernels.js');
    const tiny = await tinyDecoder();
    const kernels = new AttentionKernels();
    try {
      const full = tiny.newCache();
      const context = new QueryCollector({ numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8 }, { span: SPAN, chunkSize: 32, cap: 500, causal: true });
      await prefillCapturing(tiny.decoder, full, IDS, [context]);
      const scope = { span: SPAN, queries: { sets: [context] }, chunkSize: 32 };
      const js = new Recompactor(full, scope).compact(createMethod('am'), 0.2).cache;
      const fast = new Recompactor(full, scope);
      const method = createMethod('am');
      expect(await fast.prepareWithKernels(method, kernels)).toBeGreaterThan(0);
      const { cache, prepareMs } = fast.compact(method, 0.2);
      expect(prepareMs).toBe(0);
      for (let l = 0; l < 2; l++) {
        expect(cache.layers[l].sources).toEqual(js.layers[l].sources);
        let diff = 0;
        let scale = 0;
        cache.layers[l].values.forEach((v, i) => {
          diff = Math.max(diff, Math.abs(v - js.layers[l].values[i]));
          scale = Math.max(scale, Math.abs(js.layers[l].values[i]));
        });
        expect(diff / scale).toBeLessThan(1e-2);
      }
      // every heavy product in the kernels: same selections, fits within float32 solver tolerance, same next tokens
      for (const options of [{}, { betaMode: 'per-head' as const }, { betaSolver: 'clamped-ls' as const }, { betaMode: 'off' as const, values: 'copy' as const }]) {
        const ref = new Recompactor(full, scope).compact(createMethod('am', options), 0.2).cache;
        const viaKernels = (await new Recompactor(full, scope).compactWithKernels(createMethod('am', options), 0.2, kernels)).cache;
        const label = JSON.stringify(options);
        for (let l = 0; l < 2; l++) expect(viaKernels.layers[l].sources, label).toEqual(ref.layers[l].sources);
        const a = (await tiny.decoder.step(ref, [5, 6], { logits: 'all' })).logits;
        const b = (await tiny.decoder.step(viaKernels, [5, 6], { logits: 'all' })).logits;
        expect(maxAbsDiff(a, b), label).toBeLessThan(1e-4);
      }
    } finally {
      await kernels.close();
      await tiny.close();
    }
  });
});
