import type { ChunkBlock } from '../compaction/cache/blocks.js';
import type { AttentionOps } from '../compaction/attention-ops.js';
import type { StoredBlock } from './block-store.js';

/** Every HELD_OUT_EVERY-th reference query is kept out of the fits to estimate fidelity. */
export const HELD_OUT_EVERY = 8;

/**
 * Splits a block's reference queries into fitted and held-out ones and computes, with `ops`,
 * everything a later compaction needs that does not depend on the ratio: the fitted queries' targets and key scores,
 * and the held-out queries' true outputs.
 */
export async function prepareBlock(cb: ChunkBlock, layer: number, head: number, chunk: number, ops: AttentionOps): Promise<StoredBlock> {
  const b = cb.block;
  const { d, T } = b;
  const fitRows: number[] = [];
  const heldRows: number[] = [];
  for (let i = 0; i < b.n; i++) (i % HELD_OUT_EVERY === HELD_OUT_EVERY - 1 ? heldRows : fitRows).push(i);
  const rows = (src: Float32Array, list: number[]) => {
    const out = new Float32Array(list.length * d);
    list.forEach((r, i) => out.set(src.subarray(r * d, (r + 1) * d), i * d));
    return out;
  };
  const queries = rows(b.queries, fitRows);
  const heldQueries = rows(b.queries, heldRows);
  const n = fitRows.length;
  const scale = b.scale;
  const targetsOf = (q: Float32Array, rows: number) => ops.targets({ queries: q, n: rows, keys: b.keys, bias: b.bias, T, d, scale }, b.values);
  const fit = n > 0 ? await targetsOf(queries, n) : null;
  const held = heldRows.length > 0 ? await targetsOf(heldQueries, heldRows.length) : null;
  return {
    chunk,
    layer,
    head,
    T,
    d,
    keys: b.keys,
    values: b.values,
    bias: b.bias,
    sources: cb.sources,
    queries,
    n,
    queryPositions: Int32Array.from(fitRows, (r) => b.queryPositions?.[r] ?? -1),
    windowQueries: b.windowQueries ?? new Float32Array(0),
    windowN: b.windowN ?? 0,
    rowMax: fit ? Float32Array.from(fit.rowMax) : new Float32Array(0),
    mass: fit ? Float32Array.from(fit.mass) : new Float32Array(0),
    outputs: fit?.outputs ?? new Float32Array(0),
    keyRms: fit ? Float32Array.from(fit.keyRms) : new Float32Array(T),
    columnSums: fit ? Float32Array.from(fit.columnSums) : new Float32Array(T),
    heldQueries,
    heldN: heldRows.length,
    heldOutputs: held?.outputs ?? new Float32Array(0),
  };
}
