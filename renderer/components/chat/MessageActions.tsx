import { useState } from 'react';
import { regenerate, stop } from '../../state/actions/chat.js';
import { selectGenerating } from '../../state/selectors.js';
import { useStore } from '../../state/store.js';

/** Copy, Regenerate and, while it streams, Stop — for one answer. */
export function MessageActions({ id }: { id: string }) {
  const text = useStore((s) => s.chat.byId[id]?.text ?? '');
  const streaming = useStore((s) => s.chat.streamingId === id);
  const canRegenerate = useStore((s) => s.chat.byId[id]?.prompt !== null && s.chat.order[s.chat.order.length - 1] === id);
  const generating = useStore(selectGenerating);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="message-actions">
      {streaming ? (
        <button type="button" className="small-button stop" onClick={() => void stop()} aria-keyshortcuts="Escape">
          Stop
        </button>
      ) : (
        <>
          <button type="button" className="small-button" onClick={() => void copy()} disabled={!text}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          {canRegenerate && (
            <button type="button" className="small-button" onClick={() => void regenerate(id)} disabled={generating}>
              Regenerate
            </button>
          )}
        </>
      )}
      <span className="visually-hidden" aria-live="polite">
        {copied ? 'Copied to the clipboard' : ''}
      </span>
    </div>
  );
}
