import { PDFDocument, PDFName } from '@cantoo/pdf-lib';
import { describe, expect, test } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { ingestBytes } from '../../engine/documents/ingest/index.js';
import { parseDocumentBytes } from '../../engine/documents/ingest/parse.js';
import { pageTextOf, type PdfTextItem } from '../../engine/documents/ingest/pdf-page-text.js';
import { documentProblem } from './document-invariants.js';
import { buildImageOnlyPdf, buildPdf, THREE_PAGES } from './build-inputs.js';

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    if (isLongreadError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

const EXPECTED_PAGES = [
  'Chapter one begins here.\nIt has two lines.',
  'This page carries information split across lines.',
  'The third and last page.',
];

describe('PDF', () => {
  test('text per page, page parts labelled 1..3 that slice out each page, hyphenation joined, metadata title', async () => {
    const progress: string[] = [];
    const doc = await parseDocumentBytes('pdf', await buildPdf(THREE_PAGES, { title: 'A Study of Pages' }), {
      fileName: 'study.pdf',
      onProgress: (done, total) => progress.push(`${done}/${total}`),
    });
    expect(documentProblem(doc)).toBeNull();
    expect(doc).toMatchObject({ title: 'A Study of Pages', format: 'pdf', pageCount: 3 });
    expect(doc.parts.map((p) => [p.kind, p.label])).toEqual([['page', '1'], ['page', '2'], ['page', '3']]);
    expect(doc.parts.map((p) => doc.text.slice(p.start, p.end))).toEqual(EXPECTED_PAGES);
    expect(doc.text).toBe(EXPECTED_PAGES.join('\n\n'));
    expect(doc.text).not.toContain('infor-');
    expect(progress).toEqual(['1/3', '2/3', '3/3']);
  });

  test('through the worker: the same result, title from the file name when the PDF has none', async () => {
    const doc = await ingestBytes('Quarterly report.pdf', await buildPdf(THREE_PAGES));
    expect(doc.title).toBe('Quarterly report');
    expect(doc.text).toBe(EXPECTED_PAGES.join('\n\n'));
    expect(documentProblem(doc)).toBeNull();
  });

  test("the PDF's own page labels are used", async () => {
    const pdf = await PDFDocument.load(await buildPdf(THREE_PAGES));
    pdf.catalog.set(PDFName.of('PageLabels'), pdf.context.obj({ Nums: [0, { S: 'r' }, 2, { S: 'D', St: 7 }] }));
    const doc = await parseDocumentBytes('pdf', await pdf.save());
    expect(doc.parts.map((p) => p.label)).toEqual(['i', 'ii', '7']);
  });

  test('an image-only (scanned-looking) PDF is PDF_NO_TEXT', async () => {
    const refused = await codeOf(parseDocumentBytes('pdf', await buildImageOnlyPdf(), { fileName: 'scan.pdf' }));
    expect(refused.code).toBe('PDF_NO_TEXT');
    expect(refused.message).toMatch(/no text layer.*OCR is not supported/);
  });

  test('a PDF with a user password is PDF_ENCRYPTED', async () => {
    const refused = await codeOf(parseDocumentBytes('pdf', await buildPdf(THREE_PAGES, { userPassword: 'secret' }), { fileName: 'locked.pdf' }));
    expect(refused.code).toBe('PDF_ENCRYPTED');
    expect(refused.message).toContain('password-protected');
  });

  test('garbage bytes named .pdf are DOCUMENT_CORRUPT', async () => {
    const garbage = new Uint8Array(2000).map((_, i) => (i * 31 + 7) % 251);
    const refused = await codeOf(parseDocumentBytes('pdf', garbage, { fileName: 'broken.pdf' }));
    expect(refused.code).toBe('DOCUMENT_CORRUPT');
    expect(refused.message).toContain('broken.pdf');
  });
});

describe('PDF page layout', () => {
  const item = (str: string, x: number, y: number, width: number, hasEOL = false): PdfTextItem => ({
    str,
    dir: 'ltr',
    transform: [10, 0, 0, 10, x, y],
    width,
    height: 10,
    hasEOL,
  });

  test('items apart on a line get a space; touching items (kerning, font changes) do not', () => {
    expect(pageTextOf([item('Hello', 0, 100, 25), item('world', 30, 100, 25), item('wide', 55, 100, 20)])).toBe('Hello worldwide');
  });

  test('a baseline move is a new line even without hasEOL; marked-content items are ignored', () => {
    expect(pageTextOf([item('one', 0, 100, 15), { type: 'beginMarkedContent' }, item('two', 0, 88, 15)])).toBe('one\ntwo');
  });

  test('a hyphen before a capital, or after a digit, is kept', () => {
    expect(pageTextOf([item('Jean-', 0, 100, 25, true), item('Paul', 0, 88, 20)])).toBe('Jean-\nPaul');
    expect(pageTextOf([item('pages 10-', 0, 100, 45, true), item('twelve', 0, 88, 30)])).toBe('pages 10-\ntwelve');
  });

  test('a soft hyphen at a line end joins; soft hyphens elsewhere vanish', () => {
    expect(pageTextOf([item('hy\u00ADphen\u00AD', 0, 100, 40, true), item('Ation', 0, 88, 20)])).toBe('hyphenAtion');
  });
});
