/**
 * Every failure the engine reports to a person goes through this class: `code` is stable and machine-readable
 * (the UI and tests switch on it), `message` says exactly what is wrong and, where possible, what to do.
 */
export type ErrorCode =
  | 'MISSING_FILE'
  | 'NOT_A_MODEL_FOLDER'
  | 'UNSUPPORTED_ARCHITECTURE'
  | 'BAD_CONFIG'
  | 'CORRUPT_SAFETENSORS'
  | 'TRUNCATED_SAFETENSORS'
  | 'MISSING_TENSOR'
  | 'TENSOR_SHAPE'
  | 'UNSUPPORTED_DTYPE'
  | 'DOWNLOAD_FAILED'
  | 'CHECKSUM_MISMATCH'
  | 'CONTEXT_TOO_LONG'
  | 'TOKENIZER'
  | 'EXECUTION_PROVIDER'
  | 'WORKER_CRASHED'
  | 'CANCELLED'
  | 'BAD_ARGUMENT'
  | 'CACHE_FILE'
  // documents
  | 'DOCUMENT_EMPTY'
  | 'UNSUPPORTED_DOCUMENT'
  | 'DOCUMENT_TOO_LARGE'
  | 'BINARY_DOCUMENT'
  | 'PDF_NO_TEXT'
  | 'PDF_ENCRYPTED'
  | 'DOCUMENT_CORRUPT'
  // library and host
  | 'LIBRARY'
  | 'NOT_FOUND'
  | 'BUSY'
  | 'NUMERICS'
  | 'INTERNAL';

export class LongreadError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LongreadError';
    this.code = code;
  }
}

export function isLongreadError(e: unknown, code?: ErrorCode): e is LongreadError {
  return e instanceof LongreadError && (code === undefined || e.code === code);
}
