import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { formatOf, ingestBytes, ingestFile, SUPPORTED_EXTENSIONS } from '../../engine/documents/ingest/index.js';
import { parseDocumentBytes } from '../../engine/documents/ingest/parse.js';
import { documentProblem } from './document-invariants.js';
import { utf8 } from './build-inputs.js';

const SAMPLE = 'Héllo wörld — ✓ 😀\nsecond line\n';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-ingest-text-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

function utf16(text: string, endianness: 'le' | 'be'): Uint8Array {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  return endianness === 'le' ? le : Buffer.from(le).swap16();
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    if (!isLongreadError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a rejection');
}

describe('plain text files (through ingestFile and the worker)', () => {
  test.each([
    ['UTF-8', utf8(SAMPLE)],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(SAMPLE)])],
    ['UTF-16 LE with BOM', utf16(SAMPLE, 'le')],
    ['UTF-16 BE with BOM', utf16(SAMPLE, 'be')],
    ['CRLF line ends', utf8(SAMPLE.replace(/\n/g, '\r\n'))],
  ])('%s', async (name, bytes) => {
    const doc = await ingestFile(writeFile(`${name}.txt`, bytes));
    expect(doc.text).toBe(SAMPLE);
    expect(doc).toMatchObject({ format: 'txt', title: name, parts: [] });
    expect(documentProblem(doc)).toBeNull();
  });

  test('old Mac line ends (CR) become LF too', async () => {
    const doc = await parseDocumentBytes('txt', utf8('one\rtwo\r\nthree'));
    expect(doc.text).toBe('one\ntwo\nthree');
  });

  test('a Windows-1252 file that is not UTF-8 is read as Windows-1252', async () => {
    const doc = await parseDocumentBytes('txt', Buffer.from('Caf\xe9 cr\xe8me \x93quoted\x94 and more plain ASCII text around it', 'latin1'));
    expect(doc.text).toBe('Café crème “quoted” and more plain ASCII text around it');
  });

  test('UTF-8 with one damaged byte keeps its other characters', async () => {
    const bytes = Buffer.concat([utf8('naïve café — '), Buffer.from([0xc3]), utf8(' déjà vu')]);
    expect((await parseDocumentBytes('txt', bytes)).text).toBe('naïve café — \uFFFD déjà vu');
  });

  test('a binary file with a .txt extension is refused', async () => {
    const binary = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    const refused = await rejection(ingestBytes('photo.txt', binary));
    expect(refused.code).toBe('BINARY_DOCUMENT');
    expect(refused.message).toContain('photo.txt');
  });

  test('high bytes without NULs that are not text are refused too', async () => {
    const noise = new Uint8Array(4096).map((_, i) => 0x80 + ((i * 7919) % 128));
    expect((await rejection(parseDocumentBytes('txt', noise))).code).toBe('BINARY_DOCUMENT');
    const controls = new Uint8Array(4096).map((_, i) => (i % 3 === 0 ? 0x01 : 0x41));
    expect((await rejection(parseDocumentBytes('txt', controls))).code).toBe('BINARY_DOCUMENT');
  });

  test('text is never returned with NUL or control characters', async () => {
    const doc = await parseDocumentBytes('txt', utf8(`a\u0007b${'c'.repeat(200)}\u001bd\te`));
    expect(doc.text).toBe(`ab${'c'.repeat(200)}d\te`);
  });

  test('an empty file and a whitespace-only file are refused', async () => {
    expect((await rejection(ingestFile(writeFile('empty.txt', new Uint8Array(0))))).code).toBe('DOCUMENT_EMPTY');
    expect((await rejection(parseDocumentBytes('txt', utf8(' \r\n\t\n')))).code).toBe('DOCUMENT_EMPTY');
  });
});

describe('ingestBytes', () => {
  test("leaves the caller's bytes alone (even a Buffer sharing a pool) and reports progress", async () => {
    const bytes = Buffer.from('some short text');
    const progress: number[][] = [];
    const doc = await ingestBytes('short.txt', bytes, { onProgress: (done, total) => progress.push([done, total]) });
    expect(doc.text).toBe('some short text');
    expect(bytes.toString()).toBe('some short text');
    expect(progress).toEqual([[1, 1]]);
  });

  test("an error thrown by the caller's progress callback comes back as the rejection", async () => {
    const failure = new Error('callback broke');
    await expect(ingestBytes('short.txt', utf8('text'), { onProgress: () => { throw failure; } })).rejects.toBe(failure);
  });
});

describe('file checks', () => {
  test('a file over maxBytes is refused, naming its size and the limit', async () => {
    const file = writeFile('big.txt', utf8('x'.repeat(40)));
    const refused = await rejection(ingestFile(file, { maxBytes: 16 }));
    expect(refused.code).toBe('DOCUMENT_TOO_LARGE');
    expect(refused.message).toContain('big.txt is 40 bytes');
    expect(refused.message).toContain('16 bytes');
    expect((await rejection(ingestBytes('big.txt', utf8('x'.repeat(3000)), { maxBytes: 2048 }))).message).toContain('2.9 KB');
  });

  test('a directory is refused, naming the path', async () => {
    const folder = path.join(dir, 'a-folder.txt');
    fs.mkdirSync(folder);
    const refused = await rejection(ingestFile(folder));
    expect(refused.code).toBe('UNSUPPORTED_DOCUMENT');
    expect(refused.message).toContain(folder);
    expect(refused.message).toContain('folder');
  });

  test.skipIf(process.platform === 'win32')('a FIFO is refused without waiting for a writer', async () => {
    const fifo = path.join(dir, 'pipe.txt');
    execFileSync('mkfifo', [fifo]);
    const refused = await rejection(ingestFile(fifo));
    expect(refused.code).toBe('UNSUPPORTED_DOCUMENT');
    expect(refused.message).toContain('named pipe');
  });

  test('a missing file is MISSING_FILE', async () => {
    const missing = path.join(dir, 'nope.txt');
    const refused = await rejection(ingestFile(missing));
    expect(refused).toMatchObject({ code: 'MISSING_FILE' });
    expect(refused.message).toContain(missing);
  });

  test('an unsupported extension is refused, listing the supported ones', async () => {
    const refused = await rejection(ingestBytes('slides.pptx', utf8('whatever')));
    expect(refused.code).toBe('UNSUPPORTED_DOCUMENT');
    for (const extension of SUPPORTED_EXTENSIONS) expect(refused.message).toContain(extension);
    expect(() => formatOf('README')).toThrow(/without an extension/);
  });

  test('formatOf maps every supported extension, in any case', () => {
    expect(SUPPORTED_EXTENSIONS).toEqual(['.txt', '.md', '.markdown', '.pdf', '.docx', '.html', '.htm']);
    expect(['a.TXT', 'b.md', 'c.Markdown', 'd.PDF', 'e.docx', 'f.html', 'g.HTM'].map(formatOf)).toEqual(['txt', 'md', 'md', 'pdf', 'docx', 'html', 'html']);
  });
});
