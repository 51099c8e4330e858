import { describe, expect, it } from 'vitest';
import { attentionColumnSums, blockInput, blockTargets, fullExp, shiftedExp } from '../../engine/compaction/scores.js';
import { refAttention, structuredHead } from './reference.js';

describe('block targets', () => {
  // n = 300 spans two query chunks of 256.
  const { block } = structuredHead({ T: 96, d: 16, n: 300, seed: 11 });
  block.bias = Float32Array.from({ length: block.T }, (_, j) => (j % 5 === 0 ? 0.7 : 0));
  const ref = refAttention(block.queries, block.n, block.keys, block.values, block.bias, block.T, block.d, block.scale);

  it('mass, row max and outputs match a float64 reference (bias included)', () => {
    const t = blockTargets(block, block.values);
    for (let i = 0; i < block.n; i++) expect(t.rowMax[i] + Math.log(t.mass[i])).toBeCloseTo(ref.logMass[i], 4);
    let err = 0;
    let norm = 0;
    for (let i = 0; i < block.n * block.d; i++) {
      err += (t.outputs[i] - ref.outputs[i]) ** 2;
      norm += ref.outputs[i] ** 2;
    }
    expect(Math.sqrt(err / norm)).toBeLessThan(1e-5);
  });

  it('key RMS is the root mean square over queries of the attention; column sums are its plain sums', () => {
    const { keyRms, columnSums } = blockTargets(block, block.values);
    const { E, mass } = fullExp(block);
    const { n, T } = block;
    for (const j of [0, 17, 95]) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (E[i * T + j] / mass[i]) ** 2;
      expect(keyRms[j]).toBeCloseTo(Math.sqrt(s / n), 8);
    }
    const sums = attentionColumnSums(blockInput(block));
    for (let j = 0; j < T; j++) expect(columnSums[j]).toBeCloseTo(sums[j], 8);
  });

  it('shiftedExp on a subset equals the matching columns of the full E', () => {
    const { E, rowMax } = fullExp(block);
    const idx = [3, 40, 77];
    const keys = new Float32Array(idx.flatMap((j) => Array.from(block.keys.subarray(j * block.d, (j + 1) * block.d))));
    const bias = Float32Array.from(idx, (j) => block.bias[j]);
    const es = shiftedExp(block.queries, block.n, keys, bias, idx.length, block.d, block.scale, rowMax);
    for (let i = 0; i < block.n; i += 37) {
      idx.forEach((j, c) => expect(es[i * idx.length + c]).toBeCloseTo(E[i * block.T + j], 5));
    }
  });
});

describe('causal column sums', () => {
  it('a query at position p only distributes attention over keys 0..p', () => {
    const { block } = structuredHead({ T: 40, d: 8, n: 30, seed: 12 });
    const positions = Int32Array.from({ length: block.n }, (_, i) => (i % 4 === 0 ? -1 : i));
    const sums = attentionColumnSums({ ...blockInput(block), positions });
    const ref = new Float64Array(block.T);
    for (let i = 0; i < block.n; i++) {
      const visible = positions[i] < 0 ? block.T : positions[i] + 1;
      const q = block.queries.subarray(i * 8, i * 8 + 8);
      const keys = block.keys.subarray(0, visible * 8);
      const one = refAttention(q, 1, keys, new Float32Array(visible * 8), block.bias, visible, 8, block.scale);
      for (let j = 0; j < visible; j++) {
        let dot = 0;
        for (let k = 0; k < 8; k++) dot += block.queries[i * 8 + k] * block.keys[j * 8 + k];
        ref[j] += Math.exp(block.scale * dot - one.logMass[0]);
      }
    }
    for (let j = 0; j < block.T; j++) expect(sums[j]).toBeCloseTo(ref[j], 5);
    let total = 0;
    for (const s of sums) total += s;
    expect(total).toBeCloseTo(block.n, 4);
  });
});
