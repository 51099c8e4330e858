import { describe, expect, it } from 'vitest';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { AttentionMatching, type AmOptions } from '../../engine/compaction/methods/am.js';
import { AttentionMatchingOmp } from '../../engine/compaction/methods/am-omp.js';
import type { CompactedHead, CompactionMethod, HeadBlock } from '../../engine/compaction/types.js';
import { fidelity, structuredHead, type Fidelity } from './reference.js';

const HEADS = 6;
const RATIOS = [0.5, 0.25, 0.1, 0.05];
const ASSERTED = new Set([0.1, 0.05]);

/** "Top-t keys, β = 0, Cv = V[S]" on the slots AM kept, built here without engine code. */
function evictionOf(block: HeadBlock, kept: Int32Array): CompactedHead {
  const { d } = block;
  const rows = (m: Float32Array) => Float32Array.from({ length: kept.length * d }, (_, i) => m[kept[Math.floor(i / d)] * d + (i % d)]);
  return { indices: kept, keys: rows(block.keys), values: rows(block.values), bias: new Float32Array(kept.length) };
}

const variants: [string, CompactionMethod][] = [
  ['am', new AttentionMatching()],
  ...(
    [
      ['am clamped-ls', { betaSolver: 'clamped-ls' }],
      ['am per-slot β', { betaMode: 'per-slot' }],
      ['am β off', { betaMode: 'off' }],
      ['am copy values', { values: 'copy' }],
    ] as [string, AmOptions][]
  ).map(([name, o]): [string, CompactionMethod] => [name, new AttentionMatching(o)]),
  ['am-omp', new AttentionMatchingOmp()],
];

describe('held-out fidelity on structured random heads', () => {
  it('am beats top-t eviction (β = 0, copied values) on output and log-mass error at ratios 0.1 and 0.05', async () => {
    const heads = Array.from({ length: HEADS }, (_, h) => structuredHead({ T: 192, d: 32, n: 384, seed: 100 + h }));
    const rows: Record<string, string | number>[] = [];
    for (const ratio of RATIOS) {
      const mean = new Map<string, Fidelity>();
      const add = (name: string, f: Fidelity) => {
        const m = mean.get(name) ?? { outputErr: 0, logMassErr: 0, cosine: 0 };
        mean.set(name, {
          outputErr: m.outputErr + f.outputErr / HEADS,
          logMassErr: m.logMassErr + f.logMassErr / HEADS,
          cosine: m.cosine + f.cosine / HEADS,
        });
      };
      for (const { block, heldOut, nHeld } of heads) {
        const t = Math.round(ratio * block.T);
        for (const [name, method] of variants) {
          const c = await method.compact(block, t, { ops: jsAttentionOps });
          add(name, fidelity(block, c, heldOut, nHeld));
          if (name === 'am') add('top-t, β=0, V[S]', fidelity(block, evictionOf(block, c.indices), heldOut, nHeld));
        }
      }
      for (const [name, f] of mean) {
        const round = (x: number) => +x.toFixed(4);
        rows.push({ ratio, method: name, outputErr: round(f.outputErr), logMassErr: round(f.logMassErr), cosine: round(f.cosine) });
      }
      if (ASSERTED.has(ratio)) {
        const am = mean.get('am')!;
        const base = mean.get('top-t, β=0, V[S]')!;
        expect(am.outputErr, `output error at ratio ${ratio}`).toBeLessThan(base.outputErr);
        expect(am.logMassErr, `log-mass error at ratio ${ratio}`).toBeLessThan(base.logMassErr);
      }
    }
    console.table(rows);
  });
});
