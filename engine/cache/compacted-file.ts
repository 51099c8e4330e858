import { constants as bufferConstants } from 'node:buffer';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { LongreadError } from '../errors.js';
import { f16BitsToF32, f32ToF16 } from '../model/dtype.js';
import { MODEL_FILE_LIMITS, readRegularFile } from '../model/regular-file.js';
import { checkCompactedHeader, type CompactedDocumentInfo, type CompactedFileHeader, describeShape, sameShape } from './compacted-header.js';

export type { CompactedDocumentInfo } from './compacted-header.js';
import { type CacheShape, KvCache } from './kv-cache.js';

/*
 * A compacted document on disk:
 *   "LRKV" | u32 version | u32 header length | header JSON (utf-8) | payload | sha256 of everything before it.
 * The payload holds, per layer and KV head, only the occupied slots: keys, values (used×headDim each: fp16 from
 * version 2, float32 in version 1), bias (float32) and sources (int32), little-endian. Version 1 files still load
 * (their K/V rounded to fp16, as the cache holds them).
 */

const MAGIC = 'LRKV';
export const COMPACTED_FILE_VERSION = 2;
const READABLE_VERSIONS = [1, COMPACTED_FILE_VERSION];
const DIGEST_BYTES = 32;


export function sha256Hex(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Fingerprint of a document as the model reads it (its token ids). */
export function documentFingerprint(ids: readonly number[]): string {
  return sha256Hex('longread-document-v1\0', Buffer.from(Int32Array.from(ids).buffer));
}

export function encodeCompactedDocument(cache: KvCache, info: CompactedDocumentInfo): Buffer {
  const { numLayers, numKvHeads, headDim: d } = cache.shape;
  const header: CompactedFileHeader = {
    ...info,
    shape: { numLayers, numKvHeads, headDim: d },
    logicalLength: cache.logicalLength,
    used: cache.layers.map((l) => Array.from(l.used)),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const parts: Buffer[] = [Buffer.from(MAGIC, 'ascii'), u32(COMPACTED_FILE_VERSION), u32(headerBytes.length), headerBytes];
  for (const layer of cache.layers) {
    for (let h = 0; h < numKvHeads; h++) {
      const run = layer.readStoredRun(h, 0, layer.used[h]);
      for (const arr of [run.keys, run.values, run.bias, run.sources]) parts.push(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
    }
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

export interface ExpectedIdentity {
  modelFingerprint: string;
  tokenizerFingerprint?: string;
  /** The loaded model's cache shape; a file of another shape is refused. Pass it whenever a model is loaded. */
  shape?: CacheShape;
}

function corrupt(why: string): never {
  throw new LongreadError('CACHE_FILE', `This compacted document file is damaged (${why}); compact the document again.`);
}

/**
 * Restores a chat-ready cache; refuses a damaged file or one made with another model or tokenizer. After the checksum,
 * the header is checked field by field and against the payload size before anything is allocated (a file's checksum
 * can be recomputed after editing it), and the payload must hold only finite numbers.
 */
export function decodeCompactedDocument(data: Uint8Array, expected: ExpectedIdentity): { cache: KvCache; info: CompactedDocumentInfo } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 12 + DIGEST_BYTES || buf.toString('ascii', 0, 4) !== MAGIC) {
    throw new LongreadError('CACHE_FILE', 'This is not a Longread compacted document file.');
  }
  const body = buf.subarray(0, buf.length - DIGEST_BYTES);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(buf.length - DIGEST_BYTES))) corrupt('checksum mismatch');
  const version = buf.readUInt32LE(4);
  if (!READABLE_VERSIONS.includes(version)) {
    throw new LongreadError('CACHE_FILE', `This compacted document file has format version ${version}; this Longread reads versions ${READABLE_VERSIONS.join(' and ')}.`);
  }
  const headerLength = buf.readUInt32LE(8);
  if (12 + headerLength > body.length) corrupt('header longer than the file');
  let json: unknown;
  try {
    json = JSON.parse(buf.toString('utf8', 12, 12 + headerLength));
  } catch {
    corrupt('unreadable header');
  }
  const header = checkCompactedHeader(json, body.length - 12 - headerLength, version);
  if (typeof header === 'string') corrupt(header);
  if (header.modelFingerprint !== expected.modelFingerprint) {
    throw new LongreadError(
      'CACHE_FILE',
      `This compacted document was made with a different model (fingerprint ${header.modelFingerprint.slice(0, 12)}…, ` +
        `the loaded model is ${expected.modelFingerprint.slice(0, 12)}…); open it with that model or compact the document again.`,
    );
  }
  if (expected.tokenizerFingerprint !== undefined && header.tokenizerFingerprint !== expected.tokenizerFingerprint) {
    throw new LongreadError('CACHE_FILE', 'This compacted document was made with a different tokenizer; compact the document again.');
  }
  if (expected.shape && !sameShape(header.shape, expected.shape)) {
    corrupt(`it holds a cache of ${describeShape(header.shape)}, the loaded model has ${describeShape(expected.shape)}`);
  }
  const cache = restoreCache(header, body.subarray(12 + headerLength), version);
  const { modelFingerprint, tokenizerFingerprint, documentFingerprint, prefixIds, suffixIds, compaction } = header;
  return { cache, info: { modelFingerprint, tokenizerFingerprint, documentFingerprint, prefixIds, suffixIds, compaction } };
}

/** Fills a cache from a payload whose size checkCompactedHeader has already matched to the header and version. */
function restoreCache(header: CompactedFileHeader, payload: Buffer, version: number): KvCache {
  const { numLayers, numKvHeads, headDim: d } = header.shape;
  const cache = new KvCache({ numLayers, numKvHeads, headDim: d });
  let at = 0;
  // Copies into fresh typed arrays: aligned, and independent of the file buffer (small Buffers share a pool).
  const take = <T extends Float32Array | Int32Array | Uint16Array>(out: T): T => {
    new Uint8Array(out.buffer).set(payload.subarray(at, at + out.byteLength));
    at += out.byteLength;
    return out;
  };
  const f32 = (n: number, what: string) => {
    const values = take(new Float32Array(n));
    for (const v of values) if (!Number.isFinite(v)) corrupt(`the payload holds a non-finite ${what} (${v})`);
    return values;
  };
  // K/V as the cache holds them: fp16, read as is (version 2) or rounded from float32 (version 1)
  const f16 = (n: number, what: string) => {
    const src = version === 1 ? f32(n, what) : null;
    const halves = src ? f32ToF16(src) : take(new Uint16Array(n));
    for (let i = 0; i < n; i++) {
      if ((halves[i] & 0x7c00) !== 0x7c00) continue;
      corrupt(src ? `the payload holds a ${what} beyond fp16's range (${src[i]})` : `the payload holds a non-finite ${what} (${f16BitsToF32(halves[i])})`);
    }
    return halves;
  };
  cache.layers.forEach((layer, l) => {
    const used = header.used[l];
    layer.resize(Math.max(1, ...used));
    for (let h = 0; h < numKvHeads; h++) {
      const n = used[h];
      const run = { keys: f16(n * d, 'key'), values: f16(n * d, 'value'), bias: f32(n, 'bias'), sources: take(new Int32Array(n)) };
      layer.replaceStoredRun(h, 0, 0, run);
    }
  });
  cache.logicalLength = header.logicalLength;
  return cache;
}

export function saveCompactedDocument(file: string, cache: KvCache, info: CompactedDocumentInfo): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, encodeCompactedDocument(cache, info));
  fs.renameSync(tmp, file);
}

