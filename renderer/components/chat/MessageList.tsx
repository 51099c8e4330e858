import { useEffect, useRef } from 'react';
import { useStore } from '../../state/store.js';
import { Message } from './Message.js';

/** The conversation; follows the newest text while it streams, unless the person scrolled up to read. */
export function MessageList() {
  const order = useStore((s) => s.chat.order);
  const streamingText = useStore((s) => (s.chat.streamingId ? s.chat.byId[s.chat.streamingId]?.text.length : 0));
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [order.length, streamingText]);
  return (
    <div
      ref={box}
      className="messages"
      role="log"
      aria-label="Conversation"
      aria-live="polite"
      aria-relevant="additions"
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {order.map((id) => (
        <Message key={id} id={id} />
      ))}
    </div>
  );
}
