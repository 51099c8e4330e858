import { afterAll, describe, expect, it } from 'vitest';
import { blockTargets } from '../../engine/compaction/scores.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { AttentionKernels } from '../../engine/kernels/attention-kernels.js';
import { OrtAttentionOps } from '../../engine/kernels/ort-attention-ops.js';
import { rng } from '../helpers/tiny-model.js';

const kernels = new AttentionKernels();
afterAll(() => kernels.close());

function random(n: number, seed: number, amp = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * amp);
}

/** Plain float64 reference: scores, row max, E, mass, attention. */
function reference(q: Float32Array, n: number, k: Float32Array, bias: Float32Array, T: number, d: number, scale: number) {
  const s: number[][] = [];
  for (let i = 0; i < n; i++) {
    s.push([]);
    for (let j = 0; j < T; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q[i * d + c] * k[j * d + c];
      s[i].push(dot * scale + bias[j]);
    }
  }
  const rowMax = s.map((r) => Math.max(...r));
  const E = s.map((r, i) => r.map((x) => Math.exp(x - rowMax[i])));
  const mass = E.map((r) => r.reduce((a, b) => a + b, 0));
  const A = E.map((r, i) => r.map((x) => x / mass[i]));
  return { rowMax, E, mass, A };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  expect(m).toBeLessThan(tol);
};

