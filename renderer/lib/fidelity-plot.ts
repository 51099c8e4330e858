import { logAxis } from './log-scale.js';

export interface CurvePoint {
  ratio: number;
  outputError: number;
}

export interface PlotGeometry {
  width: number;
  height: number;
  /** Room for the axes' labels. */
  padLeft: number;
  padBottom: number;
  padTop: number;
  padRight: number;
}

/** The ratios the plot asks the engine about: log-spaced from 100% to 1%. */
export const CURVE_RATIOS = [1, 0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01];

/** The error axis tops out at the worst point (at least 0.05, so a near-perfect curve is not blown up). */
export function errorScaleMax(points: readonly CurvePoint[], current: number | null): number {
  const worst = Math.max(0.05, current ?? 0, ...points.map((p) => p.outputError));
  // Round up to a readable tick: 0.05, 0.1, 0.2, 0.5, 1, 2 …
  const magnitude = 10 ** Math.floor(Math.log10(worst));
  for (const step of [1, 2, 5, 10]) if (worst <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

export function plotX(ratio: number, g: PlotGeometry): number {
  return g.padLeft + logAxis(ratio, g.width - g.padLeft - g.padRight);
}

export function plotY(error: number, maxError: number, g: PlotGeometry): number {
  const h = g.height - g.padTop - g.padBottom;
  return g.padTop + h * (1 - Math.min(1, Math.max(0, error / maxError)));
}

/** An SVG path through the points, left (1%) to right (100%). */
export function curvePath(points: readonly CurvePoint[], maxError: number, g: PlotGeometry): string {
  return [...points]
    .sort((a, b) => a.ratio - b.ratio)
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${plotX(p.ratio, g).toFixed(1)},${plotY(p.outputError, maxError, g).toFixed(1)}`)
    .join(' ');
}
