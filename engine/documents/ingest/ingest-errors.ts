import { LongreadError } from '../../errors.js';
import { formatByteSize } from './formats.js';

export function cancelledError(fileName: string): LongreadError {
  return new LongreadError('CANCELLED', `Reading ${fileName} was cancelled.`);
}

export function timedOutError(fileName: string, timeoutMs: number): LongreadError {
  const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Number((timeoutMs / 1000).toFixed(1))} s`;
  return new LongreadError(
    'DOCUMENT_CORRUPT',
    `Reading ${fileName} took longer than ${limit}, so it was stopped; the file may be damaged or unusually complex. ` +
      'If it opens normally elsewhere, save it again (or split it) and retry.',
  );
}

export function tooLargeError(fileName: string, size: number, maxBytes: number): LongreadError {
  return new LongreadError(
    'DOCUMENT_TOO_LARGE',
    `${fileName} is ${formatByteSize(size)}; the largest document Longread reads is ${formatByteSize(maxBytes)}. ` +
      'Split it into smaller files, or export only the part you need.',
  );
}

export function emptyFileError(fileName: string): LongreadError {
  return new LongreadError('DOCUMENT_EMPTY', `${fileName} is empty; there is nothing to read.`);
}

export function noTextError(fileName: string): LongreadError {
  return new LongreadError('DOCUMENT_EMPTY', `${fileName} contains no readable text; there is nothing to read.`);
}
