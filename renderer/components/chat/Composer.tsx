import { useEffect, useRef, useState } from 'react';
import { ask, newConversation, stop, summarize } from '../../state/actions/chat.js';
import { selectCanAsk, selectDocumentReady, selectGenerating } from '../../state/selectors.js';
import { useStore } from '../../state/store.js';
import { SEND_BUTTON_ID } from '../layout/KeyboardShortcuts.js';
import { GenerationOptions } from './GenerationOptions.js';

/** The message box, Send / Stop, Summarize and a new conversation. */
export function Composer() {
  const [draft, setDraft] = useState('');
  const canAsk = useStore(selectCanAsk);
  const generating = useStore(selectGenerating);
  const documentReady = useStore(selectDocumentReady);
  const modelReady = useStore((s) => s.model.phase === 'ready');
  const rawPrompt = useStore((s) => s.model.info !== null && !s.model.info.hasChatTemplate);
  const hasMessages = useStore((s) => s.chat.order.length > 0);
  const focusNonce = useStore((s) => s.ui.focusComposerNonce);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (focusNonce > 0) box.current?.focus();
  }, [focusNonce]);

  const submit = () => {
    if (!canAsk || !draft.trim()) return;
    void ask(draft);
    setDraft('');
  };
  const placeholder = !modelReady
    ? 'Waiting for the model…'
    : documentReady
      ? 'Ask about the document…'
      : rawPrompt
        ? 'Text for the model to continue (this model has no chat template)…'
        : 'Say something, or drop a document to talk about it…';

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor="message" className="visually-hidden">
        Message
      </label>
      <textarea
        id="message"
        ref={box}
        rows={2}
        placeholder={placeholder}
        value={draft}
        disabled={!modelReady}
        aria-keyshortcuts="Alt+M"
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <div className="composer-bar">
        {generating ? (
          <button type="button" className="stop" onClick={() => void stop()} aria-keyshortcuts="Escape">
            Stop
          </button>
        ) : (
          <button id={SEND_BUTTON_ID} type="submit" className="primary" disabled={!canAsk || !draft.trim()} aria-keyshortcuts="Enter Control+Enter">
            Send
          </button>
        )}
        {documentReady && (
          <button type="button" disabled={!canAsk} onClick={() => void summarize()}>
            Summarize
          </button>
        )}
        <button type="button" className="quiet" disabled={generating || !hasMessages} onClick={newConversation}>
          New conversation
        </button>
        <span className="spacer" />
        <GenerationOptions />
      </div>
    </form>
  );
}
