import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../common/contract.js';
import type { KvCache } from '../../engine/cache/kv-cache.js';
import { documentPrompt, repeatTurnIds, type DocumentPrompt } from '../../engine/compaction/cache/document-prompt.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { BLOCKS_INDEX_FILE, BlockStore } from '../../engine/documents/block-store.js';
import { documentSlots } from '../../engine/documents/cache-stats.js';
import { fidelityOf } from '../../engine/documents/compact-stored.js';
import { maxDocumentTokens } from '../../engine/documents/document-session.js';
import { compactFromStore, planRead, readDocument, type ReadOptions } from '../../engine/documents/read-document.js';
import { kvBytesPerToken } from '../../engine/model/spec.js';
import { isLongreadError } from '../../engine/errors.js';
import { jsAttentionOps as ops } from '../../engine/compaction/js-attention-ops.js';
import type { LoadedModel } from '../../engine/load-model.js';
import type { OperationControl } from '../../engine/util/operation.js';
import { maxAbsDiff } from '../compaction-cache/tiny-decoder.js';
import { sharedAvailable, STORIES_DIR, useStoriesModel } from '../helpers/shared.js';

const available = sharedAvailable(STORIES_DIR, 'reading documents with stories260K');
const STORY = fs.readFileSync(path.resolve(import.meta.dirname, '../../assets/documents/stories/story-01.txt'), 'utf8');
const GENEROUS = 2 ** 30;
const CHUNK = 128;
const MiB = 2 ** 20;

/** The longest run of whole words of the story that is at most `tokens` tokens. */
function storyPrompt(model: LoadedModel, tokens: number): DocumentPrompt {
  const words = STORY.split(/(?<=\s)/);
  let best: DocumentPrompt | null = null;
  for (let k = 1; k <= words.length; k++) {
    const p = documentPrompt(model.tokenizer, words.slice(0, k).join(''));
    if (p.documentIds.length > tokens) break;
    best = p;
  }
  return best!;
}

/** Same heads, same slots (sources and β) and keys/values within 1e-6. */
function expectSameCache(a: KvCache, b: KvCache) {
  expect(a.logicalLength).toBe(b.logicalLength);
  a.layers.forEach((la, l) => {
    const lb = b.layers[l];
    expect(Array.from(la.used), `layer ${l} used`).toEqual(Array.from(lb.used));
    for (let h = 0; h < la.kvHeads; h++) {
      const ra = la.readRun(h, 0, la.used[h]);
      const rb = lb.readRun(h, 0, lb.used[h]);
      expect(ra.sources, `L${l}H${h} sources`).toEqual(rb.sources);
      expect(maxAbsDiff(ra.bias, rb.bias), `L${l}H${h} β`).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDiff(ra.keys, rb.keys), `L${l}H${h} keys`).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDiff(ra.values, rb.values), `L${l}H${h} values`).toBeLessThanOrEqual(1e-6);
    }
  });
}

/** Slots of one (layer, head) whose source lies in [start, end). */
function slotsIn(cache: KvCache, l: number, h: number, start: number, end: number): number {
  return Array.from(cache.layers[l].readRun(h, 0, cache.layers[l].used[h]).sources).filter((s) => s >= start && s < end).length;
}

