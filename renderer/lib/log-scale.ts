import { MIN_RATIO } from './methods.js';

/** Positions of the keep-ratio slider: 0 is the smallest ratio, SLIDER_STEPS is 100%. */
export const SLIDER_STEPS = 200;

/** The slider is logarithmic: every step multiplies the ratio by the same factor, so 1%–2% is as wide as 50%–100%. */
export function ratioFromPosition(position: number, minRatio = MIN_RATIO, steps = SLIDER_STEPS): number {
  const p = Math.min(steps, Math.max(0, position)) / steps;
  return roundRatio(Math.exp(Math.log(minRatio) * (1 - p)));
}

export function positionFromRatio(ratio: number, minRatio = MIN_RATIO, steps = SLIDER_STEPS): number {
  const r = Math.min(1, Math.max(minRatio, ratio));
  return Math.round(steps * (1 - Math.log(r) / Math.log(minRatio)));
}

/** Three significant digits: what the engine is sent and what a person sees agree. */
export function roundRatio(ratio: number): number {
  return Math.min(1, Math.max(MIN_RATIO, Number(ratio.toPrecision(3))));
}

/** Where a ratio sits on a log axis of `width` pixels from minRatio to 1. */
export function logAxis(ratio: number, width: number, minRatio = MIN_RATIO): number {
  return (width * (Math.log(Math.max(minRatio, ratio)) - Math.log(minRatio))) / -Math.log(minRatio);
}
