import { SHADE_LEVELS } from '../../lib/retention-shading.js';
import { useStore } from '../../state/store.js';

/** What the shades mean for the current choice: a count of heads, or one head's kept / dropped. */
export function ShadeLegend() {
  const total = useStore((s) => (s.retention.data ? s.retention.data.numLayers * s.retention.data.numKvHeads : 0));
  const kvHeads = useStore((s) => s.retention.data?.numKvHeads ?? 0);
  const choice = useStore((s) => s.retention.choice);
  if (total === 0) return null;
  const oneHead = choice.layer !== null && choice.head !== null;
  const scope = choice.layer === null ? `all ${total} heads` : oneHead ? `layer ${choice.layer}, head ${choice.head}` : `all ${kvHeads} heads of layer ${choice.layer}`;
  const levels = Array.from({ length: SHADE_LEVELS + 1 }, (_, level) => level).filter((level) => !oneHead || level === 0 || level === SHADE_LEVELS);
  return (
    <div className="shade-legend" data-testid="shade-legend">
      <span className="muted small">{oneHead ? 'dropped' : 'kept by none'}</span>
      {levels.map((level) => (
        <span key={level} className={`swatch shade-${level}`} aria-hidden="true" />
      ))}
      <span className="muted small">kept by {scope}</span>
    </div>
  );
}
