import { Buffer } from 'node:buffer';
import { LongreadError } from '../../errors.js';

/**
 * Decodes a text file: UTF-8 with or without BOM, UTF-16 LE/BE with BOM, and, for files that are not valid UTF-8
 * but look like text, Windows-1252 (the usual encoding of older Western text files). Refuses binary data with
 * BINARY_DOCUMENT.
 */
export function decodeTextFile(bytes: Uint8Array, fileName: string): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return refuseBinaryText(decodeUtf16(bytes.subarray(2), 'le'), fileName);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return refuseBinaryText(decodeUtf16(bytes.subarray(2), 'be'), fileName);
  if (bytes.includes(0)) {
    throw binaryDocument(
      fileName,
      'it contains NUL bytes. If it is UTF-16 text, save it again as UTF-8 (or as UTF-16 with a byte order mark)',
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = decodeInvalidUtf8(bytes, fileName);
  }
  return refuseBinaryText(text, fileName);
}

/** Decodes bytes in a named encoding (an HTML charset), falling back to UTF-8 for labels this runtime lacks. */
export function decodeWithCharset(bytes: Uint8Array, charset: string): string {
  const label = charset.trim().toLowerCase();
  if (label === 'utf-16le' || label === 'utf-16') return decodeUtf16(bytes, 'le');
  if (label === 'utf-16be') return decodeUtf16(bytes, 'be');
  if (WINDOWS_1252_LABELS.has(label)) return decodeWindows1252(bytes);
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Buffer's UTF-16 decoding works on every Node build (TextDecoder's utf-16be needs full ICU). */
export function decodeUtf16(bytes: Uint8Array, endianness: 'le' | 'be'): string {
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  if (endianness === 'le') return Buffer.from(even.buffer, even.byteOffset, even.byteLength).toString('utf16le');
  return Buffer.from(even).swap16().toString('utf16le');
}

/**
 * Not valid UTF-8: if the valid multi-byte characters outnumber the invalid sequences it is UTF-8 with a few damaged
 * bytes (kept, as U+FFFD); otherwise a legacy 8-bit encoding, unless too many bytes are control or high bytes for
 * text.
 */
function decodeInvalidUtf8(bytes: Uint8Array, fileName: string): string {
  const lossy = new TextDecoder('utf-8').decode(bytes);
  let replacements = 0;
  let validNonAscii = 0;
  for (let i = 0; i < lossy.length; i++) {
    const c = lossy.charCodeAt(i);
    if (c === 0xfffd) replacements++;
    else if (c > 0x7f && !(c >= 0xdc00 && c <= 0xdfff)) validNonAscii++;
  }
  const invalid = replacements - countEncodedReplacementCharacters(bytes);
  if (validNonAscii >= invalid) return lossy;

  let highBytes = 0;
  for (const b of bytes) if (b >= 0x80) highBytes++;
  if (highBytes > bytes.length * 0.3) throw binaryDocument(fileName, 'most of it is not valid UTF-8 text');
  return decodeWindows1252(bytes);
}

function countEncodedReplacementCharacters(bytes: Uint8Array): number {
  let count = 0;
  for (let i = bytes.indexOf(0xef); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) count++;
  }
  return count;
}

// Bytes 0x80–0x9F in Windows-1252 (the WHATWG table; the five unassigned ones stay C1 controls).
const WINDOWS_1252_HIGH =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';
const WINDOWS_1252_LABELS = new Set(['windows-1252', 'cp1252', 'x-cp1252', 'iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii']);

/** By hand: Node 20's TextDecoder decodes "windows-1252" as ISO-8859-1, losing curly quotes and dashes. */
function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]);
}

/** Text is refused if it has NUL characters or more than 1% control characters other than tab, newlines and escape. */
function refuseBinaryText(text: string, fileName: string): string {
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw binaryDocument(fileName, 'it contains NUL characters');
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x0b && c !== 0x1b) || c === 0x7f) controls++;
  }
  if (controls > text.length * 0.01) throw binaryDocument(fileName, 'it contains many control characters');
  return text;
}

function binaryDocument(fileName: string, why: string): LongreadError {
  return new LongreadError(
    'BINARY_DOCUMENT',
    `${fileName} does not look like a text file: ${why}. If it is another kind of document, give it its real extension ` +
      '(for example .pdf or .docx).',
  );
}
