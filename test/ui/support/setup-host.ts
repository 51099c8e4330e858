import { setHost } from '../../../renderer/api/host.js';
import { cancelPendingRecompact } from '../../../renderer/state/actions/compression.js';
import { applyEvent } from '../../../renderer/state/events.js';
import { resetStore } from '../../../renderer/state/store.js';
import { FakeHost, ok } from './fake-host.js';
import { documentInfo, HOST_INFO, MODEL, retention, SETTINGS, status, TEXT, view } from './fixtures.js';

/** A fake host that answers the whole happy path, wired to the renderer's store (fresh for every test). */
export function happyHost(): FakeHost {
  cancelPendingRecompact();
  resetStore();
  const host = new FakeHost()
    .on('hostInfo', ok(HOST_INFO))
    .on('getSettings', ok(SETTINGS))
    .on('putSettings', (p) => ok({ ...SETTINGS, ...p }))
    .on('status', ok(status()))
    .on('loadModel', ok(MODEL))
    .on('libraryList', ok([]))
    .on('catalog', ok([]))
    .on('openDocument', ok(documentInfo()))
    .on('readDocument', (p) => ok(view(p.ratio ?? 0.2, { method: p.method ?? 'am' })))
    .on('setRatio', (p) => ok(view(p.ratio, { method: p.method ?? 'am' })))
    .on('documentText', ok({ documentId: 'doc1', text: TEXT, parts: [] }))
    .on('retention', (p) => ok(retention(p.layer, p.head, p.allHeads)))
    .on('fidelityCurve', (p) => ok(p.ratios.map((ratio) => ({ ratio, outputError: 0.1 * (1 - ratio), agreement: 0.9 }))))
    .on('cancel', ok({ cancelled: true }))
    .on('closeDocument', ok(null));
  setHost(host);
  host.onEvent(applyEvent);
  return host;
}
