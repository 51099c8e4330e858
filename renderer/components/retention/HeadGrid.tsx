import { useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { Retention } from '../../../common/contract.js';
import { mixColor, parseColor } from '../../lib/colors.js';
import { cssVars } from '../../lib/css-vars.js';
import { formatCount, formatPercent } from '../../lib/format.js';
import { cellAt, cellOrigin, gridGeometry, gridSize, gridValues, layerLabelAt, type GridGeometry } from '../../lib/head-grid.js';
import { chooseHead } from '../../state/actions/retention.js';
import type { HeadChoice } from '../../state/slices/retention.js';
import { useStore } from '../../state/store.js';

const GRID_WIDTH = 288;

/** Layers × KV heads on a canvas: how much of the document each head kept, or its mean β. Click to choose. */
export function HeadGrid() {
  const data = useStore((s) => s.retention.data);
  const metric = useStore((s) => s.retention.gridMetric);
  const choice = useStore((s) => s.retention.choice);
  const theme = useStore((s) => s.session.settings?.theme ?? 'system');
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ layer: number; head: number; x: number; y: number } | null>(null);
  const numLayers = data?.numLayers ?? 0;
  const numKvHeads = data?.numKvHeads ?? 0;
  const geometry = useMemo(() => gridGeometry(numLayers, numKvHeads, GRID_WIDTH), [numLayers, numKvHeads]);

  useLayoutEffect(() => {
    if (canvas.current && data) drawGrid(canvas.current, geometry, data, metric, choice);
  }, [data, metric, choice, geometry, theme]);

  if (!data) return null;
  const size = gridSize(geometry);
  const range = gridValues(headMetric(data, metric), numLayers * numKvHeads);
  const show = (v: number) => (metric === 'beta' ? v.toFixed(2) : formatPercent(v));
  const position = (e: MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top };
  };
  return (
    <div className={`head-grid metric-${metric}`}>
      <canvas
        ref={canvas}
        className="head-grid-canvas"
        style={cssVars({ '--w': `${size.width}px`, '--h': `${size.height}px` })}
        aria-hidden="true"
        data-testid="head-grid"
        onMouseMove={(e) => {
          const p = position(e);
          const cell = cellAt(geometry, p.x, p.y);
          setHover(cell ? { ...cell, ...p } : null);
        }}
        onMouseLeave={() => setHover(null)}
        onClick={(e) => {
          const p = position(e);
          const cell = cellAt(geometry, p.x, p.y);
          const layer = layerLabelAt(geometry, p.x, p.y);
          if (cell) void (choice.layer === cell.layer && choice.head === cell.head ? chooseHead(null, null) : chooseHead(cell.layer, cell.head));
          else if (layer !== null) void (choice.layer === layer && choice.head === null ? chooseHead(null, null) : chooseHead(layer, null));
        }}
      />
      {hover && (
        <div className="grid-tooltip" role="tooltip" style={cssVars({ '--x': `${hover.x + 12}px`, '--y': `${hover.y + 12}px` })}>
          {describeHead(data, hover.layer, hover.head)}
        </div>
      )}
      <p className="grid-scale muted small" data-testid="grid-scale">
        {range.max > range.min ? (
          <>
            <span className="swatch grid-low" aria-hidden="true" /> {show(range.min)} – {show(range.max)} <span className="swatch grid-high" aria-hidden="true" />{' '}
            {metric === 'beta' ? 'mean β' : 'of the document kept'}, lightest to darkest
          </>
        ) : (
          `Every head: ${show(range.max)}${metric === 'beta' ? ' mean β' : ' of the document kept'}`
        )}
      </p>
    </div>
  );
}

export function describeHead(data: Retention, layer: number, head: number): string {
  const i = layer * data.numKvHeads + head;
  const kept = data.headSlots[i];
  return `Layer ${layer}, head ${head}: kept ${formatCount(kept)} of ${formatCount(data.documentTokens)} tokens (${formatPercent(kept / Math.max(1, data.documentTokens))}) · mean β ${data.headMeanBeta[i].toFixed(3)}`;
}

function drawGrid(canvas: HTMLCanvasElement, g: GridGeometry, data: Retention, metric: 'retention' | 'beta', choice: HeadChoice): void {
  const ratio = window.devicePixelRatio || 1;
  const size = gridSize(g);
  canvas.width = Math.round(size.width * ratio);
  canvas.height = Math.round(size.height * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, size.width, size.height);
  const style = getComputedStyle(canvas);
  const low = parseColor(style.getPropertyValue('--grid-low'));
  const high = parseColor(style.getPropertyValue(metric === 'beta' ? '--grid-beta' : '--grid-high'));
  const ink = style.getPropertyValue('--muted').trim() || '#888';
  const accent = style.getPropertyValue('--accent').trim() || '#2f6f6a';
  const values = gridValues(headMetric(data, metric), g.numLayers * g.numKvHeads).shades;

  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = ink;
  ctx.textBaseline = 'middle';
  const labelEvery = g.cell < 10 ? 4 : 1;
  for (let head = 0; head < g.numKvHeads; head++) ctx.fillText(`H${head}`, cellOrigin(g, 0, head).x, g.headerHeight / 2);
  for (let layer = 0; layer < g.numLayers; layer++) {
    const { y } = cellOrigin(g, layer, 0);
    if (layer % labelEvery === 0) {
      ctx.fillStyle = ink;
      ctx.fillText(`L${layer}`, 2, y + g.cell / 2);
    }
    for (let head = 0; head < g.numKvHeads; head++) {
      const { x } = cellOrigin(g, layer, head);
      ctx.fillStyle = mixColor(low, high, values[layer * g.numKvHeads + head]);
      ctx.fillRect(x, y, g.cell, g.cell);
    }
  }
  if (choice.layer !== null) {
    ctx.strokeStyle = accent;
    ctx.lineWidth = 2;
    const { x, y } = cellOrigin(g, choice.layer, choice.head ?? 0);
    const width = choice.head === null ? g.numKvHeads * (g.cell + g.gap) - g.gap : g.cell;
    ctx.strokeRect(x - 1, y - 1, width + 2, g.cell + 2);
  }
}

/** What each cell shows: the share of the document the head kept, or its mean β. */
export function headMetric(data: Retention, metric: 'retention' | 'beta'): Float64Array {
  const n = data.numLayers * data.numKvHeads;
  return Float64Array.from({ length: n }, (_, i) => (metric === 'beta' ? data.headMeanBeta[i] : data.headSlots[i] / Math.max(1, data.documentTokens)));
}
