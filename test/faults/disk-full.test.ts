import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyReply } from '../../common/contract.js';
import { SAMPLE_DOCUMENTS } from '../soak/reader-workload.js';
import { ServeSession } from '../soak/serve-session.js';
import { fullDiskDataDir, type FullDisk } from './full-disk.js';
import { isPlainMessage } from './kill-engine.js';
import { expectSavedIntact, saveDocumentWithConversation, type SavedDocument } from './saved-document.js';

/**
 * The disk holding the library fills up while the app runs (`longread serve` on the demo model): every save that
 * fails says so in plain words, the engine stays up, what was saved before is untouched, and once space is freed
 * the same actions save again.
 */
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-faults-disk-cache-'));
const BAKERY = SAMPLE_DOCUMENTS.find((d) => d.name === 'the-little-bakery.html')!;
let disk: FullDisk;
let serve: ServeSession;
let saved: SavedDocument;

beforeAll(async () => {
  disk = fullDiskDataDir();
  console.log(`disk full by ${disk.method === 'tmpfs' ? 'filling a 16 MB tmpfs' : 'injecting ENOSPC into the engine’s writes (no permission to mount a tmpfs)'}`);
  serve = await ServeSession.start({ dataDir: disk.dataDir, cacheDir, env: disk.env });
  await serve.value('loadModel', { operationId: 'load' });
  saved = await saveDocumentWithConversation(serve, 'saved');
  await serve.value('putSettings', { theme: 'dark' });
});
afterAll(async () => {
  await serve?.stop();
  disk?.dispose();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

/** The reply of a save that met a full disk: an error that says the disk is full and what to do, in one line. */
function expectDiskFullReply(reply: AnyReply, what: string): void {
  expect(reply.ok, `${what} succeeded on a full disk`).toBe(false);
  if (reply.ok) return;
  expect(reply.error.message, what).toMatch(/disk is full|no space left on device/i);
  expect(isPlainMessage(reply.error.message), reply.error.message).toBe(true);
  console.log(`${what} on a full disk → ${reply.error.code}: ${reply.error.message}`);
}

describe.skipIf(process.platform !== 'linux')('the disk full while saving', () => {
  it('refuses each save with a plain message and keeps running', async () => {
    const since = serve.eventCount;
    const documentId = await expectSavedIntact(serve, saved, 'before-full');
    disk.fill();
    try {
      const ask = await serve.call('ask', { operationId: 'ask-full', documentId, conversationId: saved.conversationId, question: 'Where did the kite go?', generation: { maxTokens: 8 } });
      expectDiskFullReply(ask, 'saving a conversation');
      const slider = await serve.call('setRatio', { operationId: 'ratio-full', documentId, ratio: 0.1 });
      expectDiskFullReply(slider, 'saving a new ratio');
      const doc = await serve.value('openDocument', { operationId: 'open-full', source: { uploadId: await serve.upload(BAKERY.name, BAKERY.bytes) } });
      const read = await serve.call('readDocument', { operationId: 'read-full', documentId: doc.documentId });
      expectDiskFullReply(read, 'saving a read document');
      expectDiskFullReply(await serve.call('putSettings', { theme: 'light' }), 'saving the settings');
    } finally {
      disk.free();
    }
    expect(serve.eventsSince(since).filter((e) => e.type === 'crash')).toEqual([]);
  });

  it('refuses a read whose prepared blocks no longer fit, and leaves no half-saved document', async () => {
    const since = serve.eventCount;
    const doc = await serve.value('openDocument', { operationId: 'open-room-for-record', source: { uploadId: await serve.upload(BAKERY.name, BAKERY.bytes) } });
    disk.fill(64 * 1024);
    try {
      expectDiskFullReply(await serve.call('readDocument', { operationId: 'read-room-for-record', documentId: doc.documentId }), 'saving the prepared blocks of a read');
    } finally {
      disk.free();
    }
    expect((await serve.value('libraryList', {})).map((e) => e.name)).toEqual([saved.name]);
    expect(serve.eventsSince(since).filter((e) => e.type === 'crash')).toEqual([]);
  });

  it('loses nothing that was saved before, and saves again once there is room', async () => {
    await expectSavedIntact(serve, saved, 'after-full');
    expect((await serve.value('libraryList', {})).map((e) => e.name)).toEqual([saved.name]);
    expect(await serve.value('getSettings', {})).toMatchObject({ theme: 'dark' });

    const documentId = await expectSavedIntact(serve, saved, 'again');
    const answer = await serve.value('ask', { operationId: 'ask-room', documentId, conversationId: saved.conversationId, question: 'Who helped?', generation: { maxTokens: 8 } });
    const [conversation] = await serve.value('conversations', { libraryId: saved.libraryId });
    expect(conversation.turns.map((t) => t.text)).toEqual([...saved.turns, 'Who helped?', answer.text]);
    expect(await serve.value('putSettings', { theme: 'light' })).toMatchObject({ theme: 'light' });
    const doc = await serve.value('openDocument', { operationId: 'open-room', source: { uploadId: await serve.upload(BAKERY.name, BAKERY.bytes) } });
    const view = await serve.value('readDocument', { operationId: 'read-room', documentId: doc.documentId });
    expect(view.libraryId).not.toBeNull();
  });
});
