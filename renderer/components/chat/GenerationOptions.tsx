import { selectGenerating } from '../../state/selectors.js';
import { update, useStore } from '../../state/store.js';

/** Answer length and temperature. */
export function GenerationOptions() {
  const maxTokens = useStore((s) => s.chat.maxTokens);
  const temperature = useStore((s) => s.chat.temperature);
  const generating = useStore(selectGenerating);
  return (
    <details className="generation-options">
      <summary>Options</summary>
      <div className="options-body">
        <div className="field">
          <label htmlFor="max-tokens">Max tokens</label>
          <input
            id="max-tokens"
            type="number"
            min={1}
            max={32768}
            value={maxTokens}
            disabled={generating}
            onChange={(e) => update('chat', { maxTokens: Math.max(1, Math.min(32768, Math.round(Number(e.target.value)) || 1)) })}
          />
        </div>
        <div className="field">
          <label htmlFor="temperature">Temperature</label>
          <input
            id="temperature"
            type="number"
            min={0}
            max={2}
            step={0.1}
            value={temperature}
            disabled={generating}
            onChange={(e) => update('chat', { temperature: Math.max(0, Math.min(2, Number(e.target.value) || 0)) })}
          />
        </div>
      </div>
    </details>
  );
}
