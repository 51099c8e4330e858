import { describe, expect, it } from 'vitest';
import { argmax, GREEDY, Sampler } from '../../engine/generate/sampler.js';

const logits = () => Float32Array.from([1, 3, 2.5, -1, 0.5]);

function histogram(sampler: Sampler, n: number): number[] {
  const h = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) h[sampler.sample(logits(), [])]++;
  return h;
}

describe('sampler', () => {
  it('greedy picks the argmax', () => {
    expect(new Sampler(GREEDY).sample(logits(), [])).toBe(1);
    expect(argmax([0, -1, 7, 7])).toBe(2);
  });

  it('the same seed gives the same samples; another seed differs', () => {
    const p = { ...GREEDY, temperature: 1, seed: 7 };
    const a = Array.from({ length: 50 }, ((s) => () => s.sample(logits(), []))(new Sampler(p)));
    const b = Array.from({ length: 50 }, ((s) => () => s.sample(logits(), []))(new Sampler(p)));
    const c = Array.from({ length: 50 }, ((s) => () => s.sample(logits(), []))(new Sampler({ ...p, seed: 8 })));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('temperature 1 samples in proportion to softmax probabilities', () => {
    const h = histogram(new Sampler({ ...GREEDY, temperature: 1, seed: 1 }), 20000);
    const z = [1, 3, 2.5, -1, 0.5].map(Math.exp);
    const total = z.reduce((a, b) => a + b, 0);
    h.forEach((count, i) => expect(Math.abs(count / 20000 - z[i] / total)).toBeLessThan(0.015));
  });

  it('top-k keeps only the k best; top-p only the smallest set reaching p', () => {
    expect(histogram(new Sampler({ ...GREEDY, temperature: 1, topK: 2, seed: 2 }), 2000).filter((c, i) => c > 0 && ![1, 2].includes(i))).toEqual([]);
    // probabilities ≈ [0.07, 0.52, 0.31, 0.01, 0.04]: top-p 0.8 keeps ids 1 and 2 only
    const h = histogram(new Sampler({ ...GREEDY, temperature: 1, topP: 0.8, seed: 3 }), 2000);
    expect(h[0] + h[3] + h[4]).toBe(0);
    expect(h[1]).toBeGreaterThan(h[2]);
  });

  it('repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    const s = new Sampler({ ...GREEDY, repetitionPenalty: 2 });
    const l = logits();
    expect(s.sample(l, [1, 3])).toBe(2); // 3 → 1.5 loses to 2.5
    expect(l[1]).toBe(1.5);
    expect(l[3]).toBe(-2);
  });
});
