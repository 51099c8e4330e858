import { describe, expect, it } from 'vitest';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { AttentionMatching } from '../../engine/compaction/methods/am.js';
import { structuredHead } from './reference.js';

describe('speed sanity', () => {
  it('am compacts a T=4096, n=2048, d=64 head at ratio 0.1 (time printed, not asserted)', async () => {
    const { block } = structuredHead({ T: 4096, d: 64, n: 2048, seed: 91, nHeld: 1 });
    const started = performance.now();
    const c = await new AttentionMatching().compact(block, 410, { ops: jsAttentionOps });
    const ms = performance.now() - started;
    console.log(`am, T=4096 n=2048 d=64 t=410: ${ms.toFixed(0)} ms`);
    expect(c.indices.length).toBe(410);
    expect(c.values.every(Number.isFinite) && c.bias.every(Number.isFinite)).toBe(true);
  });
});
