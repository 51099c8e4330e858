import { describe, expect, it } from 'vitest';
import { dequantize, quantizeBlocks, quantizeQ4, stackRows } from '../../engine/graph/quantize.js';
import { rng } from '../helpers/tiny-model.js';

function randomMatrix(N: number, K: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: N * K }, () => (r() - 0.5) * 2);
}

const rmsError = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length);

describe('block quantization (MatMulNBits layout)', () => {
  it('4-bit: sizes follow the MatMulNBits layout, codes stay within a step of the weights', () => {
    const N = 5;
    const K = 70; // 3 blocks, the last one padded
    const w = randomMatrix(N, K, 1);
    const q = quantizeQ4(w, N, K);
    expect(q.blocksPerRow).toBe(3);
    expect(q.packed.length).toBe(N * 3 * 16);
    expect(q.scales.length).toBe(N * 3);
    const back = dequantize(q);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const step = q.scales[n * 3 + Math.floor(k / 32)];
        expect(Math.abs(back[n * K + k] - w[n * K + k])).toBeLessThanOrEqual(step + 1e-6);
      }
    }
    // uniform(-1, 1) with 16 levels: step ≈ 0.13, so an rms error near step/√12 ≈ 0.04
    expect(rmsError(back, w)).toBeLessThan(0.05);
  });

  it('the least-squares scale refinement lowers the error below the plain max-range scale', () => {
    const N = 8;
    const K = 64;
    const w = randomMatrix(N, K, 5);
    const q = quantizeQ4(w, N, K);
    // plain scale: max(|lo|/8, hi/7) per block
    const plain = new Float32Array(N * K);
    for (let n = 0; n < N; n++) {
      for (let b = 0; b < 2; b++) {
        const blk = w.subarray(n * K + b * 32, n * K + b * 32 + 32);
        const s = Math.max(-Math.min(0, ...blk) / 8, Math.max(0, ...blk) / 7);
        for (let i = 0; i < 32; i++) plain[n * K + b * 32 + i] = (Math.min(15, Math.max(0, Math.round(blk[i] / s + 8))) - 8) * s;
      }
    }
    expect(rmsError(dequantize(q), w)).toBeLessThan(rmsError(plain, w));
  });

  it('8-bit is far more precise than 4-bit, and exact zeros stay exact', () => {
    const N = 4;
    const K = 64;
    const w = randomMatrix(N, K, 2);
    for (let i = 0; i < w.length; i += 7) w[i] = 0;
    const e = (bits: 4 | 8) => {
      const back = dequantize(quantizeBlocks(w, N, K, bits));
      for (let i = 0; i < w.length; i += 7) expect(back[i]).toBe(0);
      return rmsError(back, w);
    };
    expect(e(8) * 8).toBeLessThan(e(4));
  });

  it('stacking row-quantized parts equals quantizing the stacked matrix', () => {
    const K = 40;
    const a = randomMatrix(3, K, 3);
    const b = randomMatrix(2, K, 4);
    const stacked = stackRows([quantizeQ4(a, 3, K), quantizeQ4(b, 2, K)]);
    expect(Array.from(dequantize(stacked))).toEqual(Array.from(dequantize(quantizeQ4(new Float32Array([...a, ...b]), 5, K))));
  });
});
