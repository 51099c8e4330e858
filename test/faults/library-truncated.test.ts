import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServeSession } from '../soak/serve-session.js';
import { isPlainMessage } from './kill-engine.js';
import { expectSavedIntact, saveDocumentWithConversation, type SavedDocument } from './saved-document.js';

/**
 * Library files cut short (a power loss, a full disk, another program) found when the app starts (`longread serve`
 * on the demo model): the app starts, keeps every document and conversation, moves the damaged file aside instead
 * of deleting it, and tells the person what happened.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-faults-truncated-data-'));
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-faults-truncated-cache-'));
const libraryDir = path.join(dataDir, 'library');
let serve: ServeSession;
let saved: SavedDocument;
let startEvents = 0;

function truncateToHalf(file: string): void {
  fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
}

/** Stops the app, damages a file, and starts the app again with the model loaded. */
async function restartAfter(damage: () => void): Promise<void> {
  await serve.stop();
  damage();
  serve = await ServeSession.start({ dataDir, cacheDir });
  startEvents = serve.eventCount;
  await serve.value('loadModel', { operationId: 'load' });
}

beforeAll(async () => {
  serve = await ServeSession.start({ dataDir, cacheDir });
  await serve.value('loadModel', { operationId: 'load' });
  saved = await saveDocumentWithConversation(serve, 'saved');
  await serve.value('putSettings', { theme: 'dark', defaultRatio: 0.3 });
});
afterAll(async () => {
  await serve?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== 'linux')('the library file truncated', () => {
  describe('library.json (the settings) cut in half', () => {
    beforeAll(() => restartAfter(() => truncateToHalf(path.join(libraryDir, 'library.json'))));

    it('starts, keeps every document and conversation, and moves the damaged file aside', async () => {
      const documentId = await expectSavedIntact(serve, saved, 'after-truncated-settings');
      expect((await serve.value('libraryList', {})).map((e) => e.name)).toEqual([saved.name]);
      // The settings in the damaged file are lost (back to defaults); the file itself is kept for a person to look at.
      expect(await serve.value('getSettings', {})).toMatchObject({ theme: 'system', defaultRatio: 0.2 });
      expect(fs.readdirSync(libraryDir).filter((f) => f.startsWith('library.json.corrupt-'))).toHaveLength(1);
      expect(await serve.value('putSettings', { theme: 'dark' })).toMatchObject({ theme: 'dark' });
      const answer = await serve.value('ask', { operationId: 'ask-after-settings', documentId, question: 'Who had a kite?', generation: { maxTokens: 6 } });
      expect(answer.tokens).toBeGreaterThan(0);
      expect(serve.eventsSince(startEvents).filter((e) => e.type === 'crash')).toEqual([]);
    });

    // The engine's notes about damaged files reach the UI in every status (`notices`).
    it('tells the person that library.json was damaged and the settings were reset', async () => {
      const said = JSON.stringify([serve.eventsSince(0), await serve.value('status', {}), await serve.value('getSettings', {}), await serve.value('libraryList', {})]);
      expect(said).toMatch(/library\.json[^"]*damaged/);
    });
  });

  describe("a document's saved cache (cache.lrkv) cut in half", () => {
    beforeAll(() => restartAfter(() => truncateToHalf(path.join(libraryDir, 'documents', saved.libraryId, 'cache.lrkv'))));

    it('refuses to open it with a plain message, and keeps the document and its conversation', async () => {
      const reply = await serve.call('libraryOpen', { operationId: 'open-truncated-cache', libraryId: saved.libraryId });
      expect(reply).toMatchObject({ ok: false, error: { code: 'CACHE_FILE', message: expect.stringMatching(/cache\.lrkv: This compacted document file is damaged/) } });
      if (!reply.ok) expect(isPlainMessage(reply.error.message), reply.error.message).toBe(true);
      expect((await serve.value('libraryList', {})).map((e) => e.libraryId)).toEqual([saved.libraryId]);
      const conversation = await serve.value('conversation', { libraryId: saved.libraryId, conversationId: saved.conversationId });
      expect(conversation.turns.map((t) => t.text)).toEqual(saved.turns);
      expect(serve.eventsSince(startEvents).filter((e) => e.type === 'crash')).toEqual([]);
    });
  });
});
