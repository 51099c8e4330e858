import type { KvCache, SlotRun } from '../../cache/kv-cache.js';
import { LongreadError } from '../../errors.js';
import type { AttentionOps } from '../attention-ops.js';
import type { CompactedHead, CompactionMethod, HeadBlock } from '../types.js';
import { allocateBudgets, paddingWaste, type BudgetSpec, type PaddingReport } from './budgets.js';
import { chunkBlocks, spanSlots, type ChunkBlock, type ReferenceQueries } from './blocks.js';
import { DEFAULT_CHUNK_SIZE, spanChunks, validateSpan, type DocumentSpan, type SpanChunk } from './span.js';

export interface CompactionScope {
  span: DocumentSpan;
  queries: ReferenceQueries;
  budget?: BudgetSpec;
  chunkSize?: number;
}

export interface CacheCompactionOptions extends CompactionScope {
  /** Fraction of the document's slots kept per KV head on average. */
  ratio: number;
  method: CompactionMethod;
  /** Where the heavy products run. */
  ops: AttentionOps;
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

export interface BlockKey {
  layer: number;
  head: number;
  chunk: number;
}

/** Compacts one block to a budget (a plain method call, or one that reuses prepared work). */
export type BlockCompactor = (block: HeadBlock, budget: number, key: BlockKey) => Promise<CompactedHead>;

/** The document of one (layer, KV head): its slot range and its chunk blocks. */
export interface HeadDocument {
  layer: number;
  head: number;
  from: number;
  to: number;
  blocks: ChunkBlock[];
}

/** Everything about the document's blocks that does not depend on the method or the ratio. */
export interface DocumentBlocks {
  span: DocumentSpan;
  chunks: SpanChunk[];
  heads: HeadDocument[];
}

/** Cuts the document span of every (layer, KV head) of the cache into chunk blocks with their reference queries. */
export function documentBlocks(cache: KvCache, scope: CompactionScope): DocumentBlocks {
  const { span } = scope;
  validateSpan(span);
  if (span.end > cache.logicalLength) {
    throw new LongreadError('BAD_ARGUMENT', `the document span ends at ${span.end}, beyond the ${cache.logicalLength} positions in the cache`);
  }
  const { numLayers: L, numKvHeads: KV, headDim: d } = cache.shape;
  const chunks = spanChunks(span, scope.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const heads: HeadDocument[] = [];
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < KV; h++) {
      const { from, to } = spanSlots(cache, l, h, span);
      const run = cache.layers[l].readRun(h, from, to);
      heads.push({ layer: l, head: h, from, to, blocks: chunkBlocks(run, chunks, l, h, d, scope.queries) });
    }
  }
  return { span, chunks, heads };
}

/** Budgets per chunk for a ratio, [chunk][layer * kvHeads + head]. */
export function chunkBudgets(doc: DocumentBlocks, cache: KvCache, ratio: number, budget: BudgetSpec = { kind: 'uniform' }): Int32Array[] {
  const { numLayers: L, numKvHeads: KV } = cache.shape;
  return doc.chunks.map((c) => allocateBudgets(budget, ratio, c.end - c.start, L, KV));
}

/**
 * Replaces the document slots of every head of `cache` (which must hold the slots `doc` was cut from) with the
 * compacted blocks, chunk after chunk, then shrinks each layer to its fullest head.
 */
export async function writeCompacted(cache: KvCache, doc: DocumentBlocks, budgets: Int32Array[], compactBlock: BlockCompactor): Promise<CacheCompactionResult> {
  const t0 = performance.now();
  const { numKvHeads: KV, headDim: d } = cache.shape;
  let slotsBefore = 0;
  let slotsAfter = 0;
  for (const hd of doc.heads) {
    const parts: SlotRun[] = [];
    for (const cb of hd.blocks) {
      const budget = Math.min(cb.block.T, budgets[cb.chunk.index][hd.layer * KV + hd.head]);
      const c = await compactBlock(cb.block, budget, { layer: hd.layer, head: hd.head, chunk: cb.chunk.index });
      parts.push({ keys: c.keys, values: c.values, bias: c.bias, sources: Int32Array.from(c.indices, (j) => cb.sources[j]) });
    }
    const merged = concatRuns(parts, d);
    cache.layers[hd.layer].replaceRun(hd.head, hd.from, hd.to, merged);
    slotsBefore += hd.to - hd.from;
    slotsAfter += merged.bias.length;
  }
  for (const layer of cache.layers) layer.shrinkToFit();
  return { slotsBefore, slotsAfter, budgets, padding: paddingWaste(cache), ms: performance.now() - t0 };
}

/**
 * Compacts the document span [start, end) of every (layer, KV head) in place, chunk by chunk, each chunk with its
 * own reference queries and budget. Slots before and after the span (template prefix, suffix, later turns) are
 * kept verbatim; `logicalLength` is unchanged, so the next token continues at the original position.
 */
export async function compactCache(cache: KvCache, options: CacheCompactionOptions): Promise<CacheCompactionResult> {
  const t0 = performance.now();
  const { method, ops, seed } = options;
  const doc = documentBlocks(cache, options);
  const result = await writeCompacted(cache, doc, chunkBudgets(doc, cache, options.ratio, options.budget), (block, budget) =>
    method.compact(block, budget, { ops, seed }),
  );
  return { ...result, ms: performance.now() - t0 };
}

/** The runs one after another (keys, values, bias and sources). */
export function concatRuns(runs: readonly SlotRun[], d: number): SlotRun {
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
