import { describe, expect, it } from 'vitest';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { endsSentence, SourceAttributor } from '../../engine/cache/source-attribution.js';
import { prefillCapturing } from '../../engine/compaction/cache/capture.js';
import { compactCache } from '../../engine/compaction/cache/compact-cache.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { tinyDecoder, tokenIds } from './tiny-decoder.js';

/** One layer, two KV heads; head 0 holds sources 0..29, head 1 holds every third source (as after compaction). */
function cache(): KvCache {
  const c = new KvCache({ numLayers: 1, numKvHeads: 2, headDim: 1 }, 64);
  c.layers[0].append(new Uint16Array(60), new Uint16Array(60), 30, 0, 64);
  c.layers[0].replaceRun(1, 0, 30, { keys: new Float32Array(10), values: new Float32Array(10), bias: new Float32Array(10), sources: Int32Array.from({ length: 10 }, (_, i) => 3 * i) });
  return c;
}

describe('SourceAttributor', () => {
  it('maps attention on slots to source tokens and groups them into passages, best first', () => {
    const c = cache();
    const C = c.layers[0].capacity;
    const att = new Float32Array(2 * C);
    att[10] = 0.3; // head 0, source 10
    att[11] = 0.2; // head 0, source 11
    att[25] = 0.1; // head 0, source 25
    att[C + 4] = 0.4; // head 1, slot 4 → source 12
    att[C + 20] = 0.9; // head 1, empty slot (no source): ignored
    const a = new SourceAttributor({ gap: 2, span: { start: 1, end: 30 } });
    a.addStep(c, [att]);
    a.addStep(c, [att]);
    const passages = a.takeSentence();
    expect(passages).toHaveLength(2);
    expect(passages[0]).toMatchObject({ start: 10, end: 13 });
    expect(passages[0].weight).toBeCloseTo(2 * 0.9, 6);
    expect(passages[1]).toMatchObject({ start: 25, end: 26 });
    expect(a.takeSentence()).toEqual([]);
  });

  it('recognizes sentence ends', () => {
    expect(endsSentence('He ran home.')).toBe(true);
    expect(endsSentence('"Yes!" ')).toBe(true);
    expect(endsSentence('and then')).toBe(false);
  });
});

describe('SourceAttributor with the graph attention summary', () => {
  it('reads the [kvHeads, C] summary of a compacted cache: mass only on occupied slots, passages inside the document', async () => {
    const tiny = await tinyDecoder({}, 11, 'reduced');
    try {
      const c = tiny.newCache();
      await prefillCapturing(tiny.decoder, c, [1, ...tokenIds(40, 64, 2)], []);
      await compactCache(c, { ops: jsAttentionOps, span: { start: 1, end: 41 }, ratio: 0.25, method: createMethod('streaming'), queries: { sets: [] } });
      const r = await tiny.decoder.step(c, [5], { attention: true });
      expect(r.attention).toHaveLength(2);
      const a = new SourceAttributor({ span: { start: 1, end: 41 } });
      r.attention!.forEach((att, l) => {
        const C = att.length / 2;
        for (let h = 0; h < 2; h++) {
          const used = 1 + 10; // sink + 10 compacted slots, before this step's append
          const head = att.subarray(h * C, (h + 1) * C);
          const total = head.reduce((x, y) => x + y, 0);
          expect(total, `layer ${l} head ${h}`).toBeGreaterThan(0);
          expect(total).toBeLessThanOrEqual(2 + 1e-5); // two query heads per KV head, each a probability split with the new token
          expect(head.subarray(used).every((x) => x === 0)).toBe(true);
        }
      });
      a.addStep(c, r.attention!);
      const passages = a.takeSentence();
      expect(passages.length).toBeGreaterThan(0);
      const kept = new Set(Array.from(c.layers[0].sources).filter((s) => s >= 1 && s < 41));
      for (const p of passages) for (const pos of [p.start, p.end - 1]) expect(kept.has(pos)).toBe(true);
    } finally {
      await tiny.close();
    }
  });
});
