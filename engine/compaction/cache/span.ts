import { LongreadError } from '../../errors.js';

/** Token positions [start, end) of the document inside the cache; the prefix and suffix around it stay verbatim. */
export interface DocumentSpan {
  start: number;
  end: number;
}

/** One compaction chunk of the document: positions [start, end). */
export interface SpanChunk {
  index: number;
  start: number;
  end: number;
}

/** Default chunk size: long enough for the method to see context, short enough that cost stays linear. */
export const DEFAULT_CHUNK_SIZE = 2048;

/** Splits the span into consecutive chunks of `chunkSize` positions (the last one may be shorter). */
export function spanChunks(span: DocumentSpan, chunkSize = DEFAULT_CHUNK_SIZE): SpanChunk[] {
  validateSpan(span);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new LongreadError('BAD_ARGUMENT', `the chunk size must be a positive integer, got ${chunkSize}`);
  }
  const chunks: SpanChunk[] = [];
  for (let s = span.start, i = 0; s < span.end; s += chunkSize, i++) chunks.push({ index: i, start: s, end: Math.min(span.end, s + chunkSize) });
  return chunks;
}

/** Index of the chunk holding `position`, or -1 outside the span. */
export function chunkOf(span: DocumentSpan, chunkSize: number, position: number): number {
  if (position < span.start || position >= span.end) return -1;
  return Math.floor((position - span.start) / chunkSize);
}

export function validateSpan(span: DocumentSpan): void {
  if (!Number.isInteger(span.start) || !Number.isInteger(span.end) || span.start < 0 || span.end <= span.start) {
    throw new LongreadError('BAD_ARGUMENT', `the document span must be integers 0 ≤ start < end, got [${span.start}, ${span.end})`);
  }
}
