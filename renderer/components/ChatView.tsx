import type { ReactNode } from 'react';
import { useChatStore } from '../state/chat-store.js';
import { useModelStore } from '../state/model-store.js';
import { Composer } from './Composer.js';
import { MessageList } from './MessageList.js';

export function ChatView({ documentArea }: { documentArea?: ReactNode }) {
  const messages = useChatStore((s) => s.messages);
  const ready = useModelStore((s) => s.phase === 'ready');
  return (
    <main className="chat">
      {documentArea}
      {messages.length === 0 ? (
        <div className="empty">
          <h1>Longread</h1>
          <p className="muted">{ready ? 'The model is ready. Say something.' : 'Choose a model folder and load it to begin.'}</p>
        </div>
      ) : (
        <MessageList messages={messages} />
      )}
      <Composer ready={ready} />
    </main>
  );
}
