import { curvePath, errorScaleMax, plotX, plotY, type PlotGeometry } from '../../lib/fidelity-plot.js';
import { formatPercent } from '../../lib/format.js';
import { useStore } from '../../state/store.js';

const G: PlotGeometry = { width: 280, height: 120, padLeft: 34, padRight: 16, padTop: 8, padBottom: 20 };
const X_TICKS = [0.01, 0.1, 1];

/** The fidelity estimate against the keep ratio, with the current view marked. */
export function FidelityPlot() {
  const curve = useStore((s) => s.compression.curve);
  const view = useStore((s) => s.compression.view);
  const asked = useStore((s) => s.compression.ratio);
  if (!curve && !view) return null;
  const points = curve?.points ?? [];
  const current = view ? { ratio: view.ratio, outputError: view.fidelity.outputError } : null;
  const maxError = errorScaleMax(points, current?.outputError ?? null);
  const summary = current ? `Output error ${current.outputError.toFixed(3)} at ${formatPercent(current.ratio)} kept` : 'No view yet';
  return (
    <figure className="fidelity-plot">
      <svg viewBox={`0 0 ${G.width} ${G.height}`} role="img" aria-label={`Fidelity estimate against keep ratio. ${summary}.`} data-testid="fidelity-plot">
        <line className="axis" x1={G.padLeft} y1={G.height - G.padBottom} x2={G.width - G.padRight} y2={G.height - G.padBottom} />
        <line className="axis" x1={G.padLeft} y1={G.padTop} x2={G.padLeft} y2={G.height - G.padBottom} />
        {X_TICKS.map((r) => (
          <text key={r} className="tick" x={plotX(r, G)} y={G.height - 6} textAnchor="middle">
            {formatPercent(r)}
          </text>
        ))}
        <text className="tick" x={G.padLeft - 4} y={G.padTop + 8} textAnchor="end">
          {maxError}
        </text>
        <text className="tick" x={G.padLeft - 4} y={G.height - G.padBottom} textAnchor="end">
          0
        </text>
        <line className="asked" x1={plotX(asked, G)} y1={G.padTop} x2={plotX(asked, G)} y2={G.height - G.padBottom} />
        {points.length > 1 && <path className="curve" d={curvePath(points, maxError, G)} />}
        {points.map((p) => (
          <circle key={p.ratio} className="point" cx={plotX(p.ratio, G)} cy={plotY(p.outputError, maxError, G)} r={2.5} />
        ))}
        {current && <circle className="current" data-testid="fidelity-current" cx={plotX(current.ratio, G)} cy={plotY(current.outputError, maxError, G)} r={5} />}
      </svg>
      <figcaption className="muted small">Output error on held-out queries (lower is closer to the full cache){curve ? '' : ' · curve loading…'}</figcaption>
    </figure>
  );
}
