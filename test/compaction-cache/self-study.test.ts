import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KvCache } from '../../engine/cache/kv-cache.js';
import { prefillCapturing } from '../../engine/compaction/cache/capture.js';
import { compactCache } from '../../engine/compaction/cache/compact-cache.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { QueryCollector } from '../../engine/compaction/cache/query-collector.js';
import { captureSelfStudyQueries } from '../../engine/compaction/cache/self-study.js';
import type { DocumentSpan } from '../../engine/compaction/cache/span.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { readDocuments } from '../../engine/eval/documents.js';
import { prepareDocument, querySets, DEFAULT_PREPARE } from '../../engine/eval/fidelity.js';
import { instantiate, parseMethodConfig } from '../../engine/eval/method-configs.js';
import { sharedAvailable, STORIES_DIR, useStoriesModel } from '../helpers/shared.js';
import { tinyDecoder, tokenIds, type TinyDecoder } from './tiny-decoder.js';

const SHAPE = { numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8 };
const PREFIX = [1, 7];
// 120 document tokens: with the prefix and suffix the cache sits just under its 128-slot grow step, so the pass grows it.
const DOC = tokenIds(120, 64, 5);
const SUFFIX = [9, 10, 11];
const SPAN: DocumentSpan = { start: PREFIX.length, end: PREFIX.length + DOC.length };

function snapshot(cache: KvCache) {
  return {
    logicalLength: cache.logicalLength,
    layers: cache.layers.map((l) => ({
      capacity: l.capacity,
      used: Array.from(l.used),
      keys: l.keys.slice(),
      values: l.values.slice(),
      bias: l.bias.slice(),
      sources: l.sources.slice(),
    })),
  };
}

describe('self-study reference queries on a tiny random model', () => {
  let tiny: TinyDecoder;
  let cache: KvCache;
  let lastLogits: Float32Array;
  const collector = (chunkSize = 48, cap = 1000) => new QueryCollector(SHAPE, { span: SPAN, chunkSize, cap, causal: false, seed: 1 });

  beforeAll(async () => {
    tiny = await tinyDecoder();
    cache = tiny.newCache();
    lastLogits = await prefillCapturing(tiny.decoder, cache, [...PREFIX, ...DOC, ...SUFFIX], [], 64);
  });
  afterAll(() => tiny?.close());

  it('leaves the cache bit-identical and gives every chunk the generated tokens’ queries', async () => {
    const before = snapshot(cache);
    const c = collector();
    const r = await captureSelfStudyQueries(tiny.decoder, cache, { promptIds: [5, 6, 8], maxTokens: 12, stopTokenIds: [] }, c);
    expect(r.tokens).toHaveLength(12);
    expect(r.stopReason).toBe('max-tokens');
    // The pass went past the 128-slot buffer, and the buffers are back to their width.
    expect(before.logicalLength + 3 + 12).toBeGreaterThan(128);
    expect(snapshot(cache)).toEqual(before);
    expect(c.chunkCount).toBe(3);
    for (let l = 0; l < 2; l++) {
      for (let kv = 0; kv < 2; kv++) {
        for (let ch = 0; ch < 3; ch++) {
          const q = c.get(l, kv, ch);
          expect(q.n).toBe(12 * 2); // every generated token, from both query heads of the GQA group
          expect(Array.from(q.positions).every((p) => p === -1)).toBe(true);
          expect(q.data.every(Number.isFinite)).toBe(true);
        }
      }
    }
  });

  it('compaction with the self-study queries runs and keeps round(r·T) slots per chunk', async () => {
    const c = collector();
    await captureSelfStudyQueries(tiny.decoder, cache, { promptIds: [5, 6, 8], maxTokens: 16 }, c);
    const copy = cache.clone();
    await compactCache(copy, { ops: jsAttentionOps, span: SPAN, ratio: 0.25, method: createMethod('am'), queries: { sets: [c] }, chunkSize: 48 });
    const expected = PREFIX.length + [48, 48, 24].reduce((s, n) => s + Math.round(0.25 * n), 0) + SUFFIX.length;
    for (const layer of copy.layers) expect(Array.from(layer.used)).toEqual([expected, expected]);
    expect(copy.logicalLength).toBe(cache.logicalLength);
    const logits = (await tiny.decoder.step(copy, [12, 13], { logits: 'all' })).logits;
    expect(logits.every(Number.isFinite)).toBe(true);
  });

  it('a base model continues from the last logits; stop tokens end the pass; no prompt and no logits is refused', async () => {
    const before = snapshot(cache);
    const free = await captureSelfStudyQueries(tiny.decoder, cache, { promptIds: [], maxTokens: 6, lastLogits }, collector());
    expect(free.tokens).toHaveLength(6);
    const stopped = await captureSelfStudyQueries(tiny.decoder, cache, { promptIds: [], maxTokens: 6, lastLogits, stopTokenIds: [free.tokens[2]] }, collector());
    expect(stopped.stopReason).toBe('stop-token');
    expect(stopped.tokens).toEqual(free.tokens.slice(0, stopped.tokens.length));
    expect(stopped.tokens.length).toBeLessThanOrEqual(2);
    expect(snapshot(cache)).toEqual(before);
    await expect(captureSelfStudyQueries(tiny.decoder, cache, { promptIds: [], maxTokens: 4 }, collector())).rejects.toThrow(/last logits/);
  });
});

const available = sharedAvailable(STORIES_DIR, 'self-study queries on stories260K');

describe.skipIf(!available)('self-study queries on stories260K', () => {
  const stories = useStoriesModel();

  it('prepareDocument captures them for every chunk without changing the full cache, and AM compacts with them', async () => {
    const { model } = stories;
    const [doc] = readDocuments([path.resolve(import.meta.dirname, '../../assets/documents/stories/story-03.txt')]);
    const opts = { ...DEFAULT_PREPARE, chunkSize: 64 };
    const plain = await prepareDocument(model, doc, opts);
    const p = await prepareDocument(model, doc, { ...opts, selfStudyTokens: 24 });
    expect(snapshot(p.full)).toEqual(snapshot(plain.full));
    expect(Array.from(p.referenceLogits)).toEqual(Array.from(plain.referenceLogits));
    expect(() => querySets(plain, 'self-study')).toThrow(/without self-study/);
    const [sets] = querySets(p, 'self-study');
    for (let ch = 0; ch < sets.chunkCount; ch++) expect(sets.get(0, 0, ch).n).toBeGreaterThan(0);
    const cache = p.full.clone();
    await compactCache(cache, { ops: jsAttentionOps, span: p.span, ratio: 0.2, method: instantiate(parseMethodConfig('am:queries=self-study')), queries: { sets: [sets] }, chunkSize: 64 });
    const logits = (await model.decoder.step(cache, p.heldOut.slice(0, 4), { logits: 'all' })).logits;
    expect(logits.every(Number.isFinite)).toBe(true);
  });
});
