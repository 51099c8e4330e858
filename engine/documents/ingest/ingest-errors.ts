import { LongreadError } from '../../errors.js';

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

/** "1.2 MB", "20 bytes": for messages. */
function formatByteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} ${units[unit]}`;
}
