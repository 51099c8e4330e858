import { describe, expect, it } from 'vitest';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { ridgeSolve } from '../../engine/compaction/linalg.js';
import { blockTargets } from '../../engine/compaction/scores.js';
import { gatherRows } from '../../engine/compaction/select.js';
import { refAttention, refRidge, structuredHead } from './reference.js';

describe('the value fit', () => {
  it('the ridge solve of the JS value system equals the float64 ridge solution of softmax(Q·Ckᵀ+β)·Cv ≈ a·V', async () => {
    const { block } = structuredHead({ T: 160, d: 16, n: 400, seed: 31 });
    const { n, d, scale } = block;
    const S = Int32Array.from({ length: 16 }, (_, j) => j * 10);
    const keys = gatherRows(block.keys, d, S);
    const bias = Float32Array.from(S, (_, c) => 0.3 * (c % 4));
    const targets = blockTargets(block, block.values).outputs;
    const sys = await jsAttentionOps.valueSystem({ queries: block.queries, n, keys, bias, T: 16, d, scale }, targets);
    const cv = Float32Array.from(ridgeSolve(sys.gram, 16, sys.rhs, d).x);

    // Reference: X built row by row in float64, Y from the full block in float64.
    const x = new Float64Array(n * 16);
    for (let i = 0; i < n; i++) {
      const { logMass } = refAttention(block.queries.subarray(i * d, i * d + d), 1, keys, new Float32Array(16 * d), bias, 16, d, scale);
      for (let c = 0; c < 16; c++) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += block.queries[i * d + k] * keys[c * d + k];
        x[i * 16 + c] = Math.exp(scale * dot + bias[c] - logMass[0]);
      }
    }
    const y = refAttention(block.queries, n, block.keys, block.values, block.bias, block.T, d, scale).outputs;
    const ref = refRidge(x, y, n, 16, d).x;
    let num = 0;
    let den = 0;
    for (let i = 0; i < cv.length; i++) {
      num += (cv[i] - ref[i]) ** 2;
      den += ref[i] ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(2e-3);
  });
});