describe.skipIf(!available)('reading a document with stories260K (fp32, cpu)', () => {
  const stories = useStoriesModel();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-read-document-'));
  let n = 0;
  const dir = () => path.join(root, `doc-${++n}`);
  // The app's default: Attention Matching with one β per head, fitted values, bounded β solver.
  const method = createMethod('am', { betaMode: 'per-head', values: 'fit', betaSolver: 'bounded' });
  const options = (over: Partial<ReadOptions> = {}): ReadOptions => ({ method, ratio: 0.2, dir: dir(), ops, kvBudgetBytes: GENEROUS, chunkSize: CHUNK, ...over });

  afterAll(async () => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  describe('in one pass', () => {
    let prompt: DocumentPrompt;
    let read: Awaited<ReturnType<typeof readDocument>>;
    let opts: ReadOptions;

    beforeAll(async () => {
      const model = stories.model;
      prompt = storyPrompt(model, 230);
      opts = options();
      read = await readDocument(model, prompt, opts);
    });

    it('is planned and read whole, and leaves the logical length at the end of the document', () => {
      const { spec } = stories.model;
      const R = repeatTurnIds(stories.model.tokenizer).length;
      expect(prompt.span.end + R + prompt.documentIds.length).toBeLessThanOrEqual(spec.maxPositions);
      expect(planRead(stories.model, prompt, R, opts).mode).toBe('whole');
      expect(read.mode).toBe('whole');
      expect(read.cache.logicalLength).toBe(prompt.span.end);
      expect(read.store.chunkCount).toBe(2);
    });

    it('keeps the template prefix and round(ratio · chunk) slots of each chunk in every head', () => {
      const { numLayers, numKvHeads } = stories.model.spec;
      const chunks = read.store.index.chunks;
      for (let l = 0; l < numLayers; l++) {
        for (let h = 0; h < numKvHeads; h++) {
          const run = read.cache.layers[l].readRun(h, 0, read.cache.layers[l].used[h]);
          expect(run.sources[0]).toBe(0);
          expect(run.bias[0]).toBe(0);
          for (const c of chunks) expect(slotsIn(read.cache, l, h, c.start, c.end), `L${l}H${h} chunk ${c.start}`).toBe(Math.round(0.2 * (c.end - c.start)));
        }
      }
    });

    it('gives the same cache and fidelity when compacted again from the store at the same ratio', async () => {
      const again = await compactFromStore(read.store, prompt.span, { method, ratio: 0.2, ops });
      expectSameCache(again.cache, read.cache);
      expect(again.fidelity).toEqual(read.fidelity);
      // And from the store as reopened from disk.
      const reopened = await compactFromStore(BlockStore.open(opts.dir), prompt.span, { method, ratio: 0.2, ops });
      expectSameCache(reopened.cache, read.cache);
    });

    it('keeps fewer slots with a higher held-out error at a smaller ratio, and none of either at ratio 1', async () => {
      const at = async (ratio: number) => compactFromStore(read.store, prompt.span, { method, ratio, ops });
      const [small, base, full] = [await at(0.05), await at(0.2), await at(1)];
      const slots = [small, base, full].map((r) => documentSlots(r.cache, prompt.span));
      const err = [small, base, full].map((r) => fidelityOf(r.fidelity).outputError);
      const { numLayers, numKvHeads } = stories.model.spec;
      expect(slots[2]).toBe(numLayers * numKvHeads * prompt.documentIds.length);
      expect(slots[0]).toBeLessThan(slots[1]);
      expect(slots[1]).toBeLessThan(slots[2]);
      expect(err[2]).toBe(0);
      expect(err[1]).toBeGreaterThan(0);
      expect(err[0]).toBeGreaterThan(err[1]);
      console.log(`stories260K, ${prompt.documentIds.length} tokens: held-out output error ${err.map((e) => e.toFixed(4)).join(' / ')} at ratios 0.05 / 0.2 / 1`);
      for (const r of [small, base, full]) expect(r.cache.logicalLength).toBe(prompt.span.end);
    });

    it('reports re-compaction chunk by chunk, and stops with CANCELLED between chunks', async () => {
      const reports: [string, number, number][] = [];
      await compactFromStore(read.store, prompt.span, { method, ratio: 0.1, ops }, { progress: (stage, done, total) => reports.push([stage, done, total]), isCancelled: async () => false });
      expect(reports).toEqual([
        ['recompact', 1, 2],
        ['recompact', 2, 2],
      ]);
      let chunks = 0;
      const cancelling: OperationControl = { progress: () => void chunks++, isCancelled: async () => chunks > 0 };
      let error: unknown;
      try {
        await compactFromStore(read.store, prompt.span, { method, ratio: 0.1, ops }, cancelling);
      } catch (e) {
        error = e;
      }
      expect(isLongreadError(error, 'CANCELLED'), String(error)).toBe(true);
      expect(chunks).toBe(1);
    });
  });

  describe('chunk by chunk', () => {
    let prompt: DocumentPrompt;
    let read: Awaited<ReturnType<typeof readDocument>>;
    const events: ProgressEvent[] = [];

    beforeAll(async () => {
      prompt = storyPrompt(stories.model, 300);
      const control: OperationControl = {
        progress: (stage, done, total, unit) => events.push({ type: 'progress', operationId: 'op', stage, done, total, unit, rate: null, etaMs: null }),
        isCancelled: async () => false,
      };
      // A budget just below what reading it whole needs (the document, the repeat turn and one piece's repeat pass).
      const R = repeatTurnIds(stories.model.tokenizer).length;
      const wholeBytes = (prompt.span.end + R + CHUNK) * kvBytesPerToken(stories.model.spec);
      read = await readDocument(stories.model, prompt, options({ prefillChunk: 64, kvBudgetBytes: wholeBytes - 1 }), control);
    });

    it('reads a document too large for the budget in one pass in chunk groups, to the logical end of the document', () => {
      expect(prompt.documentIds.length).toBeGreaterThan(290);
      expect(read.mode).toBe('chunked');
      expect(read.cache.logicalLength).toBe(prompt.span.end);
      expect(read.store.chunkCount).toBe(3);
    });

    it('compacts every chunk in every head', () => {
      const { numLayers, numKvHeads } = stories.model.spec;
      for (let c = 0; c < read.store.chunkCount; c++) expect(read.store.blocksOf(c)).toHaveLength(numLayers * numKvHeads);
      for (let l = 0; l < numLayers; l++) {
        for (let h = 0; h < numKvHeads; h++) {
          for (const c of read.store.index.chunks) expect(slotsIn(read.cache, l, h, c.start, c.end), `L${l}H${h} chunk ${c.start}`).toBe(Math.round(0.2 * (c.end - c.start)));
          expect(read.cache.layers[l].used[h]).toBe(1 + read.store.index.chunks.reduce((s, c) => s + Math.round(0.2 * (c.end - c.start)), 0));
        }
      }
    });

    it('gives the same cache when compacted again from the store at the same ratio', async () => {
      const again = await compactFromStore(read.store, prompt.span, { method, ratio: 0.2, ops });
      expectSameCache(again.cache, read.cache);
    });

    it('reports reading, reference queries and compaction up to their totals', () => {
      const n = prompt.documentIds.length;
      const last = (stage: ProgressEvent['stage']) => events.filter((e) => e.stage === stage).at(-1)!;
      expect(last('read')).toMatchObject({ done: n, total: n, unit: 'tokens' });
      expect(last('reference-queries')).toMatchObject({ done: n, total: n, unit: 'tokens' });
      const blocks = 3 * stories.model.spec.numLayers * stories.model.spec.numKvHeads;
      expect(last('compact')).toMatchObject({ done: blocks, total: blocks, unit: 'blocks' });
      for (const e of events) expect(e.done).toBeLessThanOrEqual(e.total);
    });
  });

  it('never runs the model past its positions while reading the longest document it accepts (default chunk size)', async () => {
    const { model } = stories;
    const prompt = storyPrompt(model, maxDocumentTokens(model, documentPrompt(model.tokenizer, 'x')) - 5);
    let furthest = 0;
    // Every model call goes through decoder.step: record the last position each one reaches.
    const decoder = Object.create(model.decoder, {
      step: {
        value: (cache: KvCache, ids: ArrayLike<number>, opts?: object) => {
          furthest = Math.max(furthest, cache.logicalLength + ids.length);
          return model.decoder.step(cache, ids, opts);
        },
      },
    }) as LoadedModel['decoder'];
    const read = await readDocument({ ...model, decoder }, prompt, options({ chunkSize: undefined }));
    expect(read.cache.logicalLength).toBe(prompt.span.end);
    expect(furthest, `read ${prompt.documentIds.length} tokens in ${read.mode} mode`).toBeLessThanOrEqual(model.spec.maxPositions);
  });

  it('refuses a budget too small for even one chunk with BAD_ARGUMENT naming the MiB needed, before writing anything', async () => {
    const prompt = storyPrompt(stories.model, 300);
    const R = repeatTurnIds(stories.model.tokenizer).length;
    const perToken = 2 * stories.model.spec.numLayers * stories.model.spec.numKvHeads * stories.model.spec.headDim * 2; // fp16 K and V
    const need = (prompt.span.start + Math.ceil(0.2 * prompt.documentIds.length) + 2 * CHUNK + R) * perToken;
    const opts = options({ kvBudgetBytes: 64 * 1024 });
    let error: unknown;
    try {
      await readDocument(stories.model, prompt, opts);
    } catch (e) {
      error = e;
    }
    expect(isLongreadError(error, 'BAD_ARGUMENT'), String(error)).toBe(true);
    const shown = /needs at least ([\d.]+) MiB/.exec((error as Error).message);
    expect(shown, (error as Error).message).not.toBeNull();
    expect(Number(shown![1])).toBeGreaterThanOrEqual(need / MiB);
    expect(Number(shown![1])).toBeLessThanOrEqual(Math.ceil(need / MiB));
    expect(fs.existsSync(opts.dir)).toBe(false);
  });

  it('stops with CANCELLED once cancelled after the first progress report, leaving no index behind', async () => {
    const prompt = storyPrompt(stories.model, 300);
    let reports = 0;
    const control: OperationControl = {
      progress: () => void reports++,
      isCancelled: async () => reports > 0,
    };
    const opts = options({ prefillChunk: 32 });
    let error: unknown;
    try {
      await readDocument(stories.model, prompt, opts, control);
    } catch (e) {
      error = e;
    }
    expect(isLongreadError(error, 'CANCELLED'), String(error)).toBe(true);
    expect(reports).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(opts.dir, BLOCKS_INDEX_FILE))).toBe(false);
    expect(BlockStore.exists(opts.dir)).toBe(false);
  });
});
