import type { CacheStats } from '../../common/contract.js';
import type { AppState } from './store.js';

/** Selectors shared by several components; each returns a primitive or a stable reference. */

export const selectDocumentReady = (s: AppState) => s.document.phase === 'ready';
export const selectGenerating = (s: AppState) => s.chat.operationId !== null;
export const selectModelReady = (s: AppState) => s.model.phase === 'ready';
export const selectDocumentId = (s: AppState) => s.document.info?.documentId ?? null;

/** The cache the meter shows: the engine's live status, or the view's statistics before the first status arrives. */
export const selectMeterCache = (s: AppState): CacheStats | null => s.engine.status?.cache ?? s.compression.view?.cache ?? null;

/** Whether the chat can take a question now: a model, nothing generating, no document half-read. */
export const selectCanAsk = (s: AppState) =>
  s.model.phase === 'ready' && s.chat.operationId === null && s.document.phase !== 'reading' && s.document.phase !== 'opening';
