import { isMethod, METHOD_HINTS, METHOD_LABELS, METHODS_IN_ORDER } from '../../lib/methods.js';
import { chooseMethod } from '../../state/actions/compression.js';
import { useStore } from '../../state/store.js';

export function MethodPicker() {
  const method = useStore((s) => s.compression.method);
  const locked = useStore((s) => s.document.phase === 'reading' || s.document.phase === 'opening');
  return (
    <div className="method-picker">
      <label htmlFor="method">Method</label>
      <select id="method" value={method} disabled={locked} aria-describedby="method-hint" onChange={(e) => isMethod(e.target.value) && chooseMethod(e.target.value)}>
        {METHODS_IN_ORDER.map((m) => (
          <option key={m} value={m}>
            {METHOD_LABELS[m]}
          </option>
        ))}
      </select>
      <p id="method-hint" className="muted small">
        {METHOD_HINTS[method]}
      </p>
    </div>
  );
}
