import type { ErrorCode } from '../../errors.js';
import type { DocumentFormat, DocumentText } from './types.js';

/** The parse worker's workerData; `bytes` arrives transferred, not copied. */
export interface ParseRequest {
  format: DocumentFormat;
  fileName: string;
  bytes: Uint8Array;
}

export type ParseWorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'result'; value: DocumentText }
  | { type: 'error'; code: ErrorCode; message: string };
