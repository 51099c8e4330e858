import type { Method, ViewInfo } from '../../../common/contract.js';
import { host } from '../../api/host.js';
import { newOperationId } from '../../api/operation-id.js';
import { debounce } from '../../lib/debounce.js';
import { CURVE_RATIOS } from '../../lib/fidelity-plot.js';
import { roundRatio } from '../../lib/log-scale.js';
import { read, update } from '../store.js';
import { fetchRetention } from './retention.js';

/** How long the slider must rest before the engine re-compacts: dragging sends one request, not dozens. */
export const RECOMPACT_DEBOUNCE_MS = 150;

const recompactSoon = debounce(() => void recompact(), RECOMPACT_DEBOUNCE_MS);

const canRecompact = () => read('document').phase === 'ready' && read('compression').view?.canRecompact === true;

/** The slider moved: show the new ratio now, re-compact once it rests. */
export function chooseRatio(ratio: number): void {
  update('compression', { ratio: roundRatio(ratio) });
  if (canRecompact()) recompactSoon();
}

export function chooseMethod(method: Method): void {
  if (method === read('compression').method) return;
  update('compression', { method });
  if (!canRecompact()) return;
  recompactSoon();
  recompactSoon.flush();
  void fetchCurve();
}

/** Re-compacts to the slider's ratio and method. A newer call supersedes this one: its reply is then ignored. */
export async function recompact(): Promise<void> {
  const documentId = read('document').info?.documentId;
  if (!documentId) return;
  const { ratio, method } = read('compression');
  const operationId = newOperationId('ratio');
  update('compression', { pendingOperationId: operationId });
  const reply = await host().request('setRatio', { operationId, documentId, ratio, method });
  if (read('compression').pendingOperationId !== operationId) return;
  if (!reply.ok) {
    update('compression', { pendingOperationId: null, error: reply.error.code === 'CANCELLED' ? null : reply.error });
    return;
  }
  applyView(reply.value);
  update('compression', { pendingOperationId: null, error: null });
  await fetchRetention();
}

/** A new view moves the meter at once; the engine's next status event confirms it. */
export function applyView(view: ViewInfo): void {
  update('compression', { view });
  update('engine', (e) => (e.status ? { status: { ...e.status, documentId: view.documentId, cache: view.cache } } : {}));
}

/** The fidelity estimate at a spread of ratios, for the plot. */
export async function fetchCurve(): Promise<void> {
  const documentId = read('document').info?.documentId;
  if (!documentId || read('document').phase !== 'ready') return;
  const { method } = read('compression');
  const operationId = newOperationId('curve');
  update('compression', { curveOperationId: operationId });
  const reply = await host().request('fidelityCurve', { operationId, documentId, method, ratios: CURVE_RATIOS });
  if (read('compression').curveOperationId !== operationId) return;
  update('compression', { curveOperationId: null, ...(reply.ok ? { curve: { method, points: reply.value } } : {}) });
}

/** For tests and for leaving a document: drop a re-compaction still waiting for the slider to rest. */
export function cancelPendingRecompact(): void {
  recompactSoon.cancel();
}
