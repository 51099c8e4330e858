import { describe, expect, it } from 'vitest';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { AttentionMatching } from '../../engine/compaction/methods/am.js';
import type { HeadBlock } from '../../engine/compaction/types.js';
import { refBoundedLs, refRidge, structuredHead } from './reference.js';

/** The whole AM pipeline in float64 with naive loops: RMS top-t, bounded β (coordinate descent), ridge values. */
function referenceAm(block: HeadBlock, t: number, lo: number, hi: number) {
  const { T, d, n, scale } = block;
  const logits = new Float64Array(n * T);
  const rowMax = new Float64Array(n);
  const mass = new Float64Array(n);
  const y = new Float64Array(n * d);
  const rms = new Float64Array(T);
  for (let i = 0; i < n; i++) {
    rowMax[i] = -Infinity;
    for (let j = 0; j < T; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += block.queries[i * d + k] * block.keys[j * d + k];
      logits[i * T + j] = scale * dot + block.bias[j];
      rowMax[i] = Math.max(rowMax[i], logits[i * T + j]);
    }
    for (let j = 0; j < T; j++) mass[i] += Math.exp(logits[i * T + j] - rowMax[i]);
    for (let j = 0; j < T; j++) {
      const a = Math.exp(logits[i * T + j] - rowMax[i]) / mass[i];
      rms[j] += (a * a) / n;
      for (let k = 0; k < d; k++) y[i * d + k] += a * block.values[j * d + k];
    }
  }
  const kept = Array.from({ length: T }, (_, j) => j)
    .sort((a, b) => rms[b] - rms[a] || a - b)
    .slice(0, t)
    .sort((a, b) => a - b);
  const es = new Float64Array(n * t);
  for (let i = 0; i < n; i++) kept.forEach((j, c) => (es[i * t + c] = Math.exp(logits[i * T + j] - rowMax[i])));
  const w = refBoundedLs(es, mass, n, t, lo, hi, 20000);
  const beta = kept.map((j, c) => block.bias[j] + Math.log(w[c]));
  const x = new Float64Array(n * t);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    kept.forEach((j, c) => (sum += x[i * t + c] = Math.exp(logits[i * T + j] + beta[c] - block.bias[j] - rowMax[i])));
    for (let c = 0; c < t; c++) x[i * t + c] /= sum;
  }
  return { kept, beta, values: refRidge(x, y, n, t, d).x };
}

describe('am against a float64 reference pipeline', () => {
  it('same selection, |Δβ| ≤ 1e-2, relative value error ≤ 2e-3 (old bias included)', async () => {
    for (const seed of [41, 42]) {
      const { block } = structuredHead({ T: 128, d: 16, n: 256, seed });
      block.bias = Float32Array.from({ length: block.T }, (_, j) => (j % 7 === 0 ? 0.5 : 0));
      const t = 13;
      const ours = await new AttentionMatching({ betaMode: 'per-slot' }).compact(block, t, { ops: jsAttentionOps });
      const ref = referenceAm(block, t, Math.exp(-3), Math.exp(3));
      expect(Array.from(ours.indices)).toEqual(ref.kept);
      for (let c = 0; c < t; c++) expect(Math.abs(ours.bias[c] - ref.beta[c])).toBeLessThan(1e-2);
      let num = 0;
      let den = 0;
      for (let i = 0; i < ours.values.length; i++) {
        num += (ours.values[i] - ref.values[i]) ** 2;
        den += ref.values[i] ** 2;
      }
      expect(Math.sqrt(num / den)).toBeLessThan(2e-3);
    }
  });
});
