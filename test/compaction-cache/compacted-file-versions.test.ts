import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMPACTED_FILE_VERSION, decodeCompactedDocument, encodeCompactedDocument } from '../../engine/cache/compacted-file.js';
import { bytesPerSlot } from '../../engine/cache/compacted-header.js';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { f16ToF32, f32ToF16 } from '../../engine/model/dtype.js';
import { mulberry32 } from '../../engine/util/random.js';
import { joinLrkv, LRKV_INFO, splitLrkv } from '../robustness/lrkv.js';

const SHAPE = { numLayers: 2, numKvHeads: 2, headDim: 4 };
const expected = { modelFingerprint: LRKV_INFO.modelFingerprint, shape: SHAPE };

/** A cache of 7 tokens whose heads hold different numbers of slots, with β on some. */
function sampleCache(): KvCache {
  const cache = new KvCache(SHAPE, 4);
  const r = mulberry32(11);
  const { numKvHeads: KV, headDim: d } = SHAPE;
  const S = 7;
  for (const layer of cache.layers) {
    const rows = () => f32ToF16(Float32Array.from({ length: KV * S * d }, () => (r() - 0.5) * 6));
    layer.append(rows(), rows(), S, 0, 4);
    layer.truncate(0, 5);
    layer.bias[1] = 0.75;
  }
  cache.logicalLength = S;
  return cache;
}

/** The version-1 layout: K and V as float32 (as the cache held them then), with the same header and checksum. */
function encodeVersion1(header: unknown, runs: { keys: Float32Array; values: Float32Array; bias: Float32Array; sources: Int32Array }[]): Buffer {
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const parts: Buffer[] = [Buffer.from('LRKV', 'ascii'), u32(1), u32(headerBytes.length), headerBytes];
  for (const run of runs) for (const a of [run.keys, run.values, run.bias, run.sources]) parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

function expectSameCache(got: KvCache, want: KvCache): void {
  expect(got.logicalLength).toBe(want.logicalLength);
  got.layers.forEach((layer, l) => {
    const w = want.layers[l];
    expect(Array.from(layer.used)).toEqual(Array.from(w.used));
    for (let h = 0; h < layer.kvHeads; h++) expect(layer.readStoredRun(h, 0, layer.used[h])).toEqual(w.readStoredRun(h, 0, w.used[h]));
  });
}

describe('LRKV format versions', () => {
  it(`version ${COMPACTED_FILE_VERSION} stores K/V as fp16 and round-trips the cache bit for bit`, () => {
    const cache = sampleCache();
    const file = encodeCompactedDocument(cache, LRKV_INFO);
    const parts = splitLrkv(file);
    expect(COMPACTED_FILE_VERSION).toBe(2);
    expect(parts.version).toBe(2);
    const slots = cache.layers.reduce((a, l) => a + l.used.reduce((x, y) => x + y, 0), 0);
    expect(parts.payload.length).toBe(slots * bytesPerSlot(SHAPE.headDim, 2));
    expect(bytesPerSlot(SHAPE.headDim, 2)).toBe(2 * SHAPE.headDim * 2 + 8);
    const { cache: back, info } = decodeCompactedDocument(file, expected);
    expect(info).toEqual(LRKV_INFO);
    expectSameCache(back, cache);
  });

  it('version 1 (float32 K/V) still loads, its K/V rounded to fp16', () => {
    const cache = sampleCache();
    const { header } = splitLrkv(encodeCompactedDocument(cache, LRKV_INFO));
    // float32 values that fp16 cannot hold exactly, as an fp32 cache produced them
    const r = mulberry32(3);
    const runs = cache.layers.flatMap((layer) =>
      Array.from({ length: layer.kvHeads }, (_, h) => {
        const run = layer.readRun(h, 0, layer.used[h]);
        const jitter = (a: Float32Array) => a.map((v) => v + (r() - 0.5) * 1e-3);
        return { ...run, keys: jitter(run.keys), values: jitter(run.values) };
      }),
    );
    const file = encodeVersion1(header, runs);
    expect(splitLrkv(file).payload.length).toBe(runs.reduce((a, run) => a + run.bias.length, 0) * bytesPerSlot(SHAPE.headDim, 1));
    const { cache: back, info } = decodeCompactedDocument(file, expected);
    expect(info).toEqual(LRKV_INFO);
    expect(back.logicalLength).toBe(cache.logicalLength);
    let i = 0;
    back.layers.forEach((layer) => {
      for (let h = 0; h < layer.kvHeads; h++) {
        const want = runs[i++];
        const got = layer.readRun(h, 0, layer.used[h]);
        expect(got.keys).toEqual(f16ToF32(f32ToF16(want.keys)));
        expect(got.values).toEqual(f16ToF32(f32ToF16(want.values)));
        expect(got.bias).toEqual(want.bias);
        expect(got.sources).toEqual(want.sources);
      }
    });
    // and a re-save writes the current version
    expect(splitLrkv(encodeCompactedDocument(back, LRKV_INFO)).version).toBe(COMPACTED_FILE_VERSION);
  });

  it('refuses a version it does not know, naming the ones it reads', () => {
    const file = Buffer.from(encodeCompactedDocument(sampleCache(), LRKV_INFO));
    file.writeUInt32LE(3, 4);
    const body = file.subarray(0, file.length - 32);
    createHash('sha256').update(body).digest().copy(file, file.length - 32);
    expect(() => decodeCompactedDocument(file, expected)).toThrow(/format version 3; this Longread reads versions 1 and 2/);
  });

  it('refuses a version-1 file whose values overflow fp16, and a version-2 file holding an fp16 infinity', () => {
    const cache = sampleCache();
    const { header } = splitLrkv(encodeCompactedDocument(cache, LRKV_INFO));
    const runs = cache.layers.flatMap((layer) => Array.from({ length: layer.kvHeads }, (_, h) => layer.readRun(h, 0, layer.used[h])));
    runs[1].values[2] = 1e6;
    expect(() => decodeCompactedDocument(encodeVersion1(header, runs), expected)).toThrow(/a value beyond fp16's range \(1000000\)/);
    const parts = splitLrkv(encodeCompactedDocument(cache, LRKV_INFO));
    const payload = Buffer.from(parts.payload);
    payload.writeUInt16LE(0xfc00, 2); // the first head's first key row, second element: -Infinity
    expect(() => decodeCompactedDocument(joinLrkv({ ...parts, payload }), expected)).toThrow(/non-finite key \(-Infinity\)/);
  });
});
