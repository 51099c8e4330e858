import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceAttributor } from '../../engine/cache/source-attribution.js';
import { generate, type GeneratedToken } from '../../engine/generate/generate.js';
import { loadModel } from '../../engine/load-model.js';
import { sharedAvailable, STORIES_DIR } from '../helpers/shared.js';

const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-sources-'));
afterAll(() => fs.rmSync(cacheRoot, { recursive: true, force: true }));

describe.skipIf(!sharedAvailable(STORIES_DIR, 'the sources test'))('sources during generation', () => {
  it('each generated sentence comes with the document passages it attended to most', async () => {
    const model = await loadModel(STORIES_DIR, { device: 'cpu', weights: 'fp32', attentionSummary: 'reduced', cacheRoot });
    try {
      const doc = 'Tom had a red ball. He played with it in the park every day. One day the ball rolled into the pond.';
      const ids = model.tokenizer.encode(doc, { addSpecialTokens: true });
      const span = { start: 1, end: ids.length };
      const events: GeneratedToken[] = [];
      const it = generate(model, model.newCache(), ids, { maxTokens: 60, stopTokenIds: [], sources: new SourceAttributor({ span }) });
      let r = await it.next();
      while (!r.done) {
        events.push(r.value);
        r = await it.next();
      }
      const withSources = events.filter((e) => e.sources);
      expect(withSources.length).toBeGreaterThan(0);
      for (const e of withSources) {
        expect(/[.!?]\W*$/.test(events.slice(0, events.indexOf(e) + 1).map((x) => x.text).join(''))).toBe(true);
        expect(e.sources!.length).toBeGreaterThan(0);
        for (const p of e.sources!) {
          expect(p.start).toBeGreaterThanOrEqual(span.start);
          expect(p.end).toBeLessThanOrEqual(span.end);
          expect(p.weight).toBeGreaterThan(0);
        }
      }
      // without an attention summary in the graph, no sources are produced and nothing breaks
      const plain = await loadModel(STORIES_DIR, { device: 'cpu', weights: 'fp32', cacheRoot });
      const it2 = generate(plain, plain.newCache(), ids, { maxTokens: 20, stopTokenIds: [], sources: new SourceAttributor({ span }) });
      let r2 = await it2.next();
      while (!r2.done) {
        expect(r2.value.sources ?? []).toEqual([]);
        r2 = await it2.next();
      }
      await plain.close();
    } finally {
      await model.close();
    }
  });
});
