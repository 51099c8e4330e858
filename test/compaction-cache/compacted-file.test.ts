import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentFingerprint, loadCompactedDocument, saveCompactedDocument, type CompactedDocumentInfo } from '../../engine/cache/compacted-file.js';
import type { KvCache } from '../../engine/cache/kv-cache.js';
import { captureRepeatQueries, prefillCapturing } from '../../engine/compaction/cache/capture.js';
import { compactCache } from '../../engine/compaction/cache/compact-cache.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { QueryCollector } from '../../engine/compaction/cache/query-collector.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { isLongreadError } from '../../engine/errors.js';
import { maxAbsDiff, tinyDecoder, tokenIds, type TinyDecoder } from './tiny-decoder.js';

const DOC = tokenIds(50, 64, 21);
const IDS = [1, ...DOC, 4];
const SPAN = { start: 1, end: 51 };
const INFO: CompactedDocumentInfo = {
  modelFingerprint: 'a'.repeat(64),
  tokenizerFingerprint: 'b'.repeat(64),
  documentFingerprint: documentFingerprint(DOC),
  prefixIds: [1],
  suffixIds: [4],
  compaction: { method: 'am', ratio: 0.2 },
};

describe('saving and loading a compacted document', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-lrkv-'));
  const file = path.join(dir, 'doc.lrkv');
  let tiny: TinyDecoder;
  let compacted: KvCache;

  beforeAll(async () => {
    tiny = await tinyDecoder();
    compacted = tiny.newCache();
    const repeat = new QueryCollector({ numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8 }, { span: SPAN, chunkSize: 64, cap: 200, causal: false });
    await prefillCapturing(tiny.decoder, compacted, IDS, []);
    await captureRepeatQueries(tiny.decoder, compacted, { promptIds: [], documentIds: DOC, documentStart: 1 }, repeat);
    await compactCache(compacted, { ops: jsAttentionOps, span: SPAN, ratio: 0.2, method: createMethod('am'), queries: { sets: [repeat] } });
    saveCompactedDocument(file, compacted, INFO);
  });
  afterAll(async () => {
    await tiny?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('save → load → continue gives the same next-token logits as the in-memory compacted cache', async () => {
    const { cache, info } = loadCompactedDocument(file, { modelFingerprint: INFO.modelFingerprint, tokenizerFingerprint: INFO.tokenizerFingerprint });
    expect(info).toEqual(INFO);
    expect(cache.logicalLength).toBe(IDS.length);
    expect(cache.layers.map((l) => Array.from(l.used))).toEqual(compacted.layers.map((l) => Array.from(l.used)));
    const next = [7, 8, 9];
    const a = await tiny.decoder.step(compacted.clone(), next, { logits: 'all' });
    const b = await tiny.decoder.step(cache, next, { logits: 'all' });
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThanOrEqual(1e-5);
    expect(cache.layers[0].sources[cache.layers[0].used[0] - 1]).toBe(IDS.length + 2);
  });

  it('refuses a file made with another model, naming the mismatch', () => {
    const load = () => loadCompactedDocument(file, { modelFingerprint: 'c'.repeat(64) });
    expect(load).toThrow(/different model/);
    try {
      load();
    } catch (e) {
      expect(isLongreadError(e, 'CACHE_FILE')).toBe(true);
    }
    expect(() => loadCompactedDocument(file, { modelFingerprint: INFO.modelFingerprint, tokenizerFingerprint: 'd' })).toThrow(/different tokenizer/);
  });

  it('refuses a corrupted, truncated or foreign file', () => {
    const bytes = fs.readFileSync(file);
    const expected = { modelFingerprint: INFO.modelFingerprint };
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)] ^= 0x40;
    fs.writeFileSync(path.join(dir, 'flipped.lrkv'), flipped);
    expect(() => loadCompactedDocument(path.join(dir, 'flipped.lrkv'), expected)).toThrow(/damaged \(checksum mismatch\)/);
    fs.writeFileSync(path.join(dir, 'short.lrkv'), bytes.subarray(0, bytes.length - 100));
    expect(() => loadCompactedDocument(path.join(dir, 'short.lrkv'), expected)).toThrow(/damaged/);
    fs.writeFileSync(path.join(dir, 'other.lrkv'), Buffer.from('{"not": "a cache file at all, just some json text"}'));
    expect(() => loadCompactedDocument(path.join(dir, 'other.lrkv'), expected)).toThrow(/not a Longread compacted document/);
    expect(() => loadCompactedDocument(path.join(dir, 'missing.lrkv'), expected)).toThrow(/does not exist/);
  });
});
