import type { EngineEvent } from '../../common/contract.js';
import { openPath } from './actions/document.js';
import { refreshLibrary } from './actions/library.js';
import { loadModel } from './actions/model.js';
import { refreshStatus } from './actions/status.js';
import { dispatchOperationEvent } from './operations.js';
import { initialDocument } from './slices/document.js';
import { initialRetention } from './slices/retention.js';
import { read, update } from './store.js';

/** Applies one event the host pushed. */
export function applyEvent(event: EngineEvent): void {
  switch (event.type) {
    case 'progress':
    case 'token':
      dispatchOperationEvent(event);
      break;
    case 'status':
      update('engine', { status: event.status });
      showNewNotices(event.status.notices);
      break;
    case 'crash':
      update('session', { notice: { kind: 'crash', message: `The engine stopped unexpectedly: ${event.message}` } });
      forgetEverythingTheEngineHeld();
      break;
    case 'engineRestarted':
      update('session', {
        notice: {
          kind: 'restarted',
          message: `The engine stopped and was restarted${event.modelReloaded ? ' with the same model' : ''}. Reopen your document from the library to continue${event.modelReloaded ? '' : ' once a model is loaded'}.`,
        },
      });
      forgetEverythingTheEngineHeld();
      if (!event.modelReloaded) update('model', { phase: 'idle', info: null, progress: null, operationId: null });
      void refreshStatus().then(() => {
        const model = read('engine').status?.model;
        if (model) update('model', { phase: 'ready', info: model });
      });
      void refreshLibrary();
      break;
    case 'modelFolderChosen':
      void loadModel(event.path);
      break;
    case 'documentChosen':
      void openPath(event.path);
      break;
  }
}

/** Notes about the library (a damaged file moved aside, settings reset) are shown once each. */
const shownNotices = new Set<string>();

function showNewNotices(notices: readonly string[]): void {
  const fresh = notices.filter((n) => !shownNotices.has(n));
  if (!fresh.length) return;
  for (const n of fresh) shownNotices.add(n);
  update('session', { notice: { kind: 'error', message: `Longread repaired its library: ${fresh.join(' ')}` } });
}

/** The engine's process is gone, and with it every open document and running operation. */
function forgetEverythingTheEngineHeld(): void {
  const chat = read('chat');
  if (chat.streamingId) {
    const id = chat.streamingId;
    update('chat', (c) => ({ byId: { ...c.byId, [id]: { ...c.byId[id], state: 'failed' as const, error: 'The engine stopped while answering.' } } }));
  }
  update('chat', { operationId: null, streamingId: null });
  update('document', initialDocument());
  update('compression', { view: null, pendingOperationId: null, curve: null, curveOperationId: null, error: null });
  update('retention', initialRetention());
  update('library', { openId: null, openingId: null });
  update('engine', (e) => ({ status: e.status ? { ...e.status, busy: null, cache: null, documentId: null } : null }));
  update('ui', { highlight: null, scrollRequest: null });
}
