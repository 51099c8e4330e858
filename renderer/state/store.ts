import { create } from 'zustand';
import { initialCatalog, type CatalogSlice } from './slices/catalog.js';
import { initialChat, type ChatSlice } from './slices/chat.js';
import { initialCompression, type CompressionSlice } from './slices/compression.js';
import { initialDocument, type DocumentSlice } from './slices/document.js';
import { initialEngine, type EngineSlice } from './slices/engine.js';
import { initialLibrary, type LibrarySlice } from './slices/library.js';
import { initialModel, type ModelSlice } from './slices/model.js';
import { initialRetention, type RetentionSlice } from './slices/retention.js';
import { initialSession, type SessionSlice } from './slices/session.js';
import { initialUi, type UiSlice } from './slices/ui.js';

/**
 * The one store. Each slice is a plain object that only actions (state/actions/) change, through `update`;
 * components read the few fields they need with selectors, so a streamed token re-renders the message it lands in
 * and the meter, and nothing else.
 */
export interface AppState {
  session: SessionSlice;
  model: ModelSlice;
  catalog: CatalogSlice;
  document: DocumentSlice;
  compression: CompressionSlice;
  retention: RetentionSlice;
  chat: ChatSlice;
  engine: EngineSlice;
  library: LibrarySlice;
  ui: UiSlice;
}

export const initialAppState = (): AppState => ({
  session: initialSession(),
  model: initialModel(),
  catalog: initialCatalog(),
  document: initialDocument(),
  compression: initialCompression(),
  retention: initialRetention(),
  chat: initialChat(),
  engine: initialEngine(),
  library: initialLibrary(),
  ui: initialUi(),
});

export const useStore = create<AppState>()(initialAppState);

export type SliceName = keyof AppState;

/** Changes some fields of one slice; the other slices keep their identity. */
export function update<K extends SliceName>(slice: K, change: Partial<AppState[K]> | ((current: AppState[K]) => Partial<AppState[K]>)): void {
  useStore.setState((state) => {
    const current = state[slice];
    const patch = typeof change === 'function' ? change(current) : change;
    return { [slice]: { ...current, ...patch } } as Pick<AppState, K>;
  });
}

/** The current value of one slice, for actions (components use `useStore` with a selector). */
export function read<K extends SliceName>(slice: K): AppState[K] {
  return useStore.getState()[slice];
}

export function resetStore(): void {
  useStore.setState(initialAppState(), true);
}
