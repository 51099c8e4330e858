import type { KvCache, SlotRun } from '../../cache/kv-cache.js';
import { LongreadError } from '../../errors.js';
import type { CompactedHead, CompactionMethod, HeadBlock } from '../types.js';
import { allocateBudgets, paddingWaste, type BudgetSpec, type PaddingReport } from './budgets.js';
import { chunkBlocks, spanSlots, type ReferenceQueries } from './blocks.js';
import { DEFAULT_CHUNK_SIZE, spanChunks, validateSpan, type DocumentSpan } from './span.js';

export interface CacheCompactionOptions {
  span: DocumentSpan;
  /** Fraction of the document's slots kept per KV head on average. */
  ratio: number;
  method: CompactionMethod;
  queries: ReferenceQueries;
  budget?: BudgetSpec;
  chunkSize?: number;
  seed?: number;
}

export interface CacheCompactionResult {
  /** Document slots summed over every (layer, KV head), before and after. */
  slotsBefore: number;
  slotsAfter: number;
  /** Budget of each (layer, KV head) per chunk, [chunk][layer * kvHeads + head]. */
  budgets: Int32Array[];
  padding: PaddingReport;
  ms: number;
}

/** Compacts one block: a hook for callers that reuse work between compactions (see recompaction). */
export type BlockCompactor = (block: HeadBlock, budget: number, key: BlockKey) => CompactedHead;

export interface BlockKey {
  layer: number;
  head: number;
  chunk: number;
}

/**
 * Compacts the document span [start, end) of every (layer, KV head) in place, chunk by chunk, each chunk with its
 * own reference queries and budget. Slots before and after the span (template prefix, suffix, later turns) are
 * kept verbatim; `logicalLength` is unchanged, so the next token continues at the original position.
 */
export function compactCache(cache: KvCache, options: CacheCompactionOptions): CacheCompactionResult {
  const { method, seed } = options;
  return compactCacheWith(cache, options, (block, budget) => method.compact(block, budget, { seed }));
}

export function compactCacheWith(cache: KvCache, options: CacheCompactionOptions, compactBlock: BlockCompactor): CacheCompactionResult {
  const t0 = performance.now();
  const { span, ratio } = options;
  validateSpan(span);
  if (span.end > cache.logicalLength) {
    throw new LongreadError('BAD_ARGUMENT', `the document span ends at ${span.end}, beyond the ${cache.logicalLength} positions in the cache`);
  }
  const { numLayers: L, numKvHeads: KV, headDim: d } = cache.shape;
  const chunks = spanChunks(span, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const budgets = chunks.map((c) => allocateBudgets(options.budget ?? { kind: 'uniform' }, ratio, c.end - c.start, L, KV));
  let slotsBefore = 0;
  let slotsAfter = 0;
  for (let l = 0; l < L; l++) {
    const layer = cache.layers[l];
    for (let h = 0; h < KV; h++) {
      const { from, to } = spanSlots(cache, l, h, span);
      const run = layer.readRun(h, from, to);
      const parts: SlotRun[] = [];
      for (const cb of chunkBlocks(run, chunks, l, h, d, options.queries)) {
        const budget = Math.min(cb.block.T, budgets[cb.chunk.index][l * KV + h]);
        const c = compactBlock(cb.block, budget, { layer: l, head: h, chunk: cb.chunk.index });
        parts.push({ keys: c.keys, values: c.values, bias: c.bias, sources: Int32Array.from(c.indices, (j) => cb.sources[j]) });
      }
      const merged = concatRuns(parts, d);
      layer.replaceRun(h, from, to, merged);
      slotsBefore += to - from;
      slotsAfter += merged.bias.length;
    }
    layer.shrinkToFit();
  }
  return { slotsBefore, slotsAfter, budgets, padding: paddingWaste(cache), ms: performance.now() - t0 };
}

function concatRuns(runs: readonly SlotRun[], d: number): SlotRun {
  const n = runs.reduce((a, r) => a + r.bias.length, 0);
  const out: SlotRun = { keys: new Float32Array(n * d), values: new Float32Array(n * d), bias: new Float32Array(n), sources: new Int32Array(n) };
  let at = 0;
  for (const r of runs) {
    out.keys.set(r.keys, at * d);
    out.values.set(r.values, at * d);
    out.bias.set(r.bias, at);
    out.sources.set(r.sources, at);
    at += r.bias.length;
  }
  return out;
}
