import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactCache } from '../../engine/compaction/cache/compact-cache.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { Recompactor } from '../../engine/compaction/cache/recompactor.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { readDocuments } from '../../engine/eval/documents.js';
import { prepareDocument, querySets, type PreparedDocument } from '../../engine/eval/fidelity.js';
import { heldOutHeadErrors } from '../../engine/eval/head-errors.js';
import { DEFAULT_AM, instantiate, parseMethodConfig } from '../../engine/eval/method-configs.js';
import { loadModel, type LoadedModel } from '../../engine/load-model.js';
import { sharedAvailable, STORIES_DIR } from '../helpers/shared.js';
import { maxAbsDiff } from './tiny-decoder.js';

const available = sharedAvailable(STORIES_DIR, 'compaction on real stories260K caches');
const STORIES = path.resolve(import.meta.dirname, '../../assets/documents/stories');

describe.skipIf(!available)('compaction of real stories260K caches', () => {
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-stories-compact-'));
  let model: LoadedModel;
  let docs: PreparedDocument[];

  beforeAll(async () => {
    model = await loadModel(STORIES_DIR, { device: 'cpu', weights: 'fp32', cacheRoot });
    const files = ['story-01.txt', 'story-02.txt', 'story-03.txt', 'hand-01.txt'].map((f) => path.join(STORIES, f));
    docs = [];
    // hand-01 is longer than the model's 512 positions: its first paragraphs, chosen here (nothing is cut silently).
    const fit = (d: { name: string; text: string }) => (d.name === 'hand-01' ? { ...d, text: d.text.slice(0, d.text.lastIndexOf('.', 800) + 1) } : d);
    for (const doc of readDocuments(files)) docs.push(await prepareDocument(model, fit(doc)));
  });
  afterAll(async () => {
    await model?.close();
    fs.rmSync(cacheRoot, { recursive: true, force: true });
  });

  it('with t ≥ T the compacted cache gives the same next-token logits as the full one', async () => {
    const p = docs[0];
    const cache = p.full.clone();
    await compactCache(cache, { ops: jsAttentionOps, span: p.span, ratio: 1, method: createMethod('am'), queries: { sets: querySets(p, 'repeat') } });
    const logits = (await model.decoder.step(cache, p.heldOut, { logits: 'all' })).logits;
    // Same slots in a buffer of the same width: identical arithmetic. (A wider, padded buffer differs by rounding.)
    const same = p.full.clone();
    for (const layer of same.layers) layer.shrinkToFit();
    expect(maxAbsDiff(logits, (await model.decoder.step(same, p.heldOut, { logits: 'all' })).logits)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(logits, p.referenceLogits)).toBeLessThanOrEqual(1e-4);
  });

  it('at ratio 0.1 the document keeps round(0.1·T) slots per head, the BOS sink stays, and decoding continues from the original length', async () => {
    const p = docs[1];
    const cache = p.full.clone();
    const T = p.span.end - p.span.start;
    await compactCache(cache, { ops: jsAttentionOps, span: p.span, ratio: 0.1, method: instantiate(parseMethodConfig('am')), queries: { sets: querySets(p, DEFAULT_AM.queries) } });
    for (const layer of cache.layers) {
      expect(Array.from(layer.used)).toEqual(new Array(4).fill(1 + Math.round(0.1 * T)));
      for (let h = 0; h < 4; h++) {
        expect(layer.sources[h * layer.capacity]).toBe(0);
        expect(layer.bias[h * layer.capacity]).toBe(0);
      }
    }
    expect(cache.logicalLength).toBe(p.span.end);
    const r = await model.decoder.step(cache, p.heldOut.slice(0, 5), { logits: 'all' });
    expect(r.logits.every(Number.isFinite)).toBe(true);
    const layer = cache.layers[4];
    expect(Array.from(layer.sources.subarray(layer.used[0] - 5, layer.used[0]))).toEqual([0, 1, 2, 3, 4].map((i) => p.span.end + i));
  });

  it('averaged over heads, am beats "top-t keys, β = 0, copied values" on held-out output and log-mass error at ratios ≤ 0.1', async () => {
    const am = instantiate(parseMethodConfig('am'));
    const evict = createMethod('am', { betaMode: 'off', values: 'copy' });
    const lines: string[] = [];
    for (const ratio of [0.5, 0.2, 0.1, 0.05, 0.02]) {
      const mean = { am: { out: 0, mass: 0 }, evict: { out: 0, mass: 0 } };
      for (const p of docs) {
        const recompactor = new Recompactor(p.full, { span: p.span, queries: { sets: querySets(p, DEFAULT_AM.queries) } });
        for (const [name, method] of [['am', am], ['evict', evict]] as const) {
          const { cache } = await recompactor.compact(method, ratio, { ops: jsAttentionOps });
          const e = await heldOutHeadErrors(p.full, cache, p.span, p.heldOutQueries, model.spec.numHeads, p.heldOut.length, jsAttentionOps);
          mean[name].out += e.outputErr / docs.length;
          mean[name].mass += e.logMassErr / docs.length;
        }
      }
      lines.push(`ratio ${ratio}: output err am ${mean.am.out.toFixed(3)} vs top-t ${mean.evict.out.toFixed(3)}; log-mass err am ${mean.am.mass.toFixed(3)} vs top-t ${mean.evict.mass.toFixed(3)}`);
      if (ratio <= 0.1) {
        expect(mean.am.out, `output error at ${ratio}`).toBeLessThan(mean.evict.out);
        expect(mean.am.mass, `log-mass error at ${ratio}`).toBeLessThan(mean.evict.mass);
      }
    }
    console.log(`stories260K held-out attention errors (mean over ${docs.length} documents × 20 heads):\n  ${lines.join('\n  ')}`);
  });
});
