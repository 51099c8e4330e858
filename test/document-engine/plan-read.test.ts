import { describe, expect, it } from 'vitest';
import type { DocumentPrompt } from '../../engine/compaction/cache/document-prompt.js';
import { spanChunks } from '../../engine/compaction/cache/span.js';
import { maxDocumentTokens } from '../../engine/documents/document-session.js';
import { DOCUMENT_CHUNK, planRead } from '../../engine/documents/read-document.js';
import { isLongreadError } from '../../engine/errors.js';
import type { ModelSpec } from '../../engine/model/spec.js';

const MiB = 2 ** 20;
/** 4 layers × 2 KV heads × 64 dims: 2 KiB of fp16 K and V per token. */
const PER_TOKEN = 4 * 2 * 2 * 64 * 2;
const PREFIX = 10;
const SUFFIX = 5;
const REPEAT = 20;

function model(maxPositions: number): { spec: ModelSpec } {
  return { spec: { numLayers: 4, numKvHeads: 2, headDim: 64, numHeads: 8, maxPositions } as ModelSpec };
}

function prompt(n: number): DocumentPrompt {
  const prefixIds = new Array<number>(PREFIX).fill(1);
  const documentIds = new Array<number>(n).fill(7);
  const suffixIds = new Array<number>(SUFFIX).fill(2);
  return { ids: [...prefixIds, ...documentIds, ...suffixIds], span: { start: PREFIX, end: PREFIX + n }, prefixIds, documentIds, suffixIds };
}

/** The MiB figure a message gives right after `words`, e.g. "needs at least 20 MiB" → 20. */
function mibAfter(message: string, words: string): number {
  const m = new RegExp(`${words} ([\\d.]+) MiB`).exec(message);
  expect(m, `"${words} … MiB" in: ${message}`).not.toBeNull();
  return Number(m![1]);
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('planRead', () => {
  const big = 2 ** 40;

  it('reads in one pass when the document, its repeat pass and the prefix fit the budget and the positions', () => {
    const p = prompt(1000);
    const plan = planRead(model(8192), p, REPEAT, { kvBudgetBytes: 16 * MiB, ratio: 0.2 });
    expect(plan.mode).toBe('whole');
    expect(plan.groups).toEqual([p.span]);
  });

  it('switches to chunks exactly when the whole document plus one piece\'s repeat pass exceeds the budget', () => {
    const p = prompt(1000);
    // Read in pieces of 256, each followed by its repeat pass: at most prefix + document + repeat + one piece held.
    const wholeBytes = (PREFIX + 1000 + REPEAT + 256) * PER_TOKEN;
    expect(planRead(model(8192), p, REPEAT, { kvBudgetBytes: wholeBytes, ratio: 0.2, chunkSize: 256 }).mode).toBe('whole');
    const plan = planRead(model(8192), p, REPEAT, { kvBudgetBytes: wholeBytes - 1, ratio: 0.2, chunkSize: 256 });
    expect(plan.mode).toBe('chunked');
    expect(plan.groups).toEqual(spanChunks(p.span, 256).map(({ start, end }) => ({ start, end })));
    expect(plan.groups).toHaveLength(4);
  });

  it('reads in pieces no longer than the positions left after the document allow, whatever the budget', () => {
    // prefix + n + repeat + piece must fit 8192 positions.
    for (const n of [4080, 6000, 8000]) {
      const plan = planRead(model(8192), prompt(n), REPEAT, { kvBudgetBytes: big, ratio: 0.2 });
      expect(plan.mode, `n = ${n}`).toBe('whole');
      expect(plan.chunkSize, `n = ${n}`).toBe(Math.min(DOCUMENT_CHUNK, 8192 - PREFIX - n - REPEAT));
    }
    const e = errorOf(() => planRead(model(8192), prompt(8192 - PREFIX - REPEAT), REPEAT, { kvBudgetBytes: big, ratio: 0.2 }));
    expect(isLongreadError(e, 'CONTEXT_TOO_LONG'), String(e)).toBe(true);
  });

  it('refuses a budget that cannot hold even one chunk with BAD_ARGUMENT naming the MiB needed, the budget and the ratio', () => {
    const n = 4100;
    const need = (PREFIX + Math.ceil(0.2 * n) + 2 * DOCUMENT_CHUNK + REPEAT) * PER_TOKEN;
    const budget = Math.floor((need - 1) / MiB) * MiB;
    const e = errorOf(() => planRead(model(8192), prompt(n), REPEAT, { kvBudgetBytes: budget, ratio: 0.2 }));
    expect(isLongreadError(e, 'BAD_ARGUMENT'), String(e)).toBe(true);
    const message = (e as Error).message;
    // Rounded up (never below what is needed) and the budget as given.
    const shownNeed = mibAfter(message, 'needs at least');
    expect(shownNeed).toBeGreaterThanOrEqual(need / MiB);
    expect(shownNeed).toBeLessThanOrEqual(Math.ceil(need / MiB));
    expect(mibAfter(message, 'A KV budget of')).toBe(budget / MiB);
    expect(message).toContain('ratio 0.2');
    // A smaller chunk or a smaller ratio needs less, and fits.
    expect(planRead(model(8192), prompt(n), REPEAT, { kvBudgetBytes: 8 * MiB, ratio: 0.2, chunkSize: 1024 }).mode).toBe('chunked');
  });

  it('never words the refusal as if the budget were as large as what is needed', () => {
    // Needs 0.949 MiB; the budget is 0.906 MiB. Both round up to "1 MiB".
    const need = (PREFIX + 200 + 2 * 128 + REPEAT) * PER_TOKEN;
    const budget = 950_000;
    expect(budget).toBeLessThan(need);
    const e = errorOf(() => planRead(model(8192), prompt(1000), REPEAT, { kvBudgetBytes: budget, ratio: 0.2, chunkSize: 128 }));
    expect(isLongreadError(e, 'BAD_ARGUMENT'), String(e)).toBe(true);
    const message = (e as Error).message;
    expect(mibAfter(message, 'A KV budget of'), message).toBeLessThan(mibAfter(message, 'needs at least'));
  });

  it('plans no pass past the model positions for a document the model accepts', () => {
    // The longest document checkFits lets through: each piece's repeat pass follows everything read before it.
    const spec = model(8192);
    const n = maxDocumentTokens(spec, prompt(1)) - 50;
    const plan = planRead(spec, prompt(n), REPEAT, { kvBudgetBytes: big, ratio: 0.2 });
    for (const g of spanChunks(prompt(n).span, plan.chunkSize)) expect(g.end + REPEAT + (g.end - g.start), `piece [${g.start}, ${g.end})`).toBeLessThanOrEqual(spec.spec.maxPositions);
  });
});
