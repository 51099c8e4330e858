import { isLongreadError, LongreadError } from '../../errors.js';
import { titleFromFileName } from './formats.js';
import { cancelledError, emptyFileError, noTextError, timedOutError } from './ingest-errors.js';
import type { DocumentFormat, DocumentText, ParsedDocument } from './types.js';

export interface ParseOptions {
  /** For messages and the fallback title; default `document.<format>`. */
  fileName?: string;
  onProgress?: (done: number, total: number) => void;
  /**
   * In this thread, cancelling and the time limit can only stop parsing at its asynchronous steps (between PDF
   * pages, for example); ingestBytes and ingestFile run this in a worker that they terminate instead.
   */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Parses a document's bytes in the calling thread: the parse worker's job, exported for tests. May take ownership of
 * `bytes` (the PDF parser can detach their buffer). Fails only with a LongreadError: documents codes for anything
 * wrong with the document, CANCELLED, and INTERNAL for a bug in the parsers.
 */
export async function parseDocumentBytes(format: DocumentFormat, bytes: Uint8Array, opts: ParseOptions = {}): Promise<DocumentText> {
  const fileName = opts.fileName ?? `document.${format}`;
  if (bytes.length === 0) throw emptyFileError(fileName);

  const stop = new AbortController();
  const stopped = new Promise<never>((_, reject) => stop.signal.addEventListener('abort', () => reject(stop.signal.reason)));
  const cancel = (): void => stop.abort(cancelledError(fileName));
  if (opts.signal?.aborted) cancel();
  opts.signal?.addEventListener('abort', cancel);
  const timeoutMs = opts.timeoutMs;
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop.abort(timedOutError(fileName, timeoutMs)), timeoutMs);
  try {
    const parsing = parseFormat(format, bytes, fileName, { onProgress: opts.onProgress, signal: stop.signal });
    const parsed = await Promise.race([parsing, stopped]);
    if (parsed.text.trim() === '') throw noTextError(fileName);
    if (format !== 'pdf') opts.onProgress?.(1, 1);
    return {
      title: parsed.title || titleFromFileName(fileName),
      format,
      text: parsed.text,
      parts: parsed.parts,
      ...(parsed.pageCount === undefined ? {} : { pageCount: parsed.pageCount }),
    };
  } catch (e) {
    throw asLongreadError(e, fileName);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', cancel);
    if (!stop.signal.aborted) stop.abort(cancelledError(fileName));
  }
}

async function parseFormat(
  format: DocumentFormat,
  bytes: Uint8Array,
  fileName: string,
  opts: { onProgress?: (done: number, total: number) => void; signal: AbortSignal },
): Promise<ParsedDocument> {
  // Parsers load on demand: a worker reading a text file need not load pdf.js.
  switch (format) {
    case 'txt':
      return (await import('./plain-text.js')).parsePlainText(bytes, fileName);
    case 'md':
      return (await import('./markdown.js')).parseMarkdown(bytes, fileName);
    case 'html':
      return (await import('./html.js')).parseHtml(bytes);
    case 'docx':
      return (await import('./docx.js')).parseDocx(bytes, fileName);
    case 'pdf':
      return (await import('./pdf.js')).parsePdf(bytes, fileName, opts);
  }
}

function asLongreadError(e: unknown, fileName: string): LongreadError {
  if (isLongreadError(e)) return e;
  if (e instanceof RangeError && /invalid (string|array) length/i.test(e.message)) {
    return new LongreadError('DOCUMENT_TOO_LARGE', `The text of ${fileName} is too long to hold in memory; split the document and read the parts.`);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new LongreadError('INTERNAL', `Reading ${fileName} failed unexpectedly (${message}). This is a bug in Longread; please report it.`, { cause: e });
}
