import type { SlotRun } from '../cache/kv-cache.js';
import { allocateBudgets, type BudgetSpec } from '../compaction/cache/budgets.js';
import type { AttentionOps, BlockTargets } from '../compaction/attention-ops.js';
import { keepAll } from '../compaction/select.js';
import { isPreparable, type CompactedHead, type CompactionMethod, type HeadBlock } from '../compaction/types.js';
import type { BlockStore, StoredBlock } from './block-store.js';

/** Sums over held-out queries of how far the compacted blocks' attention outputs are from the full ones. */
export interface FidelityTally {
  /** Σ‖o_c − o‖² and Σ‖o‖² over held-out queries. */
  errorSq: number;
  normSq: number;
  /** Σ cos(o_c, o) and the number of queries. */
  cosine: number;
  queries: number;
}

export const emptyTally = (): FidelityTally => ({ errorSq: 0, normSq: 0, cosine: 0, queries: 0 });

export function addTally(a: FidelityTally, b: FidelityTally): FidelityTally {
  return { errorSq: a.errorSq + b.errorSq, normSq: a.normSq + b.normSq, cosine: a.cosine + b.cosine, queries: a.queries + b.queries };
}

/** Relative output error (0 = identical) and mean cosine agreement. */
export function fidelityOf(t: FidelityTally): { outputError: number; agreement: number } {
  return { outputError: t.normSq > 0 ? Math.sqrt(t.errorSq / t.normSq) : 0, agreement: t.queries > 0 ? t.cosine / t.queries : 1 };
}

export interface ChunkCompaction {
  /** The compacted runs of every (layer, KV head), [layer][head]; sources are document positions. */
  runs: SlotRun[][];
  fidelity: FidelityTally;
}

export interface StoredCompactionOptions {
  method: CompactionMethod;
  ratio: number;
  /** Where the heavy products run. */
  ops: AttentionOps;
  budget?: BudgetSpec;
  seed?: number;
  /** Only these blocks (for a sampled estimate); default all. */
  sample?: (layer: number, head: number) => boolean;
}

function headBlockOf(b: StoredBlock, endsSpan: boolean): HeadBlock {
  return {
    T: b.T,
    d: b.d,
    keys: b.keys,
    values: b.values,
    bias: b.bias,
    queries: b.queries,
    n: b.n,
    scale: 1 / Math.sqrt(b.d),
    queryPositions: b.queryPositions,
    windowQueries: b.windowQueries,
    windowN: b.windowN,
    endsSpan,
  };
}

/** The targets stored at reading, as the fits take them. */
function storedTargets(b: StoredBlock): BlockTargets {
  return {
    rowMax: Float64Array.from(b.rowMax),
    mass: Float64Array.from(b.mass),
    outputs: b.outputs,
    keyRms: Float64Array.from(b.keyRms),
    columnSums: Float64Array.from(b.columnSums),
  };
}

/** A preparable method starts from the targets stored at reading (its state for this budget); others compact the block. */
async function compactBlock(b: StoredBlock, endsSpan: boolean, budget: number, opts: StoredCompactionOptions): Promise<CompactedHead> {
  const block = headBlockOf(b, endsSpan);
  if (budget >= b.T) return keepAll(block);
  const { method, ops, seed } = opts;
  if (isPreparable(method) && b.n > 0) {
    const state = await method.prepare(block, budget, ops, storedTargets(b));
    return method.compactPrepared(block, state, budget, { ops, seed });
  }
  return method.compact(block, budget, { ops, seed });
}

async function heldOutTally(b: StoredBlock, c: CompactedHead, ops: AttentionOps): Promise<FidelityTally> {
  const tally = emptyTally();
  if (b.heldN === 0) return tally;
  const t = c.bias.length;
  const d = b.d;
  let outputs: Float32Array;
  if (t === b.T && c.keys.length === b.keys.length) outputs = b.heldOutputs;
  else outputs = (await ops.targets({ queries: b.heldQueries, n: b.heldN, keys: c.keys, bias: c.bias, T: t, d, scale: 1 / Math.sqrt(d) }, c.values)).outputs;
  for (let i = 0; i < b.heldN; i++) {
    let err = 0;
    let norm = 0;
    let dot = 0;
    let normC = 0;
    for (let k = 0; k < d; k++) {
      const o = b.heldOutputs[i * d + k];
      const oc = outputs[i * d + k];
      err += (oc - o) ** 2;
      norm += o * o;
      dot += o * oc;
      normC += oc * oc;
    }
    tally.errorSq += err;
    tally.normSq += norm;
    tally.cosine += norm > 0 && normC > 0 ? dot / Math.sqrt(norm * normC) : 1;
    tally.queries++;
  }
  return tally;
}

/** Compacts one chunk of the document from its stored blocks to `ratio`, with the held-out fidelity tally. */
export async function compactStoredChunk(store: BlockStore, chunk: number, opts: StoredCompactionOptions): Promise<ChunkCompaction> {
  const { numLayers: L, numKvHeads: KV } = store.shape;
  const { start, end } = store.index.chunks[chunk];
  const budgets = allocateBudgets(opts.budget ?? { kind: 'uniform' }, opts.ratio, end - start, L, KV);
  const runs: SlotRun[][] = Array.from({ length: L }, () => new Array<SlotRun>(KV));
  let fidelity = emptyTally();
  await store.forEachBlockAsync(chunk, async (b) => {
    if (opts.sample && !opts.sample(b.layer, b.head)) return;
    const c = await compactBlock(b, chunk === store.chunkCount - 1, Math.min(b.T, budgets[b.layer * KV + b.head]), opts);
    runs[b.layer][b.head] = { keys: c.keys, values: c.values, bias: c.bias, sources: Int32Array.from(c.indices, (j) => b.sources[j]) };
    fidelity = addTally(fidelity, await heldOutTally(b, c, opts.ops));
  });
  return { runs, fidelity };
}
