import * as path from 'node:path';
import { formatOf } from './formats.js';
import { cancelledError, emptyFileError, tooLargeError } from './ingest-errors.js';
import { parseInWorker } from './parse-in-worker.js';
import { openRegularFile, readWhole } from './read-file.js';
import { DEFAULT_MAX_DOCUMENT_BYTES, type DocumentText, type IngestOptions } from './types.js';

export { formatOf, SUPPORTED_EXTENSIONS } from './formats.js';
export { DEFAULT_MAX_DOCUMENT_BYTES } from './types.js';
export type { DocumentFormat, DocumentPart, DocumentText, IngestOptions } from './types.js';

/**
 * Reads a document file: checks that it is a regular file of a supported type within the size limit (from fstat,
 * before reading), then extracts its text in a worker thread.
 */
export async function ingestFile(filePath: string, opts: IngestOptions = {}): Promise<DocumentText> {
  const fileName = path.basename(filePath);
  const file = await openRegularFile(filePath);
  try {
    const format = formatOf(fileName);
    checkSize(fileName, file.size, opts.maxBytes);
    if (opts.signal?.aborted) throw cancelledError(fileName);
    const bytes = await readWhole(file, opts.signal, fileName);
    if (bytes.length === 0) throw emptyFileError(fileName);
    return await parseInWorker(format, fileName, bytes, opts);
  } finally {
    await file.handle.close();
  }
}

/**
 * Extracts the text of a document held in memory, in a worker thread. `fileName` gives the format (by extension),
 * the fallback title and the name used in messages. The caller's bytes are left untouched: they are copied once,
 * and the copy is transferred to the worker.
 */
export async function ingestBytes(fileName: string, bytes: Uint8Array, opts: IngestOptions = {}): Promise<DocumentText> {
  const name = path.basename(fileName);
  const format = formatOf(name);
  checkSize(name, bytes.length, opts.maxBytes);
  if (bytes.length === 0) throw emptyFileError(name);
  if (opts.signal?.aborted) throw cancelledError(name);
  // A copy of its own (not Buffer#slice, which shares memory) so that transferring it leaves the caller's bytes alone.
  return parseInWorker(format, name, new Uint8Array(bytes), opts);
}

function checkSize(fileName: string, size: number, maxBytes = DEFAULT_MAX_DOCUMENT_BYTES): void {
  if (size > maxBytes) throw tooLargeError(fileName, size, maxBytes);
}
