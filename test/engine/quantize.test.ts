import { describe, expect, it } from 'vitest';
import { concatQ4Rows, dequantizeQ4, quantizeBlocks, quantizeQ4 } from '../../engine/graph/quantize.js';
import { rng } from '../helpers/tiny-model.js';

function randomMatrix(N: number, K: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: N * K }, () => (r() - 0.5) * 2);
}

describe('block quantization (MatMulNBits layout)', () => {
  it('4-bit: packed sizes follow the MatMulNBits layout and the error is within half a step per value', () => {
    const N = 5;
    const K = 70; // 3 blocks, the last one padded
    const w = randomMatrix(N, K, 1);
    const q = quantizeQ4(w, N, K);
    expect(q.blocksPerRow).toBe(3);
    expect(q.packed.length).toBe(N * 3 * 16);
    expect(q.zeroPoints.length).toBe(N * 2);
    const back = dequantizeQ4(q);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const step = q.scales[n * 3 + Math.floor(k / 32)];
        // clipping by the range search may push an outlier past half a step, never past the full range
        expect(Math.abs(back[n * K + k] - w[n * K + k])).toBeLessThanOrEqual(step * 4 + 1e-6);
      }
    }
    const rms = Math.sqrt(back.reduce((s, v, i) => s + (v - w[i]) ** 2, 0) / w.length);
    expect(rms).toBeLessThan(0.05); // uniform(-1,1) with 16 levels: step ≈ 0.13, rms error ≈ step/√12
  });

  it('8-bit is ~16× more precise than 4-bit, and exact zeros stay exact', () => {
    const N = 4;
    const K = 64;
    const w = randomMatrix(N, K, 2);
    for (let i = 0; i < w.length; i += 7) w[i] = 0;
    const e = (bits: 4 | 8) => {
      const back = dequantizeQ4(quantizeBlocks(w, N, K, bits));
      for (let i = 0; i < w.length; i += 7) expect(Math.abs(back[i])).toBeLessThan(1e-7);
      return Math.sqrt(back.reduce((s, v, i) => s + (v - w[i]) ** 2, 0) / w.length);
    };
    const e4 = e(4);
    const e8 = e(8);
    expect(e8 * 8).toBeLessThan(e4);
  });

  it('stacking row-quantized parts equals quantizing the stacked matrix', () => {
    const K = 40;
    const a = randomMatrix(3, K, 3);
    const b = randomMatrix(2, K, 4);
    const both = new Float32Array([...a, ...b]);
    const stacked = concatQ4Rows([quantizeQ4(a, 3, K), quantizeQ4(b, 2, K)]);
    expect(Array.from(dequantizeQ4(stacked))).toEqual(Array.from(dequantizeQ4(quantizeQ4(both, 5, K))));
  });
});
