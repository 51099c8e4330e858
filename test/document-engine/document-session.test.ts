import { describe, expect, it } from 'vitest';
import { documentInfoSchema, documentPartSchema } from '../../common/contract.js';
import type { DocumentPrompt } from '../../engine/compaction/cache/document-prompt.js';
import { answerRoom, checkFits, documentInfo, maxDocumentTokens, selectRange, type OpenedDocument } from '../../engine/documents/document-session.js';
import type { DocumentPart, DocumentText } from '../../engine/documents/ingest/index.js';
import { isLongreadError } from '../../engine/errors.js';
import type { LoadedModel } from '../../engine/load-model.js';
import type { ModelSpec } from '../../engine/model/spec.js';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** `pages` pages of `perPage` characters each ("p1……"), separated by "\n\n" that belongs to no page, plus a section. */
function pagedDocument(pages: number, perPage: number): DocumentText {
  let text = '';
  const parts: DocumentPart[] = [];
  for (let i = 1; i <= pages; i++) {
    if (i > 1) text += '\n\n';
    const start = text.length;
    text += `p${i}`.padEnd(perPage, String.fromCharCode(96 + i));
    parts.push({ kind: 'page', label: String(i), start, end: text.length });
  }
  return { title: 'Paged', format: 'pdf', text, parts, pageCount: pages };
}

/** A model as these functions see it: only its spec. */
function fakeModel(maxPositions: number): LoadedModel {
  return { spec: { numLayers: 4, numKvHeads: 2, headDim: 64, numHeads: 8, maxPositions } as ModelSpec } as LoadedModel;
}

function opened(doc: DocumentText, tokens: number, prefix = 10, suffix = 5): OpenedDocument {
  const prefixIds = new Array<number>(prefix).fill(1);
  const documentIds = new Array<number>(tokens).fill(9);
  const suffixIds = new Array<number>(suffix).fill(2);
  const prompt: DocumentPrompt = { ids: [...prefixIds, ...documentIds, ...suffixIds], span: { start: prefix, end: prefix + tokens }, prefixIds, documentIds, suffixIds };
  return { id: 'doc-1', file: { name: 'paged.pdf', fileBytes: 12345, fileFingerprint: 'f' }, doc, range: null, prompt, charOffsets: new Int32Array(2 * tokens) };
}

describe('selectRange', () => {
  const doc = pagedDocument(4, 10); // pages [0,10) [12,22) [24,34) [36,46)

  it('keeps the whole document when no range is given', () => {
    const r = selectRange(doc, undefined);
    expect(r.range).toBeNull();
    expect(r.doc).toBe(doc);
  });

  it('cuts a character range and clips and re-bases the parts inside it', () => {
    const r = selectRange(doc, { start: 5, end: 30 });
    expect(r.range).toEqual({ start: 5, end: 30 });
    expect(r.doc.text).toBe(doc.text.slice(5, 30));
    expect(r.doc.parts).toEqual([
      { kind: 'page', label: '1', start: 0, end: 5 },
      { kind: 'page', label: '2', start: 7, end: 17 },
      { kind: 'page', label: '3', start: 19, end: 25 },
    ]);
    for (const p of r.doc.parts) {
      expect(() => documentPartSchema.parse(p)).not.toThrow();
      expect(r.doc.text.slice(p.start, p.end)).toBe(doc.text.slice(p.start + 5, p.end + 5));
    }
    expect(r.doc.title).toBe(doc.title);
    // The original is untouched.
    expect(doc.parts[0]).toEqual({ kind: 'page', label: '1', start: 0, end: 10 });
  });

  it('takes an open-ended range to the end or from the start, and clamps an end past the text', () => {
    expect(selectRange(doc, { start: 40 }).doc.text).toBe(doc.text.slice(40));
    expect(selectRange(doc, { end: 3 }).doc.text).toBe('p1a');
    expect(selectRange(doc, { start: 40, end: 10_000 }).range).toEqual({ start: 40, end: doc.text.length });
  });

  it('drops parts that only touch the range', () => {
    expect(selectRange(doc, { start: 10, end: 12 }).doc.parts).toEqual([]);
  });

  it('selects pages (1-based, inclusive) by their character ranges, clamping a last page past the end', () => {
    const r = selectRange(doc, { firstPage: 2, lastPage: 3 });
    expect(r.range).toEqual({ start: 12, end: 34 });
    expect(r.doc.parts.map((p) => [p.label, p.start, p.end])).toEqual([
      ['2', 0, 10],
      ['3', 12, 22],
    ]);
    expect(selectRange(doc, { firstPage: 3, lastPage: 99 }).range).toEqual({ start: 24, end: 46 });
    expect(selectRange(doc, { lastPage: 1 }).doc.text).toBe(doc.text.slice(0, 10));
    expect(selectRange(doc, { firstPage: 4 }).doc.text).toBe(doc.text.slice(36));
  });

  it('refuses an empty range, a page that does not exist, and pages of a document without pages', () => {
    for (const range of [{ start: 5, end: 5 }, { start: 9, end: 3 }, { start: 500 }, { firstPage: 3, lastPage: 2 }]) {
      const e = errorOf(() => selectRange(doc, range));
      expect(isLongreadError(e, 'BAD_ARGUMENT'), JSON.stringify(range)).toBe(true);
    }
    const missing = errorOf(() => selectRange(doc, { firstPage: 5 }));
    expect(isLongreadError(missing, 'BAD_ARGUMENT')).toBe(true);
    expect((missing as Error).message).toContain('4 pages; page 5 does not exist');
    const plain: DocumentText = { title: 't', format: 'txt', text: 'no pages here', parts: [] };
    const noPages = errorOf(() => selectRange(plain, { firstPage: 1 }));
    expect(isLongreadError(noPages, 'BAD_ARGUMENT')).toBe(true);
    expect((noPages as Error).message).toMatch(/no pages/);
  });
});

