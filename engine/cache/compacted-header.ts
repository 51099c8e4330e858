import { z } from 'zod';
import { CONFIG_LIMITS } from '../model/config-limits.js';
import type { CacheShape } from './kv-cache.js';

/** What a saved compacted document must be loaded with, and what it restores. */
export interface CompactedDocumentInfo {
  /** Config + weights fingerprint of the model (LoadedModel.fingerprint). */
  modelFingerprint: string;
  tokenizerFingerprint: string;
  documentFingerprint: string;
  /** The chat-template tokens before and after the document (kept verbatim in the cache). */
  prefixIds: number[];
  suffixIds: number[];
  /** Free-form description of how it was compacted (method, ratio, ...). */
  compaction?: Record<string, string | number>;
}

/** The JSON header of an LRKV file (see compacted-file.ts). */
export interface CompactedFileHeader extends CompactedDocumentInfo {
  shape: CacheShape;
  logicalLength: number;
  /** Slots per KV head, [layer][head]. */
  used: number[][];
}

/**
 * Bytes per occupied slot in a file of format `version`: key and value (headDim values each: float32 in version 1,
 * fp16 from version 2), bias (float32) and source (int32).
 */
export function bytesPerSlot(headDim: number, version: number): number {
  const kvElementBytes = version === 1 ? 4 : 2;
  return 2 * headDim * kvElementBytes + 4 + 4;
}

const MAX_IDS = 1 << 20;
const fingerprint = z.string().max(256);
const count = (max: number) => z.number().int().min(0).max(max);
const tokenIds = z.array(count(CONFIG_LIMITS.vocabSize)).max(MAX_IDS);

const headerSchema = z.object({
  modelFingerprint: fingerprint.min(1),
  tokenizerFingerprint: fingerprint,
  documentFingerprint: fingerprint,
  prefixIds: tokenIds,
  suffixIds: tokenIds,
  compaction: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  shape: z.object({
    numLayers: count(CONFIG_LIMITS.layers).min(1),
    numKvHeads: count(CONFIG_LIMITS.heads).min(1),
    headDim: count(CONFIG_LIMITS.headDim).min(1),
  }),
  logicalLength: count(CONFIG_LIMITS.positions),
  used: z.array(z.array(count(CONFIG_LIMITS.positions)).max(CONFIG_LIMITS.heads)).max(CONFIG_LIMITS.layers),
});

/**
 * Checks a parsed header of a file of format `version`: types and bounds, a `used` table of the header's own shape with no head holding more slots
 * than the document has tokens, and a payload of exactly the size the header implies, all before anything is
 * allocated. Returns the header, or a description of the first problem.
 */
export function checkCompactedHeader(json: unknown, payloadBytes: number, version: number): CompactedFileHeader | string {
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `header field ${issue.path.join('.') || '(root)'}: ${issue.message}`;
  }
  const header = parsed.data;
  const { numLayers, numKvHeads, headDim } = header.shape;
  if (header.used.length !== numLayers || header.used.some((heads) => heads.length !== numKvHeads)) {
    return `its slot table does not have ${numLayers} layers of ${numKvHeads} heads`;
  }
  let slots = 0;
  for (const heads of header.used) {
    for (const n of heads) {
      if (n > header.logicalLength) return `a head holds ${n} slots, more than the document's ${header.logicalLength} tokens`;
      slots += n;
    }
  }
  const expectedBytes = slots * bytesPerSlot(headDim, version);
  if (expectedBytes !== payloadBytes) return `the header implies a ${expectedBytes}-byte payload, the file holds ${payloadBytes} bytes`;
  return header;
}

export function sameShape(a: CacheShape, b: CacheShape): boolean {
  return a.numLayers === b.numLayers && a.numKvHeads === b.numKvHeads && a.headDim === b.headDim;
}

export function describeShape(s: CacheShape): string {
  return `${s.numLayers} layers × ${s.numKvHeads} KV heads × ${s.headDim} dims`;
}
