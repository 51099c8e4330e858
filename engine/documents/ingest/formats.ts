import * as path from 'node:path';
import { LongreadError } from '../../errors.js';
import type { DocumentFormat } from './types.js';

const FORMAT_BY_EXTENSION: Readonly<Record<string, DocumentFormat>> = {
  '.txt': 'txt',
  '.md': 'md',
  '.markdown': 'md',
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.html': 'html',
  '.htm': 'html',
};

export const SUPPORTED_EXTENSIONS: readonly string[] = Object.freeze(Object.keys(FORMAT_BY_EXTENSION));

/** The format a file name's extension (any case) says; throws UNSUPPORTED_DOCUMENT naming the supported types. */
export function formatOf(fileName: string): DocumentFormat {
  const extension = path.extname(fileName).toLowerCase();
  const format = FORMAT_BY_EXTENSION[extension];
  if (format) return format;
  const what = extension ? `${extension} files are not supported` : 'files without an extension are not supported';
  throw new LongreadError(
    'UNSUPPORTED_DOCUMENT',
    `Cannot read ${path.basename(fileName)}: ${what}. Longread reads ${SUPPORTED_EXTENSIONS.join(', ')} files; ` +
      'save or export the document in one of these formats.',
  );
}

/** "Annual Report.final.pdf" → "Annual Report.final". */
export function titleFromFileName(fileName: string): string {
  const base = path.basename(fileName);
  const extension = path.extname(base);
  return (extension ? base.slice(0, -extension.length) : base).trim() || base;
}
