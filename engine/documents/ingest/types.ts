export type DocumentFormat = 'txt' | 'md' | 'pdf' | 'docx' | 'html';

/** A page or a section of the extracted text, as character offsets into `DocumentText.text`: [start, end). */
export interface DocumentPart {
  kind: 'page' | 'section';
  label: string;
  start: number;
  end: number;
}

export interface DocumentText {
  title: string;
  format: DocumentFormat;
  text: string;
  /** Sorted and non-overlapping. Pages for PDFs; sections at headings for Markdown, HTML and DOCX; none for plain text. */
  parts: DocumentPart[];
  pageCount?: number;
}

export interface IngestOptions {
  /** Larger documents are refused with DOCUMENT_TOO_LARGE. Default DEFAULT_MAX_DOCUMENT_BYTES. */
  maxBytes?: number;
  /** Aborting rejects with CANCELLED and stops the parsing thread. */
  signal?: AbortSignal;
  /** Pages parsed of total for PDFs; (1, 1) when other formats are done. */
  onProgress?: (done: number, total: number) => void;
  /** Parsing that takes longer is stopped with DOCUMENT_CORRUPT. No limit by default. */
  timeoutMs?: number;
}

export const DEFAULT_MAX_DOCUMENT_BYTES = 200 * 1024 * 1024;

/** What the format parsers produce; the title falls back to the file name when they find none. */
export interface ParsedDocument {
  title?: string;
  text: string;
  parts: DocumentPart[];
  pageCount?: number;
}
