/** Builders for the documents the tests read: every input is made here, at test time; none is committed. */
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';

export interface PdfPageSpec {
  /** Lines drawn top to bottom, one text-showing operation each. */
  lines: string[];
}

export async function buildPdf(pages: PdfPageSpec[], opts: { title?: string; userPassword?: string } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  // Fixed dates keep the bytes, and so the fuzz test's variants, the same from run to run.
  doc.setCreationDate(new Date(Date.UTC(2024, 0, 1)));
  doc.setModificationDate(new Date(Date.UTC(2024, 0, 1)));
  if (opts.title) doc.setTitle(opts.title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const spec of pages) {
    const page = doc.addPage([420, 600]);
    spec.lines.forEach((line, i) => page.drawText(line, { x: 40, y: 560 - i * 14, size: 11, font }));
  }
  if (opts.userPassword) doc.encrypt({ userPassword: opts.userPassword, ownerPassword: `${opts.userPassword}-owner` });
  return doc.save();
}

/** The three-page document most PDF tests use; page 2 hyphenates "information" across two lines. */
export const THREE_PAGES: PdfPageSpec[] = [
  { lines: ['Chapter one begins here.', 'It has two lines.'] },
  { lines: ['This page carries infor-', 'mation split across lines.'] },
  { lines: ['The third and last page.'] },
];

/** `count` pages of `linesPerPage` lines of filler text. */
export function manyPages(count: number, linesPerPage = 40): PdfPageSpec[] {
  return Array.from({ length: count }, (_, p) => ({
    lines: Array.from({ length: linesPerPage }, (_, l) => `Page ${p + 1} line ${l + 1}: the quick brown fox jumps over the lazy dog.`),
  }));
}

export async function buildImageOnlyPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const image = await doc.embedPng(buildPng(32, 32));
  for (let i = 0; i < 2; i++) doc.addPage([200, 200]).drawImage(image, { x: 20, y: 20, width: 160, height: 160 });
  return doc.save();
}

/** A valid RGB PNG with a gradient, built by hand: signature, IHDR, one zlib IDAT, IEND. */
export function buildPng(width: number, height: number): Uint8Array {
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0); // filter: none
    for (let x = 0; x < width; x++) rows.push((x * 255) / width, (y * 255) / height, 128);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.from(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

export async function buildDocx(opts: { title?: string } = {}): Promise<Uint8Array> {
  const doc = new Document({
    ...(opts.title ? { title: opts.title } : {}),
    sections: [
      {
        children: [
          new Paragraph({ text: 'Introduction', heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ children: [new TextRun('The first paragraph, with '), new TextRun({ text: 'bold & plain', bold: true }), new TextRun(' words.')] }),
          new Paragraph({ text: 'A second paragraph.' }),
          new Paragraph({ text: 'Details', heading: HeadingLevel.HEADING_2 }),
          new Paragraph({ text: 'Closing words of the details.' }),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