/** Reads and decodes a compacted document file; a folder, FIFO or device in its place is a CACHE_FILE error. */
export function loadCompactedDocument(file: string, expected: ExpectedIdentity): { cache: KvCache; info: CompactedDocumentInfo } {
  if (!fs.existsSync(file)) throw new LongreadError('MISSING_FILE', `${file} does not exist`);
  try {
    return decodeCompactedDocument(readRegularFile(file, 'CACHE_FILE', bufferConstants.MAX_LENGTH), expected);
  } catch (e) {
    if (e instanceof LongreadError && e.code === 'CACHE_FILE' && !e.message.includes(file)) {
      throw new LongreadError('CACHE_FILE', `${file}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

/** Fingerprint of a model folder's tokenizer files (tokenizer.json, and tokenizer_config.json when present). */
export function tokenizerFingerprint(modelDir: string): string {
  const h = createHash('sha256').update('longread-tokenizer-v1\0');
  for (const [name, limit] of [['tokenizer.json', MODEL_FILE_LIMITS.tokenizer], ['tokenizer_config.json', MODEL_FILE_LIMITS.tokenizerConfig]] as const) {
    const file = `${modelDir}/${name}`;
    h.update(`${name}\0`);
    if (fs.existsSync(file)) h.update(readRegularFile(file, 'TOKENIZER', limit));
  }
  return h.digest('hex');
}
