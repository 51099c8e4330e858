import { useState } from 'react';
import { formatCount, formatPercent } from '../../lib/format.js';
import { isMethod, METHOD_LABELS } from '../../lib/methods.js';
import { deleteFromLibrary, openFromLibrary } from '../../state/actions/library.js';
import { useStore } from '../../state/store.js';
import { ConversationList } from './ConversationList.js';

/** One read document: open it, or delete it (asked twice). */
export function LibraryItem({ libraryId }: { libraryId: string }) {
  const entry = useStore((s) => s.library.entries.find((e) => e.libraryId === libraryId));
  const isOpen = useStore((s) => s.library.openId === libraryId);
  const opening = useStore((s) => s.library.openingId === libraryId);
  const busy = useStore((s) => s.library.openingId !== null || s.document.phase === 'reading' || s.document.phase === 'opening' || s.chat.operationId !== null);
  const [confirming, setConfirming] = useState(false);
  if (!entry) return null;
  const title = entry.title || entry.name;
  const method = isMethod(entry.method) ? METHOD_LABELS[entry.method] : entry.method;
  return (
    <li className={`library-item${isOpen ? ' open' : ''}`}>
      <button
        type="button"
        className="library-open"
        aria-current={isOpen ? 'true' : undefined}
        disabled={busy || !entry.matchesModel}
        onClick={() => void openFromLibrary(libraryId)}
        data-testid="library-item"
      >
        <span className="library-title">{title}</span>
        <span className="muted small">
          {opening ? 'Opening…' : `${formatCount(entry.tokenCount)} tokens · ${method} ${formatPercent(entry.ratio)}${entry.conversations ? ` · ${entry.conversations} chats` : ''}`}
        </span>
        {!entry.matchesModel && <span className="muted small">Read with {entry.modelName}: load that model to open it</span>}
      </button>
      {confirming ? (
        <span className="confirm">
          <button type="button" className="small-button stop" onClick={() => void deleteFromLibrary(libraryId)}>
            Delete
          </button>
          <button type="button" className="small-button" onClick={() => setConfirming(false)}>
            Keep
          </button>
        </span>
      ) : (
        <button type="button" className="icon-button" aria-label={`Delete “${title}” from the library`} disabled={busy} onClick={() => setConfirming(true)}>
          ×
        </button>
      )}
      {isOpen && <ConversationList />}
    </li>
  );
}
