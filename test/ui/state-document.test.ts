import { beforeEach, describe, expect, it } from 'vitest';
import { cancelDocumentOperation, openFile, openRange, readDocument } from '../../renderer/state/actions/document.js';
import { start } from '../../renderer/state/actions/startup.js';
import { read } from '../../renderer/state/store.js';
import { fail, flush, ok, type FakeHost } from './support/fake-host.js';
import { documentInfo, TEXT, view } from './support/fixtures.js';
import { happyHost } from './support/setup-host.js';

let host: FakeHost;
beforeEach(async () => {
  host = happyHost();
  await start();
});

const file = (name: string, bytes = 10) => new File([new Uint8Array(bytes)], name);

describe('the document slice', () => {
  it('uploads a dropped file and opens it by upload id, then shows size, time and memory before reading', async () => {
    await openFile(file('notes.txt'));
    expect(host.uploads).toEqual(['notes.txt']);
    expect(host.last('openDocument')).toMatchObject({ source: { uploadId: 'up-1' }, name: 'notes.txt' });
    expect(read('document')).toMatchObject({ phase: 'opened', info: { tokens: 6, fits: true }, error: null });
  });

  it('refuses an unsupported type or a file over the upload limit in place, without sending it', async () => {
    await openFile(file('movie.mp4'));
    expect(read('document').error).toMatchObject({ code: 'UNSUPPORTED_DOCUMENT' });
    await openFile(file('huge.pdf', 2_000_000));
    expect(read('document').error).toMatchObject({ code: 'DOCUMENT_TOO_LARGE' });
    expect(read('document').error?.message).toMatch(/up to 977 KiB/);
    expect(host.uploads).toEqual([]);
    expect(read('document').phase).toBe('empty');
  });

  it("shows the engine's error for a file it cannot read (a scanned PDF) and leaves the area ready for another", async () => {
    host.on('openDocument', fail('PDF_NO_TEXT', 'scan.pdf has no text layer: it is probably scanned. Run OCR on it first.'));
    await openFile(file('scan.pdf'));
    expect(read('document')).toMatchObject({ phase: 'empty', info: null, error: { code: 'PDF_NO_TEXT' } });
  });

  it('opens only part of a document too long for the model, from the same upload', async () => {
    host.on('openDocument', ok(documentInfo({ fits: false, tokens: 9000 })));
    await openFile(file('book.txt'));
    expect(read('document').info?.fits).toBe(false);
    host.on('openDocument', ok(documentInfo({ range: { start: 0, end: 1600 } })));
    await openRange({ start: 0, end: 1600 });
    expect(host.last('openDocument')).toMatchObject({ source: { uploadId: 'up-1' }, range: { start: 0, end: 1600 } });
    expect(read('document').info?.range).toEqual({ start: 0, end: 1600 });
  });

  it('reads with the chosen method and ratio, shows progress with rate and ETA, then loads text, retention and curve', async () => {
    await openFile(file('notes.txt'));
    host.hold('readDocument');
    const reading = readDocument();
    const request = host.last('readDocument');
    expect(request).toMatchObject({ documentId: 'doc1', method: 'am', ratio: 0.2, kvBudgetBytes: 512 * 2 ** 20 });
    const operationId = request.operationId as string;
    host.emit({ type: 'progress', operationId, stage: 'read', done: 300, total: 1200, unit: 'tokens', rate: 150, etaMs: 6000 });
    expect(read('document')).toMatchObject({ phase: 'reading', progress: { stage: 'read', rate: 150, etaMs: 6000 } });
    host.settle(operationId, ok(view(0.2)));
    await reading;
    await flush();
    expect(read('document')).toMatchObject({ phase: 'ready', text: TEXT, progress: null });
    expect(read('compression').view?.documentSlots).toBe(5);
    expect(read('retention').data?.documentTokens).toBe(6);
    expect(read('compression').curve?.points.length).toBeGreaterThan(3);
    expect(read('library').openId).toBe('lib1');
  });

  it('cancels reading: the cancel names the operation and the document goes back to opened, without an error', async () => {
    await openFile(file('notes.txt'));
    host.hold('readDocument');
    const reading = readDocument();
    const operationId = host.last('readDocument').operationId as string;
    await cancelDocumentOperation();
    expect(host.last('cancel')).toEqual({ operationId });
    host.settle(operationId, fail('CANCELLED', 'cancelled'));
    await reading;
    expect(read('document')).toMatchObject({ phase: 'opened', error: null });
  });
});
