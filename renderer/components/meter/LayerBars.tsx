import { cssVars, percent } from '../../lib/css-vars.js';
import { formatCount } from '../../lib/format.js';
import { selectMeterCache } from '../../state/selectors.js';
import { useStore } from '../../state/store.js';

/** Per layer: slots kept (solid) and the padding its buffers hold beyond them (hatched). */
export function LayerBars() {
  const layers = useStore((s) => selectMeterCache(s)?.layers ?? null);
  if (!layers || layers.length === 0) return null;
  const widest = Math.max(1, ...layers.map((l) => l.capacity));
  return (
    <details className="layer-bars" open>
      <summary>Slots per layer</summary>
      <ul aria-label="Slots per layer" data-testid="layer-bars">
        {layers.map((l, i) => (
          <li key={i} className="layer-row">
            <span className="layer-label" aria-hidden="true">
              {i}
            </span>
            <span className="bar layer" aria-hidden="true" style={cssVars({ '--used': percent(l.slots / widest), '--allocated': percent(l.capacity / widest) })}>
              <span className="bar-allocated" />
              <span className="bar-used" />
            </span>
            <span className="visually-hidden">
              Layer {i}: {formatCount(l.slots)} slots kept, {formatCount(l.capacity - l.slots)} padding
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}
