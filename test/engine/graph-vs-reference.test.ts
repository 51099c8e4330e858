import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { convertCheckpoint } from '../../engine/graph/convert.js';
import type { DecoderGraphOptions } from '../../engine/graph/decoder-graph.js';
import { dequantize, quantizeBlocks } from '../../engine/graph/quantize.js';
import { f16ToF32, f32ToF16 } from '../../engine/model/dtype.js';
import type { ModelSpec } from '../../engine/model/spec.js';
import { referenceForward } from '../../engine/reference/forward.js';
import { refWeightsFrom } from '../../engine/reference/weights.js';
import { Decoder } from '../../engine/runtime/decoder.js';
import { openSession } from '../../engine/runtime/execution-provider.js';
import { tinySpec, tinyWeights } from '../helpers/tiny-model.js';

const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-graph-'));
afterAll(() => fs.rmSync(cacheRoot, { recursive: true, force: true }));

async function setup(spec: ModelSpec, options: DecoderGraphOptions, seed = 7) {
  const weights = tinyWeights(spec, seed);
  const converted = convertCheckpoint({ weights, spec, fingerprint: `tiny-${seed}-${JSON.stringify(spec)}`, options, cacheRoot });
  const { session } = await openSession(converted.modelPath, 'cpu');
  const quantized = (bits: 4 | 8) => (w: Float32Array, N: number, K: number) => dequantize(quantizeBlocks(w, N, K, bits));
  const ref =
    options.weights === 'fp32'
      ? refWeightsFrom(weights)
      : refWeightsFrom(weights, { linear: quantized(options.weights === 'q4' ? 4 : 8), lmHead: quantized(8), embed: (w) => f16ToF32(f32ToF16(w)) });
  return { decoder: new Decoder(session, spec), ref };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const FP32: DecoderGraphOptions = { weights: 'fp32', accuracyLevel: 0, attentionSummary: 'none' };

const variants: [string, Partial<ModelSpec>][] = [
  ['llama GQA 2, tied', {}],
  ['MHA (ratio 1), untied', { numKvHeads: 4, tieWordEmbeddings: false }],
  ['GQA ratio 7, qkv bias (qwen2)', { numHeads: 7, numKvHeads: 1, hiddenSize: 56, qkvBias: true, family: 'qwen2' }],
  ['q/k norm, explicit head_dim ≠ hidden/heads (qwen3)', { qkNorm: true, headDim: 16, family: 'qwen3' }],
  [
    'llama3 rope scaling',
    { ropeTheta: 500000, ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 } },
  ],
];

