import { createRequire } from 'node:module';
import * as path from 'node:path';
import { getDocument, VerbosityLevel, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { LongreadError } from '../../errors.js';
import { shortLabel } from './clean-text.js';
import { pageTextOf } from './pdf-page-text.js';
import { TextAssembler } from './text-assembler.js';
import type { ParsedDocument } from './types.js';

export interface PdfParseOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Extracts a PDF's text page by page with pdf.js (in this thread: pdf.js's own worker is not used). One part per
 * page, labelled with the PDF's page label or its number; pages are separated by a blank line.
 * Takes ownership of `bytes`: pdf.js may transfer (detach) their buffer.
 */
export async function parsePdf(bytes: Uint8Array, fileName: string, opts: PdfParseOptions = {}): Promise<ParsedDocument> {
  const task = getDocument({
    // pdf.js refuses Node Buffers; a plain view on the same memory is fine.
    data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    // Nothing is fetched, evaluated or installed: no network, no `eval`, no font faces, no system fonts. The
    // standard fonts and CMaps some PDFs need come from pdfjs-dist's own folder.
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    useWasm: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    enableXfa: false,
    standardFontDataUrl: pdfjsAsset('standard_fonts'),
    cMapUrl: pdfjsAsset('cmaps'),
    cMapPacked: true,
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    let pdf: PDFDocumentProxy;
    try {
      pdf = await task.promise;
    } catch (e) {
      throw loadFailure(e, fileName);
    }
    return await readPages(pdf, fileName, opts);
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

async function readPages(pdf: PDFDocumentProxy, fileName: string, opts: PdfParseOptions): Promise<ParsedDocument> {
  const pageCount = pdf.numPages;
  if (pageCount === 0) throw new LongreadError('DOCUMENT_EMPTY', `${fileName} has no pages; there is nothing to read.`);
  const labels = await pdf.getPageLabels().catch(() => null);
  const assembler = new TextAssembler();
  let hasText = false;
  for (let pageNumber = 1; pageNumber <= pageCount; pageNumber++) {
    if (opts.signal?.aborted) throw new LongreadError('CANCELLED', `Reading ${fileName} was cancelled.`);
    const text = await readPageText(pdf, pageNumber, fileName);
    hasText ||= text.trim() !== '';
    assembler.appendPage(shortLabel(labels?.[pageNumber - 1] ?? '') || String(pageNumber), text);
    opts.onProgress?.(pageNumber, pageCount);
  }
  if (!hasText) {
    throw new LongreadError(
      'PDF_NO_TEXT',
      `This PDF has no text layer (it looks scanned); OCR is not supported. Run ${fileName} through an OCR tool ` +
        '(many scanners and PDF editors have one) and open the result.',
    );
  }
  const { text, parts } = assembler.finish();
  return { title: await readTitle(pdf), text, parts, pageCount };
}

async function readPageText(pdf: PDFDocumentProxy, pageNumber: number, fileName: string): Promise<string> {
  let page: PDFPageProxy | undefined;
  try {
    page = await pdf.getPage(pageNumber);
    const content = await page.getTextContent();
    return pageTextOf(content.items);
  } catch (e) {
    throw new LongreadError(
      'DOCUMENT_CORRUPT',
      `Page ${pageNumber} of ${fileName} could not be read (${reason(e)}); the PDF is damaged. Opening it in a PDF ` +
        'viewer and saving or printing it to a new PDF often repairs it.',
    );
  } finally {
    page?.cleanup();
  }
}

async function readTitle(pdf: PDFDocumentProxy): Promise<string | undefined> {
  const { info, metadata } = await pdf.getMetadata().catch(() => ({ info: {}, metadata: null }));
  const infoTitle = (info as { Title?: unknown }).Title;
  const title = typeof infoTitle === 'string' && infoTitle.trim() ? infoTitle : metadata?.get('dc:title');
  return typeof title === 'string' ? shortLabel(title) || undefined : undefined;
}

function loadFailure(e: unknown, fileName: string): LongreadError {
  const name = e instanceof Error ? e.name : '';
  if (name === 'PasswordException') {
    return new LongreadError(
      'PDF_ENCRYPTED',
      `This PDF is password-protected (${fileName}); Longread cannot open it. Save a copy without the password ` +
        '(for example with "Print to PDF" in a viewer where you can open it) and read that instead.',
    );
  }
  return new LongreadError(
    'DOCUMENT_CORRUPT',
    `${fileName} is not a readable PDF (${reason(e)}). If it opens in a PDF viewer, save or print it to a new PDF ` +
      'and try that.',
  );
}

function reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return shortLabel(message.replace(/\.$/, ''), 120) || 'unknown error';
}

let assetsDir: string | undefined;

/** A folder shipped with pdfjs-dist, as the path (with the trailing slash pdf.js requires) its Node loaders read. */
function pdfjsAsset(folder: string): string {
  assetsDir ??= path.resolve(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs')), '../..');
  return `${path.join(assetsDir, folder)}/`;
}
