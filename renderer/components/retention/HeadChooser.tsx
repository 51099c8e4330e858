import { chooseGridMetric, chooseHead } from '../../state/actions/retention.js';
import { useStore } from '../../state/store.js';

/** The keyboard's way to choose what the text is shaded by (the grid is the mouse's), and what the grid shows. */
export function HeadChooser() {
  const numLayers = useStore((s) => s.retention.data?.numLayers ?? 0);
  const numKvHeads = useStore((s) => s.retention.data?.numKvHeads ?? 0);
  const choice = useStore((s) => s.retention.choice);
  const metric = useStore((s) => s.retention.gridMetric);
  return (
    <div className="head-chooser">
      <label>
        Layer
        <select value={choice.layer ?? ''} onChange={(e) => void chooseHead(e.target.value === '' ? null : Number(e.target.value), null)}>
          <option value="">All layers</option>
          {Array.from({ length: numLayers }, (_, i) => (
            <option key={i} value={i}>
              Layer {i}
            </option>
          ))}
        </select>
      </label>
      <label>
        Head
        <select value={choice.head ?? ''} disabled={choice.layer === null} onChange={(e) => void chooseHead(choice.layer, e.target.value === '' ? null : Number(e.target.value))}>
          <option value="">All heads</option>
          {Array.from({ length: numKvHeads }, (_, i) => (
            <option key={i} value={i}>
              Head {i}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="metric-toggle">
        <legend className="visually-hidden">The grid shows</legend>
        <label>
          <input type="radio" name="grid-metric" checked={metric === 'retention'} onChange={() => chooseGridMetric('retention')} /> Kept
        </label>
        <label>
          <input type="radio" name="grid-metric" checked={metric === 'beta'} onChange={() => chooseGridMetric('beta')} /> Mean β
        </label>
      </fieldset>
    </div>
  );
}