describe('ONNX decoder graph vs float64 reference forward pass', () => {
  for (const [name, over] of variants) {
    it(`${name}: logits and queries within 1e-4, new K/V within fp16 rounding (fp32 weights)`, async () => {
      const spec = tinySpec(over);
      const { decoder, ref } = await setup(spec, FP32);
      const ids = [1, 5, 9, 33, 12, 60, 7, 3, 44, 21];
      const cache = new KvCache({ numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim });
      const got = await decoder.step(cache, ids, { logits: 'all', queries: true });
      const want = referenceForward(spec, ref, ids, ids.map((_, i) => i));
      const V = spec.vocabSize;
      for (let t = 0; t < ids.length; t++) {
        expect(maxAbsDiff(got.logits.subarray(t * V, (t + 1) * V), want.logits[t])).toBeLessThan(1e-4);
      }
      const d = spec.headDim;
      const S = ids.length;
      for (let h = 0; h < spec.numHeads; h++) {
        expect(maxAbsDiff(got.queries![1].subarray(h * S * d, (h + 1) * S * d), want.queries[1][h])).toBeLessThan(1e-4);
      }
      // the cache holds K/V in fp16: half an ulp (2^-11 relative) on top of the float32 differences
      const halfUlp = (want: Float64Array) => 2 ** -11 * Math.max(...Array.from(want, Math.abs));
      const layer = cache.layers[1];
      for (let kh = 0; kh < spec.numKvHeads; kh++) {
        const run = layer.readRun(kh, 0, S);
        expect(maxAbsDiff(run.keys, want.newKeys[1][kh])).toBeLessThan(1e-4 + halfUlp(want.newKeys[1][kh]));
        expect(maxAbsDiff(run.values, want.newValues[1][kh])).toBeLessThan(1e-4 + halfUlp(want.newValues[1][kh]));
      }
    });
  }

  it('chunked prefill equals one-shot prefill within fp16 cache rounding, and decode continues it', async () => {
    const spec = tinySpec({ numHeads: 6, numKvHeads: 2, hiddenSize: 48 });
    const { decoder } = await setup(spec, FP32);
    const ids = Array.from({ length: 37 }, (_, i) => (i * 17 + 3) % spec.vocabSize);
    const shape = { numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim };
    const oneShot = new KvCache(shape);
    const a = await decoder.step(oneShot, ids, { logits: 'all' });
    const chunked = new KvCache(shape, 16);
    const parts: Float32Array[] = [];
    for (const [s, e] of [[0, 5], [5, 6], [6, 20], [20, 37]]) parts.push((await decoder.step(chunked, ids.slice(s, e), { logits: 'all' })).logits);
    const joined = new Float32Array(a.logits.length);
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    // A chunk attends to its own K/V in fp32 and to earlier chunks' as the cache holds them, in fp16 (measured ~2e-3).
    expect(maxAbsDiff(joined, a.logits)).toBeLessThan(5e-3);
    const next1 = await decoder.step(oneShot, [11]);
    const next2 = await decoder.step(chunked, [11]);
    expect(maxAbsDiff(next1.logits, next2.logits)).toBeLessThan(5e-3);
  });

  it('per-slot bias: past slots with β match the reference with the same biased past', async () => {
    const spec = tinySpec();
    const { decoder, ref } = await setup(spec, FP32);
    const shape = { numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim };
    const cache = new KvCache(shape);
    const prompt = [1, 4, 8, 15, 16, 23, 42];
    await decoder.step(cache, prompt);
    // give every past slot a different β, then decode one token at a non-contiguous logical position
    for (const layer of cache.layers) for (let h = 0; h < shape.numKvHeads; h++) for (let s = 0; s < prompt.length; s++) layer.bias[h * layer.capacity + s] = 0.3 * Math.sin(s + h);
    cache.logicalLength = 100;
    const past = {
      slots: prompt.length,
      keys: cache.layers.map((l) => Array.from({ length: shape.numKvHeads }, (_, h) => Float64Array.from(l.readRun(h, 0, prompt.length).keys))),
      values: cache.layers.map((l) => Array.from({ length: shape.numKvHeads }, (_, h) => Float64Array.from(l.readRun(h, 0, prompt.length).values))),
      bias: cache.layers.map((l) => Array.from({ length: shape.numKvHeads }, (_, h) => Float64Array.from(l.readRun(h, 0, prompt.length).bias))),
    };
    const got = await decoder.step(cache, [9, 10], { logits: 'all' });
    const want = referenceForward(spec, ref, [9, 10], [100, 101], past);
    const V = spec.vocabSize;
    expect(maxAbsDiff(got.logits.subarray(0, V), want.logits[0])).toBeLessThan(1e-4);
    expect(maxAbsDiff(got.logits.subarray(V), want.logits[1])).toBeLessThan(1e-4);
  });

  it('4-bit weights (accuracy level 0) match the reference run on dequantized weights', async () => {
    const spec = tinySpec({ intermediateSize: 44 }); // K=44 is not a multiple of the block size
    const { decoder, ref } = await setup(spec, { weights: 'q4', accuracyLevel: 0, attentionSummary: 'none' });
    const ids = [1, 2, 3, 4, 5, 6];
    const cache = new KvCache({ numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim });
    const got = await decoder.step(cache, ids);
    const want = referenceForward(spec, ref, ids, ids.map((_, i) => i));
    expect(maxAbsDiff(got.logits, want.logits[ids.length - 1])).toBeLessThan(1e-3);
  });

  it('q8 format (8-bit weights, int8 activations) matches the reference on its 8-bit weights within int8 rounding', async () => {
    const spec = tinySpec({ qkvBias: true });
    const { decoder, ref } = await setup(spec, { weights: 'q8', accuracyLevel: 0, attentionSummary: 'none' });
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const got = await decoder.step(new KvCache({ numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim }), ids, { logits: 'all' });
    const want = referenceForward(spec, ref, ids, ids.map((_, i) => i));
    const V = spec.vocabSize;
    // int8 activations round each block of 32 inputs to 1/254 of its largest value: here up to ~2% of the logits'
    // range, where a wrong layout or scale would be off by their whole size
    for (let t = 0; t < ids.length; t++) {
      const range = Math.max(...Array.from(want.logits[t], Math.abs));
      expect(maxAbsDiff(got.logits.subarray(t * V, (t + 1) * V), want.logits[t])).toBeLessThan(0.04 * range);
    }
  });

  for (const mode of ['per-query', 'reduced'] as const) {
    it(`attention summary (${mode}) equals the reference probabilities on past slots, summed over each GQA group`, async () => {
      const spec = tinySpec({ numHeads: 6, numKvHeads: 2, hiddenSize: 48 });
      const { decoder, ref } = await setup(spec, { weights: 'fp32', accuracyLevel: 0, attentionSummary: mode });
      const shape = { numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim };
      const cache = new KvCache(shape, 8);
      const prompt = [1, 7, 3, 9, 11, 13, 2, 5, 8, 10];
      await decoder.step(cache, prompt);
      const C = cache.layers[0].capacity; // 16: 10 used + 6 empty slots, which must get zero attention
      const past = {
        slots: C,
        keys: cache.layers.map((l) => Array.from({ length: 2 }, (_, h) => Float64Array.from(l.readRun(h, 0, C).keys))),
        values: cache.layers.map((l) => Array.from({ length: 2 }, (_, h) => Float64Array.from(l.readRun(h, 0, C).values))),
        bias: cache.layers.map((l) => Array.from({ length: 2 }, (_, h) => Float64Array.from(l.readRun(h, 0, C).bias))),
      };
      // a 3-token chunk (prefill branch of the graph) and a 1-token step (decode branch) on copies of the cache
      for (const ids of [[4, 6, 12], [4]]) {
        const copy = new KvCache(shape, 8);
        copy.logicalLength = cache.logicalLength;
        copy.layers.forEach((layer, i) => {
          layer.resize(C);
          for (let h = 0; h < 2; h++) layer.replaceRun(h, 0, 0, cache.layers[i].readRun(h, 0, prompt.length));
        });
        const got = await decoder.step(copy, ids, { attention: true });
        const want = referenceForward(spec, ref, ids, ids.map((_, i) => 10 + i), past);
        const S = ids.length;
        for (let l = 0; l < spec.numLayers; l++) {
          for (let h = 0; h < 2; h++) {
            const w = want.pastAttention[l][h];
            const expected = mode === 'per-query' ? w : Float64Array.from({ length: C }, (_, c) => Array.from({ length: S }, (_, t) => w[t * C + c]).reduce((a, b) => a + b, 0));
            const n = expected.length;
            expect(maxAbsDiff(got.attention![l].subarray(h * n, (h + 1) * n), expected)).toBeLessThan(1e-5);
          }
        }
        expect(got.attention![0][C - 1]).toBe(0);
      }
    });
  }
});
