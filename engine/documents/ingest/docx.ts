import { Buffer } from 'node:buffer';
import mammoth from 'mammoth';
import { parseDocument } from 'htmlparser2';
import { findOne, textContent } from 'domutils';
import { LongreadError } from '../../errors.js';
import { shortLabel } from './clean-text.js';
import { htmlToDocument } from './html.js';
import type { ParsedDocument } from './types.js';
import { readZipEntry } from './zip.js';

const STYLE_MAP = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => h2:fresh"];

/**
 * Converts a .docx to HTML with mammoth (headings, paragraphs, lists and tables survive; images are dropped) and
 * reads that like any HTML page. The title is the document's own (core properties) title.
 */
export async function parseDocx(bytes: Uint8Array, fileName: string): Promise<ParsedDocument> {
  let html: string;
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const result = await mammoth.convertToHtml(
      { buffer },
      { styleMap: STYLE_MAP, externalFileAccess: false, convertImage: mammoth.images.imgElement(async () => ({ src: '' })) },
    );
    html = result.value;
  } catch (e) {
    throw new LongreadError(
      'DOCUMENT_CORRUPT',
      `${fileName} is not a readable .docx file (${describeFailure(e)}). If it opens in Word or LibreOffice, save it ` +
        'again as .docx and try once more.',
    );
  }
  const { text, parts } = htmlToDocument(html);
  return { title: coreTitle(bytes), text, parts };
}

function describeFailure(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/central directory|zip/i.test(message)) return 'it is not a zip archive, or the archive is damaged';
  if (/main document part/i.test(message)) return 'it has no document body';
  return `it is damaged: ${shortLabel(message, 120)}`;
}

function coreTitle(bytes: Uint8Array): string | undefined {
  const xml = readZipEntry(bytes, 'docProps/core.xml', 1024 * 1024);
  if (!xml) return undefined;
  const document = parseDocument(new TextDecoder().decode(xml), { xmlMode: true });
  const title = findOne((element) => /(?:^|:)title$/.test(element.name), document.children);
  return title ? shortLabel(textContent(title)) || undefined : undefined;
}
