import type { DocumentInfo } from '../../common/contract.js';

/**
 * The KV memory a document takes compacted to `ratio`. The engine estimates one ratio; others scale from the full
 * size, since compaction keeps that share of every layer's slots.
 */
export function kvBytesAt(estimate: DocumentInfo['estimate'], ratio: number): number {
  if (Math.abs(ratio - estimate.ratio) < 1e-9) return estimate.kvBytesAtRatio;
  return Math.round(estimate.kvBytesFull * ratio);
}
