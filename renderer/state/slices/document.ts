import type { DocumentInfo, DocumentPart, ReplyError } from '../../../common/contract.js';
import type { DocumentSource } from '../../api/transport.js';
import type { Progress } from '../progress.js';

/**
 * empty → opening (upload, parse, tokenize) → opened (size, time and memory shown; the person decides) → reading →
 * ready. A failure returns to where the person can try again, with the error in place.
 */
export type DocumentPhase = 'empty' | 'opening' | 'opened' | 'reading' | 'ready';

export interface DocumentSlice {
  phase: DocumentPhase;
  operationId: string | null;
  /** The file as the person chose it, kept to open it again with a range. */
  fileName: string | null;
  source: DocumentSource | null;
  info: DocumentInfo | null;
  progress: Progress | null;
  error: ReplyError | null;
  text: string | null;
  parts: DocumentPart[];
}

export const initialDocument = (): DocumentSlice => ({
  phase: 'empty',
  operationId: null,
  fileName: null,
  source: null,
  info: null,
  progress: null,
  error: null,
  text: null,
  parts: [],
});
