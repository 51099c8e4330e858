import { describe, expect, it } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import {
  accumulateAtA,
  accumulateAtB,
  largestEigenvalue,
  matmulABt,
  mirrorUpper,
  ridgeSolve,
} from '../../engine/compaction/linalg.js';
import { randomMatrix, refNormal, refRidge, refSolve } from './reference.js';

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

describe('matmulABt', () => {
  it('matches a naive product on sizes that are not multiples of the tiles', () => {
    const [n, T, d] = [7, 131, 13];
    const a = randomMatrix(n, d, 1);
    const b = randomMatrix(T, d, 2);
    const out = matmulABt(a, n, b, T, d);
    const ref = new Float64Array(n * T);
    for (let i = 0; i < n; i++) for (let j = 0; j < T; j++) for (let k = 0; k < d; k++) ref[i * T + j] += a[i * d + k] * b[j * d + k];
    expect(maxRelDiff(out, ref)).toBeLessThan(1e-6);
  });
});

describe('normal equations', () => {
  it.each([9, 11, 12])('accumulateAtA / accumulateAtB over chunks equal XᵀX and XᵀY (t = %i)', (t) => {
    const [n, r] = [53, 4];
    const x = randomMatrix(n, t, 3);
    const y = randomMatrix(n, r, 4);
    const g = new Float64Array(t * t);
    const b = new Float64Array(t * r);
    for (const [s, e] of [[0, 20], [20, 21], [21, 53]]) {
      accumulateAtA(x.subarray(s * t, e * t), e - s, t, g);
      accumulateAtB(x.subarray(s * t, e * t), e - s, t, y.subarray(s * r, e * r), r, b);
    }
    mirrorUpper(g, t);
    const ref = refNormal(x, y, n, t, r);
    expect(maxRelDiff(g, ref.G)).toBeLessThan(1e-12);
    expect(maxRelDiff(b, ref.B)).toBeLessThan(1e-12);
  });

  it('power iteration finds the largest eigenvalue of XᵀX', () => {
    const [n, t] = [80, 6];
    const x = randomMatrix(n, t, 5);
    for (let i = 0; i < n; i++) x[i * t] += 3; // one dominant direction
    const { G } = refNormal(x, x, n, t, t);
    const lambda = largestEigenvalue(G, t, 200);
    // Rayleigh quotient bound: λ_max ≥ vᵀGv for any unit v, and λ_max ≤ ‖G‖_F.
    let fro = 0;
    for (const v of G) fro += v * v;
    expect(lambda).toBeLessThanOrEqual(Math.sqrt(fro) + 1e-9);
    expect(lambda).toBeGreaterThan(G[0]);
  });
});

describe('ridgeSolve', () => {
  it('matches Gaussian elimination on a well-conditioned system', () => {
    const [n, t, r] = [120, 12, 3];
    const x = randomMatrix(n, t, 6);
    const y = randomMatrix(n, r, 7);
    const { G, B } = refNormal(x, y, n, t, r);
    const sol = ridgeSolve(G, t, B, r, { ridgeScale: 1e-6 });
    expect(sol.attempts).toBe(1);
    const ref = refRidge(x, y, n, t, r, 1e-6);
    expect(sol.lambda).toBeCloseTo(ref.lambda, 12);
    expect(maxRelDiff(sol.x, ref.x)).toBeLessThan(1e-9);
    // And it is not the unregularized solution by accident: λ matters at 1e-1.
    const strong = ridgeSolve(G, t, B, r, { ridgeScale: 1e-1 });
    expect(maxRelDiff(strong.x, refSolve(G, B, t, r))).toBeGreaterThan(1e-4);
  });

  it('stays finite and close to the float64 ridge reference on softmax rows with near-duplicate columns', () => {
    const [n, t, r] = [300, 24, 8];
    const logits = randomMatrix(n, t, 8);
    // Columns 2k and 2k+1 almost equal: X is numerically rank-deficient (cond(XᵀX) astronomically large).
    for (let i = 0; i < n; i++) for (let k = 0; k + 1 < t; k += 2) logits[i * t + k + 1] = logits[i * t + k] + 1e-6 * (i % 3);
    const x = new Float32Array(n * t);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < t; j++) sum += Math.exp(logits[i * t + j]);
      for (let j = 0; j < t; j++) x[i * t + j] = Math.exp(logits[i * t + j]) / sum;
    }
    const y = randomMatrix(n, r, 9);
    const g = new Float64Array(t * t);
    const b = new Float64Array(t * r);
    accumulateAtA(x, n, t, g);
    accumulateAtB(x, n, t, y, r, b);
    mirrorUpper(g, t);
    const sol = ridgeSolve(g, t, b, r);
    expect(sol.x.every(Number.isFinite)).toBe(true);
    const ref = refRidge(x, y, n, t, r, 1e-6);
    expect(maxRelDiff(sol.x, ref.x)).toBeLessThan(1e-4);
    // Unregularized elimination on the same system is wildly different: the ridge is doing real work.
    expect(maxRelDiff(refSolve(refNormal(x, y, n, t, r).G, b, t, r), ref.x)).toBeGreaterThan(1);
  });

  it('retries with a larger ridge when the factorization fails', () => {
    // trace = 1 - 1e-6, first λ ≈ 5e-7 < 1e-6 → not PD; second λ ≈ 5e-5 succeeds.
    const g = Float64Array.from([1, 0, 0, -1e-6]);
    const sol = ridgeSolve(g, 2, Float64Array.from([1, 1]), 1);
    expect(sol.attempts).toBe(2);
    expect(sol.lambda).toBeCloseTo(100 * 1e-6 * (1 - 1e-6) / 2, 12);
    expect(sol.x[0]).toBeCloseTo(1 / (1 + sol.lambda), 10);
    expect(sol.x[1]).toBeCloseTo(1 / (sol.lambda - 1e-6), 6);
  });

  it('throws BAD_ARGUMENT when no ridge in the retry range makes it positive definite', () => {
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isLongreadError(e) ? e.code : 'not a LongreadError';
      }
      return undefined;
    };
    // trace 0.01: the largest ridge tried is 1e-6·100⁴·0.01/3 ≈ 0.33, far from the -19.99 eigenvalue.
    const indefinite = Float64Array.from([10, 0, 0, 0, 10, 0, 0, 0, -19.99]);
    expect(codeOf(() => ridgeSolve(indefinite, 3, Float64Array.from([1, 1, 1]), 1))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => ridgeSolve(Float64Array.from([1, 0, 0, NaN]), 2, Float64Array.from([1, 1]), 1))).toBe('BAD_ARGUMENT');
  });
});
