import { update } from '../store.js';

/** Highlights a passage in the document view and scrolls it into sight. */
export function showPassage(start: number, end: number): void {
  update('ui', (u) => ({ highlight: { start, end }, scrollRequest: { offset: start, nonce: (u.scrollRequest?.nonce ?? 0) + 1 } }));
}

export function clearHighlight(): void {
  update('ui', { highlight: null });
}

export function openSettings(open: boolean): void {
  update('ui', { settingsOpen: open });
}

export function openCatalog(open: boolean): void {
  update('ui', { catalogOpen: open });
}