describe('document fit and info', () => {
  it('leaves room to answer: 512 positions, or a quarter of a short context', () => {
    expect(answerRoom(40_960)).toBe(512);
    expect(answerRoom(2048)).toBe(512);
    expect(answerRoom(512)).toBe(128);
    const o = opened(pagedDocument(1, 10), 10);
    expect(maxDocumentTokens(fakeModel(2048), o.prompt)).toBe(2048 - 10 - 5 - 512);
    expect(maxDocumentTokens(fakeModel(16), o.prompt)).toBe(0);
  });

  it('accepts a document of exactly the most tokens that fit', () => {
    expect(() => checkFits(fakeModel(2048), opened(pagedDocument(10, 1500), 1521))).not.toThrow();
  });

  it('refuses a longer one with CONTEXT_TOO_LONG stating its tokens, the most that fit and the pages that do', () => {
    const doc = pagedDocument(10, 1498); // 10 pages of ~1500 characters (with separators), ~15k characters
    const e = errorOf(() => checkFits(fakeModel(2048), opened(doc, 3000)));
    expect(isLongreadError(e, 'CONTEXT_TOO_LONG'), String(e)).toBe(true);
    const message = (e as Error).message;
    expect(message).toContain('3,000 tokens');
    expect(message).toContain('at most 1,521');
    // 1521/3000 of the text is ~7.6k characters: pages 1–5 end before that.
    expect(message).toContain('about the first 5 of 10 pages');
  });

  it('states the characters that fit when the document has no pages', () => {
    const text = 'x'.repeat(30_000);
    const e = errorOf(() => checkFits(fakeModel(2048), opened({ title: 't', format: 'txt', text, parts: [] }, 6000)));
    expect(isLongreadError(e, 'CONTEXT_TOO_LONG')).toBe(true);
    expect((e as Error).message).toContain(`about the first ${Math.floor((1521 / 6000) * 30_000).toLocaleString('en-US')} characters`);
  });

  it('describes the document: size, tokens, KV bytes in full and at the ratio, reading time, fit and the longest that fits', () => {
    const doc = pagedDocument(3, 400);
    const o = { ...opened(doc, 300), range: { start: 0, end: doc.text.length } };
    const info = documentInfo(fakeModel(2048), o, { ratio: 0.25, prefillTokensPerSec: 600, libraryId: null, state: 'opened' });
    const perToken = 4 * 2 * 2 * 64 * 2; // fp16 K and V
    expect(() => documentInfoSchema.parse(info)).not.toThrow();
    expect(info).toMatchObject({
      documentId: 'doc-1',
      name: 'paged.pdf',
      title: 'Paged',
      format: 'pdf',
      fileBytes: 12345,
      chars: doc.text.length,
      tokens: 300,
      range: { start: 0, end: doc.text.length },
      fits: true,
      maxTokens: 1521,
      maxChars: Math.floor((1521 * doc.text.length) / 300),
      libraryId: null,
      state: 'opened',
    });
    expect(info.estimate).toEqual({
      prefillTokensPerSec: 600,
      readSeconds: (2.2 * 300) / 600,
      kvBytesFull: (10 + 300) * perToken,
      kvBytesAtRatio: Math.round((10 + 0.25 * 300) * perToken),
      ratio: 0.25,
    });
    expect(info.parts).toEqual(doc.parts);
    expect(info.parts[0]).not.toBe(doc.parts[0]);
  });

  it('says a document that is too long does not fit, and reads no time without a measured speed', () => {
    const info = documentInfo(fakeModel(2048), opened(pagedDocument(2, 100), 5000), { ratio: 0.2, prefillTokensPerSec: 0, libraryId: 'lib-1', state: 'ready' });
    expect(info.fits).toBe(false);
    expect(info.estimate.readSeconds).toBe(0);
    expect(info.libraryId).toBe('lib-1');
    expect(() => documentInfoSchema.parse(info)).not.toThrow();
  });
});
