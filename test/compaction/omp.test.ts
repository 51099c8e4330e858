import { describe, expect, it } from 'vitest';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
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

const ops = { ops: jsAttentionOps };

describe('am-omp', () => {
  const omp = new AttentionMatchingOmp();

  it('without seeds it is nested: the selection for budget t is the first t of the greedy order', async () => {
    const omp = new AttentionMatchingOmp({ seedFraction: 0, recentWindow: 0 });
    const { block } = structuredHead({ T: 128, d: 16, n: 256, seed: 71 });
    const state = await omp.prepare(block, 40, jsAttentionOps);
    const targets = state.targets;
    const { order } = state;
    expect(new Set(order).size).toBe(40);
    for (const t of [1, 7, 13, 25, 40]) {
      const c = await omp.compact(block, t, ops);
      expect(Array.from(c.indices)).toEqual(Array.from(order.slice(0, t)).sort((a, b) => a - b));
      expect(Array.from(await omp.selectOrder(block, t, jsAttentionOps, targets))).toEqual(Array.from(order.slice(0, t)));
      const fromOrder = await omp.compactPrepared(block, state, t, ops);
      expect(fromOrder.bias).toEqual(c.bias);
      expect(fromOrder.values).toEqual(c.values);
    }
  });

  it('with seeds: the recent tail of the span and the top highest-attention keys come first, then OMP', async () => {
    const { block } = structuredHead({ T: 128, d: 16, n: 256, seed: 75 });
    const ending = { ...block, endsSpan: true };
    const seeded = new AttentionMatchingOmp({ seedFraction: 0.5, recentWindow: 4 });
    const state = await seeded.prepare(ending, 24, jsAttentionOps);
    // 4 tail slots, then half of the other 20 by highest attention among the slots before the tail.
    const rms = Array.from(state.targets.keyRms.slice(0, 124).keys()).sort((a, b) => state.targets.keyRms[b] - state.targets.keyRms[a] || a - b);
    const seeds = [...rms.slice(0, 10), 124, 125, 126, 127].sort((a, b) => a - b);
    expect(Array.from(state.order.slice(0, 14)).sort((a, b) => a - b)).toEqual(seeds);
    expect(new Set(state.order).size).toBe(24);
    expect(seeded.covers(state, 24)).toBe(true);
    expect(seeded.covers(state, 12)).toBe(false); // seeds depend on the budget: a prefix is not the order for 12
    const direct = await seeded.compact(ending, 24, ops);
    const prepared = await seeded.compactPrepared(ending, state, 24, ops);
    expect(Array.from(prepared.indices)).toEqual(Array.from(direct.indices));
    expect(prepared.values).toEqual(direct.values);
  });

  it('matches the mass on its training queries at least as well as highest-attention selection', async () => {
    const rows: Record<string, number>[] = [];
    for (const seed of [72, 73, 74]) {
      const { block } = structuredHead({ T: 128, d: 16, n: 256, seed });
      for (const t of [6, 13, 26]) {
        const o = trainingMassError(block, await omp.compact(block, t, ops));
        // Same solver and bounds, so only the selection differs.
        const h = trainingMassError(block, await new AttentionMatching({ betaMode: 'per-slot', wMin: 1e-12, wMax: Math.exp(7) }).compact(block, t, ops));
        rows.push({ seed, t, omp: +o.toFixed(4), highestAttention: +h.toFixed(4) });
        expect(o).toBeLessThanOrEqual(h);
      }
    }
    console.table(rows);
  });
});
