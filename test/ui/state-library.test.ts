import { beforeEach, describe, expect, it } from 'vitest';
import type { Conversation, LibraryEntry } from '../../common/contract.js';
import { ask } from '../../renderer/state/actions/chat.js';
import { openFile, readDocument } from '../../renderer/state/actions/document.js';
import { deleteFromLibrary, openFromLibrary } from '../../renderer/state/actions/library.js';
import { start } from '../../renderer/state/actions/startup.js';
import { read } from '../../renderer/state/store.js';
import { flush, ok, type FakeHost } from './support/fake-host.js';
import { documentInfo, MODEL, status, TEXT, view } from './support/fixtures.js';
import { happyHost } from './support/setup-host.js';

let host: FakeHost;
beforeEach(async () => {
  host = happyHost();
  await start();
});

const ENTRY: LibraryEntry = {
  libraryId: 'lib1',
  name: 'notes.txt',
  title: 'Notes',
  format: 'txt',
  fileBytes: 37,
  tokenCount: 6,
  modelName: 'stories260K',
  matchesModel: true,
  method: 'am',
  ratio: 0.1,
  diskBytes: 4096,
  conversations: 1,
  updatedAt: '2025-01-02T00:00:00Z',
};

const CONVERSATION: Conversation = {
  id: 'conv7',
  documentId: 'doc1',
  title: 'Alpha',
  turns: [
    { role: 'user', text: 'What is alpha?', createdAt: '2025-01-02T00:00:00Z' },
    { role: 'assistant', text: 'The first.', sources: [[{ start: 0, end: 5, label: null, weight: 1, text: 'Alpha' }]], createdAt: '2025-01-02T00:00:01Z' },
  ],
  createdAt: '2025-01-02T00:00:00Z',
  updatedAt: '2025-01-02T00:00:01Z',
};

describe('the library slice', () => {
  it('reopens a read document without reading it again, with its latest conversation to continue', async () => {
    host.on('libraryList', ok([ENTRY]));
    host.on('libraryOpen', ok({ document: documentInfo({ state: 'ready', libraryId: 'lib1' }), view: view(0.1), conversations: [CONVERSATION] }));
    await start();
    await openFromLibrary('lib1');
    await flush();
    expect(host.named('readDocument')).toHaveLength(0);
    expect(read('document')).toMatchObject({ phase: 'ready', text: TEXT });
    expect(read('compression')).toMatchObject({ ratio: 0.1, view: { ratio: 0.1 } });
    expect(read('library').openId).toBe('lib1');
    const turns = read('chat').order.map((id) => read('chat').byId[id]);
    expect(turns.map((m) => [m.role, m.text])).toEqual([
      ['user', 'What is alpha?'],
      ['assistant', 'The first.'],
    ]);
    expect(turns[1].sources).toHaveLength(1);
    host.on('ask', (p) => ok({ operationId: p.operationId, conversationId: 'conv7', text: 'x', sources: [], tokens: 1, stopReason: 'stop-token', promptTokens: 1, prefilledTokens: 1, prefillMs: 1, decodeMs: 1, executionProvider: 'cpu' }));
    await ask('And then?');
    expect(host.last('ask')).toMatchObject({ conversationId: 'conv7' });
  });

  it('deleting the open document closes it first', async () => {
    host.on('libraryDelete', ok({ freedBytes: 4096 }));
    await openFile(new File(['x'], 'notes.txt'));
    await readDocument();
    await flush();
    await deleteFromLibrary('lib1');
    expect(host.last('closeDocument')).toEqual({ documentId: 'doc1' });
    expect(host.last('libraryDelete')).toEqual({ libraryId: 'lib1' });
    expect(read('document').phase).toBe('empty');
  });
});

describe('engine crashes and restarts', () => {
  it('says so, forgets the open document and the answer in progress, and refreshes what the engine has now', async () => {
    await openFile(new File(['x'], 'notes.txt'));
    await readDocument();
    await flush();
    host.hold('ask');
    void ask('Why?');
    host.emit({ type: 'crash', message: 'the engine process exited with code 134' });
    expect(read('session').notice).toMatchObject({ kind: 'crash' });
    expect(read('document').phase).toBe('empty');
    const answer = read('chat').byId[read('chat').order[1]];
    expect(answer).toMatchObject({ state: 'failed' });

    host.on('status', ok(status({ model: MODEL })));
    host.emit({ type: 'engineRestarted', modelReloaded: true });
    await flush();
    expect(read('session').notice?.message).toMatch(/Reopen your document from the library/);
    expect(read('model')).toMatchObject({ phase: 'ready', info: { name: 'stories260K' } });
  });

  it('a restart without the model leaves the model to be loaded again', async () => {
    host.emit({ type: 'engineRestarted', modelReloaded: false });
    await flush();
    expect(read('model')).toMatchObject({ phase: 'idle', info: null });
  });

  it('a document chosen through the host menu opens by path', async () => {
    host.emit({ type: 'documentChosen', path: '/home/me/report.pdf' });
    await flush();
    expect(host.last('openDocument')).toMatchObject({ source: { path: '/home/me/report.pdf' }, name: 'report.pdf' });
  });
});
