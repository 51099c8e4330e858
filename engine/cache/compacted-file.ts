import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { LongreadError } from '../errors.js';
import { KvCache } from './kv-cache.js';

/*
 * A compacted document on disk:
 *   "LRKV" | u32 version | u32 header length | header JSON (utf-8) | payload | sha256 of everything before it.
 * The payload holds, per layer and KV head, only the occupied slots: keys, values (float32, used×headDim each),
 * bias (float32) and sources (int32), little-endian.
 */

const MAGIC = 'LRKV';
export const COMPACTED_FILE_VERSION = 1;
const DIGEST_BYTES = 32;

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

interface FileHeader extends CompactedDocumentInfo {
  shape: { numLayers: number; numKvHeads: number; headDim: number };
  logicalLength: number;
  /** Slots per KV head, [layer][head]. */
  used: number[][];
}

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
  const header: FileHeader = {
    ...info,
    shape: { numLayers, numKvHeads, headDim: d },
    logicalLength: cache.logicalLength,
    used: cache.layers.map((l) => Array.from(l.used)),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const parts: Buffer[] = [Buffer.from(MAGIC, 'ascii'), u32(COMPACTED_FILE_VERSION), u32(headerBytes.length), headerBytes];
  for (const layer of cache.layers) {
    for (let h = 0; h < numKvHeads; h++) {
      const run = layer.readRun(h, 0, layer.used[h]);
      for (const arr of [run.keys, run.values, run.bias, run.sources]) parts.push(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
    }
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

export interface ExpectedIdentity {
  modelFingerprint: string;
  tokenizerFingerprint?: string;
}

function corrupt(why: string): never {
  throw new LongreadError('CACHE_FILE', `This compacted document file is damaged (${why}); compact the document again.`);
}

/** Restores a chat-ready cache; refuses a damaged file or one made with another model or tokenizer. */
export function decodeCompactedDocument(data: Uint8Array, expected: ExpectedIdentity): { cache: KvCache; info: CompactedDocumentInfo } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 12 + DIGEST_BYTES || buf.toString('ascii', 0, 4) !== MAGIC) {
    throw new LongreadError('CACHE_FILE', 'This is not a Longread compacted document file.');
  }
  const body = buf.subarray(0, buf.length - DIGEST_BYTES);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(buf.length - DIGEST_BYTES))) corrupt('checksum mismatch');
  const version = buf.readUInt32LE(4);
  if (version !== COMPACTED_FILE_VERSION) {
    throw new LongreadError('CACHE_FILE', `This compacted document file has format version ${version}; this Longread reads version ${COMPACTED_FILE_VERSION}.`);
  }
  const headerLength = buf.readUInt32LE(8);
  let header: FileHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as FileHeader;
  } catch {
    corrupt('unreadable header');
  }
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
  const { numLayers, numKvHeads, headDim: d } = header.shape;
  const cache = new KvCache({ numLayers, numKvHeads, headDim: d });
  let at = 12 + headerLength;
  // Copies into fresh typed arrays: aligned, and independent of the file buffer (small Buffers share a pool).
  const take = <T extends Float32Array | Int32Array>(out: T): T => {
    const bytes = out.byteLength;
    if (at + bytes > body.length) corrupt('payload shorter than its header says');
    new Uint8Array(out.buffer).set(body.subarray(at, at + bytes));
    at += bytes;
    return out;
  };
  const f32 = (n: number) => take(new Float32Array(n));
  const i32 = (n: number) => take(new Int32Array(n));
  cache.layers.forEach((layer, l) => {
    const used = header.used[l];
    layer.resize(Math.max(1, ...used));
    for (let h = 0; h < numKvHeads; h++) {
      const n = used[h];
      const run = { keys: f32(n * d), values: f32(n * d), bias: f32(n), sources: i32(n) };
      layer.replaceRun(h, 0, 0, run);
    }
  });
  if (at !== body.length) corrupt('payload longer than its header says');
  cache.logicalLength = header.logicalLength;
  const { modelFingerprint, tokenizerFingerprint, documentFingerprint, prefixIds, suffixIds, compaction } = header;
  return { cache, info: { modelFingerprint, tokenizerFingerprint, documentFingerprint, prefixIds, suffixIds, compaction } };
}

export function saveCompactedDocument(file: string, cache: KvCache, info: CompactedDocumentInfo): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, encodeCompactedDocument(cache, info));
  fs.renameSync(tmp, file);
}

export function loadCompactedDocument(file: string, expected: ExpectedIdentity): { cache: KvCache; info: CompactedDocumentInfo } {
  if (!fs.existsSync(file)) throw new LongreadError('MISSING_FILE', `${file} does not exist`);
  return decodeCompactedDocument(fs.readFileSync(file), expected);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

/** Fingerprint of a model folder's tokenizer files (tokenizer.json, and tokenizer_config.json when present). */
export function tokenizerFingerprint(modelDir: string): string {
  const h = createHash('sha256').update('longread-tokenizer-v1\0');
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
    const file = `${modelDir}/${name}`;
    h.update(`${name}\0`);
    if (fs.existsSync(file)) h.update(fs.readFileSync(file));
  }
  return h.digest('hex');
}
