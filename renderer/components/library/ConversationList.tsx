import { showSavedConversation } from '../../state/actions/library.js';
import { useStore } from '../../state/store.js';

/** The open document's saved conversations. */
export function ConversationList() {
  const conversations = useStore((s) => s.library.conversations);
  const current = useStore((s) => s.chat.conversationId);
  if (conversations.length < 2) return null;
  return (
    <ul className="conversation-list" aria-label="Conversations">
      {conversations.map((c) => (
        <li key={c.id}>
          <button type="button" className="link" aria-current={c.id === current ? 'true' : undefined} onClick={() => void showSavedConversation(c.id)}>
            {c.title || 'Conversation'} <span className="muted">({c.turns.length})</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
