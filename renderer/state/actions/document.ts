import type { RequestPayload } from '../../../common/contract.js';
import { host } from '../../api/host.js';
import { newOperationId } from '../../api/operation-id.js';
import type { DocumentSource } from '../../api/transport.js';
import { baseName, checkDocumentFile } from '../../lib/document-types.js';
import { track } from '../operations.js';
import { progressOf } from '../progress.js';
import { emptyConversation } from '../slices/chat.js';
import { initialDocument } from '../slices/document.js';
import { initialRetention } from '../slices/retention.js';
import { read, update } from '../store.js';
import { fetchCurve } from './compression.js';
import { refreshLibrary } from './library.js';
import { fetchRetention } from './retention.js';
import { refreshStatus } from './status.js';

type DocumentRange = NonNullable<RequestPayload<'openDocument'>['range']>;

const busy = () => {
  const phase = read('document').phase;
  return phase === 'opening' || phase === 'reading';
};

/** A dropped or picked file: checked here, then handed to the host (by path or as an upload) and opened. */
export async function openFile(file: File): Promise<void> {
  if (busy()) return;
  const hostInfo = read('session').hostInfo;
  const problem = checkDocumentFile(file.name, file.size, hostInfo?.transport === 'http' ? hostInfo.maxUploadBytes : null);
  if (problem) {
    update('document', { error: problem });
    return;
  }
  update('document', { phase: 'opening', error: null, fileName: file.name, progress: null });
  const source = await host().sourceForFile(file);
  if (!source.ok) {
    update('document', { phase: 'empty', error: source.error });
    return;
  }
  await openSource(source.value, file.name);
}

/** A path from the host (its Open dialog or menu). */
export async function openPath(path: string): Promise<void> {
  if (busy()) return;
  await openSource({ path }, baseName(path));
}

/** Electron: the host's own file picker. */
export async function chooseDocument(): Promise<void> {
  const reply = await host().request('openDocumentDialog', {});
  if (!reply.ok) update('document', { error: reply.error });
  else if (reply.value.path) await openPath(reply.value.path);
}

/** Opens the same file again, limited to part of it (a document too long for the model). */
export async function openRange(range: DocumentRange): Promise<void> {
  const { source, fileName } = read('document');
  if (!source || !fileName || busy()) return;
  await openSource(source, fileName, range);
}

async function openSource(source: DocumentSource, name: string, range?: DocumentRange): Promise<void> {
  const previous = read('document');
  const operationId = newOperationId('open');
  update('document', { phase: 'opening', operationId, fileName: name, source, error: null, progress: null });
  const untrack = track(operationId, { progress: (e) => update('document', { progress: progressOf(e) }) });
  const reply = await host().request('openDocument', { operationId, source, name, ...(range ? { range } : {}) });
  untrack();
  if (read('document').operationId !== operationId) return;
  if (!reply.ok) {
    // A failed range keeps the document it narrows; a failed new file leaves the area empty, with the error.
    const keep = range && previous.info ? { phase: 'opened' as const, info: previous.info } : { phase: 'empty' as const, info: null };
    update('document', { ...keep, operationId: null, progress: null, error: reply.error });
    return;
  }
  if (previous.info && previous.info.documentId !== reply.value.documentId) void host().request('closeDocument', { documentId: previous.info.documentId });
  forgetDocumentViews();
  update('document', { phase: 'opened', operationId: null, progress: null, info: reply.value, text: null, parts: reply.value.parts });
}

/** Reads the opened document into the cache and compacts it to the slider's method and ratio. */
export async function readDocument(): Promise<void> {
  const { phase, info } = read('document');
  if (!info || (phase !== 'opened' && phase !== 'ready')) return;
  const { method, ratio } = read('compression');
  const kvBudgetBytes = read('session').settings?.kvBudgetBytes;
  const operationId = newOperationId('read');
  update('document', { phase: 'reading', operationId, progress: null, error: null });
  const untrack = track(operationId, { progress: (e) => update('document', { progress: progressOf(e) }) });
  const reply = await host().request('readDocument', { operationId, documentId: info.documentId, method, ratio, ...(kvBudgetBytes ? { kvBudgetBytes } : {}) });
  untrack();
  // The engine restarted meanwhile: the document is gone, and so is what this reply says about it.
  if (read('document').operationId !== operationId) return;
  if (!reply.ok) {
    update('document', { phase: 'opened', operationId: null, progress: null, error: reply.error.code === 'CANCELLED' ? null : reply.error });
    return;
  }
  update('document', { phase: 'ready', operationId: null, progress: null, info: { ...info, state: 'ready', libraryId: reply.value.libraryId } });
  update('compression', { view: reply.value, method: reply.value.method, ratio: reply.value.ratio, error: null, pendingOperationId: null });
  update('library', { openId: reply.value.libraryId, conversations: [] });
  update('chat', emptyConversation());
  await afterDocumentReady(info.documentId);
}

/** What every ready document needs once: its text, the retention map, the fidelity curve, fresh library and status. */
export async function afterDocumentReady(documentId: string): Promise<void> {
  await Promise.all([loadDocumentText(documentId), fetchRetention(), fetchCurve(), refreshLibrary(), refreshStatus()]);
}

export async function loadDocumentText(documentId: string): Promise<void> {
  const reply = await host().request('documentText', { documentId });
  if (read('document').info?.documentId !== documentId) return;
  if (reply.ok) update('document', { text: reply.value.text, parts: reply.value.parts });
  else update('document', { error: reply.error });
}

/** Cancels opening or reading, whichever runs. */
export async function cancelDocumentOperation(): Promise<void> {
  const { operationId } = read('document');
  if (operationId) await host().request('cancel', { operationId });
}

export async function closeDocument(): Promise<void> {
  const { info } = read('document');
  forgetDocumentViews();
  update('document', initialDocument());
  update('chat', emptyConversation());
  update('library', { openId: null, conversations: [] });
  if (info) await host().request('closeDocument', { documentId: info.documentId });
  await refreshStatus();
}

export function dismissDocumentError(): void {
  update('document', { error: null });
}

/** The compacted view, its retention map and the highlighted source belong to one document. */
export function forgetDocumentViews(): void {
  update('compression', { view: null, pendingOperationId: null, error: null, curve: null, curveOperationId: null });
  update('retention', initialRetention());
  update('ui', { highlight: null, scrollRequest: null });
}