describe('onnxruntime attention kernels for compaction', () => {
  const n = 37;
  const T = 53;
  const d = 16;
  const t = 9;
  const scale = 1 / Math.sqrt(d);
  const q = random(n * d, 1, 2);
  const k = random(T * d, 2, 2);
  const v = random(T * d, 3);
  const bias = random(T, 4, 0.5);

  it('targets: row max, mass, outputs a·V, key RMS and column sums match a float64 reference', async () => {
    const got = await kernels.targets(q, n, k, v, bias, T, d, scale);
    const ref = reference(q, n, k, bias, T, d, scale);
    close(got.rowMax, ref.rowMax, 1e-5);
    close(got.mass, ref.mass, 1e-5);
    const outputs = ref.A.flatMap((row) => Array.from({ length: d }, (_, c) => row.reduce((acc, a, j) => acc + a * v[j * d + c], 0)));
    close(got.outputs, outputs, 1e-5);
    close(got.keyRms, Array.from({ length: T }, (_, j) => Math.sqrt(ref.A.reduce((acc, r) => acc + r[j] ** 2, 0) / n)), 1e-5);
    close(got.columnSums, Array.from({ length: T }, (_, j) => ref.A.reduce((acc, r) => acc + r[j], 0)), 1e-5);
  });

  it('mass and value normal equations match a float64 reference', async () => {
    const ref = reference(q, n, k, bias, T, d, scale);
    const kept = [0, 3, 7, 11, 20, 31, 40, 47, 52];
    const ck = Float32Array.from(kept.flatMap((j) => Array.from(k.subarray(j * d, (j + 1) * d))));
    const cb = Float32Array.from(kept, (j) => bias[j] + 0.1);
    const rowMax = Float32Array.from(ref.rowMax);
    const mass = Float32Array.from(ref.mass);
    const ms = await kernels.massSystem(q, n, ck, cb, t, d, scale, rowMax, mass);
    const es = reference(q, n, ck, cb, t, d, scale).E.map((row, i) => row.map((x) => x * Math.exp(reference(q, n, ck, cb, t, d, scale).rowMax[i] - ref.rowMax[i])));
    const gram = Array.from({ length: t * t }, (_, ab) => es.reduce((acc, r) => acc + r[Math.floor(ab / t)] * r[ab % t], 0));
    close(ms.gram, gram, 1e-4);
    close(ms.rhs, Array.from({ length: t }, (_, a) => es.reduce((acc, r, i) => acc + r[a] * ref.mass[i], 0)), 1e-4);

    const y = random(n * d, 9);
    const vs = await kernels.valueSystem(q, n, ck, cb, t, d, scale, y);
    const X = reference(q, n, ck, cb, t, d, scale).A;
    close(vs.gram, Array.from({ length: t * t }, (_, ab) => X.reduce((acc, r) => acc + r[Math.floor(ab / t)] * r[ab % t], 0)), 1e-4);
    close(vs.rhs, Array.from({ length: t * d }, (_, ac) => X.reduce((acc, r, i) => acc + r[Math.floor(ac / d)] * y[i * d + (ac % d)], 0)), 1e-4);
  });

  it('per-head system: w is the 1-D mass fit and XᵀX, XᵀY use the row-normalised kept scores', async () => {
    const ref = reference(q, n, k, bias, T, d, scale);
    const kept = [1, 2, 9, 15, 22, 30, 38, 44, 50];
    const ck = Float32Array.from(kept.flatMap((j) => Array.from(k.subarray(j * d, (j + 1) * d))));
    const cb = Float32Array.from(kept, (j) => bias[j]);
    const y = random(n * d, 11);
    const got = await kernels.perHeadSystem(q, n, ck, cb, t, d, scale, Float32Array.from(ref.rowMax), Float32Array.from(ref.mass), y);
    const sub = reference(q, n, ck, cb, t, d, scale);
    const e = sub.E.map((row, i) => row.reduce((a, b) => a + b, 0) * Math.exp(sub.rowMax[i] - ref.rowMax[i]));
    const w = e.reduce((acc, ei, i) => acc + ei * ref.mass[i], 0) / e.reduce((acc, ei) => acc + ei * ei, 0);
    expect(Math.abs(got.w - w) / w).toBeLessThan(1e-4);
    const X = sub.A;
    close(got.gram, Array.from({ length: t * t }, (_, ab) => X.reduce((acc, r) => acc + r[Math.floor(ab / t)] * r[ab % t], 0)), 1e-4);
    close(got.rhs, Array.from({ length: t * d }, (_, ac) => X.reduce((acc, r, i) => acc + r[Math.floor(ac / d)] * y[i * d + (ac % d)], 0)), 1e-4);
  });

  it('causal column sums: query i sees keys j ≤ positions[i] only (−1: all)', async () => {
    const positions = Int32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -1 : i % T));
    const got = await kernels.columnSums(q, n, k, bias, T, d, scale, positions);
    const sums = new Float64Array(T);
    for (let i = 0; i < n; i++) {
      const visible = positions[i] < 0 ? T : positions[i] + 1;
      const { A } = reference(q.subarray(i * d, (i + 1) * d), 1, k.subarray(0, visible * d), bias.subarray(0, visible), visible, d, scale);
      A[0].forEach((a, j) => (sums[j] += a));
    }
    close(got, sums, 1e-5);
    close(await kernels.columnSums(q, n, k, bias, T, d, scale), Array.from({ length: T }, (_, j) => reference(q, n, k, bias, T, d, scale).A.reduce((acc, r) => acc + r[j], 0)), 1e-5);
  });

  it("shifted exp and its products: E, column norms, Eᵀr and the Gram rows of gathered columns", async () => {
    const ref = reference(q, n, k, bias, T, d, scale);
    const got = await kernels.shiftedExp(q, n, k, bias, T, d, scale);
    close(got.E, ref.E.flat(), 1e-5);
    close(got.rowMax, ref.rowMax, 1e-5);
    close(got.mass, ref.mass, 1e-5);
    close(got.columnNorms, Array.from({ length: T }, (_, j) => Math.sqrt(ref.E.reduce((acc, r) => acc + r[j] ** 2, 0))), 1e-5);
    const r = random(n, 12);
    close(await kernels.correlate(got.E, n, T, r), Array.from({ length: T }, (_, j) => ref.E.reduce((acc, row, i) => acc + row[j] * r[i], 0)), 1e-4);
    const rows = Int32Array.from([4, 0, 17]);
    const cols = Int32Array.from([0, 4, 17, 30, 52]);
    const gram = await kernels.gatherGram(got.E, n, T, rows, cols);
    close(gram, Array.from(rows).flatMap((a) => Array.from(cols, (b) => ref.E.reduce((acc, row) => acc + row[a] * row[b], 0))), 1e-4);
  });

  it('the onnxruntime ops agree with the JS ops on every operation', async () => {
    const ort = new OrtAttentionOps(kernels);
    const input = { queries: q, n, keys: k, bias, T, d, scale };
    const [a, b] = [await ort.targets(input, v), await jsAttentionOps.targets(input, v)];
    for (const key of ['rowMax', 'mass', 'outputs', 'keyRms', 'columnSums'] as const) close(a[key], b[key], 1e-5);
    const kept = { ...input, keys: k.subarray(0, t * d), bias: bias.subarray(0, t), T: t };
    const y = random(n * d, 13);
    for (const op of ['massSystem', 'perHeadSystem'] as const) {
      const [x, z] = [await ort[op](kept, b.rowMax, b.mass, y), await jsAttentionOps[op](kept, b.rowMax, b.mass, y)];
      close(x.gram, z.gram, 1e-4);
      close(x.rhs, z.rhs, 1e-4);
    }
    const [vx, vz] = [await ort.valueSystem(kept, y), await jsAttentionOps.valueSystem(kept, y)];
    close(vx.gram, vz.gram, 1e-4);
    close(vx.rhs, vz.rhs, 1e-4);
    const [ex, ez] = [await ort.shiftedExp(input), await jsAttentionOps.shiftedExp(input)];
    close(ex.columnNorms, ez.columnNorms, 1e-5);
    const residual = Float64Array.from(random(n, 14));
    close(await ex.correlate(residual), await ez.correlate(residual), 1e-4);
    const idx = Int32Array.from([2, 9]);
    close(await ex.gram(idx, Int32Array.from([1, 2, 9])), await ez.gram(idx, Int32Array.from([1, 2, 9])), 1e-4);
  });

  it('is much faster than the plain JS targets on a realistic head (T=4096, n=2048, d=64)', async () => {
    const [N, TT, D] = [2048, 4096, 64];
    const Q = random(N * D, 5);
    const K = random(TT * D, 6);
    const V = random(TT * D, 7);
    const B = new Float32Array(TT);
    await kernels.targets(Q.subarray(0, 8 * D), 8, K, V, B, TT, D, 0.125); // warm-up
    let t0 = performance.now();
    await kernels.targets(Q, N, K, V, B, TT, D, 0.125);
    const ortMs = performance.now() - t0;
    t0 = performance.now();
    blockTargets({ T: TT, d: D, keys: K, bias: B, queries: Q, n: N, scale: 0.125 }, V);
    const jsMs = performance.now() - t0;
    console.log(`targets for one head: onnxruntime ${ortMs.toFixed(0)} ms, JS ${jsMs.toFixed(0)} ms (${(jsMs / ortMs).toFixed(1)}×)`);
    expect(ortMs).toBeLessThan(jsMs);
  });
});
