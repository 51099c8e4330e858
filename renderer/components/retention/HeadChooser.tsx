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
      <div className="field">
        <label htmlFor="shade-layer">Layer</label>
        <select id="shade-layer" value={choice.layer ?? ''} onChange={(e) => void chooseHead(e.target.value === '' ? null : Number(e.target.value), null)}>
          <option value="">All layers</option>
          {Array.from({ length: numLayers }, (_, i) => (
            <option key={i} value={i}>
              Layer {i}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="shade-head">Head</label>
        <select id="shade-head" value={choice.head ?? ''} disabled={choice.layer === null} onChange={(e) => void chooseHead(choice.layer, e.target.value === '' ? null : Number(e.target.value))}>
          <option value="">All heads</option>
          {Array.from({ length: numKvHeads }, (_, i) => (
            <option key={i} value={i}>
              Head {i}
            </option>
          ))}
        </select>
      </div>
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
