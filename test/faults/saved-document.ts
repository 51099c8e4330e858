import { expect } from 'vitest';
import type { EngineEvent } from '../../common/contract.js';
import { SAMPLE_DOCUMENTS } from '../soak/reader-workload.js';
import type { ServeSession } from '../soak/serve-session.js';
import { isPlainMessage } from './kill-engine.js';

/** A document read into the library with a conversation of two questions: what a fault must not lose. */
export interface SavedDocument {
  libraryId: string;
  /** The document id of the session it was read in (gone once the engine restarts). */
  documentId: string;
  name: string;
  ratio: number;
  conversationId: string;
  turns: string[];
}

const KITE = SAMPLE_DOCUMENTS.find((d) => d.name === 'tom-and-the-kite.txt')!;

export async function saveDocumentWithConversation(serve: ServeSession, tag: string): Promise<SavedDocument> {
  const uploadId = await serve.upload(KITE.name, KITE.bytes);
  const doc = await serve.value('openDocument', { operationId: `open-${tag}`, source: { uploadId } });
  const view = await serve.value('readDocument', { operationId: `read-${tag}`, documentId: doc.documentId, ratio: 0.3 });
  const first = await serve.value('ask', { operationId: `ask-${tag}`, documentId: doc.documentId, question: 'Who had a kite?', generation: { maxTokens: 12 } });
  const second = await serve.value('ask', { operationId: `ask2-${tag}`, documentId: doc.documentId, conversationId: first.conversationId!, question: 'What broke?', generation: { maxTokens: 12 } });
  return {
    libraryId: view.libraryId!,
    documentId: doc.documentId,
    name: KITE.name,
    ratio: 0.3,
    conversationId: first.conversationId!,
    turns: ['Who had a kite?', first.text, 'What broke?', second.text],
  };
}

/**
 * Everything saved is still in the library and opens without reading: the record at its saved ratio, the conversation
 * turn by turn. Returns the document id of the reopened session.
 */
export async function expectSavedIntact(serve: ServeSession, saved: SavedDocument, tag: string): Promise<string> {
  const entry = (await serve.value('libraryList', {})).find((e) => e.libraryId === saved.libraryId);
  expect(entry, `${saved.name} is still in the library`).toMatchObject({ name: saved.name, ratio: saved.ratio, conversations: 1, matchesModel: true });
  const since = serve.eventCount;
  const reopened = await serve.value('libraryOpen', { operationId: `reopen-${tag}`, libraryId: saved.libraryId });
  const reading = serve.eventsSince(since).filter((e) => e.type === 'progress' && e.operationId === `reopen-${tag}` && e.stage === 'read');
  expect(reading, 'reopened without reading again').toEqual([]);
  expect(reopened.view.ratio).toBe(saved.ratio);
  expect(reopened.conversations.map((c) => c.id)).toEqual([saved.conversationId]);
  expect(reopened.conversations[0].turns.map((t) => t.text)).toEqual(saved.turns);
  return reopened.document.documentId;
}

/** The app said what happened and came back: a crash event in plain words, then the engine restarted with the model. */
export async function expectCrashReportedAndRecovered(serve: ServeSession, since: number): Promise<void> {
  const crash = await serve.waitForEvent((e): e is Extract<EngineEvent, { type: 'crash' }> => e.type === 'crash', 30_000, since);
  expect(isPlainMessage(crash.message), crash.message).toBe(true);
  expect(crash.message).toMatch(/engine process was killed \(SIGKILL\); the engine was restarted/);
  const restarted = await serve.waitForEvent((e): e is Extract<EngineEvent, { type: 'engineRestarted' }> => e.type === 'engineRestarted', 60_000, since);
  expect(restarted).toEqual({ type: 'engineRestarted', modelReloaded: true });
}
