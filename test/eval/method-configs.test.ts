import { describe, expect, it } from 'vitest';
import { compareLogits, perplexity } from '../../engine/eval/logit-metrics.js';
import { amGrid, DEFAULT_AM, parseMethodConfig } from '../../engine/eval/method-configs.js';

describe('method configs', () => {
  it('parses AM options and fills the defaults; baselines default to context queries', () => {
    expect(parseMethodConfig('am')).toEqual({ method: 'am', ...DEFAULT_AM, label: expect.stringMatching(/^am:/) });
    const c = parseMethodConfig('am:beta=per-head:values=copy:queries=context');
    expect(c).toMatchObject({ method: 'am', betaMode: 'per-head', values: 'copy', queries: 'context' });
    expect(c.label).toBe('am:beta=per-head:values=copy:queries=context');
    expect(parseMethodConfig('snapkv')).toMatchObject({ method: 'snapkv', queries: 'context', label: 'snapkv' });
  });

  it('refuses unknown methods, options and values', () => {
    expect(() => parseMethodConfig('foo')).toThrow(/unknown compaction method "foo"/);
    expect(() => parseMethodConfig('am:beta=sometimes')).toThrow(/beta must be one of/);
    expect(() => parseMethodConfig('am:colour=red')).toThrow(/unknown option "colour"/);
    expect(() => parseMethodConfig('h2o:beta=off')).toThrow(/h2o takes no option "beta"/);
    expect(() => parseMethodConfig('am:window=-1')).toThrow(/window must be a whole number of slots/);
    expect(() => parseMethodConfig('am:window=2.5')).toThrow(/window must be a whole number of slots/);
    expect(() => parseMethodConfig('am-omp:seeds=1.5')).toThrow(/seeds must be a share of the budget/);
    expect(() => parseMethodConfig('am:seeds=0.5')).toThrow(/unknown option "seeds" for am/);
  });

  it('reads the recent window and am-omp seeds into the label and the method', () => {
    const c = parseMethodConfig('am-omp:window=0:seeds=0');
    expect(c).toMatchObject({ recentWindow: 0, seedFraction: 0 });
    expect(c.label).toMatch(/:window=0:seeds=0$/);
    expect(parseMethodConfig('am').label).not.toMatch(/window/);
  });

  it('the AM grid holds every distinct combination once', () => {
    const grid = amGrid();
    expect(grid).toHaveLength(4 * 2 * 3);
    expect(new Set(grid.map((g) => g.label)).size).toBe(grid.length);
  });
});

describe('logit metrics', () => {
  it('KL is 0 and top-1 is 1 for identical logits; a known two-token case matches its closed form', () => {
    const a = Float32Array.of(1, 2, 3, 0, 0, 5);
    expect(compareLogits(a, a, 3, 2)).toEqual({ kl: 0, top1: 1, positions: 2 });
    const p = Float32Array.of(0, 0);
    const q = Float32Array.of(Math.log(3), 0); // q = (3/4, 1/4)
    const kl = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
    expect(compareLogits(p, q, 2, 1).kl).toBeCloseTo(kl, 6);
    expect(perplexity(Float32Array.of(0, 0, Math.log(3), 0), 2, [1, 0])).toBeCloseTo(Math.exp(-(Math.log(0.5) + Math.log(0.75)) / 2), 6);
  });
});
