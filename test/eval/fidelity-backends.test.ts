import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Recompactor } from '../../engine/compaction/cache/recompactor.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { readDocuments } from '../../engine/eval/documents.js';
import { DEFAULT_PREPARE, prepareDocument, querySets, runFidelity, type FidelityRow } from '../../engine/eval/fidelity.js';
import { instantiate, parseMethodConfig } from '../../engine/eval/method-configs.js';
import { AttentionKernels } from '../../engine/kernels/attention-kernels.js';
import { OrtAttentionOps } from '../../engine/kernels/ort-attention-ops.js';
import { sharedAvailable, STORIES_DIR, useStoriesModel } from '../helpers/shared.js';

const available = sharedAvailable(STORIES_DIR, 'the fidelity harness on both compaction backends');
const STORY = path.resolve(import.meta.dirname, '../../assets/documents/stories/story-04.txt');
const RATIOS = [0.2, 0.05];
const METHODS = ['am', 'am-omp', 'h2o'];

describe.skipIf(!available)('eval fidelity with the JS and the onnxruntime backends on stories260K', () => {
  const stories = useStoriesModel();
  const kernels = new AttentionKernels();
  const ort = new OrtAttentionOps(kernels);
  afterAll(() => kernels.close());

  it('gives the same KL divergence for am, am-omp and h2o', async () => {
    const docs = readDocuments([STORY]);
    const configs = METHODS.map(parseMethodConfig);
    const options = { ratios: RATIOS, heldOut: 40 };
    const js = await runFidelity(stories.model, docs, configs, { ...options, ops: jsAttentionOps });
    const viaOrt = await runFidelity(stories.model, docs, configs, { ...options, ops: ort });
    const key = (r: FidelityRow) => `${r.method} ${r.ratio}`;
    expect(viaOrt.map(key)).toEqual(js.map(key));
    const lines = js.map((a, i) => {
      const b = viaOrt[i];
      const relative = Math.abs(a.kl - b.kl) / a.kl;
      expect(a.kl, key(a)).toBeGreaterThan(0);
      expect(relative, `${key(a)}: KL ${a.kl} (JS) vs ${b.kl} (onnxruntime)`).toBeLessThan(0.02);
      expect(Math.abs(a.top1 - b.top1), key(a)).toBeLessThanOrEqual(1 / 40);
      return `${key(a)}: KL ${a.kl.toFixed(5)} JS, ${b.kl.toFixed(5)} onnxruntime (${(100 * relative).toFixed(3)}%)`;
    });
    console.log(lines.join('\n'));
  });

  it('keeps the same slots for am (default options) on both backends', async () => {
    const [doc] = readDocuments([STORY]);
    const p = await prepareDocument(stories.model, doc, { ...DEFAULT_PREPARE, heldOut: 40 });
    const config = parseMethodConfig('am');
    const recompactor = new Recompactor(p.full, { span: p.span, queries: { sets: querySets(p, config.queries), window: p.context } });
    for (const ratio of RATIOS) {
      const a = (await recompactor.compact(instantiate(config), ratio, { ops: jsAttentionOps })).cache;
      const b = (await recompactor.compact(instantiate(config), ratio, { ops: ort })).cache;
      a.layers.forEach((layer, l) => {
        expect(Array.from(b.layers[l].used), `ratio ${ratio} layer ${l}`).toEqual(Array.from(layer.used));
        expect(b.layers[l].sources, `ratio ${ratio} layer ${l}`).toEqual(layer.sources);
      });
    }
  });
});
