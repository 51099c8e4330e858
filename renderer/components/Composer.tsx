import { useState } from 'react';
import { send, stop, clearConversation } from '../state/actions.js';
import { useChatStore, type ChatMode } from '../state/chat-store.js';

export function Composer({ ready }: { ready: boolean }) {
  const [draft, setDraft] = useState('');
  const { mode, maxTokens, temperature, generationId, messages } = useChatStore();
  const { setMode, setMaxTokens, setTemperature } = useChatStore.getState();
  const generating = generationId !== null;

  const submit = () => {
    if (!ready || generating || !draft.trim()) return;
    void send(draft);
    setDraft('');
  };

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
        rows={3}
        placeholder={ready ? (mode === 'prompt' ? 'Text for the model to continue…' : 'Ask something…') : 'Load a model to start'}
        value={draft}
        disabled={!ready}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <div className="composer-bar">
        <label>
          Mode{' '}
          <select aria-label="Mode" value={mode} onChange={(e) => setMode(e.target.value as ChatMode)} disabled={generating}>
            <option value="chat">Chat</option>
            <option value="prompt">Prompt (base model)</option>
          </select>
        </label>
        <label>
          Max tokens{' '}
          <input
            type="number"
            aria-label="Max tokens"
            min={1}
            max={32768}
            value={maxTokens}
            disabled={generating}
            onChange={(e) => setMaxTokens(Math.max(1, Math.min(32768, Math.round(Number(e.target.value)) || 1)))}
          />
        </label>
        <label>
          Temperature{' '}
          <input
            type="number"
            aria-label="Temperature"
            min={0}
            max={2}
            step={0.1}
            value={temperature}
            disabled={generating}
            onChange={(e) => setTemperature(Math.max(0, Math.min(2, Number(e.target.value) || 0)))}
          />
        </label>
        <span className="spacer" />
        <button type="button" onClick={() => void clearConversation()} disabled={generating || messages.length === 0}>
          Clear
        </button>
        {generating ? (
          <button type="button" className="stop" onClick={() => void stop()}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={!ready || !draft.trim()}>
            Send
          </button>
        )}
      </div>
    </form>
  );
}
