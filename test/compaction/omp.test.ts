import { describe, expect, it } from 'vitest';
import { AttentionMatching } from '../../engine/compaction/methods/am.js';
import { AttentionMatchingOmp } from '../../engine/compaction/methods/am-omp.js';
import type { CompactedHead, HeadBlock } from '../../engine/compaction/types.js';
import { refAttention, structuredHead } from './reference.js';

/**
 * The objective OMP greedily minimizes, on the block's own queries: ‖M_c − M‖/‖M‖ with each query's masses taken
 * relative to exp(max_j s_ij) of the full block.
 */
function trainingMassError(block: HeadBlock, c: CompactedHead): number {
  const { queries, n, T, d, scale } = block;
  const full = refAttention(queries, n, block.keys, block.values, block.bias, T, d, scale);
  const comp = refAttention(queries, n, c.keys, c.values, c.bias, c.indices.length, d, scale).logMass;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const m = Math.exp(full.logMass[i] - full.rowMax[i]);
    num += (Math.exp(comp[i] - full.rowMax[i]) - m) ** 2;
    den += m * m;
  }
  return Math.sqrt(num / den);
}

describe('am-omp', () => {
  const omp = new AttentionMatchingOmp();

  it('is nested: the selection for budget t is the first t of the greedy order', () => {
    const { block } = structuredHead({ T: 128, d: 16, n: 256, seed: 71 });
    const order = omp.selectOrder(block, 40);
    expect(new Set(order).size).toBe(40);
    for (const t of [1, 7, 13, 25, 40]) {
      const c = omp.compact(block, t);
      expect(Array.from(c.indices)).toEqual(Array.from(order.slice(0, t)).sort((a, b) => a - b));
      expect(Array.from(omp.selectOrder(block, t))).toEqual(Array.from(order.slice(0, t)));
      const fromOrder = omp.compactFromOrder(block, order, t);
      expect(fromOrder.bias).toEqual(c.bias);
      expect(fromOrder.values).toEqual(c.values);
    }
  });

  it('matches the mass on its training queries at least as well as highest-attention selection', () => {
    const rows: Record<string, number>[] = [];
    for (const seed of [72, 73, 74]) {
      const { block } = structuredHead({ T: 128, d: 16, n: 256, seed });
      for (const t of [6, 13, 26]) {
        const o = trainingMassError(block, omp.compact(block, t));
        // Same solver and bounds, so only the selection differs.
        const h = trainingMassError(block, new AttentionMatching({ betaMode: 'per-slot', wMin: 1e-12, wMax: Math.exp(7) }).compact(block, t));
        rows.push({ seed, t, omp: +o.toFixed(4), highestAttention: +h.toFixed(4) });
        expect(o).toBeLessThanOrEqual(h);
      }
    }
    console.table(rows);
  });
});
