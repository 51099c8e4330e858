import { host } from '../../api/host.js';
import { newOperationId } from '../../api/operation-id.js';
import { track } from '../operations.js';
import { progressOf } from '../progress.js';
import { emptyConversation } from '../slices/chat.js';
import { read, update } from '../store.js';
import { showConversation } from './chat.js';
import { applyView } from './compression.js';
import { afterDocumentReady, closeDocument, forgetDocumentViews } from './document.js';

export async function refreshLibrary(): Promise<void> {
  const reply = await host().request('libraryList', {});
  if (reply.ok) update('library', { entries: reply.value, loaded: true, error: null });
  else update('library', { loaded: true, error: reply.error });
}

/** Opens a document read before, without reading it again, with its latest conversation. */
export async function openFromLibrary(libraryId: string): Promise<void> {
  const phase = read('document').phase;
  if (read('library').openingId || phase === 'opening' || phase === 'reading' || read('chat').operationId) return;
  const previous = read('document');
  const operationId = newOperationId('library');
  update('library', { openingId: libraryId, error: null });
  update('document', { phase: 'opening', operationId, error: null, progress: null });
  const untrack = track(operationId, { progress: (e) => update('document', { progress: progressOf(e) }) });
  const reply = await host().request('libraryOpen', { operationId, libraryId });
  untrack();
  update('library', { openingId: null });
  // The engine restarted meanwhile: what this reply opened is gone.
  if (read('document').operationId !== operationId) return;
  if (!reply.ok) {
    update('document', { phase: previous.phase, operationId: null, progress: null, error: reply.error });
    return;
  }
  const { document, view, conversations } = reply.value;
  if (previous.info && previous.info.documentId !== document.documentId) void host().request('closeDocument', { documentId: previous.info.documentId });
  forgetDocumentViews();
  update('document', { phase: 'ready', operationId: null, progress: null, info: document, source: null, fileName: document.name, text: null, parts: document.parts });
  update('compression', { method: view.method, ratio: view.ratio });
  applyView(view);
  update('library', { openId: libraryId, conversations });
  const latest = [...conversations].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
  if (latest) showConversation(latest.id, latest.turns);
  else update('chat', emptyConversation());
  await afterDocumentReady(document.documentId);
}

export async function showSavedConversation(conversationId: string): Promise<void> {
  const libraryId = read('library').openId;
  if (!libraryId || read('chat').operationId) return;
  const reply = await host().request('conversation', { libraryId, conversationId });
  if (reply.ok) showConversation(reply.value.id, reply.value.turns);
  else update('library', { error: reply.error });
}

export async function deleteFromLibrary(libraryId: string): Promise<void> {
  if (read('library').openId === libraryId) await closeDocument();
  const reply = await host().request('libraryDelete', { libraryId });
  if (!reply.ok) update('library', { error: reply.error });
  await refreshLibrary();
}
