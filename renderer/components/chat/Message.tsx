import { formatCount } from '../../lib/format.js';
import { useStore } from '../../state/store.js';
import { MarkdownText } from './MarkdownText.js';
import { MessageActions } from './MessageActions.js';
import { SourceList } from './SourceList.js';

const STOP_REASONS: Record<string, string> = {
  'stop-token': 'finished',
  'stop-string': 'finished',
  'max-tokens': 'reached the length limit',
  'context-full': 'the context is full',
  cancelled: 'stopped',
};

/** One message of the conversation, read from the store by id so a token re-renders only this one. */
export function Message({ id }: { id: string }) {
  const m = useStore((s) => s.chat.byId[id]);
  if (!m) return null;
  if (m.role === 'user') {
    return (
      <article className="message user" aria-label="You">
        <p className="bubble">{m.text}</p>
      </article>
    );
  }
  const speed = m.stats && m.stats.decodeMs > 0 ? (m.stats.tokens / (m.stats.decodeMs / 1000)).toFixed(1) : null;
  return (
    <article className={`message assistant ${m.state}`} aria-label="Answer" aria-busy={m.state === 'streaming'} data-testid="answer">
      <MarkdownText text={m.text} />
      {m.state === 'streaming' && !m.text && <p className="muted small">Thinking…</p>}
      {m.state === 'failed' && (
        <p className="error-note" role="alert">
          {m.error}
        </p>
      )}
      {m.state === 'stopped' && <p className="muted small">Stopped.</p>}
      {m.stats && (
        <p className="muted small" data-testid="answer-stats">
          {formatCount(m.stats.tokens)} tokens{speed && ` · ${speed} tok/s`} · {STOP_REASONS[m.stats.stopReason] ?? m.stats.stopReason}
          {m.stats.promptTokens > 0 && ` · ${formatCount(m.stats.promptTokens - m.stats.prefilledTokens)} of ${formatCount(m.stats.promptTokens)} prompt tokens already in the cache`}
        </p>
      )}
      <SourceList sources={m.sources} />
      <MessageActions id={id} />
    </article>
  );
}
