import { useEffect, useRef } from 'react';
import type { ChatMessage } from '../state/chat-store.js';
import { tokensPerSecond } from '../format.js';

export function MessageList({ messages }: { messages: ChatMessage[] }) {
  const end = useRef<HTMLDivElement>(null);
  const last = messages[messages.length - 1];
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length, last?.text]);

  return (
    <div className="messages" role="log" aria-label="Conversation" aria-live="polite">
      {messages.map((m) => (
        <Message key={m.id} message={m} />
      ))}
      <div ref={end} />
    </div>
  );
}

function Message({ message: m }: { message: ChatMessage }) {
  return (
    <article className={`message ${m.role} ${m.state}`} aria-label={m.role === 'user' ? 'You' : 'Assistant'} aria-busy={m.state === 'streaming'}>
      <div className="text">
        {m.text}
        {m.state === 'streaming' && <span className="caret" aria-hidden="true" />}
      </div>
      {m.state === 'failed' && (
        <p className="error" role="alert">
          {m.error}
        </p>
      )}
      {m.state === 'stopped' && <p className="muted small">Stopped.</p>}
      {m.result && m.role === 'assistant' && (
        <p className="muted small" data-testid="generation-stats">
          {m.result.tokens} tokens · {tokensPerSecond(m.result.tokens, m.result.decodeMs)} tok/s · {m.result.stopReason}
        </p>
      )}
    </article>
  );
}
