import { createHash } from 'node:crypto';
import { encodeCompactedDocument, type CompactedDocumentInfo } from '../../engine/cache/compacted-file.js';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { f32ToF16 } from '../../engine/model/dtype.js';
import { mulberry32 } from '../../engine/util/random.js';

export const LRKV_SHAPE = { numLayers: 2, numKvHeads: 2, headDim: 4 };
export const LRKV_INFO: CompactedDocumentInfo = {
  modelFingerprint: 'a'.repeat(64),
  tokenizerFingerprint: 'b'.repeat(64),
  documentFingerprint: 'c'.repeat(64),
  prefixIds: [1],
  suffixIds: [4],
  compaction: { method: 'am', ratio: 0.5 },
};

/** A small valid LRKV file: 2 layers × 2 heads × 4 dims, 6 tokens, some heads compacted to fewer slots. */
export function sampleLrkv(): Buffer {
  const cache = new KvCache(LRKV_SHAPE, 4);
  const r = mulberry32(5);
  const { numKvHeads: KV, headDim: d } = LRKV_SHAPE;
  const S = 6;
  for (const layer of cache.layers) {
    const rows = () => f32ToF16(Float32Array.from({ length: KV * S * d }, () => r() - 0.5));
    layer.append(rows(), rows(), S, 0, 4);
    layer.truncate(1, 4);
  }
  cache.logicalLength = S;
  return encodeCompactedDocument(cache, LRKV_INFO);
}

export interface LrkvParts {
  version: number;
  header: unknown;
  payload: Buffer;
}

export function splitLrkv(file: Buffer): LrkvParts {
  const headerLength = file.readUInt32LE(8);
  return {
    version: file.readUInt32LE(4),
    header: JSON.parse(file.toString('utf8', 12, 12 + headerLength)),
    payload: file.subarray(12 + headerLength, file.length - 32),
  };
}

/** Reassembles a file from (edited) parts with a freshly computed checksum, as a hostile editor would. */
export function joinLrkv({ version, header, payload }: LrkvParts, rawHeader?: Buffer): Buffer {
  const headerBytes = rawHeader ?? Buffer.from(JSON.stringify(header), 'utf8');
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return b;
  };
  const body = Buffer.concat([Buffer.from('LRKV', 'ascii'), u32(version), u32(headerBytes.length), headerBytes, payload]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}
