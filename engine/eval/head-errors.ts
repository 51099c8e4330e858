import type { KvCache, SlotRun } from '../cache/kv-cache.js';
import { spanSlots } from '../compaction/cache/blocks.js';
import type { DocumentSpan } from '../compaction/cache/span.js';
import type { AttentionOps } from '../compaction/attention-ops.js';

/** How well each compacted document block reproduces the original one for held-out queries. */
export interface HeadErrors {
  /** Mean over (layer, KV head) of ‖O_c − O‖_F / ‖O‖_F, the local attention output. */
  outputErr: number;
  /** Mean over heads of the mean |log M_c − log M|, the block's attention mass. */
  logMassErr: number;
  /** Per head, [layer * kvHeads + head]. */
  perHead: { outputErr: number; logMassErr: number }[];
}

interface LocalAttention {
  outputs: Float32Array;
  logMass: Float64Array;
}

async function localAttention(queries: Float32Array, n: number, run: SlotRun, d: number, ops: AttentionOps): Promise<LocalAttention> {
  const t = await ops.targets({ queries, n, keys: run.keys, bias: run.bias, T: run.bias.length, d, scale: 1 / Math.sqrt(d) }, run.values);
  return { outputs: t.outputs, logMass: Float64Array.from(t.rowMax, (m, i) => m + Math.log(t.mass[i])) };
}

/** The rows of the query heads of one KV head's group, from per-layer queries [heads, S, d]. */
export function groupQueries(queries: Float32Array, heads: number, kvHeads: number, kvHead: number, S: number, d: number): Float32Array {
  const G = heads / kvHeads;
  return queries.slice(kvHead * G * S * d, (kvHead + 1) * G * S * d);
}

/**
 * Scores the document span of `compacted` against the same span of `full` for held-out queries (the post-RoPE
 * queries of a continuation, [heads, S, d] per layer).
 */
export async function heldOutHeadErrors(
  full: KvCache,
  compacted: KvCache,
  span: DocumentSpan,
  queries: readonly Float32Array[],
  heads: number,
  S: number,
  ops: AttentionOps,
): Promise<HeadErrors> {
  const { numLayers: L, numKvHeads: KV, headDim: d } = full.shape;
  const perHead: HeadErrors['perHead'] = [];
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < KV; h++) {
      const q = groupQueries(queries[l], heads, KV, h, S, d);
      const n = q.length / d;
      const a = spanSlots(full, l, h, span);
      const b = spanSlots(compacted, l, h, span);
      const ref = await localAttention(q, n, full.layers[l].readRun(h, a.from, a.to), d, ops);
      const got = await localAttention(q, n, compacted.layers[l].readRun(h, b.from, b.to), d, ops);
      let num = 0;
      let den = 0;
      for (let i = 0; i < n * d; i++) {
        num += (got.outputs[i] - ref.outputs[i]) ** 2;
        den += ref.outputs[i] ** 2;
      }
      let mass = 0;
      for (let i = 0; i < n; i++) mass += Math.abs(got.logMass[i] - ref.logMass[i]);
      perHead.push({ outputErr: Math.sqrt(num / Math.max(den, 1e-30)), logMassErr: mass / n });
    }
  }
  const mean = (f: (e: HeadErrors['perHead'][number]) => number) => perHead.reduce((s, e) => s + f(e), 0) / perHead.length;
  return { outputErr: mean((e) => e.outputErr), logMassErr: mean((e) => e.logMassErr), perHead };
}
