/** Geometry of the layer × KV-head grid: layers are rows, heads columns, with a gutter for the layer labels. */
export interface GridGeometry {
  numLayers: number;
  numKvHeads: number;
  cell: number;
  gap: number;
  labelWidth: number;
  headerHeight: number;
}

export function gridGeometry(numLayers: number, numKvHeads: number, availableWidth: number): GridGeometry {
  const labelWidth = 34;
  const headerHeight = 16;
  const gap = 2;
  const fit = Math.floor((availableWidth - labelWidth) / Math.max(1, numKvHeads)) - gap;
  // Square cells, never bigger than 28 px; many layers get shorter rows so the grid stays on screen.
  const cell = Math.max(6, Math.min(28, fit, numLayers > 32 ? 10 : 28));
  return { numLayers, numKvHeads, cell, gap, labelWidth, headerHeight };
}

export function gridSize(g: GridGeometry): { width: number; height: number } {
  return { width: g.labelWidth + g.numKvHeads * (g.cell + g.gap), height: g.headerHeight + g.numLayers * (g.cell + g.gap) };
}

export function cellOrigin(g: GridGeometry, layer: number, head: number): { x: number; y: number } {
  return { x: g.labelWidth + head * (g.cell + g.gap), y: g.headerHeight + layer * (g.cell + g.gap) };
}

/** The cell under a point, or null (labels and gaps count as the nearest cell's row/column only inside the grid). */
export function cellAt(g: GridGeometry, x: number, y: number): { layer: number; head: number } | null {
  if (x < g.labelWidth || y < g.headerHeight) return null;
  const head = Math.floor((x - g.labelWidth) / (g.cell + g.gap));
  const layer = Math.floor((y - g.headerHeight) / (g.cell + g.gap));
  if (head >= g.numKvHeads || layer >= g.numLayers) return null;
  return { layer, head };
}

/** A label row: clicking a layer's label chooses the whole layer. */
export function layerLabelAt(g: GridGeometry, x: number, y: number): number | null {
  if (x >= g.labelWidth || y < g.headerHeight) return null;
  const layer = Math.floor((y - g.headerHeight) / (g.cell + g.gap));
  return layer < g.numLayers ? layer : null;
}

export interface GridValues {
  /** 0…1 per head, layer-major: where the head sits between the smallest and the largest value. */
  shades: number[];
  min: number;
  max: number;
}

/**
 * Per head: the share of the document it kept, or its mean β. Shaded between the heads' own smallest and largest
 * value, so that differences between heads show even when all of them keep about the same share.
 */
export function gridValues(raw: ArrayLike<number>, count: number): GridValues {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    min = Math.min(min, raw[i]);
    max = Math.max(max, raw[i]);
  }
  const shades = Array.from({ length: count }, (_, i) => (max > min ? (raw[i] - min) / (max - min) : 0.5));
  return { shades, min: count ? min : 0, max: count ? max : 0 };
}
