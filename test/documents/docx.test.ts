import { describe, expect, test } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { ingestBytes } from '../../engine/documents/ingest/index.js';
import { parseDocumentBytes } from '../../engine/documents/ingest/parse.js';
import { documentProblem } from './document-invariants.js';
import { buildDocx } from './build-inputs.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (isLongreadError(e)) return e.code;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('DOCX', () => {
  test('headings and paragraphs are kept; sections start at headings; the title is the core title', async () => {
    const doc = await parseDocumentBytes('docx', await buildDocx({ title: 'Annual Review' }), { fileName: 'review.docx' });
    expect(documentProblem(doc)).toBeNull();
    expect(doc.title).toBe('Annual Review');
    expect(doc.text).toBe(
      'Introduction\n\nThe first paragraph, with bold & plain words.\n\nA second paragraph.\n\nDetails\n\nClosing words of the details.',
    );
    expect(doc.parts.map((p) => [p.kind, p.label])).toEqual([['section', 'Introduction'], ['section', 'Details']]);
    expect(doc.parts.map((p) => doc.text.slice(p.start, p.end))).toEqual([
      'Introduction\n\nThe first paragraph, with bold & plain words.\n\nA second paragraph.',
      'Details\n\nClosing words of the details.',
    ]);
  });

  test('through the worker, without a core title: titled by the file name', async () => {
    const doc = await ingestBytes('minutes.docx', await buildDocx());
    expect(doc.title).toBe('minutes');
    expect(doc.format).toBe('docx');
    expect(doc.parts).toHaveLength(2);
  });

  test('bytes that are not a zip, and a truncated .docx, are DOCUMENT_CORRUPT', async () => {
    expect(await codeOf(parseDocumentBytes('docx', new TextEncoder().encode('PK\u0003\u0004 not really a zip archive')))).toBe('DOCUMENT_CORRUPT');
    const docx = await buildDocx();
    expect(await codeOf(parseDocumentBytes('docx', docx.slice(0, docx.length / 2)))).toBe('DOCUMENT_CORRUPT');
  });
});
