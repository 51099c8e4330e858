import type { ReplyError } from '../../common/contract.js';
import { formatBytes } from './format.js';

/** What the drop zone and the Open button take (the engine reads these formats). */
export const DOCUMENT_EXTENSIONS = ['.txt', '.md', '.markdown', '.pdf', '.docx', '.html', '.htm'];
export const DOCUMENT_ACCEPT = DOCUMENT_EXTENSIONS.join(',');

/** A file the UI can tell at once it should not send: an unknown type, or more than the host takes. */
export function checkDocumentFile(name: string, bytes: number, maxBytes: number | null): ReplyError | null {
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot).toLowerCase() : '';
  if (!DOCUMENT_EXTENSIONS.includes(ext)) {
    return {
      code: 'UNSUPPORTED_DOCUMENT',
      message: `“${name}” is not a kind of file Longread reads. Open a text, Markdown, PDF, Word (.docx) or HTML file.`,
    };
  }
  if (bytes === 0) return { code: 'DOCUMENT_EMPTY', message: `“${name}” is empty.` };
  if (maxBytes !== null && maxBytes > 0 && bytes > maxBytes) {
    return {
      code: 'DOCUMENT_TOO_LARGE',
      message: `“${name}” is ${formatBytes(bytes)}; this server takes files up to ${formatBytes(maxBytes)}. Split it, or use the desktop app.`,
    };
  }
  return null;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
