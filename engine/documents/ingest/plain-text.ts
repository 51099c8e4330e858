import { cleanText } from './clean-text.js';
import { decodeTextFile } from './decode-text.js';
import type { ParsedDocument } from './types.js';

/** Plain text has no structure to report: its parts are empty and its title is the file name. */
export function parsePlainText(bytes: Uint8Array, fileName: string): ParsedDocument {
  return { text: cleanText(decodeTextFile(bytes, fileName)), parts: [] };
}
