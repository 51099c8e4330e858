import { describe, expect, it } from 'vitest';
import { QueryCollector } from '../../engine/compaction/cache/query-collector.js';

const shape = { numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 2 };

/** Query of (layer, head, position) encoded in its two entries so the test can tell where each row came from. */
function step(S: number, first: number): Float32Array[] {
  return [0, 1].map((l) => {
    const q = new Float32Array(4 * S * 2);
    for (let h = 0; h < 4; h++) for (let s = 0; s < S; s++) q.set([l * 100 + h, first + s], (h * S + s) * 2);
    return q;
  });
}

describe('QueryCollector', () => {
  it('with a cap above the stream keeps every query, pooling the GQA group of each KV head, per chunk', () => {
    const c = new QueryCollector(shape, { span: { start: 2, end: 10 }, chunkSize: 4, cap: 100, causal: true });
    c.add(step(5, 0), 5, 0);
    c.add(step(7, 5), 7, 5);
    const set = c.get(1, 1, 1); // layer 1, KV head 1 (query heads 2, 3), chunk 1 = positions 6..9
    expect(set.n).toBe(8);
    const rows = Array.from({ length: set.n }, (_, i) => `${set.data[2 * i]}@${set.data[2 * i + 1]}`).sort();
    expect(rows).toEqual(['102@6', '102@7', '102@8', '102@9', '103@6', '103@7', '103@8', '103@9']);
    expect(Array.from(set.positions).sort()).toEqual([6, 6, 7, 7, 8, 8, 9, 9]);
    expect(c.get(0, 0, 0).n).toBe(8); // positions 2..5 of query heads 0, 1
  });

  it('reservoir-samples to the cap, deterministically for a seed, without repeating a row', () => {
    const run = (seed: number) => {
      const c = new QueryCollector(shape, { span: { start: 0, end: 300 }, chunkSize: 300, cap: 50, causal: false, seed });
      for (let s = 0; s < 300; s += 64) c.add(step(Math.min(64, 300 - s), s), Math.min(64, 300 - s), s);
      return c.get(0, 1, 0);
    };
    const a = run(1);
    expect(a.n).toBe(50);
    expect(Array.from(a.positions).every((p) => p === -1)).toBe(true);
    const keys = Array.from({ length: 50 }, (_, i) => `${a.data[2 * i]}@${a.data[2 * i + 1]}`);
    expect(new Set(keys).size).toBe(50);
    expect(keys.every((k) => k.startsWith('2@') || k.startsWith('3@'))).toBe(true);
    // a uniform sample of 600 rows: the late half is represented too
    expect(Array.from({ length: 50 }, (_, i) => a.data[2 * i + 1]).some((p) => p >= 150)).toBe(true);
    expect(run(1).data).toEqual(a.data);
    expect(run(2).data).not.toEqual(a.data);
  });

  it('keeps the last `window` positions of each chunk whole, for snapkv', () => {
    const c = new QueryCollector(shape, { span: { start: 0, end: 8 }, chunkSize: 4, cap: 1, causal: true, window: 2 });
    c.add(step(8, 0), 8, 0);
    const w = c.windowQueries(0, 0, 1);
    expect(w.n).toBe(4);
    expect(Array.from({ length: 4 }, (_, i) => w.data[2 * i + 1]).sort()).toEqual([6, 6, 7, 7]);
  });

  it('rejects queries of the wrong shape', () => {
    const c = new QueryCollector(shape, { span: { start: 0, end: 8 }, chunkSize: 4, cap: 4, causal: true });
    expect(() => c.add([new Float32Array(3), new Float32Array(3)], 1, 0)).toThrow(/layer 0 queries/);
  });
});
