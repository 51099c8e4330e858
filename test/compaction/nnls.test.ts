import { describe, expect, it } from 'vitest';
import { betaFromMassSystem } from '../../engine/compaction/beta.js';
import {
  boundedLeastSquares,
  clampedLeastSquares,
  normalEquations,
} from '../../engine/compaction/nnls.js';
import { fullExp, shiftedExp } from '../../engine/compaction/scores.js';
import { gatherRows } from '../../engine/compaction/select.js';
import { refBoundedLs, refObjective, refRidge, rng, structuredHead } from './reference.js';

/** Non-negative A (like E) and a target whose unconstrained fit needs negative and very large weights. */
function hardProblem(n: number, t: number, seed: number) {
  const rand = rng(seed);
  const a = Float32Array.from({ length: n * t }, () => rand());
  const wTrue = Float64Array.from({ length: t }, (_, j) => (j % 3 === 0 ? -1 : j % 3 === 1 ? 0.5 : 9));
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < t; j++) b[i] += a[i * t + j] * wTrue[j];
    b[i] += 0.1 * (rand() - 0.5);
  }
  return { a, b };
}

/** KKT for box-constrained LS: free ⇒ gradient ≈ 0, at lo ⇒ gradient ≥ 0, at hi ⇒ gradient ≤ 0. */
function kktViolation(a: Float32Array, b: Float64Array, n: number, t: number, w: Float64Array, lo: number, hi: number) {
  let worst = 0;
  let scale = 0;
  for (let j = 0; j < t; j++) {
    let g = 0;
    for (let i = 0; i < n; i++) {
      let r = -b[i];
      for (let k = 0; k < t; k++) r += a[i * t + k] * w[k];
      g += a[i * t + j] * r;
    }
    scale = Math.max(scale, Math.abs(g));
    const atLo = w[j] <= lo * (1 + 1e-9);
    const atHi = w[j] >= hi * (1 - 1e-9);
    const v = atLo ? Math.max(0, -g) : atHi ? Math.max(0, g) : Math.abs(g);
    worst = Math.max(worst, v);
  }
  return { worst, scale };
}

describe('bounded least squares', () => {
  const [n, t, lo, hi] = [200, 15, 0.05, 5];
  const { a, b } = hardProblem(n, t, 21);
  const p = normalEquations(a, n, t, b);

  it('matches a float64 projected coordinate-descent reference', () => {
    const w = boundedLeastSquares(p, { lo, hi }, { iterations: 2000 });
    const ref = refBoundedLs(a, b, n, t, lo, hi, 5000);
    const f = refObjective(a, b, n, t, w);
    const fRef = refObjective(a, b, n, t, ref);
    expect(f).toBeLessThanOrEqual(fRef * (1 + 1e-6));
    for (let j = 0; j < t; j++) expect(Math.abs(w[j] - ref[j])).toBeLessThan(1e-3);
    const k = kktViolation(a, b, n, t, w, lo, hi);
    expect(k.worst).toBeLessThan(1e-4 * k.scale);
  });

  it('the clamped recipe respects the bounds and the bounded solver beats it where LS goes negative', () => {
    const raw = refRidge(a, b, n, t, 1).x;
    expect(Array.from(raw).some((v) => v < 0)).toBe(true);
    const clamped = clampedLeastSquares(p, { lo, hi });
    for (const v of clamped) {
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(v).toBeLessThanOrEqual(hi);
    }
    const bounded = boundedLeastSquares(p, { lo, hi });
    for (const v of bounded) {
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(v).toBeLessThanOrEqual(hi);
    }
    const fClamped = refObjective(a, b, n, t, clamped);
    const fBounded = refObjective(a, b, n, t, bounded);
    expect(fBounded).toBeLessThan(fClamped);
    console.log(`bounded LS objective ${fBounded.toExponential(3)} vs clamped recipe ${fClamped.toExponential(3)}`);
  });

  it('reaches the reference objective on a real mass-matching problem (E[:,S], M) in its default iterations', () => {
    const { block } = structuredHead({ T: 128, d: 16, n: 256, seed: 22 });
    const { rowMax, mass } = fullExp(block);
    const S = Int32Array.from({ length: 12 }, (_, j) => j * 10 + 3);
    const es = shiftedExp(block.queries, block.n, gatherRows(block.keys, block.d, S), new Float32Array(12), 12, block.d, block.scale, rowMax);
    const bounds = { lo: Math.exp(-3), hi: Math.exp(3) };
    const w = boundedLeastSquares(normalEquations(es, block.n, 12, mass), bounds);
    const ref = refBoundedLs(es, mass, block.n, 12, bounds.lo, bounds.hi, 20000);
    expect(refObjective(es, mass, block.n, 12, w)).toBeLessThanOrEqual(refObjective(es, mass, block.n, 12, ref) * (1 + 1e-3));
  });
});

describe('β from the mass normal equations', () => {
  const [n, t] = [50, 4];
  const rand = rng(23);
  const es = Float32Array.from({ length: n * t }, () => rand());
  const mass = Float64Array.from({ length: n }, () => 3 + rand());
  const bounds = { lo: Math.exp(-3), hi: Math.exp(3) };

  it('per-head is one scalar from 1-D least squares on the kept mass', () => {
    const beta = betaFromMassSystem(normalEquations(es, n, t, mass), { solver: 'bounded', mode: 'per-head', bounds });
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      const e = es[i * t] + es[i * t + 1] + es[i * t + 2] + es[i * t + 3];
      num += e * mass[i];
      den += e * e;
    }
    for (const v of beta) expect(v).toBeCloseTo(Math.log(num / den), 6);
  });

  it('per-slot gives log of the bounded solution', () => {
    const beta = betaFromMassSystem(normalEquations(es, n, t, mass), { solver: 'bounded', mode: 'per-slot', bounds });
    const ref = refBoundedLs(es, mass, n, t, bounds.lo, bounds.hi, 20000);
    for (let j = 0; j < t; j++) expect(beta[j]).toBeCloseTo(Math.log(ref[j]), 3);
  });
});
