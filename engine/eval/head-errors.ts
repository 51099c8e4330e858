import type { KvCache, SlotRun } from '../cache/kv-cache.js';
import { spanSlots } from '../compaction/cache/blocks.js';
import type { DocumentSpan } from '../compaction/cache/span.js';
import { matmulABt, transpose } from '../compaction/linalg.js';
import { forEachAttentionChunk } from '../compaction/scores.js';

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

function localAttention(queries: Float32Array, n: number, run: SlotRun, d: number): LocalAttention {
  const T = run.bias.length;
  const outputs = new Float32Array(n * d);
  const logMass = new Float64Array(n);
  const valuesT = transpose(run.values, T, d);
  forEachAttentionChunk({ queries, n, keys: run.keys, bias: run.bias, T, d, scale: 1 / Math.sqrt(d) }, (c) => {
    const y = outputs.subarray(c.start * d, (c.start + c.rows) * d);
    matmulABt(c.E, c.rows, valuesT, d, T, y);
    for (let r = 0; r < c.rows; r++) {
      for (let k = 0; k < d; k++) y[r * d + k] /= c.mass[r];
      logMass[c.start + r] = c.rowMax[r] + Math.log(c.mass[r]);
    }
  });
  return { outputs, logMass };
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
export function heldOutHeadErrors(full: KvCache, compacted: KvCache, span: DocumentSpan, queries: readonly Float32Array[], heads: number, S: number): HeadErrors {
  const { numLayers: L, numKvHeads: KV, headDim: d } = full.shape;
  const perHead: HeadErrors['perHead'] = [];
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < KV; h++) {
      const q = groupQueries(queries[l], heads, KV, h, S, d);
      const n = q.length / d;
      const a = spanSlots(full, l, h, span);
      const b = spanSlots(compacted, l, h, span);
      const ref = localAttention(q, n, full.layers[l].readRun(h, a.from, a.to), d);
      const got = localAttention(q, n, compacted.layers[l].readRun(h, b.from, b.to), d);
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
