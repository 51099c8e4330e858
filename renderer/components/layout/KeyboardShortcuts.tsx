import { useEffect } from 'react';
import { stop } from '../../state/actions/chat.js';
import { read, update } from '../../state/store.js';

/** The app-wide shortcuts, also listed in Settings. */
export const SHORTCUTS = [
  { keys: 'Enter', does: 'Send the message (Shift+Enter: new line)' },
  { keys: 'Ctrl+Enter', does: 'Send the message from anywhere' },
  { keys: 'Escape', does: 'Stop the answer being written' },
  { keys: 'Alt+K', does: 'Focus the keep-ratio slider' },
  { keys: 'Alt+M', does: 'Focus the message box' },
  { keys: 'Ctrl+O', does: 'Open a document' },
] as const;

export const OPEN_DOCUMENT_BUTTON_ID = 'open-document';
export const SEND_BUTTON_ID = 'send-message';

export function KeyboardShortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (e.key === 'Escape' && read('chat').operationId) {
        e.preventDefault();
        void stop();
      } else if (e.altKey && !mod && e.code === 'KeyK') {
        e.preventDefault();
        update('ui', (u) => ({ focusSliderNonce: u.focusSliderNonce + 1 }));
      } else if (e.altKey && !mod && e.code === 'KeyM') {
        e.preventDefault();
        update('ui', (u) => ({ focusComposerNonce: u.focusComposerNonce + 1 }));
      } else if (mod && !e.altKey && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        document.getElementById(OPEN_DOCUMENT_BUTTON_ID)?.click();
      } else if (mod && e.key === 'Enter') {
        e.preventDefault();
        document.getElementById(SEND_BUTTON_ID)?.click();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return null;
}
