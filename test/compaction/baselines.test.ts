import { describe, expect, it } from 'vitest';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { HeavyHitters } from '../../engine/compaction/methods/h2o.js';
import { KeyNorm } from '../../engine/compaction/methods/knorm.js';
import { RandomEviction } from '../../engine/compaction/methods/random.js';
import { SnapKv } from '../../engine/compaction/methods/snapkv.js';
import { Streaming } from '../../engine/compaction/methods/streaming.js';
import type { HeadBlock } from '../../engine/compaction/types.js';
import { randomMatrix } from './reference.js';

const ops = { ops: jsAttentionOps };

/** T keys of dimension d: small random noise, with unit basis vectors planted at chosen slots. */
function block(
  T: number,
  d: number,
  planted: Record<number, number> = {},
  queries: Float32Array = new Float32Array(0),
  n = 0,
): HeadBlock {
  const keys = randomMatrix(T, d, 61, 0.01);
  for (const [slot, axis] of Object.entries(planted)) keys[Number(slot) * d + axis] = 1;
  return { T, d, keys, values: randomMatrix(T, d, 62), bias: new Float32Array(T), queries, n, scale: 1 };
}

/** Queries that are large multiples of unit vectors along the given axes. */
function axisQueries(d: number, axes: number[], strength = 20): Float32Array {
  const q = new Float32Array(axes.length * d);
  axes.forEach((a, i) => (q[i * d + a] = strength));
  return q;
}

describe('streaming', () => {
  it('keeps the first sinks slots and the most recent window', async () => {
    const c = await new Streaming().compact(block(20, 4), 8, ops);
    expect(Array.from(c.indices)).toEqual([0, 1, 2, 3, 16, 17, 18, 19]);
    expect(Array.from((await new Streaming({ sinks: 2 }).compact(block(20, 4), 5, ops)).indices)).toEqual([0, 1, 17, 18, 19]);
    expect(Array.from((await new Streaming({ sinks: 6 }).compact(block(20, 4), 3, ops)).indices)).toEqual([0, 1, 2]);
  });
});

describe('knorm', () => {
  it('keeps the smallest key norms', async () => {
    const b = block(12, 3);
    const norms = [5, 1, 9, 0.5, 7, 3, 8, 2, 6, 4, 10, 11];
    for (let j = 0; j < 12; j++) b.keys.set([norms[j], 0, 0], j * 3);
    expect(Array.from((await new KeyNorm().compact(b, 4, ops)).indices)).toEqual([1, 3, 5, 7]);
  });

  it('breaks ties toward the lower slot, so selections are deterministic', async () => {
    const b = block(12, 3);
    for (let j = 0; j < 12; j++) b.keys.set([j % 2 === 0 ? 1 : 2, 0, 0], j * 3);
    expect(Array.from((await new KeyNorm().compact(b, 3, ops)).indices)).toEqual([0, 2, 4]);
  });
});

describe('h2o', () => {
  it('favors keys attended by many queries over a key attended by one', async () => {
    // Slot 5 ← axis 0 (seen by 6 queries), slot 20 ← axis 1 (seen by 1), slot 30 ← axis 2 (seen by 3).
    const q = axisQueries(8, [0, 0, 0, 0, 0, 0, 1, 2, 2, 2]);
    const b = block(40, 8, { 5: 0, 20: 1, 30: 2 }, q, 10);
    expect(Array.from((await new HeavyHitters().compact(b, 2, ops)).indices)).toEqual([5, 30]);
  });

  it('honours causality: a query cannot vote for a key after its position', async () => {
    const q = axisQueries(8, [0, 0, 1, 1, 1]);
    const b = block(40, 8, { 5: 0, 30: 1 }, q, 5);
    expect(Array.from((await new HeavyHitters().compact(b, 1, ops)).indices)).toEqual([30]);
    // The three axis-1 queries sit before slot 30, so they cannot see it.
    b.queryPositions = Int32Array.from([39, 39, 10, 10, 10]);
    expect(Array.from((await new HeavyHitters().compact(b, 1, ops)).indices)).toEqual([5]);
  });
});

describe('snapkv', () => {
  it('favors what the observation window attends to, with its neighbours through max-pooling', async () => {
    const b = block(64, 8, { 30: 0, 50: 1 });
    b.windowQueries = axisQueries(8, [0, 0, 0, 1]);
    b.windowN = 4;
    expect(Array.from((await new SnapKv().compact(b, 7, ops)).indices)).toEqual([27, 28, 29, 30, 31, 32, 33]);
    expect(Array.from((await new SnapKv({ kernel: 1 }).compact(b, 2, ops)).indices)).toEqual([30, 50]);
  });
});

describe('random', () => {
  it('is reproducible by seed and differs between seeds', async () => {
    const b = block(100, 4);
    const m = new RandomEviction();
    const a1 = Array.from((await m.compact(b, 10, { ops: jsAttentionOps, seed: 7 })).indices);
    expect(Array.from((await m.compact(b, 10, { ops: jsAttentionOps, seed: 7 })).indices)).toEqual(a1);
    expect(Array.from((await new RandomEviction({ seed: 7 }).compact(b, 10, ops)).indices)).toEqual(a1);
    expect(Array.from((await m.compact(b, 10, { ops: jsAttentionOps, seed: 8 })).indices)).not.toEqual(a1);
    expect(new Set(a1).size).toBe(10);
    // Roughly uniform: over many seeds every slot gets picked.
    const seen = new Set<number>();
    for (let s = 0; s < 200; s++) for (const j of (await m.compact(b, 10, { ops: jsAttentionOps, seed: s })).indices) seen.add(j);
    expect(seen.size).toBe(100);
  });
});
