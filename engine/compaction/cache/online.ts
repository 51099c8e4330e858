import type { KvCache } from '../../cache/kv-cache.js';
import { LongreadError } from '../../errors.js';
import type { AttentionOps } from '../attention-ops.js';
import type { CompactionMethod } from '../types.js';
import { compactCache, type CacheCompactionResult } from './compact-cache.js';
import type { QueryProvider } from './blocks.js';
import { QueryCollector, type QueryShape } from './query-collector.js';

/** Tokens at the end of the cache that online compaction never touches. */
export const PROTECTED_RECENT = 20;

/**
 * A reservoir of the chat's recent queries for online compaction: one chunk covering every position, not causal
 * (they stand in for future queries). Offer each step's queries with `add(queries, S, position)`.
 */
export function chatQueryCollector(shape: QueryShape, maxPositions: number, cap = 2048, seed = 0): QueryCollector {
  return new QueryCollector(shape, { span: { start: 0, end: maxPositions }, chunkSize: maxPositions, cap, causal: false, seed });
}

export interface OnlineCompactionOptions {
  /** First position that may be compacted (after the template prefix / attention sink). */
  start: number;
  /** Slots per KV head the compacted region keeps. */
  keepSlots: number;
  method: CompactionMethod;
  ops: AttentionOps;
  queries: QueryCollector;
  protectRecent?: number;
}

/** Whether the fullest head of any layer holds more than `maxSlots` slots. */
export function cacheExceeds(cache: KvCache, maxSlots: number): boolean {
  return cache.layers.some((l) => Math.max(...l.used) > maxSlots);
}

/**
 * Compacts the oldest part of a chat, positions [start, logicalLength − protectRecent), to `keepSlots` per KV head.
 * Slots compacted earlier take part with their β (the methods include existing bias in their targets), so a cache
 * can be compacted again and again as the chat grows.
 */
export function compactOnline(cache: KvCache, opts: OnlineCompactionOptions): Promise<CacheCompactionResult> {
  const end = cache.logicalLength - (opts.protectRecent ?? PROTECTED_RECENT);
  if (end - opts.start < 2) throw new LongreadError('BAD_ARGUMENT', `nothing old enough to compact: positions [${opts.start}, ${end})`);
  const span = { start: opts.start, end };
  const positions = end - opts.start;
  // Budgets are relative to positions; keepSlots per head is what we want, whatever the slots held now.
  return compactCache(cache, {
    span,
    ratio: Math.min(1, opts.keepSlots / positions),
    method: opts.method,
    ops: opts.ops,
    queries: { sets: [firstChunk(opts.queries)] },
    chunkSize: positions,
  });
}

/** Serves the chat collector's single chunk as chunk 0 of any span. */
function firstChunk(inner: QueryCollector): QueryProvider {
  return { get: (layer, kvHead) => inner.get(layer, kvHead, 0) };
}
