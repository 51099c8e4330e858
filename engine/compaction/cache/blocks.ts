import type { KvCache, SlotRun } from '../../cache/kv-cache.js';
import { LongreadError } from '../../errors.js';
import type { HeadBlock } from '../types.js';
import { concatQuerySets, type QuerySet } from './query-collector.js';
import type { DocumentSpan, SpanChunk } from './span.js';

/** Reference queries per (layer, KV head, chunk), e.g. a QueryCollector. */
export interface QueryProvider {
  get(layer: number, kvHead: number, chunk: number): QuerySet;
}

/** The last queries of each chunk, e.g. a QueryCollector built with `window`. */
export interface WindowSource {
  windowQueries(layer: number, kvHead: number, chunk: number): QuerySet;
}

/** Where the reference queries of every block come from. */
export interface ReferenceQueries {
  /** Pooled into each block's queries (e.g. [context], [repeat] or both). */
  sets: readonly QueryProvider[];
  /** The document's own queries, for snapkv's observation window. */
  window?: WindowSource;
}

/** First slot of a head whose source is ≥ position (sources ascend within a head). */
export function slotAtPosition(sources: Int32Array, start: number, end: number, position: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sources[mid] < position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The slot range [from, to) of one head that holds the positions [span.start, span.end). */
export function spanSlots(cache: KvCache, layer: number, head: number, span: DocumentSpan): { from: number; to: number } {
  const l = cache.layers[layer];
  const base = head * l.capacity;
  const used = l.used[head];
  const from = slotAtPosition(l.sources, base, base + used, span.start) - base;
  const to = slotAtPosition(l.sources, base, base + used, span.end) - base;
  return { from, to };
}

/** One (layer, KV head, chunk) block of the document, with the slot range it came from. */
export interface ChunkBlock {
  chunk: SpanChunk;
  /** Slots [from, to) of the head's document run. */
  from: number;
  to: number;
  sources: Int32Array;
  block: HeadBlock;
}

/**
 * Cuts one head's document run into chunk blocks with their reference queries. Causal query positions (document
 * positions) become block-relative slot indices, so h2o's mask is right even on a cache compacted before.
 */
export function chunkBlocks(
  run: SlotRun,
  chunks: readonly SpanChunk[],
  layer: number,
  head: number,
  d: number,
  queries: ReferenceQueries,
): ChunkBlock[] {
  const out: ChunkBlock[] = [];
  const T = run.bias.length;
  for (const chunk of chunks) {
    const from = slotAtPosition(run.sources, 0, T, chunk.start);
    const to = slotAtPosition(run.sources, 0, T, chunk.end);
    if (to === from) continue;
    const sources = run.sources.slice(from, to);
    const set = concatQuerySets(queries.sets.map((c) => c.get(layer, head, chunk.index)), d);
    const queryPositions = Int32Array.from(set.positions, (p) => (p < 0 ? -1 : slotAtPosition(sources, 0, sources.length, p + 1) - 1));
    const block: HeadBlock = {
      T: to - from,
      d,
      keys: run.keys.slice(from * d, to * d),
      values: run.values.slice(from * d, to * d),
      bias: run.bias.slice(from, to),
      queries: set.data,
      n: set.n,
      scale: 1 / Math.sqrt(d),
      queryPositions,
      endsSpan: chunk === chunks[chunks.length - 1],
    };
    if (queries.window) {
      const w = queries.window.windowQueries(layer, head, chunk.index);
      block.windowQueries = w.data;
      block.windowN = w.n;
    }
    out.push({ chunk, from, to, sources, block });
  }
  if (out.reduce((a, b) => a + b.block.T, 0) !== T) {
    throw new LongreadError('BAD_ARGUMENT', `layer ${layer} head ${head}: the document's slots do not all fall into its chunks`);
  }
  return out;
}
