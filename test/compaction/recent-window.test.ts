import { describe, expect, it } from 'vitest';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { AttentionMatching, DEFAULT_RECENT_WINDOW } from '../../engine/compaction/methods/am.js';
import { topK, topKWithTail } from '../../engine/compaction/select.js';
import { structuredHead } from './reference.js';

const ops = { ops: jsAttentionOps };

describe('topKWithTail', () => {
  it('forces the last slots in and fills the rest by score', () => {
    const scores = [5, 1, 4, 0, 3, 2];
    expect(Array.from(topKWithTail(scores, 3, 0))).toEqual(Array.from(topK(scores, 3)));
    expect(Array.from(topKWithTail(scores, 3, 2))).toEqual([0, 4, 5]);
    expect(Array.from(topKWithTail(scores, 2, 6))).toEqual([4, 5]);
  });
});

describe('am keeps the end of the span', () => {
  const { block } = structuredHead({ T: 200, d: 8, n: 120, seed: 7 });
  const last = (indices: Int32Array, k: number) => Array.from(indices).filter((j) => j >= block.T - k).length;

  it('a block that ends the span keeps its last min(window, t/2) slots; other blocks do not force them', async () => {
    const plain = await new AttentionMatching().compact(block, 40, ops);
    const ending = await new AttentionMatching().compact({ ...block, endsSpan: true }, 40, ops);
    expect(last(ending.indices, DEFAULT_RECENT_WINDOW)).toBe(DEFAULT_RECENT_WINDOW);
    expect(last(plain.indices, DEFAULT_RECENT_WINDOW)).toBeLessThan(DEFAULT_RECENT_WINDOW);
    expect(ending.indices.length).toBe(40);

    const small = await new AttentionMatching().compact({ ...block, endsSpan: true }, 10, ops);
    expect(last(small.indices, 5)).toBe(5);
    const none = await new AttentionMatching({ recentWindow: 0 }).compact({ ...block, endsSpan: true }, 40, ops);
    expect(Array.from(none.indices)).toEqual(Array.from(plain.indices));
  });

  it('the kept tail is fitted with the rest (β and values), not copied', async () => {
    const c = await new AttentionMatching().compact({ ...block, endsSpan: true }, 40, ops);
    const j = c.indices.length - 1;
    expect(c.indices[j]).toBe(block.T - 1);
    const original = block.values.subarray((block.T - 1) * block.d, block.T * block.d);
    const fitted = c.values.subarray(j * block.d, (j + 1) * block.d);
    expect(Array.from(fitted)).not.toEqual(Array.from(original));
  });
});
